"""The compiled SPARQL engine (ingest.shacl_sparql) against pySHACL (ingest.validate), the reference.

Every case of the shapes suite, data/ and every register of ingest.sources must give the same results
with both engines: same focus, path, component, severity, source shape, and also the same value, French
and English messages and field labels (callers cannot tell the engines apart).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ingest import shacl_sparql_run, validate
from ingest.namespaces import IAT
from ingest.rdfio import read_graph
from ingest.shacl_sparql import UnsupportedShapeError, compile_shapes, python_regex_to_sparql
from ingest.sources import SOURCES
from ingest.validate import ShapesLoadError
from tests.shapes.test_shapes import BASE, EXPECTED_INVALID, EXPECTED_VALID, INVALID, VALID, profile_of

XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
ROOT = Path(__file__).resolve().parents[2]
CASES = VALID + INVALID
PREFIXES = """@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def keys(report) -> list[tuple]:
    """Everything a caller sees of a result (the sort keeps duplicates visible)."""
    return sorted(
        (r.focus_node, r.path, r.component, r.severity, r.source_shape, r.value, r.message_fr, r.message_en,
         r.path_label, r.path_label_en, r.source_file)
        for r in report.results
    )


def both(data: Graph, profile: str = "bibliotheque", **kwargs):
    return validate.validate_graph(data, profile, **kwargs), shacl_sparql_run.validate_graph(data, profile, **kwargs)


def test_cases_collected():
    assert len(CASES) == EXPECTED_VALID + EXPECTED_INVALID >= 150


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shapes_case_same_results_as_pyshacl(path: Path):
    reference, compiled = both(read_graph(path, BASE), profile_of(path))
    assert keys(compiled) == keys(reference)
    assert compiled.conforms is reference.conforms
    # the invalid cases fail: the comparison is not between two empty lists
    assert (path.parent.name == "invalid") is bool(reference.results)


def test_focus_nodes_and_origin_are_honoured():
    path = INVALID[0]
    data = read_graph(path, BASE)
    focus = sorted({r.focus_node for r in validate.validate_graph(data, profile_of(path)).results})
    origin = {f: str(path) for f in focus}
    for kwargs in ({"focus_nodes": [URIRef(f) for f in focus]}, {"origin": origin}, {"focus_nodes": []}):
        reference, compiled = both(data, profile_of(path), **kwargs)
        assert keys(compiled) == keys(reference)
    assert all(r.source_file == str(path) for r in shacl_sparql_run.validate_graph(data, origin=origin).results)


def test_report_graph_lists_every_result():
    path = next(p for p in INVALID if p.stem == "UseCase-title-required")
    report = shacl_sparql_run.validate_graph(read_graph(path, BASE))
    assert len(set(report.graph.subjects(None, SH.ValidationResult))) == len(report.results) == 1
    assert set(report.graph.objects(None, SH.sourceShape)) == {URIRef(report.results[0].source_shape)}


# --------------------------------------------------------------------------- semantics pySHACL has


