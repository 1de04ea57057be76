"""The French cases sheet -> data/: counts, sources, stable output, mappings, golden extract, errors."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from ingest.importers.french_cases import (
    FICHE,
    MAPPINGS_DIR,
    NOMENCLATURE_DIR,
    FrenchCasesError,
    known_concepts,
    load_mappings,
    read_fiche,
    write_french_cases,
)
from ingest.namespaces import AIRO, IAT, NOMENCLATURE
from ingest.rdfio import read_graph, read_graphs
from ingest.validate import validate_graph

BASE = "http://example.org/ia/"
CASES = Path(__file__).parent / "cases" / "french-cases"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    summary = write_french_cases(data, BASE)
    return data, summary


def test_counts_local_cases_written_state_cases_left_out(written):
    data, summary = written
    files = sorted((data / "cas-usage").glob("*.ttl"))
    assert len(files) == 72
    assert all(f.name.startswith("loc-") for f in files)
    assert summary.skipped_state_cases == ["ETAT-01", "ETAT-02", "ETAT-03", "ETAT-04", "ETAT-05"]
    # the sheet gives no status for these two and the stage is required: held back, not guessed
    assert summary.held_back == ["LOC-002", "LOC-048"]
    graph = read_graphs([data], BASE)
    identifiers = {str(i) for i in graph.objects(None, DCTERMS.identifier)}
    assert identifiers == {f"LOC-{n:03d}" for n in range(1, 75)} - {"LOC-002", "LOC-048"}
    assert not [label for label in graph.objects(None, SKOS.prefLabel) if str(label).startswith("État")]


def test_every_use_case_has_a_source_deployer_domain_and_dates(written):
    data, _ = written
    for path in sorted((data / "cas-usage").glob("*.ttl")):
        graph = read_graph(path, BASE)
        (uc,) = list(graph.subjects(RDF.type, IAT.UseCase))
        assert list(graph.objects(uc, DCTERMS.source)), path.name
        assert list(graph.objects(uc, AIRO.isDeployedBy)), path.name
        assert list(graph.objects(uc, IAT.domain)), path.name
        assert str(graph.value(uc, DCTERMS.created)) == "2026-11-26"
        assert not any(isinstance(term, BNode) for triple in graph for term in triple), path.name


def test_sources_are_every_url_of_the_row(written):
    data, _ = written
    rows = {r["id"]: r for r in read_fiche()}
    graph = read_graphs([data / "cas-usage"], BASE)
    for uc in graph.subjects(RDF.type, IAT.UseCase):
        ident = str(graph.value(uc, DCTERMS.identifier))
        expected = {u.strip() for u in rows[ident]["source_url"].split(" ; ")}
        assert {str(s) for s in graph.objects(uc, DCTERMS.source)} == expected, ident


def test_run_twice_gives_identical_files(written, tmp_path):
    data, _ = written
    again = tmp_path / "data"
    write_french_cases(again, BASE)
    write_french_cases(again, BASE)  # second run over its own output: merges organisations, same bytes
    first = {p.relative_to(data): p.read_bytes() for p in sorted(data.rglob("*.ttl"))}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*.ttl"))}
    assert first == second


def test_files_hold_relative_iris(written):
    data, _ = written
    text = (data / "cas-usage").glob("loc-001-*.ttl").__next__().read_text(encoding="utf-8")
    assert BASE not in text
    assert "<id/organisation/" in text


def test_organisations_are_deduplicated(written):
    data, _ = written
    graph = read_graphs([data / "organisations"], BASE)
    sicoval = URIRef(BASE + "id/organisation/communaute-d-agglomeration-du-sicoval")
    assert (sicoval, RDF.type, AIRO.AIDeployer) in graph
    alt = {str(a) for a in graph.objects(sicoval, SKOS.altLabel)}
    assert alt == {"Sicoval (communauté d'agglomération du Sicoval)"}
    cases = read_graphs([data / "cas-usage"], BASE)
    assert len(set(cases.subjects(AIRO.isDeployedBy, sicoval))) == 1
    # Métropole de Lyon deploys two cases and is one organisation
    lyon = URIRef(BASE + "id/organisation/metropole-de-lyon")
    assert len(set(cases.subjects(AIRO.isDeployedBy, lyon))) == 2
    # one deploying organisation per distinct authority, each with one French prefLabel
    deployers = set(cases.objects(None, AIRO.isDeployedBy))
    assert len(deployers) == 65  # the sheet's README counts 66 authorities; Drôme's only case is held back
    for org in graph.subjects(RDF.type, ORG.Organization):
        assert len(list(graph.objects(org, SKOS.prefLabel))) == 1, org


def test_every_mapped_code_exists_in_the_nomenclature():
    concepts = known_concepts()
    mappings = load_mappings(MAPPINGS_DIR, concepts)  # raises on a code the nomenclature lacks
    used = {c for codes in mappings.domaines.values() for c in codes}
    used |= {c for codes in mappings.types.values() for c in codes}
    used |= {c for line in mappings.lines.values() for c in line.techniques}
    used |= {line.stade for line in mappings.lines.values() if line.stade}
    assert used and used <= concepts
    assert all(c.startswith(NOMENCLATURE) for c in used)


def test_deployers_are_classified(written):
    data, _ = written
    graph = read_graphs([data], BASE)
    for org in set(graph.objects(None, AIRO.isDeployedBy)):
        kinds = list(graph.objects(org, ORG.classification))
        assert kinds, org
        assert all(str(k).startswith(NOMENCLATURE + "types-collectivite/") for k in kinds)


def test_issue_3_cases_are_present_and_linked(written):
    data, _ = written
    graph = read_graphs([data / "cas-usage"], BASE)
    by_id = {str(graph.value(uc, DCTERMS.identifier)): uc for uc in graph.subjects(RDF.type, IAT.UseCase)}
    assert (by_id["LOC-003"], DCTERMS.relation, URIRef(BASE + "id/cas-usage/pstw-2232")) in graph
    for ident, deployer in [
        ("LOC-001", "communaute-d-agglomeration-du-sicoval"),
        ("LOC-003", "noisy-le-grand"),
        ("LOC-004", "rennes-metropole"),
        ("LOC-006", "bordeaux-metropole"),
        ("LOC-008", "metropole-d-aix-marseille-provence"),
        ("LOC-010", "communaute-d-agglomeration-de-saint-quentin-en-yvelines-sqy"),
    ]:
        assert (by_id[ident], AIRO.isDeployedBy, URIRef(f"{BASE}id/organisation/{deployer}")) in graph, ident


def test_written_files_conform_to_the_shapes(written):
    data, _ = written
    report = validate_graph(read_graphs([data], BASE))
    assert report.violations == []
    assert report.conforms


def test_files_no_longer_produced_are_removed_others_kept(tmp_path):
    data = tmp_path / "data"
    stale = data / "cas-usage" / "loc-002-cartographie-du-stationnement.ttl"
    other = data / "cas-usage" / "pstw-2232.ttl"
    for path in (stale, other):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    summary = write_french_cases(data, BASE)
    assert summary.removed == [stale]
    assert not stale.exists() and other.exists()


def test_committed_data_is_what_the_importer_writes(written):
    """data/ in the repository is the importer's output for the default base (re-run it after a change)."""
    data, _ = written
    repo_data = Path(__file__).resolve().parents[2] / "data"
    fresh = Path(str(data) + "-default-base")
    write_french_cases(fresh, "http://127.0.0.1:8000/")
    for path in sorted((fresh / "cas-usage").glob("*.ttl")):
        assert (repo_data / "cas-usage" / path.name).read_bytes() == path.read_bytes(), path.name


