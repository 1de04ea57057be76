"""Run one SPARQL query against any pyoxigraph-like source and serialise the capped result.

The same code runs inside the embedded store's worker processes and, for a remote store, in the web
process on results parsed from the remote server. Nothing here knows about HTTP.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from sparql_endpoint import results
from sparql_endpoint.errors import (
    NotAcceptable,
    QueryParseError,
    ResultTooLarge,
    UpdateRefused,
    syntax_error_message,
)
from sparql_endpoint.media_types import BY_MEDIA_TYPE

UPDATE_KEYWORDS = {"insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with"}
QUERY_KEYWORDS = {"select", "construct", "describe", "ask"}

_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'  # IRIs (no spaces, so a "<" comparison is not taken for one)
    r"|#[^\n]*",  # comments
    re.DOTALL,
)
_PROLOGUE = re.compile(r"^\s*(?:(?:BASE\s*<>|PREFIX\s*[^\s:]*:\s*<>)\s*)*([A-Za-z]+)?", re.IGNORECASE)
_FROM = re.compile(r"(?<![?$:\w])FROM(?![\w:])", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE(?![\w:])", re.IGNORECASE)
# SPARQL 1.1 §19.2: \uXXXX and \UXXXXXXXX may stand for any character anywhere in a query (Jena, for one,
# decodes them before parsing), so the lexical look works on the decoded text.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _decode_codepoints(text: str) -> str:
    def char(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else match.group(0)

    return _CODEPOINT.sub(char, text)


@dataclass(frozen=True)
class QueryShape:
    keyword: str  # first keyword after the prologue, lowercased ("select", "insert", …; "" if none)
    has_from: bool  # FROM / FROM NAMED in the query (then the query names its own dataset)
    has_service: bool = False  # a SERVICE clause (federated query) outside strings, IRIs and comments


def inspect_query(text: str) -> QueryShape:
    """Cheap lexical look at a query: its form keyword, FROM clauses and SERVICE clauses."""

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        return "<>" if token.startswith("<") else (" " if token.startswith("#") else '""')

    stripped = _LEXICAL.sub(blank, _decode_codepoints(text))
    head = _PROLOGUE.match(stripped)
    keyword = (head.group(1) or "").lower() if head else ""
    return QueryShape(keyword, bool(_FROM.search(stripped)), bool(_SERVICE.search(stripped)))


def refuse_updates(text: str) -> QueryShape:
    """Refuse what a public read-only endpoint must not run: updates (INSERT, LOAD, CLEAR…) and
    federated queries. SERVICE is refused because the engine would send an HTTP request to any host the
    client names, from inside our network (server-side request forgery: loopback admin ports, cloud
    metadata addresses); pyoxigraph offers no switch to turn it off, so it is refused before it runs."""
    shape = inspect_query(text)
    if shape.keyword in UPDATE_KEYWORDS:
        raise UpdateRefused(
            "Ce point d'accès SPARQL est en lecture seule : les mises à jour (INSERT, DELETE, LOAD, CLEAR…) "
            "sont refusées. Pour contribuer, voir la documentation « Contribuer un cas d'usage »."
        )
    if shape.has_service:
        raise UpdateRefused(
            "Les requêtes fédérées (SERVICE) sont refusées par ce point d'accès public : il n'interroge pas "
            "d'autres serveurs pour le compte de ses clients. Interrogez chaque serveur séparément."
        )
    return shape


_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|(<[^<>"{}|^`\\\s]*>)'  # IRIs are kept (group 1)
    r"|#[^\n]*",
    re.DOTALL,
)
_PREFIX_DECL = re.compile(r"PREFIX\s*([^\s:]*):\s*<([^>]*)>", re.IGNORECASE)
_FROM_CLAUSE = re.compile(r"(?<![?$:\w])FROM\s+(NAMED\s+)?(<[^>]*>|[^\s:<]*:[^\s{]*)", re.IGNORECASE)


def dataset_from_query(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The IRIs of the query's FROM and FROM NAMED clauses (for servers that ignore them)."""
    cleaned = _STRINGS_AND_COMMENTS.sub(lambda m: m.group(1) or " ", text)
    prefixes = dict(_PREFIX_DECL.findall(cleaned))
    defaults: list[str] = []
    named: list[str] = []
    for is_named, ref in _FROM_CLAUSE.findall(cleaned):
        if ref.startswith("<"):
            iri = ref[1:-1]
        else:
            prefix, _, local = ref.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local
        (named if is_named else defaults).append(iri)
    return tuple(defaults), tuple(named)


