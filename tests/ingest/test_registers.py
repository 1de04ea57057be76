"""Importers of the other registers (issue 3, §2 and the PSTW part of §3).

Golden files: ``tests/ingest/cases/registers-*/`` hold a real extract of each source file (a few
records, including untidy ones) and the expected graph, compared as graphs. Full-file tests import the
real files of ``sources/`` and check counts, idempotence, IRIs, languages and the mapping tables.
"""

from __future__ import annotations

import csv
import gzip
import json
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from ingest.importers import common, nl_register, pstw, pstw_france, uk_atrs
from ingest.importers.common import RegisterImportError
from ingest.namespaces import AIRO, IAT, NOMENCLATURE
from ingest.rdfio import read_graph, read_graphs, write_turtle
from ingest.sources import SOURCES, source_named

BASE = "http://example.org/"
ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"
MAPPINGS = ROOT / "ingest" / "mappings"

GOLDEN = {
    "registers-pstw": (pstw.import_file, "input.csv"),
    "registers-nl": (nl_register.import_file, "input.json"),
    "registers-nl-v1": (nl_register.import_v1_file, "input.json"),
    "registers-uk": (uk_atrs.import_file, "input.json"),
}


def assert_same_graph(actual: Graph, expected: Graph) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        lines = sorted(f"+ {t}" for t in only_actual) + sorted(f"- {t}" for t in only_expected)
        pytest.fail("graphs differ (+ produced, - expected):\n" + "\n".join(lines[:60]))


def test_golden_cases_are_all_collected():
    found = sorted(p.name for p in CASES.glob("registers-*") if p.is_dir())
    assert found == sorted([*GOLDEN, "registers-pstw-france"])


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_extract_gives_expected_graph(case):
    importer, input_name = GOLDEN[case]
    actual = importer(CASES / case / input_name, BASE)
    expected = read_graph(CASES / case / "expected.ttl", BASE)
    assert len(expected) > 100
    assert_same_graph(actual, expected)


def test_pstw_french_cases_written_as_expected(tmp_path):
    written = pstw_france.write_pstw_french_cases(tmp_path, BASE, CASES / "registers-pstw" / "input.csv")
    names = sorted(str(p.relative_to(tmp_path)) for p in written)
    assert names == [
        "cas-usage/pstw-1027.ttl",
        "cas-usage/pstw-2232.ttl",
        "cas-usage/pstw-430.ttl",
        "organisations/marseille.ttl",
        "organisations/nantes-metropole.ttl",
        "organisations/nantes.ttl",
        "organisations/nice.ttl",
        "organisations/noisy-le-grand.ttl",
    ]
    expected = read_graph(CASES / "registers-pstw-france" / "expected.ttl", BASE)
    assert_same_graph(read_graphs([tmp_path], BASE), expected)
    # files hold relative IRIs only
    assert "<http://example.org/" not in (tmp_path / "cas-usage" / "pstw-2232.ttl").read_text(
        encoding="utf-8"
    )


def test_pstw_french_cases_merge_existing_organisation_file(tmp_path):
    target = tmp_path / "organisations" / "nice.ttl"
    target.parent.mkdir()
    target.write_text(
        "<id/organisation/nice> <http://purl.org/dc/terms/source> <https://example.org/une-page> .\n",
        encoding="utf-8",
    )
    pstw_france.write_pstw_french_cases(tmp_path, BASE, CASES / "registers-pstw" / "input.csv")
    graph = read_graph(target, BASE)
    nice = URIRef(BASE + "id/organisation/nice")
    assert (nice, DCTERMS.source, URIRef("https://example.org/une-page")) in graph
    assert (nice, SKOS.prefLabel, Literal("Ville de Nice", lang="fr")) in graph


# --- full files -------------------------------------------------------------------------------------


@cache
def full(name: str) -> Graph:
    return source_named(name).load(BASE)


