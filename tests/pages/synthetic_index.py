"""A synthetic search index of N use cases, and a timing of the list page's queries over it.

    .venv/bin/python -m tests.pages.synthetic_index --docs 100000

Documents get French titles and summaries drawn from a fixed vocabulary, 1–3 domains, 1–3 techniques,
one stage, a type of authority, a region, a country and a source, with skewed (Zipf-like) frequencies
like the real registers. Written with ``ingest.search_index.write_index`` (the build's own writer) and
queried with ``sparql_endpoint.search.SearchIndex`` (the pages' own reader). Deterministic (seeded).
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import tempfile
import time
from pathlib import Path

from ingest.search_index import CONCEPT_FACETS, NOMENCLATURE, analyse, fold, write_index

WORDS = ["détection", "fuites", "réseau", "eau", "potable", "prévision", "consommation", "énergie", "bâtiments", "publics", "agent", "conversationnel", "accueil", "usagers", "déchets", "collecte", "tournées", "optimisation", "vidéoprotection", "analyse", "images", "aériennes", "urbanisme", "cadastre", "végétalisation", "arbres", "îlots", "chaleur", "transport", "bus", "trafic", "stationnement", "éclairage", "public", "subventions", "instruction", "dossiers", "courriers", "tri", "automatique", "traduction", "transcription", "délibérations", "archives", "recherche", "documentaire", "santé", "social", "autonomie", "personnes", "âgées", "allocation", "orientation", "écoles", "restauration", "scolaire", "repas", "gaspillage", "inondations", "risques", "naturels", "incendies", "forêts", "pollution", "air", "bruit"]


# the vocabulary, most frequent first: ten generic words, the words above (which the timed queries use),
# then 20,000 rarer pseudo-words; texts draw words with Zipf frequencies (rank r weighs 1/r), as
# natural language does, so a query word like « eau » (rank 14) is in about a quarter of the documents
GENERIC = ["projet", "service", "commune", "outil", "systeme", "donnees", "ville", "agents", "usage", "mise"]
VOCABULARY = [*GENERIC, *WORDS, *(f"terme{k}" for k in range(20_000))]
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=count))


def _zipf(rng: random.Random, n: int) -> int:
    return min(n - 1, int(rng.paretovariate(1.2)) - 1)


def synthetic_docs(count: int, seed: int = 7) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    scheme_size = {"domaine": 36, "technique": 40, "stade": 12, "finalite": 20, "public": 6, "donnees": 15,
                   "risque": 4}
    value_info: dict[tuple[str, str], tuple[str, str | None, int, str | None]] = {}
    docs = []
    for number in range(count):
        facets: set[tuple[str, str]] = set()
        for facet, size in scheme_size.items():
            for _ in range(1 if facet in ("stade", "risque") else rng.randint(1, 3)):
                code = _zipf(rng, size)
                value = f"{NOMENCLATURE}{facet}/{facet}-{code}"
                facets.add((facet, value))
                value_info[(facet, value)] = (f"{facet} {code}", None, code, None)
        for facet, size in (("type_collectivite", 18), ("region", 18), ("pays", 12), ("source", 5),
                            ("organisation", 5000), ("annee", 15)):
            value = str(2010 + _zipf(rng, size)) if facet == "annee" else f"{facet}-{_zipf(rng, size)}"
            facets.add((facet, value))
            value_info[(facet, value)] = (value, None, 0, None)
        title = _words(rng, rng.randint(3, 8)).capitalize()
        body = _words(rng, rng.randint(20, 60))
        docs.append({
            "iri": f"http://example.org/id/cas-usage/synth-{number}", "path": f"/doc/cas-usage/synth-{number}",
            "graph": "bibliotheque", "identifier": f"S-{number}", "title": title, "title_key": fold(title),
            "summary": body[:300], "lang": "fr", "org_iri": None, "org_label": None, "territory_iri": None,
            "territory_label": None, "start": None, "start_year": 2010 + _zipf(rng, 15),
            "modified": f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}", "facets": sorted(facets),
            "title_terms": " ".join(analyse(title)), "body_terms": " ".join(analyse(body)),
        })
    return docs, value_info


def main() -> None:
    from sparql_endpoint.search import Query, SearchIndex

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    assert set(CONCEPT_FACETS) >= {"domaine", "technique", "stade"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.sqlite"
        start = time.perf_counter()
        docs, info = synthetic_docs(args.docs)
        write_index(path, docs, info)
        print(f"index de {args.docs} cas écrit en {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} Mo)")
        index = SearchIndex(path)
        rng = random.Random(1)
        cases = {
            "texte + 2 filtres + toutes les facettes": lambda: Query(
                text=rng.choice(["fuites d'eau", "déchets", "agent conversationnel", "écoles", "énergie bâtiments"]),
                filters={"domaine": [f"{NOMENCLATURE}domaine/domaine-{rng.randint(0, 3)}"],
                         "region": [f"region-{rng.randint(0, 4)}"]}),
            "texte seul + facettes": lambda: Query(text=rng.choice(["inondations", "transport bus", "archives"])),
            "2 filtres sans texte + facettes": lambda: Query(filters={
                "technique": [f"{NOMENCLATURE}technique/technique-{rng.randint(0, 3)}"],
                "stade": [f"{NOMENCLATURE}stade/stade-{rng.randint(0, 2)}"]}),
            "page d'accueil de la liste (rien)": lambda: Query(),
        }
        for name, make in cases.items():
            times = []
            for _ in range(args.runs):
                query = make()
                t = time.perf_counter()
                result = index.search(query)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            print(f"{name:<42} p50 {statistics.median(times):6.1f} ms  p95 {times[int(len(times) * .95) - 1]:6.1f} ms"
                  f"  (dernier total : {result.total})")


if __name__ == "__main__":
    main()
