"""How the build validates: the whole graph at once, or each record's own subgraph (in parallel).

The shapes, profiles and support graph are those of ``ingest.validate`` (the ``validate`` command uses
the same): the library graph gets the ``bibliotheque`` profile, every register graph the ``registre``
profile, each with the support graph (class hierarchy, concepts' types and schemes) mixed in; the
nomenclature graph is checked alone against ``shapes/nomenclature.ttl``. Both methods must report the
same set of findings — (focus node, path, constraint component, severity) — which tests check.

- ``graphe``: one pySHACL run per named graph, over the whole graph.
- ``fiches``: each record (a subject IRI and its hash parts ``…#contact``, ``…#risque-1``) of each graph
  is validated on its own subgraph: its triples, the full description of every node it links to
  (organisations, territories, concepts), the types and schemes of the nodes those link to, and the
  class and property hierarchies; the findings kept are those on the record's nodes and on the linked
  nodes that no record of the graph describes (concepts, external IRIs). Records are validated in
  batches, in a process pool when ``jobs > 1``.

``bench/validation_methods.py`` measures both on the real data. On 2026-11-26, all sources (133,646 data
triples, 6,645 records; 24,182 results, 0 violations, identical for every method), lean shapes, on the
shared 2-core machine (load average 5-11, so wall-clock times mostly measure the other processes):

    whole graph                           28.1 s CPU   (170 s wall, load 11.5)
    per record, batches of 50, 2 procs    48.4 s CPU   (161 s wall, load 7.1)
    per record, batches of 50, 1 proc     48.0 s CPU   (122 s wall, load 5.2)
    one pySHACL run per record            ~120 ms each, ~800 s in all (earlier run, full shapes)

and once the machine was calmer (load 2.2-2.8): whole graph 31.5 s wall (25.3 s CPU); per record in
2 processes 42.1 s wall (43.5 s CPU).

The cost is pySHACL's per (focus node, property shape) work plus, per record, re-reading the nodes it
links to; per-record validation does 1.7x the work, so on 2 cores it can at best tie. ``auto`` therefore
validates the whole graph; ``fiches`` stays for validating records one at a time (contributions).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

BATCH_SIZE = 50
SEVERITY_FR = {"Violation": "violation", "Warning": "avertissement", "Info": "information"}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result, reduced to what identifies it plus its French message."""

    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    component: str
    shape: str
    value: str  # two bad values of one field are two findings
    message: str = field(compare=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.focus, self.path, self.component, self.severity)


@dataclass
class ValidationOutcome:
    method: str
    findings: set[Finding]
    seconds: float
    records: int = 0

    @property
    def violations(self) -> list[Finding]:
        return sorted(f for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> list[Finding]:
        return sorted(f for f in self.findings if f.severity == "Warning")

    def summary(self) -> dict:
        by_message = Counter(f.message for f in self.warnings)
        return {
            "method": self.method,
            "seconds": round(self.seconds, 3),
            "records": self.records,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "warnings_by_message": [{"message": m, "count": n} for m, n in by_message.most_common()],
        }

    def findings_json(self) -> str:
        """Every finding, sorted, as JSON (published with the build)."""
        rows = [asdict(f) for f in sorted(self.findings)]
        return json.dumps({"method": self.method, "results": rows}, ensure_ascii=False, separators=(",", ":")) + "\n"

    def text_fr(self, limit: int | None = None) -> str:
        """The French report: each violation, then the warnings counted by message (or listed)."""
        lines = [f"Validation SHACL ({self.method}) : {len(self.violations)} violation(s), "
                 f"{len(self.warnings)} avertissement(s)."]
        for finding in self.violations[:limit]:
            lines.append(_line(finding))
        if limit is not None and len(self.violations) > limit:
            lines.append(f"… et {len(self.violations) - limit} autre(s) violation(s). Violations par message :")
            for message, count in Counter(f.message for f in self.violations).most_common():
                lines.append(f"  {count:>6} × {message}")
        if self.warnings:
            lines.append("Avertissements (publiés ; à compléter quand les sources le permettent) :")
            for message, count in Counter(f.message for f in self.warnings).most_common():
                lines.append(f"  {count:>6} × {message}")
        return "\n".join(lines)


def _line(f: Finding) -> str:
    where = f"{f.focus}"
    if f.path:
        where += f", propriété <{f.path}>"
    value = f" (valeur : {f.value})" if f.value else ""
    return f"  [{SEVERITY_FR.get(f.severity, f.severity)}] {where} : {f.message}{value}"


def _pick_fr(values: Iterable[Literal]) -> str:
    by_lang = {v.language or "": str(v) for v in values}
    for lang in ("fr", "", "en"):
        if lang in by_lang:
            return by_lang[lang]
    return next(iter(by_lang.values()), "")


def findings(report: Graph) -> set[Finding]:
    """The findings of a pySHACL results graph."""
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(prop, result=result):
            value = report.value(result, prop)
            return "" if value is None else str(value)

        severity = one(SH.resultSeverity).rsplit("#", 1)[-1]
        messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
        path = report.value(result, SH.resultPath)
        found.add(Finding(
            severity=severity,
            focus=one(SH.focusNode),
            path=str(path) if isinstance(path, URIRef) else ("" if path is None else "(chemin complexe)"),
            component=one(SH.sourceConstraintComponent).rsplit("#", 1)[-1],
            shape=one(SH.sourceShape) if isinstance(report.value(result, SH.sourceShape), URIRef) else "",
            value=one(SH.value),
            message=_pick_fr(messages),
        ))
    return found


def run_pyshacl(data: Graph, shapes: Graph) -> set[Finding]:
    """Validate ``data`` — which pySHACL may change: pass a graph of your own — against ``shapes``.

    pySHACL's ``focus_nodes`` option is not used: it also filters the value nodes of nested ``sh:node``
    checks (see ingest.validate), and its list lookups cost O(targets × focus nodes). Per-record callers
    filter the findings by focus node instead.
    """
    _conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, inplace=True, allow_warnings=True,
    )
    return findings(report)