def _golden(tmp_path: Path) -> Graph:
    out = tmp_path / "out"
    write_french_cases(out, BASE, fiche=CASES / "input.csv")
    return read_graphs([out], BASE)


def test_golden_extract(tmp_path):
    got = _golden(tmp_path)
    expected = read_graph(CASES / "expected.ttl", BASE)
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        pytest.fail(
            "différences :\n+ " + "\n+ ".join(sorted(only_got.serialize(format="nt").splitlines()))
            + "\n- " + "\n- ".join(sorted(only_expected.serialize(format="nt").splitlines()))
        )


# --- errors: French, naming the file, the record and the field; nothing written -------------------


def _copy_mappings(tmp_path: Path) -> Path:
    target = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, target)
    return target


def _rows_with(tmp_path: Path, ident: str, **changes: str) -> Path:
    with FICHE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["id"] == ident:
            row.update(changes)
    path = tmp_path / "fiche.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"domaine": "astrologie"}, ["LOC-010", "« domaine »", "astrologie", "french-cases-domaines.csv"]),
        ({"statut": "abandonné"}, ["LOC-010", "« statut »", "revoir la correspondance"]),
        ({"annee_debut": "vers 2023"}, ["LOC-010", "« annee_debut »", "AAAA"]),
        ({"source_url": "pas une adresse"}, ["LOC-010", "« source_url »", "adresse invalide"]),
        ({"projet": ""}, ["LOC-010", "« projet »", "obligatoire"]),
    ],
)
def test_bad_row_gets_a_french_error_and_writes_nothing(tmp_path, changes, expected):
    fiche = _rows_with(tmp_path, "LOC-010", **changes)
    out = tmp_path / "data"
    with pytest.raises(FrenchCasesError) as info:
        write_french_cases(out, BASE, fiche=fiche)
    message = str(info.value)
    assert all(part in message for part in expected), message
    assert not out.exists()


