"""The app factory: ``uvicorn sparql_endpoint.app:create_app --factory``. No I/O at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_endpoint.documents import DocumentCache
from sparql_endpoint.errors import register_handlers
from sparql_endpoint.examples import load_examples
from sparql_endpoint.rendering import make_templates
from sparql_endpoint.result_cache import ResultCache
from sparql_endpoint.routes import browse, catalog, provenance, resources, sparql
from sparql_endpoint.settings import Settings
from sparql_endpoint.store import Store, open_store

PACKAGE = Path(__file__).resolve().parent


# Pages use no inline script or style and load nothing from elsewhere (no CDN): a strict policy costs
# nothing and contains any markup that escaping would ever miss. JSON data blocks are not scripts.
CSP = (b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class OwnRedirects:
    """ASGI middleware on every response.

    - Every ``Location`` points into ``base_url``. Starlette's trailing-slash redirect (``/cas-usage/`` →
      ``/cas-usage``) builds its target from the request's ``Host`` header, which a client chooses
      (``Host: attaquant.example`` would redirect there, and poison a shared cache); such a target is
      rebuilt from the public base URL, keeping its path and query.
    - ``X-Content-Type-Options: nosniff`` everywhere; ``Content-Security-Policy`` (``CSP``) on HTML.
    """

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self.app = app
        self.base = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def own_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                html = False
                for name, value in message.get("headers", []):
                    if name.lower() == b"location":
                        value = self.rewrite(value.decode("latin-1")).encode("latin-1")
                    html = html or (name.lower() == b"content-type" and value.startswith(b"text/html"))
                    headers.append((name, value))
                headers.append((b"x-content-type-options", b"nosniff"))
                if html:
                    headers.append((b"content-security-policy", CSP))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, own_send)

    def rewrite(self, location: str) -> str:
        if location.startswith(self.base):
            return location
        parts = urlsplit(location)
        path = parts.path.lstrip("/")
        return self.base + path + (f"?{parts.query}" if parts.query else "")


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the application. ``store`` is for tests that bring their own; by default the lifespan
    opens the one the settings name (embedded build, or a remote SPARQL server)."""
    settings = settings or Settings()
    if not settings.base_url.endswith("/"):
        settings = settings.model_copy(update={"base_url": settings.base_url + "/"})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.examples = load_examples(settings.queries_dir)
        own = store is None
        app.state.store = open_store(settings) if own else store
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    app = FastAPI(
        title="Bibliothèque d'IA territoriales",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.templates = make_templates(PACKAGE / "templates")
    app.state.examples = []
    app.state.documents = DocumentCache()
    app.state.sparql_cache = ResultCache(int(settings.sparql_cache_mb * 1024 * 1024))
    register_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Link", "ETag", "Last-Modified", "Location", "Content-Location", "Vary", "X-Cache"],
        max_age=86400,
    )
    app.add_middleware(OwnRedirects, base_url=settings.base_url)
    app.mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static")
    app.include_router(browse.router)  # home, use-case list, statistics (pages for people)
    app.include_router(sparql.router)
    app.include_router(resources.router)
    app.include_router(provenance.router)  # /sources/{path} (files the data cite), /graphe/{name} (303 to its dump)
    catalog.register(app)  # DCAT catalogue, VoID, downloads, sitemap (routes/catalog.py)
    return app
