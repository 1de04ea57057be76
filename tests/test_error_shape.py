"""Contract: one error shape across the whole service (datasette's tests/test_error_shape.py).

Programs get ``{"ok": false, "error": msg, "status": n}`` as ``application/json``; browsers get the French
``error.html`` with the same status; no traceback ever reaches either. The table walks the error paths of
every part: SPARQL, resources, pages and listings, catalogue, VoID, sitemap, downloads, and a service with
no build (503). ``tests/endpoint/test_error_shape.py`` runs the SPARQL subset against both stores.

A withdrawn record is the one deliberate exception: it answers 410 with its own document (DWBP BP27),
see tests/endpoint/test_resources.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint import servers
from fastapi.testclient import TestClient

from sparql_endpoint.app import create_app
from sparql_endpoint.deps import get_store

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
PROGRAM = "application/json"

ERRORS = [
    # (method, path, kwargs, status)
    ("GET", "/sparql", {"params": {"query": "SELECT ?x WHERE {"}}, 400),
    ("POST", "/sparql", {"data": {"query": "ASK {"}}, 400),
    ("GET", "/cas-usage", {"params": {"tri": "inconnu"}}, 400),
    ("GET", "/cas-usage.json", {"params": {"page": "deux"}}, 400),
    ("GET", "/cas-usage.csv", {"params": {"par_page": "100000"}}, 400),
    ("GET", "/cas-usage.pdf", {}, 400),
    ("GET", "/sparql", {"params": {"query": "LOAD <http://a.example/>"}}, 403),
    ("POST", "/sparql", {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403),
    ("GET", "/id/cas-usage/inconnu", {}, 404),
    ("GET", "/doc/organisation/inconnue.jsonld", {}, 404),
    ("GET", "/nomenclature/inconnue", {}, 404),
    ("GET", "/nomenclature/domaines/inconnu.ttl", {}, 404),
    ("GET", "/def.pdf", {}, 404),
    ("GET", "/catalog.xml", {}, 404),
    ("GET", "/catalog.ttl", {"params": {"page": "999"}}, 404),
    ("GET", "/sitemap-7.xml", {}, 404),
    ("GET", "/sitemap-\u00b2.xml", {}, 404),  # "²".isdigit() is True, int("²") raises
    ("GET", "/catalog.ttl", {"params": {"page": "\u00b2"}}, 404),
    ("GET", "/catalog.ttl", {"params": {"page": "9" * 5000}}, 404),  # past int()'s digit limit
    ("GET", "/telechargements/inconnu.nq", {}, 404),
    ("GET", "/telechargements/..%2Fmanifest.json", {}, 404),
    ("GET", "/static/inconnu.css", {}, 404),
    ("GET", "/nulle/part", {}, 404),
    ("PUT", "/sparql", {}, 405),
    ("DELETE", "/doc/cas-usage/aide-au-tri-des-demandes", {}, 405),
    ("POST", "/cas-usage", {}, 405),
    ("POST", "/catalog.ttl", {}, 405),
    ("PATCH", "/telechargements", {}, 405),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
    ("GET", "/doc/cas-usage/aide-au-tri-des-demandes", {"headers": {"Accept": "image/png"}}, 406),
    ("GET", "/catalog", {"headers": {"Accept": "image/png"}}, 406),
    ("GET", "/.well-known/void", {"headers": {"Accept": "application/pdf"}}, 406),
    ("POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/sparql", {"content": b"ASK {}",
                         "headers": {"Content-Type": "application/sparql-query; charset=latin-1"}}, 415),
    ("POST", "/sparql", {"content": b"ASK {} #" + b"x" * (2 << 20),
                         "headers": {"Content-Type": "application/sparql-query"}}, 413),
    ("POST", "/sparql", {"data": {"query": "ASK {} #" + "x" * (2 << 20)}}, 413),
]
NO_BUILD = [  # a service whose var/ holds no build yet
    ("GET", "/sparql", {"params": {"query": "ASK {}"}}, 503),
    ("GET", "/cas-usage", {}, 503),
    ("GET", "/cas-usage.json", {}, 503),
    ("GET", "/", {}, 503),
    ("GET", "/catalog.ttl", {}, 503),
    ("GET", "/.well-known/void", {}, 503),
    ("GET", "/telechargements", {}, 503),
    ("GET", "/telechargements/bibliotheque.nq", {}, 503),
    ("GET", "/sitemap.xml", {}, 503),
]


def test_table_sizes() -> None:
    assert len(ERRORS) == 36 and len(NO_BUILD) == 9
    assert {s for *_, s in ERRORS} == {400, 403, 404, 405, 406, 413, 415}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    var = tmp_path_factory.mktemp("var-errors")
    servers.write_build(var, servers.BASE, "errors-1")
    with TestClient(create_app(servers.make_settings(var, query_workers=1)), follow_redirects=False) as test:
        yield test


@pytest.fixture(scope="module")
def empty_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    var = tmp_path_factory.mktemp("var-empty")
    with TestClient(create_app(servers.make_settings(var, query_workers=1)), follow_redirects=False) as test:
        yield test


def _assert_json_error(response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and len(body["error"]) > 10
    assert "Traceback" not in body["error"] and 'File "' not in body["error"]
    assert "Accept" in response.headers.get("vary", "")


def _assert_html_error(response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in response.text and f"Erreur {status}" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), ERRORS)
def test_json_error_shape(client: TestClient, method: str, path: str, kwargs: dict, status: int) -> None:
    headers = {"Accept": PROGRAM, **kwargs.get("headers", {})}
    _assert_json_error(client.request(method, path, **{**kwargs, "headers": headers}), status)


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [e for e in ERRORS if e[3] != 406])
def test_french_html_error_page(client: TestClient, method: str, path: str, kwargs: dict, status: int) -> None:
    headers = {**kwargs.get("headers", {}), "Accept": BROWSER}
    _assert_html_error(client.request(method, path, **{**kwargs, "headers": headers}), status)


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), NO_BUILD)
def test_no_build_is_503_in_both_shapes(empty_client: TestClient, method: str, path: str, kwargs: dict,
                                        status: int) -> None:
    _assert_json_error(empty_client.request(method, path, **{**kwargs, "headers": {"Accept": PROGRAM}}), status)
    _assert_html_error(empty_client.request(method, path, **{**kwargs, "headers": {"Accept": BROWSER}}), status)


class _BrokenStore:
    """A store whose every call fails with an unexpected exception (a bug, not a ServiceError)."""

    def execute(self, job):
        raise RuntimeError("secret internal detail /etc/passwd")

    def build(self):
        raise RuntimeError("secret internal detail /etc/passwd")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/doc/cas-usage/aide-au-tri-des-demandes.ttl",
                                  "/cas-usage", "/catalog.ttl", "/telechargements"])
def test_internal_error_is_500_without_traceback(tmp_path: Path, path: str) -> None:
    app = create_app(servers.make_settings(tmp_path), store=_BrokenStore())
    app.dependency_overrides[get_store] = lambda: _BrokenStore()
    with TestClient(app, raise_server_exceptions=False) as broken:
        for accept, check in ((PROGRAM, _assert_json_error), (BROWSER, _assert_html_error)):
            response = broken.get(path, headers={"Accept": accept})
            check(response, 500)
            assert "secret internal detail" not in response.text and "RuntimeError" not in response.text
