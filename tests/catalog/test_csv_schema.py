"""Issue 6: the SERVED use-case CSV validates against the SERVED Table Schema (frictionless), and the
catalogue points from the CSV distribution to that schema (dct:conformsTo)."""

from __future__ import annotations

import json

from frictionless import Resource, Schema
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS


def test_served_csv_matches_served_schema(client, catalog_build, tmp_path):
    csv = client.get("/telechargements/cas-usage.csv", headers={"Accept-Encoding": "gzip"})
    schema = client.get("/telechargements/cas-usage.schema.json")
    assert csv.status_code == 200 and schema.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    (tmp_path / "cas-usage.csv").write_bytes(csv.content)
    descriptor = json.loads(schema.content)
    resource = Resource(path="cas-usage.csv", basepath=str(tmp_path), schema=Schema.from_descriptor(descriptor))
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    rows = report.tasks[0].stats["rows"]
    manifest = json.loads((catalog_build.var_dir / "current" / "manifest.json").read_text("utf-8"))
    assert rows == sum(manifest["use_cases"].values()) >= 5  # the 3 examples and the 2 fictional records


def test_catalogue_links_the_csv_to_its_schema(client, catalog_build):
    graph = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    base = catalog_build.base_url
    dist = next(graph.subjects(DCAT.downloadURL, URIRef(f"{base}telechargements/cas-usage.csv")))
    schema = graph.value(dist, DCTERMS.conformsTo)
    assert schema == URIRef(f"{base}telechargements/cas-usage.schema.json")
    assert client.get(str(schema).removeprefix(base.rstrip("/"))).status_code == 200