def subjects_of_type(graph: Graph, cls: URIRef) -> set:
    return set(graph.subjects(RDF.type, cls))


@pytest.mark.slow
def test_full_pstw_counts():
    graph = full("pstw")
    cases = subjects_of_type(graph, IAT.UseCase)
    assert len(cases) == 2291  # every row of the CSV (1,796 AI, the rest blockchain, digital twins…)
    assert all(str(c).startswith(BASE + "id/cas-usage/pstw-") for c in cases)
    assert len(pstw_france.french_cases()) == 12


def test_full_nl_counts():
    assert len(subjects_of_type(full("nl-algoritmeregister"), IAT.UseCase)) == 1530
    v1 = full("nl-algoritmeregister-v1")
    # 27 records: Amsterdam's and Tilburg's are use cases, 25 suppliers' templates are AI systems
    assert len(subjects_of_type(v1, IAT.UseCase)) == 2
    assert len(subjects_of_type(v1, AIRO.AISystem)) == 25


def test_full_uk_counts_and_deployers():
    graph = full("uk-atrs")
    cases = subjects_of_type(graph, IAT.UseCase)
    assert len(cases) == 136
    deployed = {c for c in cases if (c, AIRO.isDeployedBy, None) in graph}
    # 6 records have no publishing body; 2 of them name it in their title ("DSIT - Redbox")
    assert len(cases - deployed) == 4
    redbox = URIRef(BASE + "id/cas-usage/uk-dsit-redbox")
    assert graph.value(redbox, AIRO.isDeployedBy) == URIRef(BASE + "id/organisation/dsit")


@pytest.mark.slow
@pytest.mark.parametrize("name", [s.name for s in SOURCES])
def test_full_import_is_deterministic_and_well_formed(name):
    source = source_named(name)
    first, second = full(name), source.load(BASE)
    assert isomorphic(first, second)
    assert not any(isinstance(term, BNode) for triple in first for term in triple)
    lang = "nl" if name.startswith("nl-") else "en"
    records = subjects_of_type(first, IAT.UseCase) | subjects_of_type(first, AIRO.AISystem)
    for record in records:
        for prop in (DCTERMS.title, DCTERMS.abstract, DCTERMS.description):
            for value in first.objects(record, prop):
                assert isinstance(value, Literal) and value.language == lang, (record, prop, value)
        assert (record, DCTERMS.license, URIRef(source.licence)) in first
        assert first.value(record, DCTERMS.created) is not None
        assert (record, DCTERMS.source, None) in first and (record, DCTERMS.identifier, None) in first
        assert len(str(first.value(record, DCTERMS.abstract))) <= 400


def test_sources_list_the_architecture_graphs_and_files():
    assert [s.graph for s in SOURCES] == [
        "pstw",
        "nl-algoritmeregister",
        "nl-algoritmeregister-v1",
        "uk-atrs",
    ]
    for source in SOURCES:
        assert source.path.is_file() and source.path.suffix == ".gz"
        assert source.path.name in (ROOT / "sources" / "README.md").read_text(encoding="utf-8")


# --- mapping tables ---------------------------------------------------------------------------------


@cache
def nomenclature() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "ontology" / "nomenclature").glob("*.ttl")):
        graph.parse(path)
    return graph


def concept_exists(scheme: str, code: str) -> bool:
    return (
        URIRef(f"{NOMENCLATURE}{scheme}/{code}"),
        SKOS.inScheme,
        URIRef(f"{NOMENCLATURE}{scheme}"),
    ) in nomenclature()


REGISTER_TABLES = sorted(p.stem for p in MAPPINGS.glob("*.csv") if p.stem.startswith(("pstw-", "nl-")))


def test_register_tables_collected():
    assert len(REGISTER_TABLES) == 13


