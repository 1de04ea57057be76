"""UK Algorithmic Transparency Recording Standard (ATRS) index -> RDF, one record per GOV.UK page.

The index gives the publishing body, the tool's name, the GOV.UK URL, the publication date and a short
description; the full records (phase, function, risks…) are on GOV.UK and not in this file, so the
records imported here carry no domain or stage (see ``ingest/mappings/README.md``).
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ingest import iris
from ingest.importers import common
from ingest.importers.common import RecordGraph, RegisterImportError, clean
from ingest.namespaces import AIRO, IAT

LANG = "en"
SOURCE = "uk"
AGENCY = "Algorithmic Transparency Recording Standard (GOV.UK)"
RECORD_URL = re.compile(r"https://www\.gov\.uk/algorithmic-transparency-records/([a-z0-9-]+)/?")
FIELDS = ("publishing_body", "tool_name", "title", "url", "published", "description")


def read_records(path: Path) -> list[dict]:
    data = common.read_json(path)
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise RegisterImportError(path, "objet JSON avec une liste « records » attendu")
    seen: set[str] = set()
    for index, record in enumerate(records):
        where = f"n° {index + 1}"
        if not isinstance(record, dict):
            raise RegisterImportError(path, "objet JSON attendu", where)
        for field in FIELDS:
            if field not in record:
                raise RegisterImportError(path, "champ manquant", where, field)
        match = RECORD_URL.fullmatch(clean(record["url"]))
        if not match:
            raise RegisterImportError(
                path, f"adresse GOV.UK inattendue « {clean(record['url'])} »", where, "url"
            )
        if match[1] in seen:
            raise RegisterImportError(path, "enregistrement en double", match[1], "url")
        seen.add(match[1])
    return records


def record_key(record: dict) -> str:
    """The record's GOV.UK slug: …/algorithmic-transparency-records/hmrc-ask-hmrc-online -> hmrc-ask-hmrc-online."""
    match = RECORD_URL.fullmatch(clean(record["url"]))
    assert match is not None  # checked by read_records
    return match[1]


def publishing_body(record: dict, known_bodies: set[str]) -> str:
    """The publishing body; when the index leaves it empty, the prefix of the record's own title
    ("DSIT - Redbox") if that prefix is the name of a publishing body elsewhere in the same index."""
    body = clean(record["publishing_body"])
    if body:
        return body
    match = re.match(r"([^:–-]+?)\s*[:–-]\s+\S", clean(record["title"]))
    return match[1] if match and match[1] in known_bodies else ""


def map_record(rg: RecordGraph, record: dict, source, known_bodies: set[str]) -> URIRef:
    key = record_key(record)
    url = clean(record["url"])
    uc = rg.iri(iris.register_use_case_iri(SOURCE, key))
    g = rg.graph
    g.add((uc, RDF.type, IAT.UseCase))
    g.add((uc, DCTERMS.identifier, Literal(key)))
    title = clean(record["title"]) or clean(record["tool_name"]) or key
    rg.text(uc, DCTERMS.title, title, LANG)
    tool = clean(record["tool_name"])
    if tool and tool != title:
        rg.text(uc, DCTERMS.alternative, tool, LANG)
    description = common.clean_multiline(record["description"])
    rg.text(uc, DCTERMS.description, description, LANG)
    rg.text(uc, DCTERMS.abstract, common.summary(description or title), LANG)
    body = publishing_body(record, known_bodies)
    if body:
        g.add((uc, AIRO.isDeployedBy, rg.organisation(body, deployer=True, source=url)))
    g.add((uc, DCAT.landingPage, URIRef(url)))
    published = clean(record["published"])[:10]
    date = published if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published) else source.snapshot
    rg.identifier(uc, "atrs", key, AGENCY)
    rg.provenance(
        uc,
        derived_from=url,
        sources=[url],
        licence=source.licence,
        attribution=source.attribution,
        language=LANG,
        created=date,
        modified=date,
    )
    return uc


def import_file(path: Path, base: str) -> Graph:
    from ingest.sources import source_named

    source = source_named("uk-atrs")
    records = read_records(path)
    known = {clean(r["publishing_body"]) for r in records if clean(r["publishing_body"])}
    rg = RecordGraph(base)
    for record in records:
        map_record(rg, record, source, known)
    return rg.graph
