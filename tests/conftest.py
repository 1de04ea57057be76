"""Shared fixtures.

``built_library`` (session scope) builds the real repository inputs — ontology/, shapes/, data/ and every
register of ``ingest/sources.py`` — ONCE per test session, into a temporary var directory, exactly as
``ia-territoriales build`` does, and yields a ``BuiltLibrary``:

    def test_something(built_library):
        built_library.var_dir      # Path: the var directory (var_dir / "current" is the served build)
        built_library.current      # Path: the build directory (store/, dumps/, manifest.json)
        built_library.store_path   # Path: the pyoxigraph store (open it with Store.read_only(str(path)))
        built_library.base_url     # "http://127.0.0.1:{port}/": the base of every data IRI
        built_library.port         # a loopback port that was free when the session started
        built_library.manifest     # dict: manifest.json
        built_library.settings()   # sparql_endpoint Settings pointing at this var dir and base URL

The base URL uses a port chosen at the start of the session, so a suite that starts a real server may
serve on ``built_library.port`` and the data IRIs resolve to it; in-process suites just use the IRIs.
Treat the build as read-only: copy it (or build your own with ``ingest.build.run_build``) to change it.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class BuiltLibrary:
    var_dir: Path
    base_url: str
    port: int
    manifest: dict[str, Any]

    @property
    def current(self) -> Path:
        return (self.var_dir / "current").resolve()

    @property
    def store_path(self) -> Path:
        return self.current / "store"

    @property
    def dumps(self) -> Path:
        return self.current / "dumps"

    def settings(self, **overrides: Any):
        from sparql_endpoint.settings import Settings

        return Settings(base_url=self.base_url, var_dir=self.var_dir, **overrides)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def built_library(tmp_path_factory: pytest.TempPathFactory) -> BuiltLibrary:
    """The real inputs, built once per session (see the module docstring)."""
    from ingest.build import BuildOptions, run_build

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    var_dir = tmp_path_factory.mktemp("var-session")
    result = run_build(BuildOptions(base_url=base_url, var_dir=var_dir, quiet=True))
    if result.status != "built":
        pytest.fail(f"la construction des données réelles a échoué :\n{result.report}")
    return BuiltLibrary(var_dir=var_dir, base_url=base_url, port=port, manifest=result.manifest or {})
