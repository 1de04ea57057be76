"""How far from a focus node the SHACL shapes read: what an incremental build must re-validate and extract.

An incremental build (``ingest.incremental``) re-validates only the focus nodes a change can affect, each on a
subgraph of the store. Both depend on how far from its focus node a shape reads the data:

- level 0: the focus node's own triples (its values, its ``rdf:type`` for ``sh:targetClass``);
- level 1: the triples of its values (``sh:class`` reads the value's ``rdf:type``, ``sh:node`` the value's
  properties);
- level n: ``sh:node`` nested inside ``sh:node``, and so on.

``needs(shapes)`` returns the deepest level (``depth``) over every shape with a target, the predicates of
``sh:targetObjectsOf`` (a node is targeted by a triple pointing at it) and the ``sh:targetNode`` IRIs. It
returns ``depth=None`` with a French reason for what it cannot bound: a SPARQL constraint, a SPARQL target
reading more than ``?this``'s own triples, a path that is not a single IRI, a recursive ``sh:node``. The class
hierarchy (``rdfs:subClassOf*``) is read from the support graph; a change that asserts ``rdfs:subClassOf`` is
sent to a full build by ``ingest.incremental``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import SH

# parameters whose value is a shape (or a list of shapes) applied to each value node
_SHAPE_PARAMS = (SH.node, SH.qualifiedValueShape, SH["not"])
_LIST_PARAMS = (SH["or"], SH["and"], SH.xone)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)


class Unbounded(Exception):
    """A shape whose reads cannot be bounded; ``str()`` is a French reason."""


@dataclass
class ShapeNeeds:
    depth: int | None  # deepest level of triples read (0: the focus node's own); None: unbounded
    reason: str = ""  # French, when depth is None
    target_object_predicates: set[str] = field(default_factory=set)
    target_nodes: set[str] = field(default_factory=set)


def _name(shape) -> str:
    return f"<{shape}>" if isinstance(shape, URIRef) else "(forme anonyme)"


def _value_depth(shapes: Graph, shape, stack: tuple) -> int:
    """Deepest level read *relative to a value node* by the value parameters of ``shape``; -1: none."""
    depth = -1
    if (shape, SH["class"], None) in shapes:
        depth = 0  # the value's rdf:type
    for param in _SHAPE_PARAMS:
        for inner in shapes.objects(shape, param):
            depth = max(depth, _node_depth(shapes, inner, stack))
    for param in _LIST_PARAMS:
        for head in shapes.objects(shape, param):
            for inner in Collection(shapes, head):
                depth = max(depth, _node_depth(shapes, inner, stack))
    return depth


def _property_depth(shapes: Graph, prop, stack: tuple) -> int:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise Unbounded(f"forme {_name(prop)} : chemin qui n'est pas une seule propriété")
    return max(0, 1 + _value_depth(shapes, prop, stack))


def _node_depth(shapes: Graph, shape, stack: tuple = ()) -> int:
    """Deepest level read when ``shape`` validates a node (level 0 = that node's own triples)."""
    if shape in stack:
        raise Unbounded(f"forme {_name(shape)} : sh:node récursif")
    stack = (*stack, shape)
    if (shape, SH.sparql, None) in shapes:
        raise Unbounded(f"forme {_name(shape)} : contrainte SPARQL (sh:sparql), portée inconnue")
    if (shape, SH.path, None) in shapes:  # a property shape used as a node shape (targets or sh:node)
        return _property_depth(shapes, shape, stack)
    depth = max(0, _value_depth(shapes, shape, stack))  # value parameters on the node itself
    for prop in shapes.objects(shape, SH.property):
        if (prop, SH.sparql, None) in shapes:
            raise Unbounded(f"forme {_name(prop)} : contrainte SPARQL (sh:sparql), portée inconnue")
        depth = max(depth, _property_depth(shapes, prop, stack))
    return depth


def _sparql_target_is_local(shapes: Graph, target) -> bool:
    """A SPARQL target that only matches ``?this``'s own triples (``?this p o`` patterns, constants)."""
    from rdflib.plugins.sparql import prepareQuery

    select = shapes.value(target, SH.select)
    if select is None:
        return False
    try:
        query = prepareQuery(str(select))
    except Exception:  # rdflib's parser raises several types; an unreadable target is unbounded
        return False
    ok = True

    def visit(node) -> None:
        nonlocal ok
        if isinstance(node, dict) or hasattr(node, "name"):
            if getattr(node, "name", "") == "BGP":
                for s, p, o in node["triples"]:
                    if s != Variable("this") or not isinstance(p, URIRef) or isinstance(o, Variable):
                        ok = False
            for value in (node.values() if hasattr(node, "values") else []):
                visit(value)
        elif isinstance(node, list | tuple):
            for value in node:
                visit(value)

    visit(query.algebra)
    return ok and "EXISTS" not in str(select).upper()


def needs(shapes: Graph) -> ShapeNeeds:
    """What the shapes read around each focus node (see the module docstring)."""
    result = ShapeNeeds(depth=0)
    targeted = {s for t in _TARGETS for s in shapes.subjects(t, None)}
    try:
        for shape in sorted(targeted, key=str):
            for predicate in shapes.objects(shape, SH.targetObjectsOf):
                result.target_object_predicates.add(str(predicate))
            for node in shapes.objects(shape, SH.targetNode):
                result.target_nodes.add(str(node))
            for target in shapes.objects(shape, SH.target):
                if not (isinstance(target, BNode | URIRef) and _sparql_target_is_local(shapes, target)):
                    raise Unbounded(f"forme {_name(shape)} : cible SPARQL qui lit plus que la ressource visée")
            result.depth = max(result.depth, _node_depth(shapes, shape))
    except Unbounded as exc:
        return ShapeNeeds(depth=None, reason=str(exc))
    return result
