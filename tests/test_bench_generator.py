"""The benchmark generator: deterministic, and its output is valid library data of the real shape.

No timings here: ``python -m bench`` measures; these tests only check what it measures on.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS

from bench.generator import generate, load_schemes
from bench.load import percentile
from ingest.cli import main as cli_main
from ingest.rdfio import rdf_files, read_graph

BASE = "http://127.0.0.1:8000/"
IAT = Namespace("https://w3id.org/ia-territoriales/def#")
AIRO = Namespace("https://w3id.org/airo#")
DPV = Namespace("https://w3id.org/dpv#")
ORG = Namespace("http://www.w3.org/ns/org#")
CASES = 50

# use-case property -> scheme its values must come from
SCHEME_OF = {
    IAT.domain: "domaines", IAT.purpose: "finalites", IAT.technique: "techniques", IAT.stage: "stades",
    IAT.audience: "publics", IAT.expectedBenefit: "benefices", IAT.automationLevel: "automatisation",
    IAT.humanOversight: "controle-humain", IAT.dataCategory: "donnees", IAT.deliveryMode: "modes-realisation",
    IAT.hosting: "hebergement", IAT.safeguard: "garanties",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench-data")
    return out, generate(out, CASES, seed=7)


@pytest.fixture(scope="module")
def graph(generated) -> Graph:
    out, _ = generated
    g = Graph()
    for path in rdf_files([out]):
        read_graph(path, BASE, g)
    return g


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.ttl"))}


def test_same_seed_same_bytes_other_seed_other_data(generated, tmp_path):
    out, stats = generated
    again = tmp_path / "again"
    assert generate(again, CASES, seed=7) == stats
    assert _bytes(again) == _bytes(out)
    other = tmp_path / "other"
    generate(other, CASES, seed=8)
    assert set(_bytes(other)) == set(_bytes(out))  # same file names (slugs follow the case number)
    assert _bytes(other) != _bytes(out)


def test_regenerating_a_smaller_set_removes_the_extra_files(tmp_path):
    generate(tmp_path, 12, seed=1)
    stats = generate(tmp_path, 5, seed=1)
    assert len(list((tmp_path / "cas-usage").glob("*.ttl"))) == 5
    assert stats["files"] == len(list(tmp_path.rglob("*.ttl")))


def test_layout_is_that_of_data(generated):
    out, stats = generated
    cases = sorted((out / "cas-usage").glob("*.ttl"))
    assert len(cases) == CASES == stats["cases"]
    assert len(list((out / "organisations").glob("*.ttl"))) == stats["organisations"]
    assert (out / "territoires.ttl").is_file()
    for path in cases:  # relative IRIs, as in data/
        assert "<http://127.0.0.1:8000/" not in path.read_text(encoding="utf-8")
        assert "<id/cas-usage/" in path.read_text(encoding="utf-8")


def test_conforms_to_the_shapes(generated, capsys):
    out, _ = generated
    code = cli_main(["validate", str(out)])
    report = capsys.readouterr().out
    assert code == 0, report
    assert "0 violation(s)" in report


def test_shape_of_the_cases(graph):
    cases = sorted(graph.subjects(RDF.type, IAT.UseCase))
    assert len(cases) == CASES
    schemes = {name: set(iris) for name, iris in load_schemes().items()}
    for case in cases:
        assert len(list(graph.objects(case, DCTERMS.title))) == 1
        description = str(graph.value(case, DCTERMS.description))
        assert 500 - 200 <= len(description) <= 2000  # sentences stop before the upper bound
        assert 0 < len(str(graph.value(case, DCTERMS.abstract))) <= 400
        deployer = graph.value(case, AIRO.isDeployedBy)
        assert (deployer, RDF.type, ORG.Organization) in graph
        assert str(graph.value(deployer, DCTERMS.source)).endswith(".example/")  # fictional (RFC 2606)
        territory = graph.value(case, DCTERMS.spatial)
        assert (territory, RDF.type, DCTERMS.Location) in graph
        for prop, scheme in SCHEME_OF.items():
            values = {str(v) for v in graph.objects(case, prop)}
            assert values, (case, prop)
            assert values <= schemes[scheme], (case, prop, values - schemes[scheme])


def test_parts_and_skewed_facets(graph):
    risks = list(graph.subjects(RDF.type, IAT.Risk))
    assessments = list(graph.subjects(RDF.type, IAT.ImpactAssessment))
    workforce = list(graph.subjects(RDF.type, IAT.WorkforceImpact))
    assert risks and assessments and workforce
    for risk in risks:  # hash IRIs of their case, each with its mitigation
        assert "#risque-" in str(risk)
        assert (graph.value(risk, IAT.mitigation), RDF.type, IAT.Mitigation) in graph
    for part in assessments + workforce:
        owner = URIRef(str(part).split("#")[0])
        assert (owner, RDF.type, IAT.UseCase) in graph
    domains = Counter(graph.objects(None, IAT.domain))
    top, *rest = domains.most_common()
    assert len(domains) >= 5  # many domains are used …
    assert top[1] >= 3 * rest[-1][1]  # … with a Zipf skew: the first is far more frequent than the last


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) is None
