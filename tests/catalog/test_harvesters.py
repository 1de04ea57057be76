"""Issue 6: the SERVED catalogue read with the real harvesters' rules (``harvesters.py``), over HTTP.

A real uvicorn serves the test build; requests are made as udata makes them (no ``Accept``, its
User-Agent, redirects refused) and each page is parsed with the parser udata picks from the URL suffix.
"""

from __future__ import annotations

from datetime import UTC, datetime

import harvesters as hv
import httpx
import pytest
from catalog_support import CC_BY_4, REFERENCE
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

pytestmark = pytest.mark.server
LICENCES = hv.load_licences(REFERENCE / "datagouv-licenses.json")


def fetch(url: str, method: str = "GET") -> httpx.Response:
    """udata's request: ``allow_redirects=False`` and a 3xx is an error (``raise_if_redirect``)."""
    response = httpx.request(method, url, headers={"User-Agent": hv.USER_AGENT}, follow_redirects=False,
                             timeout=60)
    assert not 300 <= response.status_code < 400, f"{url}: redirection {response.status_code} (udata refuse)"
    response.raise_for_status()
    return response


def harvest(url: str) -> list[Graph]:
    """``DcatBackend.walk_graph``: format guessed once from the source URL, then every hydra:next page."""
    fmt = hv.guess_format(url)
    if fmt is None:  # no suffix: HEAD and the Content-Type (parameters stripped)
        mime = fetch(url, "HEAD").headers["content-type"].split(";")[0].strip()
        assert mime in hv.ACCEPTED_MIME_TYPES, f'Unsupported mime type "{mime}"'
        fmt = hv.ACCEPTED_MIME_TYPES[mime]
    pages, seen = [], set()
    while url and url not in seen:
        seen.add(url)
        response = fetch(url)
        assert "charset=utf-8" in response.headers["content-type"].lower()  # else udata decodes ISO-8859-1
        graph = Graph().parse(data=response.content.decode(response.encoding or "utf-8"), format=fmt,
                              publicID=url)
        pages.append(graph)
        url = hv.next_page(graph)
    return pages


@pytest.fixture(scope="module")
def harvested(server: str) -> dict[str, list[hv.HarvestedDataset]]:
    """The catalogue harvested from each URL a portal may be given."""
    out = {}
    for path in ("catalog.ttl", "catalog.jsonld", "catalog.rdf", "catalog"):
        datasets = []
        for graph in harvest(server + path):
            datasets += [hv.dataset_from_rdf(graph, node, LICENCES) for node in hv.udata_datasets(graph)]
        out[path] = datasets
    return out


def test_suffix_gives_the_parser_and_head_gives_rdf(server):
    assert hv.guess_format(server + "catalog.ttl") == "turtle"
    assert hv.guess_format(server + "catalog.jsonld") == "json-ld"
    assert hv.guess_format(server + "catalog.rdf") == "xml"
    assert hv.guess_format(server + "catalog") is None
    for path in ("catalog", "catalog.ttl", "catalog.jsonld", "catalog.rdf"):
        head = fetch(server + path, "HEAD")
        assert head.headers["content-type"].split(";")[0] in hv.ACCEPTED_MIME_TYPES


def test_every_format_harvests_the_same_datasets(harvested):
    ids = {path: sorted(d.remote_id or "" for d in datasets) for path, datasets in harvested.items()}
    assert len(ids["catalog.ttl"]) == 3  # the library, the fictional register, its shared code
    assert ids["catalog.ttl"] == ids["catalog.jsonld"] == ids["catalog.rdf"] == ids["catalog"]


def test_no_dataset_is_skipped_and_identifiers_are_unique(harvested):
    datasets = harvested["catalog.ttl"]
    assert [d.node for d in datasets if d.skipped] == []
    ids = [d.remote_id for d in datasets]
    assert len(ids) == len(set(ids)), "udata fails a duplicate identifier"


