"""Search and facets over ``search.sqlite`` (written by ``ingest/search_index.py``; see its docstring for
why SQLite FTS5).

Query model: words are ANDed; each word matches any of its French, English or Dutch stems. Values of one
facet are ORed, facets are ANDed. The counts of a facet are computed with every filter except its own,
so a reader sees how many results each alternative would give.

Document sets are bitmaps (Python ints, bit i = document i): FTS5 gives the documents of the words,
each facet value has its bitmap in the index (loaded once), a filter is an OR of bitmaps, and a count is
``(set & value).bit_count()``: a few hundred big-integer operations in C per request, each over N/8
bytes for N use cases (p50 23 ms for words + two filters + every count at 100,000, see
tests/pages/synthetic_index.py). A page of results walks a precomputed order (title, date, update) or
the BM25 ranking and keeps the members of the set.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer

INDEX_NAME = "search.sqlite"
BM25_LIMIT = 5000  # documents matching the words, above which relevance is "title first" (see _page_ids)

# ---- text analysis: a copy of ingest.search_index.analyse (a test keeps them equal) --------------

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER_NAMES = (("fr", "french"), ("en", "english"), ("nl", "dutch"))
_local = threading.local()


def _stemmers() -> dict[str, snowballstemmer.stemmer]:
    """This thread's stemmers: Snowball stemmers keep state between calls and are not thread-safe
    (FastAPI runs sync handlers in a thread pool; shared ones raised IndexError under load)."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {lang: snowballstemmer.stemmer(name) for lang, name in _STEMMER_NAMES}
    return stemmers


_STOPWORDS = frozenset(
    ["a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "elle", "en", "et", "il", "l", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "c", "j", "m", "n", "t", "y", "est", "sont", "the", "of", "and", "to", "in", "for", "on", "by", "with", "an", "or", "is", "are", "be", "at", "from", "as", "it", "its", "het", "een", "van", "en", "de", "op", "te", "voor", "met", "is"]
)  # French, English and Dutch function words (folded): neither indexed nor searched


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def analyse(text: str, lang: str = "fr") -> list[str]:
    stemmers = _stemmers()
    stemmer = stemmers.get(lang, stemmers["fr"])
    return [stemmer.stemWord(w) for w in _WORD.findall(fold(text)) if w not in _STOPWORDS]


_BIT = tuple(1 << k for k in range(8))
SIMILARITY_FACETS = ("domaine", "finalite", "technique", "public", "donnees")
SIMILAR_CANDIDATES = 2000  # documents scored per level of shared concepts


def _ids_of(bits: int) -> list[int]:
    """The document numbers of a bitmap, in order (the scan runs in C over its binary string)."""
    text = bin(bits)[:1:-1]  # least significant bit first
    return [m.start() for m in re.finditer("1", text)]


def match_expression(text: str) -> str | None:
    """FTS5 query for the reader's words, or None when there is no word. Words are ANDed; each
    word is the OR of its stems in French, English and Dutch. Only ``\\w`` characters reach FTS5."""
    terms = []
    for word in [w for w in _WORD.findall(fold(text)) if w not in _STOPWORDS][:20]:
        stems = sorted({s.stemWord(word) for s in _stemmers().values()})
        terms.append("(" + " OR ".join(f'"{s}"' for s in stems) + ")")
    return " AND ".join(terms) if terms else None


# ---- facets shown to readers -----------------------------------------------------------------------

@dataclass(frozen=True)
class FacetSpec:
    name: str  # URL parameter and index facet name
    label: str  # French heading
    scheme: str | None = None  # nomenclature scheme, for links to concepts
    shown: bool = True  # False: filterable by URL (from an organisation page…) but not in the side bar


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("domaine", "Domaine", "domaines"),
    FacetSpec("technique", "Technique d'IA", "techniques"),
    FacetSpec("stade", "Stade", "stades"),
    FacetSpec("finalite", "Finalité", "finalites"),
    FacetSpec("type_collectivite", "Type de collectivité", "types-collectivite"),
    FacetSpec("region", "Région"),
    FacetSpec("pays", "Pays"),
    FacetSpec("source", "Source"),
    FacetSpec("risque", "Niveau de risque (AI Act)"),
    FacetSpec("public", "Public", "publics"),
    FacetSpec("donnees", "Données", "donnees"),
    FacetSpec("annee", "Année de début"),
    FacetSpec("organisation", "Organisation", shown=False),
    FacetSpec("territoire", "Territoire", shown=False),
)
FACET_BY_NAME = {f.name: f for f in FACETS}
SORTS = {"pertinence": "Pertinence", "titre": "Titre (A → Z)", "date": "Date de début (récent d'abord)",
         "maj": "Dernière mise à jour"}


