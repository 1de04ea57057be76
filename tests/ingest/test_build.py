"""The build: named graphs and counts, atomic swap (violations, killed builds), --if-needed, dumps,
CSV + Table Schema, manifest checksums, and the equivalence of the two validation methods.

Most tests build a small, self-contained input tree (tests/ingest/fixtures/build_inputs: its own tiny ontology,
shapes, data and one register file) so that they exercise the build machinery, not the project's
evolving shapes; the ``built_library`` tests cover the real repository inputs.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_support import FileSource
from pyoxigraph import RdfFormat, Store, parse
from rdflib import Graph
from rdflib.namespace import DCTERMS

from ingest.build import (
    BuildOptions,
    compute_digest,
    current_dir,
    ontology_files,
    run_build,
    store_counts,
)
from ingest.commands import build as build_command
from ingest.rdfio import read_graph

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "build_inputs"
BASE = "http://iat.test/"
PROJECT = Path(__file__).resolve().parents[2]




@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the fixture input tree, with an empty file for every shapes file that the
    profiles of ``ingest.validate`` name and the fixture does not need."""
    from ingest.validate import NOMENCLATURE_SHAPES, PROFILES

    copy = tmp_path / "inputs"
    shutil.copytree(FIXTURE, copy)
    for name in {*NOMENCLATURE_SHAPES, *(n for names in PROFILES.values() for n in names)}:
        path = copy / "shapes" / name
        if not path.exists():
            path.write_text("# (vide pour les tests de construction)\n", encoding="utf-8")
    return copy


def options(root: Path, var_dir: Path, **kw) -> BuildOptions:
    source = FileSource("exemple", "registre-exemple", root / "sources" / "registre-exemple.ttl")
    return BuildOptions(base_url=kw.pop("base_url", BASE), var_dir=var_dir, root=root, sources=[source],
                        quiet=True, **kw)


def expected_counts(root: Path, base: str = BASE) -> dict[str, int]:
    """Triples per graph, parsed independently of the build with rdflib."""
    def parse_all(paths):
        graph = Graph()
        for path in paths:
            read_graph(path, base, graph)
        return len(graph)

    return {
        "nomenclature": parse_all(ontology_files(root / "ontology")),
        "formes": parse_all(sorted((root / "shapes").glob("*.ttl"))),
        "bibliotheque": parse_all(sorted((root / "data").glob("*.ttl"))),
        "registre-exemple": parse_all([root / "sources" / "registre-exemple.ttl"]),
    }


def open_current(var_dir: Path) -> Store:
    return Store.read_only(str(current_dir(var_dir) / "store"))


def union_count(store: Store) -> int:
    return sum(1 for _ in store.query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True))


@pytest.fixture
def built(root: Path, tmp_path: Path):
    var_dir = tmp_path / "var"
    result = run_build(options(root, var_dir))
    assert result.status == "built", result.report
    return root, var_dir, result


# --- graphs and counts --------------------------------------------------------------------------------


def test_named_graphs_hold_each_input_with_its_count(built):
    root, var_dir, result = built
    expected = expected_counts(root)
    assert all(n > 0 for n in expected.values())
    store = open_current(var_dir)
    counts = store_counts(store)
    assert counts == {f"{BASE}graphe/{name}": n for name, n in expected.items()}
    assert {name: info["triples"] for name, info in result.manifest["graphs"].items()} == expected
    assert union_count(store) == sum(expected.values())
    assert result.manifest["triples"]["quads"] == sum(expected.values())


def test_examples_and_relative_iris(built):
    _root, var_dir, result = built
    store = open_current(var_dir)
    ask = store.query(f"ASK {{ GRAPH <{BASE}graphe/bibliotheque> {{ <{BASE}id/cas-usage/navettes-exemple> ?p ?o }} }}")
    assert bool(ask)
    assert not bool(store.query("ASK { GRAPH ?g { <http://example.org/exemple-non-charge> ?p ?o } }"))
    assert result.manifest["use_cases"] == {"bibliotheque": 2, "registre-exemple": 1}


