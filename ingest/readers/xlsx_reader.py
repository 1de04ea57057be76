"""XLSX workbooks (the template or any workbook with the same headers): values as typed, Excel dates
as ``datetime``, empty rows skipped; the sheet "Cas d'usage" is read, else the first sheet."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.readers import InputError, Row

DATA_SHEET = "Cas d'usage"


def read_xlsx(path: Path) -> list[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            path, "classeur illisible : ce n'est pas un fichier XLSX valide (enregistrez-le depuis votre tableur "
            "au format « Classeur Excel (.xlsx) »)"
        ) from exc
    try:
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else _data_sheet(workbook)
        header: list[str] | None = None
        rows: list[Row] = []
        for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [_clean(value) for value in record]
            if not any(value not in (None, "") for value in values):
                continue
            if header is None:
                header = [str(value) if value is not None else "" for value in values]
                continue
            cells = {name: values[i] if i < len(values) else None for i, name in enumerate(header) if name}
            rows.append(Row(file=path, number=number, cells=cells))
    finally:
        workbook.close()
    if header is None:
        raise InputError(path, f"la feuille « {sheet.title} » est vide : aucune ligne d'en-têtes")
    return rows


def _data_sheet(workbook):
    """The sheet whose first non-empty row holds the most known headers (the data sheet was renamed)."""
    from ingest.columns import match_header

    def known(sheet) -> int:
        for record in sheet.iter_rows(values_only=True, max_row=20):
            names = [str(v) for v in record if v not in (None, "")]
            if names:
                return sum(match_header(name) is not None for name in names)
        return 0

    return max(workbook.worksheets, key=known)


def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
