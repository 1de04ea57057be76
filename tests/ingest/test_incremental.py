"""Incremental builds (ingest.incremental): a change of a few files of data/ gives the same build as a full one.

Each scenario builds a small fictional input tree fully, changes data/, builds again (incremental, chosen
automatically), then builds the same inputs fully (``--complet``) in another var dir, and compares: the store's
quads per named graph (blank nodes up to renaming), the search index rows and facets, the validation summary,
findings and report, the manifest's counts, and the dumps and CSV.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from build_support import FileSource
from pyoxigraph import RdfFormat, Store
from rdflib import Graph
from rdflib.compare import isomorphic

from ingest.build import BuildOptions, compute_digest, current_dir, run_build
from ingest.commands import build as build_command
from ingest.incremental import build_digest, prepare
from ingest.inputs import RECORD_NAME, Record, scan
from ingest.manifest import read_manifest, sha256_file
from ingest.shape_depth import needs

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "build_inputs"
BASE = "http://iat.test/"
PROJECT = Path(__file__).resolve().parents[2]
PREFIXES = """@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix airo: <https://w3id.org/airo#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
"""
DOMAIN = "<https://w3id.org/ia-territoriales/nomenclature/domaines/{}>"
# a use case whose organisation lacks a home page gets a warning: a finding on a node that reads its neighbour
ORG_SHAPES = PREFIXES + """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix iatsh: <https://w3id.org/ia-territoriales/shapes#> .
iatsh:DeployerHomepageShape a sh:NodeShape ;
    sh:targetClass iat:UseCase ;
    sh:property [ sh:path airo:isDeployedBy ; sh:node iatsh:HasHomepage ; sh:severity sh:Warning ;
                  sh:message "Le déployeur n'a pas de page d'accueil (foaf:homepage)."@fr ] .
iatsh:HasHomepage a sh:NodeShape ;
    sh:property [ sh:path foaf:homepage ; sh:minCount 1 ] .
"""




def use_case(slug: str, title: str, org: str = "villeneuve-sur-exemple", domain: str = "mobilite",
             description: bool = True, extra: str = "") -> str:
    desc = f'    dct:description "Description de {title}."@fr ;\n' if description else ""
    return PREFIXES + f"""
<id/cas-usage/{slug}> a iat:UseCase ;
    dct:identifier "{slug}" ;
    dct:title "{title}"@fr ;
    dct:abstract "Résumé de {title}."@fr ;
{desc}    dct:language <http://id.loc.gov/vocabulary/iso639-1/fr> ;
    airo:isDeployedBy <id/organisation/{org}> ;
    iat:domain {DOMAIN.format(domain)} ;
    dcat:contactPoint <id/cas-usage/{slug}#contact> ;
    dct:created "2024-01-15"^^xsd:date ;
    dct:modified "2024-03-01"^^xsd:date .

<id/cas-usage/{slug}#contact> a vcard:Kind ; vcard:fn "Service numérique"@fr .
{extra}"""


def organisation(slug: str, label: str, homepage: bool = True, kind: str = "iat:Deployer") -> str:
    page = f"    foaf:homepage <https://{slug}.example/> ;\n" if homepage else ""
    return PREFIXES + f"""
<id/organisation/{slug}> a {kind} ;
{page}    skos:prefLabel "{label}"@fr .
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The build tests' tiny ontology and shapes, a shape reading one link away, and data/ in several files."""
    from ingest.validate import NOMENCLATURE_SHAPES, PROFILES

    copy = tmp_path / "inputs"
    shutil.copytree(FIXTURE, copy)
    (copy / "data" / "cas.ttl").unlink()
    for name in {*NOMENCLATURE_SHAPES, *(n for names in PROFILES.values() for n in names)}:
        path = copy / "shapes" / name
        if not path.exists():
            path.write_text("# (vide pour les tests)\n", encoding="utf-8")
    (copy / "shapes" / "organisation.ttl").write_text(ORG_SHAPES, encoding="utf-8")
    data = copy / "data"
    write(data / "organisations" / "villeneuve.ttl", organisation("villeneuve-sur-exemple",
                                                                  "Commune de Villeneuve-sur-Exemple"))
    write(data / "organisations" / "montagne.ttl", organisation("montagne-sur-exemple",
                                                                "Commune de Montagne-sur-Exemple", homepage=False))
    write(data / "cas-usage" / "fuites.ttl", use_case("fuites-exemple", "Détection de fuites", domain="eau-assainissement"))
    write(data / "cas-usage" / "navettes.ttl", use_case("navettes-exemple", "Navettes à la demande",
                                                        description=False))
    write(data / "cas-usage" / "chatbot.ttl", use_case("chatbot-exemple", "Agent conversationnel",
                                                       org="montagne-sur-exemple"))
    fictive = organisation("exemple-fictive", "Organisation fictive").split("\n", 10)[-1]
    write(data / "exemples" / "exemple.ttl", use_case("exemple-fictif", "Exemple fictif", org="exemple-fictive",
                                                      extra=fictive))
    return copy


