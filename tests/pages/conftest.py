"""Fixtures of the page tests: the session build's search index, an in-process client, a real server.

The real server is uvicorn in a subprocess on ``built_library.port`` (the port the data IRIs use), over
the session build (tests/conftest.py), so links in the pages resolve to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint import servers

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def library_index(built_library):
    from sparql_endpoint.search import SearchIndex

    return SearchIndex(built_library.current / "search.sqlite")


@pytest.fixture(scope="session")
def client(built_library) -> Iterator:
    from fastapi.testclient import TestClient

    from sparql_endpoint.app import create_app

    app = create_app(built_library.settings(queries_dir=REPO / "queries", query_workers=1))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server(built_library) -> Iterator[str]:
    """Base URL of a real uvicorn serving the session build."""
    process, _ = servers.start_uvicorn(
        {"IAT_BASE_URL": built_library.base_url, "IAT_VAR_DIR": str(built_library.var_dir),
         "IAT_QUERIES_DIR": str(REPO / "queries"), "IAT_QUERY_WORKERS": "1"},
        port=built_library.port,
    )
    try:
        yield built_library.base_url.rstrip("/")
    finally:
        servers.stop(process)


@pytest.fixture(scope="session")
def sample(library_index, built_library):
    """Paths of real resources: a use case with an organisation, its territory, a concept it uses."""
    db = library_index._db()
    row = db.execute("SELECT iri, path, org_iri FROM docs WHERE org_iri IS NOT NULL AND graph = 'bibliotheque' "
                     "AND id IN (SELECT doc FROM facets WHERE facet = 'domaine') ORDER BY iri LIMIT 1").fetchone()
    territory = db.execute("SELECT value FROM facet_values WHERE facet = 'territoire' ORDER BY docs DESC LIMIT 1"
                           ).fetchone()[0]
    domain = db.execute("SELECT value FROM facet_values WHERE facet = 'domaine' ORDER BY docs DESC LIMIT 1"
                        ).fetchone()[0]
    base = built_library.base_url
    return {
        "usecase": row["path"], "usecase_iri": row["iri"],
        "organisation": "/doc/" + row["org_iri"].removeprefix(f"{base}id/"),
        "territory": "/doc/" + territory.removeprefix(f"{base}id/"),
        "concept": "/" + domain.removeprefix("https://w3id.org/ia-territoriales/"),
        "domain_code": domain.rsplit("/", 1)[1],
    }
