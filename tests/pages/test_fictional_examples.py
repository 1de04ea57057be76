"""The fictional examples of data/exemples/ live in graphe/exemples: reachable by their IRI with a banner,
never counted or listed with the real cases; a use case in two graphs is one row of the listing's exports.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from sparql_endpoint.search import Query

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SLUGS = sorted(p.stem for p in (REPO / "data" / "exemples").glob("*.ttl"))


def test_the_three_examples_are_collected():
    assert len(EXAMPLE_SLUGS) == 3


def _examples_in_store(built_library) -> set[str]:
    store = ox.Store.read_only(str(built_library.store_path))
    rows = store.query(f"SELECT DISTINCT ?uc WHERE {{ GRAPH <{built_library.base_url}graphe/exemples> "
                       "{ ?uc a <https://w3id.org/ia-territoriales/def#UseCase> } }")
    return {row["uc"].value for row in rows}


def test_examples_are_in_their_own_graph_and_not_in_the_index(built_library, library_index):
    examples = _examples_in_store(built_library)
    assert examples == {f"{built_library.base_url}id/cas-usage/{slug}" for slug in EXAMPLE_SLUGS}
    assert all(library_index.doc(iri) is None for iri in examples)
    assert built_library.manifest["use_cases"]["exemples"] == 3
    # the library's count in the home page is that of the index, which holds no example
    library = sum(n for v, _, n in library_index.value_counts("source") if v == "bibliotheque")
    assert library == library_index.search(Query(filters={"source": ["bibliotheque"]}), facets=False).total


@pytest.mark.parametrize("slug", EXAMPLE_SLUGS)
def test_example_page_is_reachable_with_a_fictional_banner(client, slug):
    response = client.get(f"/doc/cas-usage/{slug}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    head = response.text.split("<h1", 1)[0]
    assert 'class="notice fictif"' in head and "Exemple fictif" in head


def test_real_pages_have_no_banner(client, sample):
    for path in (sample["usecase"], sample["organisation"]):
        assert 'class="notice fictif"' not in client.get(path, headers={"Accept": "text/html"}).text


def test_search_listing_home_and_sitemap_leave_the_examples_out(client, library_index):
    listing = client.get("/cas-usage", params={"q": "fuite"}).text
    assert "detection-de-fuites-sur-le-reseau-d-eau-potable" not in listing
    everything = client.get("/cas-usage.csv", params={"par_page": 100}).text
    for slug in EXAMPLE_SLUGS:
        assert slug not in everything
        assert slug not in client.get("/sitemap.xml").text
    assert "villeneuve-sur-exemple" not in client.get("/").text
    assert "Villeneuve-sur-Exemple" not in client.get("/statistiques").text


def test_catalog_has_no_dataset_for_fictional_shared_resources(client):
    text = client.get("/catalog.nt").text
    assert "agent-conversationnel-pour-l-accueil-des-usagers#ressource" not in text


def test_listing_exports_name_every_source_of_a_use_case(client, library_index):
    text = client.get("/cas-usage.csv", params={"source": "pstw"}).text
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == len({r["iri"] for r in records}) > 100
    shared = [r for r in records if r["source"] == "bibliotheque ; pstw"]
    assert len(shared) >= 1
    assert library_index.sources([shared[0]["iri"]]) == {shared[0]["iri"]: ["bibliotheque", "pstw"]}
    rows = json.loads(client.get("/cas-usage.json", params={"source": "bibliotheque", "par_page": 100}).text)
    sources = library_index.sources([r["iri"] for r in rows["resultats"]])
    assert rows["resultats"] and all(r["source"] == " ; ".join(sources[r["iri"]]) for r in rows["resultats"])


def test_statistics_by_source_say_why_they_add_up_to_more(client, library_index):
    page = client.get("/statistiques").text
    overlap = library_index.multi_source_count()
    assert overlap >= 1
    assert 'id="sources-multiples"' in page and f"{library_index.total()} cas" in page