@pytest.mark.parametrize(
    "name", [t for t in REGISTER_TABLES if t not in ("pstw-cofog", "pstw-french-authorities")]
)
def test_every_mapped_code_exists_in_the_nomenclature(name):
    table = common.mapping(name)
    codes = {code for codes in table.table.values() for code in codes}
    assert codes, name
    missing = sorted(code for code in codes if not concept_exists(table.scheme, code))
    assert not missing, f"{name}: codes absent from {table.scheme}: {missing}"


def test_french_authority_types_exist_and_aliases_agree():
    rows = list(csv.DictReader((MAPPINGS / "pstw-french-authorities.csv").open(encoding="utf-8")))
    for row in rows:
        if row["type"]:
            assert concept_exists("types-collectivite", row["type"]), row
    single = [r for r in rows if r["nom"] and sum(x["organisation"] == r["organisation"] for x in rows) == 1]
    for row in single:  # one authority: the shared alias table gives the same canonical name
        assert common.canonical_organisation(row["organisation"]) == row["nom"], row


def test_cofog_codes_exist():
    cofog = Graph().parse(ROOT / "ontology" / "reference" / "cofog.ttl")
    notations = {str(n) for n in cofog.objects(None, SKOS.notation)}
    table = common.lookup_table("pstw-cofog", "value")
    assert len(table) > 70
    assert {row["cofog"] for row in table.values() if row["cofog"]} <= notations


def test_every_pstw_french_territorial_organisation_is_in_the_table():
    rows = pstw.read_rows(source_named("pstw").path)
    listed = {common.norm_key(r["organisation"]) for r in pstw.french_authorities()}
    local = [
        r
        for r in rows
        if common.clean(r[pstw.COUNTRY]).casefold() == "france"
        and common.norm_key(r[pstw.ORG_CATEGORY]) in {"local government", "regional government"}
    ]
    assert len(local) == 20
    assert {common.norm_key(r[pstw.ORGANISATION]) for r in local} <= listed


# --- SHACL (shapes/ via ingest.validate) -------------------------------------------------------------


@pytest.mark.parametrize("case", ["registers-pstw", "registers-nl-v1"])
def test_extracts_conform_to_the_register_profile(case):
    from ingest.validate import validate_graph

    importer, input_name = GOLDEN[case]
    report = validate_graph(importer(CASES / case / input_name, BASE), "registre")
    assert not report.violations, [r.message("fr") for r in report.violations][:5]


def test_french_cases_conform_to_the_library_profile():
    from ingest.validate import validate_graph

    report = validate_graph(
        read_graph(CASES / "registers-pstw-france" / "expected.ttl", BASE), "bibliotheque"
    )
    assert not report.violations, [r.message("fr") for r in report.violations][:5]


@pytest.mark.parametrize("case", ["registers-nl", "registers-uk"])
def test_known_gaps_of_the_nl_export_and_uk_index(case):
    """The NL export has no theme, the UK index neither function nor phase, and four UK records no
    publishing body: these fields stay empty (never guessed). The register profile reports them as
    warnings, so the records publish; nothing is violated."""
    from ingest.validate import validate_graph

    importer, input_name = GOLDEN[case]
    report = validate_graph(importer(CASES / case / input_name, BASE), "registre")
    assert not report.violations, [r.message("fr") for r in report.violations][:5]
    gaps = {str(IAT.domain), str(IAT.stage), str(AIRO.isDeployedBy)}
    assert {r.path for r in report.results if r.path in gaps}, "the gap is expected to show as a warning"
    library = validate_graph(importer(CASES / case / input_name, BASE), "bibliotheque")
    assert {r.path for r in library.violations} & gaps, "the library profile would refuse them"


# --- untidy and broken input ------------------------------------------------------------------------


def pstw_extract() -> str:
    return (CASES / "registers-pstw" / "input.csv").read_text(encoding="utf-8")


def test_pstw_reads_bom_and_spaced_header_gzipped_or_not(tmp_path):
    text = pstw_extract()
    assert text.startswith("\ufeffPSTW ID,") and ", Status," in text.splitlines()[0]
    packed = tmp_path / "extract.csv.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    assert isomorphic(
        pstw.import_file(packed, BASE), pstw.import_file(CASES / "registers-pstw" / "input.csv", BASE)
    )


