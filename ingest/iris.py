"""The only place data IRIs and slugs are minted. Relative IRIs: resolve them against the base URL.

Slugs are pure functions of their input (ASCII, lowercase, hyphens), so the same input always gives the
same IRI, and organisations named alike in two sources meet on one IRI.
"""

from __future__ import annotations

import re
import unicodedata

# names are folded first ("d'" becomes "d "), so both spellings are listed
_STOP_PREFIXES = re.compile(r"^(ville|commune|mairie) (de |d'|d |du |des )", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Lowercase, strip accents and ligatures: "Œuvre Élancée" -> "oeuvre elancee"."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(text: str, max_length: int = 80) -> str:
    """A stable URL slug: ``slugify("Recherche de fuites (Sicoval)") == "recherche-de-fuites-sicoval"``."""
    slug = _NON_ALNUM.sub("-", ascii_fold(text).replace("'", " ")).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    if not slug:
        raise ValueError(f"impossible de former un identifiant à partir de « {text} »")
    return slug


def normalise_org_name(name: str) -> str:
    """The key under which organisation names are deduplicated across sources."""
    folded = " ".join(ascii_fold(name).replace("'", " ").replace("-", " ").split())
    return _STOP_PREFIXES.sub("", folded) if folded.startswith(("ville ", "commune ", "mairie ")) else folded


def use_case_iri(slug: str) -> str:
    return f"id/cas-usage/{slug}"


def register_use_case_iri(source: str, source_id: str) -> str:
    """IRI of a record imported from a register, e.g. ("pstw", "2232") -> id/cas-usage/pstw-2232."""
    return use_case_iri(f"{source}-{slugify(source_id)}")


def organisation_iri(name: str) -> str:
    return f"id/organisation/{slugify(normalise_org_name(name))}"


def unit_iri(organisation: str, unit_name: str) -> str:
    return f"{organisation}/{slugify(unit_name)}"


def territory_iri(kind: str, code: str) -> str:
    """kind: commune, epci, departement, region, pays, nuts. Code as published (INSEE, SIREN, NUTS)."""
    return f"id/territoire/{kind}-{slugify(code)}"


def part_iri(parent: str, part: str, index: int | None = None) -> str:
    """A sub-resource of a use case: part_iri(uc, "risque", 1) -> uc#risque-1; part_iri(uc, "contact")."""
    return f"{parent}#{part}" if index is None else f"{parent}#{part}-{index}"


def source_record_iri(path: str, record_id: str) -> str:
    """A row of an input file shipped in ``sources/``, e.g. ("french-cases/x.csv", "LOC-001") -> sources/french-cases/x.csv#LOC-001."""
    return f"sources/{path}#{record_id}"


def graph_iri(name: str) -> str:
    return f"graphe/{name}"
