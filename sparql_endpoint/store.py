"""The store behind the service: a small protocol, two implementations.

- ``EmbeddedStore``: the pyoxigraph store the build wrote (``var/current/store``), opened read-only
  in killable worker processes (see ``workers.py``). A new build is noticed (``var/current`` points
  elsewhere, checked at most once a second) and the workers reopen on their next query.
- ``RemoteStore``: any SPARQL 1.1 Protocol server by URL (Oxigraph, Fuseki, Virtuoso, QLever,
  GraphDB). Its default graph must be the union of the named graphs, like ours:
  ``oxigraph serve --union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import pyoxigraph as ox

from sparql_endpoint.errors import (
    QueryParseError,
    QueryTimeout,
    ResultTooLarge,
    StoreUnavailable,
    syntax_error_message,
)
from sparql_endpoint.execute import (
    QueryJob,
    QueryOutput,
    dataset_from_query,
    materialise,
    refuse_updates,
    serialise,
)
from sparql_endpoint.settings import Settings
from sparql_endpoint.workers import WorkerPool

log = logging.getLogger(__name__)
NO_BUILD = (
    "Aucune construction de la bibliothèque n'est disponible (var/current manque). "
    "Lancez « ia-territoriales build » (ou « make build »)."
)


@dataclass(frozen=True)
class BuildInfo:
    build_id: str
    created: datetime
    path: Path
    manifest: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def read_build(current: Path) -> BuildInfo | None:
    """The build ``var/current`` points to, or None when there is none."""
    try:
        path = Path(os.path.realpath(current))
        manifest_path = path / "manifest.json"
        stat = manifest_path.stat()
    except OSError:
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    created = datetime.fromtimestamp(stat.st_mtime, UTC)
    if isinstance(manifest.get("created"), str):
        with contextlib.suppress(ValueError):
            created = datetime.fromisoformat(manifest["created"]).astimezone(UTC)
    return BuildInfo(str(manifest.get("build_id") or path.name), created, path, manifest)


class _BuildWatcher:
    """Re-reads ``var/current`` at most once a second."""

    def __init__(self, current: Path) -> None:
        self._current = current
        self._checked = float("-inf")
        self._info: BuildInfo | None = None

    def get(self) -> BuildInfo | None:
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._info = read_build(self._current)
            self._checked = now
        return self._info


class Store(Protocol):
    def execute(self, job: QueryJob) -> QueryOutput: ...

    def build(self) -> BuildInfo | None: ...

    def close(self) -> None: ...


class EmbeddedStore:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._watcher = _BuildWatcher(settings.current_build)
        self._pool = WorkerPool(settings.query_workers, queue_timeout=settings.query_timeout)

    def build(self) -> BuildInfo | None:
        return self._watcher.get()

    def execute(self, job: QueryJob) -> QueryOutput:
        refuse_updates(job.query)  # answer at once, without a round trip to a worker
        info = self.build()
        if info is None or not (info.path / "store").is_dir():
            raise StoreUnavailable(NO_BUILD)
        output = self._pool.run(str(info.path / "store"), job, self._settings.query_timeout)
        return replace(output, build_id=info.build_id)  # the result belongs to this build (result cache)

    def close(self) -> None:
        self._pool.close()


# Messages for the public: the address of the internal server and its raw answers go to the log only.
_RETRY = "Réessayez dans un instant ; si le problème persiste, signalez-le aux administrateurs."
_REMOTE_DOWN = f"Le serveur SPARQL de la bibliothèque est injoignable. {_RETRY}"
_REMOTE_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_BYTES_PER_ROW = 4096  # a remote answer larger than result_limit rows of this size is refused unread


class RemoteStore:
    def __init__(self, settings: Settings) -> None:
        if not settings.sparql_url:
            raise ValueError("sparql_url is not set")
        self._url = settings.sparql_url
        self._settings = settings
        self._watcher = _BuildWatcher(settings.current_build)
        self._client = httpx.Client(headers={"User-Agent": "ia-territoriales"})

    def build(self) -> BuildInfo | None:
        return self._watcher.get()

    def execute(self, job: QueryJob) -> QueryOutput:
        shape = refuse_updates(job.query)
        timeout = self._settings.query_timeout
        deadline = time.monotonic() + timeout
        form: dict[str, Any] = {"query": job.query}
        defaults, named = job.default_graphs, job.named_graphs
        if not job.protocol_dataset and shape.has_from:
            # A server run with a union default graph (oxigraph serve --union-default-graph 0.5) ignores
            # FROM / FROM NAMED; the same graphs sent as protocol parameters are honoured.
            defaults, named = dataset_from_query(job.query)
        if defaults:
            form["default-graph-uri"] = list(defaults)
        if named:
            form["named-graph-uri"] = list(named)
        max_bytes = job.limit * _BYTES_PER_ROW
        try:
            with self._client.stream(
                "POST", self._url, data=form, headers={"Accept": _REMOTE_ACCEPT}, timeout=timeout
            ) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("deadline")
                    if size > max_bytes:
                        raise ResultTooLarge(
                            f"Le résultat dépasse la limite de {job.limit} lignes ou triplets de ce service. "
                            "Ajoutez LIMIT (et OFFSET pour paginer) à la requête."
                        )
                body = b"".join(chunks)
        except httpx.TimeoutException:
            raise QueryTimeout(
                f"La requête a dépassé la durée maximale de {timeout:g} s et a été abandonnée."
            ) from None
        except httpx.HTTPError as exc:
            log.warning("remote SPARQL server %s unreachable: %s", self._url, exc)
            raise StoreUnavailable(_REMOTE_DOWN) from None
        text = body.decode("utf-8", "replace").strip()
        if response.status_code == 400:
            raise QueryParseError(syntax_error_message(text[:2000]))
        if response.status_code >= 300:
            log.warning("remote SPARQL server %s answered %s: %s", self._url, response.status_code, text[:500])
            raise StoreUnavailable(f"Le serveur SPARQL de la bibliothèque a répondu {response.status_code}. {_RETRY}")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media in ("application/sparql-results+json", "application/json"):
                result = materialise(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
            elif media in ("application/n-triples", "text/plain"):
                result = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            else:
                log.warning("remote SPARQL server %s answered in %r", self._url, media)
                raise StoreUnavailable(f"Le serveur SPARQL de la bibliothèque a répondu en « {media} », type inattendu.")
        except SyntaxError as exc:
            log.warning("unreadable answer of remote SPARQL server %s: %s", self._url, exc)
            raise StoreUnavailable(f"Réponse illisible du serveur SPARQL de la bibliothèque. {_RETRY}") from None
        return serialise(result, job)

    def close(self) -> None:
        self._client.close()


def open_store(settings: Settings) -> Store:
    return RemoteStore(settings) if settings.sparql_url else EmbeddedStore(settings)
