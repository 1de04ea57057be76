"""Fixtures: one fictional build; the service on the embedded store AND on a real ``oxigraph serve``.

Every test that takes ``client`` runs twice: ``[embedded]`` and ``[remote]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endpoint import servers
from sparql_endpoint.app import create_app
from sparql_endpoint.settings import Settings

BASE = servers.BASE


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var = tmp_path_factory.mktemp("var")
    servers.write_build(var, BASE, "test-1")
    return var


@pytest.fixture(scope="session")
def oxigraph_url(var_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("oxigraph")
    nquads = servers.dump_nquads(var_dir / "current", tmp / "data.nq")
    process, url = servers.start_oxigraph(nquads, tmp / "store")
    yield url
    servers.stop(process)


@pytest.fixture(scope="session", params=["embedded", "remote"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def settings(store_kind: str, var_dir: Path, request: pytest.FixtureRequest) -> Settings:
    url = request.getfixturevalue("oxigraph_url") if store_kind == "remote" else None
    return servers.make_settings(var_dir, url)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as test_client:
        yield test_client
