"""Dereferenceable IRIs: 303 to documents, formats by Accept and suffix, alternates, caching, errors."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph

from endpoint.servers import BASE

UC = "cas-usage/aide-au-tri-des-demandes"
UC_IRI = f"{BASE}id/{UC}"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORMATS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


def media(response) -> str:
    return response.headers["content-type"].split(";")[0]


def triples(response, rdf_format: ox.RdfFormat) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(response.content, format=rdf_format)]


@pytest.mark.parametrize("accept", ["text/turtle", BROWSER, "application/ld+json", None])
def test_thing_iri_answers_303_to_its_document(client, accept) -> None:
    response = client.get(f"/id/{UC}", headers={"Accept": accept} if accept else {})
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}doc/{UC}"  # the public base URL, not the request host
    assert "Accept" in response.headers["vary"]


def test_head_on_thing_and_document(client) -> None:
    assert client.head(f"/id/{UC}").status_code == 303
    response = client.head(f"/doc/{UC}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and media(response) == "text/turtle" and response.content == b""


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_document_by_accept_and_by_suffix(client, suffix: str) -> None:
    media_type, rdf_format = FORMATS[suffix]
    by_accept = client.get(f"/doc/{UC}", headers={"Accept": media_type})
    by_suffix = client.get(f"/doc/{UC}.{suffix}", headers={"Accept": "text/html"})  # the suffix wins
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert by_accept.headers["content-location"] == f"{BASE}doc/{UC}.{suffix}"
    assert set(triples(by_accept, rdf_format)) == set(triples(by_suffix, rdf_format))


def test_document_contents(client) -> None:
    graph = triples(client.get(f"/doc/{UC}.nt"), ox.RdfFormat.N_TRIPLES)
    subjects = {t.subject.value for t in graph}
    # its own triples and those of its hash parts, two levels deep (risk -> mitigation)
    assert UC_IRI in subjects
    assert {f"{UC_IRI}#contact", f"{UC_IRI}#risque-1", f"{UC_IRI}#mesure-1", f"{UC_IRI}#impact-metier-1"} <= subjects
    # the labels of what it links to, so a client can show it without further requests
    labels = {(t.subject.value, t.object.value) for t in graph if t.predicate.value.endswith("prefLabel")}
    assert (f"{BASE}id/organisation/villeneuve-sur-exemple", "Commune de Villeneuve-sur-Exemple") in labels
    assert ("https://w3id.org/ia-territoriales/nomenclature/domaines/action-sociale", "Action sociale") in labels
    # and nothing else: not the other use cases of the same organisation
    assert f"{BASE}id/cas-usage/orientation-des-demandes-de-logement" not in subjects


def test_jsonld_uses_the_published_context(client) -> None:
    response = client.get(f"/doc/{UC}", headers={"Accept": "application/ld+json"})
    assert media(response) == "application/ld+json"
    body = response.json()
    assert body["@context"] == f"{BASE}context.jsonld"
    context = client.get("/context.jsonld")
    assert context.status_code == 200 and media(context) == "application/ld+json"
    assert context.json()["@context"]["dct"] == "http://purl.org/dc/terms/"
    # the same graph as Turtle once the context is resolved
    body["@context"] = context.json()["@context"]
    from_jsonld = Graph().parse(data=json.dumps(body), format="json-ld")
    from_turtle = Graph().parse(data=client.get(f"/doc/{UC}.ttl").text, format="turtle")
    assert len(from_jsonld) == len(from_turtle) > 30
    assert set(from_jsonld) == set(from_turtle)
    assert client.head("/context.jsonld").status_code == 200


def test_html_document(client) -> None:
    response = client.get(f"/doc/{UC}", headers={"Accept": BROWSER})
    assert response.status_code == 200 and media(response) == "text/html"
    html = response.text
    assert "<h1>Aide au tri des demandes d&#39;aide sociale</h1>" in html
    assert 'href="/doc/organisation/villeneuve-sur-exemple"' in html  # links to our own documents
    assert "Commune de Villeneuve-sur-Exemple" in html  # shown by its label
    assert 'id="risque-1"' in html  # parts are sections of the same page
    for suffix, (media_type, _) in FORMATS.items():
        assert f'<link rel="alternate" type="{media_type}" href="{BASE}doc/{UC}.{suffix}"' in html
    assert client.get(f"/doc/{UC}.html").text == html


def test_link_and_vary_headers(client) -> None:
    response = client.get(f"/doc/{UC}", headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["vary"]
    link = response.headers["link"]
    for ext, media_type in [("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                            ("rdf", "application/rdf+xml"), ("nt", "application/n-triples")]:
        assert f'<{BASE}doc/{UC}.{ext}>; rel="alternate"; type="{media_type}"' in link


def test_etag_and_last_modified_give_304(client) -> None:
    first = client.get(f"/doc/{UC}.ttl")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    again = client.get(f"/doc/{UC}.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(f"/doc/{UC}.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(f"/doc/{UC}.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    # one ETag per representation
    assert client.get(f"/doc/{UC}.nt").headers["etag"] != etag


def test_unknown_iri_is_404_html_for_browsers_json_for_programs(client) -> None:
    browser = client.get("/id/cas-usage/n-existe-pas", headers={"Accept": BROWSER})
    assert browser.status_code == 404 and media(browser) == "text/html"
    assert "introuvable" in browser.text.lower()
    program = client.get("/doc/cas-usage/n-existe-pas", headers={"Accept": "text/turtle"})
    assert program.status_code == 404
    assert program.json() == {"ok": False, "status": 404, "error": program.json()["error"]}
    assert client.get("/page/inconnue", headers={"Accept": BROWSER}).status_code == 404


def test_unserved_format_is_406(client) -> None:
    response = client.get(f"/doc/{UC}", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["status"] == 406


def test_withdrawn_record_is_410(client) -> None:
    rdf = client.get("/doc/cas-usage/projet-retire", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 410
    assert any(t.predicate.value.endswith("#deprecated") for t in triples(rdf, ox.RdfFormat.TURTLE))
    html = client.get("/doc/cas-usage/projet-retire", headers={"Accept": BROWSER})
    assert html.status_code == 410 and "retirée" in html.text


def test_replaced_record_is_301_to_the_new_one(client) -> None:
    thing = client.get("/id/cas-usage/ancien-nom-du-tri")
    assert thing.status_code == 301 and thing.headers["location"] == f"{BASE}doc/{UC}"
    doc = client.get("/doc/cas-usage/ancien-nom-du-tri.ttl")
    assert doc.status_code == 301 and doc.headers["location"] == f"{BASE}doc/{UC}.ttl"


def test_location_is_percent_encoded(client) -> None:
    response = client.get("/id/territoire/commune-%C3%A9t%C3%A9")
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}doc/territoire/commune-%C3%A9t%C3%A9"
    document = client.get(response.headers["location"].removeprefix(BASE.rstrip("/")), headers={"Accept": "text/turtle"})
    assert document.status_code == 200
    assert any(t.subject.value == f"{BASE}id/territoire/commune-été" for t in triples(document, ox.RdfFormat.TURTLE))


def test_ontology_document_holds_its_hash_iris(client) -> None:
    response = client.get("/def", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and "Accept" in response.headers["vary"]
    subjects = {t.subject.value for t in triples(response, ox.RdfFormat.TURTLE)}
    assert {"https://w3id.org/ia-territoriales/def", "https://w3id.org/ia-territoriales/def#UseCase",
            "https://w3id.org/ia-territoriales/def#domain"} <= subjects
    assert not any("nomenclature" in s for s in subjects)
    assert client.get("/def.ttl").status_code == 200
    html = client.get("/def", headers={"Accept": BROWSER})
    assert media(html) == "text/html" and 'id="UseCase"' in html.text


def test_nomenclature_scheme_and_concept(client) -> None:
    scheme = client.get("/nomenclature/domaines.ttl")
    assert scheme.status_code == 200
    graph = triples(scheme, ox.RdfFormat.TURTLE)
    members = {t.subject.value for t in graph if t.predicate.value.endswith("inScheme")}
    assert "https://w3id.org/ia-territoriales/nomenclature/domaines/action-sociale" in members
    concept = client.get("/nomenclature/domaines/action-sociale", headers={"Accept": "application/n-triples"})
    assert concept.status_code == 200
    labels = {t.object.value for t in triples(concept, ox.RdfFormat.N_TRIPLES) if t.predicate.value.endswith("prefLabel")}
    assert {"Action sociale", "Social services"} <= labels
    assert client.get("/nomenclature/domaines/inconnu").status_code == 404
    html = client.get("/nomenclature/domaines.html").text  # the scheme page lists its concepts
    assert "Action sociale" in html and "Eau et assainissement" in html


def test_shapes_document(client) -> None:
    response = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    subjects = {t.subject.value for t in triples(response, ox.RdfFormat.TURTLE)}
    assert "https://w3id.org/ia-territoriales/shapes#UseCaseShape" in subjects


def test_linked_vocabulary_iris_point_to_local_documents(client) -> None:
    html = client.get(f"/doc/{UC}.html").text
    assert 'href="/nomenclature/domaines/action-sociale"' in html
