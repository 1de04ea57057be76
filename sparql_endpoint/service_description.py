"""The SPARQL 1.1 Service Description of ``/sparql`` (sd:Service), as RDF triples."""

from __future__ import annotations

import pyoxigraph as ox

from sparql_endpoint.settings import Settings
from sparql_endpoint.store import BuildInfo

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
VOID = "http://rdfs.org/ns/void#"

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
)


def service_description(settings: Settings, build: BuildInfo | None) -> list[ox.Triple]:
    base = settings.base_url
    service = ox.NamedNode(f"{base}sparql#service")
    dataset = ox.NamedNode(f"{base}sparql#dataset")
    default_graph = ox.NamedNode(f"{base}sparql#default-graph")

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    triples = [
        ox.Triple(service, RDF_TYPE, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), n(f"{base}sparql")),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, n(DCT + "title"), ox.Literal("Point d'accès SPARQL de la bibliothèque d'IA territoriales", language="fr")),
        ox.Triple(service, n(DCT + "title"), ox.Literal("SPARQL endpoint of the library of local-government AI", language="en")),
        ox.Triple(
            service,
            n(DCT + "description"),
            ox.Literal(
                f"Lecture seule. Durée maximale d'une requête : {settings.query_timeout:g} s ; "
                f"au plus {settings.result_limit} lignes ou triplets par résultat. "
                "Le graphe par défaut est l'union des graphes nommés.",
                language="fr",
            ),
        ),
        ox.Triple(
            service,
            n(DCT + "description"),
            ox.Literal(
                f"Read-only. Query timeout: {settings.query_timeout:g} s; at most {settings.result_limit} rows "
                "or triples per result. The default graph is the union of the named graphs.",
                language="en",
            ),
        ),
        ox.Triple(service, RDFS_SEE_ALSO, n(f"{base}.well-known/void")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, n(SD + "Dataset")),
        ox.Triple(dataset, RDFS_SEE_ALSO, n(f"{base}.well-known/void")),
        ox.Triple(dataset, n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, n(SD + "Graph")),
    ]
    triples += [ox.Triple(service, n(SD + "resultFormat"), n(FORMATS + f)) for f in RESULT_FORMATS]
    graphs = (build.manifest.get("graphs") if build else None) or {}
    for index, (name, info) in enumerate(sorted(graphs.items())):
        iri = info.get("iri") if isinstance(info, dict) else None
        named = ox.NamedNode(f"{base}sparql#graph-{index}")
        triples += [
            ox.Triple(dataset, n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, n(SD + "NamedGraph")),
            ox.Triple(named, n(SD + "name"), n(iri or f"{base}graphe/{name}")),
        ]
        if isinstance(info, dict) and isinstance(info.get("triples"), int):
            graph_node = ox.NamedNode(f"{base}sparql#graph-{index}-graph")
            triples += [
                ox.Triple(named, n(SD + "graph"), graph_node),
                ox.Triple(graph_node, RDF_TYPE, n(SD + "Graph")),
                ox.Triple(graph_node, n(VOID + "triples"), ox.Literal(str(info["triples"]), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
            ]
    return triples
