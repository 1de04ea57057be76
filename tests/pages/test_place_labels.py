"""Countries and territories are shown by name (the store's skos:prefLabel, French first), never as a bare
code: NUTS 2/3 codes without a label read "NUTS DK04 (Danemark)"; ISO alpha-3 codes of the registers
("SRB", "ALB") are mapped to their country (ingest/mappings/nuts-exceptions.csv)."""

from __future__ import annotations

import html
import re

from sparql_endpoint.search import Query

BARE_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


def test_country_facet_shows_names_from_the_store(library_index):
    countries = {value: label for value, label, _ in library_index.value_counts("pays")}
    assert len(countries) >= 30
    assert [label for label in countries.values() if BARE_CODE.match(label) or "inconnu" in label] == []
    assert "SR" not in countries  # "SRB" (Serbia, ISO alpha-3) was read as a NUTS 1 code
    assert countries["RS"] == "Serbie" and countries["AL"] == "Albanie"
    assert (countries["DK"], countries["AD"], countries["SM"], countries["VA"], countries["MC"]) == (
        "Danemark", "Andorre", "Saint-Marin", "Vatican", "Monaco")


def test_territory_facet_has_no_bare_nuts_code(library_index):
    territories = library_index.value_counts("territoire")
    bare = [label for _, label, _ in territories if BARE_CODE.match(label)]
    assert bare == []
    labels = {value.rsplit("/", 1)[-1]: label for value, label, _ in territories}
    assert labels["nuts-dk04"] == "NUTS DK04 (Danemark)"
    assert labels["nuts-fi1b"] == "NUTS FI1B (Finlande)"
    assert labels["nuts-dk"] == "Danemark"


def test_statistics_by_country_show_no_code(client):
    page = client.get("/statistiques").text
    section = page.split('id="stat-pays"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<th scope="row"><a [^>]*>([^<]*)</a>', section)
    assert len(rows) >= 30
    assert [html.unescape(r) for r in rows if BARE_CODE.match(html.unescape(r))] == []
    assert "Serbie" in section and "Andorre" in section


def test_territory_page_and_use_case_fields_name_the_country(client, library_index):
    page = html.unescape(client.get("/doc/territoire/nuts-dk04", headers={"Accept": "text/html"}).text)
    assert "<h1>NUTS DK04 (Danemark)</h1>" in page
    hit = library_index.search(Query(filters={"territoire": [
        next(v for v, _, _ in library_index.value_counts("territoire") if v.endswith("/nuts-fi1b"))]}, size=1),
        facets=False).hits[0]
    case = html.unescape(client.get(hit.path, headers={"Accept": "text/html"}).text)
    assert "NUTS FI1B (Finlande)" in case
    assert not re.search(r">\s*FI1B\s*<", case)
