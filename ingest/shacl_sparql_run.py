"""Run the SHACL constraints compiled by ``ingest.shacl_sparql`` on a pyoxigraph in-memory store.

Same entry point and same results as ``ingest.validate.validate_graph`` (the pySHACL engine, kept as the
reference): the data and the support graph (class hierarchy, concepts' types and schemes) are bulk
loaded as N-Triples; each compiled constraint is one SELECT; its rows become ``Result`` objects with the
same focus, path, source shape, component, severity, value and French/English messages as
``ingest.validate`` gives. ``findings`` turns a report into the build's ``Finding`` set
(``ingest.validation_runner``).
"""

from __future__ import annotations

import datetime
import os
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from pyoxigraph import BlankNode as OxBlank
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from ingest.namespaces import bind_prefixes
from ingest.shacl_sparql import (
    BLANK_PREFIX,
    ILL_TYPED_GRAPH,
    ILL_TYPED_PREDICATE,
    Check,
    checked_datatypes,
    compile_shapes,
)
from ingest.validate import (
    DEFAULT_PROFILE,
    SEVERITIES,
    Report,
    Result,
    _has_nomenclature,
    _labels,
    _lang_text,
    load_nomenclature_shapes,
    load_shapes,
    load_support,
)

THREADS = max(1, min(4, os.cpu_count() or 1))  # compiled checks run side by side (run_checks)
ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_PY_TYPES = {XSD.integer: int, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date,
             XSD.dateTime: datetime.datetime, XSD.time: datetime.time, XSD.float: float}


def _ill_typed(literal: Literal) -> bool:
    """pySHACL's test (DatatypeConstraintComponent): rdflib could not parse it, or parsed it to another type."""
    if getattr(literal, "ill_typed", None) is True:
        return True
    expected = _PY_TYPES.get(literal.datatype)
    return expected is not None and not isinstance(literal.value, expected)


_BLANK_SUBJECT = re.compile(rb"^_:(\S+) ", re.M)
_BLANK_OBJECT = re.compile(rb" _:(\S+) \.$", re.M)


def skolemize(nt: bytes) -> bytes:
    """Blank nodes as IRIs under ``BLANK_PREFIX``: oxigraph gives parsed blank nodes new names, and results must
    name them (and graphs loaded one by one share them) as in rdflib. In N-Triples a blank node starts a line
    or ends it before " ."; a literal never ends a line that way (it ends with its closing quote, tag or type)."""
    if b"_:" not in nt:
        return nt
    prefix = BLANK_PREFIX.encode()
    nt = _BLANK_SUBJECT.sub(lambda m: b"<" + prefix + m.group(1) + b"> ", nt)
    return _BLANK_OBJECT.sub(lambda m: b" <" + prefix + m.group(1) + b"> .", nt)


def make_store(graphs: Iterable[Graph], datatypes: set[URIRef]) -> Store:
    """An in-memory store with ``graphs`` in its default graph and, in a named graph, the ill-typed literals
    of ``datatypes``: pySHACL fails a value that rdflib cannot parse, which SPARQL alone cannot tell."""
    store = Store()
    for graph in graphs:  # one at a time: a single copy of N-Triples in memory
        store.bulk_load(input=skolemize(graph.serialize(format="nt", encoding="utf-8")), format=RdfFormat.N_TRIPLES)
    if datatypes:
        listed = ", ".join(f"<{d}>" for d in sorted(datatypes))
        query = f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) IN ({listed})) }}"
        mark_s, mark_p, mark_g = NamedNode(ILL_TYPED_GRAPH), NamedNode(ILL_TYPED_PREDICATE), NamedNode(ILL_TYPED_GRAPH)
        marks = [Quad(mark_s, mark_p, row["o"], mark_g) for row in store.query(query) if _ill_typed(to_rdflib(row["o"]))]
        store.extend(marks)
    return store


def to_rdflib(term):
    if term is None:
        return None
    if isinstance(term, NamedNode):
        value = term.value
        return BNode(value[len(BLANK_PREFIX):]) if value.startswith(BLANK_PREFIX) else URIRef(value)
    if isinstance(term, OxBlank):
        return BNode(term.value)
    if isinstance(term, OxLiteral):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    raise TypeError(f"unexpected term {term!r}")