@pytest.fixture(autouse=True)
def keep_builds(monkeypatch):
    """Builds of one second may sort in any order by name (ingest.build prunes by name): keep them all here, the
    tests read the intermediate builds."""
    monkeypatch.setattr("ingest.build.prune", lambda var_dir, keep=2: [])


def forget_loaded_shapes() -> None:
    """ingest.validate caches shapes and support per process, by path: a test that edits shapes/ clears them."""
    import ingest.validate

    for value in vars(ingest.validate).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def options(root: Path, var_dir: Path, **kw) -> BuildOptions:
    source = FileSource("exemple", "registre-exemple", root / "sources" / "registre-exemple.ttl")
    return BuildOptions(base_url=BASE, var_dir=var_dir, root=root, sources=[source], quiet=True, **kw)


@pytest.fixture
def built(root: Path, tmp_path: Path):
    var_dir = tmp_path / "var"
    result = run_build(options(root, var_dir))
    assert result.status == "built", result.report
    assert result.manifest["build_kind"] == "full"
    return root, var_dir, result


# --- what is compared ---------------------------------------------------------------------------------


def graphs_of(build: Path) -> dict[str, Graph]:
    store = Store.read_only(str(build / "store"))
    out = {}
    for graph in store.named_graphs():
        data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
        out[graph.value] = Graph().parse(data=data, format="nt")
    return out


def index_rows(build: Path) -> tuple[list, list, list]:
    """Documents by IRI (no row number), facets by (facet, value, IRI), facet values with counts (no bitmap)."""
    db = sqlite3.connect(f"file:{build / 'search.sqlite'}?mode=ro", uri=True)
    try:
        columns = [r[1] for r in db.execute("PRAGMA table_info(docs)") if r[1] != "id"]
        docs = sorted(db.execute(f"SELECT {', '.join(columns)} FROM docs"))
        facets = sorted(db.execute("SELECT f.facet, f.value, d.iri FROM facets f JOIN docs d ON d.id = f.doc"))
        values = sorted(db.execute("SELECT facet, value, label, label_en, position, broader, docs FROM facet_values"))
    finally:
        db.close()
    return docs, facets, values


def findings(build: Path) -> list:
    data = json.loads((build / "dumps" / "rapport-validation.json").read_text(encoding="utf-8"))
    return data["results"]


def assert_same_as_full(root: Path, var_dir: Path, tmp_path: Path) -> dict:
    """The served build equals a full build of the same inputs; returns the served manifest."""
    served = current_dir(var_dir)
    full_var = tmp_path / "var-complet"
    shutil.rmtree(full_var, ignore_errors=True)
    full = run_build(options(root, full_var, full=True))
    assert full.status == "built", full.report
    assert full.manifest["build_kind"] == "full"
    reference = current_dir(full_var)
    mine, theirs = graphs_of(served), graphs_of(reference)
    assert sorted(mine) == sorted(theirs)
    for name in theirs:
        assert isomorphic(mine[name], theirs[name]), name
    assert index_rows(served) == index_rows(reference)
    assert findings(served) == findings(reference)
    assert (served / "dumps" / "rapport-validation.txt").read_text() == \
        (reference / "dumps" / "rapport-validation.txt").read_text()
    manifest, expected = read_manifest(served), read_manifest(reference)
    for key in ("graphs", "triples", "use_cases", "input_digest"):
        assert manifest[key] == expected[key], key
    summary = {k: v for k, v in manifest["validation"].items() if k != "seconds"}
    assert summary == {k: v for k, v in expected["validation"].items() if k != "seconds"}
    assert (served / "dumps" / "cas-usage.csv").read_bytes() == (reference / "dumps" / "cas-usage.csv").read_bytes()
    union = [Graph().parse(b / "dumps" / "ia-territoriales.ttl", format="turtle") for b in (served, reference)]
    assert isomorphic(*union)
    assert {f["path"] for f in manifest["files"]} == {f["path"] for f in expected["files"]}
    assert record_rows(served) == record_rows(reference)  # what the next incremental build starts from
    return manifest


