"""Benchmarks side by side: the build, the service, and two SPARQL baselines, on synthetic data.

    make bench                                   # 1,000 and 10,000 use cases
    make bench BENCH_ARGS="--sizes 100000"       # 100,000 (long: the build alone takes minutes)
    .venv/bin/python -m bench --sizes 1000 --build-runs 3 --duration 10

For each size: generate the data (``bench/generator.py``, seeded), build it with the real command
(``ia-territoriales build --data-dir … --sources aucun``) several times and read each step's time from
the manifest; serve the build with ``ia-territoriales serve`` and load it from a second process
(``bench/load.py``) on loopback, once with one connection (latency) and once with 8 (throughput), each
run bounded in requests and in seconds; then serve the build's N-Quads dump with ``oxigraph
serve-read-only --union-default-graph`` (the native limit) and ``rdflib-endpoint`` (the Python peer) and
send them the same SPARQL queries. Finally one record is changed and the build command run as a
contributor would (incremental: the change published first, then the fresh dumps) while the service runs:
the times until the service answers with the change and until the dumps are fresh are measured.
Bounds: every load run by ``--measure-timeout`` answers included (unanswered requests are abandoned and
counted), each baseline's load by ``--baseline-load-timeout`` (recorded as not loaded), rdflib-endpoint's
queries by ``--baseline-budget``, the one-record change by ``--change-timeout``. Memory is the resident set (RSS)
of each server's process tree, sampled from /proc. Results: ``bench/results/{date}-{size}.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.generator import generate
from bench.load import percentile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BASE_URL = "http://127.0.0.1:8000/"  # IRIs of the synthetic build (nothing listens there: only a prefix)
SPARQL_QUERIES = ("cas-par-domaine", "cas-par-stade", "cas-recents")  # two facet counts and a sorted list
SEARCH_TEXT = "détection des fuites"
JSON_RESULTS = "application/sparql-results+json"
# /sparql cold: every request computed (the service's result cache is skipped, as HTTP allows); the same
# header goes to the baselines, which have no result cache. "sparql-cache:*" measures the cache, warm.
COLD = ("Cache-Control: no-cache",)
PACKAGES = ("ia-territoriales", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "pyshacl", "fastapi",
            "uvicorn", "starlette", "jinja2", "snowballstemmer")


# ---- processes and memory --------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (MiB)."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_kib(current)
        todo.extend(tree.get(current, []))
    return round(total / 1024, 1)


class MemorySampler:
    """Samples the RSS of a process tree in a thread; ``peak_mb`` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server subprocess in its own process group (stopped with its children, and only them)."""

    def __init__(self, name: str, argv: list[str], port: int, ready_path: str, log: Path,
                 env: dict[str, str] | None = None) -> None:
        self.name, self.port, self.ready_path = name, port, ready_path
        self.log = log
        self._handle = log.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, env={**os.environ, **(env or {})},
                                     stdout=self._handle, stderr=subprocess.STDOUT, start_new_session=True)
        self.ready_s: float | None = None

    def wait_ready(self, timeout: float) -> float:
        deadline = time.perf_counter() + timeout
        url = f"http://127.0.0.1:{self.port}{self.ready_path}"
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} s'est arrêté (code {self.proc.returncode}) ; voir {self.log}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    response.read()
                self.ready_s = round(time.perf_counter() - self.started, 2)
                return self.ready_s
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} ne répond pas après {timeout:.0f} s ; voir {self.log}")

    def rss_mb(self) -> float:
        return tree_rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._handle.close()


# ---- HTTP ----------------------------------------------------------------------------------------

def fetch(port: int, path: str, accept: str | None = None, timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def load(port: int, paths: list[str], accept: str | None, concurrency: int, requests: int,
         duration: float, server: Server, headers: tuple[str, ...] = (), timeout: float | None = None) -> dict:
    """Run ``bench.load`` in a second process against ``port``; adds the server's peak tree RSS.
    ``timeout`` bounds the run, answers included (``bench.load --timeout``: unanswered requests abandoned)."""
    timeout = max(timeout if timeout is not None else duration + 60, duration)
    argv = [sys.executable, "-m", "bench.load", "--port", str(port), "--concurrency", str(concurrency),
            "--requests", str(requests), "--duration", str(duration), "--timeout", str(timeout)]
    for path in paths:
        argv += ["--path", path]
    if accept:
        argv += ["--header", f"Accept: {accept}"]
    for header in headers:
        argv += ["--header", header]
    with MemorySampler(server.proc.pid, 0.25) as sampler:
        done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=timeout + 60, check=True)
    result = json.loads(done.stdout)
    result["server_peak_rss_mb"] = sampler.peak_mb
    result["load_average_1min"] = round(os.getloadavg()[0], 2)  # other processes share the 2 cores
    return result


def rows(body: bytes) -> int | None:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


def wait_idle(server: Server, budget: float) -> float | None:
    """After abandoned requests: seconds until the server answers its ready probe again (it may still be
    computing them: rdflib-endpoint runs one query at a time), None if not within ``budget``."""
    start = time.perf_counter()
    while (left := budget - (time.perf_counter() - start)) > 0:
        try:
            status, _ = fetch(server.port, server.ready_path, timeout=left)
            if 200 <= status < 300:
                return round(time.perf_counter() - start, 2)
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return None


def _ms_text(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def measure(name: str, server: Server, paths: list[str], accept: str | None, args,
            headers: tuple[str, ...] = (), budget_left: float | None = None) -> dict:
    """Latency (one connection) and throughput (``--concurrency`` connections) of one endpoint, each run
    bounded by ``--measure-timeout`` answers included. When the first request alone takes longer than
    ``--duration``, it is the latency sample and the throughput run sends one request per connection,
    bounded by 1.5 × concurrency × that first request (a server that answers one query at a time, as
    rdflib-endpoint, needs that long to answer them all), at most 4 × ``--measure-timeout``; with
    ``budget_left`` (seconds), a throughput run that would not fit in it is not made, and said so."""
    entry: dict = {"paths": paths[:3], "headers": list(headers), "timeout_s": args.measure_timeout}
    start = time.perf_counter()
    try:
        status, body = fetch(server.port, paths[0], accept, timeout=args.measure_timeout)
    except (urllib.error.URLError, OSError) as exc:  # socket timeout included
        entry["skipped"] = f"pas de réponse en {args.measure_timeout:.0f} s à la première requête ({exc})"
        entry["idle_after_s"] = wait_idle(server, args.measure_timeout)
        print(f"  {server.name:<15} {name:<22} {entry['skipped']} : non mesuré", flush=True)
        return entry
    first = time.perf_counter() - start
    entry.update(status=status, bytes=len(body), first_request_ms=round(first * 1000, 3))
    if accept == JSON_RESULTS:
        entry["rows"] = rows(body)
    if not 200 <= status < 300:
        entry["skipped"] = f"HTTP {status} à la première requête"
        print(f"  {server.name:<15} {name:<22} HTTP {status} : non mesuré", flush=True)
        return entry
    slow = first >= args.duration
    if slow:  # one more request at c=1 would cost as much and tell as little
        ms = round(first * 1000, 3)
        entry["latency"] = {"requests": 1, "errors": 0, "unfinished": 0, "concurrency": 1, "from_first_request": True,
                            "p50_ms": ms, "p90_ms": ms, "p99_ms": ms, "max_ms": ms, "mean_ms": ms,
                            "elapsed_s": round(first, 3), "req_per_s": round(1 / first, 4),
                            "ok_per_s": round(1 / first, 4)}
    else:
        entry["latency"] = load(server.port, paths, accept, 1, args.requests, args.duration, server, headers,
                                args.measure_timeout)
    cap = min(max(args.measure_timeout, 1.5 * args.concurrency * first), 4 * args.measure_timeout) if slow \
        else args.measure_timeout
    if budget_left is not None and cap > budget_left - first:
        entry["throughput_skipped"] = (f"c={args.concurrency} non mesuré : jusqu'à {cap:.0f} s, au-delà du budget "
                                       f"restant ({max(budget_left - first, 0):.0f} s)")
        print(f"  {server.name:<15} {name:<22} c=1 {first * 1000:.1f} ms | {entry['throughput_skipped']}", flush=True)
        return entry
    entry["throughput"] = load(server.port, paths, accept, args.concurrency,
                               args.concurrency if slow else args.requests * 10, args.duration, server, headers,
                               cap)
    lat, thr = entry["latency"], entry["throughput"]
    if lat.get("unfinished") or thr.get("unfinished"):
        entry["idle_after_s"] = wait_idle(server, args.measure_timeout)
    print(f"  {server.name:<15} {name:<22} c=1 p50 {_ms_text(lat['p50_ms'])} ms p99 {_ms_text(lat['p99_ms'])} ms "
          f"({lat['requests']}) | c={args.concurrency} {thr['ok_per_s'] or 0:.2f} req/s p50 {_ms_text(thr['p50_ms'])} ms "
          f"p99 {_ms_text(thr['p99_ms'])} ms ({thr['requests']}, {thr['errors']} err, {thr.get('unfinished', 0)} "
          f"abandonnées) | RSS {thr['server_peak_rss_mb']} Mo", flush=True)
    return entry


def sparql_path(route: str, name: str) -> str:
    text = (PROJECT_ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    return f"{route}?{urllib.parse.urlencode({'query': text})}"


# ---- the build -------------------------------------------------------------------------------------

def build_argv(data: Path, var: Path, full: bool) -> list[str]:
    """The real build command; ``full``: ``--complet`` (the measured builds: without it, a build over an
    unchanged data/ would be an incremental build with nothing to do)."""
    argv = [str(VENV_BIN / "ia-territoriales"), "build", "--data-dir", str(data), "--sources", "aucun",
            "--var-dir", str(var), "--base-url", BASE_URL]
    return [*argv, "--complet"] if full else argv


def build_facts(manifest: dict) -> dict:
    """What a build's manifest says of its kind (``ingest/build.py``: full, incremental, incremental-dumps)."""
    return {"build_kind": manifest.get("build_kind"), "build_reason": manifest.get("build_reason"),
            "build_id": manifest.get("build_id"), "dumps_of_build": manifest.get("dumps_of_build"),
            "steps_s": manifest.get("steps", {}), "peak_rss_mb_manifest": manifest.get("peak_memory_mb")}