def test_warnings_are_counted_and_published(built):
    _root, var_dir, result = built
    validation = result.manifest["validation"]
    assert validation["violations"] == 0
    assert validation["warnings"] == 1  # navettes-exemple has no description
    report = (current_dir(var_dir) / "dumps" / "rapport-validation.txt").read_text(encoding="utf-8")
    assert "la description n'est pas renseignée" in report
    findings = json.loads((current_dir(var_dir) / "dumps" / "rapport-validation.json").read_text())["results"]
    assert [(f["focus"], f["severity"]) for f in findings] == [(f"{BASE}id/cas-usage/navettes-exemple", "Warning")]


# --- atomicity ----------------------------------------------------------------------------------------

BROKEN_RECORD = """
@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
<id/cas-usage/sans-titre> a iat:UseCase ; dct:description "Pas de titre."@fr ;
    iat:domain <https://w3id.org/ia-territoriales/nomenclature/domaines/inconnu>,
        <https://w3id.org/ia-territoriales/nomenclature/domaines/autre-inconnu> .
"""


def test_violation_blocks_the_build_and_keeps_the_previous_one(built, capsys):
    root, var_dir, first = built
    before = open_current(var_dir)
    counts_before = store_counts(before)
    del before
    (root / "data" / "sans-titre.ttl").write_text(BROKEN_RECORD, encoding="utf-8")

    result = run_build(options(root, var_dir))
    assert result.status == "invalid" and result.exit_code == 1
    assert "Le titre (dct:title) est obligatoire." in result.report
    assert "sans-titre" in result.report
    assert "nomenclature « domaines »" in result.report
    assert "domaines/inconnu" in result.report and "domaines/autre-inconnu" in result.report  # each bad value

    assert current_dir(var_dir) == first.build_dir
    manifest = json.loads((current_dir(var_dir) / "manifest.json").read_text())
    assert manifest["build_id"] == first.build_id
    assert store_counts(open_current(var_dir)) == counts_before
    assert [p.name for p in (var_dir / "builds").iterdir()] == [first.build_id]


