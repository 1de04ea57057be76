"""Contributor files (CSV, XLSX, YAML) -> data/cas-usage/*.ttl: golden cases, French errors, atomicity,
idempotence, and the templates generated from the nomenclature (issue 3, section 1).

Golden cases live in ``contrib_cases/<case>/`` (``input.csv``, ``input.yaml``, or ``input.xlsx.yaml`` which
this test builds into a real workbook with openpyxl) with ``expected.ttl`` (relative IRIs), compared as
graphs. They use the frozen extract of the nomenclature in ``contrib_cases/_nomenclature`` so that they
test the conversion, not the current state of the lists; the template tests use the real nomenclature
and the real shapes. ``UPDATE_GOLDEN=1`` rewrites the expected files (review the diff before committing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, XSD

from ingest import terms
from ingest.columns import match_header, spreadsheet_headers
from ingest.commands import import_, template
from ingest.commands.import_ import ImportFailed, plan_import, write_outputs
from ingest.concepts import ConceptIndex
from ingest.rdfio import read_graph, turtle_text
from ingest.readers import InputError, read_rows
from ingest.readers.csv_reader import sniff_separator

HERE = Path(__file__).parent
CASES_DIR = HERE / "contrib_cases"
FIXTURE_NOMENCLATURE = CASES_DIR / "_nomenclature"
ROOT = HERE.parent.parent
BASE = "http://example.test/"
TODAY = dt.date(2025, 2, 1)
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))
EXPECTED_CASES = 5


def build_xlsx(spec_path: Path, out: Path) -> Path:
    """A workbook from its YAML description: typed cells (dates, numbers) exactly as openpyxl stores them."""
    from openpyxl import Workbook

    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_spec in spec["sheets"]:
        sheet = workbook.create_sheet(sheet_spec["title"])
        for row in sheet_spec["rows"]:
            sheet.append(row or [None])
    workbook.save(out)
    return out


def case_input(case: Path, tmp_path: Path) -> Path:
    inputs = sorted(case.glob("input.*"))
    assert len(inputs) == 1, f"{case.name}: one input file expected, found {inputs}"
    if inputs[0].name == "input.xlsx.yaml":
        return build_xlsx(inputs[0], tmp_path / "input.xlsx")
    return inputs[0]


def import_into(files: list[Path], data_dir: Path, **kwargs) -> list:
    kwargs.setdefault("nomenclature", FIXTURE_NOMENCLATURE)
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("validate", False)
    plan = plan_import(files, data_dir, BASE, kwargs["nomenclature"], kwargs["today"], validate=kwargs["validate"])
    write_outputs(plan)
    return plan


def read_dir(data_dir: Path) -> Graph:
    graph = Graph()
    for path in sorted(data_dir.rglob("*.ttl")):
        read_graph(path, BASE, graph)
    return graph


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_collected_all_golden_cases():
    assert len(CASES) == EXPECTED_CASES, [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case(case: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    import_into([case_input(case, tmp_path)], data_dir)
    for path in data_dir.rglob("*.ttl"):
        assert BASE not in path.read_text(encoding="utf-8"), f"{path}: IRIs must be written relative"
    actual = read_dir(data_dir)
    expected_path = case / "expected.ttl"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(turtle_text(actual, BASE), encoding="utf-8")
    expected = read_graph(expected_path, BASE)
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(
            f"{case.name}: graphs differ\n--- only in output:\n{only_actual.serialize(format='nt')}"
            f"\n--- only in expected.ttl:\n{only_expected.serialize(format='nt')}"
        )


# -- what the quirky inputs must give (beyond "same as the golden file") ----------------------------------
def uc(slug: str) -> URIRef:
    return URIRef(f"{BASE}id/cas-usage/{slug}")


def test_windows_1252_semicolon_and_french_dates(tmp_path: Path):
    case = CASES_DIR / "csv-windows-1252-pointvirgule"
    raw = (case / "input.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Windows-1252
    rows = read_rows(case / "input.csv")
    assert [row.number for row in rows] == [4, 6]  # rows as the spreadsheet numbers them, empty ones skipped
    import_into([case / "input.csv"], tmp_path)
    graph = read_dir(tmp_path)
    subject = uc("prevision-de-la-frequentation-des-piscines")
    assert graph.value(subject, DCTERMS.title) == Literal("Prévision de la fréquentation des piscines", lang="fr")
    assert graph.value(subject, DCTERMS.modified) == Literal("2025-02-05", datatype=XSD.date)
    assert len(list((tmp_path / "organisations").iterdir())) == 1  # two rows, one organisation


def test_bom_multiline_cell_and_dropped_leading_zero(tmp_path: Path):
    case = CASES_DIR / "csv-bom-pointvirgule"
    assert (case / "input.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_rows(case / "input.csv")
    assert "Identifiant" in rows[0].cells  # the BOM is not glued to the first header
    import_into([case / "input.csv"], tmp_path)
    graph = read_dir(tmp_path)
    subject = uc("lecture-automatique-des-compteurs-d-eau")
    assert URIRef(f"{BASE}id/territoire/commune-01053") in set(graph.objects(subject, DCTERMS.spatial))
    assert "\n" in str(graph.value(subject, DCTERMS.abstract))


def test_xlsx_excel_dates_and_numbers(tmp_path: Path):
    path = build_xlsx(CASES_DIR / "xlsx-dates-excel" / "input.xlsx.yaml", tmp_path / "input.xlsx")
    rows = read_rows(path)
    assert len(rows) == 2
    assert isinstance(rows[0].cells["Date de début"], dt.datetime)  # a real Excel date cell
    import_into([path], tmp_path / "data")
    graph = read_dir(tmp_path / "data")
    subject = uc("detection-des-nids-de-poule")
    assert graph.value(subject, URIRef("https://schema.org/startDate")) == Literal("2024-04-02", datatype=XSD.date)
    assert graph.value(subject, URIRef("https://schema.org/endDate")) == Literal("2024", datatype=XSD.gYear)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/01/2025", Literal("2025-01-15", datatype=XSD.date)),
        ("5/1/2025", Literal("2025-01-05", datatype=XSD.date)),
        ("2025-01-15", Literal("2025-01-15", datatype=XSD.date)),
        ("03/2023", Literal("2023-03", datatype=XSD.gYearMonth)),
        ("2023-03", Literal("2023-03", datatype=XSD.gYearMonth)),
        ("2023", Literal("2023", datatype=XSD.gYear)),
        (2023, Literal("2023", datatype=XSD.gYear)),
        (dt.datetime(2024, 4, 2), Literal("2024-04-02", datatype=XSD.date)),
        (dt.date(2024, 4, 2), Literal("2024-04-02", datatype=XSD.date)),
    ],
)
def test_dates(value, expected):
    assert terms.date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2025", "13/2024", "demain", "2025/01/15"])
def test_bad_dates(value):
    with pytest.raises(terms.ValueProblem, match=r"date|mois"):
        terms.date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("93051", ("commune", "93051", None)),
        ("1053", ("commune", "01053", None)),
        ("2A004", ("commune", "2A004", None)),
        ("200054781", ("epci", "200054781", None)),
        ("Haute-Exemple (departement:31)", ("departement", "31", "Haute-Exemple")),
        ("nuts:FR10", ("nuts", "FR10", None)),
    ],
)
def test_territories(value, expected):
    assert terms.territory(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("45 000", "45000"), ("18 500,50 €", "18500.50"), (12000.0, "12000"), ("1250.5", "1250.5")],
)
def test_amounts(value, expected):
    assert str(terms.decimal(value)) == expected


def test_excel_sep_hint_line(tmp_path: Path):
    path = tmp_path / "cas.csv"
    path.write_text("sep=,\n" + ",".join(HEAD) + "\n" + ",".join(good_row()) + "\n", encoding="cp1252")
    rows = read_rows(path)
    assert [row.number for row in rows] == [3]
    assert rows[0].cells["Titre *"] == "Un cas fictif"


def test_renamed_data_sheet_is_found(tmp_path: Path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Lisez-moi"
    workbook.active.append(["Ce classeur contient nos projets"])
    sheet = workbook.create_sheet("Projets 2025")
    sheet.append(HEAD)
    sheet.append(good_row())
    workbook.save(tmp_path / "cas.xlsx")
    rows = read_rows(tmp_path / "cas.xlsx")
    assert [(row.number, row.cells["Titre *"]) for row in rows] == [(2, "Un cas fictif")]


def test_single_valued_columns_refuse_several_values(tmp_path: Path):
    row = good_row()
    row[5] = "idee | production"
    path = write_csv(tmp_path / "cas.csv", [HEAD, row])
    assert errors_of([path], tmp_path / "data") == [
        f"{path}, ligne 2, colonne « Stade * » : une seule valeur attendue, pas « idee | production »"]
    yaml_path = tmp_path / "cas.yaml"
    yaml_path.write_text(
        "titre: Un cas fictif\nrésumé: Un résumé.\norganisation: Commune de Villeneuve-sur-Exemple\n"
        "type_de_collectivite: commune\ndomaines: energie\nstade: [idee, production]\n"
        "sources: {page: https://www.villeneuve-sur-exemple.test/cas}\n", encoding="utf-8")
    errors = errors_of([yaml_path], tmp_path / "data")
    assert f"{yaml_path}, ligne 6, clé « stade » : une seule valeur attendue" in errors
    assert any(e.startswith(f"{yaml_path}, ligne 7, clé « sources » : attendu : un texte ou une liste") for e in errors)


def test_header_matching_ignores_case_accents_stars_and_dashes():
    assert match_header("Résumé *") == ("resume", None, None)
    assert match_header("  RESUME ") == ("resume", None, None)
    assert match_header("Risque 4 - Mesure") == ("risques", 4, "mesures")
    assert match_header("impact metier 2 – famille de metiers") == ("impacts_metiers", 2, "famille")
    assert match_header("Remarques") is None


@pytest.mark.parametrize(("line", "sep"), [("a;b;c", ";"), ("a,b,c", ","), ("a\tb", "\t"), ("Titre, ok;b;c", ";")])
def test_separator_sniffing(line, sep):
    assert sniff_separator(line) == sep


SAMPLES = {"langtext": "Un texte", "text": "Un texte", "iri": "https://exemple.test/x", "iris": "https://exemple.test/y",
           "email": "contact@exemple.test", "date": "2024", "bool": "oui", "decimal": "10", "int": "3",
           "org": "Commune de Villeneuve-sur-Exemple", "orgs": "Prestataire Fictif", "unit": "Service fictif",
           "territories": "Villeneuve-sur-Exemple (99001)", "keywords": "a; b", "identifier": "cas-fictif",
           "siren": "999000001", "mitigations": "Une mesure", "resource-type": "Modèle"}


def test_every_column_of_the_table_lands_in_the_graph(tmp_path: Path):
    """The column table and the converter stay in step: a row with every column and every part filled
    gives, for each column with a property, a triple with that property."""
    from ingest.columns import COLUMNS, PARTS

    index = ConceptIndex.load(FIXTURE_NOMENCLATURE)

    def sample(column):
        if column.scheme:
            return index.scheme(column.scheme).concepts[0].notation
        return SAMPLES[column.kind]

    record = {column.key: sample(column) for column in COLUMNS}
    record["date_mise_a_jour"] = record["date_revision"] = "2025-01-15"
    for part in PARTS:
        record[part.key] = [{column.key: sample(column) for column in part.columns}]
    path = tmp_path / "tout.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    plan = import_into([path], tmp_path / "data")
    graph = read_dir(tmp_path / "data")
    predicates = set(graph.predicates())
    missing = [c.key for c in COLUMNS if c.prop is not None and c.prop not in predicates]
    missing += [f"{p.key}.{c.key}" for p in PARTS for c in p.columns if c.prop is not None and c.prop not in predicates]
    assert missing == []
    # columns without a property of the use case: the organisation's and the contact's
    org, vcard, iat = "http://www.w3.org/ns/org#", "http://www.w3.org/2006/vcard/ns#", "https://w3id.org/ia-territoriales/def#"
    for predicate in (f"{org}classification", f"{iat}siren", "http://xmlns.com/foaf/0.1/homepage", f"{vcard}fn",
                      f"{vcard}hasEmail", f"{vcard}hasURL"):
        assert URIRef(predicate) in predicates, predicate
    assert {o.kind for o in plan} == {"cas d'usage", "organisation"}


# -- errors: French, located, all of them, and nothing written ----------------------------------------------
def write_csv(path: Path, rows: list[list[str]], sep: str = ";") -> Path:
    path.write_text("\n".join(sep.join(row) for row in rows) + "\n", encoding="utf-8")
    return path


HEAD = ["Titre *", "Résumé *", "Organisation *", "Type de collectivité *", "Domaines *", "Stade *", "Sources (liens)"]


def good_row(title: str = "Un cas fictif") -> list[str]:
    # codes that both the fixture and the real nomenclature hold
    return [title, "Un résumé.", "Commune de Villeneuve-sur-Exemple", "commune", "energie", "idee",
            "https://www.villeneuve-sur-exemple.test/cas"]


def errors_of(files: list[Path], data_dir: Path) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        plan_import(files, data_dir, BASE, FIXTURE_NOMENCLATURE, TODAY, validate=False)
    assert failure.value.exit_code == 2
    return failure.value.errors


def test_unknown_value_names_file_row_column_value_and_suggests(tmp_path: Path):
    bad = good_row()
    bad[4] = "Eau et asainissement"
    path = write_csv(tmp_path / "contributions.csv", [HEAD, good_row("Premier"), bad])
    errors = errors_of([path], tmp_path / "data")
    assert errors == [
        f"{path}, ligne 3, colonne « Domaines * » : valeur « Eau et asainissement » inconnue dans la liste "
        "« domaines » ; vouliez-vous dire « Eau et assainissement » ?"
    ]
    assert not (tmp_path / "data").exists()  # the good row was not written either


def test_unknown_value_in_yaml_names_the_line(tmp_path: Path):
    path = tmp_path / "cas.yaml"
    path.write_text(
        "titre: Un cas fictif\nrésumé: Un résumé.\norganisation: Commune de Villeneuve-sur-Exemple\n"
        "type_de_collectivite: commune\ndomaines: [Énergie]\nstade: en prodution\n"
        "sources: [https://www.villeneuve-sur-exemple.test/cas]\n", encoding="utf-8")
    errors = errors_of([path], tmp_path / "data")
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}, ligne 6, clé « stade » : valeur « en prodution » inconnue")
    assert "vouliez-vous dire « En production » ?" in errors[0]


def test_all_errors_of_all_files_are_reported_together(tmp_path: Path):
    row2 = good_row("Deux")
    row2[1] = ""                              # missing summary
    row3 = good_row("Trois")
    row3[5] = "fini"                          # unknown stage
    row3[6] = "www"                           # not an address
    first = write_csv(tmp_path / "a.csv", [HEAD, row2, row3])
    second = tmp_path / "b.yaml"
    second.write_text("titre: Quatre\n", encoding="utf-8")
    errors = errors_of([first, second], tmp_path / "data")
    assert f"{first}, ligne 2, colonne « Résumé * » : champ obligatoire vide" in errors
    assert any(e.startswith(f"{first}, ligne 3, colonne « Stade * » : valeur « fini » inconnue") for e in errors)
    assert f"{first}, ligne 3, colonne « Sources (liens) » : « www » n'est pas une adresse web (attendu : https://…)" \
        in errors
    missing = {e.split("« ")[1].split(" »")[0] for e in errors if e.startswith(str(second))}
    assert missing == {"resume", "organisation", "organisation_type", "domaines", "stade", "sources"}
    assert all("champ obligatoire vide" in e for e in errors if e.startswith(str(second)))
    assert len(errors) == 3 + 6


def test_missing_required_column_and_unknown_column(tmp_path: Path):
    head = [h for h in HEAD if h != "Stade *"] + ["Remarques", "Titr"]
    row = [v for h, v in zip(HEAD, good_row(), strict=True) if h != "Stade *"] + ["rien", ""]
    path = write_csv(tmp_path / "cas.csv", [head, row, row[:]])
    errors = errors_of([path], tmp_path / "data")
    assert f"{path}, ligne 2, colonne « Stade * » : champ obligatoire vide" in errors
    assert f"{path}, ligne 2, colonne « Remarques » : colonne inconnue" in errors
    assert f"{path}, ligne 2, colonne « Titr » : colonne inconnue ; vouliez-vous dire « Titre » ?" in errors
    # an unknown column is reported once per file, not on every row
    assert sum("Remarques" in e for e in errors) == 1
    assert len(errors) == 2 + 2  # missing stage on both rows


def test_names_that_make_no_identifier(tmp_path: Path):
    head = [*HEAD, "Fournisseurs", "Service responsable"]
    path = write_csv(tmp_path / "cas.csv", [head, [*good_row(), "---", "…"]])
    errors = errors_of([path], tmp_path / "data")
    assert errors == [
        f"{path}, ligne 2, colonne « Service responsable » : impossible de former un identifiant à partir de « … »",
        f"{path}, ligne 2, colonne « Fournisseurs » : impossible de former un identifiant à partir de « --- »",
    ]


def test_two_rows_with_the_same_title(tmp_path: Path):
    path = write_csv(tmp_path / "cas.csv", [HEAD, good_row(), [], good_row()])
    assert errors_of([path], tmp_path / "data") == [
        f"{path}, ligne 4 : même identifiant « un-cas-fictif » que cas.csv ligne 2 : changez le titre ou "
        "renseignez la colonne « Identifiant »"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cas.xlsx", b"ceci n'est pas un classeur", "classeur illisible : ce n'est pas un fichier XLSX valide"),
        ("cas.csv", b"PK\x03\x04" + b"\x00" * 40, "ce fichier est un classeur (XLSX/ODS), pas un CSV"),
        ("cas.csv", "Titre;Résumé\n".encode("utf-16"), "encodage UTF-16 non pris en charge"),
        ("cas.csv", b"\x00\x01\x02binaire", "ce fichier n'est pas un texte CSV"),
        ("cas.yaml", b"titre: [pas ferme\n", "YAML mal formé"),
        ("cas.xls", b"\xd0\xcf\x11\xe0", "le format Excel 97-2003 (.xls) n'est pas pris en charge"),
        ("cas.csv", b"", "fichier vide"),
        ("cas.csv", "Titre *;Résumé *\n".encode(), "aucun cas d'usage"),
    ],
)
def test_broken_files_get_a_french_error_and_change_nothing(tmp_path: Path, name, content, message):
    data_dir = tmp_path / "data"
    import_into([write_csv(tmp_path / "ok.csv", [HEAD, good_row()])], data_dir)
    before = snapshot(data_dir)
    assert before
    broken = tmp_path / name
    broken.write_bytes(content)
    good = write_csv(tmp_path / "autre.csv", [HEAD, good_row("Un autre cas fictif")])
    errors = errors_of([good, broken], data_dir)
    assert len(errors) == 1 and errors[0].startswith(f"{broken}") and message in errors[0], errors
    assert snapshot(data_dir) == before


def test_command_exit_codes_and_dry_run(tmp_path: Path, capsys):
    parser = argparse.ArgumentParser()
    import_.add_arguments(parser)
    data_dir = tmp_path / "data"
    common = ["--data-dir", str(data_dir), "--base-url", BASE, "--nomenclature", str(FIXTURE_NOMENCLATURE),
              "--date", "2025-02-01", "--no-validate"]
    good = write_csv(tmp_path / "ok.csv", [HEAD, good_row()])
    assert import_.run(parser.parse_args([str(good), *common, "--dry-run"])) == 0
    assert not data_dir.exists()
    assert import_.run(parser.parse_args([str(tmp_path / "absent.csv"), *common])) == 2
    err = capsys.readouterr().err
    assert "absent.csv : fichier introuvable" in err and "rien n'a été écrit" in err
    assert import_.run(parser.parse_args([str(good), *common])) == 0
    assert (data_dir / "cas-usage" / "un-cas-fictif.ttl").is_file()


def test_shacl_violation_exits_1_and_writes_nothing(tmp_path: Path, capsys):
    """A re-import dated before the record's creation breaks dct:created <= dct:modified (shapes/)."""
    parser = argparse.ArgumentParser()
    import_.add_arguments(parser)
    data_dir = tmp_path / "data"
    head = [*HEAD, "Date de mise à jour"]
    common = ["--data-dir", str(data_dir), "--base-url", BASE, "--date", "2025-02-01"]
    first = write_csv(tmp_path / "v1.csv", [head, [*good_row(), "10/01/2025"]])
    assert import_.run(parser.parse_args([str(first), *common])) == 0
    before = snapshot(data_dir)
    older = write_csv(tmp_path / "v2.csv", [head, [*good_row(), "01/01/2020"]])
    assert import_.run(parser.parse_args([str(older), *common])) == 1
    err = capsys.readouterr().err
    assert f"{older}, ligne 2 : « date de création » :" in err and "rien n'a été écrit" in err
    assert snapshot(data_dir) == before


