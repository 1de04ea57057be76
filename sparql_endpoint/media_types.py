"""THE media-type table: every serialiser call, ``format`` alias and URL suffix reads from here.

Two tables, kept apart: SPARQL results (SELECT/ASK) and RDF graphs (CONSTRUCT/DESCRIBE, documents).
The first entry of each table is the default for a client that states no preference.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat


@dataclass(frozen=True)
class MediaType:
    media_type: str  # the exact registered type, sent in Content-Type
    extension: str  # URL suffix and download file extension, without the dot
    label: str  # shown in the HTML (format names are not translated)
    aliases: tuple[str, ...] = ()  # values accepted in the ``format``/``output`` parameter
    rdf_format: RdfFormat | None = None  # pyoxigraph serialiser for graph types

    @property
    def content_type(self) -> str:
        """Content-Type header value: always UTF-8 (udata decodes a bare text/turtle as ISO-8859-1)."""
        return f"{self.media_type}; charset=utf-8"


SPARQL_JSON = MediaType(
    "application/sparql-results+json", "srj", "JSON", ("json", "srj", "sparql-results+json")
)
SPARQL_XML = MediaType("application/sparql-results+xml", "srx", "XML", ("xml", "srx", "sparql-results+xml"))
CSV = MediaType("text/csv", "csv", "CSV", ("csv",))
TSV = MediaType("text/tab-separated-values", "tsv", "TSV", ("tsv", "tab-separated-values"))

TURTLE = MediaType("text/turtle", "ttl", "Turtle", ("turtle", "ttl", "n3"), RdfFormat.TURTLE)
JSON_LD = MediaType(
    "application/ld+json", "jsonld", "JSON-LD", ("json-ld", "jsonld", "ld+json", "json"), RdfFormat.JSON_LD
)
RDF_XML = MediaType("application/rdf+xml", "rdf", "RDF/XML", ("rdf+xml", "rdfxml", "rdf", "xml"), RdfFormat.RDF_XML)
N_TRIPLES = MediaType("application/n-triples", "nt", "N-Triples", ("n-triples", "ntriples", "nt"), RdfFormat.N_TRIPLES)

HTML = MediaType("text/html", "html", "HTML", ("html",))
JSON = MediaType("application/json", "json", "JSON", ("json",))  # error bodies and small APIs

RESULT_TYPES: tuple[MediaType, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_TYPES: tuple[MediaType, ...] = (TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
DOCUMENT_TYPES: tuple[MediaType, ...] = (HTML, *GRAPH_TYPES)  # a resource document: HTML first for browsers

# Media types that real clients send for the same thing (SPARQLWrapper, old servers, browsers).
# Negotiation treats an alias as a request for the canonical type.
ACCEPT_ALIASES: dict[str, tuple[str, ...]] = {
    "application/json": (SPARQL_JSON.media_type, JSON_LD.media_type),
    "text/javascript": (SPARQL_JSON.media_type,),
    "application/javascript": (SPARQL_JSON.media_type,),
    "application/xml": (SPARQL_XML.media_type, RDF_XML.media_type),
    "text/xml": (SPARQL_XML.media_type, RDF_XML.media_type),
    "application/turtle": (TURTLE.media_type,),
    "application/x-turtle": (TURTLE.media_type,),
    "text/n3": (TURTLE.media_type,),
    "text/rdf+n3": (TURTLE.media_type,),
    "application/x-json+ld": (JSON_LD.media_type,),
    "text/plain": (N_TRIPLES.media_type,),
    "application/xhtml+xml": (HTML.media_type,),
}

_ALL = (*RESULT_TYPES, *GRAPH_TYPES, HTML)
BY_MEDIA_TYPE: dict[str, MediaType] = {m.media_type: m for m in _ALL}
GRAPH_BY_EXTENSION: dict[str, MediaType] = {m.extension: m for m in GRAPH_TYPES}
DOCUMENT_BY_EXTENSION: dict[str, MediaType] = {m.extension: m for m in DOCUMENT_TYPES}


def lookup(media_type: str) -> MediaType:
    return BY_MEDIA_TYPE[media_type]


def format_aliases(offered: tuple[MediaType, ...]) -> dict[str, str]:
    """``format`` parameter value -> media type, for one table (first table entry wins an alias)."""
    table: dict[str, str] = {}
    for media in offered:
        table.setdefault(media.media_type, media.media_type)
        for alias in media.aliases:
            table.setdefault(alias, media.media_type)
    return table
