"""Fixtures: one small real build (the fictional examples of data/exemples + a fictional register), served
by the real app in-process (TestClient) and, for the harvester rules, by uvicorn on a loopback port.

The build runs ``ingest.build.run_build`` exactly as ``ia-territoriales build`` does, so the catalogue is
tested on a real manifest, real dumps and a real store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from catalog_support import REPO, CatalogBuild, FictionalSource, free_port
from endpoint import servers
from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def catalog_build(tmp_path_factory: pytest.TempPathFactory) -> CatalogBuild:
    from ingest.build import BuildOptions, run_build

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    var_dir = tmp_path_factory.mktemp("var-catalog")
    result = run_build(BuildOptions(base_url=base, var_dir=var_dir, data_dir=REPO / "data" / "exemples",
                                    sources=[FictionalSource()], quiet=True))
    if result.status != "built":
        pytest.fail(f"la construction de test a échoué :\n{result.report}")
    return CatalogBuild(var_dir, base, port)


@pytest.fixture(scope="session")
def client(catalog_build: CatalogBuild) -> Iterator[TestClient]:
    from sparql_endpoint.app import create_app

    with TestClient(create_app(catalog_build.settings()), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server(catalog_build: CatalogBuild) -> Iterator[str]:
    """The real service (uvicorn) on the build's port: what a harvester would reach over HTTP."""
    process, _ = servers.start_uvicorn(
        {"IAT_BASE_URL": catalog_build.base_url, "IAT_VAR_DIR": str(catalog_build.var_dir),
         "IAT_QUERIES_DIR": str(REPO / "queries")},
        port=catalog_build.port,
    )
    try:
        yield catalog_build.base_url
    finally:
        servers.stop(process)
