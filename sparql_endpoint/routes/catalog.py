"""Harvestable by open-data portals: the DCAT-AP catalogue, VoID, the downloads, the sitemap.

- ``/catalog`` (negotiated, Turtle by default: harvesters send no ``Accept``) and ``/catalog.ttl``,
  ``.jsonld``, ``.rdf``, ``.nt``: 200 with no redirect (udata refuses any 3xx), ``HEAD`` answered with the
  RDF type, ``?page=N`` with Hydra paging when the catalogue holds more datasets than ``catalog_page_size``.
- ``/.well-known/void``: the VoID description (negotiated).
- ``/telechargements``: the French list of the build's files; ``/telechargements/{file}``: the file, with
  ``ETag`` (its sha256 from the manifest), ``Last-Modified``, 304, and gzip on the fly where it helps.
- ``/sitemap.xml`` (an index of ``/sitemap-{n}.xml`` past 50,000 URLs) and ``/robots.txt``.

The catalogue, VoID and sitemap of a build are computed once (a few store queries) and cached per build.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response, StreamingResponse
from rdflib import Graph

from sparql_endpoint import catalog as cat
from sparql_endpoint import media_types as mt
from sparql_endpoint import void as vd
from sparql_endpoint.deps import SettingsDep, StoreDep
from sparql_endpoint.errors import (
    QueryTimeout,
    ResourceNotFound,
    ResultTooLarge,
    ServiceBusy,
    StoreUnavailable,
)
from sparql_endpoint.execute import QueryJob
from sparql_endpoint.negotiation import negotiate
from sparql_endpoint.rendering import bytes_response, graph_bytes, html_response
from sparql_endpoint.settings import Settings
from sparql_endpoint.store import BuildInfo, Store

router = APIRouter()

RDF_TYPES = (mt.TURTLE, mt.JSON_LD, mt.RDF_XML, mt.N_TRIPLES)
_OFFERED = [m.media_type for m in RDF_TYPES]
_BY_EXTENSION = {m.extension: m for m in RDF_TYPES}
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
GZIP_MIN_BYTES = 1024
_CHUNK = 1 << 20
NO_BUILD = "Aucune construction de la bibliothèque n'est disponible : le catalogue sera publié après « make build »."
W3ID = "https://w3id.org/ia-territoriales/"
# pages with no path parameter that are not HTML pages (left out of the sitemap)
_NOT_PAGES = ("/catalog", "/robots.txt", "/sitemap", "/.well-known", "/context", "/static", "/telechargements/")


def register(app: FastAPI) -> None:
    app.include_router(router)


@dataclass
class Published:
    """What one build publishes around its data, each part computed on first use and kept for the build."""

    build: BuildInfo
    parts: dict[str, Any] = field(default_factory=dict)  # "catalog", "void", "pages"


_LOCK = threading.Lock()


def _rows(store: Store, settings: Settings, query: str) -> list[dict[str, str]]:
    job = QueryJob(query=query, result_type=mt.SPARQL_JSON.media_type, graph_type=None,
                   limit=max(settings.result_limit * 10, 1_000_000))
    bindings = json.loads(store.execute(job).body)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def _graph(store: Store, settings: Settings, query: str) -> Graph:
    job = QueryJob(query=query, result_type=None, graph_type=mt.N_TRIPLES.media_type,
                   limit=max(settings.result_limit * 10, 1_000_000))
    return Graph().parse(data=store.execute(job).body.decode("utf-8"), format="nt")


def _sitemap_query(base: str) -> str:
    # the fictional examples (graphe/exemples) are not pages a search engine should list
    return f"""SELECT DISTINCT ?s WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{base}graphe/exemples>)
  FILTER(isIRI(?s) && !CONTAINS(STR(?s), "#")
         && (STRSTARTS(STR(?s), "{base}id/") || STRSTARTS(STR(?s), "{W3ID}nomenclature/")))
  FILTER NOT EXISTS {{ ?s <http://www.w3.org/2002/07/owl#deprecated> true }}
  FILTER NOT EXISTS {{ ?s <http://purl.org/dc/terms/isReplacedBy> ?other }}
}}"""


def document_url(iri: str, base: str) -> str | None:
    """The HTML document of a resource IRI the service answers for, or None."""
    if iri.startswith(f"{base}id/"):
        return base + quote("doc/" + iri.removeprefix(f"{base}id/"), safe="/:@!$&'()*+,;=-._~")
    if iri.startswith(f"{W3ID}nomenclature/"):
        local = iri.removeprefix(W3ID)
        if 2 <= len(local.split("/")) <= 3 and all(local.split("/")):
            return base + quote(local, safe="/-._~")
    return None


def _catalog_data(store: Store, settings: Settings, build: BuildInfo) -> cat.CatalogData:
    facts = _graph(store, settings, cat.FACTS_QUERY)
    per_graph = cat.graph_facts(
        settings.base_url,
        _rows(store, settings, cat.GRAPH_STATS_QUERY),
        _rows(store, settings, cat.LANGUAGES_QUERY),
        _rows(store, settings, cat.TERRITORIES_QUERY),
    )
    return cat.build_catalog(build.manifest, cat.CatalogSettings.from_settings(settings), facts, per_graph)


def _optional_rows(store: Store, settings: Settings, query: str) -> list[dict[str, str]]:
    """Counts that are nice to have: a store too slow for them (timeout) leaves them out of VoID."""
    try:
        return _rows(store, settings, query)
    except (QueryTimeout, ResultTooLarge, ServiceBusy):
        return []


def _void(store: Store, settings: Settings, build: BuildInfo) -> Graph:
    stats: dict[str, str] = {}
    for query in (vd.STATS_QUERY, vd.ENTITIES_QUERY):
        stats.update((_optional_rows(store, settings, query) or [{}])[0])
    terms = [row["term"] for row in _optional_rows(store, settings, vd.VOCABULARY_QUERY) if "term" in row]
    per_graph = _optional_rows(store, settings, vd.GRAPH_STATS_QUERY)
    return vd.void_graph(build.manifest, settings.base_url, stats, per_graph, terms)


def _pages(store: Store, settings: Settings, build: BuildInfo) -> list[str]:
    base = settings.base_url
    return sorted({url for row in _rows(store, settings, _sitemap_query(base)) if (url := document_url(row["s"], base))})


_MAKERS = {"catalog": _catalog_data, "void": _void, "pages": _pages}


def published(request: Request, store: Store, settings: Settings, part: str) -> tuple[Any, BuildInfo]:
    """One part of the current build's publication, cached until ``var/current`` moves."""
    build = store.build()
    if build is None:
        raise StoreUnavailable(NO_BUILD)
    with _LOCK:
        cached: Published | None = getattr(request.app.state, "published", None)
        if cached is None or cached.build.build_id != build.build_id or cached.build.path != build.path:
            cached = Published(build)
            request.app.state.published = cached
        if part not in cached.parts:
            cached.parts[part] = _MAKERS[part](store, settings, build)
        return cached.parts[part], cached.build


def _order(triple: ox.Triple) -> tuple[str, str, int, str]:
    """Stable order, French literal first: udata keeps the first value a parser meets (``obj.value``),
    so a French portal shows the French title and description."""
    obj = triple.object
    rank = 0 if isinstance(obj, ox.Literal) and obj.language == "fr" else 1
    return str(triple.subject), str(triple.predicate), rank, str(obj)


def _serialise(graph: Graph, media: mt.MediaType) -> bytes:
    """rdflib graph -> bytes through the service's pyoxigraph serialisers (the one media-type table)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    triples = [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    triples.sort(key=_order)
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    return graph_bytes(triples, media, prefixes)


def _cache_headers(build: BuildInfo, seed: str) -> dict[str, str]:
    # weak: the same build and settings give the same graph, but blank-node labels differ between processes
    tag = hashlib.sha256(f"{build.build_id}|{seed}".encode()).hexdigest()[:32]
    return {"ETag": f'W/"{tag}"', "Last-Modified": format_datetime(build.created, usegmt=True)}


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag.removeprefix("W/") in tags or "*" in tags


def _rdf_response(request: Request, graph: Graph, media: mt.MediaType, build: BuildInfo, seed: str,
                  headers: dict[str, str]) -> Response:
    headers = {**headers, **_cache_headers(build, f"{seed}|{media.media_type}")}
    if _not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return bytes_response(_serialise(graph, media), media.media_type, headers=headers)


_NUMBER = re.compile(r"[0-9]{1,9}")  # str.isdigit() admits "²", which int() refuses: a 500, not a 404


# -- the catalogue --------------------------------------------------------------------------------------
def _page_number(request: Request, pages: int) -> int:
    raw = request.query_params.get("page", "1")
    if not _NUMBER.fullmatch(raw) or not 1 <= int(raw) <= pages:
        raise ResourceNotFound(f"Page « {raw} » du catalogue introuvable : les pages vont de 1 à {pages}.")
    return int(raw)


async def _catalog(request: Request, store: Store, settings: Settings, extension: str | None) -> Response:
    if extension is None:
        media = mt.lookup(negotiate(request.headers.get("accept"), request.query_params.getlist("format") or None,
                                    _OFFERED))
    else:
        media = _BY_EXTENSION[extension]
    data, build = await run_in_threadpool(published, request, store, settings, "catalog")
    number = _page_number(request, data.pages)
    base = settings.base_url
    suffix = f"?page={number}" if number > 1 else ""
    headers = {
        "Link": ", ".join(f'<{base}catalog.{m.extension}{suffix}>; rel="alternate"; type="{m.media_type}"'
                          for m in RDF_TYPES),
    }
    if extension is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{base}catalog.{media.extension}{suffix}"
    graph = await run_in_threadpool(data.page, number, media.extension)
    seed = f"catalog|{number}|{cat.CatalogSettings.from_settings(settings)!r}"  # a new publisher: a new ETag
    return await run_in_threadpool(_rdf_response, request, graph, media, build, seed, headers)


@router.api_route("/catalog", methods=["GET", "HEAD"])
async def catalog_negotiated(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _catalog(request, store, settings, None)


@router.api_route("/catalog.{extension}", methods=["GET", "HEAD"])
async def catalog_file(extension: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    if extension not in _BY_EXTENSION:
        raise ResourceNotFound(
            f"Format « .{extension} » inconnu pour le catalogue : "
            + ", ".join(f"/catalog.{e}" for e in _BY_EXTENSION) + "."
        )
    return await _catalog(request, store, settings, extension)


# -- VoID -----------------------------------------------------------------------------------------------
@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
async def void_description(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    media = mt.lookup(negotiate(request.headers.get("accept"), request.query_params.getlist("format") or None,
                                _OFFERED))
    void, build = await run_in_threadpool(published, request, store, settings, "void")
    return await run_in_threadpool(_rdf_response, request, void, media, build, "void", {"Vary": "Accept"})


# -- downloads ------------------------------------------------------------------------------------------
def _downloads(build: BuildInfo) -> list[dict[str, Any]]:
    return [f for f in build.manifest.get("files") or []
            if isinstance(f, dict) and f.get("name") and str(f.get("path", "")).startswith("dumps/")]


def _size(n: int) -> str:
    for unit, scale in (("Go", 1 << 30), ("Mo", 1 << 20), ("ko", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".", ",")
    return f"{n} octets"


def _format_label(entry: dict[str, Any]) -> str:
    media = mt.BY_MEDIA_TYPE.get(str(entry.get("media_type")))
    label = media.label if media else {"application/n-quads": "N-Quads", "application/trig": "TriG",
                                       "application/json": "JSON", "text/plain": "texte"}.get(
        str(entry.get("media_type")), str(entry.get("media_type")))
    return f"{label}, gzip" if entry.get("compress_format") else label


@router.api_route("/telechargements", methods=["GET", "HEAD"])
async def downloads_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    build = await run_in_threadpool(store.build)
    if build is None:
        raise StoreUnavailable(NO_BUILD)
    files = [{**f, "size": _size(int(f.get("bytes") or 0)), "format": _format_label(f),
              "url": f"/telechargements/{quote(str(f['name']))}"} for f in _downloads(build)]
    return html_response(request, "telechargements.html",
                         {"files": files, "build": build, "settings": settings},
                         headers=_cache_headers(build, "telechargements"))


def _gzip_chunks(path: Path) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip container
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if out := compressor.compress(chunk):
                yield out
    yield compressor.flush()


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _download_entry(build: BuildInfo, name: str) -> tuple[dict[str, Any], Path]:
    """The manifest entry and file of a download (file system calls: run in the thread pool)."""
    entry = next((f for f in _downloads(build) if f["name"] == name), None)
    path = (build.path / str(entry["path"])).resolve() if entry else None
    if entry is None or path is None or not path.is_file() or (build.path / "dumps").resolve() not in path.parents:
        raise ResourceNotFound(f"Aucun fichier « {name} » dans les téléchargements de la construction "
                               f"{build.build_id} (voir /telechargements).")
    return entry, path


@router.api_route("/telechargements/{name}", methods=["GET", "HEAD"])
async def download(name: str, request: Request, store: StoreDep) -> Response:
    build = await run_in_threadpool(store.build)
    if build is None:
        raise StoreUnavailable(NO_BUILD)
    entry, path = await run_in_threadpool(_download_entry, build, name)
    sha = str(entry.get("sha256") or "")
    compressible = not name.endswith(".gz") and int(entry.get("bytes") or 0) >= GZIP_MIN_BYTES
    gzip = compressible and request.method == "GET" and _accepts_gzip(request)
    media_type = "application/gzip" if entry.get("compress_format") else str(entry.get("media_type"))
    known = mt.BY_MEDIA_TYPE.get(media_type)
    text = media_type.startswith("text/") or media_type in ("application/ld+json", "application/n-triples",
                                                            "application/n-quads", "application/trig",
                                                            "application/json")
    content_type = known.content_type if known else (f"{media_type}; charset=utf-8" if text else media_type)
    headers = {
        "ETag": f'"{sha}-gzip"' if gzip else f'"{sha}"',
        "Last-Modified": format_datetime(build.created, usegmt=True),
        "Cache-Control": "public, max-age=3600",
    }
    if compressible:
        headers["Vary"] = "Accept-Encoding"
    if _not_modified(request, f'"{sha}"') or _not_modified(request, f'"{sha}-gzip"'):
        return Response(status_code=304, headers=headers)
    if gzip:
        return StreamingResponse(_gzip_chunks(path), media_type=content_type,
                                 headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(path, media_type=content_type, headers=headers, content_disposition_type="inline",
                        filename=name)


# -- sitemap and robots.txt -----------------------------------------------------------------------------
def _walk(routes, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every route with its full path, inside included routers too (FastAPI keeps them nested)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(included.routes, prefix + str(getattr(context, "prefix", "") or ""))
        elif isinstance(getattr(route, "path", None), str):
            yield prefix + route.path, route


def static_pages(app: FastAPI, base: str) -> list[str]:
    """The HTML pages without path parameters that the app serves (home, SPARQL editor, listings…)."""
    urls = []
    for path, route in _walk(app.routes):
        methods = getattr(route, "methods", None) or set()
        if "GET" not in methods or "{" in path or path.startswith(_NOT_PAGES) or "." in path.rsplit("/", 1)[-1]:
            continue
        urls.append(base + path.lstrip("/"))
    return sorted(set(urls))


def sitemap_files(urls: list[str], lastmod: str, base: str, limit: int = SITEMAP_LIMIT) -> list[bytes]:
    """One sitemap (a list of one document) up to ``limit`` URLs; past it an index, then the parts."""

    def urlset(part: list[str]) -> bytes:
        items = "".join(f"<url><loc>{escape(u)}</loc><lastmod>{lastmod}</lastmod></url>\n" for u in part)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{items}</urlset>\n").encode()

    if len(urls) <= limit:
        return [urlset(urls)]
    parts = [urls[i: i + limit] for i in range(0, len(urls), limit)]
    index = "".join(f"<sitemap><loc>{escape(base)}sitemap-{n}.xml</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
                    for n in range(1, len(parts) + 1))
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"\n{index}</sitemapindex>\n").encode()
    return [head, *(urlset(p) for p in parts)]


async def _sitemaps(request: Request, store: Store, settings: Settings) -> tuple[list[bytes], BuildInfo]:
    pages, build = await run_in_threadpool(published, request, store, settings, "pages")
    urls = static_pages(request.app, settings.base_url) + pages
    return sitemap_files(urls, build.created.date().isoformat(), settings.base_url, SITEMAP_LIMIT), build


@router.api_route("/sitemap.xml", methods=["GET", "HEAD"])
async def sitemap(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    files, build = await _sitemaps(request, store, settings)
    return Response(files[0], media_type="application/xml", headers=_cache_headers(build, "sitemap-0"))


@router.api_route("/sitemap-{number}.xml", methods=["GET", "HEAD"])
async def sitemap_part(number: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    files, build = await _sitemaps(request, store, settings)
    if not _NUMBER.fullmatch(number) or not 1 <= int(number) < len(files) or len(files) == 1:
        raise ResourceNotFound(f"Aucune partie « {number} » du plan du site (voir /sitemap.xml).")
    return Response(files[int(number)], media_type="application/xml",
                    headers=_cache_headers(build, f"sitemap-{number}"))


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
async def robots(settings: SettingsDep) -> Response:
    body = (
        "# Bibliothèque d'IA territoriales\n"
        "User-agent: *\n"
        "Allow: /\n"
        "# les requêtes SPARQL sont pour les programmes, pas pour l'indexation\n"
        "Disallow: /sparql?\n"
        f"Sitemap: {settings.base_url}sitemap.xml\n"
    )
    return Response(body, media_type="text/plain; charset=utf-8")
