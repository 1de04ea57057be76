"""The French territorial cases of PSTW, written into the library's ``data/``.

A PSTW row is a French territorial case when its country is France, its organisation category is local
or regional government, and its organisation is listed as a local authority in
``ingest/mappings/pstw-french-authorities.csv`` (State bodies, hospitals and chambers are not).
Each case goes to ``data/cas-usage/pstw-{n}.ttl`` (the use case, its ``#`` parts and its territory),
each of its organisations to ``data/organisations/{slug}.ttl``; an organisation file that already exists
(written from another source) is merged with, never overwritten.

    python -m ingest.importers.pstw_france [--data DIR] [--base URL]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import ORG

from ingest.importers import pstw
from ingest.importers.common import RecordGraph, RegisterImportError
from ingest.namespaces import AIRO, bind_prefixes
from ingest.rdfio import read_graph, write_turtle

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def french_cases(path: Path | None = None) -> list[dict[str, str]]:
    """The PSTW rows that are French territorial cases, in file order."""
    from ingest.sources import source_named

    return [
        row for row in pstw.read_rows(path or source_named("pstw").path) if pstw.is_french_territorial(row)
    ]


def case_graphs(rows: list[dict[str, str]], base: str, path: Path | str = "pstw") -> tuple[dict, dict]:
    """{case file name: graph} and {organisation IRI: graph} for the given rows."""
    from ingest.sources import source_named

    source = source_named("pstw")
    cases: dict[str, Graph] = {}
    organisations: dict[URIRef, Graph] = {}
    for row in rows:
        rg = RecordGraph(base)
        uc = pstw.map_row(rg, row, path, source)
        orgs = set(rg.graph.objects(uc, AIRO.isDeployedBy))
        case = bind_prefixes(Graph())
        for triple in rg.graph:
            subject = triple[0]
            if subject in orgs:
                organisations.setdefault(subject, bind_prefixes(Graph())).add(triple)
            else:
                case.add(triple)
        cases[str(uc).rsplit("/", 1)[1]] = case
    for org, graph in organisations.items():
        if (org, ORG.classification, None) not in graph:
            raise RegisterImportError(
                path, f"type de collectivité inconnu pour {org}", field=pstw.ORGANISATION
            )
    return cases, organisations


def write_pstw_french_cases(data_dir: Path, base: str, source_path: Path | None = None) -> list[Path]:
    """Write the French territorial cases of PSTW and their organisations under ``data_dir``.
    Returns the files written (sorted)."""
    cases, organisations = case_graphs(french_cases(source_path), base)
    written: list[Path] = []
    for name, graph in sorted(cases.items()):
        target = data_dir / "cas-usage" / f"{name}.ttl"
        write_turtle(graph, target, base)
        written.append(target)
    for org, graph in sorted(organisations.items()):
        target = data_dir / "organisations" / f"{str(org).rsplit('/', 1)[1]}.ttl"
        if target.exists():
            read_graph(target, base, graph)
        write_turtle(graph, target, base)
        written.append(target)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    from sparql_endpoint.settings import Settings

    parser = argparse.ArgumentParser(description="Écrire les cas territoriaux français de PSTW dans data/.")
    parser.add_argument(
        "--data", type=Path, default=PROJECT_ROOT / "data", help="dossier data/ (défaut : celui du projet)"
    )
    parser.add_argument("--base", default=None, help="URL de base des IRI (défaut : IAT_BASE_URL)")
    args = parser.parse_args(argv)
    base = args.base or str(Settings().base_url)
    try:
        written = write_pstw_french_cases(args.data, base)
    except RegisterImportError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(f"{len(written)} fichiers écrits sous {args.data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
