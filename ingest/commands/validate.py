"""``ia-territoriales validate PATH...``: check RDF files against the SHACL shapes.

Exit codes (pySHACL's contract): 0 conformant (warnings allowed), 1 violations, 2 unreadable input
or shapes. The report goes to stdout (French by default, ``--lang en``), errors to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from rdflib import Graph

from ingest.namespaces import bind_prefixes
from ingest.rdfio import RDF_SUFFIXES, RDFReadError, rdf_files
from ingest.validate import (
    DEFAULT_PROFILE,
    PROFILES,
    Report,
    Result,
    ShapesLoadError,
    read_files,
    validate_graph,
)

DEFAULT_BASE = "http://127.0.0.1:8000/"

TEXTS = {
    "fr": {
        "file": "Fichier",
        "unknown_file": "(fichier inconnu)",
        "resource": "Ressource",
        "Violation": "violation",
        "Warning": "avertissement",
        "Info": "information",
        "value": "valeur",
        "summary": "Bilan : {v} violation(s), {w} avertissement(s), {n} fichier(s) lu(s), {t} triplets.",
        "ok": "Conforme.",
        "ko": "Non conforme : corrigez les violations ci-dessus.",
        "no_files": "aucun fichier RDF ({exts}) trouvé dans : {paths}",
    },
    "en": {
        "file": "File",
        "unknown_file": "(unknown file)",
        "resource": "Resource",
        "Violation": "violation",
        "Warning": "warning",
        "Info": "info",
        "value": "value",
        "summary": "Summary: {v} violation(s), {w} warning(s), {n} file(s) read, {t} triples.",
        "ok": "Conforms.",
        "ko": "Does not conform: fix the violations above.",
        "no_files": "no RDF file ({exts}) found in: {paths}",
    },
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="CHEMIN",
                        help="fichiers ou dossiers (.ttl, .jsonld, .nt, .rdf)")
    parser.add_argument("--format", choices=("texte", "json", "turtle"), default="texte",
                        help="forme du rapport : texte lisible (défaut), json, ou le graphe de rapport SHACL en turtle")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="langue du rapport texte (défaut : fr)")
    parser.add_argument("--base-url", default=DEFAULT_BASE,
                        help=f"URL de base pour résoudre les IRI relatives (défaut : {DEFAULT_BASE})")
    parser.add_argument("--profil", choices=tuple(PROFILES), default=DEFAULT_PROFILE,
                        help="bibliotheque (défaut : règles de data/) ou registre (fiches importées des registres)")
    parser.add_argument("--moteur", choices=("sparql", "pyshacl"), default="sparql",
                        help="moteur SHACL : formes compilées en SPARQL (défaut, mêmes résultats, plus rapide) ou "
                             "pySHACL (la référence)")


def _short(iri: str | None, base: str) -> str:
    if iri is None:
        return ""
    return iri[len(base):] if iri.startswith(base) else iri


def _value(result: Result, base: str) -> str:
    return _short(result.value, base) if result.value is not None else ""


def render_text(report: Report, base: str, lang: str, files: int, triples: int) -> str:
    t = TEXTS[lang]
    by_file: dict[str, dict[str, list[Result]]] = defaultdict(lambda: defaultdict(list))
    for result in report.results:
        by_file[result.source_file or t["unknown_file"]][result.focus_node].append(result)
    namespaces = bind_prefixes(Graph()).namespace_manager
    lines: list[str] = []
    for file_name, resources in by_file.items():
        lines.append(f"{t['file']} {file_name}")
        for focus, results in resources.items():
            lines.append(f"  {t['resource']} <{_short(focus, base)}>")
            for r in results:
                field = r.label(lang)
                if r.path:
                    field = f"{field} ({namespaces.normalizeUri(r.path)})"
                line = f"    [{t.get(r.severity, r.severity)}] {field} : {r.message(lang)}"
                if r.value is not None:
                    line += f" — {t['value']} : « {_value(r, base)} »"
                lines.append(line)
    lines.append(t["summary"].format(v=len(report.violations), w=len(report.warnings), n=files, t=triples))
    lines.append(t["ok"] if report.conforms else t["ko"])
    return "\n".join(lines) + "\n"


def render_json(report: Report, files: list[Path], triples: int) -> str:
    return json.dumps(
        {
            "conforme": report.conforms,
            "violations": len(report.violations),
            "avertissements": len(report.warnings),
            "fichiers": [str(p) for p in files],
            "triplets": triples,
            "resultats": [r.as_dict() for r in report.results],
        },
        ensure_ascii=False,
        indent=2,
    ) + "\n"


def run(args: argparse.Namespace) -> int:
    t = TEXTS[args.lang]
    files = rdf_files(args.paths)
    if not files:
        print(t["no_files"].format(exts=", ".join(sorted(RDF_SUFFIXES)), paths=", ".join(map(str, args.paths))),
              file=sys.stderr)
        return 2
    try:
        data, origin = read_files(args.paths, args.base_url)
        if getattr(args, "moteur", "sparql") == "sparql":
            from ingest.shacl_sparql_run import validate_graph as validate_compiled

            report = validate_compiled(data, args.profil, origin=origin)
        else:
            report = validate_graph(data, args.profil, origin=origin)
    except (RDFReadError, ShapesLoadError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(render_json(report, files, len(data)))
    elif args.format == "turtle":
        sys.stdout.write(bind_prefixes(report.graph).serialize(format="turtle"))
    else:
        sys.stdout.write(render_text(report, args.base_url, args.lang, len(files), len(data)))
    return 0 if report.conforms else 1
