"""The shapes suite: valid files conform, each invalid file fails with exactly the results in its header.

Invalid files are ``tests/shapes/invalid/<shape>.ttl``, one per constraint of shapes/, with header lines:

    # forme: iatsh:<the constraint this case covers>
    # profil: registre                 (optional; default bibliotheque)
    # attendu: <focus> | path | component | severity | source shape     (one line per expected result)

The comparison is exact (all severities): a case that also triggers another rule fails, so each case
isolates its constraint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH

from ingest.namespaces import IAT, bind_prefixes
from ingest.rdfio import read_graph
from ingest.validate import DEFAULT_PROFILE, SHAPES_DIR, validate_graph, validate_record

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BASE = "http://127.0.0.1:8000/"
VALID = sorted((HERE / "valid").glob("*.ttl"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))

# Fails when a case file disappears (or is added without updating the count on purpose).
EXPECTED_VALID = 3
EXPECTED_INVALID = 154

NM = bind_prefixes(Graph()).namespace_manager


def header(path: Path) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if sep and key in {"forme", "profil", "attendu"}:
            fields.setdefault(key, []).append(value.strip())
    return fields


def expand(token: str) -> str:
    token = token.strip()
    if token == "-":
        return "-"
    if token.startswith("<") and token.endswith(">"):
        iri = token[1:-1]
        return iri if "://" in iri else BASE + iri
    return str(NM.expand_curie(token))


def expected_results(path: Path) -> set[tuple[str, ...]]:
    out = set()
    for line in header(path)["attendu"]:
        out.add(tuple(expand(part) for part in line.split("|")))
    return out


def actual_results(report) -> set[tuple[str, ...]]:
    sev = {"Violation": str(SH.Violation), "Warning": str(SH.Warning), "Info": str(SH.Info)}
    return {
        (r.focus_node, r.path or "-", r.component, sev[r.severity], r.source_shape or "-") for r in report.results
    }


def profile_of(path: Path) -> str:
    return header(path).get("profil", [DEFAULT_PROFILE])[0]


def test_cases_collected():
    assert len(VALID) == EXPECTED_VALID, [p.name for p in VALID]
    assert len(INVALID) == EXPECTED_INVALID, f"{len(INVALID)} invalid cases found"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(path: Path):
    report = validate_graph(read_graph(path, BASE), profile_of(path))
    assert report.conforms, [(r.focus_node, r.path, r.message_fr) for r in report.results]
    assert report.results == [], [(r.focus_node, r.path, r.message_fr) for r in report.results]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_case_reports_exactly_its_results(path: Path):
    expected = expected_results(path)
    assert expected, f"{path.name}: no '# attendu:' line"
    report = validate_graph(read_graph(path, BASE), profile_of(path))
    assert actual_results(report) == expected
    # a case named after the constraint it covers
    assert header(path)["forme"] == [f"iatsh:{path.stem}"]
    has_violation = any(e[3] == str(SH.Violation) for e in expected)
    assert report.conforms is not has_violation
    for result in report.results:  # every result speaks French and English and names the field
        assert result.message_fr and result.message_en and result.message_fr != result.message_en
        assert result.path_label


# --------------------------------------------------------------------------- the shapes themselves


def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)
NODE_CONSTRAINTS = (SH["or"], SH["and"], SH["not"], SH.xone, SH.closed, SH.node, SH["class"], SH.datatype)


def constraints(graph: Graph) -> dict[URIRef, bool]:
    """Every constraint of the shapes -> whether it is reached through a target (not a helper shape).

    A constraint is a property shape, a SPARQL constraint, or a node shape with node-level
    constraint components (sh:or…).
    """
    found: dict[URIRef, bool] = {}
    for shape in set(graph.subjects(RDF.type, SH.NodeShape)):
        targeted = any(graph.value(shape, t) is not None for t in TARGETS)
        for prop in graph.objects(shape, SH.property):
            found[prop] = found.get(prop, False) or targeted
        for sparql in graph.objects(shape, SH.sparql):
            found[sparql] = found.get(sparql, False) or targeted
        if any(graph.value(shape, c) is not None for c in NODE_CONSTRAINTS):
            found[shape] = targeted
    return found


def test_every_constraint_is_named_and_documented_in_french_and_english():
    graph = shapes_graph()
    found = constraints(graph)
    assert len(found) >= 150
    problems = []
    for constraint in found:
        if not isinstance(constraint, URIRef):
            problems.append(f"{constraint}: blank node (constraints need an IRI)")
            continue
        for predicate in (SH.name, SH.message, SH.description):
            langs = {o.language for o in graph.objects(constraint, predicate) if isinstance(o, Literal)}
            if not {"fr", "en"} <= langs:
                problems.append(f"{constraint.n3(NM)}: {predicate.n3(NM)} in {sorted(map(str, langs))}")
        if graph.value(constraint, RDFS.seeAlso) is None:
            problems.append(f"{constraint.n3(NM)}: no rdfs:seeAlso")
        if graph.value(constraint, SH.severity) not in (SH.Violation, SH.Warning):
            problems.append(f"{constraint.n3(NM)}: no explicit sh:severity")
    assert problems == []


def test_every_targeted_constraint_has_an_invalid_case():
    graph = shapes_graph()
    covered = {header(p)["forme"][0] for p in INVALID}
    missing = [c.n3(NM) for c, targeted in constraints(graph).items() if targeted and c.n3(NM) not in covered]
    assert missing == []
    violations = [c for c, targeted in constraints(graph).items()
                  if targeted and graph.value(c, SH.severity) == SH.Violation]
    assert len(violations) >= 120


# --------------------------------------------------------------------------- examples and per-record


def test_data_examples_conform_and_exercise_every_use_case_field():
    folder = ROOT / "data" / "exemples"
    files = sorted(folder.glob("*.ttl"))
    assert len(files) == 3
    data = Graph()
    for path in files:
        read_graph(path, BASE, data)
    report = validate_graph(data)
    assert report.conforms and report.results == [], [(r.focus_node, r.message_fr) for r in report.results]
    graph = shapes_graph()
    fields = set()
    for shape in graph.subjects(SH.targetClass, IAT.UseCase):
        for prop in graph.objects(shape, SH.property):
            fields.add(graph.value(prop, SH.path))
    used = set(data.predicates())
    assert len(fields) > 60
    assert sorted(f.n3(NM) for f in fields - used) == []
    for uc in data.subjects(RDF.type, IAT.UseCase):
        assert "exemple fictif" in " ".join(str(o).lower() for o in data.objects(uc, URIRef("http://purl.org/dc/terms/abstract")))


def test_ontology_examples_conform():
    files = sorted((ROOT / "ontology" / "examples").glob("*.ttl"))
    assert files
    data = Graph()
    for path in files:
        read_graph(path, BASE, data)
    report = validate_graph(data)
    assert report.violations == [], [(r.focus_node, r.message_fr) for r in report.violations]


@pytest.mark.parametrize("name", ["UseCase-title-required", "UseCase-domain-scheme", "UseCase-risk-class"])
def test_per_record_validation_matches_whole_graph(name: str):
    path = HERE / "invalid" / f"{name}.ttl"
    data = read_graph(path, BASE)
    whole = validate_graph(data, profile_of(path))
    use_case = URIRef(BASE + "id/cas-usage/exemple")
    record = validate_record(data, use_case, profile_of(path))
    assert actual_results(record) == actual_results(whole)
    assert not record.conforms


def test_per_record_validation_of_the_examples_conforms():
    data = Graph()
    for path in sorted((ROOT / "data" / "exemples").glob("*.ttl")):
        read_graph(path, BASE, data)
    for uc in data.subjects(RDF.type, IAT.UseCase):
        report = validate_record(data, uc)
        assert report.conforms and report.results == [], (uc, [r.message_fr for r in report.results])
