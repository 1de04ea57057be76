"""The DCAT-AP 3.0.1 catalogue of a build, as an rdflib graph. Pure: no HTTP, no store access.

Inputs: the build manifest (files with size, sha256 and media type; counts; the registers in ``sources``),
the facts read from the store by the queries below (``FACTS_QUERY`` as a graph, ``GRAPH_STATS_QUERY``,
``LANGUAGES_QUERY`` and ``TERRITORIES_QUERY`` as rows), and the service settings. Output: one
``CatalogData`` whose ``page(n)`` is a self-contained graph (catalogue, agents, licences, vocabulary
concepts with their labels, the SPARQL data service, and the datasets of that page with Hydra paging).
The nodes are written by ``sparql_endpoint.catalog_builder.Builder``; this module holds the inputs, the
vocabulary tables and the paging.

Datasets: the library (its dumps and CSV, Licence Ouverte 2.0), one per imported register (its own
graph dump, the register's licence and attribution), and one per shared resource a use case publishes
(``iat:sharedResource``: data, models, code) that has a URL, with ``dct:isReferencedBy`` the use case.

What the harvesters read (``../shared/reference/HARVESTING.md``) shaped these choices: ``dct:identifier``
on every dataset, unique; theme labels in every page; ``dct:temporal`` a blank node; ``dct:modified``
never after the build; licences with the ``rdfs:label`` data.gouv.fr knows; ``dct:license`` on the
distributions too (CKAN reads the first distribution's); IANA media types under ``https://`` (udata
strips only that namespace).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, RDF

REFERENCE = Path(__file__).resolve().parent / "reference"
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IAT = Namespace("https://w3id.org/ia-territoriales/def#")
AIRO = Namespace("https://w3id.org/airo#")
EU = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(f"{EU}data-theme/")
FILE_TYPE = Namespace(f"{EU}file-type/")
FREQUENCY = Namespace(f"{EU}frequency/")
LANGUAGE = Namespace(f"{EU}language/")
COUNTRY = Namespace(f"{EU}country/")
IANA = "https://www.iana.org/assignments/media-types/"
THEME_SCHEME = URIRef(f"{EU}data-theme")
PUBLIC = URIRef(f"{EU}access-right/PUBLIC")
STABLE = URIRef(f"{EU}planned-availability/STABLE")
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
SHA256 = SPDX.checksumAlgorithm_sha256

# media type of a dump -> EU file type (the media-type IRIs are written under IANA)
FILE_TYPES = {
    "text/turtle": "RDF_TURTLE",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/n-quads": "RDF_N_QUADS",
    "application/trig": "RDF_TRIG",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "text/csv": "CSV",
}
# ISO 639-1 language tag -> EU language authority code
LANGUAGES = {
    "fr": "FRA", "en": "ENG", "nl": "NLD", "de": "DEU", "es": "SPA", "it": "ITA", "pt": "POR", "pl": "POL",
    "sv": "SWE", "da": "DAN", "fi": "FIN", "el": "ELL", "cs": "CES", "sk": "SLK", "sl": "SLV", "hu": "HUN",
    "ro": "RON", "bg": "BUL", "hr": "HRV", "et": "EST", "lv": "LAV", "lt": "LIT", "ga": "GLE", "mt": "MLT",
}
# NUTS country prefix -> EU country authority code (NUTS writes Greece EL and the United Kingdom UK)
COUNTRIES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "HR": "HRV", "CY": "CYP", "CZ": "CZE", "DK": "DNK", "EE": "EST",
    "FI": "FIN", "FR": "FRA", "DE": "DEU", "EL": "GRC", "GR": "GRC", "HU": "HUN", "IE": "IRL", "IT": "ITA",
    "LV": "LVA", "LT": "LTU", "LU": "LUX", "MT": "MLT", "NL": "NLD", "PL": "POL", "PT": "PRT", "RO": "ROU",
    "SK": "SVK", "SI": "SVN", "ES": "ESP", "SE": "SWE", "UK": "GBR", "GB": "GBR", "NO": "NOR", "IS": "ISL",
    "LI": "LIE", "CH": "CHE", "UA": "UKR", "RS": "SRB", "MK": "MKD", "AL": "ALB", "ME": "MNE", "TR": "TUR",
    "BA": "BIH",
}
FRENCH_TERRITORY_KINDS = ("commune", "epci", "departement", "region")
LIBRARY_GRAPHS = ("bibliotheque", "nomenclature", "formes")
SHARED_KINDS = {  # class -> (French keyword, English keyword)
    IAT.SharedDataset: ("jeu de données partagé", "shared dataset"),
    IAT.SharedModel: ("modèle d'IA partagé", "shared AI model"),
    IAT.SourceCode: ("code source", "source code"),
    IAT.TenderDocument: ("document de marché public", "tender document"),
    IAT.EvaluationReport: ("rapport d'évaluation", "evaluation report"),
}

_PREFIXES = """PREFIX iat: <https://w3id.org/ia-territoriales/def#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX airo: <https://w3id.org/airo#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
# the shared resources (not those of the fictional examples, graphe/exemples), their use case (title, keywords, dates, deployer, contact, territory) and the EU
# data themes their domains map to (through skos:broader)
FACTS_QUERY = _PREFIXES + """CONSTRUCT {
  ?uc iat:sharedResource ?res . ?res ?p ?o .
  ?uc dct:title ?title ; dct:modified ?modified ; dcat:keyword ?keyword ; airo:isDeployedBy ?org ;
      dcat:contactPoint ?contact ; dct:spatial ?territory ; iat:theme ?theme .
  ?org skos:prefLabel ?orgName . ?contact ?cp ?co .
} WHERE {
  GRAPH ?shared { ?uc iat:sharedResource ?res } FILTER(!STRENDS(STR(?shared), "/graphe/exemples"))
  { ?res ?p ?o }
  UNION { ?uc dct:title ?title }
  UNION { ?uc dct:modified ?modified }
  UNION { ?uc dcat:keyword ?keyword }
  UNION { ?uc airo:isDeployedBy ?org . OPTIONAL { ?org skos:prefLabel ?orgName } }
  UNION { ?uc dcat:contactPoint ?contact . ?contact ?cp ?co }
  UNION { ?uc dct:spatial ?territory }
  UNION { ?uc iat:domain/skos:broader* ?domain .
          ?domain skos:exactMatch|skos:closeMatch|skos:broadMatch ?theme .
          FILTER(STRSTARTS(STR(?theme), "http://publications.europa.eu/resource/authority/data-theme/")) }
}"""
# per named graph: first creation and last modification date of its use cases (xsd:date only)
GRAPH_STATS_QUERY = _PREFIXES + """SELECT ?g (MIN(?created) AS ?start) (MAX(?modified) AS ?end) WHERE {
  GRAPH ?g { ?uc a iat:UseCase .
    OPTIONAL { ?uc dct:created ?created FILTER(DATATYPE(?created) = xsd:date) }
    OPTIONAL { ?uc dct:modified ?modified FILTER(DATATYPE(?modified) = xsd:date) } }
} GROUP BY ?g"""
LANGUAGES_QUERY = _PREFIXES + """SELECT ?g ?lang (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?uc a iat:UseCase ; dct:title ?title } BIND(LCASE(LANG(?title)) AS ?lang)
} GROUP BY ?g ?lang"""
TERRITORIES_QUERY = _PREFIXES + """SELECT DISTINCT ?g ?territory WHERE {
  GRAPH ?g { ?uc a iat:UseCase ; dct:spatial ?territory }
}"""


