"""SHACL compiled to SPARQL: each constraint of the loaded shapes becomes one SELECT query.

pySHACL walks every (focus node, property shape) pair in Python (~15 ms per use case). Here each
constraint of ``shapes/`` is compiled once into a SPARQL SELECT query that returns its violations as
``(?this, ?value[, ?path])`` rows, run on a pyoxigraph in-memory store holding the data and the support
graph (``ingest.shacl_sparql_run``). The results are ``ingest.validate``'s ``Report``/``Result`` objects.

Supported, with pySHACL's semantics (checked case by case by tests/ingest/test_shacl_sparql.py):
targets sh:targetClass (through rdfs:subClassOf*), sh:targetNode, sh:targetObjectsOf,
sh:targetSubjectsOf, sh:target with sh:SPARQLTarget; property shapes with an IRI sh:path; sh:minCount,
sh:maxCount, sh:datatype (ill-typed literals fail, as in pySHACL: see ``checked_datatypes``),
sh:nodeKind, sh:class (rdf:type/rdfs:subClassOf*), sh:node, sh:hasValue, sh:in, sh:pattern (+ sh:flags),
sh:languageIn, sh:uniqueLang, sh:minInclusive, sh:maxLength, sh:lessThanOrEquals, sh:or, sh:and,
sh:not, sh:qualifiedValueShape with sh:qualifiedMinCount/MaxCount, sh:sparql (SPARQLConstraint),
sh:severity. Anything else raises ``UnsupportedShapeError`` when the shapes are compiled: a constraint
is never skipped silently.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import count

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH

from ingest.validate import ShapesLoadError

# Named graph of the store holding the ill-typed literals (see ``ingest.shacl_sparql_run``).
ILL_TYPED_GRAPH = "urn:ia-territoriales:validation:mal-types"
ILL_TYPED_PREDICATE = "urn:ia-territoriales:validation:mal-type"

# Parameters that carry no constraint (documentation, severity, structure).
PASSIVE = frozenset({SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, RDF.type,
                     RDFS.label, RDFS.comment, RDFS.seeAlso, SH.property, SH.path})
TARGETS = frozenset({SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target})
# Parameters checked value by value: the condition holds for a conforming value ``?v``.
VALUE_PARAMS = (SH.datatype, SH.nodeKind, SH["class"], SH.node, SH["in"], SH.pattern, SH.languageIn,
                SH.minInclusive, SH.maxLength, SH["or"], SH["and"], SH["not"])
COMPONENTS = {
    SH.datatype: "DatatypeConstraintComponent", SH.nodeKind: "NodeKindConstraintComponent",
    SH["class"]: "ClassConstraintComponent", SH.node: "NodeConstraintComponent",
    SH["in"]: "InConstraintComponent", SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent", SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent", SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent", SH["not"]: "NotConstraintComponent",
    SH.minCount: "MinCountConstraintComponent", SH.maxCount: "MaxCountConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent", SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}
HANDLED = PASSIVE | TARGETS | set(COMPONENTS) | {SH.qualifiedValueShape, SH.flags}
# Blank nodes are loaded as IRIs under this prefix (oxigraph renames blank nodes when it parses, and
# results must name them as rdflib does): these tests tell them apart.
BLANK_PREFIX = "urn:ia-territoriales:validation:noeud-anonyme:"
IS_BLANK = 'STRSTARTS(STR({v}), "' + BLANK_PREFIX + '")'
IS_IRI = "(isIRI({v}) && !" + IS_BLANK + ")"
NODE_KINDS = {
    SH.IRI: IS_IRI, SH.Literal: "isLiteral({v})", SH.BlankNode: IS_BLANK,
    SH.BlankNodeOrIRI: "isIRI({v})", SH.BlankNodeOrLiteral: f"({IS_BLANK} || isLiteral({{v}}))",
    SH.IRIOrLiteral: f"({IS_IRI} || isLiteral({{v}}))",
}
SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


class UnsupportedShapeError(ShapesLoadError):
    """A shape uses a SHACL feature this engine does not compile (French message naming the shape)."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its query returns ``?this`` (and ``?value``, ``?path`` when it has them)."""

    query: str
    shape: URIRef | BNode  # sh:sourceShape
    component: str  # full IRI of the constraint component
    severity: URIRef
    path: URIRef | None
    constraint: URIRef | BNode | None = None  # sh:sourceConstraint (SPARQL constraints)
    value_is_focus: bool = False  # node-level constraints: the value is the focus node
    has_value: bool = True  # the query binds ?value


