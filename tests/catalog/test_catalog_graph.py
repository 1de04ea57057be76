"""The pure catalogue builder (``sparql_endpoint.catalog``) on hand-made inputs: no store, no HTTP."""

from __future__ import annotations

import json
from datetime import date

import pytest
from catalog_support import REFERENCE
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, XSD

from sparql_endpoint import catalog as cat

BASE = "http://iat.test/"
TODAY = date(2026, 11, 26)
SOURCE = {"name": "demo", "title_fr": "Registre démo", "title_en": "Demo register", "graph": "demo",
          "licence": "http://creativecommons.org/publicdomain/zero/1.0/", "attribution": "Démo, CC0",
          "homepage": "https://demo.example/", "snapshot": "2030-01-01"}
MANIFEST = {
    "build_id": "b1", "created": "2099-01-01T00:00:00+00:00",  # a clock gone wrong: never published as future
    "graphs": {"bibliotheque": {"iri": f"{BASE}graphe/bibliotheque", "triples": 10},
               "demo": {"iri": f"{BASE}graphe/demo", "triples": 5}},
    "files": [
        {"path": "dumps/ia-territoriales.ttl", "name": "ia-territoriales.ttl", "bytes": 12, "sha256": "ab" * 32,
         "media_type": "text/turtle", "compress_format": None, "graph": None, "title_fr": "Tout", "title_en": "All"},
        {"path": "dumps/ia-territoriales-demo.ttl", "name": "ia-territoriales-demo.ttl", "bytes": 5,
         "sha256": "cd" * 32, "media_type": "text/turtle", "compress_format": None, "graph": "demo",
         "title_fr": "Démo", "title_en": "Demo"},
    ],
    "sources": [SOURCE, {**SOURCE, "name": "sans-licence", "graph": "x", "licence": None}],
}


@pytest.fixture(scope="module")
def page() -> Graph:
    per_graph = {"bibliotheque": cat.GraphFacts(date(2024, 1, 2), date(2030, 5, 1), ("fr",), ("FRA",))}
    data = cat.build_catalog(MANIFEST, cat.CatalogSettings(BASE), Graph(), per_graph, today=TODAY)
    return data.page(1)


def test_no_date_in_the_future(page):
    dates = [o for o in page.objects() if isinstance(o, Literal) and o.datatype == XSD.date]
    assert dates and all(o.toPython() <= TODAY for o in dates)


def test_temporal_is_a_blank_period(page):
    library = URIRef(f"{BASE}catalog#ia-territoriales")
    period = page.value(library, DCTERMS.temporal)
    assert isinstance(period, BNode) and (period, RDF.type, DCTERMS.PeriodOfTime) in page
    assert page.value(period, DCAT.startDate) == Literal("2024-01-02", datatype=XSD.date)
    assert page.value(period, DCAT.endDate) == Literal(TODAY.isoformat(), datatype=XSD.date)


def test_a_register_without_licence_gets_no_dataset(page):
    datasets = set(page.subjects(RDF.type, DCAT.Dataset))
    assert URIRef(f"{BASE}catalog#registre-demo") in datasets
    assert URIRef(f"{BASE}catalog#registre-sans-licence") not in datasets
    identifiers = [str(page.value(d, DCTERMS.identifier)) for d in datasets]
    assert len(identifiers) == len(set(identifiers)) == 2


def test_register_keeps_its_licence_and_dump(page):
    register = URIRef(f"{BASE}catalog#registre-demo")
    assert page.value(register, DCTERMS.license) == URIRef(SOURCE["licence"])
    urls = {page.value(d, DCAT.downloadURL) for d in page.objects(register, DCAT.distribution)}
    assert URIRef(f"{BASE}telechargements/ia-territoriales-demo.ttl") in urls
    assert URIRef(f"{BASE}telechargements/ia-territoriales.ttl") not in urls


