"""Contract: every error a program receives has the one JSON shape {"ok": false, "error": msg, "status": n}.

Browsers (Accept: text/html) get error.html with the same status instead. One deliberate exception: a
withdrawn record answers 410 with its own document (RDF or HTML), as DWBP BP27 asks (test_resources).
"""

from __future__ import annotations

import pytest

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
ERRORS = [
    # (method, path, kwargs, status)
    ("GET", "/sparql", {"params": {"query": "SELECT ?x WHERE {"}}, 400),
    ("GET", "/sparql", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("POST", "/sparql", {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("GET", "/sparql", {"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}}, 403),
    ("GET", "/id/cas-usage/inconnu", {}, 404),
    ("GET", "/doc/cas-usage/inconnu.ttl", {}, 404),
    ("GET", "/nulle-part", {}, 404),
    ("PUT", "/sparql", {}, 405),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
    ("GET", "/doc/cas-usage/aide-au-tri-des-demandes", {"headers": {"Accept": "image/png"}}, 406),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "pdf"}}, 406),
    ("POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
]


def test_error_table_size() -> None:
    assert len(ERRORS) == 12


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), ERRORS)
def test_json_error_shape(client, method: str, path: str, kwargs: dict, status: int) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and len(body["error"]) > 10
    assert "Traceback" not in body["error"]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), ERRORS)
def test_html_error_page_for_browsers(client, method: str, path: str, kwargs: dict, status: int) -> None:
    headers = {**kwargs.get("headers", {})}
    if status != 406:
        headers["Accept"] = BROWSER
    response = client.request(method, path, **{**kwargs, "headers": headers})
    assert response.status_code == status
    if status == 406:  # the client refused HTML too: JSON it is
        return
    assert response.headers["content-type"].startswith("text/html")
    assert f"Erreur {status}" in response.text and '<html lang="fr">' in response.text
