"""Shared by the catalogue tests (a module name of its own: ``conftest`` is ambiguous across test folders)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"
CC_BY_4 = "http://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class FictionalSource:
    """An ``ingest.sources.Source`` look-alike for an invented register (tests only)."""

    name: str = "registre-fictif"
    title_fr: str = "Registre fictif des algorithmes de Testbourg"
    title_en: str = "Fictional algorithm register of Testbourg"
    graph: str = "registre-fictif"
    path: Path = HERE / "fixtures" / "registre-fictif.ttl"
    licence: str = CC_BY_4
    attribution: str = "Registre fictif de Testbourg (exemple de test), CC BY 4.0"
    homepage: str = "https://registre-fictif.example/"
    snapshot: str = "2025-07-01"

    def load(self, base: str):
        from ingest.rdfio import read_graph

        return read_graph(self.path, base)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class CatalogBuild:
    var_dir: Path
    base_url: str
    port: int

    def settings(self, **overrides):
        from sparql_endpoint.settings import Settings

        return Settings(base_url=self.base_url, var_dir=self.var_dir, queries_dir=REPO / "queries", **overrides)
