"""Dereferenceable IRIs (W3C "Cool URIs for the Semantic Web").

- ``/id/{kind}/{slug}`` names a thing (a use case, an organisation, a territory): 303 See Other to the
  one generic document ``/doc/{kind}/{slug}``; that document is negotiated (``Vary: Accept``) and
  names the variant it chose in ``Content-Location`` (``/doc/{kind}/{slug}.ttl`` …). One redirect
  target per thing keeps the 303 cacheable-by-intent and the HTML/RDF links identical.
- ``/doc/{kind}/{slug}{.html,.ttl,.jsonld,.rdf,.nt}``: a fixed format, no negotiation.
- The vocabulary (``/def``, ``/shapes``, ``/nomenclature/{scheme}``, ``/nomenclature/{scheme}/{code}``)
  is reached through w3id.org's redirect, so these local URLs are documents already (200, negotiated);
  the hash IRIs of ``/def`` and ``/shapes`` are all in one document.
"""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sparql_endpoint import documents
from sparql_endpoint import media_types as mt
from sparql_endpoint.deps import SettingsDep, StoreDep
from sparql_endpoint.errors import ResourceNotFound
from sparql_endpoint.execute import QueryJob
from sparql_endpoint.negotiation import negotiate
from sparql_endpoint.prefixes import NOMENCLATURE, PREFIXES, all_prefixes
from sparql_endpoint.rendering import bytes_response, graph_bytes, html_response, safe_href
from sparql_endpoint.routes import resource_pages
from sparql_endpoint.settings import Settings
from sparql_endpoint.store import BuildInfo, Store

router = APIRouter()

W3ID = "https://w3id.org/ia-territoriales/"
_SAFE = "/:@!$&'()*+,;=-._~"  # kept as is in a Location path; everything else is percent-encoded
_DOC_TYPES = [m.media_type for m in mt.DOCUMENT_TYPES]
_GONE = "Cette fiche a été retirée de la bibliothèque (owl:deprecated)."


def _not_found(iri: str) -> ResourceNotFound:
    return ResourceNotFound(f"Aucune ressource ne porte l'IRI <{iri}> dans la bibliothèque.")


def _query(store: Store, settings: Settings, text: str, *, graph: bool) -> QueryJob:
    return QueryJob(
        query=text,
        result_type=None if graph else mt.SPARQL_JSON.media_type,
        graph_type=mt.N_TRIPLES.media_type if graph else None,
        limit=max(settings.result_limit * 10, 100_000),
    )


def _triples(store: Store, settings: Settings, text: str) -> list[ox.Triple]:
    output = store.execute(_query(store, settings, text, graph=True))
    return [q.triple for q in ox.parse(output.body, format=ox.RdfFormat.N_TRIPLES)]


def _status(store: Store, settings: Settings, iri: str) -> dict[str, dict[str, str]] | None:
    output = store.execute(_query(store, settings, documents.status_query(iri), graph=False))
    rows = json.loads(output.body)["results"]["bindings"]
    return rows[0] if rows else None


def _location(path: str) -> str:
    return quote(path, safe=_SAFE)


def _doc_path(iri: str, base: str, extension: str | None = None) -> str | None:
    """The local document path for an IRI the service answers for, or None."""
    suffix = f".{extension}" if extension else ""
    if iri.startswith(f"{base}id/") and "#" not in iri:
        return "/doc/" + iri.removeprefix(f"{base}id/") + suffix
    if iri.startswith(W3ID):
        local = iri.removeprefix(W3ID).split("#")[0]
        if documents.vocabulary_iri(local):
            return f"/{local}{suffix}"
    return None


def local_href(base: str):
    """IRI -> link for the HTML: local documents for our IRIs (anchors for parts), else the IRI."""

    def href(iri: str) -> str | None:
        if iri.startswith("_:"):
            return None
        fragment = "#" + iri.split("#", 1)[1] if "#" in iri else ""
        if iri.startswith(f"{base}id/"):
            path = _doc_path(iri.split("#")[0], base)
            return f"{_location(path or '')}{fragment}"
        if iri.startswith(W3ID):
            path = _doc_path(iri, base)
            return f"{_location(path)}{fragment}" if path else iri
        return safe_href(iri)  # register data is untrusted: no javascript: links

    return href


