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
EUPL_1_2 = "http://publications.europa.eu/resource/authority/licence/EUPL_1_2"
OGL_3 = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Source:
    """A register file and how to import it."""

    name: str  # short name of the source
    title_fr: str
    title_en: str
    graph: str  # named graph name: graphe/{graph}
    path: Path
    licence: str  # licence IRI
    attribution: str
    homepage: str
    snapshot: str  # date of the copy (YYYY-MM-DD): record dates when the file gives none
    importer: str  # "module:function" under ingest.importers, function(path, base) -> Graph

    def load(self, base: str) -> Graph:
        """Import the raw file into a graph of absolute IRIs under ``base``."""
        module_name, function = self.importer.split(":")
        module = importlib.import_module(f"ingest.importers.{module_name}")
        return getattr(module, function)(self.path, base)


SOURCES: list[Source] = [
    Source(
        name="pstw",
        title_fr="Public Sector Tech Watch (Commission européenne, JRC)",
        title_en="Public Sector Tech Watch (European Commission, JRC)",
        graph="pstw",
        path=SOURCES_DIR / "pstw-public-sector-tech-watch-2026-03-04.csv.gz",
        licence=CC_BY_4,
        attribution="European Commission, Joint Research Centre (JRC): Public Sector Tech Watch, "
        "dataset of use cases, snapshot of 2026-03-04, CC BY 4.0",
        homepage="https://data.europa.eu/89h/e8e7bddd-8510-4936-9fa6-7e1b399cbd92",
        snapshot="2026-03-04",
        importer="pstw:import_file",
    ),
    Source(
        name="nl-algoritmeregister",
        title_fr="Registre des algorithmes de l'administration néerlandaise",
        title_en="Algorithm Register of the Dutch government",
        graph="nl-algoritmeregister",
        path=SOURCES_DIR / "nl-algoritmeregister-2026-08-08.json.gz",
        licence=CC0,
        attribution="Algoritmeregister van de Nederlandse overheid (algoritmes.overheid.nl), export of "
        "2026-08-08 by github.com/schellevis/algoritmeregister, CC0 1.0",
        homepage="https://algoritmes.overheid.nl/",
        snapshot="2026-08-08",
        importer="nl_register:import_file",
    ),
    Source(
        name="nl-algoritmeregister-v1",
        title_fr="Registre néerlandais des algorithmes : fiches complètes au standard de publication 1.0",
        title_en="Dutch Algorithm Register: full records in the publication standard 1.0",
        graph="nl-algoritmeregister-v1",
        path=SOURCES_DIR / "nl-algoritmeregister-v1_0-records.json.gz",
        licence=EUPL_1_2,
        attribution="Ministerie van Binnenlandse Zaken en Koninkrijksrelaties, MinBZK/Algoritmeregister "
        "(backend/app/data/templates/1.0), EUPL-1.2",
        homepage="https://github.com/MinBZK/Algoritmeregister",
        snapshot="2026-11-26",
        importer="nl_register:import_v1_file",
    ),
    Source(
        name="uk-atrs",
        title_fr="Registres britanniques de transparence algorithmique (ATRS)",
        title_en="UK Algorithmic Transparency Recording Standard records (ATRS)",
        graph="uk-atrs",
        path=SOURCES_DIR / "uk-atrs-records.json.gz",
        licence=OGL_3,
        attribution="Contains public sector information licensed under the Open Government Licence v3.0 "
        "(GOV.UK Algorithmic Transparency Recording Standard records, index by "
        "github.com/fabio-rovai/uk-algorithmic-transparency)",
        homepage="https://www.gov.uk/government/collections/algorithmic-transparency-recording-standard-hub",
        snapshot="2026-11-26",
        importer="uk_atrs:import_file",
    ),
]


def source_named(name: str) -> Source:
    """The source called ``name`` (a KeyError names the known ones)."""
    for source in SOURCES:
        if source.name == name:
            return source
    raise KeyError(f"source inconnue « {name} » ; connues : {', '.join(s.name for s in SOURCES)}")
