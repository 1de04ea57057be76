"""The VoID description (``/.well-known/void``, W3C "Describing Linked Datasets with the VoID Vocabulary").

Pure: the counts come from ``STATS_QUERY`` / ``GRAPH_STATS_QUERY`` / ``VOCABULARY_QUERY`` rows that the
route runs once per build; the manifest gives the triples per graph and the dump files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")

# whole union: distinct subjects, objects, properties, classes and typed IRI entities
STATS_QUERY = """SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?p) AS ?properties) WHERE { ?s ?p ?o }"""
ENTITIES_QUERY = """SELECT (COUNT(DISTINCT ?s) AS ?entities) (COUNT(DISTINCT ?c) AS ?classes)
WHERE { ?s a ?c FILTER(isIRI(?s)) }"""
GRAPH_STATS_QUERY = """SELECT ?g (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""
# predicates and classes used, to list the vocabularies (their namespaces)
VOCABULARY_QUERY = """SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }"""

DUMP_FORMATS = {
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/n-quads": FORMATS["N-Quads"],
    "application/trig": FORMATS.TriG,
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
}


def namespace_of(iri: str) -> str:
    """The vocabulary namespace of a term: up to and including the last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def void_graph(
    manifest: Mapping[str, Any],
    base_url: str,
    stats: Mapping[str, str] | None = None,
    graph_stats: Iterable[Mapping[str, str]] = (),
    terms: Iterable[str] = (),
) -> Graph:
    """The VoID graph of a build: one void:Dataset, one void:subset per named graph."""
    g = Graph()
    for prefix, ns in (("void", VOID), ("dct", DCTERMS), ("foaf", FOAF), ("sd", SD), ("formats", FORMATS)):
        g.bind(prefix, ns)
    doc = f"{base_url}.well-known/void"
    ds = URIRef(f"{doc}#ia-territoriales")
    g.add((URIRef(doc), RDF.type, VOID.DatasetDescription))
    g.add((URIRef(doc), FOAF.primaryTopic, ds))
    g.add((URIRef(doc), DCTERMS.title, Literal("Description VoID de la bibliothèque d'IA territoriales", lang="fr")))
    g.add((URIRef(doc), DCTERMS.title, Literal("VoID description of the library of local-government AI", lang="en")))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("Bibliothèque d'IA territoriales", lang="fr")))
    g.add((ds, DCTERMS.title, Literal("Library of local-government AI", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Cas d'usage d'IA des collectivités, nomenclature, formes SHACL et registres importés, en RDF. "
        "Le graphe par défaut du point d'accès SPARQL est l'union des graphes nommés (un sous-ensemble chacun).",
        lang="fr")))
    g.add((ds, DCTERMS.description, Literal(
        "AI use cases of local authorities, nomenclature, SHACL shapes and imported registers, in RDF. The "
        "SPARQL endpoint's default graph is the union of the named graphs (one subset each).", lang="en")))
    g.add((ds, DCTERMS.license, LICENCE_OUVERTE))
    g.add((ds, FOAF.homepage, URIRef(base_url)))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base_url}catalog.ttl")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base_url}sparql")))
    g.add((ds, VOID.uriSpace, Literal(f"{base_url}id/")))
    if manifest.get("created"):
        g.add((ds, DCTERMS.modified, Literal(str(manifest["created"]), datatype=XSD.dateTime)))
    triples = manifest.get("triples") or {}
    if _int(triples.get("distinct_triples")) is not None:
        g.add((ds, VOID.triples, Literal(_int(triples["distinct_triples"]), datatype=XSD.integer)))
    for key, prop in (("subjects", VOID.distinctSubjects), ("objects", VOID.distinctObjects),
                      ("properties", VOID.properties), ("classes", VOID.classes), ("entities", VOID.entities)):
        value = _int((stats or {}).get(key))
        if value is not None:
            g.add((ds, prop, Literal(value, datatype=XSD.integer)))
    for namespace in sorted({namespace_of(t) for t in terms if t.startswith(("http://", "https://"))}):
        g.add((ds, VOID.vocabulary, URIRef(namespace)))
    files = [f for f in manifest.get("files") or [] if isinstance(f, Mapping) and f.get("name")]
    for entry in files:
        fmt = DUMP_FORMATS.get(str(entry.get("media_type")))
        if fmt is None:
            continue
        url = URIRef(f"{base_url}telechargements/{entry['name']}")
        if entry.get("graph") is None:
            g.add((ds, VOID.dataDump, url))
            g.add((ds, VOID.feature, fmt))
    per_graph = {row["g"]: row for row in graph_stats if row.get("g")}
    for name, info in sorted((manifest.get("graphs") or {}).items()):
        info = info if isinstance(info, Mapping) else {}
        iri = str(info.get("iri") or f"{base_url}graphe/{name}")
        subset = URIRef(f"{doc}#graphe-{name}")
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(f"Graphe nommé « {name} »", lang="fr")))
        g.add((subset, DCTERMS.title, Literal(f"Named graph “{name}”", lang="en")))
        g.add((subset, SD.name, URIRef(iri)))
        g.add((subset, VOID.sparqlEndpoint, URIRef(f"{base_url}sparql")))
        if _int(info.get("triples")) is not None:
            g.add((subset, VOID.triples, Literal(_int(info["triples"]), datatype=XSD.integer)))
        row = per_graph.get(iri, {})
        for key, prop in (("subjects", VOID.distinctSubjects), ("objects", VOID.distinctObjects)):
            if _int(row.get(key)) is not None:
                g.add((subset, prop, Literal(_int(row[key]), datatype=XSD.integer)))
        for entry in files:
            if entry.get("graph") == name and entry.get("media_type") in DUMP_FORMATS:
                g.add((subset, VOID.dataDump, URIRef(f"{base_url}telechargements/{entry['name']}")))
    return g
