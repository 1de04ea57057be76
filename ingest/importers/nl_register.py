"""Dutch Algorithm Register (algoritmes.overheid.nl) -> RDF.

Two files: the daily export of all published records (10 fields each, ``import_file``) and full records
in the Dutch publication standard v1.0 from MinBZK's repository (``import_v1_file``). Texts are Dutch
(``@nl``); value lists go through ``ingest/mappings/nl-*.csv``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ingest import iris
from ingest.importers import common
from ingest.importers.common import RecordGraph, RegisterImportError, clean, mapping, strip_html
from ingest.namespaces import AIRO, DPV, IAT, SCHEMA, VCARD

LANG = "nl"
AGENCY = "Algoritmeregister van de Nederlandse overheid"
SOURCE = "nl"
SOURCE_V1 = "nl-v1"
V1_TEMPLATES = "https://github.com/MinBZK/Algoritmeregister/blob/main/backend/app/data/templates/1.0/"
SNAPSHOT_FIELDS = ("id", "title", "organisatie", "doel", "status", "geregistreerd", "url")


# --- the 1,530-record export ------------------------------------------------------------------------


def read_records(path: Path) -> tuple[list[dict], str]:
    """The records of the export and its fetch date (YYYY-MM-DD)."""
    data = common.read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("algoritmes"), list):
        raise RegisterImportError(path, "objet JSON avec une liste « algoritmes » attendu")
    fetched = clean(data.get("fetched_at"))[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", fetched):
        raise RegisterImportError(path, f"date d'extraction invalide « {fetched} »", field="fetched_at")
    seen: set[str] = set()
    for index, record in enumerate(data["algoritmes"]):
        if not isinstance(record, dict):
            raise RegisterImportError(path, "objet JSON attendu", f"n° {index + 1}")
        key = clean(record.get("id"))
        if not key:
            raise RegisterImportError(path, "identifiant manquant", f"n° {index + 1}", "id")
        if key in seen:
            raise RegisterImportError(path, "identifiant en double", key, "id")
        seen.add(key)
        for field in SNAPSHOT_FIELDS:
            if field not in record:
                raise RegisterImportError(path, "champ manquant", key, field)
    if data.get("count") not in (None, len(data["algoritmes"])):
        raise RegisterImportError(
            path, f"« count » vaut {data['count']} pour {len(data['algoritmes'])} enregistrements"
        )
    return data["algoritmes"], fetched


def _iso_date(value) -> str:
    value = clean(value)[:10]
    return value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""


def map_record(rg: RecordGraph, record: dict, path: Path | str, source, fetched: str) -> URIRef:
    key = clean(record["id"])
    uc = rg.iri(iris.register_use_case_iri(SOURCE, key))
    g = rg.graph
    g.add((uc, RDF.type, IAT.UseCase))
    g.add((uc, DCTERMS.identifier, Literal(key)))
    title = clean(record["title"]) or key
    rg.text(uc, DCTERMS.title, title, LANG)
    goal = common.clean_multiline(record["doel"])
    rg.text(uc, DCTERMS.description, goal, LANG)
    rg.text(uc, DCTERMS.abstract, common.summary(goal or title), LANG)
    organisation = clean(record["organisatie"])
    url = clean(record["url"])
    if organisation:
        g.add((uc, AIRO.isDeployedBy, rg.organisation(organisation, deployer=True, source=url or None)))
    for concept in mapping("nl-stades").iris(record["status"], path, key, "status"):
        g.add((uc, IAT.stage, concept))
    legal = clean(record.get("juridische_basis"))
    if legal:
        node = URIRef(iris.part_iri(str(uc), "base-legale", 1))
        g.add((uc, IAT.legalBasis, node))
        g.add((node, DCTERMS.title, Literal(legal, lang=LANG)))
    if url:
        g.add((uc, DCAT.landingPage, URIRef(url)))
    created = _iso_date(record["geregistreerd"]) or fetched
    rg.identifier(uc, "algoritmeregister", key, AGENCY)
    rg.provenance(
        uc,
        derived_from=url or source.homepage,
        sources=[url] if url else [source.homepage],
        licence=source.licence,
        attribution=source.attribution,
        language=LANG,
        created=created,
        modified=created,
    )
    return uc


def import_file(path: Path, base: str) -> Graph:
    """The whole export as one graph (absolute IRIs under ``base``)."""
    from ingest.sources import source_named

    records, fetched = read_records(path)
    source = source_named("nl-algoritmeregister")
    rg = RecordGraph(base)
    for record in records:
        map_record(rg, record, path, source, fetched)
    return rg.graph


# --- full records in the publication standard v1.0 ---------------------------------------------------


def read_v1_records(path: Path) -> list[dict]:
    data = common.read_json(path)
    if not isinstance(data, list):
        raise RegisterImportError(path, "liste JSON d'enregistrements attendue")
    seen: set[str] = set()
    for index, record in enumerate(data):
        key = clean(record.get("id")) if isinstance(record, dict) else ""
        if not key:
            raise RegisterImportError(path, "identifiant manquant", f"n° {index + 1}", "id")
        if key in seen:
            raise RegisterImportError(path, "identifiant en double", key, "id")
        seen.add(key)
        for field in ("name", "description_short", "status", "_template_file"):
            if field not in record:
                raise RegisterImportError(path, "champ manquant", key, field)
    return data


def _provider_name(value) -> str:
    """ "Oribi B.V. – https://www.oribi.nl" -> "Oribi B.V." (the URL goes to the organisation's homepage)."""
    return re.split(r"\s+[–-]\s+https?://", clean(value))[0].strip()


def _deployer_from_template(template_file: str) -> str:
    """Templates of a municipality are named after it ("Gemeente Tilburg.json"); suppliers' are not."""
    name = template_file.removesuffix(".json").strip()
    return name if name.startswith("Gemeente ") else ""


def _links(rg: RecordGraph, uc: URIRef, grouping, part: str, prop, cls) -> int:
    """{title, link} lists of the v1.0 standard -> nodes ``#{part}-N`` with dct:title and foaf:page."""
    count = 0
    for item in grouping or []:
        title = clean(item.get("title"))
        links = common.urls_in_cell(clean(item.get("link")))
        if common.urls_in_cell(title) == [title]:  # a bare URL given as the title is the link
            links = links or [title]
        if not title and not links:
            continue
        count += 1
        node = URIRef(iris.part_iri(str(uc), part, count))
        rg.graph.add((uc, prop, node))
        if cls is not None:
            rg.graph.add((node, RDF.type, cls))
        rg.text(node, DCTERMS.title, title, LANG)
        for link in links:
            rg.graph.add((node, FOAF.page, URIRef(link)))
    return count


def map_v1_record(rg: RecordGraph, record: dict, path: Path | str, source) -> URIRef:
    key = clean(record["id"])
    uc = rg.iri(iris.register_use_case_iri(SOURCE_V1, key))
    g = rg.graph
    template = clean(record["_template_file"])
    record_url = V1_TEMPLATES + quote(template)
    deployer = clean(record.get("organization")) or _deployer_from_template(template)
    # A supplier's template describes a product that municipalities may deploy, not one deployment:
    # it is typed airo:AISystem (provided by the supplier), not iat:UseCase (which needs a deployer).
    g.add((uc, RDF.type, IAT.UseCase if deployer else AIRO.AISystem))
    g.add((uc, DCTERMS.identifier, Literal(key)))
    title = clean(record["name"]) or key
    rg.text(uc, DCTERMS.title, title, LANG)
    short = clean(record.get("description_short"))
    goal = strip_html(record.get("goal"))
    rg.text(uc, DCTERMS.abstract, common.summary(short or goal or title), LANG)
    rg.text(uc, DCTERMS.description, goal, LANG)
    if deployer:
        g.add((uc, AIRO.isDeployedBy, rg.organisation(deployer, deployer=True, source=record_url)))
    provider = _provider_name(record.get("provider"))
    if provider:
        org = rg.organisation(provider, deployer=False, source=record_url)
        g.add((uc, AIRO.isProvidedBy, org))
        for homepage in common.urls_in(clean(record.get("provider"))):
            g.add((org, FOAF.homepage, URIRef(homepage)))
    for category in record.get("category") or []:
        for concept in mapping("nl-domaines").iris(category, path, key, "category"):
            g.add((uc, IAT.domain, concept))
    for concept in mapping("nl-stades").iris(record["status"], path, key, "status"):
        g.add((uc, IAT.stage, concept))
    for concept in mapping("nl-techniques").iris(clean(record.get("type")), path, key, "type"):
        g.add((uc, IAT.technique, concept))
    for field, prop in (("begin_date", SCHEMA.startDate), ("end_date", SCHEMA.endDate)):
        rg.add(uc, prop, common.partial_date(record.get(field)))
    for tag in re.split(r"[,;\n]", strip_html(record.get("tags"))):
        rg.text(uc, DCAT.keyword, clean(tag), LANG)
    pages = common.urls_in_cell(clean(record.get("website"))) or common.urls_in_cell(clean(record.get("url")))
    if pages:
        g.add((uc, DCAT.landingPage, URIRef(pages[0])))
    rg.text(uc, IAT.proportionality, strip_html(record.get("proportionality")), LANG)
    rg.text(uc, IAT.technicalDescription, strip_html(record.get("methods_and_models")), LANG)
    rg.text(uc, IAT.decisionProcess, strip_html(record.get("human_intervention")), LANG)
    risks = strip_html(record.get("risks"))
    if risks:
        node = URIRef(iris.part_iri(str(uc), "risque", 1))
        g.add((uc, AIRO.hasRisk, node))
        g.add((node, RDF.type, IAT.Risk))
        # the standard has one free text for risks: its first sentence (cut at 150 characters) is the title
        first = re.split(r"(?<=[.!?])\s|\n", risks, maxsplit=1)[0]
        g.add((node, DCTERMS.title, Literal(common.summary(first, 150), lang=LANG)))
        g.add((node, DCTERMS.description, Literal(risks, lang=LANG)))
    if not _links(rg, uc, record.get("lawful_basis_grouping"), "base-legale", IAT.legalBasis, None):
        legal = strip_html(record.get("lawful_basis"))
        if legal:
            node = URIRef(iris.part_iri(str(uc), "base-legale", 1))
            g.add((uc, IAT.legalBasis, node))
            g.add((node, DCTERMS.title, Literal(legal, lang=LANG)))
    assessments = [
        (clean(item.get("title")), clean(item.get("link")), "")
        for item in record.get("impacttoetsen_grouping") or []
        if clean(item.get("title"))
    ]
    if not assessments and strip_html(record.get("impacttoetsen")):
        text = strip_html(record.get("impacttoetsen"))
        assessments = [(text, "", text)]
    count = 0
    for title, link, description in assessments:
        kinds = mapping("nl-evaluations").iris(title, path, key, "impacttoetsen")
        if not kinds:  # e.g. a text saying that no assessment applies
            continue
        count += 1
        node = URIRef(iris.part_iri(str(uc), "evaluation", count))
        g.add((uc, DPV.hasImpactAssessment, node))
        g.add((node, RDF.type, IAT.ImpactAssessment))
        for kind in kinds:
            g.add((node, DCTERMS.type, kind))
        if description:
            g.add((node, DCTERMS.description, Literal(description, lang=LANG)))
            title = common.summary(title, 150)
        g.add((node, DCTERMS.title, Literal(title, lang=LANG)))
        for page in common.urls_in_cell(link):
            g.add((node, FOAF.page, URIRef(page)))
    for item in record.get("source_data_grouping") or []:
        for link in common.urls_in_cell(clean(item.get("link"))):
            g.add((uc, DPV.hasDataSource, URIRef(link)))
    for link in common.urls_in_cell(clean(record.get("source_data_link"))):
        g.add((uc, DPV.hasDataSource, URIRef(link)))
    email = clean(record.get("contact_email"))
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        node = URIRef(iris.part_iri(str(uc), "contact"))
        g.add((uc, DCAT.contactPoint, node))
        g.add((node, RDF.type, VCARD.Kind))
        g.add((node, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        g.add((node, VCARD.fn, Literal(provider or deployer or email)))
    rg.identifier(uc, "algoritmeregister-v1", key, "MinBZK/Algoritmeregister (publicatiestandaard 1.0)")
    rg.provenance(
        uc,
        derived_from=record_url,
        sources=[record_url],
        licence=source.licence,
        attribution=source.attribution,
        language=LANG,
        created=source.snapshot,
        modified=source.snapshot,
    )
    return uc


def import_v1_file(path: Path, base: str) -> Graph:
    from ingest.sources import source_named

    source = source_named("nl-algoritmeregister-v1")
    rg = RecordGraph(base)
    for record in read_v1_records(path):
        map_v1_record(rg, record, path, source)
    return rg.graph