# -- stable IRIs, idempotence, re-import ----------------------------------------------------------------------
def test_importing_twice_gives_the_same_files(tmp_path: Path):
    case = CASES_DIR / "csv-utf8-virgule"
    data_dir = tmp_path / "data"
    import_into([case / "input.csv"], data_dir)
    first = snapshot(data_dir)
    plan = import_into([case / "input.csv"], data_dir, today=dt.date(2030, 1, 1))
    assert {output.status for output in plan} == {"inchangé"}
    assert snapshot(data_dir) == first


def test_a_folder_stands_for_its_contributor_files(tmp_path: Path):
    folder = tmp_path / "contributions"
    (folder / "yaml").mkdir(parents=True)
    write_csv(folder / "a.csv", [HEAD, good_row("Premier cas")])
    (folder / "yaml" / "b.yml").write_text(
        "titre: Second cas\nrésumé: Un résumé.\norganisation: Commune de Villeneuve-sur-Exemple\n"
        "type_de_collectivite: commune\ndomaines: energie\nstade: idee\n"
        "sources: https://www.villeneuve-sur-exemple.test/b\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ignoré : un .txt n'est lu que nommé explicitement", encoding="utf-8")
    plan = import_into([folder], tmp_path / "data")
    assert sorted(o.path.name for o in plan if o.kind == "cas d'usage") == ["premier-cas.ttl", "second-cas.ttl"]


