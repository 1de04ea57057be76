"""The search and facet index: text analysis, matching, facet counts (checked against a brute-force count
over the same documents), paging and sorting; then the real session build."""

from __future__ import annotations

import random

import pytest

from ingest import search_index as writer
from sparql_endpoint import search as reader
from sparql_endpoint.search import Query, SearchIndex

from .synthetic_index import synthetic_docs

SAMPLES = [
    "Détection des fuites sur le réseau d'eau potable", "Données personnelles et DONNÉES ouvertes",
    "Agents conversationnels pour l'accueil des usagers", "Prévisions de fréquentation des piscines",
    "Waste collection route optimisation", "Het algoritme voorspelt de kans op fraude", "Œuvres, cœur, ÇA",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("lang", ["fr", "en", "nl"])
def test_the_reader_analyses_text_as_the_writer_did(text, lang):
    assert reader.analyse(text, lang) == writer.analyse(text, lang)
    assert reader.fold(text) == writer.fold(text)


def test_accents_case_and_word_forms_meet():
    assert writer.analyse("Données")[0] == writer.analyse("donnees")[0] == writer.analyse("DONNÉE")[0]
    assert writer.analyse("fuites") == writer.analyse("fuite")
    assert writer.analyse("conversationnels") == writer.analyse("conversationnel")
    assert writer.analyse("le réseau de la ville") == writer.analyse("réseau ville")  # function words dropped


def test_match_expression_keeps_only_words():
    assert reader.match_expression('  "; DROP -- ') == '("drop")'
    assert reader.match_expression("d' la le") is None
    assert reader.match_expression("fuites eau") == '("fuit" OR "fuite") AND ("eau")'


N = 1500


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    docs, info = synthetic_docs(N, seed=11)
    path = tmp_path_factory.mktemp("index") / "search.sqlite"
    assert writer.write_index(path, docs, info) == N
    return docs, SearchIndex(path)


def _expected(docs, query: Query, exclude: str | None = None) -> list[int]:
    """Brute force: document numbers (1-based) matching the words and every filter but ``exclude``."""
    words = [w for w in reader._WORD.findall(reader.fold(query.text)) if w not in reader._STOPWORDS]
    out = []
    for number, doc in enumerate(docs, start=1):
        terms = set((doc["title_terms"] + " " + doc["body_terms"]).split())
        if not all(any(s.stemWord(w) in terms for s in reader._stemmers().values()) for w in words):
            continue
        facets = set(doc["facets"])
        if all(any((f, v) in facets for v in values) for f, values in query.filters.items() if f != exclude):
            out.append(number)
    return out


QUERIES = [
    Query(),
    Query(text="eau"),
    Query(text="fuites d'eau", filters={"domaine": [f"{writer.NOMENCLATURE}domaine/domaine-0"]}),
    Query(filters={"technique": [f"{writer.NOMENCLATURE}technique/technique-0",
                                 f"{writer.NOMENCLATURE}technique/technique-2"], "region": ["region-1"]}),
    Query(text="Écoles", filters={"stade": [f"{writer.NOMENCLATURE}stade/stade-0"], "pays": ["pays-0"]}),
    Query(text="terme123 inexistantmot"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.text or '-'}|{sorted(q.filters)}")
def test_totals_and_facet_counts_equal_a_brute_force_count(synthetic, query):
    docs, index = synthetic
    result = index.search(query)
    assert result.total == len(_expected(docs, query))
    shown = [g for g in result.facets if g.spec.name in ("domaine", "technique", "stade", "region", "pays")]
    assert len(shown) == 5
    for group in shown:
        scope = _expected(docs, query, exclude=group.spec.name)
        for value in group.values:
            want = sum((group.spec.name, value.value) in set(docs[i - 1]["facets"]) for i in scope)
            assert value.count == want, (group.spec.name, value.value)
        assert {v.value for v in group.values if v.selected} == set(query.filters.get(group.spec.name, []))


def test_pages_cover_the_result_once_in_order(synthetic):
    docs, index = synthetic
    query = Query(text="eau", sort="titre", size=50)
    first = index.search(query, facets=False)
    seen = []
    for page in range(1, first.pages + 1):
        query.page = page
        seen += [h.iri for h in index.search(query, facets=False).hits]
    assert len(seen) == len(set(seen)) == first.total > 100
    titles = [docs[int(i.rsplit("-", 1)[1])]["title_key"] for i in seen]
    assert titles == sorted(titles)


def test_relevance_puts_title_matches_first(synthetic):
    _, index = synthetic
    hits = index.search(Query(text="bruit", sort="pertinence", size=5), facets=False).hits
    assert hits and all("bruit" in h.title.lower() for h in hits)


def test_sort_by_start_year_descends(synthetic):
    _, index = synthetic
    rng = random.Random(3)
    query = Query(sort="date", size=30, page=rng.randint(1, 5))
    hits = index.search(query, facets=False).hits
    rows = {r["iri"]: r["start_year"] for r in index._db().execute("SELECT iri, start_year FROM docs")}
    years = [rows[h.iri] for h in hits]
    assert len(years) == 30 and years == sorted(years, reverse=True)


# ---- the real build ------------------------------------------------------------------------------

def test_the_build_indexes_every_use_case_once(built_library, library_index):
    import pyoxigraph as ox

    store = ox.Store.read_only(str(built_library.store_path))
    # every use case of a graph but the fictional examples (graphe/exemples, never indexed)
    query = f"""SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {{
               GRAPH ?g {{ ?u a <https://w3id.org/ia-territoriales/def#UseCase> }}
               FILTER(?g != <{built_library.base_url}graphe/exemples>)
               FILTER NOT EXISTS {{ ?u <http://www.w3.org/2002/07/owl#deprecated> true }} }}"""
    distinct = int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)
    del store
    assert library_index.total() == distinct > 0
    real = {k: v for k, v in built_library.manifest["use_cases"].items() if v and k != "exemples"}
    assert distinct <= sum(real.values())  # a record may be in two graphs
    assert library_index.meta()["build_id"] == built_library.manifest["build_id"]
    sources = dict((v, n) for v, _, n in library_index.value_counts("source"))
    assert sources == real


def test_real_search_ignores_case_and_accents(library_index):
    a = {h.iri for h in library_index.search(Query(text="DECHETS", size=100), facets=False).hits}
    b = {h.iri for h in library_index.search(Query(text="déchets", size=100), facets=False).hits}
    assert a == b and len(a) >= 2


def test_real_search_copes_with_french_word_forms(library_index):
    singular = library_index.search(Query(text="fuite", size=100), facets=False)
    plural = library_index.search(Query(text="fuites", size=100), facets=False)
    assert singular.total == plural.total >= 2
    assert any("fuites" in h.title.lower() for h in singular.hits)


def test_real_facets_come_from_the_schemes(library_index):
    groups = {g.spec.name: g for g in library_index.search(Query()).facets}
    domains = groups["domaine"].values
    assert domains and all(v.value.startswith(f"{writer.NOMENCLATURE}domaines/") for v in domains)
    assert sum(v.count for v in groups["source"].values) >= library_index.total()  # some are in two graphs
    labels = {v.label for v in groups["stade"].values}
    assert "En service" in labels or "Expérimentation" in labels


@pytest.mark.parametrize(("kind", "code", "region"), [
    ("commune", "69123", "FRK"), ("commune", "2A004", "FRM"), ("commune", "97411", "FRY4"),
    ("departement", "2B", "FRM"), ("departement", "93", "FR1"), ("region", "84", "FRK"), ("region", "06", "FRY5"),
    ("nuts", "FR101", "FR1"), ("nuts", "FRY10", "FRY1"), ("nuts", "frg0", "FRG"), ("nuts", "FR", None),
    ("nuts", "DE1", None), ("epci", "200046977", None), ("commune", "00001", None),
])
def test_region_of_a_territory(kind, code, region):
    assert writer.region_of(kind, code) == region


def test_every_metropolitan_department_has_a_region():
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert metropolitan <= set(writer.DEPARTMENT_REGION) and len(metropolitan) == 96
    assert set(writer.REGIONS) == set(writer.INSEE_REGION.values()) == set(writer.DEPARTMENT_REGION.values())


def test_the_map_knows_every_region_of_the_index():
    from sparql_endpoint import charts

    assert charts.REGION_LABELS == writer.REGIONS  # a copy: sparql_endpoint does not import ingest
    assert set(charts.TILES) == set(writer.REGIONS)


@pytest.mark.parametrize("number", [1, 10, 100, 1000])
def test_similar_counts_shared_concepts_exactly(synthetic, number):
    docs, index = synthetic
    concept = {f for f in reader.SIMILARITY_FACETS}

    def concepts(doc):
        return {(f, v) for f, v in doc["facets"] if f in concept}

    def country(doc):
        return {v for f, v in doc["facets"] if f == "pays"}

    me = docs[number - 1]
    result = index.similar(me["iri"], 6)
    assert len(result) == 6
    best = max(len(concepts(me) & concepts(d)) for i, d in enumerate(docs, start=1) if i != number)
    assert max(len(shared) for _, shared, _ in result) == best
    for hit, shared, abroad in result:
        other = docs[int(hit.iri.rsplit("-", 1)[1])]
        assert hit.iri != me["iri"]
        assert shared == sorted({f"{f} {v.rsplit('-', 1)[1]}" for f, v in concepts(me) & concepts(other)})
        assert abroad == (not country(me) & country(other))
