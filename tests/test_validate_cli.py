"""``ia-territoriales validate``: exit codes 0/1/2, French report naming file, resource, field and value."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from ingest.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data" / "exemples"
CASES = ROOT / "tests" / "shapes"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_examples_conform_exit_0(capsys):
    code, out, err = run(capsys, str(EXAMPLES))
    assert code == 0, out
    assert "Conforme." in out
    assert "0 violation(s)" in out and "3 fichier(s)" in out
    assert err == ""


def test_violation_exit_1_names_file_resource_field_and_message(capsys):
    path = CASES / "invalid" / "UseCase-abstract-length.ttl"
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert f"Fichier {path}" in out
    assert "Ressource <id/cas-usage/exemple>" in out
    assert "[violation] résumé (dct:abstract) : Le résumé ne doit pas dépasser 400 caractères." in out
    assert "valeur : « Résumé beaucoup trop long." in out
    assert "Non conforme" in out


def test_field_label_comes_from_the_ontology(capsys):
    code, out, _ = run(capsys, str(CASES / "invalid" / "UseCase-domain-scheme.ttl"))
    assert code == 1
    # iat:domain is labelled « domaine d'action publique »@fr in ontology/ontologie.ttl
    assert "domaine d'action publique (iat:domain)" in out
    assert "https://w3id.org/ia-territoriales/nomenclature/stades/pilote" in out


def test_english_report(capsys):
    code, out, _ = run(capsys, "--lang", "en", str(CASES / "invalid" / "UseCase-title-required.ttl"))
    assert code == 1
    assert "title (dct:title) : A title (dct:title) is required." in out
    assert "Does not conform" in out


def test_warnings_are_printed_but_do_not_fail(capsys):
    code, out, _ = run(capsys, str(CASES / "invalid" / "UseCase-description-recommended.ttl"))
    assert code == 0
    assert "[avertissement] description (dct:description) : Champ recommandé" in out
    assert "1 avertissement(s)" in out and "Conforme." in out


def test_json_format_parses(capsys):
    path = CASES / "invalid" / "Organisation-siren-pattern.ttl"
    code, out, _ = run(capsys, "--format", "json", str(path))
    assert code == 1
    report = json.loads(out)
    assert report["conforme"] is False and report["violations"] == 1
    [result] = report["resultats"]
    assert result["fichier"] == str(path)
    assert result["ressource"] == "http://127.0.0.1:8000/id/organisation/villeneuve-sur-exemple"
    assert result["champ"] == "https://w3id.org/ia-territoriales/def#siren"
    assert result["libelle_champ"] == "numéro SIREN"  # rdfs:label@fr of iat:siren in the ontology
    assert result["valeur"] == "000 000 018"
    assert result["message_fr"].startswith("Le numéro SIREN s'écrit avec 9 chiffres")
    assert result["message_en"].startswith("The SIREN number")
    assert result["contrainte"] == str(SH.PatternConstraintComponent)


def test_turtle_format_is_the_shacl_report_graph(capsys):
    code, out, _ = run(capsys, "--format", "turtle", str(CASES / "invalid" / "UseCase-stage-required.ttl"))
    assert code == 1
    graph = Graph().parse(data=out, format="turtle")
    [report] = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert str(graph.value(report, SH.conforms)) == "false"
    assert len(list(graph.objects(report, SH.result))) == 1


def test_base_url_option_resolves_relative_iris(capsys):
    code, out, _ = run(capsys, "--format", "json", "--base-url", "https://ia.example/",
                       str(CASES / "invalid" / "UseCase-stage-required.ttl"))
    assert code == 1
    assert json.loads(out)["resultats"][0]["ressource"] == "https://ia.example/id/cas-usage/exemple"


@pytest.mark.parametrize("fmt, suffix", [("json-ld", ".jsonld"), ("nt", ".nt"), ("xml", ".rdf")])
def test_other_serialisations_are_read(capsys, tmp_path, fmt, suffix):
    graph = Graph().parse(CASES / "valid" / "minimal.ttl", format="turtle", publicID="http://127.0.0.1:8000/")
    path = tmp_path / f"minimal{suffix}"
    path.write_text(graph.serialize(format=fmt), encoding="utf-8")
    code, out, _ = run(capsys, str(path))
    assert code == 0, out


def test_profile_registre_skips_library_rules(capsys):
    path = str(CASES / "valid" / "registre-anglais.ttl")
    code, _, _ = run(capsys, "--profil", "registre", path)
    assert code == 0
    code, out, _ = run(capsys, path)  # the library profile requires the deployer's type of authority
    assert code == 1
    assert "type de collectivité (org:classification)" in out


def test_unreadable_file_exit_2_names_the_file(capsys, tmp_path):
    bad = tmp_path / "casse.ttl"
    bad.write_text("<id/cas-usage/x> a <https://w3id.org/ia-territoriales/def#UseCase> ;\n    dct:title \"sans fin .\n", encoding="utf-8")
    code, out, err = run(capsys, str(bad))
    assert code == 2
    assert out == ""
    assert str(bad) in err and "illisible" in err
    assert "Traceback" not in err


def test_missing_path_and_empty_folder_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "absent.ttl"))
    assert code == 2 and "introuvable" in err
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "aucun fichier RDF" in err


def test_console_entry_point_exit_code():
    """The real process exit code, through ``python -m ingest``."""
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "validate", str(CASES / "invalid" / "UseCase-source-required.ttl")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert proc.returncode == 1
    assert "sources (dct:source) : Au moins une source publique (dct:source) est obligatoire." in proc.stdout
