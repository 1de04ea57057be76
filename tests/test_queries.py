"""Every example query of queries/ is documented, runs, and returns at least one row:
on the service's fictional test build AND on the real library built from ontology/, data/ and sources/."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from sparql_endpoint.examples import load_examples, parse_example

QUERIES = Path(__file__).resolve().parents[1] / "queries"
FILES = sorted(QUERIES.glob("*.rq"))
FIXTURES = Path(__file__).parent / "endpoint" / "fixtures"
FIXTURE_BASE = "http://iat.test/"


def test_at_least_fifteen_queries() -> None:
    assert len(FILES) >= 15
    assert len(load_examples(QUERIES)) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_header_in_french_and_english(path: Path) -> None:
    example = parse_example(path.stem, path.read_text(encoding="utf-8"))
    for text in (example.title_fr, example.title_en, example.description_fr, example.description_en):
        assert len(text) > 10
    assert example.title_fr != example.title_en


@pytest.fixture(scope="module")
def fixture_store() -> ox.Store:
    store = ox.Store()
    for trig in sorted(FIXTURES.glob("*.trig")):
        store.load(path=str(trig), format=ox.RdfFormat.TRIG, base_iri=FIXTURE_BASE)
    return store


def count_rows(store: ox.Store, text: str) -> int:
    result = store.query(text, use_default_graph_as_union=True)
    return len(list(result))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_query_returns_rows_on_the_test_build(fixture_store: ox.Store, path: Path) -> None:
    assert count_rows(fixture_store, path.read_text(encoding="utf-8")) >= 1


@pytest.fixture(scope="module")
def real_store(built_library) -> ox.Store:
    return ox.Store.read_only(str(built_library.store_path))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_query_returns_rows_on_the_real_library(real_store: ox.Store, path: Path) -> None:
    assert count_rows(real_store, path.read_text(encoding="utf-8")) >= 1, f"{path.name}: aucune ligne"


@pytest.fixture(scope="module")
def real_oxigraph(built_library, tmp_path_factory: pytest.TempPathFactory):
    from endpoint import servers

    tmp = tmp_path_factory.mktemp("oxigraph-real")
    nquads = servers.dump_nquads(built_library.current, tmp / "library.nq")
    process, url = servers.start_oxigraph(nquads, tmp / "store", timeout_s=60)
    yield url
    servers.stop(process)


@pytest.fixture(scope="module", params=["embedded", "remote"])
def real_service(request: pytest.FixtureRequest, built_library):
    """The service on the real library: its own embedded store, or a real ``oxigraph serve`` loaded with it."""
    from fastapi.testclient import TestClient

    from sparql_endpoint.app import create_app

    url = request.getfixturevalue("real_oxigraph") if request.param == "remote" else None
    settings = built_library.settings(sparql_url=url, queries_dir=QUERIES, query_timeout=60.0)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_query_through_the_service_on_the_real_library(real_service, path: Path) -> None:
    response = real_service.post("/sparql", data={"query": path.read_text(encoding="utf-8")},
                                 headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) >= 1, f"{path.name}: aucune ligne"