def _err(shapes: Graph, node, what: str) -> UnsupportedShapeError:
    name = node.n3(shapes.namespace_manager) if isinstance(node, URIRef) else "(nœud anonyme)"
    return UnsupportedShapeError(f"forme {name} : {what} n'est pas pris en charge par le moteur SPARQL "
                                 "(ingest/shacl_sparql.py) ; utilisez --moteur pyshacl")


def _term(node) -> str:
    if isinstance(node, BNode):
        raise ValueError("blank node in a constraint value")
    return node.n3()


def _items(shapes: Graph, node) -> list:
    return list(Collection(shapes, node))


def python_regex_to_sparql(pattern: str) -> str:
    """Python's ``$`` (pySHACL uses ``re``) also matches before a final newline; Rust's (oxigraph) does not."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = "(?:\\n?$)"
        out.append(char)
        i += 1
    return "".join(out)


@functools.cache
def _regex_runs(regex: str, flag_arg: str) -> bool:
    """Whether oxigraph accepts the regular expression (an invalid one makes REGEX unbound, not an error)."""
    from pyoxigraph import Store

    rows = list(Store().query(f'SELECT (REGEX("", {regex}{flag_arg}) AS ?ok) {{}}'))
    return rows[0]["ok"] is not None


def _string(text: str) -> str:
    return Literal(text).n3()


class Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.fresh = count()

    def var(self) -> str:
        return f"?_v{next(self.fresh)}"

    def params(self, shape) -> set:
        found = set(self.shapes.predicates(shape, None))
        unknown = {p for p in found if p not in HANDLED and (str(p).startswith(str(SH)) or p == SH.deactivated)}
        if unknown:
            raise _err(self.shapes, shape, ", ".join(sorted(u.n3(self.shapes.namespace_manager) for u in unknown)))
        return found

    def path(self, shape) -> URIRef:
        path = self.shapes.value(shape, SH.path)
        if not isinstance(path, URIRef):
            raise _err(self.shapes, shape, "un chemin sh:path qui n'est pas une IRI simple")
        return path

    # ------------------------------------------------------------------ value conditions

    def value_ok(self, shape, param, v: str) -> str:
        """SPARQL expression true when value ``v`` satisfies ``param`` of ``shape``."""
        g = self.shapes
        values = list(g.objects(shape, param))
        if len(values) != 1:
            raise _err(g, shape, f"{param.n3(g.namespace_manager)} répété")
        arg = values[0]
        if param == SH.datatype:
            if arg == RDF.langString:
                return f'(isLiteral({v}) && LANG({v}) != "")'
            if arg == XSD.string:
                return f"(isLiteral({v}) && DATATYPE({v}) = <{XSD.string}>)"
            if arg == RDFS.Literal:
                return f"isLiteral({v})"
            return (f"(isLiteral({v}) && DATATYPE({v}) = {_term(arg)} && "
                    f"NOT EXISTS {{ GRAPH <{ILL_TYPED_GRAPH}> {{ <{ILL_TYPED_GRAPH}> <{ILL_TYPED_PREDICATE}> {v} }} }})")
        if param == SH.nodeKind:
            if arg not in NODE_KINDS:
                raise _err(g, shape, f"sh:nodeKind {arg}")
            return NODE_KINDS[arg].format(v=v)
        if param == SH["class"]:
            return f"EXISTS {{ {v} {SUBCLASS} {_term(arg)} }}"
        if param == SH.node:
            return self.conforms(arg, v)
        if param == SH["in"]:
            members = _items(g, arg)
            return "(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")" if members else "false"
        if param == SH.pattern:
            flags = g.value(shape, SH.flags)
            regex = _string(python_regex_to_sparql(str(arg)))
            flag_arg = f", {_string(str(flags))}" if flags is not None else ""
            if not _regex_runs(regex, flag_arg):
                raise _err(g, shape, f"l'expression rationnelle {arg} (hors de la syntaxe de oxigraph)")
            return f"(!{IS_BLANK.format(v=v)} && REGEX(STR({v}), {regex}{flag_arg}))"
        if param == SH.languageIn:
            tags = [str(t).lower() for t in _items(g, arg)]
            if "*" in tags:
                return f'(isLiteral({v}) && LANG({v}) != "")'
            lang = f"LCASE(LANG({v}))"
            tests = " || ".join(f"{lang} = {_string(t)} || STRBEFORE(CONCAT({lang}, \"-\"), \"-\") = {_string(t)}"
                                for t in tags)
            return f'(isLiteral({v}) && LANG({v}) != "" && ({tests or "false"}))'
        if param == SH.minInclusive:
            if not isinstance(arg, Literal):
                raise _err(g, shape, "sh:minInclusive non littéral")
            return f"(isLiteral({v}) && COALESCE({v} >= {arg.n3()}, false))"
        if param == SH.maxLength:
            return f"(!{IS_BLANK.format(v=v)} && STRLEN(STR({v})) <= {int(arg)})"
        if param == SH["or"]:
            return "(" + " || ".join(self.conforms(s, v) for s in _items(g, arg)) + ")"
        if param == SH["and"]:
            return "(" + " && ".join(self.conforms(s, v) for s in _items(g, arg)) + ")"
        if param == SH["not"]:
            return f"(!{self.conforms(arg, v)})"
        raise _err(g, shape, param.n3(g.namespace_manager))

    def conforms(self, shape, v: str) -> str:
        """SPARQL expression true when ``v`` conforms to ``shape`` (shapes reached through sh:node, sh:or…)."""
        g = self.shapes
        params = self.params(shape)
        nested = PASSIVE | TARGETS | set(VALUE_PARAMS) | {SH.minCount, SH.hasValue, SH.flags}
        if params & TARGETS - {SH.targetClass} or params & set(COMPONENTS) - nested:
            raise _err(g, shape, "une cible, une contrainte SPARQL ou de cardinalité dans une forme imbriquée")
        tests = [self.value_ok(shape, p, v) for p in VALUE_PARAMS if p in params and SH.path not in params]
        if SH.path in params:
            path = self.path(shape)
            for param in VALUE_PARAMS:
                if param in params:
                    w = self.var()
                    tests.append(f"NOT EXISTS {{ {v} {_term(path)} {w} FILTER(!{self.value_ok(shape, param, w)}) }}")
            if SH.minCount in params:
                n = int(g.value(shape, SH.minCount))
                if n > 1:
                    raise _err(g, shape, "sh:minCount > 1 dans une forme imbriquée")
                tests.append(f"EXISTS {{ {v} {_term(path)} {self.var()} }}" if n == 1 else "true")
            if SH.hasValue in params:
                tests.append(f"EXISTS {{ {v} {_term(path)} {_term(g.value(shape, SH.hasValue))} }}")
        elif SH.minCount in params:
            raise _err(g, shape, "sh:minCount sur une forme de nœud")
        elif SH.hasValue in params:
            tests.append(f"sameTerm({v}, {_term(g.value(shape, SH.hasValue))})")
        for prop in g.objects(shape, SH.property):
            tests.append(self.conforms(prop, v))
        return "(" + " && ".join(tests) + ")" if tests else "true"

    # ------------------------------------------------------------------ top-level constraints

    def targets(self, shape) -> str | None:
        g, parts = self.shapes, []
        classes = list(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
            classes.append(shape)  # implicit class target
        parts += [f"{{ ?this {SUBCLASS} {_term(c)} }}" for c in classes]
        parts += [f"{{ VALUES ?this {{ {_term(n)} }} }}" for n in g.objects(shape, SH.targetNode)]
        parts += [f"{{ [] {_term(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
        parts += [f"{{ ?this {_term(p)} [] }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        for target in g.objects(shape, SH.target):
            select = g.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in g or select is None or g.value(target, SH.prefixes):
                raise _err(g, shape, "une cible sh:target autre qu'une SPARQLTarget sans sh:prefixes")
            parts.append("{ " + self.subquery(shape, str(select)) + " }")
        if not parts:
            return None
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def subquery(self, shape, text: str) -> str:
        if re.search(r"^\s*(PREFIX|BASE)\b", text, re.I | re.M) or re.search(r"\$(shapesGraph|currentShape)\b", text):
            raise _err(self.shapes, shape, "une requête SPARQL avec PREFIX, BASE, $shapesGraph ou $currentShape")
        return text.replace("$this", "?this")

    def compile(self) -> list[Check]:
        g, checks = self.shapes, []
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(SH.property, None))
        shapes |= {s for t in TARGETS for s in g.subjects(t, None)}
        for shape in sorted(shapes, key=str):
            target = self.targets(shape)
            if target is None:
                continue  # reached only through sh:node / sh:or…: compiled inside its users
            if SH.path in self.params(shape):
                raise _err(g, shape, "une forme de propriété avec sa propre cible")
            checks += self.node_checks(shape, target)
            for prop in g.objects(shape, SH.property):
                if set(g.predicates(prop, None)) & TARGETS:
                    raise _err(g, prop, "une forme de propriété avec sa propre cible")
                checks += self.property_checks(prop, target)
        for prop in set(g.subjects(SH.path, None)):
            if set(g.predicates(prop, None)) & TARGETS:
                raise _err(g, prop, "une forme de propriété avec sa propre cible")
        return checks

    def check(self, shape, param, body: str, select: str = "?this ?value", **extra) -> Check:
        severity = self.shapes.value(shape, SH.severity) or SH.Violation
        return Check(f"SELECT {select} WHERE {{ {body} }}", shape, str(SH) + COMPONENTS[param], severity,
                     extra.pop("path", None), has_value="?value" in select or select == "*", **extra)

    def node_checks(self, shape, target: str) -> list[Check]:
        g, params, checks = self.shapes, self.params(shape), []
        for param in VALUE_PARAMS:
            if param in params:
                checks.append(self.check(shape, param, f"{target} FILTER(!{self.value_ok(shape, param, '?this')})",
                                         select="?this", value_is_focus=True))
        if SH.hasValue in params:
            checks.append(self.check(shape, SH.hasValue, f"{target} FILTER(!sameTerm(?this, "
                                     f"{_term(g.value(shape, SH.hasValue))}))", select="?this", value_is_focus=True))
        for constraint in g.objects(shape, SH.sparql):
            select = g.value(constraint, SH.select)
            if select is None or g.value(constraint, SH.prefixes) is not None or g.value(constraint, SH.deactivated):
                raise _err(g, constraint, "une contrainte SPARQL sans sh:select ou avec sh:prefixes")
            checks.append(self.check(shape, SH.sparql, f"{target} {{ {self.subquery(constraint, str(select))} }}",
                                     select="*", constraint=constraint))
        bad = params & {SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThanOrEquals, SH.qualifiedValueShape}
        if bad:
            raise _err(g, shape, "une contrainte de propriété sur une forme de nœud")
        return checks

    def property_checks(self, prop, target: str) -> list[Check]:
        g, params, checks = self.shapes, self.params(prop), []
        if SH.sparql in params:
            raise _err(g, prop, "sh:sparql sur une forme de propriété")
        path = self.path(prop)
        p = _term(path)
        for param in VALUE_PARAMS:
            if param in params:
                checks.append(self.check(prop, param, f"{target} ?this {p} ?value FILTER(!{self.value_ok(prop, param, '?value')})",
                                         path=path))
        arg = {param: g.value(prop, param) for param in params}
        if SH.minCount in arg and int(arg[SH.minCount]) > 0:
            n = int(arg[SH.minCount])
            # MINUS, not FILTER NOT EXISTS: same rows here (?this always bound), 3-4x faster in oxigraph
            body = (f"{target} MINUS {{ ?this {p} ?_x }}" if n == 1 else
                    f"{{ SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {p} ?_x }} }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?_x) < {n}) }}")
            checks.append(self.check(prop, SH.minCount, body, select="?this", path=path))
        if SH.maxCount in arg:
            body = (f"{{ SELECT ?this WHERE {{ {target} ?this {p} ?_x }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?_x) > {int(arg[SH.maxCount])}) }}")
            checks.append(self.check(prop, SH.maxCount, body, select="?this", path=path))
        if SH.hasValue in arg:
            checks.append(self.check(prop, SH.hasValue, f"{target} MINUS {{ ?this {p} {_term(arg[SH.hasValue])} }}",
                                     select="?this", path=path))
        if arg.get(SH.uniqueLang) == Literal(True):
            body = (f"{{ SELECT ?this ?_lang WHERE {{ {target} ?this {p} ?_a . FILTER(LANG(?_a) != \"\") "
                    f"BIND(LCASE(LANG(?_a)) AS ?_lang) }} GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_a) > 1) }}")
            checks.append(self.check(prop, SH.uniqueLang, body, select="?this ?_lang", path=path))
        elif SH.uniqueLang in arg and arg[SH.uniqueLang] != Literal(False):
            raise _err(g, prop, "sh:uniqueLang autre que true/false")
        if SH.lessThanOrEquals in arg:
            # candidates here; ingest.shacl_sparql_run.less_or_equal decides with rdflib's order, as pySHACL
            checks.append(self.check(prop, SH.lessThanOrEquals,
                                     f"{target} ?this {p} ?value . ?this {_term(arg[SH.lessThanOrEquals])} ?other . "
                                     f"FILTER(!({self.less_or_equal('?value', '?other')}))", select="?this ?value ?other",
                                     path=path))
        if SH.qualifiedValueShape in arg:
            if g.value(prop, SH.qualifiedValueShapesDisjoint) is not None:
                raise _err(g, prop, "sh:qualifiedValueShapesDisjoint")
            ok = self.conforms(arg[SH.qualifiedValueShape], "?_q")
            for param, having in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
                if param == SH.qualifiedMinCount and int(arg.get(param, 0)) == 1:
                    body = f"{target} MINUS {{ ?this {p} ?_q FILTER({ok}) }}"
                    checks.append(self.check(prop, param, body, select="?this", path=path))
                elif param in arg:
                    body = (f"{{ SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {p} ?_q FILTER({ok}) }} }} "
                            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_q) {having} {int(arg[param])}) }}")
                    checks.append(self.check(prop, param, body, select="?this", path=path))
        elif params & {SH.qualifiedMinCount, SH.qualifiedMaxCount}:
            raise _err(g, prop, "sh:qualifiedMinCount sans sh:qualifiedValueShape")
        return checks

    @staticmethod
    def less_or_equal(a: str, b: str) -> str:
        """pySHACL's order: IRIs and strings compare as strings; a string and a non-string never conform."""
        def stringy(x: str) -> str:
            return f"({IS_IRI.format(v=x)} || (isLiteral({x}) && DATATYPE({x}) IN (<{XSD.string}>, <{RDF.langString}>)))"

        sa, sb = stringy(a), stringy(b)
        return (f"IF({sa} && {sb}, STR({a}) <= STR({b}), IF({sa} || {sb}, false, "
                f"!isIRI({a}) && !isIRI({b}) && COALESCE({a} <= {b}, false)))")


def checked_datatypes(checks_shapes: Graph) -> set[URIRef]:
    """The datatypes of sh:datatype whose ill-typed literals must be marked in the store."""
    return {d for d in checks_shapes.objects(None, SH.datatype) if d not in (XSD.string, RDF.langString, RDFS.Literal)}


@functools.lru_cache(maxsize=16)
def compile_shapes(shapes: Graph) -> tuple[Check, ...]:
    """Every constraint of ``shapes`` as a SPARQL query (cached per shapes graph).

    Each query is run once on an empty store, so that what oxigraph cannot run (a Python-only regular
    expression such as a lookahead, a broken SPARQL constraint) fails here, when the shapes are loaded."""
    from pyoxigraph import Store

    checks = tuple(Compiler(shapes).compile())
    empty = Store()
    for check in checks:
        try:
            list(empty.query(check.query))
        except (SyntaxError, ValueError, OSError) as exc:
            raise _err(shapes, check.constraint or check.shape, f"la requête compilée ({exc})") from exc
    return checks
