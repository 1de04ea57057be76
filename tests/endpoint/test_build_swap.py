"""A new build swapped into var/current is noticed without restarting the service."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endpoint import servers
from sparql_endpoint import cli
from sparql_endpoint.app import create_app

COUNT = "PREFIX iat: <https://w3id.org/ia-territoriales/def#> SELECT (COUNT(?c) AS ?n) WHERE { ?c a iat:UseCase }"
EXTRA = """
@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
<graphe/bibliotheque> {
  <id/cas-usage/nouveau-cas> a iat:UseCase ; dct:title "Nouveau cas fictif"@fr .
  <id/cas-usage/aide-au-tri-des-demandes> dct:alternative "Titre court ajouté"@fr .
}
"""


def count(client: TestClient) -> int:
    return int(client.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"])


def test_new_build_is_served_without_restart(tmp_path: Path) -> None:
    servers.write_build(tmp_path, servers.BASE, "build-a")
    with TestClient(create_app(servers.make_settings(tmp_path)), follow_redirects=False) as client:
        assert count(client) == 7
        first = client.get("/doc/cas-usage/aide-au-tri-des-demandes.ttl")
        first_etag = first.headers["etag"]
        assert "Titre court ajouté" not in first.text
        servers.write_build(tmp_path, servers.BASE, "build-b", extra_trig=EXTRA)
        time.sleep(1.1)  # the service looks at var/current at most once a second
        assert count(client) == 8
        assert client.get("/id/cas-usage/nouveau-cas").status_code == 303
        again = client.get("/doc/cas-usage/aide-au-tri-des-demandes.ttl")  # not the cached document
        assert again.headers["etag"] != first_etag and "Titre court ajouté" in again.text


def test_no_build_is_a_clear_503(tmp_path: Path) -> None:
    with TestClient(create_app(servers.make_settings(tmp_path))) as client:
        response = client.get("/sparql", params={"query": "ASK {}"})
        assert response.status_code == 503
        assert "ia-territoriales build" in response.json()["error"]


def test_serve_without_build_says_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("IAT_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("IAT_SPARQL_URL", raising=False)
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.run(parser.parse_args(["--port", "1"])) == 2
    err = capsys.readouterr().err
    assert "Lancez d'abord « ia-territoriales build »" in err
