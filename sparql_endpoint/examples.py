"""The example queries of ``queries/*.rq``, read once at start-up for the SPARQL editor and pages.

Each file starts with a header comment::

    # title@fr: Cas d'usage par domaine
    # title@en: Use cases per domain
    # description@fr: …
    # description@en: …
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(title|description)@(fr|en)\s*:\s*(.+?)\s*$")


@dataclass(frozen=True)
class ExampleQuery:
    name: str  # file stem, e.g. "cas-par-domaine"
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    text: str


def parse_example(name: str, text: str) -> ExampleQuery:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            fields[f"{match.group(1)}_{match.group(2)}"] = match.group(3)
    missing = [k for k in ("title_fr", "title_en", "description_fr", "description_en") if k not in fields]
    if missing:
        raise ValueError(f"queries/{name}.rq : en-tête incomplet, il manque {', '.join(missing)}")
    return ExampleQuery(name=name, text=text, **fields)


def load_examples(folder: Path) -> list[ExampleQuery]:
    if not folder.is_dir():
        return []
    return [parse_example(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))]