def test_undated_rows_imported_again_another_day_change_nothing(tmp_path: Path):
    data_dir = tmp_path / "data"
    path = write_csv(tmp_path / "cas.csv", [HEAD, good_row()])
    import_into([path], data_dir, today=dt.date(2025, 2, 1))
    first = snapshot(data_dir)
    plan = import_into([path], data_dir, today=dt.date(2025, 3, 1))
    assert {o.status for o in plan} == {"inchangé"} and snapshot(data_dir) == first
    # a real change on another day is dated that day; the creation date stays
    changed = good_row()
    changed[1] = "Un résumé corrigé."
    import_into([write_csv(path, [HEAD, changed])], data_dir, today=dt.date(2025, 3, 1))
    graph = read_graph(data_dir / "cas-usage" / "un-cas-fictif.ttl", BASE)
    assert graph.value(uc("un-cas-fictif"), DCTERMS.modified) == Literal("2025-03-01", datatype=XSD.date)
    assert graph.value(uc("un-cas-fictif"), DCTERMS.created) == Literal("2025-02-01", datatype=XSD.date)


def test_reimport_keeps_created_and_a_renamed_title_keeps_its_iri(tmp_path: Path):
    data_dir = tmp_path / "data"
    head = [*HEAD, "Date de mise à jour"]
    write_csv(tmp_path / "v1.csv", [head, [*good_row("Tri du courrier"), "10/01/2024"]])
    import_into([tmp_path / "v1.csv"], data_dir)
    path = data_dir / "cas-usage" / "tri-du-courrier.ttl"
    assert read_graph(path, BASE).value(uc("tri-du-courrier"), DCTERMS.created) == Literal("2024-01-10",
                                                                                           datatype=XSD.date)
    # the title changes; the row names the record it updates
    write_csv(tmp_path / "v2.csv", [["Identifiant", *head],
                                    ["tri-du-courrier", *good_row("Tri automatique du courrier entrant"), "03/02/2025"]])
    plan = import_into([tmp_path / "v2.csv"], data_dir)
    assert [(o.path.name, o.status) for o in plan if o.kind == "cas d'usage"] == [("tri-du-courrier.ttl", "modifié")]
    assert sorted(p.name for p in (data_dir / "cas-usage").iterdir()) == ["tri-du-courrier.ttl"]
    graph = read_graph(path, BASE)
    subject = uc("tri-du-courrier")
    assert graph.value(subject, DCTERMS.title) == Literal("Tri automatique du courrier entrant", lang="fr")
    assert graph.value(subject, DCTERMS.created) == Literal("2024-01-10", datatype=XSD.date)
    assert graph.value(subject, DCTERMS.modified) == Literal("2025-02-03", datatype=XSD.date)