def record_rows(build: Path) -> tuple[list, list, list]:
    db = sqlite3.connect(f"file:{build / RECORD_NAME}?mode=ro", uri=True)
    try:
        return (sorted(db.execute("SELECT * FROM files")), sorted(db.execute("SELECT * FROM subjects")),
                sorted(db.execute("SELECT * FROM meta")))
    finally:
        db.close()


def rebuild(root: Path, var_dir: Path):
    previous = current_dir(var_dir)
    result = run_build(options(root, var_dir))
    return previous, result


def assert_incremental(previous: Path, result, var_dir: Path) -> None:
    """Served first by an incremental build holding the previous dumps (and saying so), then by a build with
    fresh dumps; the previous build untouched."""
    assert result.status == "built", result.report
    assert result.kind_fr.startswith("Construction incrémentale"), result.kind_fr
    final = read_manifest(current_dir(var_dir))
    assert final["build_kind"] == "incremental-dumps" and "dumps_of_build" not in final
    served_first = var_dir / "builds" / final["incremental"]["dumps_for_build"]
    first = read_manifest(served_first)
    assert first["build_kind"] == "incremental"
    # its own reason, not the previous (full) build's carried over with the rest of that manifest
    assert first["build_reason"] == first["incremental"]["reason"]
    assert final["build_reason"] == first["build_reason"]
    assert first["dumps_of_build"] == previous.name
    assert first["incremental"]["previous_build"] == previous.name
    for key in ("graphs", "triples", "use_cases", "validation", "input_digest"):  # corrected counts = recounted
        assert first[key] == final[key], key
    # its manifest describes the dump files it holds (the previous build's, hard-linked)
    for entry in first["files"]:
        assert sha256_file(served_first / entry["path"]) == entry["sha256"], entry["path"]


def snapshot(build: Path) -> dict[str, tuple[int, int, int]]:
    return {p.relative_to(build).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino)
            for p in build.rglob("*") if p.is_file()}


# --- scenarios ----------------------------------------------------------------------------------------


def test_an_edited_use_case_is_rebuilt_incrementally_as_a_full_build_would(built, tmp_path, monkeypatch):
    root, var_dir, first = built
    before = snapshot(current_dir(var_dir))
    ttl_inode = before["dumps/ia-territoriales.ttl"][2]
    path = root / "data" / "cas-usage" / "fuites.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("Détection de fuites", "Détection des fuites d'eau"),
                    encoding="utf-8")
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    assert first.manifest["build_id"] == previous.name
    assert snapshot(previous) == before  # the previous build was not written to
    served_first = var_dir / "builds" / read_manifest(current_dir(var_dir))["incremental"]["dumps_for_build"]
    assert (served_first / "dumps" / "ia-territoriales.ttl").stat().st_ino == ttl_inode
    manifest = assert_same_as_full(root, var_dir, tmp_path)
    assert manifest["incremental"]["changed"] == ["cas-usage/fuites.ttl"]
    titles = [d for d in index_rows(current_dir(var_dir))[0] if "fuites" in str(d)]
    assert any("Détection des fuites d'eau" in str(d) for d in titles)
    # a second change builds on the incremental one
    (root / "data" / "cas-usage" / "chatbot.ttl").unlink()
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    assert_same_as_full(root, var_dir, tmp_path)


def test_an_added_use_case_file(built, tmp_path):
    root, var_dir, _ = built
    write(root / "data" / "cas-usage" / "parking.ttl", use_case("parking-exemple", "Places de stationnement",
                                                                org="montagne-sur-exemple", description=False))
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    manifest = assert_same_as_full(root, var_dir, tmp_path)
    assert manifest["incremental"]["added"] == ["cas-usage/parking.ttl"]
    assert manifest["use_cases"]["bibliotheque"] == 4


def test_a_removed_use_case_file(built, tmp_path):
    root, var_dir, _ = built
    (root / "data" / "cas-usage" / "navettes.ttl").unlink()
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    manifest = assert_same_as_full(root, var_dir, tmp_path)
    assert manifest["incremental"]["removed"] == ["cas-usage/navettes.ttl"]
    assert manifest["use_cases"]["bibliotheque"] == 2
    assert manifest["validation"]["warnings"] == read_manifest(previous)["validation"]["warnings"] - 1


