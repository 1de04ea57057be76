"""URLs taken from untidy register cells become valid IRIs (regression: PSTW-250 had two "#")."""

from rdflib import URIRef

from ingest.importers.common import urls_in, urls_in_cell

DOUBLE_FRAGMENT = "https://e-estonia.com/salme/#:~:text=Salme,%20a#:~:text=Salme,%20b"


def test_second_fragment_mark_is_percent_encoded() -> None:
    (url,) = urls_in_cell(DOUBLE_FRAGMENT)
    assert url.count("#") == 1 and "%23" in url
    # rdflib accepts it as an IRI and N-Triples round-trips it
    assert URIRef(url).n3().startswith("<https://e-estonia.com/salme/#")


def test_free_text_urls_keep_one_fragment() -> None:
    assert all(u.count("#") <= 1 for u in urls_in(f"voir {DOUBLE_FRAGMENT} et https://a.example/#x#y"))


def test_country_names_come_from_the_nuts_table_not_the_row() -> None:
    """PSTW has a row with NUTS "IT" and country "France": the territory is Italy, named as such."""
    from rdflib import Literal
    from rdflib.namespace import SKOS

    from ingest.importers.common import RecordGraph, nuts_or_country

    rg = RecordGraph("http://example.org/")
    node = nuts_or_country(rg, "IT", "France", "pstw.csv", "PSTW-1")
    assert set(rg.graph.objects(node, SKOS.prefLabel)) == {Literal("Italie", lang="fr"), Literal("Italy", lang="en")}