@dataclass(frozen=True)
class QueryJob:
    query: str
    result_type: str | None  # negotiated type for SELECT/ASK, or None if the client accepts none
    graph_type: str | None  # negotiated type for CONSTRUCT/DESCRIBE, or None
    limit: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    prefixes: tuple[tuple[str, str], ...] = field(default=())
    base_iri: str | None = None  # resolves relative IRIs in the query (the protocol lets the service choose)

    @property
    def protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True)
class QueryOutput:
    media_type: str
    body: bytes
    kind: str  # "solutions", "boolean" or "graph"
    count: int  # rows or triples
    build_id: str | None = None  # the build whose store computed it (embedded store), else None


Source = Callable[[QueryJob], object]


def embedded_source(store: ox.Store) -> Source:
    """Query a pyoxigraph store: the default graph is the union of the named graphs, unless the
    protocol (default-graph-uri / named-graph-uri) or the query (FROM / FROM NAMED) says otherwise."""

    def run(job: QueryJob) -> object:
        try:
            if job.protocol_dataset:
                return store.query(
                    job.query,
                    base_iri=job.base_iri,
                    default_graph=[ox.NamedNode(g) for g in job.default_graphs],
                    named_graphs=[ox.NamedNode(g) for g in job.named_graphs],
                )
            if inspect_query(job.query).has_from:
                return store.query(job.query, base_iri=job.base_iri)
            return store.query(job.query, base_iri=job.base_iri, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryParseError(syntax_error_message(str(exc))) from None
        except ValueError as exc:  # e.g. an invalid IRI in default-graph-uri
            raise QueryParseError(f"Requête invalide : {exc}") from None

    return run


def _too_large(limit: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(
        f"Le résultat dépasse la limite de {limit} {what} de ce service. "
        "Ajoutez LIMIT (et OFFSET pour paginer) à la requête, ou téléchargez les fichiers complets."
    )


def _capped(items: Iterable[object], limit: int, what: str) -> list[object]:
    out: list[object] = []
    for item in items:
        out.append(item)
        if len(out) > limit:
            raise _too_large(limit, what)
    return out


@dataclass(frozen=True)
class Solutions:
    """SELECT results already read into memory (from a remote server)."""

    variables: list[str]
    rows: list[list[object | None]]


def materialise(result: object) -> object:
    """Read a parsed remote result into plain Python objects in the calling thread: pyoxigraph's
    ``QuerySolutions`` may only be dropped by the thread that made it, and an exception traceback
    would otherwise carry it to the event loop."""
    if isinstance(result, ox.QuerySolutions):
        keys = list(result.variables)
        return Solutions([k.value for k in keys], [[s[k] for k in keys] for s in result])
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return list(result)  # type: ignore[call-overload]


_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


class _Overflow(Exception):
    pass


class _LineCappedWriter(io.RawIOBase):
    """Collects what pyoxigraph writes and stops it as soon as more than ``limit`` records were written.

    It is fed TSV (one line per solution after the header) or N-Triples (one line per triple): both
    escape line breaks inside values, so lines count records exactly."""

    def __init__(self, limit: int, header_lines: int) -> None:
        super().__init__()
        self.buffer = bytearray()
        self.lines = 0
        self._max_lines = limit + header_lines
        self.overflowed = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        self.lines += bytes(data).count(b"\n")
        if self.lines > self._max_lines:
            self.overflowed = True
            raise _Overflow
        return len(data)


def _write_capped(result: ox.QuerySolutions | ox.QueryTriples, fmt: object, writer: _LineCappedWriter, what: str,
                  limit: int) -> bytes:
    with contextlib.suppress(_Overflow):  # raised by the writer past the cap; writer.overflowed tells
        result.serialize(writer, format=fmt)  # type: ignore[arg-type]
    if writer.overflowed:
        raise _too_large(limit, what)
    return bytes(writer.buffer)


def _native_solutions(result: ox.QuerySolutions, job: QueryJob) -> QueryOutput:
    """Native serialisation with the row cap: pyoxigraph writes TSV, stopped past the cap, then the
    TSV is read back and written in the requested format (all in Rust; ~2x faster than Python)."""
    assert job.result_type is not None
    tsv = _write_capped(result, ox.QueryResultsFormat.TSV, _LineCappedWriter(job.limit, 1), "lignes", job.limit)
    rows = tsv.count(b"\n") - 1
    target = _RESULT_FORMATS[job.result_type]
    if target != ox.QueryResultsFormat.TSV:
        tsv = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=target)
    return QueryOutput(job.result_type, tsv, "solutions", rows)


def _native_graph(result: ox.QueryTriples, job: QueryJob) -> QueryOutput:
    assert job.graph_type is not None
    nt = _write_capped(result, ox.RdfFormat.N_TRIPLES, _LineCappedWriter(job.limit, 0), "triplets", job.limit)
    count = nt.count(b"\n")
    media = BY_MEDIA_TYPE[job.graph_type]
    if media.rdf_format == ox.RdfFormat.N_TRIPLES:
        return QueryOutput(job.graph_type, nt, "graph", count)
    triples = [quad.triple for quad in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    prefixes = dict(job.prefixes) if media.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    used = _used_prefixes(triples, prefixes) if prefixes else None  # type: ignore[arg-type]
    return QueryOutput(job.graph_type, ox.serialize(triples, format=media.rdf_format, prefixes=used), "graph", count)


def serialise(result: object, job: QueryJob) -> QueryOutput:
    """Serialise a pyoxigraph result (or an iterable of triples) for the negotiated type."""
    if isinstance(result, Solutions):
        if job.result_type is None:
            raise NotAcceptable("Une requête SELECT renvoie un résultat SPARQL (JSON, XML, CSV ou TSV).")
        if len(result.rows) > job.limit:
            raise _too_large(job.limit, "lignes")
        body = results.SOLUTION_WRITERS[job.result_type](result.variables, result.rows)
        return QueryOutput(job.result_type, body, "solutions", len(result.rows))
    if isinstance(result, bool | ox.QueryBoolean):
        if job.result_type is None:
            raise NotAcceptable("Une requête ASK renvoie un résultat SPARQL (JSON, XML, CSV ou TSV).")
        return QueryOutput(job.result_type, results.BOOLEAN_WRITERS[job.result_type](bool(result)), "boolean", 1)
    if isinstance(result, ox.QuerySolutions):
        if job.result_type is None:
            raise NotAcceptable("Une requête SELECT renvoie un résultat SPARQL (JSON, XML, CSV ou TSV).")
        return _native_solutions(result, job)
    if job.graph_type is None:
        raise NotAcceptable(
            "Une requête CONSTRUCT ou DESCRIBE renvoie un graphe RDF (Turtle, JSON-LD, RDF/XML ou N-Triples)."
        )
    if isinstance(result, ox.QueryTriples):
        return _native_graph(result, job)
    triples = _capped(result, job.limit, "triplets")  # type: ignore[arg-type]
    media = BY_MEDIA_TYPE[job.graph_type]
    prefixes = dict(job.prefixes) if media.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    used = _used_prefixes(triples, prefixes) if prefixes else None
    body = ox.serialize(triples, format=media.rdf_format, prefixes=used)
    return QueryOutput(job.graph_type, body, "graph", len(triples))


def _used_prefixes(triples: list[object], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes the graph uses, so small documents stay small."""
    iris: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):  # type: ignore[attr-defined]
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def run_job(source: Source, job: QueryJob) -> QueryOutput:
    refuse_updates(job.query)
    return serialise(source(job), job)
