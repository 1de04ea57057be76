"""The query timeout and the result cap are enforced: a runaway query gets an error, never a hung worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endpoint.servers import make_settings
from sparql_endpoint.app import create_app

# Five independent triple patterns over ~250 triples: ~10^12 solutions, hours of work for any engine.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p }"
SEVEN = "PREFIX iat: <https://w3id.org/ia-territoriales/def#> SELECT ?cas WHERE { ?cas a iat:UseCase }"


@pytest.fixture
def limited(store_kind: str, var_dir: Path, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    url = request.getfixturevalue("oxigraph_url") if store_kind == "remote" else None
    settings = make_settings(var_dir, url, query_timeout=1.0, result_limit=5, query_workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child that was reaped is gone; a zombie would still answer kill(0)
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_runaway_query_is_stopped(limited: TestClient, store_kind: str) -> None:
    pool = getattr(limited.app.state.store, "_pool", None)
    before = pool.pids() if pool else []
    response = limited.get("/sparql", params={"query": RUNAWAY})
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == 503 and "durée maximale de 1 s" in body["error"]
    if pool is not None:  # embedded: the worker that ran it was killed and replaced
        assert not any(alive(pid) for pid in before)
        after = pool.pids()
        assert len(after) == 1 and after != before
    # the service still answers
    ok = limited.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_result_cap_on_rows(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": SEVEN})
    assert response.status_code == 400
    assert "limite de 5 lignes" in response.json()["error"] and "LIMIT" in response.json()["error"]
    capped = limited.get("/sparql", params={"query": SEVEN + " LIMIT 5"})
    assert capped.status_code == 200 and len(capped.json()["results"]["bindings"]) == 5


def test_result_cap_on_triples(limited: TestClient) -> None:
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    response = limited.get("/sparql", params={"query": construct}, headers={"Accept": "text/turtle"})
    assert response.status_code == 400 and "triplets" in response.json()["error"]


def test_documents_are_not_cut_by_the_sparql_row_cap(limited: TestClient) -> None:
    response = limited.get("/doc/cas-usage/aide-au-tri-des-demandes.nt")
    assert response.status_code == 200 and response.text.count("\n") > 5