def test_an_organisation_change_revalidates_and_reindexes_its_use_cases(built, tmp_path):
    root, var_dir, _ = built
    before = {f["focus"] for f in findings(current_dir(var_dir)) if "page d'accueil" in f["message"]}
    register = f"{BASE}id/cas-usage/exemple-42"  # a register record whose organisation has no home page
    assert before == {f"{BASE}id/cas-usage/chatbot-exemple", register}  # montagne has no home page
    write(root / "data" / "organisations" / "montagne.ttl",
          organisation("montagne-sur-exemple", "Ville de Montagne-sur-Exemple", homepage=True))
    write(root / "data" / "organisations" / "villeneuve.ttl",
          organisation("villeneuve-sur-exemple", "Commune de Villeneuve-sur-Exemple", homepage=False))
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    assert_same_as_full(root, var_dir, tmp_path)
    after = {f["focus"] for f in findings(current_dir(var_dir)) if "page d'accueil" in f["message"]}
    # the use cases of unchanged files got their warnings from their organisation's change
    assert after == {f"{BASE}id/cas-usage/{s}" for s in ("fuites-exemple", "navettes-exemple")} | {register}
    docs = index_rows(current_dir(var_dir))[0]
    assert any("Ville de Montagne-sur-Exemple" in str(d) for d in docs)


def test_a_subject_shared_with_an_unchanged_file_keeps_that_file_s_triples(built, tmp_path):
    root, var_dir, _ = built
    extra = '<id/organisation/villeneuve-sur-exemple> skos:altLabel "Villeneuve"@fr .\n'
    write(root / "data" / "cas-usage" / "chatbot.ttl", use_case("chatbot-exemple", "Agent conversationnel",
                                                                org="montagne-sur-exemple", extra=extra))
    run_build(options(root, var_dir))
    path = root / "data" / "organisations" / "villeneuve.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("Commune de", "Mairie de"), encoding="utf-8")
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    assert "cas-usage/chatbot.ttl" in read_manifest(
        var_dir / "builds" / read_manifest(current_dir(var_dir))["incremental"]["dumps_for_build"]
    )["incremental"]["files_reloaded"]
    assert_same_as_full(root, var_dir, tmp_path)
    store = Store.read_only(str(current_dir(var_dir) / "store"))
    labels = {r["l"].value for r in store.query(
        f"SELECT ?l WHERE {{ GRAPH ?g {{ <{BASE}id/organisation/villeneuve-sur-exemple> skos:altLabel ?l }} }}".replace(
            "skos:altLabel", "<http://www.w3.org/2004/02/skos/core#altLabel>"))}
    assert labels == {"Villeneuve"}


def test_an_invalid_edit_is_refused_with_the_full_build_s_report_and_changes_nothing(built, tmp_path):
    root, var_dir, _ = built
    current = current_dir(var_dir)
    builds = sorted(p.name for p in (var_dir / "builds").iterdir())
    # the organisation is no longer an org:Organization: the use cases of unchanged files now violate sh:class
    write(root / "data" / "organisations" / "villeneuve.ttl",
          organisation("villeneuve-sur-exemple", "Commune de Villeneuve-sur-Exemple", kind="iat:Risk"))
    result = run_build(options(root, var_dir))
    assert result.status == "invalid"
    assert result.kind_fr.startswith("Construction incrémentale")  # refused before anything was published
    assert current_dir(var_dir) == current
    assert sorted(p.name for p in (var_dir / "builds").iterdir()) == builds
    full = run_build(options(root, tmp_path / "var-complet", full=True))
    assert full.status == "invalid"
    assert result.report == full.report
    for slug in ("navettes-exemple", "fuites-exemple"):  # unchanged files, violations from the changed one
        assert f"[violation] {BASE}id/cas-usage/{slug}, propriété <https://w3id.org/airo#isDeployedBy>" in result.report


# --- the decision ------------------------------------------------------------------------------------


def test_full_build_is_chosen_when_asked_or_when_shapes_change(built):
    root, var_dir, _ = built
    write(root / "data" / "cas-usage" / "parking.ttl", use_case("parking-exemple", "Stationnement"))
    assert prepare(options(root, var_dir), current_dir(var_dir), full=True).reason == "demandée (--complet)"
    shapes = root / "shapes" / "organisation.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# changement\n", encoding="utf-8")
    forget_loaded_shapes()
    plan = prepare(options(root, var_dir), current_dir(var_dir))
    assert not plan.incremental and plan.reason == "shapes/ a changé"
    result = run_build(options(root, var_dir))
    assert result.kind_fr == "Construction complète : shapes/ a changé."
    assert read_manifest(current_dir(var_dir))["build_reason"] == "shapes/ a changé"
    record = Record.open_existing(current_dir(var_dir) / RECORD_NAME)  # reused from the previous build's record
    try:
        subjects = record.subjects(["cas-usage/fuites.ttl", "cas-usage/parking.ttl"])
    finally:
        record.close()
    assert subjects["cas-usage/fuites.ttl"] == {f"{BASE}id/cas-usage/fuites-exemple",
                                                 f"{BASE}id/cas-usage/fuites-exemple#contact"}
    assert f"{BASE}id/cas-usage/parking-exemple" in subjects["cas-usage/parking.ttl"]


