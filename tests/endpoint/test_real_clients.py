"""The real server (uvicorn in a subprocess, on loopback) queried by the clients people use."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper

from endpoint import servers
from endpoint.servers import BASE

pytestmark = pytest.mark.server

SELECT = "PREFIX iat: <https://w3id.org/ia-territoriales/def#> SELECT ?cas WHERE { ?cas a iat:UseCase } ORDER BY ?cas"
CONSTRUCT = "PREFIX iat: <https://w3id.org/ia-territoriales/def#> CONSTRUCT { ?cas a iat:UseCase } WHERE { ?cas a iat:UseCase }"
USE_CASES = 7


@pytest.fixture(scope="module")
def server(store_kind: str, var_dir: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    env = {"IAT_BASE_URL": BASE, "IAT_VAR_DIR": str(var_dir), "IAT_QUERIES_DIR": str(servers.REPO / "queries")}
    if store_kind == "remote":
        env["IAT_SPARQL_URL"] = request.getfixturevalue("oxigraph_url")
    process, url = servers.start_uvicorn(env)
    yield url
    servers.stop(process)


def wrapper(server: str, fmt: str, query: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{server}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(server: str, method: str) -> None:
    result = wrapper(server, JSON, SELECT, method).queryAndConvert()
    assert len(result["results"]["bindings"]) == USE_CASES


def test_sparqlwrapper_xml_csv_tsv(server: str) -> None:
    xml = wrapper(server, XML, SELECT).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == USE_CASES
    csv_text = wrapper(server, CSV, SELECT).queryAndConvert().decode()
    assert csv_text.splitlines()[0] == "cas" and len(csv_text.splitlines()) == USE_CASES + 1
    tsv_text = wrapper(server, TSV, SELECT).queryAndConvert().decode()  # sends format=tsv&format=text/...
    assert tsv_text.splitlines()[0] == "?cas"


def test_sparqlwrapper_ask(server: str) -> None:
    assert wrapper(server, JSON, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, XML, JSONLD])
def test_sparqlwrapper_construct(server: str, fmt: str) -> None:
    graph = wrapper(server, fmt, CONSTRUCT).queryAndConvert()
    if not isinstance(graph, Graph):  # TURTLE/N3 come back as bytes
        graph = Graph().parse(data=graph, format="turtle")
    assert len(graph) == USE_CASES


def test_rdflib_sparqlstore(server: str) -> None:
    graph = Graph(store=SPARQLStore(f"{server}/sparql"))
    rows = list(graph.query(SELECT))
    assert len(rows) == USE_CASES
    title = URIRef("http://purl.org/dc/terms/title")
    titles = set(graph.objects(URIRef(f"{BASE}id/cas-usage/aide-au-tri-des-demandes"), title))
    assert Literal("Aide au tri des demandes d'aide sociale", lang="fr") in titles
    assert (URIRef(f"{BASE}id/cas-usage/pstw-9001"), None, None) in graph


def test_pandas_read_csv(server: str) -> None:
    query = (
        "PREFIX iat: <https://w3id.org/ia-territoriales/def#> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?cas ?budget WHERE { ?cas a iat:UseCase OPTIONAL { ?cas iat:budget ?budget } } ORDER BY ?cas"
    )
    url = f"{server}/sparql?" + httpx.QueryParams({"query": query, "format": "csv"}).__str__()
    frame = pd.read_csv(url)
    assert list(frame.columns) == ["cas", "budget"] and len(frame) == USE_CASES
    assert frame["budget"].dropna().tolist() == [48000.0]
    # and from a POST with Accept, as a notebook would
    response = httpx.post(f"{server}/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert len(pd.read_csv(io.StringIO(response.text))) == USE_CASES


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s"}}, 400),
        ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"method": "POST", "content": b"ASK { \xe9 }", "headers": {"Content-Type": "application/sparql-query"}}, 400),
        ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 403),
        ({"method": "PATCH", "content": b""}, 405),
        ({"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "application/json"}}, 415),
        ({"method": "GET", "params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
    ],
)
def test_protocol_errors_over_http(server: str, request_kwargs: dict, status: int) -> None:
    kwargs = dict(request_kwargs)
    response = httpx.request(kwargs.pop("method"), f"{server}/sparql", **kwargs)
    assert response.status_code == status
    assert response.json()["status"] == status


def test_head_cors_and_redirect_over_http(server: str) -> None:
    head = httpx.head(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://x.example"})
    assert head.status_code == 200 and head.headers["access-control-allow-origin"] == "*"
    thing = httpx.get(f"{server}/id/cas-usage/aide-au-tri-des-demandes")
    assert thing.status_code == 303 and thing.headers["location"] == f"{BASE}doc/cas-usage/aide-au-tri-des-demandes"
