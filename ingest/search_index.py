"""The search and facet index of the pages (``search.sqlite`` inside a build, atomic with the store).

Why SQLite FTS5 (rather than tantivy or DuckDB): it ships with Python (no new binary dependency, no
service), one file that a build writes beside the store and ``os.replace``s with it, read-only
connections from any thread, BM25 ranking, and ``unicode61 remove_diacritics 2`` folds case and
accents. Facet counts: each facet value stores the bitmap of its documents (``facet_values.bitmap``),
so the reader counts with big-integer AND and ``bit_count`` instead of a ``GROUP BY`` over the
``facets (facet, value, doc)`` table (kept for the facets with thousands of values: organisations,
territories). tantivy (a Rust wheel) ranks well but counts facets only through its own aggregation
API and needs its own directory; DuckDB has fast aggregates but its full-text extension is downloaded
at run time (not offline) and is not incremental.

French word forms: every word is lowercased, stripped of its accents and reduced to its Snowball stem
(``snowballstemmer``, which runs PyStemmer's C stemmers when installed: same stems) before it is indexed, and the query words go through the same
analysis (``sparql_endpoint.search.analyse`` is a copy of ``analyse`` below; a test keeps them equal).
Stemming rather than FTS5 prefix queries: « données » and « donnée » share the stem « donne », while
a prefix query « donnée* » would miss « données » typed without accents and match too much for short
words. Texts in English or Dutch (registers) are stemmed with their own language; a query word is
looked up under its French, English and Dutch stems (OR), so a French reader also finds Dutch records.

The index is derived from the store only (SPARQL and quad patterns over the built pyoxigraph store),
so it never disagrees with the RDF the pages link to. ``write_search_index`` writes it whole;
``update_search_index`` (incremental builds) re-indexes a few use cases in a copy of the previous one
and gives the same index, document numbers aside.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import shutil
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import snowballstemmer
from pyoxigraph import Literal, NamedNode

SCHEMA_VERSION = "3"
INDEX_NAME = "search.sqlite"

IAT = "https://w3id.org/ia-territoriales/def#"
NOMENCLATURE = "https://w3id.org/ia-territoriales/nomenclature/"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "https://schema.org/"
AIRO = "https://w3id.org/airo#"
ORG = "http://www.w3.org/ns/org#"
OWL = "http://www.w3.org/2002/07/owl#"
EU_AIACT = "https://w3id.org/dpv/legal/eu/aiact#"

# ---- text analysis (copied in sparql_endpoint/search.py; tests/pages/test_search.py keeps them equal) --

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMERS = {lang: snowballstemmer.stemmer(name) for lang, name in
             (("fr", "french"), ("en", "english"), ("nl", "dutch"))}


def fold(text: str) -> str:
    """Lowercase, without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_STOPWORDS = frozenset(
    ["a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "elle", "en", "et", "il", "l", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "c", "j", "m", "n", "t", "y", "est", "sont", "the", "of", "and", "to", "in", "for", "on", "by", "with", "an", "or", "is", "are", "be", "at", "from", "as", "it", "its", "het", "een", "van", "en", "de", "op", "te", "voor", "met", "is"]
)  # French, English and Dutch function words (folded): neither indexed nor searched


@functools.lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    return _STEMMERS.get(lang, _STEMMERS["fr"]).stemWord(word)


_PIECES: dict[str, dict[str, tuple[str, ...]]] = {}  # lang -> piece of text -> its terms
_PIECES_MAX = 1 << 19  # pieces kept per language (some 60 MB at most), then the cache starts again


def analyse(text: str, lang: str = "fr") -> list[str]:
    """Words of ``text`` as indexed terms: folded, then stemmed in ``lang`` (fr, en or nl).

    The same terms as ``[stem(w) for w in _WORD.findall(fold(text)) if w not in _STOPWORDS]`` (the
    reader's copy; a test compares them), computed per whitespace-separated piece, with a cache: a piece
    repeats across documents far more than a text does (three times faster than folding the text).
    Equal because folding never moves a character across white space (lowercasing looks at context
    only up to it, NFKD reorders only combining marks, and white space folds to white space) and a
    word never holds white space."""
    cache = _PIECES.get(lang)
    if cache is None or len(cache) > _PIECES_MAX:
        cache = _PIECES[lang] = {}
    pieces = text.split()
    found = list(map(cache.get, pieces))  # the loops over the pieces run in C
    if None in found:
        for i, piece in enumerate(pieces):
            if found[i] is None:
                found[i] = cache.get(piece) or cache.setdefault(piece, tuple(
                    stem(w, lang) for w in _WORD.findall(fold(piece)) if w not in _STOPWORDS))
    return list(itertools.chain.from_iterable(found))


# ---- facets --------------------------------------------------------------------------------------

# facet name -> use-case property whose IRI values are the facet values (scheme concepts)
CONCEPT_FACETS: dict[str, str] = {
    "domaine": f"{IAT}domain",
    "finalite": f"{IAT}purpose",
    "technique": f"{IAT}technique",
    "stade": f"{IAT}stage",
    "public": f"{IAT}audience",
    "donnees": f"{IAT}dataCategory",
    "risque": f"{EU_AIACT}hasRiskLevel",
}
# fictional records (data/exemples/, docs/ARCHITECTURE.md): in the store and dumps, never in the index, so
# searches, listings, facets, counts, statistics and similar cases show only real cases
EXAMPLES_GRAPH = "exemples"
# facets computed from the organisation, the territory and the named graph
DERIVED_FACETS = ("type_collectivite", "region", "pays", "source", "organisation", "territoire", "annee")
# facets whose values get a bitmap of their documents (bit i = document i), for fast counts; the others
# (one value per organisation or territory: thousands) are filtered through the ``facets`` table
BITMAP_FACETS = (*CONCEPT_FACETS, "type_collectivite", "region", "pays", "source", "annee")

GRAPH_COUNTRY = {"nl-algoritmeregister": "NL", "nl-algoritmeregister-v1": "NL", "uk-atrs": "UK",
                 "bibliotheque": "FR"}
COUNTRIES = {
    "FR": "France", "NL": "Pays-Bas", "UK": "Royaume-Uni", "BE": "Belgique", "DE": "Allemagne",
    "ES": "Espagne", "IT": "Italie", "PT": "Portugal", "AT": "Autriche", "DK": "Danemark", "FI": "Finlande",
    "SE": "Suède", "IE": "Irlande", "PL": "Pologne", "CZ": "Tchéquie", "EL": "Grèce", "LU": "Luxembourg",
    "EE": "Estonie", "LV": "Lettonie", "LT": "Lituanie", "SI": "Slovénie", "SK": "Slovaquie", "HU": "Hongrie",
    "RO": "Roumanie", "BG": "Bulgarie", "HR": "Croatie", "CY": "Chypre", "MT": "Malte", "NO": "Norvège",
    "CH": "Suisse", "IS": "Islande", "LI": "Liechtenstein", "AL": "Albanie", "BA": "Bosnie-Herzégovine",
    "ME": "Monténégro", "MK": "Macédoine du Nord", "RS": "Serbie", "XK": "Kosovo", "TR": "Turquie",
    "UA": "Ukraine", "MD": "Moldavie", "GE": "Géorgie", "AM": "Arménie",
}
SOURCES = {
    "bibliotheque": "Bibliothèque (fiches des collectivités)",
    "pstw": "Public Sector Tech Watch (Commission européenne)",
    "nl-algoritmeregister": "Algoritmeregister (Pays-Bas)",
    "nl-algoritmeregister-v1": "Algoritmeregister v1.0 (Pays-Bas)",
    "uk-atrs": "Algorithmic Transparency Recording Standard (Royaume-Uni)",
}

# French regions as NUTS 2021 level-1 codes (metropolitan) and level-2 codes (overseas), from INSEE
# codes. Public facts: INSEE, Code officiel géographique 2024 (departments per region) and Eurostat NUTS 2021.
REGIONS = {
    "FR1": "Île-de-France", "FRB": "Centre-Val de Loire", "FRC": "Bourgogne-Franche-Comté", "FRD": "Normandie",
    "FRE": "Hauts-de-France", "FRF": "Grand Est", "FRG": "Pays de la Loire", "FRH": "Bretagne",
    "FRI": "Nouvelle-Aquitaine", "FRJ": "Occitanie", "FRK": "Auvergne-Rhône-Alpes",
    "FRL": "Provence-Alpes-Côte d'Azur", "FRM": "Corse", "FRY1": "Guadeloupe", "FRY2": "Martinique",
    "FRY3": "Guyane", "FRY4": "La Réunion", "FRY5": "Mayotte",
}
_REGION_DEPARTMENTS = {
    "FR1": "75 77 78 91 92 93 94 95", "FRB": "18 28 36 37 41 45", "FRC": "21 25 39 58 70 71 89 90",
    "FRD": "14 27 50 61 76", "FRE": "02 59 60 62 80", "FRF": "08 10 51 52 54 55 57 67 68 88",
    "FRG": "44 49 53 72 85", "FRH": "22 29 35 56", "FRI": "16 17 19 23 24 33 40 47 64 79 86 87",
    "FRJ": "09 11 12 30 31 32 34 46 48 65 66 81 82", "FRK": "01 03 07 15 26 38 42 43 63 69 73 74",
    "FRL": "04 05 06 13 83 84", "FRM": "2A 2B", "FRY1": "971", "FRY2": "972", "FRY3": "973",
    "FRY4": "974", "FRY5": "976",
}
DEPARTMENT_REGION = {d: r for r, ds in _REGION_DEPARTMENTS.items() for d in ds.split()}
INSEE_REGION = {"11": "FR1", "24": "FRB", "27": "FRC", "28": "FRD", "32": "FRE", "44": "FRF", "52": "FRG",
                "53": "FRH", "75": "FRI", "76": "FRJ", "84": "FRK", "93": "FRL", "94": "FRM", "01": "FRY1",
                "02": "FRY2", "03": "FRY3", "04": "FRY4", "06": "FRY5"}


# French labels of the AI Act risk levels (the DPV EU AI Act extension labels them in English only)
RISK_LABELS_FR = {
    f"{EU_AIACT}RiskLevelHigh": "Haut risque", f"{EU_AIACT}RiskLevelMinimal": "Risque minimal",
    f"{EU_AIACT}RiskLevelTransparencyRequired": "Obligations de transparence",
    f"{EU_AIACT}RiskLevelUnacceptable": "Risque inacceptable (pratique interdite)",
    f"{EU_AIACT}RiskLevelProhibited": "Risque inacceptable (pratique interdite)",
    f"{EU_AIACT}RiskLevelNotHigh": "Pas à haut risque", f"{EU_AIACT}RiskLevelPermitted": "Autorisé",
}


def region_of(kind: str, code: str) -> str | None:
    """The French region (NUTS code of ``REGIONS``) of a territory, from its kind and official code."""
    code = code.upper()
    if kind == "nuts" and code.startswith("FR"):
        if code.startswith("FRY") and len(code) >= 4:
            return code[:4] if code[:4] in REGIONS else None
        return code[:3] if code[:3] in REGIONS else None
    if kind == "region":
        return INSEE_REGION.get(code)
    if kind == "departement":
        return DEPARTMENT_REGION.get(code)
    if kind == "commune" and len(code) == 5:
        return DEPARTMENT_REGION.get(code[:3]) or DEPARTMENT_REGION.get(code[:2])
    return None


def country_of(kind: str, code: str) -> str | None:
    code = code.upper()
    if kind in ("commune", "departement", "region", "epci"):
        return "FR"
    if kind in ("nuts", "pays") and len(code) >= 2:
        return {"GB": "UK", "GR": "EL"}.get(code[:2], code[:2])
    return None


# ---- reading the store ---------------------------------------------------------------------------
# Every reading query can be restricted to some use cases (``VALUES``), so that ``update_search_index``
# reads only what changed. Rows are unpacked as tuples (``row["name"]`` costs three times more in
# pyoxigraph). Several values of one subject and predicate keep the store's order (the order of their
# objects in its indexes, whichever index a query reads), so a full build and an update give the same
# rows, the same first organisation or place, and the same order of words.

_PREFER = {"fr": 0, "en": 1, "": 3}


def _rank(literal) -> int:
    return _PREFER.get(getattr(literal, "language", None) or "", 2)


def _best(values: list) -> str | None:
    return min(values, key=_rank).value if values else None


def _rows(store, query: str) -> Iterable:
    return store.query(query, use_default_graph_as_union=True)


def _values(var: str, iris: Iterable[str] | None) -> str:
    """``VALUES ?var { <iri> ... }`` restricting a query to ``iris`` (nothing when ``iris`` is None)."""
    if iris is None:
        return ""
    return f"VALUES ?{var} {{ {' '.join(f'<{iri}>' for iri in sorted(iris))} }}"


def _labels(store, subjects: Iterable[str] | None = None) -> dict[str, tuple[str, str | None]]:
    """IRI -> (label fr-or-best, label en) for every resource with a skos:prefLabel or rdfs:label (or for
    ``subjects`` only); a skos:prefLabel wins over an rdfs:label of the same language."""
    order = {f"{SKOS}prefLabel": 0, f"{RDFS}label": 1}
    found: dict[str, list] = defaultdict(list)
    for s, p, lit in _rows(store, f"""SELECT ?s ?p ?l WHERE {{ {_values("s", subjects)}
        VALUES ?p {{ <{SKOS}prefLabel> <{RDFS}label> }} ?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l)) }}"""):
        found[s.value].append((order[p.value], lit))
    out = {}
    for iri, ranked in found.items():
        values = [lit for _, lit in sorted(ranked, key=lambda pl: pl[0])]  # stable: the store's order within
        english = [v for v in values if getattr(v, "language", None) == "en"]
        out[iri] = (_best(values) or iri, english[0].value if english else None)
    return out


def _territories(store, places: Iterable[str] | None = None) -> dict[str, tuple[str | None, str | None]]:
    """Territory IRI -> (region, country) from its NUTS or INSEE code and the kind in its IRI."""
    rows = ((t.value, code.value if code is not None else "") for t, code in _rows(store, f"""
        SELECT ?t ?code WHERE {{ {_values("t", places)} ?t a <{DCT}Location> .
        OPTIONAL {{ VALUES ?p {{ <{IAT}nutsCode> <{IAT}inseeCode> }} ?t ?p ?code }} }}"""))
    out: dict[str, tuple[str | None, str | None]] = {}
    for iri, code in rows:
        local = iri.rsplit("/", 1)[-1]
        kind, _, slug = local.partition("-")
        code = code or slug
        region, country = region_of(kind, code), country_of(kind, code)
        old = out.get(iri, (None, None))
        out[iri] = (old[0] or region, old[1] or country)
    return out


_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_USE_CASE = NamedNode(f"{IAT}UseCase")
_LITERAL_PROPS = (f"{DCT}title", f"{DCT}abstract", f"{DCT}description", f"{DCAT}keyword",
                  f"{SCHEMA}startDate", f"{DCT}modified", f"{DCT}identifier")
_IRI_PROPS = (*CONCEPT_FACETS.values(), f"{AIRO}isDeployedBy", f"{DCT}spatial", f"{DCT}language")


def _use_cases(store, iris: set[str] | None = None) -> dict[str, dict]:
    """Use case IRI -> its graphs, literals and IRI values (of ``_LITERAL_PROPS`` and ``_IRI_PROPS``).

    The facts are read quad by quad, use case by use case (five times faster than the rows of a SPARQL
    join): what ``?uc a iat:UseCase . ?uc ?p ?o`` gives over the union default graph, where a use case
    typed in n graphs has each literal n times over (kept, as the index has always weighed them)."""
    docs: dict[str, dict] = {}
    for uc, g in _rows(store, f"""SELECT ?uc ?g WHERE {{ {_values("uc", iris)} GRAPH ?g {{ ?uc a <{IAT}UseCase> }}
        FILTER(!STRENDS(STR(?g), "/graphe/{EXAMPLES_GRAPH}"))
        FILTER NOT EXISTS {{ ?uc <{OWL}deprecated> true }} FILTER NOT EXISTS {{ ?uc <{DCT}isReplacedBy> ?r }} }}"""):
        graph = g.value.rstrip("/").rsplit("/", 1)[-1]
        doc = docs.setdefault(uc.value, {"graphs": set(), "lit": defaultdict(list), "iri_values": defaultdict(dict)})
        doc["graphs"].add(graph)  # a register record the library also describes is in both graphs
    if not docs:
        return docs
    typed: dict[str, int] = defaultdict(int)  # graphs typing a use case: over the union default graph
    literals: list[tuple[str, str, Literal]] = []  # each of its literals comes that many times
    # the values of one subject and predicate come in the order of their objects in the store, whether
    # read predicate by predicate (the whole store: only the wanted quads) or use case by use case
    if iris is None:
        for quad in store.quads_for_pattern(None, _RDF_TYPE, _USE_CASE, None):
            typed[quad.subject.value] += 1
        for p in _LITERAL_PROPS:
            for quad in store.quads_for_pattern(None, NamedNode(p), None, None):
                uc = quad.subject.value
                if uc in docs and isinstance(quad.object, Literal):
                    literals.append((uc, p, quad.object))
        for p in _IRI_PROPS:
            for quad in store.quads_for_pattern(None, NamedNode(p), None, None):
                doc = docs.get(quad.subject.value)
                if doc is not None and isinstance(quad.object, NamedNode):
                    doc["iri_values"][p][quad.object.value] = None
    else:
        literal_props, iri_props = set(_LITERAL_PROPS), set(_IRI_PROPS)
        for uc, doc in docs.items():
            for quad in store.quads_for_pattern(NamedNode(uc), None, None, None):
                p, o = quad.predicate.value, quad.object
                if p in literal_props and isinstance(o, Literal):
                    literals.append((uc, p, o))
                elif p in iri_props and isinstance(o, NamedNode):
                    doc["iri_values"][p][o.value] = None
                elif p == _RDF_TYPE.value and o == _USE_CASE:
                    typed[uc] += 1
    for uc, p, o in literals:
        docs[uc]["lit"][p].extend([o] * typed[uc])
    for doc in docs.values():
        doc["graph"] = "bibliotheque" if "bibliotheque" in doc["graphs"] else min(doc["graphs"])
        doc["iri_values"] = {p: list(values) for p, values in doc["iri_values"].items()}
    return docs


def _organisations(store, organisations: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Organisation IRI -> its kinds and places, for the given organisations (quad by quad)."""
    props = (("type", NamedNode(f"{ORG}classification")), ("spatial", NamedNode(f"{DCT}spatial")))
    out: dict[str, dict[str, list[str]]] = {}
    for org in sorted(set(organisations)):
        node = NamedNode(org)
        out[org] = {key: list(dict.fromkeys(o.value for _, _, o, _ in store.quads_for_pattern(node, prop, None, None)
                                           if isinstance(o, NamedNode)))
                    for key, prop in props}
    return out


def _concepts(store) -> list[tuple[str, str, str | None, int]]:
    """Every SKOS concept of a scheme with its scheme and broader concept, in a stable order."""
    rows = []
    for c, scheme, broader in _rows(store, f"""SELECT ?c ?scheme (SAMPLE(?b) AS ?broader) WHERE {{
        ?c <{SKOS}inScheme> ?scheme . OPTIONAL {{ ?c <{SKOS}broader> ?b }} }} GROUP BY ?c ?scheme"""):
        rows.append((c.value, scheme.value, broader.value if broader is not None else None))
    return [(c, s, b, i) for i, (c, s, b) in enumerate(sorted(rows))]


def _year(text: str | None) -> int | None:
    match = re.match(r"^(\d{4})", text or "")
    return int(match.group(1)) if match else None


def _doc_path(iri: str, base: str) -> str | None:
    return "/doc/" + iri.removeprefix(f"{base}id/") if iri.startswith(f"{base}id/") else None


def _country_iris(base: str, codes: Iterable[str]) -> list[str]:
    return [f"{base}id/territoire/{kind}-{code.lower()}" for code in codes for kind in ("nuts", "pays")]


# ---- writing the index ---------------------------------------------------------------------------

TABLES_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
  id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, path TEXT, graph TEXT NOT NULL, identifier TEXT,
  title TEXT NOT NULL, title_key TEXT NOT NULL, summary TEXT, lang TEXT,
  org_iri TEXT, org_label TEXT, territory_iri TEXT, territory_label TEXT,
  start TEXT, start_year INTEGER, modified TEXT
);
CREATE TABLE facets (facet TEXT NOT NULL, value TEXT NOT NULL, doc INTEGER NOT NULL,
                     PRIMARY KEY (facet, value, doc)) WITHOUT ROWID;
CREATE TABLE facet_values (facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL, label_en TEXT,
                           position INTEGER NOT NULL DEFAULT 0, broader TEXT, docs INTEGER NOT NULL,
                           bitmap BLOB, PRIMARY KEY (facet, value)) WITHOUT ROWID;
CREATE VIRTUAL TABLE docs_fts USING fts5 (title, body, content='', tokenize='unicode61 remove_diacritics 2');
-- the terms each document was indexed with: a contentless FTS5 table forgets them, and removing a
-- document from it (update_search_index) takes the very terms it was inserted with
CREATE TABLE docs_terms (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);
"""
# created after the rows are inserted (one sort instead of a B-tree insert per row)
INDEXES_SQL = """
CREATE INDEX docs_by_title ON docs (title_key);
CREATE INDEX docs_by_start ON docs (start_year, title_key);
CREATE INDEX docs_by_modified ON docs (modified, title_key);
CREATE INDEX facets_by_doc ON facets (doc, facet, value);
CREATE INDEX facet_values_by_value ON facet_values (value);
"""
SCHEMA_SQL = TABLES_SQL + INDEXES_SQL  # the whole schema, for readers of this module


ValueInfo = dict[tuple[str, str], tuple[str, str | None, int, str | None]]


def build_rows(store, base: str, iris: set[str] | None = None) -> tuple[list[dict], ValueInfo]:
    """Documents (dicts ready for ``docs``, with ``facets`` and ``text``) and facet value labels, in IRI
    order: of every indexed use case, or of those of ``iris`` that are indexed (then only their facts,
    and the labels of what they link to, are read)."""
    docs = _use_cases(store, iris)
    restricted = None if iris is None else set(docs)
    orgs = _organisations(store, {o for doc in docs.values() for o in doc["iri_values"].get(f"{AIRO}isDeployedBy", [])})
    places_read = None
    if restricted is not None:
        places_read = {p for doc in docs.values() for p in doc["iri_values"].get(f"{DCT}spatial", [])}
        places_read |= {p for org in orgs.values() for p in org["spatial"]}
    territories = _territories(store, places_read)
    subjects = None
    if restricted is not None:
        subjects = {v for doc in docs.values() for values in doc["iri_values"].values() for v in values}
        subjects |= places_read | {k for org in orgs.values() for k in org["type"]}
        codes = {c for _, c in territories.values() if c} | set(GRAPH_COUNTRY.values())
        subjects |= set(_country_iris(base, codes))
    labels = _labels(store, subjects)
    concepts = {c: (s, b, i) for c, s, b, i in _concepts(store)}
    value_info: ValueInfo = {}

    def label(iri: str) -> str:
        if iri in RISK_LABELS_FR:
            return RISK_LABELS_FR[iri]
        found = labels.get(iri)
        return found[0] if found else iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def country_label(code: str) -> str:
        """The store's label of the country territory (fr, then en), then COUNTRIES; an unknown code says so."""
        for iri in _country_iris(base, [code]):
            text = labels.get(iri, (None, None))[0]
            if text and text.upper() != code.upper():
                return text
        return COUNTRIES.get(code) or f"code inconnu ({code})"

    def place_label(iri: str) -> str:
        """A territory labelled only by its NUTS code (as registers publish them) gets its French region,
        else "NUTS DK04 (Danemark)": the code with its country."""
        text = label(iri)
        region, country = territories.get(iri, (None, None))
        if text.upper() != iri.rsplit("-", 1)[-1].upper():
            return text
        if region:
            return f"{REGIONS[region]} ({text})"
        if country and "/territoire/nuts-" in iri:
            return f"NUTS {text.upper()} ({country_label(country)})"
        return text

    region_position = {region: i for i, region in enumerate(REGIONS)}
    source_position = {source: i for i, source in enumerate(SOURCES)}
    out = []
    for iri in sorted(docs):
        doc = docs[iri]
        lit, refs = doc["lit"], doc["iri_values"]
        title = _best(lit[f"{DCT}title"]) or iri
        lang_iri = (refs.get(f"{DCT}language") or [""])[0]
        lang = lang_iri.rstrip("/").rsplit("/", 1)[-1] if lang_iri else (
            getattr(min(lit[f"{DCT}title"], key=_rank), "language", None) if lit[f"{DCT}title"] else None) or "fr"
        facets: set[tuple[str, str]] = set()
        concept_labels: list[str] = []
        for facet, prop in CONCEPT_FACETS.items():
            for value in refs.get(prop, []):
                facets.add((facet, value))
                if (facet, value) not in value_info:  # the same for every document: computed once
                    pos = concepts.get(value, (None, None, 10**6))
                    value_info[(facet, value)] = (label(value), labels.get(value, (None, None))[1], pos[2], pos[1])
                concept_labels.append(value_info[(facet, value)][0])
        org_list = refs.get(f"{AIRO}isDeployedBy", [])
        org = org_list[0] if org_list else None
        for o in org_list:
            facets.add(("organisation", o))
            if ("organisation", o) not in value_info:
                value_info[("organisation", o)] = (label(o), None, 0, None)
            for kind in orgs.get(o, {}).get("type", []):
                facets.add(("type_collectivite", kind))
                if ("type_collectivite", kind) not in value_info:
                    pos = concepts.get(kind, (None, None, 10**6))
                    value_info[("type_collectivite", kind)] = (label(kind), labels.get(kind, (None, None))[1], pos[2], None)
        places = list(refs.get(f"{DCT}spatial", []))
        for o in org_list:
            places += [p for p in orgs.get(o, {}).get("spatial", []) if p not in places]
        regions, countries = set(), set()
        for place in places:
            facets.add(("territoire", place))
            if ("territoire", place) not in value_info:
                value_info[("territoire", place)] = (place_label(place), None, 0, None)
            region, country = territories.get(place, (None, None))
            if region:
                regions.add(region)
            if country:
                countries.add(country)
        if regions:
            countries.add("FR")
        if not countries and doc["graph"] in GRAPH_COUNTRY:
            countries.add(GRAPH_COUNTRY[doc["graph"]])
        for region in regions:
            facets.add(("region", region))
            value_info[("region", region)] = (REGIONS[region], None, region_position[region], None)
        for country in countries:
            facets.add(("pays", country))
            if ("pays", country) not in value_info:
                value_info[("pays", country)] = (country_label(country), None, 0, None)
        for graph in sorted(doc["graphs"]):
            facets.add(("source", graph))
            value_info[("source", graph)] = (SOURCES.get(graph, graph), None, source_position.get(graph, 99), None)
        start = _best(lit[f"{SCHEMA}startDate"])
        year = _year(start)
        if year:
            facets.add(("annee", str(year)))
            value_info[("annee", str(year))] = (str(year), None, year, None)
        summary = _best(lit[f"{DCT}abstract"])
        body = " ".join([*(v.value for v in lit[f"{DCT}abstract"]), *(v.value for v in lit[f"{DCT}description"]),
                         *(v.value for v in lit[f"{DCAT}keyword"]), *(label(o) for o in org_list),
                         *(label(p) for p in places), *concept_labels])  # a place's label, not place_label
        title_text = " ".join(v.value for v in lit[f"{DCT}title"])
        out.append({
            "iri": iri, "path": _doc_path(iri, base), "graph": doc["graph"],
            "identifier": _best(lit[f"{DCT}identifier"]), "title": title, "title_key": fold(title).strip(),
            "summary": summary, "lang": lang, "org_iri": org, "org_label": label(org) if org else None,
            "territory_iri": places[0] if places else None,
            "territory_label": value_info[("territoire", places[0])][0] if places else None,
            "start": start, "start_year": year, "modified": _best(lit[f"{DCT}modified"]),
            "facets": sorted(facets),
            "title_terms": " ".join(analyse(title_text, lang)),
            "body_terms": " ".join(analyse(body, lang)),
        })
    return out, value_info


_DOC_COLUMNS = ("iri", "path", "graph", "identifier", "title", "title_key", "summary", "lang", "org_iri",
                "org_label", "territory_iri", "territory_label", "start", "start_year", "modified")
_INSERT_DOC = f"INSERT INTO docs (id, {', '.join(_DOC_COLUMNS)}) VALUES (?{', ?' * len(_DOC_COLUMNS)})"
_INSERT_VALUE = ("INSERT INTO facet_values (facet, value, label, label_en, position, broader, docs, bitmap) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def _meta(documents: int, meta: dict[str, str] | None) -> list[tuple[str, str]]:
    info = {"schema_version": SCHEMA_VERSION, "documents": str(documents),
            "analyser": "fold+snowball(fr,en,nl)", "facets": json.dumps(list(CONCEPT_FACETS) + list(DERIVED_FACETS)),
            **(meta or {})}
    return sorted(info.items())


def _insert_docs(connection: sqlite3.Connection, numbered: list[tuple[int, dict]],
                 members: dict[tuple[str, str], list[int]] | None = None) -> None:
    """Insert documents under the given numbers: their row, terms, full-text entry and facets (from
    ``members``, facet value -> its documents, when the caller has it: every document)."""
    connection.executemany(_INSERT_DOC, [(n, *(doc[c] for c in _DOC_COLUMNS)) for n, doc in numbered])
    connection.executemany("INSERT INTO docs_terms (id, title, body) VALUES (?, ?, ?)",
                           [(n, doc["title_terms"], doc["body_terms"]) for n, doc in numbered])
    connection.executemany("INSERT INTO docs_fts (rowid, title, body) VALUES (?, ?, ?)",
                           [(n, doc["title_terms"], doc["body_terms"]) for n, doc in numbered])
    if members is None:
        connection.executemany("INSERT INTO facets (facet, value, doc) VALUES (?, ?, ?)",
                               sorted((f, v, n) for n, doc in numbered for f, v in doc["facets"]))
        return
    # one statement per facet value, its documents as a JSON array: SQLite unpacks them, three times
    # faster than binding a row per (value, document) pair
    for (facet, value), numbers in sorted(members.items()):
        connection.execute("INSERT INTO facets (facet, value, doc) SELECT ?, ?, value FROM json_each(?)",
                           [facet, value, json.dumps(numbers)])


def write_index(path: Path, docs: list[dict], value_info: dict, meta: dict[str, str] | None = None) -> int:
    """Write a fresh index file at ``path`` (replacing any); returns the number of documents."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + TABLES_SQL)
        members: dict[tuple[str, str], list[int]] = defaultdict(list)  # facet value -> its documents, ascending
        for number, doc in enumerate(docs, start=1):
            for key in doc["facets"]:
                members[key].append(number)
        keys = sorted(members)
        size = len(docs) // 8 + 1
        values = []
        for key in keys:
            bitmap = None
            if key[0] in BITMAP_FACETS:
                bits = bytearray(size)
                for number in members[key]:
                    bits[number >> 3] |= 1 << (number & 7)
                bitmap = bytes(bits)
            values.append((*key, *value_info[key], len(members[key]), bitmap))
        with connection:
            # facets rows in key order (the table's), without sorting them
            _insert_docs(connection, list(enumerate(docs, start=1)), {key: members[key] for key in keys})
            connection.executemany(_INSERT_VALUE, values)
            connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", _meta(len(docs), meta))
        connection.executescript(INDEXES_SQL)
        connection.execute("INSERT INTO docs_fts (docs_fts) VALUES ('optimize')")
        connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()
    return len(docs)


def write_search_index(store, build_dir: Path, base: str, build_id: str = "") -> Path:
    """Index every use case of ``store`` into ``build_dir/search.sqlite``; returns the path."""
    docs, value_info = build_rows(store, base)
    path = build_dir / INDEX_NAME
    write_index(path, docs, value_info, {"base_url": base, "build_id": build_id})
    return path


# ---- updating a copy of the index (incremental builds) ------------------------------------------


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def update_search_index(store, previous_index: Path, target: Path, base: str, build_id: str,
                        iris: set[str]) -> Path:
    """Copy ``previous_index`` to ``target`` (a file, or a build directory to hold ``search.sqlite``) and
    re-index there exactly the use cases of ``iris``: those no longer indexed in ``store`` (gone,
    deprecated, replaced, examples) are removed, the others written anew; returns the path.

    The result equals ``write_search_index`` on ``store`` (same documents, facets, facet values with
    their counts and bitmaps, full-text entries), document numbers aside: they stay 1..N, with no gap
    (the reader relies on it), a re-indexed document keeps its number when it can, and the last ones
    fill the gaps left by removed ones. Only the facts of ``iris`` and the labels of what they link to
    are read from the store, so ``iris`` must hold every use case whose indexed facts changed, the
    labels of its organisations, places and concepts included. An index of an older schema (without
    ``docs_terms``) cannot be updated: it is then written in full."""
    target = target / INDEX_NAME if target.is_dir() else target
    if target.resolve() != previous_index.resolve():
        shutil.copyfile(previous_index, target)
    connection = sqlite3.connect(target)
    try:
        version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            connection.close()
            docs, value_info = build_rows(store, base)
            write_index(target, docs, value_info, {"base_url": base, "build_id": build_id})
            return target
        docs, value_info = build_rows(store, base, set(iris))
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        with connection:
            _apply_update(connection, docs, value_info, sorted(iris))
            connection.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                   _meta(connection.execute("SELECT COUNT(*) FROM docs").fetchone()[0],
                                         {"base_url": base, "build_id": build_id}))
    finally:
        connection.close()
    return target


def _apply_update(connection: sqlite3.Connection, docs: list[dict], value_info: ValueInfo, iris: list[str]) -> None:
    total = connection.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    old_ids: dict[str, int] = {}
    for chunk in _chunks(iris):
        marks = ", ".join("?" for _ in chunk)
        old_ids.update(connection.execute(f"SELECT iri, id FROM docs WHERE iri IN ({marks})", chunk))
    removed: list[tuple[str, str, int]] = []  # (facet, value, document) pairs cleared, then those added
    added: list[tuple[str, str, int]] = []
    # 1. every document of ``iris`` leaves the index (its full-text entry with the terms it went in with)
    for ids in _chunks(sorted(old_ids.values())):
        marks = ", ".join("?" for _ in ids)
        removed += connection.execute(f"SELECT facet, value, doc FROM facets WHERE doc IN ({marks})", ids).fetchall()
        terms = connection.execute(f"SELECT id, title, body FROM docs_terms WHERE id IN ({marks})", ids).fetchall()
        connection.executemany("INSERT INTO docs_fts (docs_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)", terms)
        for table, column in (("docs", "id"), ("docs_terms", "id"), ("facets", "doc")):
            connection.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)
    # 2. numbers: the documents end as 1..N; the gaps below N take the re-indexed documents (their old
    # number first), then the documents numbered above N (moved down), then the new ones
    count = total - len(old_ids) + len(docs)
    free = set(range(1, count + 1)) - set(_occupied(connection, count))
    numbered: list[tuple[int, dict]] = []
    waiting: list[dict] = []
    for doc in docs:
        number = old_ids.get(doc["iri"])
        if number is not None and number in free:
            free.discard(number)
            numbered.append((number, doc))
        else:
            waiting.append(doc)
    holes = sorted(free)
    above = [r[0] for r in connection.execute("SELECT id FROM docs WHERE id > ? ORDER BY id", [count])]
    for old, new in zip(above, holes[: len(above)], strict=True):
        removed += [(f, v, old) for f, v, _ in connection.execute("SELECT facet, value, doc FROM facets WHERE doc = ?", [old])]
        title, body = connection.execute("SELECT title, body FROM docs_terms WHERE id = ?", [old]).fetchone()
        connection.execute("INSERT INTO docs_fts (docs_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)", [old, title, body])
        connection.execute("INSERT INTO docs_fts (rowid, title, body) VALUES (?, ?, ?)", [new, title, body])
        connection.execute("UPDATE docs SET id = ? WHERE id = ?", [new, old])
        connection.execute("UPDATE docs_terms SET id = ? WHERE id = ?", [new, old])
        connection.execute("UPDATE facets SET doc = ? WHERE doc = ?", [new, old])
        added += [(f, v, new) for f, v, _ in connection.execute("SELECT facet, value, doc FROM facets WHERE doc = ?", [new])]
    numbered += zip(holes[len(above) :], waiting, strict=True)
    _insert_docs(connection, numbered)
    added += [(f, v, number) for number, doc in numbered for f, v in doc["facets"]]
    _update_values(connection, value_info, removed, added, count)


def _occupied(connection: sqlite3.Connection, count: int) -> list[int]:
    return [r[0] for r in connection.execute("SELECT id FROM docs WHERE id <= ?", [count])]


def _update_values(connection: sqlite3.Connection, value_info: ValueInfo, removed: list, added: list,
                   count: int) -> None:
    """Counts, bitmaps and labels of the facet values whose documents changed; every bitmap sized for
    ``count`` documents, as ``write_index`` sizes them."""
    size = count // 8 + 1
    touched = sorted({(f, v) for f, v, _ in removed} | {(f, v) for f, v, _ in added})
    bitmaps: dict[tuple[str, str], bytearray] = {}
    for f, v in touched:
        if f in BITMAP_FACETS:
            row = connection.execute("SELECT bitmap FROM facet_values WHERE facet = ? AND value = ?", [f, v]).fetchone()
            bits = bytearray(row[0] if row and row[0] is not None else b"")
            bitmaps[(f, v)] = bits + bytearray(max(0, size - len(bits)))
    for f, v, number in removed:
        if (f, v) in bitmaps:
            bitmaps[(f, v)][number >> 3] &= ~(1 << (number & 7)) & 0xFF
    for f, v, number in added:
        if (f, v) in bitmaps:
            bitmaps[(f, v)][number >> 3] |= 1 << (number & 7)
    for f, v in touched:
        n = connection.execute("SELECT COUNT(*) FROM facets WHERE facet = ? AND value = ?", [f, v]).fetchone()[0]
        if n == 0:
            connection.execute("DELETE FROM facet_values WHERE facet = ? AND value = ?", [f, v])
            continue
        bitmap = bytes(bitmaps[(f, v)][:size]) if (f, v) in bitmaps else None
        if (f, v) in value_info:
            connection.execute("INSERT OR REPLACE INTO " + _INSERT_VALUE.removeprefix("INSERT INTO "),
                               [f, v, *value_info[(f, v)], n, bitmap])
        else:  # only documents that left or moved carry it: its label did not change
            connection.execute("UPDATE facet_values SET docs = ?, bitmap = ? WHERE facet = ? AND value = ?",
                               [n, bitmap, f, v])
    # the other bitmaps: same documents, resized when the byte count changed
    for f, v, bitmap in connection.execute("SELECT facet, value, bitmap FROM facet_values WHERE bitmap IS NOT NULL "
                                           "AND length(bitmap) != ?", [size]).fetchall():
        if (f, v) not in bitmaps:
            resized = bitmap[:size] + bytes(max(0, size - len(bitmap)))
            connection.execute("UPDATE facet_values SET bitmap = ? WHERE facet = ? AND value = ?", [resized, f, v])