def test_existing_organisation_file_is_left_alone(tmp_path: Path):
    data_dir = tmp_path / "data"
    org_file = data_dir / "organisations" / "villeneuve-sur-exemple.ttl"
    org_file.parent.mkdir(parents=True)
    org_file.write_text("# kept as it is\n", encoding="utf-8")
    plan = import_into([write_csv(tmp_path / "ok.csv", [HEAD, good_row()])], data_dir)
    assert [o.kind for o in plan] == ["cas d'usage"]
    assert org_file.read_text(encoding="utf-8") == "# kept as it is\n"


def test_organisation_described_elsewhere_in_data_is_not_written_again(tmp_path: Path):
    data_dir = tmp_path / "data"
    (data_dir / "exemples").mkdir(parents=True)
    (data_dir / "exemples" / "cas.ttl").write_text(
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n'
        '<id/organisation/villeneuve-sur-exemple> skos:prefLabel "Commune de Villeneuve-sur-Exemple"@fr .\n',
        encoding="utf-8")
    plan = import_into([write_csv(tmp_path / "ok.csv", [HEAD, good_row()])], data_dir)
    assert [o.kind for o in plan] == ["cas d'usage"]


# -- the templates ------------------------------------------------------------------------------------------------
def real_index() -> ConceptIndex:
    return ConceptIndex.load()