def test_every_vocabulary_concept_has_its_labels_and_scheme(page):
    used = set(page.objects(None, DCAT.theme)) | set(page.objects(None, DCTERMS.language)) | \
        set(page.objects(None, DCTERMS.accrualPeriodicity)) | set(page.objects(None, DCTERMS["format"]))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE") in used
    for concept in used:
        langs = {label.language for label in page.objects(concept, SKOS.prefLabel)}
        assert {"fr", "en"} <= langs, concept
        assert page.value(concept, SKOS.inScheme) is not None, concept


def test_licence_ouverte_is_written_as_data_gouv_fr_knows_it(page):
    table = {item["id"]: item for item in json.loads((REFERENCE / "datagouv-licenses.json").read_text("utf-8"))}
    assert (URIRef(f"{BASE}catalog"), DCTERMS.license, URIRef(table["lov2"]["url"])) in page


@pytest.mark.parametrize("iri, country", [
    (f"{BASE}id/territoire/commune-93051", "FRA"), (f"{BASE}id/territoire/epci-200054781", "FRA"),
    (f"{BASE}id/territoire/nuts-fr10", "FRA"), (f"{BASE}id/territoire/nuts-el30", "GRC"),
    (f"{BASE}id/territoire/nuts-uki3", "GBR"), (f"{BASE}id/territoire/nuts-nl329", "NLD"),
    (f"{BASE}id/territoire/nuts-zz", None), (f"{BASE}id/organisation/x", None), ("http://other/x", None),
])
def test_territory_country(iri, country):
    assert cat.territory_country(iri, BASE) == country


def test_graph_facts_from_query_rows():
    facts = cat.graph_facts(
        BASE,
        [{"g": f"{BASE}graphe/demo", "start": "2020-01-01", "end": "2021-02-03"}],
        [{"g": f"{BASE}graphe/demo", "lang": "en", "n": "3"}, {"g": f"{BASE}graphe/demo", "lang": "nl", "n": "9"}],
        [{"g": f"{BASE}graphe/demo", "territory": f"{BASE}id/territoire/nuts-nl329"}],
    )
    assert facts["demo"] == cat.GraphFacts(date(2020, 1, 1), date(2021, 2, 3), ("nl", "en"), ("NLD",))


def test_one_page_has_no_hydra_and_small_pages_do():
    data = cat.build_catalog(MANIFEST, cat.CatalogSettings(BASE, page_size=1), Graph(), {}, today=TODAY)
    assert data.pages == 2
    hydra_next = URIRef("http://www.w3.org/ns/hydra/core#next")
    assert list(data.page(1).objects(None, hydra_next)) == [URIRef(f"{BASE}catalog.ttl?page=2")]
    assert list(data.page(2).objects(None, hydra_next)) == []
    single = cat.build_catalog(MANIFEST, cat.CatalogSettings(BASE), Graph(), {}, today=TODAY).page(1)
    assert list(single.objects(None, hydra_next)) == []


def test_publisher_type_and_contact_from_settings():
    from pyshacl import validate
    from rdflib.namespace import SH

    settings = cat.CatalogSettings(BASE, publisher_name="Commune de Villeneuve-sur-Exemple",
                                   publisher_type="LocalAuthority", contact_email="donnees@villeneuve.example")
    page = cat.build_catalog(MANIFEST, settings, Graph(), {}, today=TODAY).page(1)
    publisher = URIRef(f"{BASE}catalog#editeur")
    kind = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
    assert page.value(publisher, DCTERMS.type) == kind
    assert page.value(kind, SKOS.inScheme) == URIRef("http://purl.org/adms/publishertype/1.0")
    assert str(page.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == "Commune de Villeneuve-sur-Exemple"
    email = page.value(URIRef(f"{BASE}catalog#contact"), URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))
    assert email == URIRef("mailto:donnees@villeneuve.example")
    shapes = Graph().parse(REFERENCE / "dcat-ap-3.0.1" / "mdr-vocabularies.shape.ttl")
    _, report, _ = validate(page, shacl_graph=shapes, advanced=True, allow_warnings=True)
    paths = {str(report.value(r, SH.resultPath)) for r in report.objects(None, SH.result)
             if report.value(r, SH.resultSeverity) == SH.Violation}
    assert paths <= {"http://spdx.org/rdf/terms#algorithm"}  # see test_dcat_ap_shacl.KNOWN_VOCABULARY_DEFECT


