"""``/sparql``: the SPARQL 1.1 Protocol, query side; the service description; the query editor.

GET ``?query=``, POST ``application/x-www-form-urlencoded``, POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri``; the result type by ``Accept`` or ``format``/``output``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sparql_endpoint import media_types as mt
from sparql_endpoint.deps import SettingsDep, StoreDep
from sparql_endpoint.errors import (
    BadRequest,
    NotAcceptable,
    PayloadTooLarge,
    UnsupportedMediaType,
    UpdateRefused,
)
from sparql_endpoint.execute import QueryJob
from sparql_endpoint.negotiation import negotiate
from sparql_endpoint.prefixes import PREFIXES, SERVICE_PREFIXES, all_prefixes, sparql_prologue
from sparql_endpoint.rendering import bytes_response, graph_bytes, html_response, script_json
from sparql_endpoint.result_cache import execute_cached
from sparql_endpoint.service_description import service_description
from sparql_endpoint.settings import Settings
from sparql_endpoint.store import Store

router = APIRouter()

Params = list[tuple[str, str]]

_READ_ONLY = (
    "Ce point d'accès SPARQL est en lecture seule : les mises à jour (paramètre « update ») sont refusées."
)
MAX_BODY = 1 << 20  # bytes of a POSTed query or form: a query is text, never a file
_SD_TYPES = [*(m.media_type for m in mt.GRAPH_TYPES), mt.HTML.media_type]


def _values(params: Params, name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _negotiate_or_none(accept: str | None, override: list[str], offered: tuple[mt.MediaType, ...]) -> str | None:
    try:
        return negotiate(accept, override or None, [m.media_type for m in offered])
    except NotAcceptable:
        return None


async def _answer(request: Request, params: Params, store: Store, settings: Settings) -> Response:
    queries = _values(params, "query")
    if _values(params, "update"):
        raise UpdateRefused(_READ_ONLY)
    if len(queries) > 1:
        raise BadRequest("Une seule requête à la fois : le paramètre « query » est donné plusieurs fois.")
    if not queries or not queries[0].strip():
        raise BadRequest("Le paramètre « query » est vide : donnez une requête SPARQL.")
    accept = request.headers.get("accept")
    override = _values(params, "format") + _values(params, "output")
    result_type = _negotiate_or_none(accept, override, mt.RESULT_TYPES)
    graph_type = _negotiate_or_none(accept, override, mt.GRAPH_TYPES)
    if result_type is None and graph_type is None:
        negotiate(accept, override or None, [m.media_type for m in (*mt.RESULT_TYPES, *mt.GRAPH_TYPES)])
    job = QueryJob(
        query=queries[0],
        result_type=result_type,
        graph_type=graph_type,
        limit=settings.result_limit,
        default_graphs=tuple(_values(params, "default-graph-uri")),
        named_graphs=tuple(_values(params, "named-graph-uri")),
        prefixes=tuple(PREFIXES.items()),
        base_iri=f"{settings.base_url}sparql",
    )
    refresh = "no-cache" in request.headers.get("cache-control", "").lower()  # the client wants a fresh answer
    output, hit = await run_in_threadpool(execute_cached, store, request.app.state.sparql_cache, job, refresh,
                                          2 * settings.query_timeout)  # a worker's queue wait, then its run
    return bytes_response(output.body, output.media_type,
                          headers={"Vary": "Accept", "X-Cache": "hit" if hit else "miss"})


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"Le corps de la requête ({what}) n'est pas en UTF-8 valide : octet {exc.start}.") from None


async def _read_body(request: Request) -> bytes:
    """The request body, refused past ``MAX_BODY`` without reading the rest into memory."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLarge(_too_large())
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise PayloadTooLarge(_too_large())
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> str:
    return (f"Le corps de la requête dépasse {MAX_BODY // 1024} Kio : une requête SPARQL est un texte court. "
            "Pour des traitements lourds, téléchargez les fichiers complets (/telechargements).")


def _query_string(request: Request) -> Params:
    try:
        return parse_qsl(request.url.query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("L'adresse contient des caractères encodés qui ne sont pas de l'UTF-8 valide.") from None


@router.api_route("/sparql", methods=["GET", "HEAD"])
async def sparql_get(
    request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    params = _query_string(request)
    if _values(params, "query") or _values(params, "update"):
        return await _answer(request, params, store, settings)
    override = _values(params, "format") + _values(params, "output")
    chosen = negotiate(request.headers.get("accept"), override or None, _SD_TYPES)
    headers = {"Vary": "Accept"}
    if chosen == mt.HTML.media_type:
        return _editor(request, settings, headers)
    build = await run_in_threadpool(store.build)
    triples = service_description(settings, build)
    prefixes = {**PREFIXES, **SERVICE_PREFIXES}
    return bytes_response(graph_bytes(triples, mt.lookup(chosen), prefixes), chosen, headers=headers)


@router.post("/sparql")
async def sparql_post(
    request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    url_params = _query_string(request)
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    body = await _read_body(request)
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qsl(_decode(body, "formulaire"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise BadRequest("Le formulaire envoyé n'est pas en UTF-8 valide (encodage URL).") from None
        if _values(form, "query") and _values(url_params, "query"):
            raise BadRequest("Une seule requête à la fois : « query » est à la fois dans l'adresse et le formulaire.")
        return await _answer(request, url_params + form, store, settings)
    if media == "application/sparql-query":
        if _values(url_params, "query"):
            raise BadRequest("Une seule requête à la fois : « query » est à la fois dans l'adresse et le corps.")
        charset = next(
            (p.split("=", 1)[1].strip().strip('"').lower() for p in content_type.split(";")[1:] if "charset=" in p),
            "utf-8",
        )
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"Jeu de caractères « {charset} » non pris en charge : envoyez la requête en UTF-8.")
        return await _answer(request, [*url_params, ("query", _decode(body, "application/sparql-query"))], store, settings)
    if media == "application/sparql-update":
        raise UpdateRefused(_READ_ONLY)
    raise UnsupportedMediaType(
        f"Type de contenu « {media or 'absent'} » non pris en charge. Envoyez la requête en "
        "application/x-www-form-urlencoded (paramètre query) ou en application/sparql-query."
    )


def _editor(request: Request, settings: Settings, headers: dict[str, str]) -> Response:
    prefixes = all_prefixes(settings.base_url)
    examples = request.app.state.examples
    default_query = sparql_prologue({p: prefixes[p] for p in ("iat", "dct", "skos")}) + (
        "\nSELECT ?cas ?titre WHERE {\n  ?cas a iat:UseCase ;\n       dct:title ?titre .\n}\nLIMIT 20\n"
    )
    return html_response(
        request,
        "sparql.html",
        {
            "prefixes": prefixes,
            "prologue": sparql_prologue(prefixes),
            "default_query": default_query,
            "examples": examples,
            "examples_json": script_json({e.name: e.text for e in examples}),
            "result_types": mt.RESULT_TYPES,
            "graph_types": mt.GRAPH_TYPES,
            "settings": settings,
        },
        headers=headers,
    )