def test_the_cli_says_which_kind_of_build_ran(built, monkeypatch, capsys):
    root, var_dir, _ = built
    opts_seen = []
    real = run_build

    def spy(opts):
        opts_seen.append(opts.full)
        return real(dataclasses.replace(opts, root=root, sources=options(root, var_dir).sources))

    monkeypatch.setattr("ingest.build.run_build", spy)
    write(root / "data" / "cas-usage" / "parking.ttl", use_case("parking-exemple", "Stationnement"))
    args = ["--var-dir", str(var_dir), "--data-dir", str(root / "data"), "--base-url", BASE]
    assert build_command.main(args) == 0
    err = capsys.readouterr().err
    assert "Construction incrémentale (1 fichier(s) ajouté(s), 0 modifié(s), 0 supprimé(s))" in err, err
    assert build_command.main([*args, "--complet"]) == 0
    assert "Construction complète : demandée (--complet)." in capsys.readouterr().err
    assert build_command.main([*args, "--full"]) == 0
    assert opts_seen == [False, True, True]


def test_the_digest_from_the_record_equals_the_full_one(built):
    root, var_dir, _ = built
    opts = options(root, var_dir)
    record = Record.open_existing(current_dir(var_dir) / RECORD_NAME)
    states = scan(opts.data, record.states())
    record.close()
    assert build_digest(opts, states) == compute_digest(opts)
    write(root / "data" / "cas-usage" / "z.ttl", use_case("z-exemple", "Z"))
    assert build_digest(opts, scan(opts.data, {})) == compute_digest(opts)


def test_the_record_lists_each_file_with_its_subjects(built):
    root, var_dir, _ = built
    record = Record.open_existing(current_dir(var_dir) / RECORD_NAME)
    try:
        assert record.graphs()["exemples/exemple.ttl"] == "exemples"
        assert record.subjects(["cas-usage/fuites.ttl"])["cas-usage/fuites.ttl"] == {
            f"{BASE}id/cas-usage/fuites-exemple", f"{BASE}id/cas-usage/fuites-exemple#contact"}
        state = record.states()["cas-usage/fuites.ttl"]
        assert state.size == (root / "data" / "cas-usage" / "fuites.ttl").stat().st_size
    finally:
        record.close()


# --- how far the shapes read ---------------------------------------------------------------------------


def test_the_project_shapes_need_no_deeper_subgraph_than_the_incremental_build_extracts():
    from ingest.incremental_validation import MAX_DEPTH
    from ingest.validation_runner import make_plan

    plan = make_plan(PROJECT, ["bibliotheque"], "bibliotheque")
    need = needs(plan.shapes["bibliotheque"])
    assert need.depth is not None, need.reason
    assert need.depth <= MAX_DEPTH
    assert need.depth == 1  # today: sh:class and sh:node read the value's own triples
    assert "https://w3id.org/airo#isDeployedBy" in need.target_object_predicates


def test_depth_counts_nested_node_shapes_and_refuses_sparql_constraints():
    shapes = Graph().parse(data=PREFIXES + """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/formes#> .
ex:A a sh:NodeShape ; sh:targetClass iat:UseCase ;
    sh:property [ sh:path airo:isDeployedBy ; sh:node ex:B ] .
ex:B a sh:NodeShape ; sh:property [ sh:path dct:spatial ; sh:class dct:Location ] .
""", format="turtle")
    assert needs(shapes).depth == 2
    shapes.parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://example.org/formes#C> a sh:NodeShape ; sh:targetNode <https://example.org/x> ;
    sh:sparql [ sh:select "SELECT $this WHERE { ?x ?p $this }" ] .""", format="turtle")
    need = needs(shapes)
    assert need.depth is None and "SPARQL" in need.reason


def test_a_change_the_shapes_read_too_deeply_goes_to_a_full_build(built):
    root, var_dir, _ = built
    deep = ORG_SHAPES + """
