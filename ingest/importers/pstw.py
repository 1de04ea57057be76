"""EU Public Sector Tech Watch (JRC) CSV -> RDF, one ``iat:UseCase`` per row (``id/cas-usage/pstw-{n}``).

Stages: ``read_rows`` (CSV -> list of dicts, header names stripped) -> ``map_row`` (one row -> triples).
Value lists are mapped through the tables ``ingest/mappings/pstw-*.csv``; an unknown value stops the import
with a French error naming the file, the record and the column.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, RDFS, XSD

from ingest import iris
from ingest.importers import common
from ingest.importers.common import RecordGraph, RegisterImportError, clean, mapping
from ingest.namespaces import AIRO, COFOG, IAT, SCHEMA

SOURCE = "pstw"
SNAPSHOT = "2026-03-04"
DATASET = "https://data.europa.eu/89h/e8e7bddd-8510-4936-9fa6-7e1b399cbd92"
AGENCY = "Public Sector Tech Watch (European Commission, Joint Research Centre)"
LANG = "en"

ID, NAME, WEBSITE, DESCRIPTION = "PSTW ID", "Name", "Website", "Description"
COUNTRY, NUTS_CODE, ORGANISATION = "Geographical coverage (country)", "NUTS 2021", "Responsible organisation"
ORG_CATEGORY = "Responsible organisation category"
COFOG_1, COFOG_2 = "Functions of Government (COFOG level I)", "Functions of Government (COFOG level II)"
STATUS, START, END, UPDATED = "Status", "Start Year", "End Year", "Date updated"
INTERACTION, PRIMARY_TECH, SECONDARY_TECH = "Interaction", "Primary Technology", "Secondary Technology"
AI_CLASSES = (
    "AI Classification Subdomain (II) (main)",
    "AI Classification Subdomain (II) (Other I)",
    "AI Classification Subdomain (II) (Other II)",
    "AI Classification Subdomain (II) (Other III)",
)
AI_KEYWORDS, APPLICATION, FUNDING = "AI Keywords", "Application type", "Funding source"
COLLABORATION = "Collaboration type"
SOURCE_TEXT, STORIES = "Source", "Stories link"
OPEN_INPUT, OPEN_OUTPUT = "Open components in input", "Open components in output"
REQUIRED = (ID, NAME, DESCRIPTION, COUNTRY, NUTS_CODE, ORGANISATION, COFOG_1, COFOG_2, STATUS, UPDATED)

# Columns kept as they are nowhere else in our model ("ignored on purpose", see ingest/mappings/README.md):
# Geographical extent, Process type, Cross Border, Cross Sector, AI Classification (I),
# Procurement (EU Model Contractual AI), GovTech, Company name or GovTech ID, GovTech Initiative + ID.


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the PSTW CSV (gzipped or not), with a French error if a column is missing."""
    rows = common.read_csv_rows(path, REQUIRED)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        key = clean(row[ID])
        if not re.fullmatch(r"PSTW-\d+", key):
            raise RegisterImportError(path, f"identifiant invalide « {key} » (ligne {number})", key, ID)
        if key in seen:
            raise RegisterImportError(path, f"identifiant en double (ligne {number})", key, ID)
        seen.add(key)
    return rows


def record_iri(row: dict[str, str]) -> str:
    """Relative IRI of a row: PSTW-2232 -> id/cas-usage/pstw-2232."""
    return iris.register_use_case_iri(SOURCE, clean(row[ID]).removeprefix("PSTW-"))


def authority_rows(organisation: str) -> list[dict[str, str]]:
    """The French local authorities behind a PSTW organisation name, from
    ``ingest/mappings/pstw-french-authorities.csv``: rows with ``nom`` (canonical French name) and
    ``type`` (a concept of the ``types-collectivite`` scheme); several rows when PSTW names two
    authorities in one cell, none when the organisation is not a local authority or not listed."""
    key = common.norm_key(organisation)
    return [row for row in french_authorities() if common.norm_key(row["organisation"]) == key and row["nom"]]


def authority_names(organisation: str) -> list[str]:
    return [row["nom"] for row in authority_rows(organisation)]


