"""Turn results into responses: bytes for a media type, HTML through the templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

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


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(data: object, **dumps: Any) -> str:
    """JSON to embed in a ``<script type="application/…json">`` element. ``<``, ``>`` and ``&`` are
    written as JSON escapes, so no data text can end the element (``</script>``) or switch the HTML
    parser into its "script data escaped" states (``<!--<script>``), and the JSON value is unchanged."""
    return json.dumps(data, ensure_ascii=False, **dumps).translate(_SCRIPT_ESCAPES)


SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "urn", "doi"})


def safe_href(url: str | None) -> str | None:
    """``url`` if a browser may follow it from our pages, else None (the value is then shown as text).

    Register data is untrusted: an IRI such as ``javascript:alert(1)`` is a valid RDF IRI but must not
    become a link. Relative references (``/doc/…``, ``#part``) are ours and kept."""
    if not url:
        return None
    cleaned = "".join(c for c in url if c > " ").lower()  # browsers drop controls and spaces in schemes
    try:
        scheme = urlsplit(cleaned).scheme
    except ValueError:
        return None
    return url if not scheme or scheme in SAFE_LINK_SCHEMES else None


def href_filter(url: object) -> str:
    """Jinja filter ``| href`` on every ``href`` the templates write: an unsafe target becomes ``#``."""
    return safe_href(str(url) if url else None) or "#"


def make_templates(directory: Path) -> Jinja2Templates:
    """The templates, autoescaped whatever the file name, with the ``href`` filter."""
    # auto_reload off: templates are read once per process, not stat()ed at every render (a new version of
    # the code means a restart anyway)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(directory), autoescape=True, auto_reload=False)
    env.filters["href"] = href_filter
    return Jinja2Templates(env=env)


def html_response(
    request: Request, template: str, context: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request=request, name=template, context=context, status_code=status, headers=headers or {}
    )
