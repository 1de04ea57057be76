"""IRIs the data cite that are not documents of the store: source files and named graphs.

- ``/sources/{path}``: the files of the project's ``sources/`` folder that a build copied (its manifest
  lists them in ``source_files``), the targets of ``prov:wasDerivedFrom`` such as
  ``{base}sources/french-cases/french-territorial-ai-cases.csv#LOC-012``. Read-only (GET, HEAD), with a
  media type from the file suffix, ``ETag`` (the file's sha256), ``Last-Modified`` and 304. Only a path
  listed in the manifest is served: ``..``, absolute paths, symbolic links (never copied by the build)
  and anything else answer 404.
- ``/graphe/{name}``: a named graph IRI (``sd:name`` in the SPARQL service description, ``void:subset``
  in the VoID). It answers **303 See Other** to the build's Turtle dump of that graph,
  ``/telechargements/ia-territoriales-{name}.ttl`` (the graph's content, as the SPARQL 1.1 Graph Store
  Protocol's direct identification expects of a graph IRI; Cool URIs for the Semantic Web, 303 for a
  resource described by another document). Its VoID description stays in ``/.well-known/void``.
"""

from __future__ import annotations

from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response

from sparql_endpoint.deps import SettingsDep, StoreDep
from sparql_endpoint.errors import ResourceNotFound, StoreUnavailable
from sparql_endpoint.store import BuildInfo

router = APIRouter()

SOURCES_FOLDER = "sources"  # inside a build (ingest/build.py copies sources/ there)
MEDIA_TYPES = {  # suffix -> Content-Type of a source file
    ".csv": "text/csv; charset=utf-8",
    ".gz": "application/gzip",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
}
NO_BUILD = "Aucune construction de la bibliothèque n'est disponible (« make build »)."


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def source_file(build: BuildInfo, path: str) -> tuple[dict[str, Any], Path]:
    """The manifest entry and file of ``sources/{path}`` in ``build``; ResourceNotFound otherwise."""
    entries = {str(e.get("path")): e for e in build.manifest.get("source_files") or [] if isinstance(e, dict)}
    entry = entries.get(path)
    missing = ResourceNotFound(f"Aucun fichier « sources/{path} » dans les sources de la construction "
                               f"{build.build_id}.")
    if entry is None:
        raise missing
    root = (build.path / SOURCES_FOLDER).resolve()
    file = build.path / SOURCES_FOLDER / path
    if file.is_symlink() or not file.is_file() or root not in file.resolve().parents:
        raise missing
    return entry, file


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match") or ""
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags or "*" in tags


async def _build(store) -> BuildInfo:
    build = await run_in_threadpool(store.build)
    if build is None:
        raise StoreUnavailable(NO_BUILD)
    return build


@router.api_route("/sources/{path:path}", methods=["GET", "HEAD"])
async def source(path: str, request: Request, store: StoreDep) -> Response:
    build = await _build(store)
    entry, file = await run_in_threadpool(source_file, build, path)
    etag = f'"{entry.get("sha256")}"'
    headers = {"ETag": etag, "Last-Modified": format_datetime(build.created, usegmt=True),
               "Cache-Control": "public, max-age=3600"}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(file, media_type=media_type(file.name), headers=headers,
                        content_disposition_type="inline", filename=file.name)


@router.api_route("/graphe/{name}", methods=["GET", "HEAD"])
async def named_graph(name: str, store: StoreDep, settings: SettingsDep) -> Response:
    build = await _build(store)
    graphs = build.manifest.get("graphs") or {}
    dump = next((f for f in build.manifest.get("files") or [] if isinstance(f, dict)
                 and f.get("graph") == name and f.get("media_type") == "text/turtle"), None)
    if name not in graphs or dump is None:
        known = ", ".join(sorted(graphs)) or "aucun"
        raise ResourceNotFound(f"Aucun graphe nommé « {name} » dans la construction {build.build_id} "
                               f"(graphes : {known}).")
    target = f"{settings.base_url}telechargements/{quote(str(dump['name']))}"
    return RedirectResponse(target, status_code=303)
