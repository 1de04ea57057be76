"""Minimal pages: the home page (links to the SPARQL editor and the example queries)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sparql_endpoint.deps import SettingsDep
from sparql_endpoint.rendering import html_response

router = APIRouter()


@router.api_route("/", methods=["GET", "HEAD"])
def home(request: Request, settings: SettingsDep) -> Response:
    return html_response(request, "home.html", {"examples": request.app.state.examples, "settings": settings})