iatsh:Deep a sh:NodeShape ; sh:targetClass iat:UseCase ;
    sh:property [ sh:path airo:isDeployedBy ; sh:node iatsh:Deeper ] .
iatsh:Deeper a sh:NodeShape ; sh:property [ sh:path foaf:homepage ; sh:node iatsh:Deepest ] .
iatsh:Deepest a sh:NodeShape ; sh:property [ sh:path dct:title ; sh:node iatsh:HasHomepage ] .
"""
    (root / "shapes" / "organisation.ttl").write_text(deep, encoding="utf-8")
    forget_loaded_shapes()
    assert run_build(options(root, var_dir)).manifest["build_kind"] == "full"
    write(root / "data" / "cas-usage" / "parking.ttl", use_case("parking-exemple", "Stationnement"))
    result = run_build(options(root, var_dir))
    assert result.kind_fr.startswith("Construction complète : incrémentale impossible, les formes lisent à 3 liens")


def test_an_example_record_edit_stays_in_its_own_graph(built, tmp_path):
    root, var_dir, _ = built
    path = root / "data" / "exemples" / "exemple.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("Exemple fictif", "Exemple entièrement fictif"),
                    encoding="utf-8")
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    assert_same_as_full(root, var_dir, tmp_path)


def test_an_untouched_content_gives_an_incremental_build_without_new_dumps(built, tmp_path):
    root, var_dir, _ = built
    path = root / "data" / "cas-usage" / "fuites.ttl"
    path.write_bytes(path.read_bytes())  # same bytes, new mtime
    previous, result = rebuild(root, var_dir)
    assert result.kind_fr.startswith("Construction incrémentale (0 fichier(s) ajouté(s), 0 modifié(s)")
    manifest = read_manifest(current_dir(var_dir))
    assert manifest["build_kind"] == "incremental" and manifest["dumps_of_build"] == previous.name
    assert_same_as_full(root, var_dir, tmp_path)


def test_an_unreadable_changed_file_is_a_french_error_naming_it_and_changes_nothing(built):
    from ingest.build import BuildError

    root, var_dir, _ = built
    current = current_dir(var_dir)
    builds = sorted(p.name for p in (var_dir / "builds").iterdir())
    path = root / "data" / "cas-usage" / "navettes.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("dct:title", "dct:title <pas une IRI", 1),
                    encoding="utf-8")
    with pytest.raises(BuildError) as error:
        run_build(options(root, var_dir))
    assert "navettes.ttl" in str(error.value) and "fichier RDF illisible" in str(error.value)
    assert current_dir(var_dir) == current
    assert sorted(p.name for p in (var_dir / "builds").iterdir()) == builds


def test_a_new_examples_folder_goes_to_a_full_build(built):
    root, var_dir, _ = built
    shutil.rmtree(root / "data" / "exemples")
    plan = prepare(options(root, var_dir), current_dir(var_dir))
    assert not plan.incremental and "exemples" in plan.reason


def test_a_file_with_blank_nodes_is_replaced_with_them(built, tmp_path):
    root, var_dir, _ = built
    blank = PREFIXES + """
<id/cas-usage/anonyme-exemple> a iat:UseCase ; dct:identifier "anonyme-exemple" ; dct:title "Anonyme"@fr ;
    dct:abstract "Résumé."@fr ; dct:description "Description."@fr ;
    airo:isDeployedBy <id/organisation/villeneuve-sur-exemple> ;
    dcat:contactPoint [ a vcard:Kind ; vcard:fn "Accueil"@fr ; vcard:hasEmail [ vcard:value "x" ] ] .
"""
    write(root / "data" / "cas-usage" / "anonyme.ttl", blank)
    run_build(options(root, var_dir))
    write(root / "data" / "cas-usage" / "anonyme.ttl", blank.replace('"Accueil"', '"Standard"'))
    previous, result = rebuild(root, var_dir)
    assert_incremental(previous, result, var_dir)
    assert_same_as_full(root, var_dir, tmp_path)
    store = Store.read_only(str(current_dir(var_dir) / "store"))
    names = {r["n"].value for r in store.query(
        "SELECT ?n WHERE { GRAPH ?g { ?c <http://www.w3.org/2006/vcard/ns#fn> ?n } }")}
    assert names == {"Standard", "Service numérique"}
    values = list(store.query("SELECT ?v WHERE { GRAPH ?g { ?e <http://www.w3.org/2006/vcard/ns#value> ?v } }"))
    assert len(values) == 1  # the old version's nested blank node is gone
