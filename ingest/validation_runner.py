"""How the build validates: the whole graph at once, or each record's own subgraph (in parallel).

Both methods validate the union of the data graphs (the library and every register) with the
nomenclature (ontology, schemes, reference vocabularies) against the shapes, and must report the same
set of findings — (focus node, path, constraint component, severity) — which a test checks on a sample.

- ``graphe``: one pySHACL run over data ∪ nomenclature.
- ``fiches``: the nomenclature is validated alone, then each record (a subject IRI and its hash parts
  ``…#contact``, ``…#risque-1``) is validated on its own subgraph: its triples, the full description of
  every node it links to (organisations, territories, concepts), the types of the nodes those link to,
  and the ontology's subclass axioms; with the record's nodes and the linked nodes that no record
  describes (concepts, external IRIs) as focus nodes. Records are validated in batches, in a process
  pool when ``jobs > 1``.

``bench/validation_methods.py`` measures both on the real data; ``auto`` uses the method it found faster.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

# measured by bench/validation_methods.py on the full real data (see its docstring for the figures)
AUTO_METHOD = "graphe"
BATCH_SIZE = 50
SEVERITY_FR = {"Violation": "violation", "Warning": "avertissement", "Info": "information"}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result, reduced to what identifies it plus its French message."""

    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    component: str
    shape: str = field(compare=False)
    value: str = field(compare=False)
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
        return json.dumps({"method": self.method, "results": rows}, ensure_ascii=False, indent=1) + "\n"

    def text_fr(self, limit: int | None = None) -> str:
        """The French report: each violation, then the warnings counted by message (or listed)."""
        lines = [f"Validation SHACL ({self.method}) : {len(self.violations)} violation(s), "
                 f"{len(self.warnings)} avertissement(s)."]
        for finding in self.violations[:limit]:
            lines.append(_line(finding))
        if limit is not None and len(self.violations) > limit:
            lines.append(f"… et {len(self.violations) - limit} autre(s) violation(s).")
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


def run_pyshacl(data: Graph, shapes: Graph, focus_nodes: list[URIRef] | None = None) -> set[Finding]:
    _conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
        focus_nodes=focus_nodes or None,
    )
    return findings(report)


def union(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for graph in graphs:
        merged += graph
    return merged


def validate_whole(data_graphs: dict[str, Graph], nomenclature: Graph, shapes: Graph) -> set[Finding]:
    return run_pyshacl(union([*data_graphs.values(), nomenclature]), shapes)


# --- per record --------------------------------------------------------------------------------------


def record_key(node) -> str | None:
    """The record a subject belongs to: its IRI without fragment (hash parts join their parent)."""
    return str(node).split("#", 1)[0] if isinstance(node, URIRef) else None


def record_groups(data: Graph) -> dict[str, set[URIRef]]:
    groups: dict[str, set[URIRef]] = defaultdict(set)
    for subject in set(data.subjects()):
        key = record_key(subject)
        if key is not None:
            groups[key].add(subject)
    return groups


def record_subgraph(nodes: set[URIRef], full: Graph, described: set[str], axioms: Graph) -> tuple[Graph, list]:
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
    for node in hop2 - linked - nodes:
        for cls in full.objects(node, RDF.type):
            sub.add((node, RDF.type, cls))
    sub += axioms
    focus = sorted(nodes) + sorted(o for o in linked if record_key(o) not in described)
    return sub, focus


def _validate_batch(args: tuple[bytes, bytes, list[list[str]]]) -> set[Finding]:
    """Worker: parse a batch (N-Triples) and the shapes, validate each record of it on its own."""
    data_nt, shapes_nt, focus_lists = args
    data = Graph().parse(data=data_nt, format="nt")
    shapes = Graph().parse(data=shapes_nt, format="nt")
    return run_pyshacl(data, shapes, [URIRef(f) for focus in focus_lists for f in focus])


def validate_records(
    data_graphs: dict[str, Graph], nomenclature: Graph, shapes: Graph, jobs: int = 1,
    batch_size: int = BATCH_SIZE, progress: Callable | None = None, keys: list[str] | None = None,
) -> tuple[set[Finding], int]:
    """Per-record validation; ``keys`` restricts it to some records (tests compare on a sample)."""
    data = union(data_graphs.values())
    full = union([data, nomenclature])
    groups = record_groups(data)
    described = set(groups)
    axioms = Graph()
    for triple in nomenclature.triples((None, RDFS.subClassOf, None)):
        axioms.add(triple)
    found = set() if keys is not None else run_pyshacl(nomenclature, shapes)
    selected = sorted(groups) if keys is None else [k for k in keys if k in groups]
    shapes_nt = shapes.serialize(format="nt", encoding="utf-8")

    def batches():
        for start in range(0, len(selected), batch_size):
            batch = Graph()
            focus_lists = []
            for key in selected[start:start + batch_size]:
                sub, focus = record_subgraph(groups[key], full, described, axioms)
                batch += sub
                focus_lists.append([str(f) for f in focus])
            yield batch.serialize(format="nt", encoding="utf-8"), shapes_nt, focus_lists

    total = (len(selected) + batch_size - 1) // batch_size
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(_validate_batch, batches())
            for part in progress(results, "Validation", total) if progress else results:
                found |= part
    else:
        results = map(_validate_batch, batches())
        for part in progress(results, "Validation", total) if progress else results:
            found |= part
    return found, len(selected)


def validate_graphs(
    data_graphs: dict[str, Graph], nomenclature: Graph, shapes: Graph, method: str = "auto",
    jobs: int = 1, progress: Callable | None = None,
) -> ValidationOutcome:
    """Validate the data graphs with the chosen method (``auto``: the faster one, see AUTO_METHOD)."""
    method = AUTO_METHOD if method == "auto" else method
    start = time.perf_counter()
    shapes = union([shapes])  # pySHACL may add triples to the shapes graph it is given: keep ours intact
    if method == "graphe":
        found = validate_whole(data_graphs, nomenclature, shapes)
        records = len(record_groups(union(data_graphs.values())))
    elif method == "fiches":
        found, records = validate_records(data_graphs, nomenclature, shapes, jobs=jobs, progress=progress)
    else:
        raise ValueError(f"méthode de validation inconnue : {method}")
    return ValidationOutcome(method, found, time.perf_counter() - start, records)