@dataclass(frozen=True)
class CatalogSettings:
    """What the catalogue needs from the service settings."""

    base_url: str
    publisher_name: str = "Bibliothèque d'IA territoriales"
    publisher_type: str | None = None  # ADMS publisher type code, e.g. "LocalAuthority"
    contact_email: str | None = None
    page_size: int = 100
    # spdx:checksum on the dumps: off by default, because DCAT-AP requires the value as xsd:hexBinary and
    # udata 17 then stores rdflib's bytes in a string field, which fails the whole dataset
    checksums: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> CatalogSettings:
        base = settings.base_url if settings.base_url.endswith("/") else settings.base_url + "/"
        return cls(
            base_url=base,
            publisher_name=getattr(settings, "publisher_name", None) or cls.publisher_name,
            publisher_type=getattr(settings, "publisher_type", None),
            contact_email=getattr(settings, "contact_email", None),
            page_size=max(1, int(getattr(settings, "catalog_page_size", cls.page_size))),
            checksums=bool(getattr(settings, "catalog_checksums", False)),
        )


@dataclass(frozen=True)
class GraphFacts:
    """What the store says about one named graph (rows of the SELECT queries above)."""

    start: date | None = None
    end: date | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1 tags, most used first
    countries: tuple[str, ...] = ()  # EU country codes


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def graph_facts(
    base_url: str,
    stats: Iterable[Mapping[str, str]],
    languages: Iterable[Mapping[str, str]],
    territories: Iterable[Mapping[str, str]],
) -> dict[str, GraphFacts]:
    """Rows of the three SELECT queries (variable -> lexical value) -> facts per graph short name."""
    prefix = f"{base_url}graphe/"
    starts: dict[str, tuple[date | None, date | None]] = {}
    for row in stats:
        starts[row["g"].removeprefix(prefix)] = (parse_date(row.get("start")), parse_date(row.get("end")))
    langs: dict[str, dict[str, int]] = {}
    for row in languages:
        tag = (row.get("lang") or "").split("-")[0]
        if tag:
            counts = langs.setdefault(row["g"].removeprefix(prefix), {})
            counts[tag] = counts.get(tag, 0) + int(row.get("n") or 0)
    countries: dict[str, set[str]] = {}
    for row in territories:
        code = territory_country(row["territory"], base_url)
        if code:
            countries.setdefault(row["g"].removeprefix(prefix), set()).add(code)
    names = set(starts) | set(langs) | set(countries)
    return {
        name: GraphFacts(
            *starts.get(name, (None, None)),
            tuple(sorted(langs.get(name, {}), key=lambda t: -langs[name][t])),
            tuple(sorted(countries.get(name, ()))),
        )
        for name in names
    }


