"""What the RDF of a resource is, as SPARQL, and how it is shaped for the HTML page.

A document holds the resource's own triples, those of its parts (hash IRIs ``…#risque-1`` and blank
nodes, two levels deep), and the labels (skos:prefLabel, rdfs:label, dct:title) of every resource
it links to, so a client can show it without further requests.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pyoxigraph as ox

from sparql_endpoint.prefixes import NOMENCLATURE, ONTOLOGY_IRI, PREFIXES, SHAPES_IRI

SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
DCT = PREFIXES["dct"]
OWL = PREFIXES["owl"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (f"{SKOS}prefLabel", f"{RDFS}label", f"{DCT}title")
_LABEL_VALUES = " ".join(f"<{p}>" for p in LABELS)
_FORBIDDEN = set('<>"{}|^`\\ \t\r\n')


def valid_iri(iri: str) -> bool:
    return bool(iri) and not any(c in _FORBIDDEN or ord(c) < 0x20 for c in iri)


def _part(var: str, iri: str) -> str:
    return f'FILTER(isBlank({var}) || STRSTARTS(STR({var}), "{iri}#"))'


def describe_query(iri: str, scheme_members: bool = False) -> str:
    """CONSTRUCT of a resource document (``iri`` must pass ``valid_iri``)."""
    members = (
        f"UNION {{ ?s <{SKOS}inScheme> <{iri}> . VALUES ?p {{ <{SKOS}prefLabel> <{SKOS}notation> <{SKOS}inScheme> }} ?s ?p ?o }}"
        if scheme_members
        else ""
    )
    return f"""CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?label }} WHERE {{
  {{ BIND(<{iri}> AS ?s) ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?s . {_part('?s', iri)} ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?x . {_part('?x', iri)} ?x ?p2 ?s . {_part('?s', iri)} ?s ?p ?o }}
  {members}
  OPTIONAL {{ FILTER(isIRI(?o)) VALUES ?lp {{ {_LABEL_VALUES} }} ?o ?lp ?label }}
}}"""


def graph_document_query(graph: str, prefix: str | None = None) -> str:
    """A vocabulary document: the triples of one named graph (whose subjects start with ``prefix``)."""
    keep = f'FILTER(isBlank(?s) || ?s = <{prefix}> || STRSTARTS(STR(?s), "{prefix}#"))' if prefix else ""
    return f"""CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?label }} WHERE {{
  GRAPH <{graph}> {{ ?s ?p ?o {keep} }}
  OPTIONAL {{ FILTER(isIRI(?o)) VALUES ?lp {{ {_LABEL_VALUES} }} ?o ?lp ?label }}
}}"""


def status_query(iri: str) -> str:
    """Does the resource exist; is it replaced or withdrawn? (one row, or none)."""
    return f"""SELECT ?replacement ?deprecated WHERE {{
  <{iri}> ?p ?o .
  OPTIONAL {{ <{iri}> <{DCT}isReplacedBy> ?replacement }}
  OPTIONAL {{ <{iri}> <{OWL}deprecated> ?deprecated }}
}} LIMIT 1"""


def vocabulary_iri(path: str) -> tuple[str, str] | None:
    """Local vocabulary path -> (public IRI, kind); kind is "ontology", "shapes", "scheme" or "concept"."""
    if path == "def":
        return ONTOLOGY_IRI, "ontology"
    if path == "shapes":
        return SHAPES_IRI, "shapes"
    if path.startswith("nomenclature/"):
        rest = path.removeprefix("nomenclature/")
        parts = rest.split("/")
        if len(parts) == 1 and parts[0]:
            return f"{NOMENCLATURE}{rest}", "scheme"
        if len(parts) == 2 and all(parts):
            return f"{NOMENCLATURE}{rest}", "concept"
    return None


def is_withdrawn(triples: list[ox.Triple], iri: str) -> bool:
    return any(
        t.subject.value == iri and t.predicate.value == f"{OWL}deprecated" and t.object.value in ("true", "1")
        for t in triples
    )


def replacement(triples: list[ox.Triple], iri: str) -> str | None:
    for t in triples:
        if t.subject.value == iri and t.predicate.value == f"{DCT}isReplacedBy" and isinstance(t.object, ox.NamedNode):
            return t.object.value
    return None


# ---- JSON-LD with the published context -------------------------------------------------------


def context_document(prefixes: dict[str, str]) -> dict[str, object]:
    return {"@context": dict(prefixes)}


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    local = iri[len(best) :]
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{local}" if local and "/" not in local and "#" not in local else iri


def _node_id(term: object) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value  # type: ignore[attr-defined]


def to_jsonld(triples: list[ox.Triple], context_url: str, prefixes: dict[str, str]) -> bytes:
    """Compact-IRI JSON-LD using the published ``@context`` (which maps exactly these prefixes)."""
    nodes: dict[str, dict[str, object]] = {}
    for t in triples:
        node = nodes.setdefault(_node_id(t.subject), {"@id": _node_id(t.subject)})
        if t.predicate.value == RDF_TYPE and not isinstance(t.object, ox.Literal):
            node.setdefault("@type", []).append(_node_id(t.object))  # type: ignore[union-attr]
            continue
        obj = t.object
        if isinstance(obj, ox.Literal):
            value: dict[str, object] = {"@value": obj.value}
            if obj.language:
                value["@language"] = obj.language
            elif obj.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                value["@type"] = obj.datatype.value
        else:
            value = {"@id": _node_id(obj)}
        node.setdefault(_compact(t.predicate.value, prefixes), []).append(value)  # type: ignore[union-attr]
    graph = [nodes[k] for k in sorted(nodes)]
    return json.dumps({"@context": context_url, "@graph": graph}, ensure_ascii=False, indent=1).encode()


# ---- HTML view model ----------------------------------------------------------------------------


@dataclass
class Value:
    text: str
    href: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass
class Node:
    iri: str
    label: str
    anchor: str
    types: list[Value] = field(default_factory=list)
    properties: list[tuple[str, str, list[Value]]] = field(default_factory=list)  # (curie, iri, values)


def _labels(triples: list[ox.Triple]) -> dict[str, str]:
    """IRI -> its best label (French first, then English, then any)."""
    ranked: dict[str, tuple[int, str]] = {}
    rank_lang = {"fr": 0, "en": 1}
    for t in triples:
        if t.predicate.value in LABELS and isinstance(t.object, ox.Literal):
            rank = (LABELS.index(t.predicate.value), rank_lang.get(t.object.language or "", 2))
            score = rank[1] * 10 + rank[0]
            key = _node_id(t.subject)
            if key not in ranked or score < ranked[key][0]:
                ranked[key] = (score, t.object.value)
    return {k: v for k, (_, v) in ranked.items()}


def view_model(triples: list[ox.Triple], iri: str, prefixes: dict[str, str], local_href) -> list[Node]:
    labels = _labels(triples)
    order: list[str] = []
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        key = _node_id(t.subject)
        if key not in by_subject:
            order.append(key)
        by_subject.setdefault(key, []).append(t)
    main = [iri] if iri in by_subject else []
    parts = sorted(k for k in order if k != iri and (k.startswith(f"{iri}#") or k.startswith("_:")))
    # other resources described beyond their labels (the concepts of a scheme, the terms of /def)
    parts += sorted(
        k for k in order
        if k != iri and k not in parts and any(t.predicate.value not in LABELS for t in by_subject[k])
    )
    nodes = []
    for key in main + parts:
        node = Node(key, labels.get(key, _compact(key, prefixes)), key.rsplit("#", 1)[-1] if "#" in key else "")
        grouped: dict[str, list[Value]] = {}
        for t in sorted(by_subject[key], key=lambda t: (t.predicate.value, str(t.object))):
            obj = t.object
            if isinstance(obj, ox.Literal):
                dt = None if obj.language or obj.datatype.value.endswith("#string") else _compact(obj.datatype.value, prefixes)
                value = Value(obj.value, None, obj.language, dt)
            else:
                ref = _node_id(obj)
                value = Value(labels.get(ref, _compact(ref, prefixes)), local_href(ref))
            if t.predicate.value == RDF_TYPE:
                node.types.append(value)
            else:
                grouped.setdefault(t.predicate.value, []).append(value)
        node.properties = [(_compact(p, prefixes), p, vals) for p, vals in grouped.items()]
        nodes.append(node)
    return nodes


# ---- cache --------------------------------------------------------------------------------------


class DocumentCache:
    """The triples of recently served documents, per build (a build never changes once swapped in),
    so a popular page costs no query. Least recently used entries go first."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], list[ox.Triple]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> list[ox.Triple] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], triples: list[ox.Triple]) -> None:
        with self._lock:
            self._entries[key] = triples
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
