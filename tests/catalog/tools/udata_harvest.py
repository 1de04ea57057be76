"""Run data.gouv.fr's REAL harvester (udata's DCAT backend) against a served catalogue. Manual tool, not a test:
udata is not a dependency of the project (it needs Flask, MongoEngine, saxonche…); MongoDB is replaced by
mongomock.

    python -m venv /tmp/udata-venv && /tmp/udata-venv/bin/pip install udata==17.18.0 mongomock==4.3.0
    /tmp/udata-venv/bin/python tests/catalog/tools/udata_harvest.py http://127.0.0.1:8000/catalog.ttl

Prints the job status, its errors, each item's status and what udata stored for each dataset (title,
licence, tags, resources with format, mime, size and checksum). Exit code 0 when the job is "done" and no
item failed or was skipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from udata import settings
from udata.app import create_app, standalone

LICENCES = Path(__file__).resolve().parents[1] / "reference" / "datagouv-licenses.json"


class Config(settings.Testing):
    MONGODB_HOST = "mongodb://localhost/udata"
    MONGODB_HOST_TEST = "mongodb://localhost/udata"
    HARVESTER_BACKENDS = ("dcat",)
    URLS_ALLOW_LOCAL = True
    URLS_ALLOW_PRIVATE = True
    SERVER_NAME = "local.test"


def _use_mongomock() -> None:
    """mongoengine dropped ``mongomock://`` URIs: hand it mongomock's client class instead."""
    import mongoengine
    import mongomock

    connect = mongoengine.connect

    def mock_connect(*args, **kwargs):
        kwargs.setdefault("mongo_client_class", mongomock.MongoClient)
        return connect(*args, **kwargs)

    mongoengine.connect = mock_connect


def main(url: str) -> int:
    _use_mongomock()
    app = standalone(create_app(settings.Defaults, override=Config))
    with app.app_context(), app.test_request_context():
        from udata.core.dataset.models import Dataset, License
        from udata.core.organization.models import Organization
        from udata.harvest import actions
        from udata.harvest.models import HarvestSource

        for item in json.loads(LICENCES.read_text("utf-8")):
            License(id=item["id"], title=item["title"], url=item.get("url"),
                    alternate_urls=item.get("alternate_urls") or [],
                    alternate_titles=item.get("alternate_titles") or []).save()
        org = Organization(name="Organisation de test", description="test").save()
        source = HarvestSource(name="ia-territoriales", url=url, backend="dcat", organization=org).save()
        actions.run(source)
        source.reload()
        job = source.get_last_job()
        print(f"job: {job.status}; errors: {[e.message for e in job.errors]}")
        statuses = {}
        for item in job.items:
            statuses[item.status] = statuses.get(item.status, 0) + 1
            if item.status != "done":
                print(f"  item {item.remote_id}: {item.status} {[e.message for e in item.errors]}")
        print(f"items: {statuses}")
        for d in Dataset.objects:
            print(f"- {d.harvest.dct_identifier}\n  title: {d.title}\n  licence: {d.license.id if d.license else None}"
                  f"\n  tags: {sorted(d.tags)}\n  frequency: {d.frequency}; temporal: {d.temporal_coverage}"
                  f"\n  modified: {d.harvest.modified_at}")
            for r in d.resources:
                checksum = f"{r.checksum.type}:{r.checksum.value[:12]}…" if r.checksum else None
                print(f"    * {r.title} [{r.type}] format={r.format} mime={r.mime} size={r.filesize} "
                      f"checksum={checksum} url={r.url}")
        bad = sum(n for status, n in statuses.items() if status != "done")
        return 0 if job.status == "done" and not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
