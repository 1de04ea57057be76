"""The reading rules of the real harvesters, re-implemented from their code for the tests.

udata (data.gouv.fr), opendatateam/udata: ``udata/harvest/backends/dcat.py`` (format detection, paging,
dataset selection, skip rules), ``udata/rdf.py`` (``guess_format``, ``ACCEPTED_MIME_TYPES``,
``themes_from_rdf``, ``serialize_value``), ``udata/core/dataset/rdf.py`` (``dataset_from_rdf``,
``resource_from_rdf``, ``format_from_rdf``, ``mime_from_rdf``, ``temporal_from_rdf``, licences) and
``udata/core/dataset/models.py`` (``License.guess`` / ``guess_one``). ckanext-dcat (CKAN):
``ckanext/dcat/processors.py`` (datasets, GUID, paging) and ``profiles/base.py`` (licence of the first
distribution). See ``../shared/reference/HARVESTING.md`` §3–4. Only the parts that decide whether, and with
what, a dataset is harvested are kept; what udata stores in MongoDB is left out. The real udata harvester
can also be run by hand against a served catalogue: ``tests/catalog/tools/udata_harvest.py``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS
from rdflib.resource import Resource
from rdflib.util import SUFFIX_FORMAT_MAP
from rdflib.util import guess_format as rdflib_guess_format

DCAT_DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EUFORMAT = "http://publications.europa.eu/resource/authority/file-type/"
EUFREQ = "http://publications.europa.eu/resource/authority/frequency/"
IANAFORMAT = "https://www.iana.org/assignments/media-types/"

# udata/rdf.py
FORMAT_MAP = {**SUFFIX_FORMAT_MAP, "json": "json-ld", "jsonld": "json-ld", "xml": "xml"}
ACCEPTED_MIME_TYPES = {
    "application/rdf+xml": "xml", "application/xml": "xml", "text/n3": "n3", "application/x-turtle": "turtle",
    "text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
    "application/json": "json-ld", "application/trig": "trig", "text/xml": "xml",
}
CHECKSUM_ALGORITHMS = {SPDX.checksumAlgorithm_md5: "md5", SPDX.checksumAlgorithm_sha1: "sha1",
                       SPDX.checksumAlgorithm_sha256: "sha256"}
EU_FREQUENCIES = {"ANNUAL", "BIENNIAL", "TRIENNIAL", "QUARTERLY", "MONTHLY", "BIMONTHLY", "WEEKLY", "BIWEEKLY",
                  "DAILY", "ANNUAL_2", "ANNUAL_3", "MONTHLY_2", "MONTHLY_3", "WEEKLY_2", "WEEKLY_3", "DAILY_2",
                  "CONT", "UPDATE_CONT", "IRREG", "UNKNOWN", "OTHER", "NEVER"}
MAX_DISTANCE = 2  # udata/core/dataset/constants.py
USER_AGENT = "uData/0.1 dcat"


def guess_format(url: str) -> str | None:
    """udata ``guess_format`` on the source URL (``DcatBackend.get_format`` tries it before HEAD)."""
    if url in ACCEPTED_MIME_TYPES:
        return ACCEPTED_MIME_TYPES[url]
    return rdflib_guess_format(url, FORMAT_MAP)


# -- licences: License.guess over data.gouv.fr's table ----------------------------------------------------
def slugify(text: str) -> str:
    """udata's slug: lowercase ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str | None
    alternate_urls: tuple[str, ...]
    alternate_titles: tuple[str, ...]

    @property
    def slug(self) -> str:
        return slugify(self.title)


def load_licences(path: Path) -> list[Licence]:
    return [Licence(item["id"], item["title"], item.get("url"), tuple(item.get("alternate_urls") or ()),
                    tuple(item.get("alternate_titles") or ())) for item in json.loads(path.read_text("utf-8"))]


def extract_first_url(text: str) -> tuple[str, ...]:
    match = re.search(r"(https?://\S+)", text.rstrip("."))
    if match:
        return match.group(1), text.replace(match.group(1), "").strip()
    return (text,)


def guess_one(licences: list[Licence], text: str) -> Licence | None:
    if not text:
        return None
    text = text.strip().lower()
    slug = slugify(text)
    for lic in licences:
        if lic.id.lower() == text or lic.slug == slug or (lic.url or "").lower() == text or \
                text in (u.lower() for u in lic.alternate_urls):
            return lic
    if re.match(r"https?://", text):
        match = re.match(r"https?://([^/?#]+)([^?#]*)", text)
        query = f"{match.group(1)}{match.group(2).rstrip('/')}" if match else text
        for lic in licences:
            if query in (lic.url or "").lower() or any(query in u for u in lic.alternate_urls):
                return lic
    for candidates in (
        [lic for lic in licences if levenshtein(lic.slug, slug) <= MAX_DISTANCE],
        [lic for lic in licences if levenshtein(lic.title.lower(), text) <= MAX_DISTANCE],
    ):
        if len(candidates) == 1:
            return candidates[0]
    alternates = {lic for lic in licences for title in lic.alternate_titles
                  if levenshtein(slugify(title), slug) <= MAX_DISTANCE}
    return alternates.pop() if len(alternates) == 1 else None


