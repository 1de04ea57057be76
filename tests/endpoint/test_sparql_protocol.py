"""SPARQL 1.1 Protocol, query side, against the embedded store and a real oxigraph server."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from endpoint.servers import BASE

SELECT = "PREFIX iat: <https://w3id.org/ia-territoriales/def#> SELECT ?cas WHERE { ?cas a iat:UseCase } ORDER BY ?cas"
CONSTRUCT = (
    "PREFIX iat: <https://w3id.org/ia-territoriales/def#> "
    "CONSTRUCT { ?cas a iat:UseCase } WHERE { ?cas a iat:UseCase }"
)
ASK = "ASK { ?s ?p ?o }"
USE_CASES = 7  # in tests/endpoint/fixtures/bibliotheque.trig, all graphs together
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}


def media(response) -> str:
    return response.headers["content-type"].split(";")[0]


def rows(response) -> list[dict]:
    assert media(response) == "application/sparql-results+json", response.text
    return response.json()["results"]["bindings"]


def test_get_select_default_is_sparql_json(client) -> None:
    response = client.get("/sparql", params={"query": SELECT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert len(rows(response)) == USE_CASES
    assert "Accept" in response.headers["vary"]


def test_default_graph_is_the_union_of_named_graphs(client) -> None:
    graphs = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    names = {r["g"]["value"] for r in rows(graphs)}
    assert {f"{BASE}graphe/bibliotheque", f"{BASE}graphe/pstw", f"{BASE}graphe/nomenclature"} <= names
    # a plain query with no GRAPH sees the data of every graph
    every = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    in_graphs = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert int(rows(every)[0]["n"]["value"]) == int(rows(in_graphs)[0]["n"]["value"]) > 100


def test_post_form(client) -> None:
    response = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert len(rows(response)) == USE_CASES


def test_post_direct(client) -> None:
    response = client.post(
        "/sparql",
        content=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert len(rows(response)) == USE_CASES


@pytest.mark.parametrize("accept", sorted(RESULT_TYPES))
def test_select_in_every_result_format(client, accept: str) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert media(response) == accept
    text = response.text
    if accept.endswith("json"):
        assert len(json.loads(text)["results"]["bindings"]) == USE_CASES
    elif accept.endswith("xml"):
        root = ET.fromstring(text)
        assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == USE_CASES
    elif accept == "text/csv":
        table = list(csv.reader(io.StringIO(text)))
        assert table[0] == ["cas"] and len(table) == USE_CASES + 1
        assert text.endswith("\r\n")
    else:
        lines = text.strip().split("\n")
        assert lines[0] == "?cas" and len(lines) == USE_CASES + 1
        assert lines[1].startswith("<http")


def test_literals_in_json_and_tsv(client) -> None:
    query = 'SELECT ?t WHERE { <http://iat.test/id/cas-usage/aide-au-tri-des-demandes> <http://purl.org/dc/terms/title> ?t FILTER(LANG(?t) = "fr") }'
    [binding] = rows(client.get("/sparql", params={"query": query}))
    assert binding["t"] == {"type": "literal", "value": "Aide au tri des demandes d'aide sociale", "xml:lang": "fr"}
    tsv = client.get("/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"})
    assert tsv.text.split("\n")[1] == '"Aide au tri des demandes d\'aide sociale"@fr'
    typed = rows(client.get("/sparql", params={"query": "SELECT (40 + 2 AS ?n) WHERE {}"}))
    assert typed[0]["n"] == {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", '"boolean":true'),
        ("application/sparql-results+xml", "<boolean>true</boolean>"),
        ("text/csv", "true"),
        ("text/tab-separated-values", "true"),
    ],
)
def test_ask(client, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == accept
    assert expected in response.text.replace(" ", "")


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_construct_in_every_graph_format(client, accept: str, rdf_format: ox.RdfFormat) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == accept
    triples = list(ox.parse(response.content, format=rdf_format))
    assert len(triples) == USE_CASES


def test_describe(client) -> None:
    query = f"DESCRIBE <{BASE}id/cas-usage/aide-au-tri-des-demandes>"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and media(response) == "text/turtle"
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    assert any(t.predicate.value == "http://purl.org/dc/terms/title" for t in triples)


def test_combined_accept_header_serves_each_query_form(client) -> None:
    accept = "application/sparql-results+json,text/turtle"
    select = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    construct = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert media(select) == "application/sparql-results+json"
    assert media(construct) == "text/turtle"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
     ("csv", "text/csv"), ("tsv", "text/tab-separated-values")],
)
def test_format_parameter_overrides_accept(client, fmt: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": fmt}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and media(response) == expected


def test_format_parameter_for_graphs(client) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": "json"})
    assert media(response) == "application/ld+json"
    response = client.get("/sparql", params={"query": CONSTRUCT, "output": "xml"})
    assert media(response) == "application/rdf+xml"


def test_dataset_default_graph_uri(client) -> None:
    params = {"query": SELECT, "default-graph-uri": f"{BASE}graphe/pstw"}
    assert [r["cas"]["value"] for r in rows(client.get("/sparql", params=params))] == [f"{BASE}id/cas-usage/pstw-9001"]


def test_dataset_two_default_graphs_are_merged(client) -> None:
    params = [("query", SELECT), ("default-graph-uri", f"{BASE}graphe/pstw"),
              ("default-graph-uri", f"{BASE}graphe/nl-algoritmeregister")]
    assert len(rows(client.get("/sparql", params=params))) == 2


def test_dataset_named_graph_uri(client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = [("query", query), ("named-graph-uri", f"{BASE}graphe/pstw")]
    assert [r["g"]["value"] for r in rows(client.get("/sparql", params=params))] == [f"{BASE}graphe/pstw"]
    # only named graphs given: the default graph is empty
    params = [("query", SELECT), ("named-graph-uri", f"{BASE}graphe/pstw")]
    assert rows(client.get("/sparql", params=params)) == []


def test_dataset_parameters_in_a_form_post(client) -> None:
    response = client.post("/sparql", data={"query": SELECT, "default-graph-uri": f"{BASE}graphe/nl-algoritmeregister"})
    assert [r["cas"]["value"] for r in rows(response)] == [f"{BASE}id/cas-usage/nl-0001"]


def test_from_clause_in_the_query_is_honoured(client) -> None:
    query = f"PREFIX iat: <https://w3id.org/ia-territoriales/def#> SELECT ?cas FROM <{BASE}graphe/pstw> WHERE {{ ?cas a iat:UseCase }}"
    assert len(rows(client.get("/sparql", params={"query": query}))) == 1


# ---- errors a client can act on ------------------------------------------------------------------


def assert_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    return body["error"]


def test_syntax_error_is_400_with_parser_message(client) -> None:
    message = assert_error(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "}), 400)
    assert "syntaxe" in message.lower()
    assert "expected" in message or "error" in message.lower()  # the parser's own words are passed on


def test_two_queries_is_400(client) -> None:
    assert_error(client.get("/sparql", params=[("query", SELECT), ("query", ASK)]), 400)
    assert_error(client.post("/sparql?query=ASK%7B%7D", data={"query": ASK}), 400)
    assert_error(
        client.post("/sparql?query=ASK%7B%7D", content=ASK, headers={"Content-Type": "application/sparql-query"}), 400
    )


def test_empty_query_is_400(client) -> None:
    assert_error(client.get("/sparql", params={"query": "  "}), 400)


def test_wrong_method_is_405(client) -> None:
    assert_error(client.put("/sparql", content=SELECT), 405)
    assert_error(client.delete("/sparql"), 405)


def test_wrong_media_type_is_415(client) -> None:
    assert_error(client.post("/sparql", content=SELECT, headers={"Content-Type": "text/plain"}), 415)
    assert_error(client.post("/sparql", content=SELECT), 415)


def test_non_utf8_bodies_are_400(client) -> None:
    body = "SELECT * WHERE { ?s ?p \"é\" }".encode("latin-1")
    assert_error(client.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"}), 400)
    assert_error(
        client.post("/sparql", content=b"query=ASK%7B%E9%7D", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        400,
    )
    assert_error(client.get("/sparql?query=ASK%7B%E9%7D"), 400)


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <http://a> <http://b> <http://c> }", "PREFIX x: <http://x/>\n# comment\nDELETE WHERE { ?s ?p ?o }",
     "CLEAR ALL", "LOAD <http://example.org/data.ttl>", "DROP GRAPH <http://iat.test/graphe/pstw>"],
)
def test_updates_are_refused(client, update: str) -> None:
    message = assert_error(client.get("/sparql", params={"query": update}), 403)
    assert "lecture seule" in message
    assert_error(client.post("/sparql", data={"update": update}), 403)
    assert_error(client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}), 403)
    still_there = client.get("/sparql", params={"query": SELECT})
    assert len(rows(still_there)) == USE_CASES


def test_unacceptable_format_is_406(client) -> None:
    assert_error(client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"}), 406)
    assert_error(client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}), 406)
    assert_error(client.get("/sparql", params={"query": SELECT, "format": "pdf"}), 406)


# ---- CORS, HEAD, service description, editor ---------------------------------------------------------


def test_cors(client) -> None:
    response = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://notebook.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://notebook.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_head(client) -> None:
    response = client.head("/sparql", params={"query": SELECT})
    assert response.status_code == 200 and media(response) == "application/sparql-results+json"
    assert response.content == b""
    assert client.head("/sparql").status_code == 200


SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(("accept", "rdf_format"), [("text/turtle", ox.RdfFormat.TURTLE), ("*/*", ox.RdfFormat.TURTLE),
                                                    (None, ox.RdfFormat.TURTLE),
                                                    ("application/ld+json", ox.RdfFormat.JSON_LD),
                                                    ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_service_description(client, accept: str | None, rdf_format: ox.RdfFormat) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200
    store = ox.Store()
    store.load(response.content, format=rdf_format)
    service = ox.NamedNode(f"{BASE}sparql#service")
    def objects(p: str) -> set[str]:
        return {q.object.value for q in store.quads_for_pattern(service, ox.NamedNode(SD + p), None)}
    assert objects("endpoint") == {f"{BASE}sparql"}
    assert f"{SD}SPARQL11Query" in objects("supportedLanguage")
    assert f"{SD}UnionDefaultGraph" in objects("feature")
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in objects("resultFormat")
    assert len(objects("resultFormat")) == 8
    see_also = {q.object.value for q in store.quads_for_pattern(service, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), None)}
    assert f"{BASE}.well-known/void" in see_also
    names = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(SD + "name"), None)}
    assert f"{BASE}graphe/bibliotheque" in names


def test_editor_for_browsers(client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and media(response) == "text/html"
    html = response.text
    assert '<html lang="fr">' in html and 'href="#contenu"' in html
    assert "PREFIX iat: &lt;https://w3id.org/ia-territoriales/def#&gt;" in html  # prefixes prefilled
    assert 'value="cas-par-domaine"' in html  # the examples of queries/ to pick
    assert "/static/sparql.js" in html
    assert 'src="http' not in html and 'href="http' not in html  # nothing loaded from elsewhere
    for script_or_style in ("cdn", "googleapis", "unpkg", "jsdelivr"):
        assert script_or_style not in html
    for fmt in ("csv", "tsv", "xml", "json", "turtle", "n-triples", "rdf+xml", "json-ld"):
        assert f'data-format="{fmt}"' in html
    assert client.get("/static/sparql.js").status_code == 200
    assert client.head("/static/style.css").status_code == 200
