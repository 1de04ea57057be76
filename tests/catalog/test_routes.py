"""Issue 6: catalogue URLs, VoID, downloads, sitemap and robots.txt, served in-process (TestClient)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from xml.etree import ElementTree

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from sparql_endpoint.routes import catalog as routes

VOID = "http://rdfs.org/ns/void#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def manifest(catalog_build) -> dict:
    return json.loads((catalog_build.var_dir / "current" / "manifest.json").read_text("utf-8"))


@pytest.mark.parametrize("path, media", [("/catalog", "text/turtle"), ("/catalog.ttl", "text/turtle"),
                                         ("/catalog.jsonld", "application/ld+json"),
                                         ("/catalog.rdf", "application/rdf+xml"),
                                         ("/catalog.nt", "application/n-triples")])
def test_catalog_answers_200_and_head_with_an_rdf_type(client, path, media):
    for method in ("GET", "HEAD"):
        response = client.request(method, path)
        assert response.status_code == 200, (method, path)
        assert response.headers["content-type"] == f"{media}; charset=utf-8"
        assert response.headers["etag"] and response.headers["last-modified"]


def test_catalog_is_negotiated_without_redirect(client):
    response = client.get("/catalog", headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rdf+xml")
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"].endswith("/catalog.rdf")
    browser = client.get("/catalog", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/turtle")
    assert 'rel="alternate"; type="application/ld+json"' in response.headers["link"]


def test_etag_gives_304(client):
    etag = client.get("/catalog.ttl").headers["etag"]
    assert client.get("/catalog.ttl", headers={"If-None-Match": etag}).status_code == 304


def test_unknown_format_and_page_are_french_404(client):
    for path in ("/catalog.xyz", "/catalog.ttl?page=99", "/catalog.ttl?page=zero"):
        response = client.get(path)
        assert response.status_code == 404
        body = response.json()
        assert body["ok"] is False and ("catalogue" in body["error"])


def test_catalog_iris_follow_the_base_url(client, catalog_build):
    graph = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    local = {str(t) for triple in graph for t in triple if isinstance(t, URIRef) and "127.0.0.1" in str(t)}
    assert local and all(iri.startswith(catalog_build.base_url) for iri in local)
    catalog = URIRef(f"{catalog_build.base_url}catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    assert (catalog, DCTERMS.license, URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")) in graph


def test_catalog_distributions_match_the_manifest(client, manifest, catalog_build):
    graph = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    by_name = {f["name"]: f for f in manifest["files"]}
    checked = 0
    for dist in graph.subjects(RDF.type, DCAT.Distribution):
        url = graph.value(dist, DCAT.downloadURL)
        if url is None or "/telechargements/" not in str(url):
            continue
        entry = by_name[str(url).rsplit("/", 1)[-1]]
        assert graph.value(dist, DCAT.byteSize) == Literal(entry["bytes"], datatype=XSD.nonNegativeInteger)
        assert graph.value(dist, URIRef("http://spdx.org/rdf/terms#checksum")) is None  # catalog_checksums off
        assert any(f"SHA-256 : {entry['sha256']}." in str(d) for d in graph.objects(dist, DCTERMS.description))
        assert graph.value(dist, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{entry['media_type']}")
        assert graph.value(dist, DCAT.accessURL) == url
        checked += 1
    assert checked >= 8  # 5 full dumps, the CSV, the per-graph Turtle files


def test_hydra_paging(catalog_build):
    from fastapi.testclient import TestClient

    from sparql_endpoint.app import create_app

    with TestClient(create_app(catalog_build.settings(catalog_page_size=2))) as paged:
        first = Graph().parse(data=paged.get("/catalog.ttl").text, format="turtle")
        view = next(first.subjects(RDF.type, URIRef(f"{HYDRA}PartialCollectionView")))
        assert str(first.value(view, URIRef(f"{HYDRA}next"))).endswith("/catalog.ttl?page=2")
        total = int(next(first.objects(None, URIRef(f"{HYDRA}totalItems"))))
        last = str(first.value(view, URIRef(f"{HYDRA}last")))
        pages = int(last.split("page=")[1])
        assert pages == -(-total // 2)
        seen = []
        for n in range(1, pages + 1):
            graph = Graph().parse(data=paged.get(f"/catalog.ttl?page={n}").text, format="turtle")
            seen += list(graph.objects(None, DCAT.dataset))
            view = next(graph.subjects(RDF.type, URIRef(f"{HYDRA}PartialCollectionView")))
            assert (graph.value(view, URIRef(f"{HYDRA}next")) is None) == (n == pages)
        assert len(seen) == len(set(seen)) == total
        jsonld = paged.get("/catalog.jsonld?page=2").text
        assert "/catalog.jsonld?page=3" in jsonld or pages == 2


def test_void(client, manifest, catalog_build):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    base = catalog_build.base_url
    ds = URIRef(f"{base}.well-known/void#ia-territoriales")
    v = lambda name: URIRef(VOID + name)  # noqa: E731
    assert (ds, RDF.type, v("Dataset")) in graph
    assert int(graph.value(ds, v("triples"))) == manifest["triples"]["distinct_triples"]
    for name in ("entities", "distinctSubjects", "distinctObjects", "properties", "classes"):
        assert int(graph.value(ds, v(name))) > 0, name
    assert graph.value(ds, v("sparqlEndpoint")) == URIRef(f"{base}sparql")
    assert str(graph.value(ds, v("uriSpace"))) == f"{base}id/"
    vocabularies = {str(o) for o in graph.objects(ds, v("vocabulary"))}
    assert {"http://purl.org/dc/terms/", "https://w3id.org/ia-territoriales/def#"} <= vocabularies
    dumps = {str(o) for o in graph.objects(ds, v("dataDump"))}
    assert f"{base}telechargements/ia-territoriales.nt.gz" in dumps
    subsets = list(graph.objects(ds, v("subset")))
    assert len(subsets) == len(manifest["graphs"])
    for subset in subsets:
        name = str(subset).rsplit("#graphe-", 1)[1]
        assert int(graph.value(subset, v("triples"))) == manifest["graphs"][name]["triples"]
    for url in dumps:
        assert client.head(url.removeprefix(base.rstrip("/"))).status_code == 200


def test_void_is_linked_from_catalog_and_service_description(client, catalog_build):
    void = f"{catalog_build.base_url}.well-known/void"
    assert void in client.get("/catalog.ttl").text
    assert void in client.get("/sparql", headers={"Accept": "text/turtle"}).text


def test_downloads(client, manifest):
    files = [f for f in manifest["files"] if f["path"].startswith("dumps/")]
    assert len(files) >= 10
    for entry in files:
        url = f"/telechargements/{entry['name']}"
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, url
        assert int(plain.headers["content-length"]) == entry["bytes"]
        assert hashlib.sha256(plain.content).hexdigest() == entry["sha256"]
        assert plain.headers["etag"] == f'"{entry["sha256"]}"' and plain.headers["last-modified"]
        assert client.get(url, headers={"If-None-Match": plain.headers["etag"]}).status_code == 304
        head = client.head(url)
        assert head.status_code == 200 and head.headers["content-length"] == str(entry["bytes"])
        if entry["name"].endswith(".gz"):
            assert plain.headers["content-type"] == "application/gzip"
            assert client.get(url, headers={"Accept-Encoding": "gzip"}).headers.get("content-encoding") is None
            assert gzip.decompress(plain.content)


def test_large_text_downloads_are_gzipped(client, manifest):
    entry = next(f for f in manifest["files"] if f["name"] == "ia-territoriales.ttl")
    response = client.get("/telechargements/ia-territoriales.ttl", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert response.headers["etag"] == f'"{entry["sha256"]}-gzip"'
    assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]  # httpx decoded it
    assert int(response.headers.get("content-length", "0")) < entry["bytes"] or "content-length" not in response.headers


def test_unknown_or_escaping_download_is_404(client):
    for path in ("/telechargements/absent.ttl", "/telechargements/..%2Fmanifest.json", "/telechargements/manifest.json"):
        response = client.get(path)
        assert response.status_code == 404, path


def test_downloads_page_lists_every_file_in_french(client, manifest):
    response = client.get("/telechargements")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Téléchargements" in html and "Taille" in html and 'lang="fr"' in html
    for entry in manifest["files"]:
        if entry["path"].startswith("dumps/"):
            assert f'/telechargements/{entry["name"]}"' in html
    assert "/catalog.ttl" in html


def test_sitemap_lists_the_html_pages(client, catalog_build):
    base = catalog_build.base_url
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    urls = [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert len(urls) == len(set(urls))
    for expected in ("", "sparql", "telechargements", "doc/cas-usage/fictif-1", "doc/cas-usage/fictif-2",
                     "doc/cas-usage/detection-de-fuites-sur-le-reseau-d-eau-potable",
                     "doc/organisation/ville-imaginaire-de-testbourg", "doc/territoire/nuts-nl329",
                     "nomenclature/domaines", "nomenclature/domaines/eau-assainissement"):
        assert base + expected in urls, expected
    assert not [u for u in urls if "#" in u or "catalog" in u]
    local = [u for u in urls if "/doc/" in u]
    for url in local[:: max(1, len(local) // 15)] + [u for u in urls if "/nomenclature/" in u][::40]:
        page = client.get(url.removeprefix(base.rstrip("/")), headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), url


def test_sitemap_index_past_the_limit(client, monkeypatch, catalog_build):
    files = routes.sitemap_files([f"http://x.test/{i}" for i in range(5)], "2026-01-01", "http://x.test/", limit=2)
    assert len(files) == 4 and b"<sitemapindex" in files[0]
    assert files[0].count(b"<sitemap>") == 3 and files[3].count(b"<url>") == 1
    monkeypatch.setattr(routes, "SITEMAP_LIMIT", 10)
    index = client.get("/sitemap.xml")
    assert b"<sitemapindex" in index.content
    parts = re.findall(r"<loc>([^<]+)</loc>", index.text)
    assert len(parts) >= 2
    last = client.get(parts[-1].removeprefix(catalog_build.base_url.rstrip("/")))
    assert last.status_code == 200 and b"<urlset" in last.content
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap(client, catalog_build):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {catalog_build.base_url}sitemap.xml" in response.text
    assert "Disallow: /sparql?" in response.text
