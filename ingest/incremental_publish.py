"""Publishing an incremental build: swap it in, then a following build with fresh dumps (``ingest.incremental``).

``NeedFullBuild`` is re-exported for ``ingest.build``."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, Store

from ingest import inputs
from ingest.incremental import REPORTS, Plan
from ingest.incremental_build import _link_tree, build_into
from ingest.incremental_validation import NeedFullBuild
from ingest.manifest import file_entry, read_manifest, write_manifest

__all__ = ["NeedFullBuild", "refresh_dumps", "run_incremental"]


def refresh_dumps(opts, served: Path, tmp: Path, build_id: str, steps) -> Any:
    """A build equal to ``served`` (an incremental build whose dumps are its predecessor's) with fresh dumps and
    CSV written from its store; a ``BuildResult``."""
    from ingest.build import BuildResult, peak_memory_mb, release_memory
    from ingest.csv_export import CSV_NAME, SCHEMA_NAME, write_csv
    from ingest.dumps import write_dumps

    manifest = read_manifest(served) or {}
    with steps("copie"):
        source = Store.read_only(str(served / "store"))
        source.backup(str(tmp / "store"))
        for name in (inputs.RECORD_NAME, "search.sqlite"):
            if (served / name).is_file():
                os.link(served / name, tmp / name)
        if (served / "sources").is_dir():
            _link_tree(served / "sources", tmp / "sources")
        (tmp / "dumps").mkdir()
        for name in REPORTS:
            os.link(served / "dumps" / name, tmp / "dumps" / name)
    names = {name: info["iri"] for name, info in manifest["graphs"].items()}
    with steps("chargement en mémoire"):  # the dumps are written 4-5 times faster from memory than from RocksDB
        scratch = tmp / "dumps" / ".ia-territoriales.nq"
        source.dump(str(scratch), RdfFormat.N_QUADS)
        del source
        memory = Store()
        memory.bulk_load(path=str(scratch), format=RdfFormat.N_QUADS)
        scratch.unlink()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gzip") as executor:
        with steps("dumps"):
            dumps = write_dumps(memory, tmp / "dumps", names, executor)
        try:
            with steps("csv"):
                csv_path, schema_path, use_cases = write_csv(memory, tmp / "dumps", names)
        finally:
            del memory
            release_memory()
            with steps("compression"):
                dumps.wait()
    files = [file_entry(tmp, d.path, d.media_type, **d.manifest_extra()) for d in dumps.dumps]
    files.append(file_entry(tmp, csv_path, "text/csv", compress_format=None, graph=None,
                            title_fr="Cas d'usage (CSV, une ligne par cas)",
                            title_en="Use cases (CSV, one row per use case)", schema=f"dumps/{SCHEMA_NAME}"))
    files.append(file_entry(tmp, schema_path, "application/json", compress_format=None, graph=None,
                            title_fr=f"Schéma de table (Frictionless) de {CSV_NAME}",
                            title_en=f"Frictionless Table Schema of {CSV_NAME}"))
    files += [f for f in manifest.get("files", []) if Path(f["path"]).name in REPORTS]
    new = {**manifest, "build_id": build_id, "created": datetime.now(UTC).isoformat(timespec="seconds"),
           "files": files, "build_kind": "incremental-dumps",
           # counted again from the whole dataset, as a full build counts them (the served build corrected its
           # predecessor's figures; tests hold both equal)
           "triples": {**manifest["triples"], "distinct_triples": dumps.distinct_triples},
           "use_cases": {name: n for name, n in use_cases.items() if name in manifest.get("use_cases", {})},
           "incremental": {**manifest.get("incremental", {}), "dumps_for_build": manifest.get("build_id")},
           "steps": dict(steps.seconds), "peak_memory_mb": peak_memory_mb()}
    new.pop("dumps_of_build", None)
    write_manifest(tmp, new)
    return BuildResult("built", build_id, tmp, new)


def result_changes(result) -> list:
    return getattr(result, "changes", [])


def _publish(var_dir: Path, tmp: Path, build_id: str) -> Path:
    from ingest.build import publish

    return publish(var_dir, tmp, build_id)


def run_incremental(opts, plan: Plan, steps) -> Any:
    """Make, publish and then complete (fresh dumps) the incremental build of ``plan``, under the build lock
    that ``ingest.build.run_build`` holds. Raises ``NeedFullBuild`` (nothing published) when the change cannot
    be applied incrementally; returns the ``BuildResult`` (``invalid``: nothing published)."""
    from ingest.build import TMP_PREFIX, _new_build_id

    builds = opts.var_dir / "builds"
    build_id = _new_build_id(plan.digest, builds)
    tmp = builds / f"{TMP_PREFIX}{build_id}"
    tmp.mkdir()
    try:
        result = build_into(opts, plan, tmp, build_id, steps)
        if result.status != "built":
            shutil.rmtree(tmp, ignore_errors=True)
            return result
        with steps("bascule"):
            result.build_dir = _publish(opts.var_dir, tmp, build_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.steps = dict(steps.seconds)
    if not any(c.removed or c.added for c in result_changes(result)):
        return result  # the same quads: the previous dumps are this build's (its manifest names them)
    # the change is served; now the downloads of the same data, in a following build
    dumps_id = _new_build_id(plan.digest, builds)
    tmp = builds / f"{TMP_PREFIX}{dumps_id}"
    tmp.mkdir()
    try:
        refreshed = refresh_dumps(opts, result.build_dir, tmp, dumps_id, steps)
        with steps("bascule des dumps"):
            refreshed.build_dir = _publish(opts.var_dir, tmp, dumps_id)
    except Exception as exc:  # the incremental build stays served, its manifest names the dumps it holds
        shutil.rmtree(tmp, ignore_errors=True)
        result.report += (f"\nAttention : les téléchargements n'ont pas pu être régénérés ({exc}) ; la construction "
                          f"{build_id} reste servie avec ceux de {result.manifest.get('dumps_of_build')}.")
        return result
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    refreshed.report = result.report
    refreshed.steps = dict(steps.seconds)
    refreshed.served_build = build_id
    return refreshed