def _replacement_location(replaced: str, base: str, extension: str | None = None) -> str | None:
    """Where a replaced record redirects: only to a document of this site. A ``dct:isReplacedBy`` that
    points elsewhere (register data is untrusted) is shown in the document, not followed: our IRIs must
    not become an open redirect."""
    target = _doc_path(replaced, base, extension)
    return None if target is None else base + _location(target.lstrip("/"))


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"])
async def thing(
    path: str, request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    iri = f"{settings.base_url}id/{path}"
    if not documents.valid_iri(iri):
        raise _not_found(iri)
    row = await run_in_threadpool(_status, store, settings, iri)
    if row is None:
        raise _not_found(iri)
    replaced = row.get("replacement", {}).get("value")
    location = _replacement_location(replaced, settings.base_url) if replaced else None
    if location:
        return RedirectResponse(location, status_code=301, headers={"Vary": "Accept"})
    location = settings.base_url + _location(f"doc/{path}")
    return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"])
async def document(
    path: str, request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    stem, extension = _split_extension(path)
    iri = f"{settings.base_url}id/{stem}"
    return await _serve(request, store, settings, iri, f"doc/{stem}", extension, documents.describe_query)


@router.api_route("/def{ext:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def ontology(
    ext: str, request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    return await _vocabulary(request, store, settings, "def", ext)


@router.api_route("/shapes{ext:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def shapes(
    ext: str, request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    return await _vocabulary(request, store, settings, "shapes", ext)


@router.api_route("/nomenclature/{path:path}", methods=["GET", "HEAD"])
async def nomenclature(
    path: str, request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    stem, extension = _split_extension(path)
    return await _vocabulary(request, store, settings, f"nomenclature/{stem}", f".{extension}" if extension else "")


@router.api_route("/context.jsonld", methods=["GET", "HEAD"], include_in_schema=False)
async def context(settings: SettingsDep) -> Response:
    body = documents.context_document(all_prefixes(settings.base_url))
    return JSONResponse(
        body,
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=3600", "Content-Type": mt.JSON_LD.content_type},
    )


def _split_extension(path: str) -> tuple[str, str | None]:
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension and extension in mt.DOCUMENT_BY_EXTENSION:
        return stem, extension
    return path, None


async def _vocabulary(request: Request, store: Store, settings: Settings, local: str, ext: str) -> Response:
    extension = ext.removeprefix(".") if ext.startswith(".") else None
    if ext and (extension is None or extension not in mt.DOCUMENT_BY_EXTENSION):
        raise ResourceNotFound(f"Aucune page à l'adresse /{local}{ext}.")
    found = documents.vocabulary_iri(local)
    if found is None:
        raise _not_found(W3ID + local)
    iri, kind = found
    base = settings.base_url

    def query(iri: str) -> str:
        if kind == "ontology":
            return documents.graph_document_query(f"{base}graphe/nomenclature", iri)
        if kind == "shapes":
            return documents.graph_document_query(f"{base}graphe/formes")
        return documents.describe_query(iri, scheme_members=kind == "scheme")

    return await _serve(request, store, settings, iri, local, extension, query)


def _etag(build: BuildInfo | None, iri: str, media: str, body: bytes | None = None) -> str:
    seed = f"{build.build_id}|{iri}|{media}" if build else hashlib.sha256(body or b"").hexdigest()
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def _not_modified(request: Request, etag: str, build: BuildInfo | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and build is not None:
        try:
            return build.created.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


async def _serve(request, store, settings, iri, doc_path, extension, make_query) -> Response:
    base = settings.base_url
    if not documents.valid_iri(iri):
        raise _not_found(iri)
    if extension:
        chosen = mt.DOCUMENT_BY_EXTENSION[extension].media_type
    else:
        chosen = negotiate(request.headers.get("accept"), request.query_params.getlist("format") or None, _DOC_TYPES)
    media = mt.lookup(chosen)
    alternates = [(f"{base}{_location(doc_path)}.{m.extension}", m) for m in mt.DOCUMENT_TYPES]
    headers = {
        "Vary": "Accept",
        "Link": ", ".join(f'<{url}>; rel="alternate"; type="{m.media_type}"' for url, m in alternates),
    }
    if not extension:
        headers["Content-Location"] = f"{base}{_location(doc_path)}.{media.extension}"
    query = make_query(iri)
    cache = request.app.state.documents

    def fetch() -> tuple[BuildInfo | None, list[ox.Triple] | None]:
        """The build and the document's triples (None when the client's copy is current): one trip to a
        worker thread."""
        build = store.build()
        etag = _etag(build, iri, chosen) if build else None
        if etag is not None and _not_modified(request, etag, build):
            return build, None
        triples = cache.get((build.build_id, query)) if build else None
        if triples is None:
            triples = _triples(store, settings, query)
            if build is not None:
                cache.put((build.build_id, query), triples)  # shared: never mutated
        return build, triples

    build, triples = await run_in_threadpool(fetch)
    if build is not None:
        headers["Last-Modified"] = format_datetime(build.created, usegmt=True)
        headers["ETag"] = _etag(build, iri, chosen)
    if triples is None:
        return Response(status_code=304, headers=headers)
    etag = headers.get("ETag")
    if not triples:
        raise _not_found(iri)
    replaced = documents.replacement(triples, iri)
    location = _replacement_location(replaced, base, extension) if replaced else None
    if location:
        return RedirectResponse(location, status_code=301, headers={"Vary": "Accept"})
    status = 410 if documents.is_withdrawn(triples, iri) else 200
    prefixes = all_prefixes(base)
    if media is mt.HTML:
        nodes = documents.view_model(triples, iri, prefixes, local_href(base))
        title = nodes[0].label if nodes else iri
        page = await resource_pages.render(  # a page by kind (use case, concept…), else the generic one
            request, store, settings, iri=iri, triples=triples, nodes=nodes, alternates=alternates[1:],
            status=status, headers=headers, gone_message=_GONE)
        if page is not None:
            return page
        return html_response(
            request,
            "resource.html",
            {"iri": iri, "title": title, "nodes": nodes, "alternates": alternates[1:], "gone": status == 410,
             "gone_message": _GONE, "nomenclature": NOMENCLATURE},
            status=status,
            headers=headers,
        )
    if media is mt.JSON_LD:
        body = documents.to_jsonld(triples, f"{base}context.jsonld", prefixes)
    else:
        body = graph_bytes(sorted(triples, key=str), media, PREFIXES)
    if etag is None:
        headers["ETag"] = _etag(None, iri, chosen, body)
        if _not_modified(request, headers["ETag"], None):
            return Response(status_code=304, headers=headers)
    return bytes_response(body, chosen, status=status, headers=headers)
