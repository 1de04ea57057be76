"""Small pure functions: one contributor value -> RDF terms. Each raises :class:`ValueProblem` with a
French message when the value cannot be understood (the caller adds the file, row and column)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ingest.concepts import fold

MULTI_SEPARATORS = re.compile(r"\s*[;|\n]\s*")


class ValueProblem(ValueError):
    """A value that cannot be converted; ``str()`` is French and quotes the value."""


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def split_multi(value: object) -> list[object]:
    """A multi-valued cell ("a; b | c", or lines) or a YAML list -> its non-empty items."""
    if isinstance(value, list | tuple):
        return [item for item in value if not is_empty(item)]
    if isinstance(value, str):
        return [item for item in MULTI_SEPARATORS.split(value.strip()) if item]
    return [] if value is None else [value]


def text(value: object) -> str:
    """Any cell as clean text: numbers typed in spreadsheets lose their ".0", spaces are collapsed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return re.sub(r"[ \t]+", " ", str(value)).strip()


def lang_text(value: object, lang: str = "fr") -> Literal:
    return Literal(text(value), lang=lang)


def iri(value: object) -> URIRef:
    """An http(s) address; "www.exemple.fr" is read as "https://www.exemple.fr"."""
    raw = text(value)
    if raw.lower().startswith("www."):
        raw = f"https://{raw}"
    if not re.match(r"^https?://[^\s/$.?#][^\s<>\"{}|\\^`]*$", raw, re.IGNORECASE):
        raise ValueProblem(f"« {text(value)} » n'est pas une adresse web (attendu : https://…)")
    return URIRef(raw)


def email(value: object) -> URIRef:
    raw = text(value).removeprefix("mailto:")
    if not re.match(r"^[^@\s;,]+@[^@\s;,]+\.[a-z]{2,}$", raw, re.IGNORECASE):
        raise ValueProblem(f"« {text(value)} » n'est pas une adresse électronique")
    return URIRef(f"mailto:{raw}")


_TRUE = {"oui", "o", "vrai", "yes", "y", "true", "1", "x"}
_FALSE = {"non", "n", "faux", "no", "false", "0"}


def boolean(value: object) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    folded = fold(text(value))
    if folded in _TRUE:
        return Literal(True)
    if folded in _FALSE:
        return Literal(False)
    raise ValueProblem(f"« {text(value)} » n'est ni « oui » ni « non »")


def integer(value: object) -> Literal:
    if isinstance(value, bool):
        raise ValueProblem(f"« {value} » n'est pas un nombre entier")
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    raw = re.sub(r"[\s\u00a0\u202f]", "", text(value))
    if not re.fullmatch(r"\d+", raw):
        raise ValueProblem(f"« {text(value)} » n'est pas un nombre entier")
    return Literal(int(raw), datatype=XSD.integer)


def decimal(value: object) -> Literal:
    """An amount: "45 000", "45 000,50 €", "45000.5", or a number cell."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raw = re.sub(r"[\s\u00a0\u202f€]|eur(os?)?$", "", text(value), flags=re.IGNORECASE)
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            number = Decimal(raw)
        except InvalidOperation as exc:
            raise ValueProblem(f"« {text(value)} » n'est pas un montant (ex. « 45 000 »)") from exc
    if not number.is_finite() or number < 0:
        raise ValueProblem(f"« {text(value)} » n'est pas un montant (ex. « 45 000 »)")
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return Literal(number, datatype=XSD.decimal)


_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), "dmy"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), "ymd"),
    (re.compile(r"^(\d{1,2})[/.-](\d{4})$"), "my"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})$"), "y"),
)


def date(value: object, full: bool = False) -> Literal:
    """A date as xsd:date, xsd:gYearMonth or xsd:gYear (``full``: only xsd:date is accepted).

    Accepts JJ/MM/AAAA, AAAA-MM-JJ, MM/AAAA, AAAA-MM, AAAA, spreadsheet dates and YAML dates.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    raw = text(value)
    for pattern, order in _DATE_PATTERNS:
        found = pattern.match(raw)
        if not found:
            continue
        parts = [int(g) for g in found.groups()]
        try:
            if order == "dmy":
                return Literal(dt.date(parts[2], parts[1], parts[0]).isoformat(), datatype=XSD.date)
            if order == "ymd":
                return Literal(dt.date(parts[0], parts[1], parts[2]).isoformat(), datatype=XSD.date)
        except ValueError as exc:
            raise ValueProblem(f"« {raw} » n'est pas une date qui existe") from exc
        if full:
            break
        if order in {"my", "ym"}:
            month, year = (parts[0], parts[1]) if order == "my" else (parts[1], parts[0])
            if not 1 <= month <= 12:
                raise ValueProblem(f"« {raw} » : le mois doit être entre 01 et 12")
            return Literal(f"{year:04d}-{month:02d}", datatype=XSD.gYearMonth)
        return Literal(f"{parts[0]:04d}", datatype=XSD.gYear)
    expected = "JJ/MM/AAAA" if full else "JJ/MM/AAAA, MM/AAAA ou AAAA"
    raise ValueProblem(f"« {raw} » n'est pas une date (attendu : {expected})")


def siren(value: object) -> Literal:
    raw = re.sub(r"[\s\u00a0\u202f.]", "", text(value))
    if not re.fullmatch(r"\d{9}", raw):
        raise ValueProblem(f"« {text(value)} » n'est pas un numéro SIREN (9 chiffres)")
    return Literal(raw)


_TERRITORY_KINDS = {"commune": "commune", "epci": "epci", "departement": "departement", "dep": "departement",
                    "region": "region", "reg": "region", "nuts": "nuts", "pays": "pays"}


def territory(value: object) -> tuple[str, str, str | None]:
    """A territory reference -> (kind, code, name): "Saint-Exemple (93051)", "93051" (INSEE commune),
    "1053" (a commune code whose leading zero a spreadsheet dropped), "200054781" (EPCI SIREN), "2A004",
    "departement:31", "Exemple-sur-Mer (region:76)", "nuts:FR10"."""
    raw = text(value)
    name = None
    named = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", raw)
    if named:
        name, raw = named.group(1).strip(), named.group(2)
    raw = raw.replace(" ", "")
    kind = None
    if ":" in raw:
        prefix, raw = raw.split(":", 1)
        kind = _TERRITORY_KINDS.get(fold(prefix).replace(" ", ""))
        if kind is None:
            raise ValueProblem(
                f"« {text(value)} » : type de territoire inconnu (commune, epci, departement, region, nuts)"
            )
    code = raw.upper()
    if kind is None:
        if re.fullmatch(r"\d{4}", code):
            code = f"0{code}"
        if re.fullmatch(r"\d{5}|2[AB]\d{3}", code):
            kind = "commune"
        elif re.fullmatch(r"\d{9}", code):
            kind = "epci"
        else:
            raise ValueProblem(
                f"« {text(value)} » n'est pas un code de territoire (code INSEE de commune, SIREN d'EPCI, "
                "ou « departement:31 », « region:76 », « nuts:FR10 »)"
            )
    if not re.fullmatch(r"[0-9A-Z]{1,9}", code):
        raise ValueProblem(f"« {text(value)} » n'est pas un code de territoire")
    return kind, code, name