def test_partner_not_named_by_the_row_is_refused(tmp_path):
    mappings = _copy_mappings(tmp_path)
    with (mappings / "french-cases-partenaires.csv").open("a", encoding="utf-8") as handle:
        handle.write("LOC-010,Commune de Villeneuve-sur-Exemple,partenaire\n")
    with pytest.raises(FrenchCasesError, match=r"Villeneuve-sur-Exemple.*n'est pas cité"):
        write_french_cases(tmp_path / "data", BASE, mappings_dir=mappings)


def test_unknown_nomenclature_code_is_refused(tmp_path):
    mappings = _copy_mappings(tmp_path)
    with (mappings / "french-cases-domaines.csv").open("a", encoding="utf-8") as handle:
        handle.write("astrologie,astrologie-appliquee\n")
    with pytest.raises(FrenchCasesError, match=r"astrologie-appliquee.*n'existe pas"):
        load_mappings(mappings, known_concepts(NOMENCLATURE_DIR))


def test_missing_column_is_named(tmp_path):
    fiche = tmp_path / "fiche.csv"
    fiche.write_text("id,collectivite\nLOC-001,Commune de Villeneuve-sur-Exemple\n", encoding="utf-8")
    with pytest.raises(FrenchCasesError, match=r"colonne\(s\) manquante\(s\) : type_collectivite"):
        read_fiche(fiche)


def test_existing_organisation_file_is_merged_not_overwritten(tmp_path):
    data = tmp_path / "data"
    org_file = data / "organisations" / "noisy-le-grand.ttl"
    org_file.parent.mkdir(parents=True)
    org_file.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<id/organisation/noisy-le-grand> skos:altLabel "Noisy-le-Grand Municipality"@en .\n',
        encoding="utf-8",
    )
    write_french_cases(data, BASE)
    graph = read_graph(org_file, BASE)
    org = URIRef(BASE + "id/organisation/noisy-le-grand")
    labels = {(str(label), label.language) for label in graph.objects(org, SKOS.altLabel)}
    assert ("Noisy-le-Grand Municipality", "en") in labels
    assert (org, SKOS.prefLabel, None) in graph