@cache
def french_authorities() -> list[dict[str, str]]:
    with (common.MAPPINGS_DIR / "pstw-french-authorities.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def is_french_territorial(row: dict[str, str]) -> bool:
    """A French case of a local or regional authority (not a State body): country France, a local or
    regional government category, and an organisation listed as a local authority in the table."""
    return (
        clean(row[COUNTRY]).casefold() == "france"
        and common.norm_key(row[ORG_CATEGORY]) in {"local government", "regional government"}
        and bool(authority_names(clean(row[ORGANISATION])))
    )


def _date(value: str) -> str:
    """DD/MM/YYYY -> YYYY-MM-DD ("" when empty)."""
    value = clean(value)
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else ""


def _year(value: str) -> Literal | None:
    value = clean(value)
    return Literal(value, datatype=XSD.gYear) if re.fullmatch(r"\d{4}", value) else None


def _cofog(code: str) -> URIRef:
    return COFOG[code.replace(".", "-")]


def map_row(rg: RecordGraph, row: dict[str, str], path: Path | str, source) -> URIRef:
    """Add one PSTW row to ``rg`` and return the use case's IRI."""
    key = clean(row[ID])
    uc = rg.iri(record_iri(row))
    g = rg.graph

    def lookup(name: str, field: str, value: str | None = None) -> list[URIRef]:
        return mapping(name).iris(row[field] if value is None else value, path, key, field)

    g.add((uc, RDF.type, IAT.UseCase))
    g.add((uc, DCTERMS.identifier, Literal(key)))
    title = clean(row[NAME]) or key
    rg.text(uc, DCTERMS.title, title, LANG)
    description = common.clean_multiline(row[DESCRIPTION])
    rg.text(uc, DCTERMS.description, description, LANG)
    rg.text(uc, DCTERMS.abstract, common.summary(description or title), LANG)
    for keyword in re.split(r"[,;\n]", row.get(AI_KEYWORDS, "")):
        rg.text(uc, DCAT.keyword, clean(keyword), LANG)
    for tech in (PRIMARY_TECH, SECONDARY_TECH):
        rg.text(uc, DCAT.keyword, clean(row.get(tech, "")), LANG)
        for concept in lookup("pstw-techniques", tech):
            g.add((uc, IAT.technique, concept))
    for column in AI_CLASSES:
        for concept in lookup("pstw-techniques", column):
            g.add((uc, IAT.technique, concept))

    websites = common.urls_in_cell(row.get(WEBSITE, ""))
    if websites:
        g.add((uc, DCAT.landingPage, URIRef(websites[0])))
    stories = common.urls_in_cell(row.get(STORIES, ""))
    for url in stories:
        g.add((uc, RDFS.seeAlso, URIRef(url)))

    organisation = clean(row[ORGANISATION])
    if organisation:
        authorities = authority_rows(organisation)
        if len(authorities) > 1:  # PSTW names two authorities in one cell ("Nice and Marseille")
            orgs = [
                rg.organisation(a["nom"], deployer=True, source=DATASET, french=True) for a in authorities
            ]
        else:
            orgs = [rg.organisation(organisation, deployer=True, source=DATASET)]
        for org, authority in zip(orgs, authorities or [None] * len(orgs), strict=True):
            g.add((uc, AIRO.isDeployedBy, org))
            if authority and authority["type"]:
                g.add(
                    (org, ORG.classification, URIRef(common.concept("types-collectivite", authority["type"])))
                )

    nuts = clean(row[NUTS_CODE]).upper()
    territory = common.nuts_or_country(rg, nuts, clean(row[COUNTRY]), path, key)
    if territory is not None:
        g.add((uc, DCTERMS.spatial, territory))

    for field in (COFOG_1, COFOG_2):
        codes = common.lookup_table("pstw-cofog", "value").get(common.norm_key(row[field]))
        if codes is None and clean(row[field]):
            raise RegisterImportError(path, f"fonction COFOG inconnue « {clean(row[field])} »", key, field)
        if codes and codes["cofog"]:
            g.add((uc, DCTERMS.subject, _cofog(codes["cofog"])))
    # the more precise COFOG level II gives the domain when it maps to one, else level I
    domains = mapping("pstw-domaines")
    codes = domains.table.get(common.norm_key(row[COFOG_2])) or domains.lookup(
        row[COFOG_1], path, key, COFOG_1
    )
    for code in codes:
        g.add((uc, IAT.domain, URIRef(common.concept(domains.scheme, code))))
    for concept in lookup("pstw-stades", STATUS):
        g.add((uc, IAT.stage, concept))
    for concept in lookup("pstw-publics", INTERACTION):
        g.add((uc, IAT.audience, concept))
    for concept in lookup("pstw-finalites", APPLICATION):
        g.add((uc, IAT.purpose, concept))
    for concept in lookup("pstw-modes-realisation", COLLABORATION):
        g.add((uc, IAT.deliveryMode, concept))
    rg.add(uc, SCHEMA.startDate, _year(row.get(START, "")))
    rg.add(uc, SCHEMA.endDate, _year(row.get(END, "")))
    rg.text(uc, IAT.fundingProgramme, clean(row.get(FUNDING, "")), LANG)

    benefits = mapping("pstw-benefices")
    flags = {common.norm_key(k): v for k, v in row.items()}
    for column, codes in benefits.table.items():
        if clean(flags.get(column, "")).casefold() == "x":
            for code in codes:
                g.add((uc, IAT.expectedBenefit, URIRef(common.concept(benefits.scheme, code))))

    for url in common.urls_in_cell(row.get(OPEN_INPUT, "")):
        g.add((uc, DCTERMS.requires, URIRef(url)))
    common.shared_resources(rg, uc, row.get(OPEN_OUTPUT, ""), LANG)

    sources = [*websites, *stories, *common.urls_in(row.get(SOURCE_TEXT, "")), DATASET]
    updated = _date(row[UPDATED]) or SNAPSHOT
    rg.identifier(uc, SOURCE, key, AGENCY)
    rg.provenance(
        uc,
        derived_from=DATASET,
        sources=sources,
        licence=source.licence,
        attribution=source.attribution,
        language=LANG,
        created=updated,
        modified=updated,
    )
    return uc


def import_rows(rows: list[dict[str, str]], path: Path | str, base: str) -> Graph:
    from ingest.sources import source_named

    source = source_named(SOURCE)
    rg = RecordGraph(base)
    for row in rows:
        map_row(rg, row, path, source)
    return rg.graph


def import_file(path: Path, base: str) -> Graph:
    """The whole PSTW file as one graph (absolute IRIs under ``base``)."""
    return import_rows(read_rows(path), path, base)