def less_or_equal(value, other) -> bool:
    """pySHACL's sh:lessThanOrEquals test (PropertyPairConstraints._compare_ltoe), with rdflib's order."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        return False

    def plain(term):
        if isinstance(term, URIRef):
            return str(term), True
        if isinstance(term, Literal) and isinstance(term.value, str):
            return term.value, True
        return term, False

    (a, a_is_string), (b, b_is_string) = plain(value), plain(other)
    if a_is_string != b_is_string:
        return False
    try:
        return bool(a <= b)
    except TypeError:  # pySHACL stops with this error; a violation here
        return False


def restore(term, focus, path, graphs: list[Graph]):
    """The data's own literal for ``term``: oxigraph stores typed literals in canonical form ("-5.00" -> "-5")."""
    if not isinstance(term, Literal) or term.datatype is None or not isinstance(path, URIRef):
        return term
    for graph in graphs:
        for original in graph.objects(focus, path):
            if isinstance(original, Literal) and original.datatype == term.datatype and (
                    str(original) == str(term) or original.eq(term)):
                return original
    return term


def run_checks(store: Store, checks: Iterable[Check], graphs: list[Graph],
               default_graph: list[NamedNode] | None = None) -> list[tuple[Check, object, object, object]]:
    """(check, focus, value, path) of every violation row (rdflib terms; literals as written in ``graphs``).
    ``default_graph``: the named graphs the queries see as their default graph (a shared store).

    The checks are independent read-only queries: they run in ``THREADS`` threads (pyoxigraph evaluates a
    query without holding the GIL), rows kept in the checks' order, so results do not depend on it."""
    options = {} if default_graph is None else {"default_graph": default_graph}

    def rows_of(check: Check) -> list[tuple[Check, object, object, object]]:
        found = []
        leq = check.component.endswith("#LessThanOrEqualsConstraintComponent")
        for solution in store.query(check.query, **options):
            focus = to_rdflib(solution["this"])
            if leq and less_or_equal(to_rdflib(solution["value"]), to_rdflib(solution["other"])):
                continue
            if check.value_is_focus:
                value = focus
            else:
                value = to_rdflib(solution["value"]) if check.has_value else None
            path = check.path
            if check.constraint is not None:
                bound = to_rdflib(solution["path"])
                path = bound if bound is not None else path
                if value is None:
                    value = focus
            found.append((check, focus, restore(value, focus, path, graphs), path))
        return found

    checks = list(checks)
    if THREADS <= 1 or len(checks) < 2:
        return [row for check in checks for row in rows_of(check)]
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="shacl") as pool:
        return [row for part in pool.map(rows_of, checks) for row in part]


def _results(rows, shapes: Graph, origin: dict[str, str] | None) -> list[Result]:
    """``ingest.validate._results`` for compiled rows: same messages, labels, values and order."""
    labels_fr, labels_en = _labels("fr"), _labels("en")
    nm = bind_prefixes(Graph()).namespace_manager
    results = []
    for check, focus, value, path in rows:
        fr, en = messages(check, value, shapes)
        named = check.constraint if check.constraint is not None else check.shape
        shape_fr = _lang_text(shapes, named, SH.name, "fr")
        shape_en = _lang_text(shapes, named, SH.name, "en")
        if isinstance(path, URIRef):
            path_label = labels_fr.get(path) or shape_fr or path.n3(nm)
            path_label_en = labels_en.get(path) or shape_en or path.n3(nm)
        else:
            path_label, path_label_en = shape_fr, shape_en
        results.append(Result(
            focus_node=str(focus),
            path=str(path) if isinstance(path, URIRef) else None,
            path_label=path_label,
            path_label_en=path_label_en,
            severity=SEVERITIES.get(check.severity, str(check.severity)),
            message_fr=fr,
            message_en=en or fr,
            value=None if value is None or isinstance(value, BNode) else str(value),
            component=check.component,
            source_shape=str(check.shape) if isinstance(check.shape, URIRef) else None,
            source_file=(origin or {}).get(str(focus)),
        ))
    results.sort(key=lambda r: (r.source_file or "", r.focus_node, ORDER.get(r.severity, 3), r.path or ""))
    return results