def xlsx_contents(path: Path) -> dict:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    contents = {}
    for sheet in workbook.worksheets:
        validations = sorted((str(dv.sqref), dv.formula1, dv.errorStyle) for dv in sheet.data_validations.dataValidation)
        contents[sheet.title] = {"cells": [list(row) for row in sheet.iter_rows(values_only=True)],
                                 "validations": validations}
    return contents


def test_committed_templates_match_the_nomenclature(tmp_path: Path):
    """modeles/ is what `ia-territoriales template` writes today; if this fails, run it and commit."""
    written = template.write_templates(real_index(), tmp_path)
    committed = ROOT / "modeles"
    for path in written:
        if path.suffix == ".xlsx":
            assert xlsx_contents(committed / path.name) == xlsx_contents(path), "lancez « ia-territoriales template »"
        else:
            assert (committed / path.name).read_bytes() == path.read_bytes(), "lancez « ia-territoriales template »"


def test_template_workbook_has_instructions_lists_and_drop_downs(tmp_path: Path):
    index = real_index()
    template.write_templates(index, tmp_path)
    contents = xlsx_contents(tmp_path / "cas-usage.xlsx")
    assert list(contents)[:2] == ["Instructions", "Cas d'usage"]
    data = contents["Cas d'usage"]
    assert data["cells"][0] == spreadsheet_headers()
    domaines = index.scheme("domaines")
    assert [row[0] for row in contents["domaines"]["cells"][1:]] == [c.label for c in domaines.concepts]
    formulas = {formula for _, formula, _ in data["validations"]}
    assert f"='domaines'!$A$2:$A${len(domaines.concepts) + 1}" in formulas
    scheme_sheets = [name for name in contents if name not in {"Instructions", "Cas d'usage"}]
    assert len(scheme_sheets) >= 5
    for name in scheme_sheets:  # every list sheet is used by a drop-down
        assert any(f"='{name}'!" in formula for formula in formulas), name


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_template_example_imports_and_conforms_to_the_shapes(tmp_path: Path, suffix: str):
    """The fictional example of each template, read back with the real nomenclature and the real shapes."""
    paths = template.write_templates(real_index(), tmp_path / "modeles")
    source = next(p for p in paths if p.suffix == suffix)
    plan = plan_import([source], tmp_path / "data", BASE, template.NOMENCLATURE_DIR, TODAY, validate=True)
    assert [o.kind for o in plan] == ["cas d'usage", "organisation"]
    write_outputs(plan)
    graph = read_dir(tmp_path / "data")
    subject = uc("detection-des-fuites-sur-le-reseau-d-eau-potable")
    assert graph.value(subject, DCTERMS.modified) == Literal("2025-01-15", datatype=XSD.date)


def test_the_three_templates_describe_the_same_use_case(tmp_path: Path):
    paths = template.write_templates(real_index(), tmp_path / "modeles")
    graphs = []
    for path in paths:
        plan = plan_import([path], tmp_path / path.suffix, BASE, template.NOMENCLATURE_DIR, TODAY, validate=False)
        graph = Graph()
        for output in plan:
            graph.parse(data=output.text, format="turtle", publicID=BASE)
        # only the provenance note (the input file's name) differs
        graph.remove((None, DCTERMS.title, Literal(path.name)))
        graphs.append(graph)
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])


def test_input_error_message_shape():
    assert str(InputError(Path("a.csv"), "champ obligatoire vide", 3, "Titre *")) == \
        "a.csv, ligne 3, colonne « Titre * » : champ obligatoire vide"
    assert str(InputError(Path("a.yaml"), "clé inconnue", 7, "titr", yaml=True)) == \
        "a.yaml, ligne 7, clé « titr » : clé inconnue"