def test_every_dataset_has_title_description_tags_and_resources(harvested):
    for d in harvested["catalog.ttl"]:
        assert d.title and d.description.strip(), d.node
        theme_labels = {"Gouvernement et secteur public", "Government and public sector"}
        assert d.tags & theme_labels, f"{d.node}: the EU theme label is not in the page graph"
        assert d.resources, f"{d.node}: no resource"
        assert not d.temporal_is_uri, "udata fetches a URI-valued dct:temporal over the network"
        assert not d.modified_dropped, f"{d.node}: dct:modified in the future is dropped"
        assert d.frequency in hv.EU_FREQUENCIES, d.node
        for r in d.resources:
            assert r.url.startswith("http") and r.title and not r.modified_dropped


def test_dumps_keep_format_mime_and_size(harvested, catalog_build):
    library = next(d for d in harvested["catalog.ttl"] if d.node.endswith("#ia-territoriales"))
    files = {r.url.rsplit("/", 1)[-1]: r for r in library.resources if "/telechargements/" in r.url}
    assert {"ia-territoriales.ttl", "ia-territoriales.nt.gz", "ia-territoriales.nq.gz", "ia-territoriales.trig",
            "ia-territoriales.jsonld", "cas-usage.csv"} <= set(files)
    assert files["ia-territoriales.ttl"].format == "rdf_turtle"
    assert files["ia-territoriales.ttl"].mime == "text/turtle"
    assert files["cas-usage.csv"].format == "csv" and files["cas-usage.csv"].mime == "text/csv"
    assert files["ia-territoriales.nq.gz"].format == "rdf_n_quads"
    for name, resource in files.items():
        assert resource.filesize and int(resource.filesize) > 0, name
        assert resource.checksum is None, name  # off by default: see the next test
    api = [r for r in library.resources if r.type == "api"]
    assert [r.url for r in api] == [f"{catalog_build.base_url}sparql"]


def test_no_dataset_would_fail_udata_validation(harvested):
    assert {d.node: d.failed for d in harvested["catalog.ttl"] if d.failed} == {}


def test_checksums_conform_to_dcat_ap_but_fail_udata(catalog_build):
    """Why ``catalog_checksums`` is off by default: DCAT-AP wants spdx:checksumValue as xsd:hexBinary, and
    udata 17.18 stores rdflib's value for it (bytes) in a string field, which fails the dataset item
    (seen by running udata's DcatBackend, tests/catalog/tools/udata_harvest.py)."""
    from fastapi.testclient import TestClient

    from sparql_endpoint.app import create_app

    with TestClient(create_app(catalog_build.settings(catalog_checksums=True))) as client:
        graph = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    library = hv.dataset_from_rdf(graph, URIRef(f"{catalog_build.base_url}catalog#ia-territoriales"), LICENCES)
    dumps = [r for r in library.resources if "/telechargements/" in r.url]
    assert dumps and all(r.checksum and r.checksum.startswith("sha256:") for r in dumps)
    assert "checksum.value StringField only accepts string values" in library.failed


def test_french_title_and_description_come_first(harvested):
    """udata keeps the first value rdflib meets (``obj.value``): the French one must be served first."""
    for path, datasets in harvested.items():
        library = next(d for d in datasets if d.node.endswith("#ia-territoriales"))
        assert library.title.startswith("Bibliothèque d'IA territoriales"), path
        assert library.description.startswith("Les cas d'usage"), path


def test_licences_are_recognised_by_data_gouv_fr(harvested):
    by_node = {d.node: d for d in harvested["catalog.ttl"]}
    library = next(d for n, d in by_node.items() if n.endswith("#ia-territoriales"))
    register = next(d for n, d in by_node.items() if n.endswith("#registre-registre-fictif"))
    assert library.licence is not None and library.licence.id == "lov2"
    assert register.licence is not None and register.licence.id == "cc-by"
    shared = next(d for n, d in by_node.items() if n.endswith("fictif-1#ressource-1"))
    assert shared.licence is not None and shared.licence.id == "lov2"  # the fixture's Licence Ouverte 2.0


