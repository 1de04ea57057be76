"""Helpers shared by the build tests (full and incremental)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from ingest.rdfio import read_graph


@dataclass(frozen=True)
class FileSource:
    """A register read from a Turtle file: the same interface as ingest.sources.Source."""

    name: str
    graph: str
    path: Path

    def load(self, base: str) -> Graph:
        return read_graph(self.path, base)
