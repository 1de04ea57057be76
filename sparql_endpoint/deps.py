"""Dependencies injected into routes (tests may swap them with ``app.dependency_overrides``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sparql_endpoint.settings import Settings
from sparql_endpoint.store import Store


# ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, two thread hand-offs per request
# for two attribute reads (measured: most of the framework's cost on a cached /sparql answer).
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
