"""Contributor file readers: one per format, each turning a file into ``list[Row]`` (plain values, no RDF).

Every reader raises :class:`InputError` (a French message naming the file) when the file cannot be read
at all; problems with single values are found later, by ``ingest.contribution``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One use case as a contributor wrote it.

    ``number`` is the spreadsheet row (the header is row 1, as the spreadsheet program shows it) or the
    YAML line where the record starts; ``cells`` maps the column header or YAML key, as written, to its
    raw value; ``lines`` (YAML only) gives the line of each key, nested keys written ``risques[1].titre``.
    """

    file: Path
    number: int
    cells: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def is_yaml(self) -> bool:
        return self.file.suffix.lower() in YAML_SUFFIXES


class InputError(Exception):
    """One problem in a contributor file; ``str()`` is the French message shown to the contributor."""

    def __init__(self, file: Path | str, message: str, line: int | None = None, column: str | None = None,
                 yaml: bool = False) -> None:
        self.file = str(file)
        self.message = message
        self.line = line
        self.column = column
        self.yaml = yaml
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column is not None:
            where.append(f"{'clé' if self.yaml else 'colonne'} « {self.column} »")
        return f"{', '.join(where)} : {self.message}"


CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")
SUPPORTED = CSV_SUFFIXES + XLSX_SUFFIXES + YAML_SUFFIXES

_UNSUPPORTED_HINTS = {
    ".xls": "le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le classeur au format .xlsx",
    ".ods": "le format OpenDocument (.ods) n'est pas pris en charge : enregistrez le classeur au format .xlsx ou .csv",
    ".numbers": "exportez le tableau Numbers au format .xlsx ou .csv",
}


def read_rows(path: Path) -> list[Row]:
    """Read a contributor file of any supported format (chosen by its extension)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, "fichier introuvable")
    if suffix in CSV_SUFFIXES:
        from ingest.readers.csv_reader import read_csv

        return read_csv(path)
    if suffix in XLSX_SUFFIXES:
        from ingest.readers.xlsx_reader import read_xlsx

        return read_xlsx(path)
    if suffix in YAML_SUFFIXES:
        from ingest.readers.yaml_reader import read_yaml

        return read_yaml(path)
    hint = _UNSUPPORTED_HINTS.get(suffix, f"extension « {suffix or '(aucune)'} » inconnue")
    raise InputError(path, f"{hint} ; formats acceptés : {', '.join(SUPPORTED)}")