def lean_shapes(shapes: Graph) -> Graph:
    """The shapes pySHACL needs (ingest.validate.executable_shapes: no documentation triples, ~2x faster),
    plus one ``sh:message`` per shape — the French one — so that results keep their message."""
    from ingest.validate import executable_shapes

    lean = union([executable_shapes(shapes)])
    for shape in set(shapes.subjects(SH.message)):
        messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
        french = [m for m in messages if m.language == "fr"] or messages
        lean.add((shape, SH.message, sorted(french)[0]))
    return lean


def union(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for graph in graphs:
        merged += graph
    return merged


@dataclass
class Plan:
    """What each graph is validated against (from ``ingest.validate``, read from ``root``)."""

    shapes: dict[str, Graph]  # profile -> shapes graph
    nomenclature_shapes: Graph
    support: Graph
    profiles: dict[str, str]  # data graph name -> profile


def make_plan(root: Path, graph_names: Iterable[str], library_graph: str) -> Plan:
    from ingest.validate import PROFILES, load_nomenclature_shapes, load_shapes, load_support

    shapes_dir, ontology_dir = root / "shapes", root / "ontology"
    profiles = {name: "bibliotheque" if name == library_graph else "registre" for name in graph_names}
    return Plan(
        shapes={profile: lean_shapes(load_shapes(profile, shapes_dir)) for profile in PROFILES},
        nomenclature_shapes=lean_shapes(load_nomenclature_shapes(shapes_dir)),
        support=load_support(ontology_dir),
        profiles=profiles,
    )


def as_rdflib(data_graphs: dict[str, Graph]) -> dict[str, Graph]:
    """pySHACL reads rdflib graphs: those the build read into a pyoxigraph store (``StoredGraph``) converted."""
    from ingest.shacl_sparql_run import StoredGraph

    return {name: g.to_rdflib() if isinstance(g, StoredGraph) else g for name, g in data_graphs.items()}


def validate_whole(
    data_graphs: dict[str, Graph], nomenclature: Graph, plan: Plan, progress: Callable | None = None,
) -> set[Finding]:
    data_graphs = as_rdflib(data_graphs)
    found = run_pyshacl(union([nomenclature]), plan.nomenclature_shapes)
    names = list(data_graphs)
    for name in progress(names, "Validation", len(names)) if progress else names:
        found |= run_pyshacl(union([data_graphs[name], plan.support]), plan.shapes[plan.profiles[name]])
    return found


# --- per record --------------------------------------------------------------------------------------


def record_key(node) -> str | None:
    """The record a subject belongs to: its IRI without fragment (hash parts join their parent)."""
    return str(node).split("#", 1)[0] if isinstance(node, URIRef) else None


def record_groups(data) -> dict[str, set[URIRef]]:
    """Subjects by record, of an rdflib graph or of a ``StoredGraph`` (``ingest.shacl_sparql_run``)."""
    groups: dict[str, set[URIRef]] = defaultdict(set)
    subjects = data.subjects() if hasattr(data, "store") else set(data.subjects())
    for subject in subjects:
        key = record_key(subject)
        if key is not None:
            groups[key].add(subject)
    return groups


def record_subgraph(nodes: set[URIRef], full: Graph, described: set[str]) -> tuple[Graph, list]:
    """The subgraph of one record and its focus nodes (see the module docstring)."""
    sub = Graph()
    linked: set[URIRef] = set()
    for node in nodes:
        for p, o in full.predicate_objects(node):
            sub.add((node, p, o))
            if isinstance(o, URIRef) and o not in nodes:
                linked.add(o)
    hop2: set[URIRef] = set()
    for node in linked:
        for p, o in full.predicate_objects(node):
            sub.add((node, p, o))
            if isinstance(o, URIRef):
                hop2.add(o)
    for node in hop2 - linked - nodes:  # what sh:class and the scheme checks read of a node two links away
        for prop in (RDF.type, SKOS.inScheme):
            for value in full.objects(node, prop):
                sub.add((node, prop, value))
    focus = sorted(nodes) + sorted(o for o in linked if record_key(o) not in described)
    return sub, focus


_WORKER: dict[str, Graph] = {}


def _init_worker(shapes_nt: dict[str, bytes]) -> None:
    _WORKER.clear()
    for profile, nt in shapes_nt.items():
        _WORKER[profile] = Graph().parse(data=nt, format="nt")


def _validate_batch(args: tuple[str, bytes, list[str]]) -> set[Finding]:
    """Worker: validate a batch of record subgraphs (N-Triples); keep the findings on its focus nodes."""
    profile, data_nt, focus = args
    data = Graph().parse(data=data_nt, format="nt")
    allowed = set(focus)
    return {f for f in run_pyshacl(data, _WORKER[profile]) if f.focus in allowed}


def validate_records(
    data_graphs: dict[str, Graph], nomenclature: Graph, plan: Plan, jobs: int = 1,
    batch_size: int = BATCH_SIZE, progress: Callable | None = None, keys: list[str] | None = None,
) -> tuple[set[Finding], int]:
    """Per-record validation; ``keys`` restricts it to some records (tests compare on a sample)."""
    data_graphs = as_rdflib(data_graphs)
    found = set() if keys is not None else run_pyshacl(union([nomenclature]), plan.nomenclature_shapes)
    shapes_nt = {p: g.serialize(format="nt", encoding="utf-8") for p, g in plan.shapes.items()}
    # the class and property hierarchies go with every batch (sh:class follows rdfs:subClassOf in the data);
    # the concepts' types and schemes come with the nodes a record links to
    axioms = Graph()
    for prop in (RDFS.subClassOf, RDFS.subPropertyOf):
        for triple in plan.support.triples((None, prop, None)):
            axioms.add(triple)
    work: list[tuple[str, Graph, dict[str, set[URIRef]], list[str]]] = []
    for name, graph in data_graphs.items():
        groups = record_groups(graph)
        selected = sorted(groups) if keys is None else [k for k in keys if k in groups]
        if selected:
            work.append((plan.profiles[name], union([graph, plan.support]), groups, selected))
    n_records = sum(len(selected) for *_rest, selected in work)

    def batches():
        for profile, full, groups, selected in work:
            described = set(groups)
            for start in range(0, len(selected), batch_size):
                batch = union([axioms])
                focus_all: list[str] = []
                for key in selected[start:start + batch_size]:
                    sub, focus = record_subgraph(groups[key], full, described)
                    batch += sub
                    focus_all += [str(f) for f in focus]
                yield profile, batch.serialize(format="nt", encoding="utf-8"), focus_all

    total = sum((len(selected) + batch_size - 1) // batch_size for *_rest, selected in work)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(shapes_nt,)) as pool:
            results = pool.map(_validate_batch, batches())
            for part in progress(results, "Validation", total) if progress else results:
                found |= part
    else:
        _init_worker(shapes_nt)
        results = map(_validate_batch, batches())
        for part in progress(results, "Validation", total) if progress else results:
            found |= part
    return found, n_records


def validate_graphs(
    data_graphs: dict[str, Graph], nomenclature: Graph, plan: Plan, method: str = "auto",
    jobs: int = 1, progress: Callable | None = None,
) -> ValidationOutcome:
    """Validate the data graphs with the chosen method (``auto``: the faster one, see the module docstring)."""
    if method == "auto":
        method = "graphe"
    start = time.perf_counter()
    if method in ("graphe", "fiches"):  # converted once for both the validation and the count of records
        data_graphs = as_rdflib(data_graphs)
    if method == "graphe":
        found = validate_whole(data_graphs, nomenclature, plan, progress=progress)
        records = sum(len(record_groups(graph)) for graph in data_graphs.values())
    elif method == "fiches":
        found, records = validate_records(data_graphs, nomenclature, plan, jobs=jobs, progress=progress)
    elif method == "sparql":  # the shapes compiled to SPARQL (ingest.shacl_sparql): same findings, ~15x less CPU
        from ingest.shacl_sparql_run import validate_build

        found = validate_build(data_graphs, nomenclature, plan, progress=progress)
        records = sum(len(record_groups(graph)) for graph in data_graphs.values())
    else:
        raise ValueError(f"méthode de validation inconnue : {method}")
    return ValidationOutcome(method, found, time.perf_counter() - start, records)
