"""The ``ia-territoriales`` command line. Exit codes follow pySHACL: 0 ok, 1 violations, 2 input error.

Each subcommand lives in its own module under ``ingest.commands`` (or ``sparql_endpoint`` for serve),
exposing ``add_arguments(parser)`` and ``run(args) -> int``; modules are imported lazily so that
``--help`` stays fast and one command's dependencies never slow another.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line French help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("ingest.commands.validate", "valider des fichiers RDF contre les formes SHACL"),
    "build": ("ingest.commands.build", "construire le graphe, l'index et les dumps (atomique)"),
    "import": ("ingest.commands.import_", "convertir un fichier de contributeur ou de registre en RDF"),
    "template": ("ingest.commands.template", "écrire le modèle de saisie (XLSX et CSV) à partir de la nomenclature"),
    "serve": ("sparql_endpoint.cli", "servir la bibliothèque (SPARQL, pages, catalogue)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ia-territoriales",
        description="Bibliothèque d'IA territoriales : outils de données.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