def guess(licences: list[Licence], *strings: str) -> Licence | None:
    for string in strings:
        for prepared in extract_first_url(string):
            found = guess_one(licences, prepared)
            if found:
                return found
    return None


# -- udata: dataset_from_rdf / resource_from_rdf -----------------------------------------------------------
def serialize_value(value, parse_label: bool = False) -> str | None:
    if isinstance(value, (URIRef, Literal)):
        return str(value)
    if isinstance(value, Resource):
        if parse_label:
            label = value.value(RDFS.label)
            if label is not None:
                return str(label.identifier if isinstance(label, Resource) else label)
        return str(value.identifier)
    return None


def unique_values(resource: Resource, predicate, parse_label: bool = False) -> set[str]:
    return {v for o in resource.objects(predicate) if (v := serialize_value(o, parse_label))}


@dataclass
class HarvestedResource:
    url: str
    title: str
    format: str | None
    mime: str | None
    filesize: str | None
    checksum: str | None
    type: str  # main | api
    modified_dropped: bool
    errors: list[str] = field(default_factory=list)  # validation errors that fail the whole dataset item


@dataclass
class HarvestedDataset:
    node: str
    remote_id: str | None
    title: str | None
    description: str
    tags: set[str]
    frequency: str | None
    temporal_is_uri: bool
    temporal: tuple[object, object] | None
    modified_dropped: bool
    licence: Licence | None
    resources: list[HarvestedResource] = field(default_factory=list)
    skipped: str | None = None
    failed: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _future(value: str | None) -> bool:
    if not value:
        return False
    parsed = datetime.fromisoformat(value) if "T" in value else datetime.combine(date.fromisoformat(value[:10]),
                                                                                   datetime.min.time())
    return parsed.replace(tzinfo=None) > _now()


def theme_tags(d: Resource) -> set[str]:
    tags = {str(k) for k in d.objects(DCAT.keyword) if isinstance(k, Literal)}
    for theme in d.objects(DCAT.theme):
        if isinstance(theme, Resource):
            label = theme.value(SKOS.prefLabel)
            if label is not None:
                tags.add(str(label))
        else:
            tags.add(str(theme))
    return tags


def format_from_rdf(distrib: Resource) -> str | None:
    value = serialize_value(distrib.value(DCTERMS["format"]))
    if not value:
        return None
    if value.startswith((EUFORMAT, IANAFORMAT)):
        return re.split(r"[/#]", value)[-1].lower()
    return value.lower()


def mime_from_rdf(distrib: Resource) -> str | None:
    value = serialize_value(distrib.value(DCAT.mediaType))
    if not value:
        return None
    if IANAFORMAT in value:
        return "/".join(value.split("/")[-2:])
    return value


def resource_from_rdf(distrib: Resource) -> HarvestedResource | None:
    url = serialize_value(distrib.value(DCAT.downloadURL)) or serialize_value(distrib.value(DCAT.accessURL))
    if not url:
        return None  # "Resource without url"
    title = serialize_value(distrib.value(DCTERMS.title))
    if not title:
        last = url.split("/")[-1]
        title = last if "." in last and "?" not in last else "Nameless resource"
    checksum = distrib.value(SPDX.checksum)
    algorithm = None
    errors = []
    if checksum is not None:
        algorithm = CHECKSUM_ALGORITHMS.get(checksum.value(SPDX.algorithm).identifier)
        value = checksum.value(SPDX.checksumValue)
        if algorithm and isinstance(value, Literal) and not isinstance(value.toPython(), str):
            # Checksum.value is a StringField: rdflib turns xsd:hexBinary into bytes, the item fails
            errors.append("checksum.value StringField only accepts string values")
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith((".example", ".test", ".invalid")):
        errors.append(f'URL invalide "{url}" : Domaine invalide')  # udata.uris.validate (TLD list)
    return HarvestedResource(
        url=url, title=title, format=format_from_rdf(distrib), mime=mime_from_rdf(distrib),
        filesize=serialize_value(distrib.value(DCAT.byteSize)),
        checksum=f"{algorithm}:{serialize_value(checksum.value(SPDX.checksumValue))}" if algorithm else None,
        type="api" if distrib.value(DCAT.accessService) is not None else "main",
        modified_dropped=_future(serialize_value(distrib.value(DCTERMS.modified))),
        errors=errors,
    )


