"""Prefixes used by the service: SPARQL editor, Turtle output, the JSON-LD ``@context``.

The same table as ``ingest.namespaces.PREFIXES`` (``sparql_endpoint`` never imports ``ingest``); a test
asserts that the two agree. The service adds the ones it needs for its own descriptions.
"""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "iat": "https://w3id.org/ia-territoriales/def#",
    "iatsh": "https://w3id.org/ia-territoriales/shapes#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "airo": "https://w3id.org/airo#",
    "vair": "https://w3id.org/vair#",
    "dpv": "https://w3id.org/dpv#",
    "ai": "https://w3id.org/dpv/ai#",
    "tech": "https://w3id.org/dpv/tech#",
    "risk": "https://w3id.org/dpv/risk#",
    "eu-aiact": "https://w3id.org/dpv/legal/eu/aiact#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}

SERVICE_PREFIXES: dict[str, str] = {
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "formats": "http://www.w3.org/ns/formats/",
}

ONTOLOGY_IRI = "https://w3id.org/ia-territoriales/def"
NOMENCLATURE = "https://w3id.org/ia-territoriales/nomenclature/"
SHAPES_IRI = "https://w3id.org/ia-territoriales/shapes"


def all_prefixes(base_url: str) -> dict[str, str]:
    """Project prefixes plus the deployment's own data namespaces."""
    return {
        **PREFIXES,
        "nom": NOMENCLATURE,
        "cas": f"{base_url}id/cas-usage/",
        "organisation": f"{base_url}id/organisation/",
        "territoire": f"{base_url}id/territoire/",
        "graphe": f"{base_url}graphe/",
    }


def sparql_prologue(prefixes: dict[str, str]) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