def run_build(data: Path, var: Path, log: Path, profile: Path | None = None) -> dict:
    argv = build_argv(data, var, full=True)
    if profile is not None:
        argv = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(profile), "-m", "ingest", *argv[1:]]
    start = time.perf_counter()
    with log.open("ab") as handle:
        proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT)
        with MemorySampler(proc.pid, 0.2) as sampler:
            code = proc.wait()
    wall = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"la construction a échoué (code {code}) ; voir {log}")
    manifest = json.loads((var / "current" / "manifest.json").read_text(encoding="utf-8"))
    return {
        "wall_s": round(wall, 2),
        "steps_s": manifest.get("steps", {}),
        "peak_rss_mb_sampled": sampler.peak_mb,
        "peak_rss_mb_manifest": manifest.get("peak_memory_mb"),
        "validation_method": manifest.get("validation", {}).get("method"),
        "build_kind": manifest.get("build_kind"),
        "triples": manifest.get("triples", {}),
        "use_cases": manifest.get("use_cases", {}),
        "profiled": profile is not None,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def stats(values: list[float]) -> dict:
    return {"median": round(sorted(values)[(len(values) - 1) // 2] if len(values) % 2 else
                            (sorted(values)[len(values) // 2 - 1] + sorted(values)[len(values) // 2]) / 2, 3),
            "p99": percentile(values, 99), "runs": len(values)}


def build_summary(runs: list[dict]) -> dict:
    timed = [r for r in runs if not r["profiled"]] or runs
    steps = sorted({s for r in timed for s in r["steps_s"]}, key=lambda s: list(timed[0]["steps_s"]).index(s)
                   if s in timed[0]["steps_s"] else 99)
    return {
        "wall_s": stats([r["wall_s"] for r in timed]),
        "steps_s": {s: stats([r["steps_s"].get(s, 0.0) for r in timed]) for s in steps},
        "peak_rss_mb": stats([max(r["peak_rss_mb_sampled"], r["peak_rss_mb_manifest"] or 0) for r in timed]),
    }


# ---- the search page's filters, read from the page itself -----------------------------------------

def search_paths(port: int) -> tuple[list[str], dict]:
    """A faceted search with text and two filters (the most frequent domain and technique), or []."""
    query = urllib.parse.urlencode({"q": SEARCH_TEXT})
    status, body = fetch(port, f"/cas-usage?{query}", "text/html")
    info: dict = {"route": "/cas-usage", "text": SEARCH_TEXT, "probe_status": status}
    if status != 200:
        return [], info
    html = body.decode("utf-8", "replace")
    chosen = {}
    for facet in ("domaine", "technique"):
        found = re.search(rf'name="{facet}" value="([^"]+)"', html)
        if found:
            chosen[facet] = found.group(1).replace("&amp;", "&")
    info["filters"] = chosen
    if len(chosen) < 2:
        return [], info
    path = f"/cas-usage?{urllib.parse.urlencode({'q': SEARCH_TEXT, **chosen})}"
    return [path], info


# ---- one size --------------------------------------------------------------------------------------

def bench_size(size: int, args) -> dict:
    work = args.work_dir / str(size)
    data, var, logs = work / "data", work / "var", work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    result: dict = {"size": size}

    print(f"== {size} cas d'usage : génération", flush=True)
    start = time.perf_counter()
    result["data"] = generate(data, size, seed=args.seed)
    result["data"]["generate_s"] = round(time.perf_counter() - start, 2)

    runs = args.build_runs or (3 if size <= 1000 else 2 if size <= 10000 else 1)
    builds = []
    for n in range(runs):
        profile = None
        if args.profile in ("tout", "construction") and n == runs - 1:
            profile = args.out / "profiles" / f"{args.date}-{size}-build.txt"
            profile.parent.mkdir(parents=True, exist_ok=True)
        print(f"== {size} : construction {n + 1}/{runs}{' (profilée)' if profile else ''}", flush=True)
        builds.append(run_build(data, var, logs / "build.log", profile))
        print(f"   {builds[-1]['wall_s']} s ; étapes {builds[-1]['steps_s']} ; "
              f"mémoire max {builds[-1]['peak_rss_mb_sampled']} Mo", flush=True)
    result["build"] = {"runs": builds, **build_summary(builds)}
    dump = var / "current" / "dumps" / "ia-territoriales.nq.gz"

    slugs = [f"bench-{i + 1:06d}" for i in range(0, size, max(size // 50, 1))][:50]
    endpoints: dict[str, dict] = {}
    servers: dict[str, dict] = {}
    plan: list[tuple[str, list[str], str | None]] = []

    # -- the service
    port = free_port()
    env = {"IAT_VAR_DIR": str(var.resolve()), "IAT_BASE_URL": BASE_URL}
    service = Server("service", [str(VENV_BIN / "ia-territoriales"), "serve", "--port", str(port)], port,
                     "/sparql?query=ASK%7B%7D", logs / "service.log", env)
    try:
        service.wait_ready(120)
        servers["service"] = {"ready_s": service.ready_s, "rss_mb_idle": service.rss_mb()}
        print(f"== {size} : service prêt en {service.ready_s} s ({servers['service']['rss_mb_idle']} Mo)", flush=True)
        search, search_info = search_paths(port)
        result["search"] = search_info
        plan = [
            ("page_html", [f"/doc/cas-usage/{s}" for s in slugs], "text/html"),
            ("page_turtle", [f"/doc/cas-usage/{s}.ttl" for s in slugs], "text/turtle"),
            ("search", search, "text/html"),
            ("concept_html", ["/nomenclature/domaines/eau-assainissement", "/nomenclature/techniques/prediction"],
             "text/html"),
            *((f"sparql:{q}", [sparql_path("/sparql", q)], JSON_RESULTS) for q in SPARQL_QUERIES),
            *((f"sparql-cache:{q}", [sparql_path("/sparql", q)], JSON_RESULTS) for q in SPARQL_QUERIES),
        ]
        for name, paths, accept in plan:
            if not paths:
                endpoints.setdefault(name, {})["service"] = {"skipped": f"route absente ({search_info})"}
                print(f"  service         {name:<22} non mesuré : {search_info}", flush=True)
                continue
            headers = COLD if name.startswith("sparql:") else ()
            endpoints.setdefault(name, {})["service"] = measure(name, service, paths, accept, args, headers)
        servers["service"]["rss_mb_after_load"] = service.rss_mb()
        if args.profile in ("tout", "service"):
            result["service_profiles"] = profile_service(size, service, plan, args)

        # -- baselines on the same dump and queries (the service stays up, idle)
        if not args.skip_baselines:
            baseline_sparql(size, work, dump, endpoints, servers, args)

        # -- one record changed, rebuilt and served
        result["one_record_change"] = one_record_change(data, var, logs, service, args.change_timeout)
        print(f"== {size} : une fiche modifiée : {result['one_record_change']}", flush=True)
        servers["service"]["rss_mb_end"] = service.rss_mb()
    finally:
        service.stop()
    result["endpoints"] = endpoints
    result["servers"] = servers
    result["ratios"] = ratios(endpoints)
    return result


OWN_CODE = ("sparql_endpoint/", "ingest/", "jinja2/", "pyoxigraph", "snowballstemmer/", "sqlite3", "rdflib/")


def collapsed_summary(raw: Path, top: int = 30) -> str:
    """A text report of py-spy's collapsed stacks: the functions with the most samples, inclusive and self."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";") if f]  # per function, not per line
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + n
    lines = [f"{total} échantillons (py-spy, tous processus du service)", "", "Inclusif (fonction et appelées) :"]
    lines += [f"  {100 * n / total:5.1f} %  {f}" for f, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]]
    ours = [(f, n) for f, n in inclusive.items() if any(k in f for k in OWN_CODE)]
    lines += ["", "Inclusif, code du projet et bibliothèques de rendu seulement :"]
    lines += [f"  {100 * n / total:5.1f} %  {f}" for f, n in sorted(ours, key=lambda kv: -kv[1])[:top]]
    lines += ["", "Propre (feuille de pile) :"]
    lines += [f"  {100 * n / total:5.1f} %  {f}" for f, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]]
    return "\n".join(lines) + "\n"


def profile_service(size: int, service: Server, plan: list, args) -> dict[str, str]:
    """Sample the running service (and its query workers) with py-spy while one endpoint is loaded."""
    spy = VENV_BIN / "py-spy"
    if not spy.exists():
        return {"absent": "py-spy manque (extra bench)"}
    out = {}
    folder = args.out / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    seconds = max(int(args.duration), 3)
    for name, paths, accept in plan:
        if name not in ("page_html", "page_turtle", "search") or not paths:
            continue
        raw = args.work_dir / str(size) / "logs" / f"py-spy-{name}.txt"
        recorder = subprocess.Popen(
            [str(spy), "record", "--pid", str(service.proc.pid), "--subprocesses", "--nonblocking",
             "--duration", str(seconds), "--rate", "200", "--format", "raw", "--output", str(raw)],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)  # py-spy attaches
        load(service.port, paths, accept, args.concurrency, args.requests * 100, seconds - 1, service)
        recorder.wait(timeout=seconds + 60)
        if raw.is_file():
            target = folder / f"{args.date}-{size}-service-{name}.txt"
            target.write_text(f"{name} : {paths[0]} (c={args.concurrency}, {seconds} s)\n"
                              + collapsed_summary(raw), encoding="utf-8")
            out[name] = str(target.relative_to(PROJECT_ROOT))
    return out


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server of the venv (package ``oxigraph``, extra ``bench``), else one on PATH."""
    own = VENV_BIN / "oxigraph"
    return str(own) if own.exists() else shutil.which("oxigraph")


def baseline_sparql(size: int, work: Path, dump: Path, endpoints: dict, servers: dict, args) -> None:
    logs = work / "logs"
    oxigraph_baseline(work, dump, endpoints, servers, args)
    rdflib_baseline(dump, logs, endpoints, servers, args)


def oxigraph_baseline(work: Path, dump: Path, endpoints: dict, servers: dict, args) -> None:
    """``oxigraph serve-read-only`` on the build's N-Quads dump; its load bounded by ``--baseline-load-timeout``
    (a store that cannot be made in time is recorded as such)."""
    binary = oxigraph_binary()
    store = work / "oxigraph"
    shutil.rmtree(store, ignore_errors=True)
    info: dict = {"binary": binary, "load_timeout_s": args.baseline_load_timeout}
    servers["oxigraph"] = info
    try:
        if binary is None:
            raise FileNotFoundError("programme oxigraph absent (paquet oxigraph, extra « bench »)")
        start = time.perf_counter()
        subprocess.run([binary, "load", "--location", str(store), "--file", str(dump)], cwd=PROJECT_ROOT,
                       check=True, capture_output=True, timeout=args.baseline_load_timeout)
        info["load_s"] = round(time.perf_counter() - start, 2)
        # compacted as oxigraph advises for read-heavy use: at 100k its queries run 1.2-1.7x faster after
        # this (a baseline that is not at its best would flatter the service's ratio)
        start = time.perf_counter()
        subprocess.run([binary, "optimize", "--location", str(store)], cwd=PROJECT_ROOT, check=True,
                       capture_output=True, timeout=args.baseline_load_timeout)
        info["optimize_s"] = round(time.perf_counter() - start, 2)
    except subprocess.TimeoutExpired as exc:
        info["failed"] = f"`oxigraph {exc.cmd[1]}` dépasse {exc.timeout:.0f} s"
    except subprocess.CalledProcessError as exc:
        info["failed"] = f"`oxigraph {exc.cmd[1]}` a échoué (code {exc.returncode}) : {exc.stderr[-300:]!r}"
    except OSError as exc:
        info["failed"] = f"store non construit : {exc}"
    if "failed" in info:
        print(f"  oxigraph serve non mesuré : {info['failed']}", flush=True)
        for q in SPARQL_QUERIES:
            endpoints[f"sparql:{q}"]["oxigraph"] = {"skipped": f"oxigraph : {info['failed']}"}
        shutil.rmtree(store, ignore_errors=True)
        return
    port = free_port()
    ox = Server("oxigraph serve", [binary, "serve-read-only", "--location", str(store),
                                   "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                port, "/query?query=ASK%7B%7D", work / "logs" / "oxigraph.log")
    try:
        ox.wait_ready(60)
        info.update(ready_s=ox.ready_s, rss_mb_idle=ox.rss_mb())
        for q in SPARQL_QUERIES:
            endpoints[f"sparql:{q}"]["oxigraph"] = measure(f"sparql:{q}", ox, [sparql_path("/query", q)],
                                                           JSON_RESULTS, args, COLD)
        info["rss_mb_after_load"] = ox.rss_mb()
    finally:
        ox.stop()
    shutil.rmtree(store, ignore_errors=True)




def rdflib_baseline(dump: Path, logs: Path, endpoints: dict, servers: dict, args) -> None:
    """rdflib-endpoint, bounded: its load by ``--baseline-load-timeout`` (a baseline that cannot load in time
    is recorded as such, with its peak memory), its queries by ``--baseline-budget`` seconds in all (the
    facet queries come first; a query that no longer fits is recorded as not measured, with the reason)."""
    port = free_port()
    peer = Server("rdflib-endpoint", [sys.executable, "-m", "bench.rdflib_server", str(dump), "--port", str(port)],
                  port, "/?query=ASK%7B%7D", logs / "rdflib.log")
    info: dict = {"load_timeout_s": args.baseline_load_timeout, "budget_s": args.baseline_budget}
    servers["rdflib_endpoint"] = info
    try:
        with MemorySampler(peer.proc.pid, 0.5) as sampler:
            try:
                peer.wait_ready(args.baseline_load_timeout)
            except RuntimeError as exc:
                info["failed"] = str(exc)
        info["peak_rss_mb_loading"] = sampler.peak_mb
        if "failed" in info:
            print(f"  rdflib-endpoint non mesuré : {info['failed']}", flush=True)
            for q in SPARQL_QUERIES:
                endpoints[f"sparql:{q}"]["rdflib_endpoint"] = {"skipped": f"rdflib-endpoint : {info['failed']}"}
            return
        info.update(ready_s=peer.ready_s, rss_mb_idle=peer.rss_mb())
        start = time.perf_counter()
        for q in SPARQL_QUERIES:
            left = args.baseline_budget - (time.perf_counter() - start)
            name = f"sparql:{q}"
            # the worst a measurement can take: first request, c=1 run, c=8 run and waiting for idle
            if left < args.measure_timeout:  # a query starts while one pass fits (it may take up to 4 passes)
                endpoints[name]["rdflib_endpoint"] = {
                    "skipped": f"budget de la référence épuisé ({args.baseline_budget:.0f} s, {left:.0f} s restantes)"}
                print(f"  rdflib-endpoint {name:<22} non mesuré : budget épuisé", flush=True)
                continue
            endpoints[name]["rdflib_endpoint"] = measure(name, peer, [sparql_path("/", q)], JSON_RESULTS, args, COLD,
                                                         budget_left=left)
        info["queries_s"] = round(time.perf_counter() - start, 2)
        info["rss_mb_after_load"] = peer.rss_mb()
    finally:
        peer.stop()


def _current_build(var: Path) -> str | None:
    try:
        return Path(os.readlink(var / "current")).name
    except OSError:
        return None


def _manifest_of(var: Path, build_id: str | None) -> dict:
    try:
        return json.loads((var / "builds" / str(build_id) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def one_record_change(data: Path, var: Path, logs: Path, service: Server, timeout: float = 900) -> dict:
    """Change one record's title and run the build command as a contributor would (no ``--complet``: an
    incremental build publishes the change with the previous dumps, then a following build the fresh dumps)
    while the service runs. From the edit, polled together: the first answer of the service with the change
    (``served_s``), each build swapped in as ``var/current`` (``published``), the end of the command
    (``build_command_s``: the fresh dumps are published by then when the last build is ``incremental-dumps``).
    The command is stopped past ``timeout`` seconds (``timed_out``)."""
    path = data / "cas-usage" / "bench-000001.ttl"
    original = path.read_bytes()
    marker = f"modifié {int(time.time())}"
    text = original.decode("utf-8")
    changed = re.sub(r'(dct:title ")([^"]*)(")', lambda m: f"{m.group(1)}{m.group(2)} {marker}{m.group(3)}", text,
                     count=1)
    before = _current_build(var)
    path.write_text(changed, encoding="utf-8")
    out: dict = {"timeout_s": timeout}
    published: list[dict] = []
    served = ended = None
    try:
        start = time.perf_counter()
        with (logs / "build.log").open("ab") as handle:
            proc = subprocess.Popen(build_argv(data, var, full=False), cwd=PROJECT_ROOT, stdout=handle,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            with MemorySampler(proc.pid, 0.2) as sampler:
                seen = before
                while True:
                    now = time.perf_counter() - start
                    current = _current_build(var)
                    if current != seen:
                        published.append({"build_id": current, "seen_s": round(now, 2)})
                        seen = current
                    if served is None:
                        with contextlib.suppress(urllib.error.URLError, OSError):
                            status, body = fetch(service.port, "/doc/cas-usage/bench-000001.ttl", "text/turtle",
                                                 timeout=30)
                            if status == 200 and marker.encode() in body:
                                served = round(time.perf_counter() - start, 2)
                    if ended is None and proc.poll() is not None:
                        ended = round(time.perf_counter() - start, 2)
                    if ended is not None and (served is not None or now - ended > 30):
                        break
                    if now > timeout:
                        out["timed_out"] = True
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(proc.pid, signal.SIGTERM)
                        proc.wait(timeout=60)
                        break
                    time.sleep(0.1)
        out["build_exit_code"] = proc.returncode
        out["peak_rss_mb"] = sampler.peak_mb
    finally:
        path.write_bytes(original)
    for entry in published:
        manifest = _manifest_of(var, entry["build_id"])
        entry.update(build_kind=manifest.get("build_kind"), build_reason=manifest.get("build_reason"),
                     steps_s=manifest.get("steps", {}))
    first = published[0] if published else {}
    last = published[-1] if published else {}
    out.update(
        served_s=served,  # from the edit to the first answer with the change; None: not within timeout
        served_without_restart=served is not None,
        build_command_s=ended,
        rebuild_s=ended,  # (name of earlier results)
        build_kind=first.get("build_kind"),  # of the build that published the change: incremental, or full
        build_reason=first.get("build_reason"),  # why a full build (e.g. "le code a changé": ingest/ was edited)
        published_s=first.get("seen_s"),
        final_build_kind=last.get("build_kind"),
        dumps_published_s=(last.get("seen_s") if last.get("build_kind") == "incremental-dumps"
                           else first.get("seen_s") if first.get("build_kind") == "full" else None),
        steps_s=first.get("steps_s", {}),
        published=published,
    )
    return out


def ratios(endpoints: dict) -> dict:
    """Service throughput (req/s at the same concurrency) divided by each baseline's, per SPARQL query:
    ``sparql:*`` cold (every request computed), ``sparql-cache:*`` the service's warm result cache over
    the same baselines (which compute every request)."""
    out = {}
    for name, by_server in endpoints.items():
        if not name.startswith(("sparql:", "sparql-cache:")):
            continue
        baselines = endpoints.get("sparql:" + name.split(":", 1)[1], {})
        mine = by_server.get("service", {}).get("throughput", {}).get("ok_per_s")  # successful answers only:
        for other in ("oxigraph", "rdflib_endpoint"):  # a 503 (queue full, timeout) is no throughput
            theirs = baselines.get(other, {}).get("throughput", {}).get("ok_per_s")
            if mine and theirs:
                out.setdefault(name, {})[f"service_over_{other}"] = round(mine / theirs, 3)
    return out


# ---- the machine -----------------------------------------------------------------------------------

def machine() -> dict:
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                           capture_output=True, text=True).stdout.split("\n")
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": mem,
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": commit or None,
        "git_modified_files": [line[3:] for line in dirty if line.strip()],  # the tree is shared and edited live
        "note": "machine partagée : 2 cœurs utilisés en même temps par d'autres processus (autres développeurs) ; "
                "le client de charge tourne sur les mêmes cœurs que le serveur mesuré. Comparer les ratios d'une "
                "même exécution plutôt que les valeurs absolues.",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="nombres de cas d'usage")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--build-runs", type=int, default=0,
                        help="constructions par taille (défaut : 3 jusqu'à 1 000 cas, 2 jusqu'à 10 000, puis 1)")
    parser.add_argument("--requests", type=int, default=300,
                        help="requêtes au plus par mesure de latence (×10 pour le débit)")
    parser.add_argument("--duration", type=float, default=8.0, help="secondes au plus par mesure")
    parser.add_argument("--concurrency", type=int, default=8, help="connexions simultanées pour le débit")
    parser.add_argument("--skip-baselines", action="store_true", help="sans oxigraph serve ni rdflib-endpoint")
    parser.add_argument("--measure-timeout", type=float, default=90.0,
                        help="secondes au plus par passe de mesure, réponses comprises (les requêtes encore sans "
                             "réponse sont abandonnées et comptées)")
    parser.add_argument("--baseline-load-timeout", type=float, default=600.0,
                        help="secondes au plus pour que rdflib-endpoint charge le dump (sinon noté non chargé)")
    parser.add_argument("--baseline-budget", type=float, default=600.0,
                        help="secondes pour les requêtes envoyées à rdflib-endpoint : une requête n'est plus "
                             "mesurée quand il reste moins de --measure-timeout")
    parser.add_argument("--change-timeout", type=float, default=900.0,
                        help="secondes au plus pour la fiche modifiée (construction arrêtée au-delà)")
    parser.add_argument("--profile", nargs="?", const="tout", choices=["tout", "construction", "service"],
                        help="profils dans bench/results/profiles/ : la dernière construction (pyinstrument), "
                             "le service sous charge (py-spy), ou les deux (défaut de --profile seul)")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_ROOT / "var" / "bench")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.date = datetime.now(UTC).strftime("%Y-%m-%d")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.skip_baselines:
        try:
            metadata.version("rdflib-endpoint")
        except metadata.PackageNotFoundError:
            print("rdflib-endpoint manque : installez l'extra « bench » (pip install -e '.[bench]') "
                  "ou passez --skip-baselines.", file=sys.stderr)
            return 2
    for size in args.sizes:
        started = datetime.now(UTC).isoformat(timespec="seconds")
        host = machine()  # per size: the commit and the tree's state when this size started
        result = bench_size(size, args)
        result = {
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": host,
            "settings": {"requests": args.requests, "duration_s": args.duration, "concurrency": args.concurrency,
                         "measure_timeout_s": args.measure_timeout, "change_timeout_s": args.change_timeout,
                         "baseline_load_timeout_s": args.baseline_load_timeout,
                         "baseline_budget_s": args.baseline_budget,
                         "seed": args.seed, "base_url": BASE_URL, "sparql_queries": list(SPARQL_QUERIES)},
            **result,
        }
        path = args.out / f"{args.date}-{size}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        print(f"== {size} : résultats dans {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
