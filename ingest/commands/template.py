"""``ia-territoriales template [--out DIR]``: the contributor templates, generated from the nomenclature.

Writes ``cas-usage.xlsx`` (instructions, one row per use case, drop-down lists, one sheet per concept
scheme), ``cas-usage.csv`` (headers and one fictional example, UTF-8 with BOM and ``;`` for French
spreadsheet programs) and ``cas-usage.yaml`` (the same example, annotated), so that the templates never
drift from the vocabulary or the column table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import textwrap
from pathlib import Path

import yaml

from ingest.columns import COLUMNS, PARTS, RESOURCE_TYPES, Column, Part, spreadsheet_headers
from ingest.concepts import NOMENCLATURE_DIR, ConceptIndex, Scheme
from ingest.rdfio import atomic_write_text

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "modeles"
DATA_SHEET = "Cas d'usage"
MAX_ROWS = 1000     # rows that get drop-down lists

# The fictional example (Villeneuve-sur-Exemple does not exist). Concept columns name preferred codes;
# the first that exists in the scheme is used, else the scheme's first concept.
EXAMPLE: dict[str, str] = {
    "titre": "Détection des fuites sur le réseau d'eau potable",
    "resume": "Un modèle analyse chaque nuit les débits des secteurs du réseau d'eau potable et signale les fuites "
              "probables aux équipes d'intervention, qui vérifient sur le terrain avant toute réparation.",
    "description": "Des capteurs de débit installés en entrée de chaque secteur transmettent leurs mesures toutes les "
                   "quinze minutes. Chaque matin, la liste des secteurs dont le débit nocturne s'écarte de l'habitude "
                   "est transmise aux fontainiers.",
    "mots_cles": "eau potable; fuites; capteurs",
    "page_publique": "https://www.villeneuve-sur-exemple.test/eau/fuites",
    "territoires": "Villeneuve-sur-Exemple (99001)",
    "organisation": "Commune de Villeneuve-sur-Exemple",
    "service": "Direction du cycle de l'eau",
    "role_responsable": "Directeur ou directrice du cycle de l'eau",
    "contact_nom": "Service des eaux",
    "contact_courriel": "eau@villeneuve-sur-exemple.test",
    "date_debut": "03/2023",
    "decision_individuelle": "non",
    "volume": "120 secteurs analysés chaque nuit",
    "budget": "45 000",
    "sources": "https://www.villeneuve-sur-exemple.test/eau/fuites",
    "date_mise_a_jour": "15/01/2025",
}
EXAMPLE_CONCEPTS: dict[str, tuple[str, ...]] = {
    "organisation_type": ("commune",),
    "domaines": ("eau-assainissement",),
    "finalites": ("detection-anomalies", "detection", "surveillance"),
    "techniques": ("apprentissage-automatique", "apprentissage-supervise"),
    "stade": ("production", "en-production"),
    "automatisation": ("aide-a-la-decision",),
    "controle_humain": ("humain-dans-la-boucle",),
    "donnees": ("donnees-capteurs", "capteurs"),
    "hebergement": ("sur-site", "hebergement-interne"),
    "niveau_risque": ("RiskLevelMinimal", "minimal", "risque-minimal"),
}
EXAMPLE_PARTS: dict[str, list[dict[str, str]]] = {
    "risques": [{"titre": "Fausses alertes", "description": "Une consommation nocturne légitime est signalée comme fuite.",
                 "mesures": "Vérification sur le terrain avant toute intervention"}],
    "impacts_metiers": [{"description": "Les fontainiers reçoivent chaque matin la liste des secteurs à inspecter.",
                         "agents": "12", "formation": "oui"}],
    "ressources": [{"type": "Code source", "titre": "Code du modèle de détection",
                    "lien": "https://code.villeneuve-sur-exemple.test/fuites",
                    "licence": "https://joinup.ec.europa.eu/licence/eupl-v12"}],
}
EXAMPLE_PART_CONCEPTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("impacts_metiers", "famille"): ("eau-assainissement", "eau"),
    ("impacts_metiers", "nature"): ("augmentation", "augmentation-des-taches"),
}

GROUP_COLOURS = {"Identité": "DCE6F1", "Acteurs": "E2EFDA", "Objet": "FFF2CC", "Fonctionnement": "FCE4D6",
                 "AI Act": "F8CBAD", "Transparence": "E4DFEC", "Métiers": "DDEBF7", "Partage": "EDEDED",
                 "Provenance": "D9D9D9"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="dossier de sortie (défaut : modeles/)")
    parser.add_argument("--nomenclature", type=Path, default=NOMENCLATURE_DIR,
                        help="dossier des listes de valeurs SKOS (défaut : ontology/nomenclature)")


def run(args: argparse.Namespace) -> int:
    index = ConceptIndex.load(args.nomenclature)
    for path in write_templates(index, args.out):
        print(f"écrit : {path}")
    return 0


def write_templates(index: ConceptIndex, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "cas-usage.csv", out / "cas-usage.yaml", out / "cas-usage.xlsx"]
    atomic_write_text(paths[0], csv_text(index))
    atomic_write_text(paths[1], yaml_text(index))
    tmp = out / ".cas-usage.xlsx.tmp"
    tmp.write_bytes(xlsx_bytes(index))
    tmp.replace(paths[2])
    return paths


def xlsx_bytes(index: ConceptIndex) -> bytes:
    """The workbook, byte-for-byte reproducible (fixed zip timestamps and document dates), so that
    regenerating an unchanged template leaves git clean."""
    import re
    import zipfile

    raw = io.BytesIO()
    build_workbook(index).save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            info = zipfile.ZipInfo(item.filename, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return fixed.getvalue()


# -- the example, as cells ---------------------------------------------------------------------------------
def _pick(index: ConceptIndex, scheme_name: str | None, codes: tuple[str, ...]) -> str:
    scheme = index.scheme(scheme_name or "")
    if scheme is None or not scheme.concepts:
        return ""
    for code in codes:
        concept = scheme.match(code)
        if concept is not None:
            return concept.label
    return scheme.concepts[0].label


def example_values(index: ConceptIndex) -> dict[str, str]:
    """The example row, by column key (parts as "part.n.key")."""
    values = dict(EXAMPLE)
    for key, codes in EXAMPLE_CONCEPTS.items():
        column = next(c for c in COLUMNS if c.key == key)
        values[key] = _pick(index, column.scheme, codes)
    for part_key, items in EXAMPLE_PARTS.items():
        part = next(p for p in PARTS if p.key == part_key)
        for n, item in enumerate(items, start=1):
            item = dict(item)
            for column in part.columns:
                if (part_key, column.key) in EXAMPLE_PART_CONCEPTS:
                    item[column.key] = _pick(index, column.scheme, EXAMPLE_PART_CONCEPTS[(part_key, column.key)])
            if any(c.required and not item.get(c.key) for c in part.columns):
                continue  # a list of the nomenclature is not published yet: leave the example part out
            for sub_key, value in item.items():
                values[f"{part_key}.{n}.{sub_key}"] = value
    return {k: v for k, v in values.items() if v}


def _example_row(index: ConceptIndex) -> list[str]:
    values = example_values(index)
    row = [values.get(column.key, "") for column in COLUMNS]
    for part in PARTS:
        for n in range(1, part.template_count + 1):
            row.extend(values.get(f"{part.key}.{n}.{column.key}", "") for column in part.columns)
    return row


# -- CSV ---------------------------------------------------------------------------------------------------
def csv_text(index: ConceptIndex) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(spreadsheet_headers())
    writer.writerow(_example_row(index))
    return "\ufeff" + buffer.getvalue()


# -- YAML --------------------------------------------------------------------------------------------------
def _scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=10**6).removesuffix("\n").removesuffix("\n...")


def _values_comment(index: ConceptIndex, column: Column, indent: str) -> list[str]:
    if column.kind == "resource-type":
        return [f"{indent}# valeurs : " + " ; ".join(RESOURCE_TYPES)]
    if not column.scheme:
        return []
    scheme = index.scheme(column.scheme)
    if scheme is None:
        return [f"{indent}# liste « {column.scheme} » (pas encore publiée)"]
    codes = ", ".join(c.notation for c in scheme.concepts)
    lines = textwrap.wrap(f"codes ({column.scheme}) : {codes}", 100 - len(indent) - 2, break_on_hyphens=False)
    return [f"{indent}# {line}" for line in lines]


def _column_comment(column: Column, indent: str = "", in_part: bool = False) -> list[str]:
    text = column.help or ""
    if column.required:
        text = f"({'obligatoire dans chaque élément' if in_part else 'obligatoire'}) {text}"
    width = 100 - len(indent) - 2
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width, break_on_hyphens=False)] if text else []


def yaml_text(index: ConceptIndex) -> str:
    values = example_values(index)
    out = [
        "# Modèle de contribution : un cas d'usage par fichier YAML (bibliothèque d'IA territoriales).",
        "# Généré par « ia-territoriales template » à partir de la nomenclature : ne pas modifier à la main.",
        "# Les valeurs des listes peuvent être écrites par leur libellé (français ou anglais) ou leur code ;",
        "# majuscules et accents sont ignorés. Plusieurs valeurs : une liste YAML ou « a; b ».",
        "# Les clés commentées (#) sont facultatives : retirez le « # » pour les remplir.",
        "# Vérifier puis importer : ia-territoriales import mon-cas.yaml --dry-run",
        "",
    ]
    group = None
    for column in COLUMNS:
        if column.group != group:
            group = column.group
            out += ["", f"# ---- {group} ----"]
        out += _column_comment(column) + _values_comment(index, column, "")
        value = values.get(column.key)
        if value is None:
            out.append(f"# {column.key}:")
        elif column.multiple:
            items = [v.strip() for v in value.split(";") if v.strip()]
            out.append(f"{column.key}:")
            out += [f"  - {_scalar(item)}" for item in items]
        else:
            out.append(f"{column.key}: {_scalar(value)}")
    for part in PARTS:
        out += ["", f"# ---- {part.label} (liste, autant d'éléments que nécessaire) : {part.help} ----"]
        items = [n for n in range(1, 10) if any(f"{part.key}.{n}.{c.key}" in values for c in part.columns)]
        if not items:
            out.append(f"# {part.key}:")
        else:
            out.append(f"{part.key}:")
        for n in items:
            present = [c for c in part.columns if f"{part.key}.{n}.{c.key}" in values]
            absent = [c for c in part.columns if c not in present]
            for i, column in enumerate(present):
                value = values[f"{part.key}.{n}.{column.key}"]
                out += _column_comment(column, "    ", True) + _values_comment(index, column, "    ")
                lead = "  - " if i == 0 else "    "
                if column.kind == "mitigations":
                    out += [f"{lead}{column.key}:", f"      - {_scalar(value)}"]
                else:
                    out.append(f"{lead}{column.key}: {value if column.kind == 'int' else _scalar(value)}")
            for column in absent:
                out += _column_comment(column, "    ", True) + _values_comment(index, column, "    ")
                out.append(f"    # {column.key}:")
        if not items:
            for i, column in enumerate(part.columns):
                out += _column_comment(column, "#     ", True) + _values_comment(index, column, "#     ")
                out.append(f"#   {'- ' if i == 0 else '  '}{column.key}:")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


# -- XLSX --------------------------------------------------------------------------------------------------
def _sheet_name(name: str) -> str:
    return name[:31]


def build_workbook(index: ConceptIndex):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    fixed = dt.datetime(2025, 1, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.properties.creator = "ia-territoriales template"
    instructions = workbook.active
    instructions.title = "Instructions"
    sheet = workbook.create_sheet(DATA_SHEET)

    entries: list[tuple[str, Column, Part | None]] = [(c.title, c, None) for c in COLUMNS]
    for part in PARTS:
        for n in range(1, part.template_count + 1):
            entries += [(part.header(n, c), c, part) for c in part.columns]

    scheme_ranges: dict[str, str] = {}
    used = sorted({c.scheme for _, c, _ in entries if c.scheme})
    for name in used:
        scheme = index.scheme(name)
        if scheme is None or not scheme.concepts:
            continue
        scheme_ranges[name] = _scheme_sheet(workbook, scheme)

    bold = Font(bold=True)
    example = _example_row(index)
    for i, (header, column, part) in enumerate(entries, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i, value=header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor=GROUP_COLOURS.get(column.group, "FFFFFF"))
        help_text = (part.help + " " if part is not None and column is part.columns[0] else "") + column.help
        if help_text.strip():
            cell.comment = Comment(help_text.strip(), "ia-territoriales", width=300, height=120)
        sheet.column_dimensions[letter].width = 28 if column.kind in {"langtext", "text"} else 22
        value = example[i - 1]
        if value:
            sheet.cell(row=2, column=i, value=value).font = Font(italic=True, color="7F7F7F")
        validation = _validation(column, scheme_ranges, DataValidation)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS}")
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 45
    _instructions(instructions, entries, index, scheme_ranges, bold)
    return workbook


def _scheme_sheet(workbook, scheme: Scheme) -> str:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(_sheet_name(scheme.name))
    sheet.append(["Libellé (à choisir)", "Label (en)", "Code", "Définition", "IRI"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for concept in scheme.concepts:
        sheet.append([concept.label, concept.label_en, concept.notation, concept.definition_fr, str(concept.iri)])
    for letter, width in zip("ABCDE", (45, 40, 28, 80, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    return f"'{sheet.title}'!$A$2:$A${len(scheme.concepts) + 1}"


def _validation(column: Column, scheme_ranges: dict[str, str], DataValidation):
    if column.scheme in scheme_ranges:
        single = column.kind == "concept"
        return DataValidation(
            type="list", formula1=f"={scheme_ranges[column.scheme]}", allow_blank=True,
            showErrorMessage=True, errorStyle="stop" if single else "information",
            errorTitle="Valeur hors liste",
            error=("Choisissez une valeur de la liste." if single else
                   "Plusieurs valeurs sont possibles, séparées par « ; » : vérifiez que chacune est dans la liste."),
            promptTitle=column.header[:32], prompt=("Une valeur de la liste." if single else
                                                    "Une ou plusieurs valeurs de la liste, séparées par « ; »."),
            showInputMessage=True,
        )
    if column.kind == "bool":
        return DataValidation(type="list", formula1='"oui,non"', allow_blank=True, showErrorMessage=True,
                              errorTitle="oui ou non", error="Répondez « oui » ou « non ».")
    if column.kind == "resource-type":
        return DataValidation(type="list", formula1='"' + ",".join(RESOURCE_TYPES) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="Type de ressource",
                              error="Choisissez un type de la liste.")
    return None


_KIND_HELP = {
    "langtext": "texte", "text": "texte", "identifier": "texte (identifiant)", "iri": "adresse web https://…",
    "iris": "adresses web, séparées par « ; »", "email": "adresse électronique", "date": "date JJ/MM/AAAA",
    "bool": "oui / non", "int": "nombre entier", "decimal": "montant", "org": "nom d'organisation",
    "orgs": "noms d'organisations, séparés par « ; »", "unit": "nom du service", "siren": "9 chiffres",
    "territories": "codes de territoire, séparés par « ; »", "keywords": "mots, séparés par « ; »",
    "mitigations": "texte", "resource-type": "liste : " + " ; ".join(RESOURCE_TYPES),
}


def _instructions(sheet, entries, index: ConceptIndex, scheme_ranges: dict[str, str], bold) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        "Bibliothèque d'IA territoriales : modèle de saisie des cas d'usage",
        "Une ligne par cas d'usage, dans la feuille « Cas d'usage ». La ligne 2 est un exemple fictif : "
        "remplacez-la ou supprimez-la.",
        "Les colonnes marquées * sont obligatoires. Les autres sont facultatives : laissez vide ce que vous ne savez pas.",
        "Listes de valeurs : choisissez dans la liste déroulante, ou écrivez le libellé (français ou anglais) ou le "
        "code ; majuscules et accents sont ignorés. Chaque liste a sa feuille.",
        "Plusieurs valeurs dans une cellule : séparez-les par « ; ». Dates : JJ/MM/AAAA (ou MM/AAAA, AAAA).",
        "Parties répétées (risques, évaluations, impacts métiers, ressources, bases légales) : un groupe de colonnes "
        "numéroté par élément (« Risque 1 – titre », « Risque 2 – titre »…) ; ajoutez des colonnes « Risque 4 – … » "
        "si besoin.",
        "Ne décrivez jamais une personne : une fonction, un service, une boîte de contact générique.",
        "Enregistrez en .xlsx (ou en CSV UTF-8 ou Windows, séparateur « ; » ou « , »), puis : "
        "ia-territoriales import cas-usage.xlsx --dry-run pour vérifier, sans --dry-run pour importer.",
        "Pour mettre à jour un cas déjà publié, recopiez son identifiant dans la colonne « Identifiant ».",
    ]
    for text in lines:
        sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["Colonne", "Groupe", "Obligatoire", "Valeur attendue", "Description"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for header, column, part in entries:
        if part is not None and not header.startswith(f"{part.label} 1 "):
            continue
        if column.scheme:
            scheme = index.scheme(column.scheme)
            expected = (f"liste « {column.scheme} » (feuille du même nom)" if column.scheme in scheme_ranges
                        else f"liste « {column.scheme} »" + ("" if scheme else " (pas encore publiée)"))
            if column.kind == "concepts":
                expected += ", plusieurs valeurs séparées par « ; »"
        else:
            expected = _KIND_HELP.get(column.kind, "texte")
        sheet.append([header, column.group, "oui" if column.required else "", expected, column.help])
    for letter, width in zip("ABCDE", (40, 16, 12, 45, 100), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=12):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