def territory_country(iri: str, base_url: str) -> str | None:
    """EU country code of a territory IRI (``id/territoire/{kind}-{code}``), or None if unknown."""
    local = iri.removeprefix(f"{base_url}id/territoire/")
    if local == iri or "-" not in local:
        return None
    kind, code = local.split("-", 1)
    if kind in FRENCH_TERRITORY_KINDS:
        return "FRA"
    if kind in ("nuts", "pays"):
        return COUNTRIES.get(code[:2].upper())
    return None


@dataclass
class CatalogData:
    """The whole catalogue: shared triples plus one small graph per dataset, paged on demand."""

    catalog: URIRef
    common: Graph
    datasets: list[tuple[URIRef, Graph]] = field(default_factory=list)
    page_size: int = 100
    base_url: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.datasets) // self.page_size))

    def page(self, number: int = 1, extension: str = "ttl") -> Graph:
        """Page ``number`` (1-based) as one self-contained graph; Hydra paging when there is more than one."""
        graph = Graph()
        for prefix, namespace in self.common.namespaces():
            graph.bind(prefix, namespace)
        graph += self.common
        start = (number - 1) * self.page_size
        for iri, part in self.datasets[start : start + self.page_size]:
            graph.add((self.catalog, DCAT.dataset, iri))
            graph += part
        if self.pages > 1:
            def url(n: int) -> URIRef:
                return URIRef(f"{self.base_url}catalog.{extension}?page={n}")

            view = url(number)
            graph.add((self.catalog, RDF.type, HYDRA.Collection))
            graph.add((self.catalog, HYDRA.totalItems, Literal(len(self.datasets))))
            graph.add((self.catalog, HYDRA.view, view))
            graph.add((view, RDF.type, HYDRA.PartialCollectionView))
            graph.add((view, HYDRA.first, url(1)))
            graph.add((view, HYDRA.last, url(self.pages)))
            if number > 1:
                graph.add((view, HYDRA.previous, url(number - 1)))
            if number < self.pages:
                graph.add((view, HYDRA.next, url(number + 1)))
        return graph


def _reference() -> Graph:
    graph = Graph()
    for name in ("eu-vocabularies.ttl", "licences.ttl"):
        graph.parse(REFERENCE / name, format="turtle")
    return graph


def build_catalog(
    manifest: Mapping[str, Any],
    settings: CatalogSettings,
    facts: Graph | None = None,
    per_graph: Mapping[str, GraphFacts] | None = None,
    today: date | None = None,
) -> CatalogData:
    """The catalogue of the build described by ``manifest`` (see the module docstring)."""
    from sparql_endpoint.catalog_builder import Builder  # the writer imports this module's vocabulary

    builder = Builder(manifest, settings, _reference(), facts or Graph(), dict(per_graph or {}), today or _today())
    return builder.build()


def _today() -> date:
    return datetime.now(UTC).date()