def test_temporal_coverage_is_a_period_from_the_data(harvested):
    register = next(d for d in harvested["catalog.ttl"] if d.node.endswith("#registre-registre-fictif"))
    assert register.temporal is not None
    start, end = register.temporal
    assert str(start) == "2023-04-01" and str(end) == "2025-06-30"  # the fixture records' dct:created/modified


def test_shared_resources_are_listed_with_their_use_case(server, catalog_build):
    graph = harvest(server + "catalog.ttl")[0]
    base = catalog_build.base_url
    code = URIRef(f"{base}id/cas-usage/fictif-1#ressource-1")
    assert (code, DCTERMS.isReferencedBy, URIRef(f"{base}id/cas-usage/fictif-1")) in graph
    assert (URIRef(f"{base}catalog"), DCAT.dataset, code) in graph
    dataset = hv.dataset_from_rdf(graph, code, LICENCES)
    assert dataset.resources[0].url == f"{base}ressources/testbourg-feux"
    # the fictional examples of data/exemples share resources at .example URLs: no portal could link them
    examples = [n for n in hv.udata_datasets(graph) if "detection-de-fuites" in str(n)]
    assert examples == []
    assert {"code source", "source code"} <= dataset.tags


def test_ckan_reads_guid_and_a_licence_from_the_first_distribution(server):
    graph = harvest(server + "catalog.ttl")[0]
    nodes = list(graph.subjects(DCTERMS.identifier, None))
    datasets = [n for n in hv.udata_datasets(graph)]
    assert datasets and all(hv.ckan_guid(graph, n) for n in datasets)
    assert len(nodes) >= len(datasets)
    for node in datasets:
        licence = hv.ckan_licence(graph, node)
        if str(node).endswith(("#ia-territoriales", "#registre-registre-fictif")):
            assert licence is not None and licence[1], node  # IRI and its dct:title
    assert hv.ckan_licence(graph, URIRef(f"{server}catalog#registre-registre-fictif"))[0] == CC_BY_4


def test_the_sparql_service_is_an_access_service(server):
    graph = harvest(server + "catalog.ttl")[0]
    service = URIRef(f"{server}sparql#service")
    assert (None, DCAT.accessService, service) in graph
    # udata then reads it as the "api" resource of each dataset, not as a separate dataservice
    assert hv.udata_dataservices(graph) == []
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{server}sparql")


def test_hydra_paging_is_followed(catalog_build, tmp_path_factory):
    """A second server with 2 datasets a page: udata follows hydra:next and gets every dataset once."""
    import os
    import subprocess
    import sys
    import time

    from catalog_support import REPO, free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "IAT_BASE_URL": url, "IAT_VAR_DIR": str(catalog_build.var_dir),
           "IAT_CATALOG_PAGE_SIZE": "2"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "sparql_endpoint.app:create_app", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                httpx.get(url + "robots.txt", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        pages = harvest(url + "catalog.ttl")
        assert len(pages) == 2
        per_page = [[hv.dataset_from_rdf(g, n, LICENCES) for n in hv.udata_datasets(g)] for g in pages]
        assert all(1 <= len(datasets) <= 2 for datasets in per_page)
        ids = [d.remote_id for datasets in per_page for d in datasets]
        assert len(ids) == len(set(ids)), "a dataset appears on two pages"
        assert all(d.skipped is None for datasets in per_page for d in datasets)
        assert len(ids) == 3
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_modified_dates_are_not_in_the_future(server):
    graph = harvest(server + "catalog.ttl")[0]
    today = datetime.now(UTC).date().isoformat()
    values = [str(o) for o in graph.objects(None, DCTERMS.modified)]
    assert values and all(v[:10] <= today for v in values)
