"""The catalogue of the REAL inputs (every register of ingest/sources.py, data/): no DCAT-AP violation, and
every dataset harvestable by udata's rules. Uses the session build ``built_library`` (tests/conftest.py)."""

from __future__ import annotations

import harvesters as hv
import pytest
from catalog_support import REFERENCE
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(built_library) -> list[Graph]:
    from sparql_endpoint.app import create_app

    out = []
    with TestClient(create_app(built_library.settings())) as client:
        url = "/catalog.ttl"
        while url:
            response = client.get(url)
            assert response.status_code == 200
            graph = Graph().parse(data=response.text, format="turtle")
            out.append(graph)
            nxt = hv.next_page(graph)
            url = nxt.removeprefix(built_library.base_url.rstrip("/")) if nxt else None
    return out


def test_real_catalogue_has_no_violation(pages):
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(REFERENCE / "dcat-ap-3.0.1" / name)
    for number, graph in enumerate(pages, 1):
        _, report, _ = validate(graph, shacl_graph=shapes, advanced=True, allow_warnings=True)
        violations = [r for r in report.objects(None, SH.result)
                      if report.value(r, SH.resultSeverity) == SH.Violation]
        assert violations == [], f"page {number}"


def test_real_catalogue_is_harvested_whole(pages, built_library):
    licences = hv.load_licences(REFERENCE / "datagouv-licenses.json")
    datasets = [hv.dataset_from_rdf(g, n, licences) for g in pages for n in hv.udata_datasets(g)]
    registers = [s for s in built_library.manifest.get("sources", []) if s.get("licence")]
    assert len(datasets) >= 1 + len(registers)
    assert [d.node for d in datasets if d.skipped] == []
    ids = [d.remote_id for d in datasets]
    assert len(ids) == len(set(ids))
    assert all(d.resources and d.title and d.description for d in datasets)
    library = next(d for d in datasets if d.node.endswith("#ia-territoriales"))
    assert library.licence is not None and library.licence.id == "lov2"
