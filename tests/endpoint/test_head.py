"""HEAD answers on every GET route (FastAPI answers 405 otherwise, and udata's HEAD probe then fails)."""

from __future__ import annotations

from fastapi.routing import APIRoute

from endpoint import servers
from sparql_endpoint.app import create_app


def api_routes(routes: list) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # FastAPI >= 0.16x keeps included routers as branches
            found += api_routes(route.original_router.routes)
        elif hasattr(route, "routes") and not hasattr(route, "app"):
            found += api_routes(route.routes)
    return found


def test_every_get_route_accepts_head(tmp_path) -> None:
    app = create_app(servers.make_settings(tmp_path))
    routes = [r for r in api_routes(app.routes) if "GET" in r.methods]
    assert len(routes) >= 8
    missing = sorted(r.path for r in routes if "HEAD" not in r.methods)
    assert missing == [], f"routes GET sans HEAD : {missing}"