def report_graph(rows, shapes: Graph) -> Graph:
    """A SHACL validation report graph (``validate --format turtle``)."""
    graph = bind_prefixes(Graph())
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not any(c.severity == SH.Violation for c, *_ in rows))))
    for check, focus, value, path in rows:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, focus))
        graph.add((node, SH.resultSeverity, check.severity))
        graph.add((node, SH.sourceConstraintComponent, URIRef(check.component)))
        graph.add((node, SH.sourceShape, check.shape))
        for prop, term in ((SH.resultPath, path), (SH.value, value), (SH.sourceConstraint, check.constraint)):
            if term is not None:
                graph.add((node, prop, term))
        fr, en = messages(check, value, shapes)
        graph.add((node, SH.resultMessage, Literal(fr, lang="fr")))
        graph.add((node, SH.resultMessage, Literal(en, lang="en")))
    return graph


def run_shapes(graphs: list[Graph], shapes: Graph, timings: dict[str, float] | None = None) -> list[tuple]:
    """The violation rows of ``shapes`` on the union of ``graphs``: (check, focus, value, path)."""
    start = time.perf_counter()
    checks = compile_shapes(shapes)
    store = make_store(graphs, checked_datatypes(shapes))
    loaded = time.perf_counter()
    rows = run_checks(store, checks, graphs)
    if timings is not None:
        timings["chargement"] = timings.get("chargement", 0.0) + loaded - start
        timings["requetes"] = timings.get("requetes", 0.0) + time.perf_counter() - loaded
    return rows


def messages(check: Check, value, shapes: Graph, blank_shapes: bool = False) -> tuple[str, str]:
    """French and English messages as ``ingest.validate._messages`` gives them: the SPARQL constraint's own
    sh:message, else the source shape's (IRI shapes only, unless ``blank_shapes``: pySHACL's own messages, which
    the build reads), ``{?value}`` substituted; no sh:message: pySHACL's generic text is English only, ours
    names the component."""
    shown = "" if value is None else str(value)
    fr = en = ""
    for source in (check.constraint, check.shape):
        if isinstance(source, URIRef) or (blank_shapes and source is not None):
            fr = fr or _lang_text(shapes, source, SH.message, "fr").replace("{?value}", shown).replace("{$value}", shown)
            en = en or _lang_text(shapes, source, SH.message, "en").replace("{?value}", shown).replace("{$value}", shown)
    fr = fr or f"Contrainte {check.component.rsplit('#', 1)[-1]} non respectée."
    return fr, en or fr


def findings(rows, shapes: Graph) -> set:
    """The build's ``Finding`` set (``ingest.validation_runner``) of compiled rows."""
    from ingest.validation_runner import Finding

    return {
        Finding(
            severity=SEVERITIES.get(check.severity, str(check.severity)),
            focus=str(focus),
            path=str(path) if isinstance(path, URIRef) else "",
            component=check.component.rsplit("#", 1)[-1],
            shape=str(check.shape) if isinstance(check.shape, URIRef) else "",
            value="" if value is None else str(value),
            message=messages(check, value, shapes, blank_shapes=True)[0],
        )
        for check, focus, value, path in rows
    }


SUPPORT_GRAPH = "urn:ia-territoriales:validation:support"


def _unskolem(term):
    """A term of a skolemised graph as it was written: IRIs under ``BLANK_PREFIX`` are blank nodes again."""
    if isinstance(term, NamedNode) and term.value.startswith(BLANK_PREFIX):
        return OxBlank(term.value[len(BLANK_PREFIX):])
    return term


