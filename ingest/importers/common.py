"""Shared pieces of the register importers: errors, value mappings (data in ``ingest/mappings/``),
text clean-up, and the triples every imported record carries (identifier, provenance, licence).

Importers build absolute IRIs (``base`` + the relative IRI from ``ingest.iris``) and never blank nodes.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, SKOS, XSD

from ingest import iris
from ingest.namespaces import (
    ADMS,
    AIRO,
    IAT,
    LANG,
    NUTS,
    ONTOLOGY_IRI,
    SCHEMA,
    bind_prefixes,
    concept_iri,
)

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
SUMMARY_MAX = 400
_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{},;]+")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(p|div|br|li|ul|ol|h[1-6])\b[^>]*>", re.IGNORECASE)


class RegisterImportError(Exception):
    """A register file that cannot be imported. ``str()`` is a French message naming file, record, field."""

    def __init__(self, path: Path | str, detail: str, record: str | None = None, field: str | None = None):
        self.path, self.detail, self.record, self.field = str(path), detail, record, field
        where = str(path)
        if record is not None:
            where += f", enregistrement « {record} »"
        if field is not None:
            where += f", champ « {field} »"
        super().__init__(f"{where} : {detail}")


# --- reading ---------------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The text of a (possibly gzipped) UTF-8 file, BOM removed; a French error when it is unreadable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise RegisterImportError(path, "fichier introuvable") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise RegisterImportError(path, f"archive gzip illisible ({exc})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterImportError(path, f"encodage non UTF-8 à l'octet {exc.start}") from exc


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise RegisterImportError(
            path, f"JSON invalide, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"
        ) from exc


def read_csv_rows(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a CSV file, header names stripped (the PSTW header " Status" starts with a space)."""
    text = read_text(path)
    try:
        reader = csv.reader(text.splitlines(keepends=True))
        header = [name.strip() for name in next(reader)]
        rows = [
            dict(zip(header, values, strict=False)) for values in reader if any(v.strip() for v in values)
        ]
    except StopIteration as exc:
        raise RegisterImportError(path, "fichier vide") from exc
    except csv.Error as exc:
        raise RegisterImportError(path, f"CSV invalide ({exc})") from exc
    missing = [name for name in required if name not in header]
    if missing:
        raise RegisterImportError(path, f"colonnes manquantes : {', '.join(missing)}")
    return rows


# --- text ------------------------------------------------------------------------------------------