def test_pstw_unknown_value_names_file_record_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(pstw_extract().replace(",Pilot,", ",Beta,", 1), encoding="utf-8")
    with pytest.raises(RegisterImportError) as info:
        pstw.import_file(bad, BASE)
    message = str(info.value)
    assert str(bad) in message and "« Beta »" in message and "champ « Status »" in message
    assert "enregistrement « PSTW-" in message


def test_pstw_missing_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(pstw_extract().replace(" Status,", "Statut,", 1), encoding="utf-8")
    with pytest.raises(RegisterImportError, match="colonnes manquantes : Status"):
        pstw.import_file(bad, BASE)


def test_pstw_duplicate_identifier(tmp_path):
    lines = pstw_extract().splitlines(keepends=True)
    bad = tmp_path / "bad.csv"
    text = "".join(lines)
    bad.write_text(text.replace("PSTW-430,", "PSTW-1,", 1), encoding="utf-8")
    with pytest.raises(RegisterImportError, match="identifiant en double"):
        pstw.import_file(bad, BASE)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x1f\x8b\x08\x00broken", "archive gzip illisible"),
        ("é".encode("latin-1") * 3, "encodage non UTF-8"),
        (b'{"algoritmes": [', "JSON invalide"),
        (b'{"records": []}', "liste « algoritmes » attendu"),
    ],
)
def test_nl_broken_files(tmp_path, content, expected):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(RegisterImportError, match=expected) as info:
        nl_register.import_file(bad, BASE)
    assert str(bad) in str(info.value)


def test_nl_unknown_status_and_missing_field(tmp_path):
    data = json.loads((CASES / "registers-nl" / "input.json").read_text(encoding="utf-8"))
    data["algoritmes"][0]["status"] = "gepauzeerd"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegisterImportError, match=r"« gepauzeerd ».*nl-stades\.csv"):
        nl_register.import_file(bad, BASE)
    del data["algoritmes"][1]["organisatie"]
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegisterImportError, match="champ « organisatie » : champ manquant"):
        nl_register.import_file(bad, BASE)


def test_uk_unexpected_url(tmp_path):
    data = json.loads((CASES / "registers-uk" / "input.json").read_text(encoding="utf-8"))
    data["records"][0]["url"] = "https://example.org/elsewhere"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegisterImportError, match=r"adresse GOV\.UK inattendue"):
        uk_atrs.import_file(bad, BASE)


# --- small pure functions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "urls"),
    [
        ("https://a.example/x https://b.example/y", ["https://a.example/x", "https://b.example/y"]),
        ("https://a.example/x, https://b.example/y", ["https://a.example/x", "https://b.example/y"]),
        ("https://q.example/Proof of Concepts/page/", ["https://q.example/Proof%20of%20Concepts/page/"]),
        ("www.juntadeandalucia.es", ["https://www.juntadeandalucia.es"]),
        ("https:/www.dipcas.es/es/ia.html", ["https://www.dipcas.es/es/ia.html"]),
        ("Yes", []),
        ("", []),
    ],
)
def test_urls_in_cell(cell, urls):
    assert common.urls_in_cell(cell) == urls


def test_summary_cuts_at_a_word():
    text = "mot " * 150
    cut = common.summary(text)
    assert len(cut) <= 400 and cut.endswith("mot…")
    assert common.summary("court") == "court"


def test_write_back_is_stable(tmp_path):
    graph = pstw.import_file(CASES / "registers-pstw" / "input.csv", BASE)
    write_turtle(graph, tmp_path / "a.ttl", BASE)
    write_turtle(pstw.import_file(CASES / "registers-pstw" / "input.csv", BASE), tmp_path / "b.ttl", BASE)
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()
