"""Turn results into responses: bytes for a media type, HTML through the templates."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from sparql_endpoint.media_types import BY_MEDIA_TYPE, MediaType


def bytes_response(body: bytes, media_type: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    media = BY_MEDIA_TYPE.get(media_type)
    content_type = media.content_type if media else media_type
    return Response(content=body, status_code=status, headers={**(headers or {}), "Content-Type": content_type})


def graph_bytes(triples: list[ox.Triple], media: MediaType, prefixes: dict[str, str]) -> bytes:
    used = None
    if media.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        iris = {t.predicate.value for t in triples}
        iris |= {term.value for t in triples for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
        iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
        used = {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}
    return ox.serialize(triples, format=media.rdf_format, prefixes=used)


def html_response(
    request: Request, template: str, context: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request=request, name=template, context=context, status_code=status, headers=headers or {}
    )
