"""``ia-territoriales import FICHIER...``: contributor files (.csv .xlsx .yaml) -> data/cas-usage/*.ttl.

All files are read and every row converted and validated before anything is written: one error anywhere
and nothing changes (exit 2 for input errors, 1 for SHACL violations). Importing the same input twice
gives the same files; ``dct:created`` is kept from the record already in data/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.concepts import NOMENCLATURE_DIR, ConceptIndex
from ingest.contribution import Converter, UseCase
from ingest.rdfio import RDFReadError, atomic_write_text, read_graph, turtle_text
from ingest.readers import SUPPORTED, InputError, Row, read_rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER",
                        help="fichiers de contribution (.csv, .xlsx, .yaml, .yml) ou dossiers qui en contiennent")
    parser.add_argument("--data-dir", type=Path, default=Path("data"),
                        help="dossier des données (défaut : data) ; écrit cas-usage/ et organisations/")
    parser.add_argument("--base-url", default=None, help="URL publique de la bibliothèque (défaut : IAT_BASE_URL)")
    parser.add_argument("--nomenclature", type=Path, default=NOMENCLATURE_DIR,
                        help="dossier des listes de valeurs SKOS (défaut : ontology/nomenclature)")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                        help="date de mise à jour par défaut, AAAA-MM-JJ (défaut : aujourd'hui)")
    parser.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien écrire")
    parser.add_argument("--no-validate", action="store_true",
                        help="ne pas valider contre les formes SHACL (essais avec une autre nomenclature)")


@dataclass
class Output:
    path: Path
    text: str
    kind: str       # "cas d'usage" or "organisation"
    status: str     # "nouveau", "modifié", "inchangé"


def run(args: argparse.Namespace) -> int:
    base = args.base_url
    if base is None:
        from sparql_endpoint.settings import Settings

        base = Settings().base_url
    base = base if base.endswith("/") else base + "/"
    try:
        plan = plan_import(args.files, args.data_dir, base, args.nomenclature, args.date or dt.date.today(),
                           validate=not args.no_validate)
    except ImportFailed as failure:
        for error in failure.errors:
            print(error, file=sys.stderr)
        count = len(failure.errors)
        print(f"{count} erreur{'s' if count > 1 else ''} : rien n'a été écrit.", file=sys.stderr)
        return failure.exit_code
    for output in plan:
        print(f"{output.status:9} {output.kind:12} {output.path}")
    if args.dry_run:
        print(f"Essai : {len(plan)} fichier(s) auraient été écrits ; rien n'a été écrit.")
        return 0
    write_outputs(plan)
    cases = sum(1 for output in plan if output.kind == "cas d'usage")
    print(f"{cases} cas d'usage importé(s) dans {args.data_dir}.")
    return 0


def write_outputs(plan: list[Output]) -> None:
    """Write the planned files (each atomically); unchanged files are not touched."""
    for output in plan:
        if output.status != "inchangé":
            atomic_write_text(output.path, output.text)


class ImportFailed(Exception):
    def __init__(self, errors: list[str], exit_code: int) -> None:
        self.errors = errors
        self.exit_code = exit_code
        super().__init__("\n".join(errors))


def plan_import(files: list[Path], data_dir: Path, base: str, nomenclature: Path, today: dt.date,
                validate: bool = True) -> list[Output]:
    """Read, convert and validate everything; return the files to write, or raise :class:`ImportFailed`.

    ``validate=False`` skips SHACL (the shapes check against the project's own nomenclature, so a
    converter test on another nomenclature cannot use them).
    """
    index = ConceptIndex.load(nomenclature)
    errors: list[InputError] = []
    created = _ExistingCreated(data_dir, base)
    converter = Converter(index, base, today, created)
    use_cases: list[UseCase] = []
    for path in expand(files):
        try:
            rows = read_rows(path)
        except InputError as error:
            errors.append(error)
            continue
        if not rows:
            errors.append(InputError(path, "aucun cas d'usage : le fichier ne contient que des en-têtes"))
        for row in rows:
            use_case, row_errors = converter.convert(row)
            errors.extend(row_errors)
            if use_case is not None:
                use_cases.append(use_case)
    errors.extend(_duplicates(use_cases))
    errors.extend(created.errors)
    if errors:
        raise ImportFailed([str(e) for e in _dedupe(errors)], 2)
    outputs = _outputs(use_cases, data_dir, base)
    if validate:
        violations, warnings = _validate(use_cases)
        if violations:
            raise ImportFailed(violations, 1)
        for warning in warnings:
            print(f"avertissement : {warning}")
    return outputs


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the contributor files it holds (sorted, hidden ones left out)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
                            and p.suffix.lower() != ".txt" and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            found.append(path)
    return found


def _dedupe(errors: list[InputError]) -> list[InputError]:
    """An unknown spreadsheet column is reported once per file, not once per row."""
    seen: set[tuple] = set()
    kept = []
    for error in errors:
        key = (error.file, error.column, error.message) if "inconnue" in error.message and not error.yaml \
            and error.message.startswith("colonne") else (error.file, error.line, error.column, error.message)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept


def _duplicates(use_cases: list[UseCase]) -> list[InputError]:
    errors, seen = [], {}
    for use_case in use_cases:
        row = use_case.row
        if use_case.slug in seen:
            first = seen[use_case.slug]
            errors.append(InputError(
                row.file, f"même identifiant « {use_case.slug} » que {first.file.name} ligne {first.number} : "
                "changez le titre ou renseignez la colonne « Identifiant »", row.number, None, row.is_yaml))
        else:
            seen[use_case.slug] = row
    return errors


class _ExistingCreated:
    """dct:created of the records already in data/cas-usage/ (kept when a record is imported again)."""

    def __init__(self, data_dir: Path, base: str) -> None:
        self.data_dir = data_dir
        self.base = base
        self.errors: list[InputError] = []

    def __call__(self, slug: str) -> Literal | None:
        path = self.data_dir / "cas-usage" / f"{slug}.ttl"
        if not path.is_file():
            return None
        try:
            graph = read_graph(path, self.base)
        except RDFReadError as error:
            self.errors.append(InputError(path, f"fichier existant illisible ({error.detail})"))
            return None
        values = sorted(graph.objects(URIRef(f"{self.base}id/cas-usage/{slug}"), DCTERMS.created))
        return values[0] if values else None


def _outputs(use_cases: list[UseCase], data_dir: Path, base: str) -> list[Output]:
    outputs: list[Output] = []
    organisations: dict[str, Graph] = {}
    for use_case in use_cases:
        path = data_dir / "cas-usage" / f"{use_case.slug}.ttl"
        outputs.append(_output(path, _use_case_text(use_case, path, base), "cas d'usage"))
        for iri, graph in use_case.organisations.items():
            if iri in organisations:
                organisations[iri] += graph
            else:
                organisations[iri] = graph
    described = _described_organisations(data_dir)
    for iri in sorted(organisations):
        slug = iri.rsplit("/", 1)[-1]
        path = data_dir / "organisations" / f"{slug}.ttl"
        if path.exists() or slug in described:
            continue  # organisations already in data/ are kept as they are
        outputs.append(_output(path, turtle_text(organisations[iri], base), "organisation"))
    return outputs


def _use_case_text(use_case: UseCase, path: Path, base: str) -> str:
    """The record's Turtle. A row without a modification date that changes nothing in the record keeps
    the record's dct:modified, so that importing the same input on another day changes no file."""
    text = turtle_text(use_case.graph, base)
    if use_case.dated or not path.is_file():
        return text
    existing = path.read_text(encoding="utf-8")
    old = read_graph(path, base).value(use_case.iri, DCTERMS.modified)
    if old is None:
        return text
    candidate = Graph() + use_case.graph
    candidate.set((use_case.iri, DCTERMS.modified, old))
    candidate_text = turtle_text(candidate, base)
    return candidate_text if candidate_text == existing else text


