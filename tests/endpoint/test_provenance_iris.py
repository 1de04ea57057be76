"""IRIs the data cite answer: the files of sources/ at /sources/{path} (prov:wasDerivedFrom of the French
cases), and the named graph IRIs /graphe/{name} (303 to the graph's Turtle dump)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from sparql_endpoint.app import create_app
from sparql_endpoint.errors import ResourceNotFound
from sparql_endpoint.routes.provenance import source_file
from sparql_endpoint.store import BuildInfo

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real_client(built_library) -> Iterator[TestClient]:
    with TestClient(create_app(built_library.settings(query_workers=1)), follow_redirects=False) as client:
        yield client


def _derived_from(built_library) -> list[str]:
    store = ox.Store.read_only(str(built_library.store_path))
    rows = store.query(f"""SELECT DISTINCT ?src WHERE {{ ?uc <http://www.w3.org/ns/prov#wasDerivedFrom> ?src
        FILTER(STRSTARTS(STR(?src), "{built_library.base_url}sources/")) }}""", use_default_graph_as_union=True)
    return sorted(row["src"].value for row in rows)


def test_every_cited_source_file_answers_with_its_type_etag_and_head(real_client, built_library):
    cited = _derived_from(built_library)
    assert len(cited) >= 10  # the French cases cite their CSV row
    paths = sorted({iri.split("#", 1)[0].removeprefix(built_library.base_url) for iri in cited})
    assert "sources/french-cases/french-territorial-ai-cases.csv" in paths
    for path in paths:
        response = real_client.get("/" + path)
        assert response.status_code == 200, path
        assert response.content == (REPO / path).read_bytes()
        etag = response.headers["etag"]
        head = real_client.head("/" + path)
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
        assert real_client.get("/" + path, headers={"If-None-Match": etag}).status_code == 304
    csv_response = real_client.get("/sources/french-cases/french-territorial-ai-cases.csv")
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(("path", "media"), [
    ("sources/uk-atrs-records.csv.gz", "application/gzip"),
    ("sources/README.md", "text/markdown; charset=utf-8"),
    ("sources/french-cases/PROVENANCE.md", "text/markdown; charset=utf-8"),
])
def test_source_files_have_their_media_type(real_client, path, media):
    response = real_client.get("/" + path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.content == (REPO / path).read_bytes()


@pytest.mark.parametrize("path", [
    "/sources/%2E%2E/pyproject.toml", "/sources/french-cases/%2e%2e/%2e%2e/pyproject.toml",
    "/sources/%2Fetc%2Fpasswd", "/sources//etc/passwd", "/sources/absent.csv", "/sources/", "/sources/french-cases",
])
def test_paths_outside_sources_or_missing_are_404(real_client, path):
    response = real_client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["ok"] is False and "sources/" in response.json()["error"]


def test_a_symbolic_link_is_never_served(tmp_path):
    """The build copies no symbolic link; a link planted in a build's sources/ is refused all the same."""
    from ingest.build import copy_source_files

    src = tmp_path / "sources"
    (src / "sub").mkdir(parents=True)
    (src / "a.csv").write_text("x\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n", encoding="utf-8")
    os.symlink(secret, src / "lien.txt")
    os.symlink(tmp_path, src / "sub" / "dossier")
    build_dir = tmp_path / "build"
    entries = copy_source_files(src, build_dir)
    assert [e["path"] for e in entries] == ["a.csv"]
    assert not (build_dir / "sources" / "lien.txt").exists()
    os.symlink(secret, build_dir / "sources" / "lien.txt")
    build = BuildInfo("b", datetime.now(UTC), build_dir,
                      {"source_files": [*entries, {"path": "lien.txt", "sha256": "0"}]})
    assert source_file(build, "a.csv")[1].read_text(encoding="utf-8") == "x\n"
    with pytest.raises(ResourceNotFound):
        source_file(build, "lien.txt")


def test_named_graph_iris_redirect_to_their_dump(real_client, built_library):
    for name in built_library.manifest["graphs"]:
        response = real_client.get(f"/graphe/{name}")
        assert response.status_code == 303, name
        location = response.headers["location"]
        assert location == f"{built_library.base_url}telechargements/ia-territoriales-{name}.ttl"
        dump = real_client.get(location.removeprefix(built_library.base_url.rstrip("/")))
        assert dump.status_code == 200 and dump.headers["content-type"].startswith("text/turtle")
    assert real_client.head("/graphe/bibliotheque").status_code == 303
    missing = real_client.get("/graphe/inconnu", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "graphe nommé" in missing.json()["error"]