@dataclass
class StoredGraph:
    """A named graph read straight into a shared in-memory pyoxigraph store (``ingest.build``), never into
    rdflib: blank nodes are IRIs under ``BLANK_PREFIX`` there, as the compiled queries expect."""

    store: Store
    iri: str
    has_blank_nodes: bool = False
    files: list[tuple[object, str]] = field(default_factory=list)  # (path, base) read into it, in order

    def originals(self, wanted: set[tuple[object, object]]) -> Graph:
        """The triples of ``wanted`` (subject IRI, predicate) as written in the files: the store keeps typed
        literals in canonical form ("-5.00" -> "-5"), the messages quote the data's own. Parses the files
        again, only when a result needs it (a violation on a typed value)."""
        from ingest.rdfio import OX_FORMATS, read_graph

        graph = Graph()
        for path, base in self.files:
            name = OX_FORMATS.get(path.suffix.lower())
            if name is None:
                for s, p, o in read_graph(path, base):
                    if (s, p) in wanted:
                        graph.add((s, p, o))
                continue
            for quad in parse(path=str(path), format=getattr(RdfFormat, name), base_iri=base):
                if not isinstance(quad.subject, NamedNode):
                    continue
                key = (URIRef(quad.subject.value), URIRef(quad.predicate.value))
                if key in wanted:
                    obj = quad.object
                    term = (Literal(obj.value, datatype=URIRef(obj.datatype.value))
                            if isinstance(obj, OxLiteral) and not obj.language else to_rdflib(obj))
                    graph.add((key[0], key[1], term))
        return graph

    def quads(self, target: NamedNode | None = None) -> Iterator[Quad]:
        """Its quads with real blank nodes again, in ``target`` (default: its own graph)."""
        graph = NamedNode(self.iri)
        target = target if target is not None else graph
        quads = self.store.quads_for_pattern(None, None, None, graph)
        if not self.has_blank_nodes:
            return (Quad(q.subject, q.predicate, q.object, target) for q in quads)
        return (Quad(_unskolem(q.subject), q.predicate, _unskolem(q.object), target) for q in quads)

    def skolemize(self) -> None:
        """Blank nodes of the graph as IRIs under ``BLANK_PREFIX`` (what the compiled queries test): the
        files are bulk loaded natively, their blank nodes (fresh names per file) rewritten after, once."""
        graph = NamedNode(self.iri)
        query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.iri}> {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
        rows = [(row["s"], row["p"], row["o"]) for row in self.store.query(query)]
        if not rows:
            return

        def named(term):
            return NamedNode(BLANK_PREFIX + term.value) if isinstance(term, OxBlank) else term

        for s, p, o in rows:
            self.store.remove(Quad(s, p, o, graph))
        self.store.extend([Quad(named(s), p, named(o), graph) for s, p, o in rows])
        self.has_blank_nodes = True

    def unskolemize(self) -> None:
        """Undo ``skolemize`` in the store (before it is published): blank nodes again, with the same
        labels in every graph of the store."""
        if not self.has_blank_nodes:
            return
        graph = NamedNode(self.iri)
        query = (f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.iri}> {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{BLANK_PREFIX}\") "
                 f"|| (isIRI(?o) && STRSTARTS(STR(?o), \"{BLANK_PREFIX}\"))) }} }}")
        rows = [(row["s"], row["p"], row["o"]) for row in self.store.query(query)]
        for s, p, o in rows:
            self.store.remove(Quad(s, p, o, graph))
        self.store.extend([Quad(_unskolem(s), p, _unskolem(o), graph) for s, p, o in rows])
        self.has_blank_nodes = False

    def __len__(self) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{self.iri}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(query)))["n"].value)

    def subjects(self) -> Iterator[object]:
        """Its distinct subjects as rdflib terms."""
        query = f"SELECT DISTINCT ?s WHERE {{ GRAPH <{self.iri}> {{ ?s ?p ?o }} }}"
        return (to_rdflib(row["s"]) for row in self.store.query(query))

    def to_rdflib(self) -> Graph:
        """The graph in rdflib (the pySHACL engines), converted on demand."""
        from pyoxigraph import Triple, serialize

        triples = (Triple(q.subject, q.predicate, q.object) for q in self.quads())
        graph = bind_prefixes(Graph())
        data = serialize(triples, format=RdfFormat.N_TRIPLES)
        if data:
            graph.parse(data=data, format="nt")
        return graph