def _described_organisations(data_dir: Path) -> set[str]:
    """Slugs of the organisations some file of data/ already describes (written relative, as subjects)."""
    found: set[str] = set()
    pattern = re.compile(r"^<id/organisation/([a-z0-9-]+)>", re.MULTILINE)
    for path in data_dir.rglob("*.ttl") if data_dir.is_dir() else []:
        found.update(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def _output(path: Path, text: str, kind: str) -> Output:
    if not path.exists():
        status = "nouveau"
    else:
        status = "inchangé" if path.read_text(encoding="utf-8") == text else "modifié"
    return Output(path, text, kind, status)


def _validate(use_cases: list[UseCase]) -> tuple[list[str], list[str]]:
    """SHACL violations and warnings of the imported records (with the organisations they name), as
    French lines naming the file and row each resource came from.

    Uses ``ingest.validate.validate_graph`` (shapes/, ontology/ and the nomenclature).
    """
    from ingest.validate import validate_graph

    graph = Graph()
    owners: dict[str, Row] = {}
    for use_case in use_cases:
        graph += use_case.graph
        for subject in set(use_case.graph.subjects()):
            owners.setdefault(str(subject), use_case.row)
        for iri, org in use_case.organisations.items():
            graph += org
            owners.setdefault(iri, use_case.row)
    report = validate_graph(graph)
    violations, warnings = [], []
    for result in report.results:
        row = owners.get(result.focus_node)
        where = f"{row.file}, ligne {row.number}" if row is not None else str(result.focus_node)
        field = f"« {result.path_label} » : " if result.path_label else ""
        value = f" (valeur : {result.value})" if result.value else ""
        line = f"{where} : {field}{result.message_fr}{value}"
        target = violations if result.severity == "Violation" else warnings
        if line not in target:
            target.append(line)
    return violations, warnings
