"""Namespaces and prefix bindings, the one place they are declared."""

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

IAT = Namespace("https://w3id.org/ia-territoriales/def#")
ONTOLOGY_IRI = "https://w3id.org/ia-territoriales/def"
NOMENCLATURE = "https://w3id.org/ia-territoriales/nomenclature/"
IATSH = Namespace("https://w3id.org/ia-territoriales/shapes#")

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("https://schema.org/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
AIRO = Namespace("https://w3id.org/airo#")
VAIR = Namespace("https://w3id.org/vair#")
DPV = Namespace("https://w3id.org/dpv#")
AI = Namespace("https://w3id.org/dpv/ai#")
TECH = Namespace("https://w3id.org/dpv/tech#")
RISK = Namespace("https://w3id.org/dpv/risk#")
EU_AIACT = Namespace("https://w3id.org/dpv/legal/eu/aiact#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
SH = Namespace("http://www.w3.org/ns/shacl#")
COFOG = Namespace("http://registry.it.csiro.au/def/agldwg/cofog/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
LANG = Namespace("http://id.loc.gov/vocabulary/iso639-1/")


def scheme_iri(scheme: str) -> str:
    """IRI of a concept scheme of the nomenclature, e.g. scheme_iri("domaines")."""
    return f"{NOMENCLATURE}{scheme}"


def concept_iri(scheme: str, code: str) -> str:
    """IRI of a concept of the nomenclature, e.g. concept_iri("domaines", "eau-assainissement")."""
    return f"{NOMENCLATURE}{scheme}/{code}"


PREFIXES: dict[str, str] = {
    "iat": str(IAT),
    "iatsh": str(IATSH),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "org": str(ORG),
    "skos": str(SKOS),
    "adms": str(ADMS),
    "vcard": str(VCARD),
    "foaf": str(FOAF),
    "airo": str(AIRO),
    "vair": str(VAIR),
    "dpv": str(DPV),
    "ai": str(AI),
    "tech": str(TECH),
    "risk": str(RISK),
    "eu-aiact": str(EU_AIACT),
    "dqv": str(DQV),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on a graph (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph
