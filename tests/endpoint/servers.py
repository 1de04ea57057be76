"""Helpers that start real servers on free loopback ports: the fixture build, oxigraph serve, uvicorn."""

from __future__ import annotations

import gc
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
BASE = "http://iat.test/"  # the base URL of the fixture build
GRAPHS = ("bibliotheque", "formes", "nl-algoritmeregister", "nomenclature", "pstw")


def make_settings(var_dir: Path, sparql_url: str | None = None, **overrides: object):
    from sparql_endpoint.settings import Settings

    return Settings(base_url=BASE, var_dir=var_dir, sparql_url=sparql_url, queries_dir=REPO / "queries", **overrides)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_build(var_dir: Path, base: str, build_id: str, extra_trig: str = "") -> Path:
    """A build as ``ia-territoriales build`` lays it out: var/builds/{id}/{store,search.sqlite,manifest.json}
    and the var/current symlink swapped atomically. Returns the build directory."""
    build = var_dir / "builds" / build_id
    build.mkdir(parents=True)
    store = ox.Store(str(build / "store"))
    for path in sorted(FIXTURES.glob("*.trig")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG, base_iri=base)
    if extra_trig:
        store.bulk_load(extra_trig.encode(), format=ox.RdfFormat.TRIG, base_iri=base)
    counts = {
        name: len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(f"{base}graphe/{name}"))))
        for name in GRAPHS
    }
    from ingest.search_index import write_search_index  # the build writes its search index beside the store

    write_search_index(store, build, base, build_id)
    store.flush()
    del store
    gc.collect()
    manifest = {
        "format": 1,
        "build_id": build_id,
        "base_url": base,
        "created": "2026-11-26T05:00:00+00:00",
        "graphs": {name: {"iri": f"{base}graphe/{name}", "triples": n} for name, n in counts.items()},
    }
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    link = var_dir / f".current-{build_id}"
    link.symlink_to(Path("builds") / build_id)
    os.replace(link, var_dir / "current")
    return build


def dump_nquads(build: Path, target: Path) -> Path:
    store = ox.Store.read_only(str(build / "store"))
    store.dump(str(target), format=ox.RdfFormat.N_QUADS)
    del store
    gc.collect()
    return target


def wait_http(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {url}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server not ready: {url}")


def oxigraph_binary() -> str:
    found = VENV_BIN / "oxigraph"
    return str(found) if found.exists() else (shutil.which("oxigraph") or "oxigraph")


def start_oxigraph(nquads: Path, location: Path, timeout_s: int = 5) -> tuple[subprocess.Popen, str]:
    """``oxigraph load`` then ``oxigraph serve --union-default-graph`` on a free port."""
    binary = oxigraph_binary()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(nquads)], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph", "--timeout-s", str(timeout_s)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/query?query=ASK%7B%7D", process)
    return process, url + "/query"


def start_uvicorn(env: dict[str, str], port: int | None = None) -> tuple[subprocess.Popen, str]:
    """The real service (uvicorn, app factory) on ``port`` (a free one by default), once it answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "sparql_endpoint.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env},
        cwd=str(REPO),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/sparql", process)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