def clean(value: Any) -> str:
    """A source value as tidy text: None -> "", whitespace (incl. no-break spaces) collapsed and stripped."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def clean_multiline(value: Any) -> str:
    """Like ``clean`` but keeps paragraph breaks."""
    if value is None:
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in str(value).replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def strip_html(value: Any) -> str:
    """Text of an HTML fragment (the Dutch standard's rich-text fields), paragraphs kept as line breaks."""
    if value is None:
        return ""
    text = _BLOCK_TAG.sub("\n", str(value))
    text = _TAG.sub("", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&quot;", '"').replace("&#39;", "'")
    return clean_multiline(text)


def summary(text: str, limit: int = SUMMARY_MAX) -> str:
    """The first ``limit`` characters of a text, cut at a word and marked "…" when cut (never invented)."""
    flat = clean(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–") + "…"


def _one_fragment(url: str) -> str:
    """An IRI has at most one "#": later ones (text fragments pasted twice) are percent-encoded."""
    head, sep, fragment = url.partition("#")
    return head + sep + fragment.replace("#", "%23")


def urls_in(text: str) -> list[str]:
    """The http(s) URLs in a free-text cell, in order, without duplicates or trailing punctuation."""
    found: list[str] = []
    for match in _URL.findall(text or ""):
        url = _one_fragment(match.rstrip(".)"))
        if url not in found and "." in url.split("//", 1)[1]:
            found.append(url)
    return found


def norm_key(value: str) -> str:
    """Key under which a source value is looked up in a mapping table: case and spacing ignored."""
    return clean(value).casefold().rstrip(".")


# --- mappings (data) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """A table ``ingest/mappings/{name}.csv``: source value -> concept codes of one scheme (maybe none)."""

    name: str
    scheme: str
    table: dict[str, tuple[str, ...]]

    def lookup(self, value: str, path: Path | str, record: str, field: str) -> tuple[str, ...]:
        key = norm_key(value)
        if not key:
            return ()
        try:
            return self.table[key]
        except KeyError:
            raise RegisterImportError(
                path,
                f"valeur inconnue « {clean(value)} » : à ajouter à ingest/mappings/{self.name}.csv",
                record,
                field,
            ) from None

    def iris(self, value: str, path: Path | str, record: str, field: str) -> list[URIRef]:
        return [URIRef(concept_iri(self.scheme, code)) for code in self.lookup(value, path, record, field)]


@cache
def mapping(name: str) -> Mapping:
    """Load a mapping table: columns ``value,scheme,codes`` (codes separated by spaces, empty = no match)."""
    path = MAPPINGS_DIR / f"{name}.csv"
    table: dict[str, tuple[str, ...]] = {}
    schemes: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            schemes.add(row["scheme"].strip())
            table[norm_key(row["value"])] = tuple(row["codes"].split())
    if len(schemes) != 1:
        raise RegisterImportError(
            path, f"une table de correspondance vise un seul schéma, pas {sorted(schemes)}"
        )
    return Mapping(name, schemes.pop(), table)


@cache
def lookup_table(name: str, key: str) -> dict[str, dict[str, str]]:
    """A plain CSV table in ``ingest/mappings/`` keyed by the normalised value of column ``key``."""
    with (MAPPINGS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {norm_key(row[key]): row for row in csv.DictReader(handle)}


# --- triples ---------------------------------------------------------------------------------------


class RecordGraph:
    """A graph of absolute IRIs under ``base``, with small helpers that skip empty values."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.graph = bind_prefixes(Graph())

    def iri(self, relative: str) -> URIRef:
        return URIRef(self.base + relative)

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None and str(o) != "":
            self.graph.add((s, p, o))

    def text(self, s: URIRef, p: URIRef, value: str, lang: str) -> None:
        if value:
            self.graph.add((s, p, Literal(value, lang=lang)))

    def date(self, s: URIRef, p: URIRef, value: str) -> None:
        if value:
            self.graph.add((s, p, Literal(value, datatype=XSD.date)))

    def identifier(self, record: URIRef, source: str, notation: str, agency: str) -> None:
        """``adms:identifier`` node ``#id-{source}`` keeping the register's own identifier."""
        node = URIRef(f"{record}#id-{source}")
        self.graph.add((record, ADMS.identifier, node))
        self.graph.add((node, RDF.type, ADMS.Identifier))
        self.graph.add((node, SKOS.notation, Literal(notation)))
        self.graph.add((node, ADMS.schemaAgency, Literal(agency)))

    def provenance(
        self,
        record: URIRef,
        *,
        derived_from: str,
        sources: Iterable[str],
        licence: str,
        attribution: str,
        language: str,
        created: str,
        modified: str,
    ) -> None:
        """What every imported record carries: provenance, licence, attribution, language, dates."""
        g = self.graph
        g.add((record, PROV.wasDerivedFrom, URIRef(derived_from)))
        for url in sources:
            g.add((record, DCTERMS.source, URIRef(url)))
        g.add((record, DCTERMS.license, URIRef(licence)))
        g.add((record, DCTERMS.bibliographicCitation, Literal(attribution)))
        g.add((record, DCTERMS.language, LANG[language]))
        g.add((record, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
        self.date(record, DCTERMS.created, created)
        self.date(record, DCTERMS.modified, modified)

    def organisation(
        self, name: str, *, deployer: bool, source: str | None = None, french: bool = False
    ) -> URIRef:
        """The organisation a source names ``name``, under its canonical name when the alias table
        (``ingest/mappings/organisation-aliases.csv``) gives one; deduplicated by ``organisation_iri``.
        Canonical names come from French sources (``@fr``); a source's own spelling is kept untagged."""
        canonical = canonical_organisation(name)
        french = french or canonical != name
        org = self.iri(iris.organisation_iri(canonical))
        g = self.graph
        g.add((org, RDF.type, ORG.Organization))
        if deployer:
            g.add((org, RDF.type, AIRO.AIDeployer))
        label = Literal(canonical, lang="fr") if french else Literal(canonical)
        labels = set(g.objects(org, SKOS.prefLabel))
        if not labels:
            g.add((org, SKOS.prefLabel, label))
        elif label not in labels:
            g.add((org, SKOS.altLabel, label))
        if canonical != name:
            g.add((org, SKOS.altLabel, Literal(name)))
        if source:
            g.add((org, DCTERMS.source, URIRef(source)))
        return org

    def nuts_territory(self, code: str, label: str | None = None, lang: str = "en") -> URIRef:
        """A NUTS territory ``id/territoire/nuts-{code}`` with ``owl:sameAs`` the EU NUTS IRI."""
        node = self.iri(iris.territory_iri("nuts", code))
        g = self.graph
        g.add((node, RDF.type, DCTERMS.Location))
        g.add((node, IAT.nutsCode, Literal(code)))
        g.add((node, OWL.sameAs, NUTS[code]))
        g.add((node, SKOS.prefLabel, Literal(label, lang=lang) if label else Literal(code)))
        return node


def concept(scheme: str, code: str) -> str:
    return concept_iri(scheme, code)


def canonical_organisation(name: str) -> str:
    """The canonical name of an organisation named ``name`` in a source (the alias table, else itself)."""
    row = lookup_table("organisation-aliases", "alias").get(norm_key(name))
    return row["nom"].strip() if row else name


_URL_SPLIT = re.compile(r"[\s,;]+(?=(?:https?:/|www\.))")
_BAD_IRI_CHARS = re.compile(r'[<>"{}|\\^`\s]')


def urls_in_cell(value: str) -> list[str]:
    """The URLs of a cell meant to hold URLs: several may be separated by spaces, commas or new lines;
    spaces inside one URL (an editing accident, "…/Proof of Concepts/…") are percent-encoded;
    "www.x" gets "https://"; "https:/x" is repaired. Text that is not a URL is left out."""
    found: list[str] = []
    for piece in _URL_SPLIT.split(clean_multiline(value)):
        piece = piece.strip().rstrip(",;")
        if piece.startswith("www."):
            piece = "https://" + piece
        piece = re.sub(r"^(https?):/(?!/)", r"\1://", piece)
        if not re.match(r"https?://[^\s/]+\.[^\s/]+", piece) or "\n" in piece:
            continue
        piece = _one_fragment(re.sub(r"\s+", "%20", piece))
        if not _BAD_IRI_CHARS.search(piece) and piece not in found:
            found.append(piece)
    return found


def nuts_or_country(rg: RecordGraph, code: str, country: str, path: Path | str, record: str) -> URIRef | None:
    """The territory of a NUTS code as a register gives it; codes that are not NUTS codes (ISO codes of
    non-member countries, "EU") follow ``ingest/mappings/nuts-exceptions.csv``."""
    if not code:
        return None
    exception = lookup_table("nuts-exceptions", "code").get(norm_key(code))
    if exception is not None:
        kind, target = exception["kind"], exception["target"]
        if kind == "none":
            return None
        if kind == "pays":
            node = rg.iri(iris.territory_iri("pays", target))
            rg.graph.add((node, RDF.type, DCTERMS.Location))
            rg.graph.add((node, SKOS.prefLabel, Literal(exception["label_fr"], lang="fr")))
            rg.graph.add((node, SKOS.prefLabel, Literal(exception["label_en"], lang="en")))
            return node
        code = target
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}", code):
        raise RegisterImportError(path, f"code NUTS invalide « {code} »", record, "NUTS")
    if len(code) != 2:
        return rg.nuts_territory(code)
    # Country names come from the NUTS country table, never from the row: the register's country
    # column disagrees with its NUTS code on some rows (NUTS "IT" with country "France").
    names = lookup_table("nuts-countries", "code").get(norm_key(code))
    if names is None:
        raise RegisterImportError(path, f"pays NUTS inconnu « {code} » (ingest/mappings/nuts-countries.csv)", record, "NUTS")
    node = rg.nuts_territory(code, names["label_en"], "en")
    rg.graph.add((node, SKOS.prefLabel, Literal(names["label_fr"], lang="fr")))
    return node


_SOURCE_CODE_HOSTS = ("github.com", "gitlab.com", "gitlab.", "codeberg.org", "bitbucket.org")


def shared_resources(rg: RecordGraph, record: URIRef, cell: str, lang: str) -> None:
    """Open components a register lists as outputs -> ``iat:sharedResource`` nodes ``#ressource-N``."""
    urls = urls_in_cell(cell)
    text = clean_multiline(cell)
    g = rg.graph
    if not urls and text:
        node = URIRef(iris.part_iri(str(record), "ressource", 1))
        g.add((record, IAT.sharedResource, node))
        g.add((node, RDF.type, IAT.SharedResource))
        g.add((node, DCTERMS.description, Literal(text, lang=lang)))
        return
    for index, url in enumerate(urls, start=1):
        node = URIRef(iris.part_iri(str(record), "ressource", index))
        host = url.split("//", 1)[1].split("/", 1)[0].lower()
        code = any(host == h or host.startswith(h) for h in _SOURCE_CODE_HOSTS)
        g.add((record, IAT.sharedResource, node))
        g.add((node, RDF.type, IAT.SourceCode if code else IAT.SharedResource))
        g.add((node, DCTERMS.title, Literal(url.split("//", 1)[1].rstrip("/"))))
        g.add((node, DCAT.landingPage, URIRef(url)))
        if code:
            g.add((record, SCHEMA.codeRepository, URIRef(url)))


def partial_date(value: Any) -> Literal | None:
    """ "2023" -> xsd:gYear, "2023-08" -> xsd:gYearMonth, "2023-08-01" -> xsd:date, else None."""
    text = clean(value)
    for pattern, datatype in (
        (r"\d{4}", XSD.gYear),
        (r"\d{4}-\d{2}", XSD.gYearMonth),
        (r"\d{4}-\d{2}-\d{2}", XSD.date),
    ):
        if re.fullmatch(pattern, text):
            return Literal(text, datatype=datatype)
    return None