def _stored_rows(data: StoredGraph, shapes: Graph, timings: dict[str, float] | None = None) -> list[tuple]:
    """``run_shapes`` on a graph of a shared store: its graph and the support graph as default graph."""
    start = time.perf_counter()
    checks = compile_shapes(shapes)
    store, graph = data.store, NamedNode(data.iri)
    datatypes = checked_datatypes(shapes)
    if datatypes:
        listed = ", ".join(f"<{d}>" for d in sorted(datatypes))
        query = f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) IN ({listed})) }}"
        mark_s, mark_p, mark_g = NamedNode(ILL_TYPED_GRAPH), NamedNode(ILL_TYPED_PREDICATE), NamedNode(ILL_TYPED_GRAPH)
        store.extend([Quad(mark_s, mark_p, row["o"], mark_g) for row in store.query(query, default_graph=[graph])
                      if _ill_typed(to_rdflib(row["o"]))])
    loaded = time.perf_counter()
    rows = run_checks(store, checks, [], default_graph=[graph, NamedNode(SUPPORT_GRAPH)])
    wanted = {(focus, path) for _check, focus, value, path in rows
              if isinstance(value, Literal) and value.datatype is not None and isinstance(focus, URIRef)
              and isinstance(path, URIRef)}
    if wanted:
        written = [data.originals(wanted)]
        rows = [(check, focus, restore(value, focus, path, written), path) for check, focus, value, path in rows]
    if timings is not None:
        timings["chargement"] = timings.get("chargement", 0.0) + loaded - start
        timings["requetes"] = timings.get("requetes", 0.0) + time.perf_counter() - loaded
    return rows


def validate_build(data_graphs: dict[str, Graph | StoredGraph], nomenclature: Graph, plan, progress=None) -> set:
    """``ingest.validation_runner.validate_whole`` with the compiled engine: same plan, same findings.

    A ``StoredGraph`` is validated in its own store (the support graph added there once, removed after)."""
    found = findings(run_shapes([nomenclature], plan.nomenclature_shapes), plan.nomenclature_shapes)
    names = list(data_graphs)
    stores = []
    try:
        for name in progress(names, "Validation", len(names)) if progress else names:
            shapes = plan.shapes[plan.profiles[name]]
            data = data_graphs[name]
            if isinstance(data, StoredGraph):
                if not any(s is data.store for s in stores):
                    support = skolemize(plan.support.serialize(format="nt", encoding="utf-8"))
                    data.store.bulk_load(input=support, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(SUPPORT_GRAPH))
                    stores.append(data.store)
                found |= findings(_stored_rows(data, shapes), shapes)
            else:
                found |= findings(run_shapes([data, plan.support], shapes), shapes)
    finally:
        for store in stores:
            for graph in (SUPPORT_GRAPH, ILL_TYPED_GRAPH):
                if store.contains_named_graph(NamedNode(graph)):
                    store.remove_graph(NamedNode(graph))
    return found


def validate_with(graphs: list[Graph], shapes: Graph, origin: dict[str, str] | None = None,
                  timings: dict[str, float] | None = None):
    """Rows and results of ``shapes`` on the union of ``graphs``."""
    rows = run_shapes(graphs, shapes, timings)
    return rows, _results(rows, shapes, origin)


def validate_graph(
    data: Graph,
    profile: str = DEFAULT_PROFILE,
    *,
    focus_nodes: list[URIRef] | None = None,
    origin: dict[str, str] | None = None,
) -> Report:
    """``ingest.validate.validate_graph`` with the compiled SPARQL engine: same arguments, same report."""
    shapes = load_shapes(profile)
    rows, results = validate_with([data, load_support()], shapes, origin)
    graph = report_graph(rows, shapes)
    if focus_nodes is not None:
        keep = {str(f) for f in focus_nodes}
        results = [r for r in results if r.focus_node in keep]
    elif _has_nomenclature(data):
        nomenclature_shapes = load_nomenclature_shapes()
        extra_rows, extra = validate_with([data], nomenclature_shapes, origin)
        results += extra
        graph += report_graph(extra_rows, nomenclature_shapes)
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results, graph=graph)
