"""YAML contributions: one use case per file (a mapping), or several (a list of mappings), French keys.

Values are read with ``yaml.safe_load`` semantics; the line of every key is kept so that errors can name
it (``risques[2].titre`` for the title of the second risk).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ingest.readers import InputError, Row
from ingest.readers.csv_reader import decode


def read_yaml(path: Path) -> list[Row]:
    text = decode(path.read_bytes(), path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"YAML mal formé ({problem})", line=mark.line + 1 if mark else None) from exc
    if node is None or data is None:
        raise InputError(path, "fichier vide")
    if isinstance(data, dict):
        return [_row(path, node, data)]
    if isinstance(data, list) and all(isinstance(item, dict) for item in data):
        return [_row(path, item_node, item) for item_node, item in zip(node.value, data, strict=True)]
    raise InputError(path, "le fichier doit décrire un cas d'usage (des paires « clé: valeur »)", line=1)


def _row(path: Path, node: yaml.MappingNode, data: dict[str, Any]) -> Row:
    lines: dict[str, int] = {}
    _collect_lines(node, "", lines)
    cells = {str(key): value for key, value in data.items()}
    return Row(file=path, number=node.start_mark.line + 1, cells=cells, lines=lines)


def _collect_lines(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[name] = key_node.start_mark.line + 1
            _collect_lines(value_node, name, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value, start=1):
            name = f"{prefix}[{index}]"
            lines[name] = item.start_mark.line + 1
            _collect_lines(item, name, lines)
