"""The registers the library links to: one entry per raw file in ``sources/``, each loaded into its own
named graph (``graphe/{graph}``).

    for source in SOURCES:
        graph = source.load(base)   # -> rdflib.Graph, absolute IRIs under ``base``
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

SOURCES_DIR = Path(__file__).resolve().parent.parent / "sources"

CC_BY_4 = "http://creativecommons.org/licenses/by/4.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
EUPL_1_2 = "http://data.europa.eu/eli/dec_impl/2017/863/oj"
OGL_3 = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Source:
    """A register file and how to import it."""

    name: str  # short name, also the prefix of its records' IRIs
    title_fr: str
    title_en: str
    graph: str  # named graph name: graphe/{graph}
    path: Path
    licence: str  # licence IRI
    attribution: str
    homepage: str
    importer: str  # module under ingest.importers exposing import_file(path, base) -> Graph

    def load(self, base: str) -> Graph:
        """Import the raw file into a graph of absolute IRIs under ``base``."""
        module = importlib.import_module(f"ingest.importers.{self.importer}")
        return module.import_file(self.path, base)


SOURCES: list[Source] = [
    Source(
        name="pstw",
        title_fr="Public Sector Tech Watch (Commission européenne, JRC)",
        title_en="Public Sector Tech Watch (European Commission, JRC)",
        graph="pstw",
        path=SOURCES_DIR / "pstw-public-sector-tech-watch-2026-03-04.csv.gz",
        licence=CC_BY_4,
        attribution="© European Union, Joint Research Centre (JRC), Public Sector Tech Watch, CC BY 4.0",
        homepage="https://data.europa.eu/89h/e8e7bddd-8510-4936-9fa6-7e1b399cbd92",
        importer="pstw",
    ),
]