def test_cli_reports_violations_in_french_with_exit_code_1(tmp_path, monkeypatch, capsys):
    """The real command on a data dir with a broken record: exit 1, French report, nothing published."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "sans-titre.ttl").write_text(BROKEN_RECORD, encoding="utf-8")
    var_dir = tmp_path / "var"
    code = build_command.main(["--var-dir", str(var_dir), "--base-url", BASE, "--data-dir", str(data),
                               "--sources", "aucun", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Construction refusée" in err and "sans-titre" in err
    assert current_dir(var_dir) is None
    assert list((var_dir / "builds").iterdir()) == []


def test_unreadable_input_is_a_french_error_and_changes_nothing(built, capsys):
    root, var_dir, first = built
    (root / "data" / "casse.ttl").write_text("<a> <b> .", encoding="utf-8")
    from ingest.build import BuildError

    with pytest.raises(BuildError) as info:
        run_build(options(root, var_dir))
    assert "casse.ttl" in str(info.value) and "illisible" in str(info.value)
    assert current_dir(var_dir) == first.build_dir
    assert [p.name for p in (var_dir / "builds").iterdir()] == [first.build_id]


def _many_records(path: Path, n: int) -> None:
    lines = ["@prefix iat: <https://w3id.org/ia-territoriales/def#> .",
             "@prefix dct: <http://purl.org/dc/terms/> .",
             "@prefix airo: <https://w3id.org/airo#> ."]
    for i in range(n):
        lines.append(
            f'<id/cas-usage/genere-{i}> a iat:UseCase ; dct:title "Cas généré {i}"@fr ; '
            f'dct:description "Description {i}."@fr ; dct:abstract "Résumé {i}."@fr ; airo:isDeployedBy <id/organisation/villeneuve-sur-exemple> ; '
            f"iat:domain <https://w3id.org/ia-territoriales/nomenclature/domaines/mobilite> ."
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


KILL_SCRIPT = """
import sys
from pathlib import Path
from ingest.build import BuildOptions, run_build
root, var_dir = Path(sys.argv[1]), Path(sys.argv[2])
run_build(BuildOptions(base_url=sys.argv[3], var_dir=var_dir, root=root, sources=[], quiet=True))
"""


@pytest.mark.slow
def test_killed_build_leaves_the_previous_build_served_and_intact(built):
    root, var_dir, first = built
    counts_before = store_counts(open_current(var_dir))
    manifest_before = (current_dir(var_dir) / "manifest.json").read_bytes()
    _many_records(root / "data" / "genere.ttl", 3000)  # enough work to be caught in the middle
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(root), str(var_dir), BASE], cwd=PROJECT)
    builds = var_dir / "builds"
    killed_in = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        partial = [p for p in builds.iterdir() if p.name.startswith(".tmp-")]
        if partial and (partial[0] / "store").exists():
            proc.send_signal(signal.SIGKILL)
            killed_in = partial[0]
            break
        time.sleep(0.005)
    proc.wait()
    assert killed_in is not None, "the build ended before it could be killed while writing its store"
    assert proc.returncode == -signal.SIGKILL
    assert killed_in.exists()  # left half-written...
    assert current_dir(var_dir) == first.build_dir  # ...but never served
    assert (current_dir(var_dir) / "manifest.json").read_bytes() == manifest_before
    assert store_counts(open_current(var_dir)) == counts_before

    (root / "data" / "genere.ttl").unlink()
    (root / "data" / "autre.ttl").write_text(
        '<id/cas-usage/autre> a <https://w3id.org/ia-territoriales/def#UseCase> ; '
        '<http://purl.org/dc/terms/title> "Autre"@fr ; <http://purl.org/dc/terms/description> "D."@fr ; '
        '<http://purl.org/dc/terms/abstract> "R."@fr .\n',
        encoding="utf-8")
    again = run_build(options(root, var_dir))
    assert again.status == "built"
    assert not killed_in.exists()  # the next build prunes what the killed one left


# --- --if-needed and pruning -------------------------------------------------------------------------


def test_if_needed_skips_then_rebuilds_when_an_input_changes(built):
    root, var_dir, first = built
    skipped = run_build(options(root, var_dir, if_needed=True))
    assert skipped.status == "skipped" and skipped.build_id == first.build_id
    assert current_dir(var_dir) == first.build_dir

    data_file = root / "data" / "cas.ttl"
    data_file.write_text(data_file.read_text(encoding="utf-8").replace("Navettes à la demande", "Navettes"),
                         encoding="utf-8")
    rebuilt = run_build(options(root, var_dir, if_needed=True))
    assert rebuilt.status == "built" and rebuilt.build_id != first.build_id
    assert current_dir(var_dir) == rebuilt.build_dir
    assert rebuilt.manifest["input_digest"] == compute_digest(options(root, var_dir))

    assert run_build(options(root, var_dir, if_needed=True)).status == "skipped"
    other_base = run_build(options(root, var_dir, if_needed=True, base_url="http://autre.test/"))
    assert other_base.status == "built"  # the base URL is an input too
    (root / "shapes" / "usecase.ttl").write_text(
        (root / "shapes" / "usecase.ttl").read_text(encoding="utf-8") + "\n# commentaire\n", encoding="utf-8")
    assert run_build(options(root, var_dir, if_needed=True, base_url="http://autre.test/")).status == "built"
    fewer = dataclasses.replace(options(root, var_dir, if_needed=True, base_url="http://autre.test/"), sources=[])
    assert run_build(fewer).status == "built"  # so is the list of registers
    assert run_build(fewer).status == "skipped"


def test_old_builds_are_pruned_keeping_two_and_current(built):
    root, var_dir, first = built
    ids = [first.build_id]
    for _ in range(3):
        ids.append(run_build(options(root, var_dir)).build_id)
    kept = sorted(p.name for p in (var_dir / "builds").iterdir())
    assert kept == sorted(ids[-2:])
    assert current_dir(var_dir).name == ids[-1]
    assert os.readlink(var_dir / "current") == os.path.join("builds", ids[-1])  # relative link


# --- dumps, CSV, manifest ---------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def test_dumps_parse_back_to_the_same_number_of_triples(built):
    root, var_dir, result = built
    expected = expected_counts(root)
    total = sum(expected.values())
    dumps = current_dir(var_dir) / "dumps"
    distinct = result.manifest["triples"]["distinct_triples"]
    assert distinct <= total
    cases = {
        "ia-territoriales.ttl": (RdfFormat.TURTLE, distinct),
        "ia-territoriales.nt.gz": (RdfFormat.N_TRIPLES, distinct),
        "ia-territoriales.nq.gz": (RdfFormat.N_QUADS, total),
        "ia-territoriales.trig": (RdfFormat.TRIG, total),
        "ia-territoriales.jsonld": (RdfFormat.JSON_LD, total),
        **{f"ia-territoriales-{name}.ttl": (RdfFormat.TURTLE, n) for name, n in expected.items()},
    }
    for name, (fmt, count) in cases.items():
        quads = list(parse(_read(dumps / name), format=fmt))
        assert len(quads) == count, name
    graphs = {q.graph_name.value for q in parse(_read(dumps / "ia-territoriales.nq.gz"), format=RdfFormat.N_QUADS)}
    assert graphs == {f"{BASE}graphe/{name}" for name in expected}
    # rdflib reads the Turtle and JSON-LD dumps too
    assert len(Graph().parse(data=_read(dumps / "ia-territoriales.ttl"), format="turtle")) == distinct


def test_csv_matches_its_table_schema_and_loads_in_pandas(built):
    import frictionless
    import pandas

    _root, var_dir, _result = built
    dumps = current_dir(var_dir) / "dumps"
    schema = json.loads((dumps / "cas-usage.schema.json").read_text(encoding="utf-8"))
    assert all(field["title"] and field["description"] for field in schema["fields"])
    resource = frictionless.Resource(path="cas-usage.csv", basepath=str(dumps),
                                     schema=frictionless.Schema.from_descriptor(schema))
    report = frictionless.validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    frame = pandas.read_csv(dumps / "cas-usage.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == [field["name"] for field in schema["fields"]]
    assert len(frame) == 3
    rows = {row["iri"]: row for row in frame.to_dict("records")}
    leak = rows[f"{BASE}id/cas-usage/detection-fuites-exemple"]
    assert leak["graphe"] == "bibliotheque"
    assert leak["titre"] == "Détection de fuites sur le réseau d'eau"  # French preferred
    assert leak["domaines"] == "Eau et assainissement ; Mobilité"  # French labels, sorted, joined
    assert leak["organisation"] == f"{BASE}id/organisation/villeneuve-sur-exemple"
    assert leak["organisation_nom"] == "Commune de Villeneuve-sur-Exemple"
    assert (leak["cree_le"], leak["modifie_le"], leak["date_debut"]) == ("2024-01-15", "2024-03-01", "2023")
    assert leak["decision_individuelle"] == "false" and leak["langue"] == "fr"
    register = rows[f"{BASE}id/cas-usage/exemple-42"]
    assert (register["graphe"], register["titre"], register["langue"]) == (
        "registre-exemple", "Chatbot for citizen questions", "en")

    # a broken row is caught by the schema (the check can fail)
    bad = dumps.parent.parent / "bad.csv"
    text = (dumps / "cas-usage.csv").read_text(encoding="utf-8").replace("2024-01-15", "15/01/2024")
    bad.write_text(text, encoding="utf-8")
    bad_report = frictionless.validate(frictionless.Resource(
        path=bad.name, basepath=str(bad.parent), schema=frictionless.Schema.from_descriptor(schema)))
    assert not bad_report.valid
    assert ["type-error"] in bad_report.flatten(["type"])


def test_manifest_lists_every_file_with_its_checksum(built):
    root, var_dir, result = built
    build_dir = current_dir(var_dir)
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == result.manifest
    assert manifest["base_url"] == BASE and manifest["build_id"] == build_dir.name
    assert manifest["input_digest"] == compute_digest(options(root, var_dir))
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = {p.relative_to(build_dir).as_posix() for p in (build_dir / "dumps").iterdir()}
    assert listed == on_disk
    for entry in manifest["files"]:
        path = build_dir / entry["path"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["media_type"] and entry["title_fr"] and entry["title_en"]
    types = {entry["name"]: (entry["media_type"], entry["compress_format"]) for entry in manifest["files"]}
    assert types["ia-territoriales.nt.gz"] == ("application/n-triples", "application/gzip")
    assert types["ia-territoriales.nq.gz"] == ("application/n-quads", "application/gzip")
    assert types["ia-territoriales.jsonld"] == ("application/ld+json", None)
    assert types["cas-usage.csv"] == ("text/csv", None)


# --- validation methods ----------------------------------------------------------------------------


def test_per_record_validation_finds_the_same_results_as_the_whole_graph(root):
    from ingest.validation_runner import make_plan, validate_records, validate_whole

    (root / "data" / "sans-titre.ttl").write_text(BROKEN_RECORD, encoding="utf-8")
    graphs = expected_graphs(root)
    nomenclature, _shapes = graphs.pop("nomenclature"), graphs.pop("formes")
    plan = make_plan(root, graphs, "bibliotheque")
    whole = {f.key for f in validate_whole(graphs, nomenclature, plan)}
    per_record, n = validate_records(graphs, nomenclature, plan, jobs=2, batch_size=1)
    assert n == 6  # 3 use cases (+ contact as hash part), 2 organisations, the broken record
    assert {f.key for f in per_record} == whole
    assert {key[3] for key in whole} == {"Violation", "Warning"}
    broken = f"{BASE}id/cas-usage/sans-titre"
    assert (broken, str(DCTERMS.title), "MinCountConstraintComponent", "Violation") in whole
    assert (broken, str(DCTERMS.abstract), "MinCountConstraintComponent", "Violation") in whole
    # profiles: the register record has no summary, which only the library profile requires
    assert not any(key[0] == f"{BASE}id/cas-usage/exemple-42" for key in whole)


def expected_graphs(root: Path) -> dict[str, Graph]:
    def parse_all(paths):
        graph = Graph()
        for path in paths:
            read_graph(path, BASE, graph)
        return graph

    return {
        "nomenclature": parse_all(ontology_files(root / "ontology")),
        "formes": parse_all(sorted((root / "shapes").glob("*.ttl"))),
        "bibliotheque": parse_all(sorted((root / "data").glob("*.ttl"))),
        "registre-exemple": parse_all([root / "sources" / "registre-exemple.ttl"]),
    }


# --- the real repository inputs ------------------------------------------------------------------------


@pytest.mark.slow
def test_real_inputs_build_with_every_graph_and_no_violation(built_library):
    from ingest.sources import SOURCES

    manifest = built_library.manifest
    expected = {"nomenclature", "formes", "bibliotheque", "exemples", *(s.graph for s in SOURCES)}
    assert set(manifest["graphs"]) == expected
    assert manifest["validation"]["violations"] == 0
    for source in SOURCES:
        assert manifest["graphs"][source.graph]["use_cases"] > 0, source.name
    examples = len(list((PROJECT / "data" / "exemples").glob("*.ttl")))
    assert manifest["use_cases"]["exemples"] == examples == 3  # data/exemples/ in its own graph
    store = Store.read_only(str(built_library.store_path))
    counts = store_counts(store)
    assert counts == {info["iri"]: info["triples"] for info in manifest["graphs"].values() if info["triples"]}
    assert union_count(store) == sum(counts.values()) == manifest["triples"]["quads"]


@pytest.mark.slow
def test_real_inputs_per_record_sample_matches_the_whole_graph_results(built_library):
    """On a sample of real records, per-record validation finds exactly what the build's validation found."""
    from ingest.validation_runner import make_plan, record_groups, validate_records, validate_whole

    store = Store.read_only(str(built_library.store_path))
    graphs: dict[str, Graph] = {}
    for name, info in built_library.manifest["graphs"].items():
        nt = store.dump(format=RdfFormat.N_TRIPLES, from_graph=_named(info["iri"]))
        graphs[name] = Graph().parse(data=nt, format="nt")
    nomenclature, _shapes = graphs.pop("nomenclature"), graphs.pop("formes")
    plan = make_plan(PROJECT, graphs, "bibliotheque")
    data = Graph()
    for graph in graphs.values():
        data += graph
    groups = record_groups(data)
    keys = sorted(groups)[:: max(len(groups) // 60, 1)]  # ~60 records spread over every source
    assert len(keys) >= 30
    sample_nodes = {str(node) for key in keys for node in groups[key]}
    published = json.loads((built_library.dumps / "rapport-validation.json").read_text(encoding="utf-8"))
    if published["method"] == "graphe":
        whole = {(r["focus"], r["path"], r["component"], r["severity"]) for r in published["results"]}
    else:  # the build validated record by record: compute the whole-graph results here
        whole = {f.key for f in validate_whole(graphs, nomenclature, plan)}
    found, n = validate_records(graphs, nomenclature, plan, jobs=1, keys=keys)
    assert n >= len(keys)  # a record described in two graphs is validated in each
    assert {f.key for f in found if f.focus in sample_nodes} == {k for k in whole if k[0] in sample_nodes}


def _named(iri: str):
    from pyoxigraph import NamedNode

    return NamedNode(iri)


def test_an_iri_that_rdf_forbids_is_a_french_error_naming_graph_record_and_field(built):
    root, var_dir, first = built
    # rdflib accepts a second "#" in an IRI (a real PSTW link has one); RDF and the store do not
    (root / "data" / "lien.ttl").write_text(
        '<id/cas-usage/navettes-exemple> <http://www.w3.org/ns/dcat#landingPage> '
        '<https://example.org/page#a#b> .\n', encoding="utf-8")
    from ingest.build import BuildError

    with pytest.raises(BuildError) as info:
        run_build(options(root, var_dir))
    message = str(info.value)
    # data/ is read by pyoxigraph, which refuses the IRI: the file, its line and the line itself are named
    assert "lien.ttl : fichier RDF illisible (IRI invalide" in message and "line 1" in message
    assert "ligne 1 : « <id/cas-usage/navettes-exemple> <http://www.w3.org/ns/dcat#landingPage> " \
           "<https://example.org/page#a#b> . »" in message
    assert current_dir(var_dir) == first.build_dir


def test_an_iri_that_rdf_forbids_in_a_register_is_named_with_graph_record_and_field(built):
    """Registers are read by their importers into rdflib, which accepts it: check_iris still names it."""
    from rdflib import Graph, URIRef

    from ingest.build import BuildError

    root, var_dir, first = built

    class Register:
        name, graph, path = "registre-iri", "registre-iri", root / "sources"

        def load(self, base):
            graph = Graph()
            graph.add((URIRef(base + "id/cas-usage/lien-casse"), URIRef("http://www.w3.org/ns/dcat#landingPage"),
                       URIRef("https://example.org/page#a#b")))
            return graph

    opts = options(root, var_dir)
    opts.sources = [*opts.source_list(), Register()]
    with pytest.raises(BuildError) as info:
        run_build(opts)
    message = str(info.value)
    assert "IRI invalide « https://example.org/page#a#b »" in message
    assert "graphe « registre-iri »" in message and "lien-casse" in message and "landingPage" in message
    assert current_dir(var_dir) == first.build_dir


# --- fictional examples (data/exemples/) and records in two graphs --------------------------------------

EXAMPLE_RECORD = """@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix airo: <https://w3id.org/airo#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<id/cas-usage/fuites-fictives> a iat:UseCase ;
    dct:identifier "fuites-fictives" ;
    dct:title "Fuites fictives (exemple)"@fr ;
    dct:abstract "Exemple fictif de détection de fuites."@fr ;
    airo:isDeployedBy <id/organisation/val-d-exemple> ;
    iat:domain <https://w3id.org/ia-territoriales/nomenclature/domaines/eau-assainissement> ;
    dct:created "2024-01-15"^^xsd:date ;
    dct:modified "2024-03-01"^^xsd:date .
<id/organisation/val-d-exemple> a iat:Deployer ;
    skos:prefLabel "Communauté d'agglomération du Val d'Exemple"@fr .
"""


def test_examples_have_their_own_graph_validated_as_the_library_and_stay_out_of_the_index(root, tmp_path):
    import sqlite3

    (root / "data" / "exemples").mkdir()
    (root / "data" / "exemples" / "fuites.ttl").write_text(EXAMPLE_RECORD, encoding="utf-8")
    var_dir = tmp_path / "var-ex"
    result = run_build(options(root, var_dir))
    assert result.status == "built", result.report
    assert result.manifest["use_cases"] == {"bibliotheque": 2, "exemples": 1, "registre-exemple": 1}
    example = f"{BASE}id/cas-usage/fuites-fictives"
    store = open_current(var_dir)
    assert bool(store.query(f"ASK {{ GRAPH <{BASE}graphe/exemples> {{ <{example}> ?p ?o }} }}"))
    assert not bool(store.query(f"ASK {{ GRAPH <{BASE}graphe/bibliotheque> {{ <{example}> ?p ?o }} }}"))
    dumps = current_dir(var_dir) / "dumps"
    assert (dumps / "ia-territoriales-exemples.ttl").is_file()
    del store
    with sqlite3.connect(current_dir(var_dir) / "search.sqlite") as db:
        indexed = {iri for (iri,) in db.execute("SELECT iri FROM docs")}
    assert example not in indexed and f"{BASE}id/cas-usage/navettes-exemple" in indexed

    # the library's profile applies: a summary is required there (not in the register profile)
    (root / "data" / "exemples" / "fuites.ttl").write_text(
        EXAMPLE_RECORD.replace('dct:abstract "Exemple fictif de détection de fuites."@fr ;', ""), encoding="utf-8")
    invalid = run_build(options(root, tmp_path / "var-ex2"))
    assert invalid.status == "invalid"
    assert "fuites-fictives" in invalid.report


SHARED_RECORD = """@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix airo: <https://w3id.org/airo#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/cas-usage/exemple-42> a iat:UseCase ;
    dct:identifier "exemple-42" ;
    dct:title "Agent conversationnel (fiche de la bibliothèque)"@fr ;
    dct:abstract "La fiche que la bibliothèque tient sur un cas du registre."@fr ;
    airo:isDeployedBy <id/organisation/villeneuve-sur-exemple> ;
    iat:domain <https://w3id.org/ia-territoriales/nomenclature/domaines/mobilite> ;
    dct:created "2024-01-15"^^xsd:date ;
    dct:modified "2024-03-01"^^xsd:date .
"""


def test_csv_has_one_row_per_use_case_listing_every_graph(root, tmp_path):
    import frictionless
    import pandas

    (root / "data" / "partage.ttl").write_text(SHARED_RECORD, encoding="utf-8")
    var_dir = tmp_path / "var-shared"
    result = run_build(options(root, var_dir))
    assert result.status == "built", result.report
    dumps = current_dir(var_dir) / "dumps"
    frame = pandas.read_csv(dumps / "cas-usage.csv", dtype=str, keep_default_na=False)
    assert len(frame) == frame["iri"].nunique() == 3
    shared = frame[frame["iri"] == f"{BASE}id/cas-usage/exemple-42"].iloc[0]
    assert shared["graphe"] == "bibliotheque ; registre-exemple"
    assert shared["titre"] == "Agent conversationnel (fiche de la bibliothèque)"  # French preferred
    # each graph counts the use cases it describes
    assert result.manifest["use_cases"] == {"bibliotheque": 3, "registre-exemple": 1}
    schema = json.loads((dumps / "cas-usage.schema.json").read_text(encoding="utf-8"))
    iri_field = next(f for f in schema["fields"] if f["name"] == "iri")
    assert iri_field["constraints"]["unique"] is True
    report = frictionless.validate(frictionless.Resource(
        path="cas-usage.csv", basepath=str(dumps), schema=frictionless.Schema.from_descriptor(schema)))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # a duplicated row is caught by the unique constraint
    text = (dumps / "cas-usage.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (dumps.parent / "dup.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    dup = frictionless.validate(frictionless.Resource(
        path="dup.csv", basepath=str(dumps.parent), schema=frictionless.Schema.from_descriptor(schema)))
    assert not dup.valid
    assert {"unique-error", "primary-key"} & {t for row in dup.flatten(["type"]) for t in row}


def test_blank_nodes_of_data_are_blank_in_the_store_and_the_dumps(root, tmp_path):
    """data/ is read by pyoxigraph with blank nodes as private IRIs for the validator: the store and the dumps
    get real blank nodes back, one per node of the file."""
    from ingest.shacl_sparql import BLANK_PREFIX

    (root / "data" / "contact.ttl").write_text(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
        "<id/cas-usage/navettes-exemple> dcat:contactPoint [ a vcard:Kind ; vcard:fn \"Accueil\" ;\n"
        "    vcard:hasEmail <mailto:accueil@villeneuve-sur-exemple.example> ] .\n", encoding="utf-8")
    var_dir = tmp_path / "var-blank"
    result = run_build(options(root, var_dir))
    assert result.status == "built", result.report
    store = open_current(var_dir)
    graph = f"{BASE}graphe/bibliotheque"
    rows = list(store.query(f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ <{BASE}id/cas-usage/navettes-exemple> "
                            "<http://www.w3.org/ns/dcat#contactPoint> ?c . ?c ?p ?o } }"))
    assert len(rows) == 3 and len({row["c"] for row in rows}) == 1 and rows[0]["c"].__class__.__name__ == "BlankNode"
    assert not bool(store.query(f'ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BLANK_PREFIX}") '
                                f'|| STRSTARTS(STR(?o), "{BLANK_PREFIX}")) }} }}'))
    del store
    dump = (current_dir(var_dir) / "dumps" / "ia-territoriales-bibliotheque.ttl").read_text(encoding="utf-8")
    assert "accueil@villeneuve-sur-exemple.example" in dump and BLANK_PREFIX not in dump


def test_build_ids_sort_in_creation_order_whatever_their_digests(tmp_path):
    """prune keeps the last ids in name order: ids made in one second (an incremental build and the build
    with its fresh dumps) must sort in the order they were made, even when a later digest sorts first."""
    from ingest.build import TMP_PREFIX, _new_build_id

    builds = tmp_path / "builds"
    builds.mkdir()
    made = []
    for digest in ("ffffffff00", "00000000ff", "88888888aa", "00000000ff"):
        build_id = _new_build_id(digest, builds)
        (builds / (TMP_PREFIX + build_id if len(made) % 2 else build_id)).mkdir()
        made.append(build_id)
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(build_id.endswith("-" + digest[:8]) for build_id, digest in
               zip(made, ("ffffffff00", "00000000ff", "88888888aa", "00000000ff"), strict=True))