def test_class_follows_subclasses_transitively_and_targets_subclass_instances():
    shapes = Graph().parse(data=PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass ex:Top ;
            sh:property [ sh:path ex:p ; sh:class ex:Top ; sh:minCount 1 ] .""", format="turtle")
    data = Graph().parse(data=PREFIXES + """
        ex:Mid rdfs:subClassOf ex:Top . ex:Low rdfs:subClassOf ex:Mid .
        ex:a a ex:Low ; ex:p ex:b , ex:c , "literal" .
        ex:b a ex:Low .
        ex:c a ex:Other .
        ex:d a ex:Mid .""", format="turtle")
    _rows, results = shacl_sparql_run.validate_with([data], shapes)
    found = sorted((r.focus_node, r.component.rsplit("#")[-1], r.value) for r in results)
    assert found == [
        ("http://example.org/a", "ClassConstraintComponent", "http://example.org/c"),
        ("http://example.org/a", "ClassConstraintComponent", "literal"),
        ("http://example.org/b", "MinCountConstraintComponent", None),
        ("http://example.org/d", "MinCountConstraintComponent", None),
    ]


def test_ill_typed_literals_and_python_end_of_line_as_pyshacl():
    data = Graph()
    for path in sorted((ROOT / "data" / "exemples").glob("*.ttl")):
        read_graph(path, BASE, data)
    use_case = next(data.subjects(RDF.type, IAT.UseCase))
    data.set((use_case, IAT.reviewDate, Literal("2026-13-45", datatype=XSD_DATE)))  # ill-typed
    data.set((use_case, IAT.budget, Literal("-5.00", datatype=XSD_DECIMAL)))  # oxigraph stores "-5"
    for org in list(data.subjects(IAT.siren, None)):
        data.set((org, IAT.siren, Literal("000000042\n")))  # Python's $ matches before a final newline
    reference, compiled = both(data)
    assert keys(compiled) == keys(reference)
    found = {(r.component.rsplit("#")[-1], r.value) for r in reference.results}
    assert ("DatatypeConstraintComponent", "2026-13-45") in found
    assert ("MinInclusiveConstraintComponent", "-5.00") in found


def test_blank_nodes_are_named_as_rdflib_names_them():
    data = Graph()
    for path in sorted((ROOT / "data" / "exemples").glob("*.ttl")):
        read_graph(path, BASE, data)
    use_case = next(data.subjects(RDF.type, IAT.UseCase))
    contact, page = BNode("contact-anonyme"), BNode()
    vcard = "http://www.w3.org/2006/vcard/ns#"
    data.add((use_case, URIRef("http://www.w3.org/ns/dcat#contactPoint"), contact))
    data.add((contact, RDF.type, URIRef(vcard + "Individual")))  # no email nor page: sh:or fails on it
    data.add((contact, URIRef(vcard + "fn"), Literal("Accueil _:x .")))
    data.add((use_case, URIRef("http://www.w3.org/ns/dcat#landingPage"), page))  # not an IRI
    reference, compiled = both(data)
    assert keys(compiled) == keys(reference)
    assert str(contact) in {r.focus_node for r in reference.results}
    assert ("NodeKindConstraintComponent", None) in {(r.component.rsplit("#")[-1], r.value) for r in reference.results}


def test_python_dollar_matches_before_a_final_newline():
    assert python_regex_to_sparql("^[0-9]{9}$") == "^[0-9]{9}(?:\\n?$)"
    assert python_regex_to_sparql("^a[$]\\$$") == "^a[$]\\$(?:\\n?$)"


# --------------------------------------------------------------------------- nothing skipped silently

UNSUPPORTED = {
    "closed": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    "xone": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .",
    "sequence path": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .",
    "inverse path": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] .",
    "minLength": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minLength 2 ] .",
    "deactivated": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated true ; sh:class ex:D .",
    "nested maxCount": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:N ] . "
                       "ex:N a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:maxCount 1 ] .",
    "sparql prefixes": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select \"SELECT $this WHERE {}\" ; "
                       "sh:prefixes ex:x ] .",
    "lookahead pattern": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
                         "sh:pattern \"^(?=a)b\" ] .",
    "broken sparql": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select \"SELECT $this WHERE { \" ] .",
    "disjoint qualified": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
                          "sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 ; "
                          "sh:qualifiedValueShapesDisjoint true ] .",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_feature_raises_at_compile_time(name: str):
    shapes = Graph().parse(data=PREFIXES + UNSUPPORTED[name], format="turtle")
    with pytest.raises(UnsupportedShapeError) as caught:
        compile_shapes(shapes)
    assert isinstance(caught.value, ShapesLoadError)  # callers already turn it into a French error
    assert "n'est pas pris en charge" in str(caught.value)


@pytest.mark.parametrize("profile", sorted(validate.PROFILES))
def test_every_constraint_of_the_shapes_compiles(profile: str):
    checks = compile_shapes(validate.load_shapes(profile))
    shapes = validate.load_shapes(profile)
    property_shapes = set(shapes.subjects(SH.path, None))
    compiled = {c.shape for c in checks}
    # every property shape reached from a target is compiled (the others are used through sh:node)
    targeted = {p for s in shapes.subjects(SH.targetClass, None) for p in shapes.objects(s, SH.property)}
    assert targeted <= compiled <= property_shapes | set(shapes.subjects(None, None))
    assert len(checks) >= 150


# --------------------------------------------------------------------------- the real data


def test_library_data_same_results_as_pyshacl():
    data, origin = validate.read_files([ROOT / "data"], BASE)
    reference, compiled = both(data, "bibliotheque", origin=origin)
    assert len(data) > 1000 and reference.results
    assert keys(compiled) == keys(reference)


@pytest.mark.slow
@pytest.mark.parametrize("name", [s.name for s in SOURCES])
def test_register_same_results_as_pyshacl(name: str):
    source = next(s for s in SOURCES if s.name == name)
    data = source.load(BASE)
    reference, compiled = both(data, "registre")
    assert len(data) > 500
    assert keys(compiled) == keys(reference)


@pytest.mark.slow
def test_build_findings_same_as_pyshacl_whole_graph():
    """The build's path (validation_runner's plan, lean shapes, Finding set with French messages)."""
    from ingest.validation_runner import make_plan, validate_whole

    library, _origin = validate.read_files([ROOT / "data"], BASE)
    uk = next(s for s in SOURCES if s.name == "uk-atrs").load(BASE)
    graphs = {"bibliotheque": library, "uk-atrs": uk}
    nomenclature = Graph()
    nomenclature += validate.load_ontology()
    plan = make_plan(ROOT, graphs, "bibliotheque")
    reference = validate_whole(graphs, nomenclature, plan)
    compiled = shacl_sparql_run.validate_build(graphs, nomenclature, plan)

    def full(found):
        return sorted((f.severity, f.focus, f.path, f.component, f.shape, f.value, f.message) for f in found)

    assert len(reference) > 100
    assert full(compiled) == full(reference)


# --------------------------------------------------------------------------- the commands


@pytest.mark.parametrize("fmt", ["texte", "json"])
def test_validate_command_same_report_with_either_engine(capsys, fmt: str):
    from ingest.cli import main

    files = [str(p) for p in INVALID[:12]]
    outputs = {}
    for engine in ("pyshacl", "sparql"):
        code = main(["validate", "--moteur", engine, "--format", fmt, *files])
        out = capsys.readouterr().out
        if fmt == "json":  # results of equal sort keys (resource, severity, field) come in engine order
            report = json.loads(out)
            report["resultats"].sort(key=lambda r: json.dumps(r, sort_keys=True))
            outputs[engine] = (code, report)
        else:
            outputs[engine] = (code, sorted(out.splitlines()))
    assert outputs["sparql"] == outputs["pyshacl"]
    code, out = outputs["sparql"]
    assert code == 1 and len(out["resultats"] if fmt == "json" else out) > 5


def test_build_command_defaults_to_the_compiled_engine_and_keeps_pyshacl():
    import argparse

    from ingest.build import BuildOptions
    from ingest.commands.build import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args([]).moteur_validation == "sparql"
    assert parser.parse_args(["--moteur-validation", "pyshacl", "--validation", "graphe"]).validation == "graphe"
    assert BuildOptions(base_url="http://x/", var_dir=Path("var")).validation == "sparql"


def test_graphs_read_by_pyoxigraph_into_a_store_give_the_findings_of_rdflib_graphs(tmp_path):
    """The build reads data/ with pyoxigraph into one store (StoredGraph): same findings as from rdflib,
    values as written ("-5.00", not the store's "-5"), ill-typed literals and blank nodes included."""
    from pyoxigraph import Store

    from ingest.rdfio import load_file
    from ingest.shacl_sparql_run import StoredGraph
    from ingest.validation_runner import make_plan, validate_whole

    examples = sorted((ROOT / "data" / "exemples").glob("*.ttl"))
    broken = tmp_path / "casse.ttl"
    use_case = "id/cas-usage/cas-casse"
    broken.write_text(
        f"""@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<{use_case}> a iat:UseCase ; iat:reviewDate "2026-13-45"^^xsd:date ; iat:budget "-5.00"^^xsd:decimal ;
    dcat:contactPoint [ a vcard:Individual ; vcard:fn "Accueil" ] ; dcat:landingPage [] .
""", encoding="utf-8")
    files = [*examples, broken]
    rdflib_graph = Graph()
    for path in files:
        read_graph(path, BASE, rdflib_graph)
    store = Store()
    stored = StoredGraph(store, BASE + "graphe/bibliotheque")
    for path in files:
        load_file(store, path, BASE, stored.iri)
        stored.files.append((path, BASE))
    stored.skolemize()
    assert stored.has_blank_nodes and len(store) == len(rdflib_graph)
    nomenclature = Graph()
    nomenclature += validate.load_ontology()
    plan = make_plan(ROOT, ["bibliotheque"], "bibliotheque")
    reference = validate_whole({"bibliotheque": rdflib_graph}, nomenclature, plan)
    compiled = shacl_sparql_run.validate_build({"bibliotheque": stored}, nomenclature, plan)

    def full(found):  # blank nodes have other names in each reading (rdflib: n + hex, oxigraph: hex)
        import re

        def term(text):
            return "_:" if re.fullmatch(r"[Nn]?[0-9a-f]{16,40}", text) else text

        return sorted((f.severity, term(f.focus), f.path, f.component, f.shape, term(f.value), f.message)
                      for f in found)

    assert len(compiled) == len(reference) and full(compiled) == full(reference), \
        (set(full(compiled)) ^ set(full(reference)))
    values = {(f.component, f.value) for f in compiled if f.focus == BASE + use_case}
    assert ("DatatypeConstraintComponent", "2026-13-45") in values
    assert ("MinInclusiveConstraintComponent", "-5.00") in values
    assert "NodeKindConstraintComponent" in {f.component for f in compiled}
    assert len(store) == len(rdflib_graph)  # the support graph and the marks were removed after validation
    back = stored.to_rdflib()
    assert len(back) == len(rdflib_graph)
    canonical = {(s, p, o) for s, p, o in back if not isinstance(s, BNode) and not isinstance(o, BNode)}
    assert (URIRef(BASE + use_case), IAT.budget, Literal("-5", datatype=XSD_DECIMAL)) in canonical
