"""The pages in process (TestClient over the session build): what they show, their formats and links,
well-formed HTML and the basic accessibility rules (htmlcheck.py)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import urlsplit

import pytest

from sparql_endpoint.search import Query

from .htmlcheck import accessibility, well_formed

NOM = "https://w3id.org/ia-territoriales/nomenclature/"


def main_pages(sample) -> dict[str, str]:
    return {
        "accueil": "/", "liste": "/cas-usage", "recherche": f"/cas-usage?q=eau&domaine={sample['domain_code']}",
        "statistiques": "/statistiques", "nomenclature": "/nomenclature", "schema": "/nomenclature/domaines",
        "concept": sample["concept"], "ontologie": "/def", "cas": sample["usecase"],
        "organisation": sample["organisation"], "territoire": sample["territory"],
    }


PAGE_NAMES = ["accueil", "liste", "recherche", "statistiques", "nomenclature", "schema", "concept", "ontologie",
              "cas", "organisation", "territoire"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_is_well_formed_and_accessible(client, sample, name):
    response = client.get(main_pages(sample)[name], headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert well_formed(response.text) == []
    assert accessibility(response.text) == []


def test_every_main_page_is_checked(sample):
    assert sorted(main_pages(sample)) == sorted(PAGE_NAMES)


def _text(response) -> str:
    """The page with character references resolved (Jinja escapes apostrophes)."""
    return html.unescape(response.text)


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_home_shows_counts_latest_and_entry_points(client, library_index):
    html = _text(client.get("/"))
    assert f"<strong>{library_index.total()}</strong> cas d'usage" in html
    assert 'role="search"' in html and 'action="/cas-usage"' in html
    for heading in ("Par domaine d'action publique", "Par technique d'IA", "Par stade du projet", "Par région"):
        assert heading in html
    latest = library_index.latest(6)
    assert latest and all(h.path in html for h in latest)


def test_listing_counts_filters_and_alternates(client, library_index, sample):
    url = f"/cas-usage?domaine={sample['domain_code']}"
    response = client.get(url)
    total = library_index.search(Query(filters={"domaine": [f"{NOM}domaines/{sample['domain_code']}"]})).total
    assert f"<strong>{total}</strong> cas d'usage" in response.text
    assert 'checked' in response.text and "Tout effacer" in response.text
    assert f'href="/cas-usage.csv?domaine={sample["domain_code"]}"' in response.text
    link = response.headers["link"]
    assert 'rel="alternate"; type="text/csv"' in link and 'type="application/json"' in link

    data = client.get(f"/cas-usage.json?domaine={sample['domain_code']}").json()
    assert data["total"] == total and len(data["resultats"]) == min(total, 20)
    assert data["requete"]["filtres"] == {"domaine": [sample["domain_code"]]}
    domain_counts = {v["valeur"]: v["nombre"] for v in data["facettes"]["domaine"]}
    assert domain_counts[sample["domain_code"]] == total

    rows = list(csv.DictReader(io.StringIO(client.get(f"/cas-usage.csv?domaine={sample['domain_code']}").text)))
    assert len(rows) == total and {r["iri"] for r in rows} >= {r["iri"] for r in data["resultats"]}


def test_listing_pages_and_sort_are_in_the_url(client, library_index):
    total = library_index.total()
    first = client.get("/cas-usage.json?tri=titre&par_page=10").json()
    second = client.get("/cas-usage.json?tri=titre&par_page=10&page=2").json()
    assert first["total"] == total and first["pages"] == -(-total // 10)
    titles = [r["titre"] for r in first["resultats"] + second["resultats"]]
    assert len(set(titles)) == 20 or total < 20
    html = client.get("/cas-usage?tri=titre&page=2").text
    assert 'aria-current="page">2<' in html and 'rel="prev"' in html


def test_bad_listing_parameters_get_a_french_400(client):
    response = client.get("/cas-usage?tri=n-importe", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["ok"] is False and "tri" in response.json()["error"]
    assert client.get("/cas-usage?page=0", headers={"Accept": "text/html"}).status_code == 400


def test_use_case_page_groups_fields_and_embeds_schema_org(client, sample):
    response = client.get(sample["usecase"], headers={"Accept": "text/html"})
    html = _text(response)
    for group in ("Identité", "Finalité", "Fonctionnement", "Sources et provenance", "Cas similaires ailleurs"):
        assert f">{group}</h2>" in html
    assert "Organisation qui le met en œuvre" in html and "Domaine d'action publique" in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block.replace("<\\/", "</"))
    assert data["@context"] == "https://schema.org" and data["@id"] == sample["usecase_iri"]
    assert data["name"] in _title(html)
    assert data["creator"][0]["@id"].endswith(sample["organisation"].removeprefix("/doc/"))
    assert f'href="{sample["organisation"]}"' in html  # links to its organisation
    for ext in ("ttl", "jsonld", "rdf", "nt"):
        assert f'{sample["usecase"]}.{ext}"' in html  # every format, linked in the page and its head
    assert 'rel="alternate" type="text/turtle"' in html
    assert "Vary" in response.headers and "ETag" in response.headers  # the resource route's headers kept


def test_similar_use_cases_are_other_organisations_with_shared_concepts(library_index, sample):
    similar = library_index.similar(sample["usecase_iri"], 6)
    own = library_index.doc(sample["usecase_iri"])
    db = library_index._db()

    def concepts(iri: str) -> set[str]:
        return {r[0] for r in db.execute(
            "SELECT v.label FROM facets f JOIN docs d ON d.id = f.doc JOIN facet_values v ON v.facet = f.facet "
            "AND v.value = f.value WHERE d.iri = ? AND f.facet IN ('domaine', 'finalite', 'technique', 'public', "
            "'donnees')", [iri])}

    assert len(similar) == 6
    counts = [len(shared) for _, shared, _ in similar]
    for hit, shared, _ in similar:
        assert hit.org_iri != own.org_iri
        assert shared and set(shared) == concepts(own.iri) & concepts(hit.iri)  # the explanation is true
    assert any(abroad for *_, abroad in similar)  # the registers abroad share this French case's concepts
    local = [len(shared) for _, shared, abroad in similar if not abroad]
    assert local == sorted(local, reverse=True)
    assert max(counts) >= 2


def test_rdf_documents_link_their_page(client, sample):
    response = client.get(sample["usecase"] + ".ttl")
    assert response.status_code == 200
    assert f'{sample["usecase"]}.html>; rel="alternate"; type="text/html"' in response.headers["link"]


def test_concept_page_shows_tree_mappings_and_use(client, sample, library_index):
    html = _text(client.get(sample["concept"], headers={"Accept": "text/html"}))
    assert "Le schéma « " in html and 'aria-current="page"' in html
    assert "Correspondances avec d'autres vocabulaires" in html
    iri = NOM + sample["concept"].removeprefix("/nomenclature/")
    count = dict(library_index.usage(iri))["domaine"]
    assert f"<strong>{count}</strong> cas d'usage" in html


def test_organisation_and_territory_pages_list_their_use_cases(client, sample):
    for key in ("organisation", "territory"):
        html = _text(client.get(sample[key], headers={"Accept": "text/html"}))
        assert re.search(r"<h2>(Ses cas d'usage|Cas d'usage sur ce territoire) \((\d+)\)</h2>", html)
        assert 'class="hit"' in html


def test_ontology_page_documents_classes_and_properties(client):
    html = client.get("/def", headers={"Accept": "text/html"}).text
    assert 'id="UseCase"' in html and 'id="domain"' in html
    assert html.count('class="part"') > 40


def test_statistics_draw_svg_charts_and_the_region_map(client):
    html = client.get("/statistiques").text
    assert html.count("<svg") == 8  # map, years, domain, technique, stage, type, country, source
    assert "Carte <strong>schématique</strong>" in html and "Outre-mer" in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


def test_links_of_the_home_page_resolve(client):
    html = client.get("/").text
    hrefs = sorted({h for h in re.findall(r'href="([^"#]+)"', html) if h.startswith("/")})
    assert len(hrefs) > 20
    for href in hrefs:
        assert client.get(href, headers={"Accept": "text/html"}).status_code < 400, href
    assert all(not urlsplit(h).netloc for h in hrefs)


FULL_EXAMPLE = "/doc/cas-usage/agent-conversationnel-pour-l-accueil-des-usagers"  # data/exemples: every field


def test_every_field_of_the_full_example_has_a_french_label(client):
    page = _text(client.get(FULL_EXAMPLE, headers={"Accept": "text/html"}))
    labels = re.findall(r"<dt>([^<]*)</dt>", page)
    assert len(labels) > 60
    assert [label for label in labels if re.fullmatch(r"[\w-]+:\w+", label)] == []
    for group in ("Données", "Gouvernance et transparence", "Impact sur les métiers des agents",
                  "Ressources partagées"):
        assert f">{group}</h2>" in page
    assert re.search(r'<p class="contact"><strong>Contact :</strong>\s*Direction de la relation usagers', page)
    assert "<h3>Contact</h3>" in page and "<h3>Impacts sur les métiers</h3>" in page  # untitled parts named
    assert "#contact</h3>" not in page
    assert re.search(r"<dt>Formation prévue</dt><dd>(oui|non)", page)
    assert "Risk Level" not in page


@pytest.mark.parametrize("source", ["bibliotheque", "pstw", "nl-algoritmeregister", "uk-atrs"])
def test_records_of_every_source_show_french_field_labels(client, library_index, source):
    hit = library_index.search(Query(filters={"source": [source]}, size=1), facets=False).hits[0]
    page = _text(client.get(hit.path, headers={"Accept": "text/html"}))
    labels = re.findall(r"<dt>([^<]*)</dt>", page)
    assert labels and [label for label in labels if re.fullmatch(r"[\w-]+:\w+", label)] == []


def test_organisation_and_territory_fields_have_french_labels(client, sample):
    for key in ("organisation", "territory"):
        labels = re.findall(r"<dt>([^<]*)</dt>", _text(client.get(sample[key], headers={"Accept": "text/html"})))
        assert "Nom" in labels and [label for label in labels if re.fullmatch(r"[\w-]+:\w+", label)] == []