def test_shared_resources_become_datasets_only_with_a_url():
    iat = "https://w3id.org/ia-territoriales/def#"
    uc = URIRef(f"{BASE}id/cas-usage/demo-1")
    with_page, without = URIRef(f"{uc}#ressource-1"), URIRef(f"{uc}#ressource-2")
    page_url = URIRef("https://forge.villeneuve-sur-exemple.fr/demo")  # fictional, outside reserved names
    reserved = URIRef(f"{uc}#ressource-3")
    facts = Graph()
    facts.add((uc, URIRef(iat + "sharedResource"), with_page))
    facts.add((uc, URIRef(iat + "sharedResource"), without))
    facts.add((uc, DCTERMS.title, Literal("Cas démo", lang="fr")))
    facts.add((uc, URIRef(iat + "theme"), URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN")))
    facts.add((with_page, RDF.type, URIRef(iat + "SourceCode")))
    facts.add((with_page, DCAT.landingPage, page_url))
    facts.add((with_page, DCTERMS.title, Literal("forge.villeneuve-sur-exemple.fr/demo")))  # a bare link
    facts.add((without, DCTERMS.description, Literal("Composants ouverts : oui", lang="fr")))
    facts.add((uc, URIRef(iat + "sharedResource"), reserved))
    facts.add((reserved, DCAT.downloadURL, URIRef("https://data.villeneuve.example/jeu.csv")))
    page = cat.build_catalog({}, cat.CatalogSettings(BASE), facts, {}, today=TODAY).page(1)
    datasets = set(page.objects(URIRef(f"{BASE}catalog"), DCAT.dataset))
    assert with_page in datasets and without not in datasets and reserved not in datasets
    assert page.value(with_page, DCTERMS.isReferencedBy) == uc
    assert {str(t) for t in page.objects(with_page, DCTERMS.title)} == {
        "Code source du cas d'usage « Cas démo »", "Source code of the use case “Cas démo”"}
    themes = set(page.objects(with_page, DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN") in themes
    dist = page.value(with_page, DCAT.distribution)
    assert page.value(dist, DCAT.accessURL) == page_url and page.value(dist, DCAT.downloadURL) is None
    assert str(page.value(dist, DCTERMS.title)) == "forge.villeneuve-sur-exemple.fr/demo"


def test_dumps_an_incremental_build_took_from_an_earlier_build_say_so():
    """An incremental build serves its change first with the previous build's dump files (manifest
    ``dumps_of_build``): their descriptions name that build and say the fresh files follow."""
    def descriptions(manifest) -> dict[str, set[str]]:
        data = cat.build_catalog(manifest, cat.CatalogSettings(BASE), Graph(), {}, today=TODAY).page(1)
        return {str(data.value(d, DCTERMS.identifier)): {str(t) for t in data.objects(d, DCTERMS.description)}
                for d in data.subjects(RDF.type, DCAT.Distribution) if data.value(d, DCTERMS.identifier)}

    fresh = descriptions(MANIFEST)
    stale = descriptions({**MANIFEST, "build_id": "b2", "dumps_of_build": "b1"})
    assert fresh.keys() == stale.keys() and {"ia-territoriales.ttl", "ia-territoriales-demo.ttl"} <= fresh.keys()
    for name in ("ia-territoriales.ttl", "ia-territoriales-demo.ttl"):
        assert not any("construction b1" in text for text in fresh[name])
        assert any("Fichier de la construction b1" in text for text in stale[name])
        assert any("File of build b1" in text for text in stale[name])
    same = descriptions({**MANIFEST, "dumps_of_build": "b1"})  # a build whose dumps are its own
    assert same == fresh