@dataclass
class Query:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "pertinence"
    page: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass
class Hit:
    iri: str
    path: str | None
    title: str
    summary: str | None
    graph: str
    lang: str | None
    org_iri: str | None
    org_label: str | None
    territory_iri: str | None
    territory_label: str | None
    start: str | None
    modified: str | None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    spec: FacetSpec
    values: list[FacetValue]


@dataclass
class Result:
    query: Query
    total: int
    hits: list[Hit]
    facets: list[FacetGroup]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))


_HIT_COLUMNS = ("iri", "path", "title", "summary", "graph", "lang", "org_iri", "org_label", "territory_iri",
                "territory_label", "start", "modified")
# ties go by IRI, not by document number: numbers follow IRIs in a full build, not after an update
# (ingest.search_index.update_search_index), and both must list the same order
_ORDER = {
    "titre": "d.title_key, d.iri",
    "date": "d.start_year IS NULL, d.start_year DESC, d.title_key, d.iri",
    "maj": "d.modified IS NULL, d.modified DESC, d.title_key, d.iri",
}


class IndexUnavailable(Exception):
    pass


class SearchIndex:
    """Read-only access to one ``search.sqlite``; one SQLite connection per thread."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise IndexUnavailable(f"index de recherche absent : {path}")
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    # -- document sets as bitmaps: Python ints, bit i = document i (AND, OR and bit_count run in C)
    def _bitmaps(self) -> dict[str, dict[str, int]]:
        """facet -> value -> bitmap, loaded once from the index (the facets with few values)."""
        cached = getattr(self, "_bitmap_cache", None)
        if cached is None:
            cached = {}
            rows = self._db().execute("SELECT facet, value, bitmap FROM facet_values WHERE bitmap IS NOT NULL")
            for r in rows:
                cached.setdefault(r["facet"], {})[r["value"]] = int.from_bytes(r["bitmap"], "little")
            self._bitmap_cache = cached
        return cached

    def _universe(self) -> int:
        n = self.total()
        return (1 << (n + 1)) - 2  # documents are numbered from 1

    def _ids_bitmap(self, ids) -> int:
        size = self.total() // 8 + 1
        bits = bytearray(size)
        for (i,) in ids:
            bits[i >> 3] |= _BIT[i & 7]
        return int.from_bytes(bits, "little")

    def _text_set(self, query: Query) -> int | None:
        expression = match_expression(query.text)
        if not expression:
            return None
        rows = self._db().execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?", [expression])
        return self._ids_bitmap(rows)

    def _filter_sets(self, query: Query) -> dict[str, int]:
        bitmaps = self._bitmaps()
        sets: dict[str, int] = {}
        for facet, values in query.filters.items():
            if not values:
                continue
            if facet in bitmaps:
                bits = 0
                for value in values:
                    bits |= bitmaps[facet].get(value, 0)
            else:
                marks = ", ".join("?" for _ in values)
                bits = self._ids_bitmap(self._db().execute(
                    f"SELECT doc FROM facets WHERE facet = ? AND value IN ({marks})", [facet, *values]))
            sets[facet] = bits
        return sets

    def search(self, query: Query, facets: bool = True) -> Result:
        text = self._text_set(query)
        filters = self._filter_sets(query)
        universe = self._universe()
        selected = universe if text is None else text
        for bits in filters.values():
            selected &= bits
        total = selected.bit_count()
        ids = self._page_ids(query, selected, total, text.bit_count() if text is not None else 0)
        columns = ", ".join(_HIT_COLUMNS)
        marks = ", ".join("?" for _ in ids)
        rows = {r["id"]: r for r in self._db().execute(
            f"SELECT id, {columns} FROM docs WHERE id IN ({marks})", ids)} if ids else {}
        hits = [Hit(**{c: rows[i][c] for c in _HIT_COLUMNS}) for i in ids if i in rows]
        groups = self._counts(query, text, filters, universe) if facets else []
        return Result(query, total, hits, groups)

    def _order(self, sort: str) -> list[int]:
        cache = self.__dict__.setdefault("_order_cache", {})
        if sort not in cache:
            order = _ORDER.get(sort, _ORDER["maj"])
            cache[sort] = [r[0] for r in self._db().execute(f"SELECT d.id FROM docs d ORDER BY {order}")]
        return cache[sort]

    def _page_ids(self, query: Query, selected: int, total: int, matches: int = 0) -> list[int]:
        """The document numbers of the requested page. Relevance is BM25 (title weighing 4, body 1)
        when the words match at most ``BM25_LIMIT`` documents; above that (a word found everywhere),
        computing BM25 for every match costs too much, so documents whose TITLE holds the words come
        first, each part by last update."""
        want = query.offset + query.size
        if total == 0 or query.offset >= total:
            return []
        expression = match_expression(query.text)
        if query.sort == "pertinence" and expression:
            if matches <= BM25_LIMIT:
                members = selected.to_bytes(self.total() // 8 + 1, "little")
                ranked = self._db().execute(
                    "SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY bm25(docs_fts, 4.0, 1.0), rowid",
                    [expression])
                return self._take((r[0] for r in ranked), members, want)[query.offset:]
            in_title = self._ids_bitmap(self._db().execute(
                "SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?", [f"{{title}} : ({expression})"]))
            first = selected & in_title
            found = self._take(iter(self._order("maj")), first.to_bytes(self.total() // 8 + 1, "little"), want)
            if len(found) < want:
                rest = (selected & ~in_title).to_bytes(self.total() // 8 + 1, "little")
                found += self._take(iter(self._order("maj")), rest, want - len(found))
            return found[query.offset:]
        members = selected.to_bytes(self.total() // 8 + 1, "little")
        return self._take(iter(self._order(query.sort)), members, want)[query.offset:]

    @staticmethod
    def _take(source, members: bytes, want: int) -> list[int]:
        found: list[int] = []
        for i in source:
            if members[i >> 3] >> (i & 7) & 1:
                found.append(i)
                if len(found) >= want:
                    break
        return found

    def _counts(self, query: Query, text: int | None, filters: dict[str, int], universe: int) -> list[FacetGroup]:
        """Counts of every shown (or filtered) facet: for a facet, the documents matching the text and
        every OTHER facet's filter, intersected with each value's bitmap."""
        bitmaps = self._bitmaps()
        names = [f.name for f in FACETS if f.shown or f.name in query.filters]
        base = universe if text is None else text
        others = {}
        for name in names:
            bits = base
            for facet, fbits in filters.items():
                if facet != name:
                    bits &= fbits
            others[name] = bits
        counts: dict[str, dict[str, int]] = {}
        for name in names:
            scope = others[name]
            if name in bitmaps:
                counts[name] = {v: n for v, b in bitmaps[name].items() if (n := (scope & b).bit_count())}
            else:  # hidden facets: only their selected values are shown
                counts[name] = {}
                for value in query.filters.get(name, []):
                    one = self._filter_sets(Query(filters={name: [value]}))[name]
                    counts[name][value] = (scope & one).bit_count()
        labels = self._labels(names)
        groups = []
        for name in names:
            selected = set(query.filters.get(name, []))
            values = [FacetValue(v, labels.get((name, v), (v, 0))[0], n, v in selected)
                      for v, n in counts[name].items()]
            values += [FacetValue(v, labels.get((name, v), (v, 0))[0], 0, True)
                       for v in selected if v not in counts[name]]
            if name == "annee":
                values.sort(key=lambda fv: fv.value, reverse=True)
            else:
                values.sort(key=lambda fv: (-fv.count, fv.label))
            groups.append(FacetGroup(FACET_BY_NAME[name], values))
        return groups

    def facet_counts(self, query: Query) -> list[FacetGroup]:
        return self._counts(query, self._text_set(query), self._filter_sets(query), self._universe())

    def _labels(self, names: list[str]) -> dict[tuple[str, str], tuple[str, int]]:
        marks = ", ".join("?" for _ in names)
        rows = self._db().execute(
            f"SELECT facet, value, label, position FROM facet_values WHERE facet IN ({marks})", names)
        return {(r["facet"], r["value"]): (r["label"], r["position"]) for r in rows}

    # -- helpers for the pages
    def total(self) -> int:
        if getattr(self, "_total", None) is None:
            self._total = self._db().execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        return self._total

    def value_counts(self, facet: str) -> list[tuple[str, str, int]]:
        """(value, label, number of use cases) of one facet over the whole library, by position."""
        rows = self._db().execute(
            "SELECT value, label, docs FROM facet_values WHERE facet = ? ORDER BY position, label", [facet])
        return [(r["value"], r["label"], r["docs"]) for r in rows]

    def usage(self, value: str) -> list[tuple[str, int]]:
        """(facet, number of use cases) where ``value`` (a concept, organisation, territory IRI) is used."""
        rows = self._db().execute(
            "SELECT facet, docs FROM facet_values WHERE value = ? ORDER BY facet", [value])
        return [(r["facet"], r["docs"]) for r in rows]

    def concept_counts(self, values: list[str]) -> dict[str, int]:
        """value -> number of use cases (under whichever facet uses it) for many values at once."""
        out: dict[str, int] = {}
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for r in self._db().execute(
                    f"SELECT value, MAX(docs) AS n FROM facet_values WHERE value IN ({marks}) GROUP BY value", chunk):
                out[r["value"]] = r["n"]
        return out

    def sources(self, iris: list[str]) -> dict[str, list[str]]:
        """iri -> every named graph (source) that describes it, in name order (a register record the library
        also describes is in both)."""
        out: dict[str, list[str]] = {}
        for start in range(0, len(iris), 500):
            chunk = iris[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for r in self._db().execute(
                    "SELECT d.iri, f.value FROM docs d JOIN facets f ON f.doc = d.id AND f.facet = 'source' "
                    f"WHERE d.iri IN ({marks}) ORDER BY d.iri, f.value", chunk):
                out.setdefault(r["iri"], []).append(r["value"])
        return out

    def multi_source_count(self) -> int:
        """Number of use cases described by more than one source (they count once per source in its facet)."""
        return self._db().execute("SELECT COUNT(*) FROM (SELECT doc FROM facets WHERE facet = 'source' "
                                  "GROUP BY doc HAVING COUNT(*) > 1)").fetchone()[0]

    def latest(self, limit: int = 6) -> list[Hit]:
        return self.search(Query(sort="maj", size=limit, filters={"source": ["bibliotheque"]}), facets=False).hits

    def doc(self, iri: str) -> Hit | None:
        columns = ", ".join(_HIT_COLUMNS)
        row = self._db().execute(f"SELECT {columns} FROM docs WHERE iri = ?", [iri]).fetchone()
        return Hit(**dict(row)) if row else None

    def similar(self, iri: str, limit: int = 6) -> list[tuple[Hit, list[str], bool]]:
        """Use cases of OTHER organisations sharing nomenclature concepts with ``iri``.

        Ranked by the number of shared concepts, then by their rarity (sum of 1 / number of use cases
        with the concept); half of the places go to other countries when there are any, so a French
        reader also sees what is done abroad. Each comes with the labels of the shared concepts (the
        explanation shown) and whether it is in another country. Counting uses the facet bitmaps
        (a bit-sliced counter: a few big-integer operations per concept), so it stays fast at 100,000."""
        db = self._db()
        row = db.execute("SELECT id, org_iri FROM docs WHERE iri = ?", [iri]).fetchone()
        if row is None:
            return []
        bitmaps = self._bitmaps()
        marks = ", ".join("?" for _ in SIMILARITY_FACETS)
        mine = [(r["facet"], r["value"], r["label"], r["docs"]) for r in db.execute(
            f"SELECT f.facet, f.value, v.label, v.docs FROM facets f JOIN facet_values v "
            f"ON v.facet = f.facet AND v.value = f.value WHERE f.doc = ? AND f.facet IN ({marks})",
            [row["id"], *SIMILARITY_FACETS]) if r["value"] in bitmaps.get(r["facet"], {})]
        if not mine:
            return []
        universe = self._universe()
        excluded = 1 << row["id"]
        if row["org_iri"]:
            excluded |= self._filter_sets(Query(filters={"organisation": [row["org_iri"]]}))["organisation"]
        planes: list[int] = []  # bit k of a document's count of shared concepts is in planes[k]
        for facet, value, _, _ in mine:
            carry = bitmaps[facet][value]
            for k in range(len(planes)):
                planes[k], carry = planes[k] ^ carry, planes[k] & carry
                if not carry:
                    break
            if carry:
                planes.append(carry)
        allowed = universe & ~excluded
        candidates: list[int] = []
        for count in range(len(mine), 0, -1):
            level = allowed
            for k, plane in enumerate(planes):
                level &= plane if count >> k & 1 else ~plane
            if level:
                candidates += _ids_of(level)[:SIMILAR_CANDIDATES]
            if len(candidates) >= limit * 8:
                break
        size = self.total() // 8 + 1
        member = [(label, 1.0 / max(docs, 1), bitmaps[f][v].to_bytes(size, "little"))
                  for f, v, label, docs in mine]
        countries = [b for v, b in bitmaps.get("pays", {}).items()
                     if db.execute("SELECT 1 FROM facets WHERE facet = 'pays' AND value = ? AND doc = ?",
                                   [v, row["id"]]).fetchone()]
        home = 0
        for bits in countries:
            home |= bits
        home_bytes = home.to_bytes(size, "little")
        scored = []
        for doc in candidates:
            shared = [(label, weight) for label, weight, bits in member if bits[doc >> 3] >> (doc & 7) & 1]
            abroad = bool(countries) and not home_bytes[doc >> 3] >> (doc & 7) & 1
            scored.append((-len(shared), -sum(w for _, w in shared), doc, sorted({lb for lb, _ in shared}), abroad))
        scored.sort()
        foreign = [s for s in scored if s[4]]
        local = [s for s in scored if not s[4]]
        take_foreign = min(len(foreign), max(limit // 2, limit - len(local)))
        chosen = sorted(foreign[:take_foreign] + local[: limit - take_foreign])
        columns = ", ".join(_HIT_COLUMNS)
        out = []
        for _, _, doc, shared, abroad in chosen:
            hit = db.execute(f"SELECT {columns} FROM docs WHERE id = ?", [doc]).fetchone()
            out.append((Hit(**dict(hit)), shared, abroad))
        return out

    def by_year(self) -> list[tuple[int, int]]:
        rows = self._db().execute(
            "SELECT start_year, COUNT(*) FROM docs WHERE start_year IS NOT NULL GROUP BY start_year ORDER BY 1")
        return [(r[0], r[1]) for r in rows]

    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self._db().execute("SELECT key, value FROM meta")}


class IndexRegistry:
    """The index of the served build; reopened when ``var/current`` points at another build."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None

    def get(self, build_path: Path | None) -> SearchIndex:
        if build_path is None:
            raise IndexUnavailable("aucune construction servie")
        path = build_path / INDEX_NAME
        with self._lock:
            if self._index is None or self._index.path != path:
                self._index = SearchIndex(path)
            return self._index
