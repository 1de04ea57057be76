"""Validation of an incremental build: the affected focus nodes, each data graph's subgraph around them, the
compiled engine (``ingest.shacl_sparql_run``) on it, and the findings of the other nodes carried over.

Why it is exact. A full build's findings are those of the nomenclature (validated alone) and of each data
graph validated with the support graph. A change replaces the triples of a set S of subjects in a graph.
A node's findings read (``ingest.shape_depth``) its own triples and those of the nodes up to ``depth`` links
away, whether it is targeted (its ``rdf:type``, or a ``sh:targetObjectsOf`` triple pointing at it) and the
support graph. So the only nodes whose findings can change are F: S, the nodes with a path of at most
``depth`` links to S (found backwards from S), and the objects of the target predicates in S's old and new
triples. Each node of F is validated again, in every data graph of data/ that mentions it, on the subgraph of
the nodes up to ``depth`` links from F (plus one triple pointing at each node of F per target predicate, and
the support graph); the findings on F replace the previous build's findings on F. A node of F that already
had findings and appears in a register graph, or in the nomenclature, gets those graphs' findings too: the
nomenclature is validated again whole (small); a register sends the build back to a full one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store

from ingest.shape_depth import ShapeNeeds
from ingest.validation_runner import Finding, ValidationOutcome

SUBGRAPH = "urn:ia-territoriales:incremental:sous-graphe"
MAX_DEPTH = 2  # the deepest reads an incremental build extracts (the project's shapes need 1; tested)


class NeedFullBuild(Exception):
    """The change cannot be applied incrementally; ``str()`` is the French reason."""


def key(term) -> str:
    """A node as ``Finding.focus`` names it: the IRI, or the blank node's label."""
    return term.value


def read_findings(path: Path) -> set[Finding]:
    """The findings a build published (``dumps/rapport-validation.json``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {Finding(**row) for row in data["results"]}


def affected(store: Store, graph: NamedNode, subjects: Iterable, changed_quads: Iterable[Quad],
             needs: ShapeNeeds) -> dict[str, object]:
    """F for one graph (see the module docstring): key -> term."""
    found: dict[str, object] = {key(s): s for s in subjects}
    frontier = list(found.values())
    for _level in range(needs.depth or 0):
        following = []
        for node in frontier:
            for quad in store.quads_for_pattern(None, None, node, graph):
                k = key(quad.subject)
                if k not in found:
                    found[k] = quad.subject
                    following.append(quad.subject)
        frontier = following
    for quad in changed_quads:
        if quad.predicate.value in needs.target_object_predicates and isinstance(quad.object, NamedNode | BlankNode):
            found.setdefault(key(quad.object), quad.object)
    return found


def mentions(store: Store, graph: NamedNode, term) -> bool:
    if next(iter(store.quads_for_pattern(term, None, None, graph)), None) is not None:
        return True
    return isinstance(term, NamedNode | BlankNode) and next(
        iter(store.quads_for_pattern(None, None, term, graph)), None) is not None


def extract(store: Store, graph: NamedNode, focus: Iterable, needs: ShapeNeeds) -> list[Quad]:
    """The triples of the nodes up to ``needs.depth`` links from ``focus`` in ``graph``, plus one triple per
    target predicate pointing at each focus node, into ``SUBGRAPH`` with blank nodes skolemised."""
    from ingest.shacl_sparql import BLANK_PREFIX

    target = NamedNode(SUBGRAPH)

    def sk(term):
        return NamedNode(BLANK_PREFIX + term.value) if isinstance(term, BlankNode) else term

    quads: dict[Quad, None] = {}
    seen = {key(t) for t in focus}
    frontier = list(focus)
    for level in range((needs.depth or 0) + 1):
        following = []
        for node in frontier:
            for quad in store.quads_for_pattern(node, None, None, graph):
                quads[Quad(sk(quad.subject), quad.predicate, sk(quad.object), target)] = None
                obj = quad.object
                if level < (needs.depth or 0) and isinstance(obj, NamedNode | BlankNode) and key(obj) not in seen:
                    seen.add(key(obj))
                    following.append(obj)
        frontier = following
    for node in focus:
        if not isinstance(node, NamedNode | BlankNode):
            continue
        for predicate in sorted(needs.target_object_predicates):
            quad = next(iter(store.quads_for_pattern(None, NamedNode(predicate), node, graph)), None)
            if quad is not None:
                quads[Quad(sk(quad.subject), quad.predicate, sk(quad.object), target)] = None
    return list(quads)


def validate_subgraph(quads: list[Quad], support_nt: bytes, shapes, files: list[tuple[Path, str]],
                      focus_keys: set[str]) -> set[Finding]:
    """The compiled engine on ``quads`` + the support graph; the findings on ``focus_keys``."""
    from ingest.shacl_sparql_run import SUPPORT_GRAPH, StoredGraph, _stored_rows, findings

    mini = Store()
    mini.extend(quads)
    mini.bulk_load(input=support_nt, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(SUPPORT_GRAPH))
    data = StoredGraph(mini, SUBGRAPH, has_blank_nodes=True, files=list(files))
    return {f for f in findings(_stored_rows(data, shapes), shapes) if f.focus in focus_keys}


def nomenclature_findings(root: Path, base: str, plan) -> set[Finding]:
    """The nomenclature's findings, as a full build computes them (read with rdflib from ontology/)."""
    from ingest.build import _read_files, ontology_files
    from ingest.shacl_sparql_run import findings, run_shapes

    graph = _read_files(ontology_files(root / "ontology"), base)
    return findings(run_shapes([graph], plan.nomenclature_shapes), plan.nomenclature_shapes)


def outcome(findings: set[Finding], seconds: float, records: int) -> ValidationOutcome:
    return ValidationOutcome("sparql", findings, seconds, records)
