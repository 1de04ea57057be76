"""``ia-territoriales serve``: run the service with uvicorn (the app factory)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port d'écoute (défaut : 8000)")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from sparql_endpoint.settings import Settings

    settings = Settings()
    if not settings.sparql_url and not (settings.current_build / "store").is_dir():
        print(
            f"Aucune construction à servir ({settings.current_build} manque). "
            "Lancez d'abord « ia-territoriales build » (ou « make build »).",
            file=sys.stderr,
        )
        return 2
    print(f"Bibliothèque servie sur http://{args.host}:{args.port}/ (URL publique : {settings.base_url})")
    uvicorn.run(
        "sparql_endpoint.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        log_level="info",
    )
    return 0