def dataset_from_rdf(graph: Graph, node, licences: list[Licence]) -> HarvestedDataset:
    d = graph.resource(node)
    title = serialize_value(d.value(DCTERMS.title))
    description = d.value(DCTERMS.description) or d.value(DCTERMS.abstract)
    frequency = serialize_value(d.value(DCTERMS.accrualPeriodicity))
    if frequency and frequency.startswith(EUFREQ):
        frequency = frequency.removeprefix(EUFREQ) if frequency.removeprefix(EUFREQ) in EU_FREQUENCIES else None
    temporal = d.value(DCTERMS.temporal)
    period = None
    if isinstance(temporal, Resource) and not isinstance(temporal.identifier, URIRef):
        start = temporal.value(DCAT.startDate)
        end = temporal.value(DCAT.endDate)
        period = (start.toPython() if start is not None else None, end.toPython() if end is not None else None)
    hints: set[str] = set()
    resources = []
    for distrib in d.objects(DCAT.distribution):
        harvested = resource_from_rdf(distrib)
        if harvested:
            resources.append(harvested)
        hints |= unique_values(distrib, DCTERMS.license, parse_label=True)
        hints |= unique_values(distrib, DCTERMS.rights, parse_label=True)
    licence = guess(licences, *unique_values(d, DCTERMS.license, parse_label=True),
                    *unique_values(d, DCTERMS.rights, parse_label=True), *hints)
    dataset = HarvestedDataset(
        node=str(node), remote_id=serialize_value(d.value(DCTERMS.identifier)), title=title,
        description=str(description.identifier if isinstance(description, Resource) else description or ""),
        tags=theme_tags(d), frequency=frequency,
        temporal_is_uri=isinstance(temporal, Resource) and isinstance(temporal.identifier, URIRef),
        temporal=period, modified_dropped=_future(serialize_value(d.value(DCTERMS.modified))),
        licence=licence, resources=resources,
    )
    dataset.failed = [e for r in resources for e in r.errors]
    if not dataset.remote_id:
        dataset.skipped = "missing identifier"
    elif not title:
        dataset.skipped = "missing title on dataset"
    return dataset


def udata_datasets(graph: Graph) -> list:
    """``DcatBackend.inner_harvest``: dcat:Dataset/DatasetSeries nodes, minus externally defined ones."""
    nodes = set(graph.subjects(RDF.type, DCAT.Dataset)) | set(graph.subjects(RDF.type, DCAT_DATASET_SERIES))
    kept = []
    for node in sorted(nodes, key=str):
        if graph.value(node, DCTERMS.title) is None:
            incoming = set(graph.predicates(None, node))
            if incoming and incoming <= {DCAT.servesDataset, DCTERMS.hasPart}:
                continue  # :ExcludeExternalyDefinedDataset
        kept.append(node)
    return kept


def udata_dataservices(graph: Graph) -> list:
    """DataServices harvested as such: not those used as a distribution's dcat:accessService."""
    access = set(graph.objects(None, DCAT.accessService))
    return [s for s in graph.subjects(RDF.type, DCAT.DataService) if s not in access]


def next_page(graph: Graph) -> str | None:
    """``KNOWN_PAGINATION``: the first hydra:PartialCollectionView's hydra:next (else PagedCollection)."""
    for view in graph.subjects(RDF.type, HYDRA.PartialCollectionView):
        nxt = graph.value(view, HYDRA.next)
        return str(nxt) if nxt is not None else None
    for view in graph.subjects(RDF.type, HYDRA.PagedCollection):
        nxt = graph.value(view, HYDRA.nextPage)
        return str(nxt) if nxt is not None else None
    return None


def ckan_guid(graph: Graph, node) -> str | None:
    """ckanext-dcat: the dataset URI, else dct:identifier."""
    if isinstance(node, URIRef):
        return str(node)
    identifier = graph.value(node, DCTERMS.identifier)
    return str(identifier) if identifier is not None else None


def ckan_licence(graph: Graph, node) -> tuple[str, str | None] | None:
    """ckanext-dcat ``_license``: the first distribution's dct:license (URL and its dct:title)."""
    for distrib in sorted(graph.objects(node, DCAT.distribution), key=str):
        licence = graph.value(distrib, DCTERMS.license)
        if licence is not None:
            title = graph.value(licence, DCTERMS.title)
            return str(licence), str(title) if title is not None else None
    return None


def is_blank(node) -> bool:
    return isinstance(node, BNode)
