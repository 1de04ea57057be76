"""Web standards on every negotiated or text response: W3C Cool URIs (303, hash IRIs), ``Vary: Accept``,
``charset=utf-8`` on text, ``Link: rel=alternate`` headers that lead to what they announce, JSON-LD that
is the same graph as the Turtle, HEAD identical to GET without a body, and the CORS preflight of /sparql.
Runs against both stores ([embedded] and [remote])."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

BASE = "http://iat.test/"
UC = "cas-usage/aide-au-tri-des-demandes"
# application/json is left out: RFC 8259 defines no charset parameter for it (JSON is UTF-8 by definition).
TEXT_TYPES = ("text/", "application/n-triples", "application/ld+json", "application/sparql-results+",
              "application/rdf+xml", "application/xml")
NEGOTIATED = [  # (path, params, Accept): responses whose body depends on Accept
    ("/sparql", {}, "text/turtle"),
    ("/sparql", {}, "text/html"),
    ("/sparql", {"query": "ASK {}"}, "text/csv"),
    ("/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}, "application/n-triples"),
    (f"/id/{UC}", {}, "text/turtle"),
    (f"/doc/{UC}", {}, "application/ld+json"),
    (f"/doc/{UC}", {}, "text/html"),
    ("/def", {}, "text/turtle"),
    ("/nomenclature/domaines", {}, "application/rdf+xml"),
    ("/nomenclature/domaines/action-sociale", {}, "text/turtle"),
]
GET_URLS = [
    "/", "/sparql", "/sparql?query=ASK%7B%7D", f"/id/{UC}", f"/doc/{UC}", f"/doc/{UC}.ttl", f"/doc/{UC}.jsonld",
    "/def", "/shapes.ttl", "/nomenclature/domaines", "/context.jsonld", "/cas-usage", "/cas-usage.json",
    "/cas-usage.csv", "/statistiques", "/nomenclature", "/robots.txt", "/doc/cas-usage/n-existe-pas",
]
IGNORED_HEADERS = {"date", "content-length", "server"}


def test_table_sizes() -> None:
    assert len(NEGOTIATED) == 10 and len(GET_URLS) == 18


@pytest.mark.parametrize(("path", "params", "accept"), NEGOTIATED)
def test_negotiated_responses_vary_on_accept(client, path: str, params: dict, accept: str) -> None:
    response = client.get(path, params=params, headers={"Accept": accept})
    assert response.status_code in (200, 303), response.text[:300]
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("url", GET_URLS)
def test_text_responses_declare_utf8(client, url: str) -> None:
    response = client.get(url)
    content_type = response.headers.get("content-type")
    if content_type is None:  # a redirect without body
        assert response.status_code == 303
        return
    if content_type.startswith(TEXT_TYPES):
        assert "charset=utf-8" in content_type.replace(" ", "").lower(), (url, content_type)


@pytest.mark.parametrize("url", GET_URLS)
def test_head_is_get_without_body(client, url: str) -> None:
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code
    assert head.content == b""
    strip = {k: v for k, v in get.headers.items() if k not in IGNORED_HEADERS}
    assert {k: v for k, v in head.headers.items() if k not in IGNORED_HEADERS} == strip


def _links(header: str) -> list[tuple[str, str]]:
    return re.findall(r'<([^>]+)>;\s*rel="alternate";\s*type="([^"]+)"', header)


@pytest.mark.parametrize("path", [f"/doc/{UC}", "/def", "/nomenclature/domaines/action-sociale", "/cas-usage"])
def test_link_alternates_lead_to_what_they_announce(client, path: str) -> None:
    links = _links(client.get(path).headers["link"])
    assert len(links) >= 2
    for url, media_type in links:
        assert url.startswith(BASE)
        followed = client.get("/" + url.removeprefix(BASE))
        assert followed.status_code == 200, url
        assert followed.headers["content-type"].split(";")[0] == media_type, url


def test_hash_iri_of_a_part_resolves_to_its_parent_document(client) -> None:
    """HTTP sends no fragment: ``…#risque-1`` is read in the document of its parent, which describes it."""
    response = client.get(f"/id/{UC}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and response.headers["location"] == f"{BASE}doc/{UC}"
    graph = Graph().parse(data=client.get(f"/doc/{UC}.ttl").text, format="turtle")
    part = f"{BASE}id/{UC}#risque-1"
    assert any(str(s) == part for s in graph.subjects())


@pytest.mark.parametrize("path", [f"/doc/{UC}", "/def", "/nomenclature/domaines/action-sociale"])
def test_jsonld_is_the_same_graph_as_turtle(client, path: str) -> None:
    """The JSON-LD 1.1 document, read with its published @context, gives exactly the Turtle graph."""
    context = client.get("/context.jsonld").json()
    document = client.get(path, headers={"Accept": "application/ld+json"})
    assert document.headers["content-type"].split(";")[0] == "application/ld+json"
    data = document.json()
    assert data["@context"] == f"{BASE}context.jsonld"
    data["@context"] = context["@context"]  # offline: the same context, inlined
    from_jsonld = Graph().parse(data=json.dumps(data), format="json-ld")
    from_turtle = Graph().parse(data=client.get(path, headers={"Accept": "text/turtle"}).text, format="turtle")
    assert len(from_turtle) > 3
    assert isomorphic(from_jsonld, from_turtle)


def test_cors_preflight_on_sparql(client) -> None:
    response = client.options("/sparql", headers={
        "Origin": "https://notebook.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://notebook.example")
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://notebook.example"})
    assert simple.headers["access-control-allow-origin"] in ("*", "https://notebook.example")
