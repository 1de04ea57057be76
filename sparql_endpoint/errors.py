"""Typed exceptions, each with ``.status`` and a French ``.message``, and the one handler registry.

Every error leaves the service in one of two shapes: JSON ``{"ok": false, "error": msg, "status": n}``
(``application/json``) for programs, or ``error.html`` for browsers (chosen by ``Accept``). A test
enforces the JSON shape on every error path. No traceback ever reaches a client.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ServiceError(Exception):
    status = 500
    title = "Erreur interne"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ServiceError):
    status = 400
    title = "Requête invalide"


class QueryParseError(BadRequest):
    title = "Erreur de syntaxe SPARQL"


_POSITION = re.compile(r"(\d+):(\d+)")


def syntax_error_message(detail: str) -> str:
    """The French message of a SPARQL syntax error: a French sentence (with the line and column when the
    parser gives them), then the parser's own message unchanged, which clients read (``error at 1:25: …``)."""
    detail = detail.strip()
    found = _POSITION.search(detail)
    where = f" (ligne {found.group(1)}, colonne {found.group(2)})" if found else ""
    return (f"Requête SPARQL invalide : elle ne respecte pas la syntaxe de SPARQL 1.1{where}. "
            f"Message de l'analyseur : {detail}")


class ResultTooLarge(BadRequest):
    title = "Résultat trop volumineux"


class UpdateRefused(ServiceError):
    status = 403
    title = "Mise à jour refusée"


class ResourceNotFound(ServiceError):
    status = 404
    title = "Ressource introuvable"


class MethodNotAllowed(ServiceError):
    status = 405
    title = "Méthode non autorisée"


class NotAcceptable(ServiceError):
    status = 406
    title = "Format non disponible"


class ResourceGone(ServiceError):
    status = 410
    title = "Fiche retirée"


class PayloadTooLarge(ServiceError):
    status = 413
    title = "Requête trop volumineuse"


class UnsupportedMediaType(ServiceError):
    status = 415
    title = "Type de contenu non pris en charge"


class StoreUnavailable(ServiceError):
    status = 503
    title = "Données indisponibles"


class QueryTimeout(ServiceError):
    status = 503
    title = "Délai dépassé"


class ServiceBusy(ServiceError):
    status = 503
    title = "Service occupé"


def error_body(status: int, message: str) -> dict[str, object]:
    return {"ok": False, "error": message, "status": status}


def _wants_html(request: Request) -> bool:
    # Local import: negotiation imports this module.
    from sparql_endpoint.negotiation import prefers_html

    return prefers_html(request.headers.get("accept"))


def error_response(request: Request, status: int, message: str, title: str, headers: dict[str, str]) -> Response:
    headers = {**headers, "Vary": "Accept"}
    templates = getattr(request.app.state, "templates", None)
    if templates is not None and request.method != "OPTIONS" and _wants_html(request):
        return templates.TemplateResponse(
            request=request,
            name="error.html",
            context={"status": status, "message": message, "title": title},
            status_code=status,
            headers=headers,
        )
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


_HTTP_MESSAGES = {
    404: "Cette adresse ne correspond à aucune page ni ressource.",
    405: "Méthode HTTP non autorisée sur cette adresse.",
}


def register_handlers(app: FastAPI) -> None:
    """Register the handlers once, in ``create_app``."""

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> Response:
        return error_response(request, exc.status, exc.message, exc.title, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        title = {404: ResourceNotFound.title, 405: MethodNotAllowed.title}.get(exc.status_code, "Erreur")
        return error_response(request, exc.status_code, message, title, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return error_response(request, 400, f"Paramètres invalides : {fields}", BadRequest.title, {})

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "Erreur interne du service ; elle a été journalisée.", ServiceError.title, {}
        )
