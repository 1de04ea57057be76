"""CSV files as French spreadsheet programs save them: UTF-8 (with or without BOM) or Windows-1252,
``;``, ``,`` or tab separated, empty rows anywhere, trailing spaces."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ingest.readers import InputError, Row

_SEPARATORS = (";", ",", "\t")
_SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252, the two encodings French spreadsheets save in."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError(path, "ce fichier est un classeur (XLSX/ODS), pas un CSV : donnez-lui l'extension .xlsx")
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(path, "encodage UTF-16 non pris en charge : enregistrez en « CSV UTF-8 »")
        raise InputError(path, "ce fichier n'est pas un texte CSV (contenu binaire)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"encodage non reconnu (ni UTF-8 ni Windows-1252, octet {exc.start}) : enregistrez en « CSV UTF-8 »"
        ) from exc


def sniff_separator(header_line: str) -> str:
    """The separator is the one the header line uses most (headers never contain ``;``, ``,`` or tabs)."""
    counts = {sep: header_line.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def read_csv(path: Path) -> list[Row]:
    text = decode(path.read_bytes(), path)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip(" \t;,")), None)
    if first is None:
        raise InputError(path, "fichier vide : aucune ligne d'en-têtes")
    skip = 0
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        # Excel's "sep=;" hint line: it names the separator and is not a row of data
        separator, skip = first.strip()[4], lines.index(first) + 1
    else:
        separator = sniff_separator(first)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        raise InputError(path, f"CSV mal formé ({exc})") from exc
    header: list[str] | None = None
    rows: list[Row] = []
    for number, record in enumerate(records, start=1):
        cells = [cell.strip() for cell in record]
        if number <= skip or not any(cells):
            continue  # empty rows (also ";;;;" rows) are skipped but keep their number
        if header is None:
            header = cells
            if len(header) < 2:
                raise InputError(
                    path,
                    "une seule colonne trouvée : le séparateur doit être le point-virgule, la virgule ou la tabulation",
                    line=number,
                )
            _check_header(path, header, number)
            continue
        if len(cells) > len(header) and any(cells[len(header):]):
            raise InputError(
                path,
                f"{len(cells)} cellules pour {len(header)} en-têtes (séparateur : "
                f"{_SEPARATOR_NAMES[separator]}) ; une cellule contient-elle le séparateur sans guillemets ?",
                line=number,
            )
        values = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}
        rows.append(Row(file=path, number=number, cells=values))
    if header is None:
        raise InputError(path, "fichier vide : aucune ligne d'en-têtes")
    return rows


def _check_header(path: Path, header: list[str], number: int) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(path, f"en-tête « {name} » en double", line=number)
        seen.add(name)
