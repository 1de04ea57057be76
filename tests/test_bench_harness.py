"""``python -m bench``: what the measured builds and the one-record change run (no server started)."""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.__main__ import JSON_RESULTS, build_argv, measure, ratios


def test_measured_builds_are_full_and_the_one_record_change_is_not():
    """An unchanged data/ rebuilt without --complet is an incremental build with nothing to do: the measured
    builds force a full one; the one-record change runs the command as a contributor would."""
    full = build_argv(Path("d"), Path("v"), full=True)
    plain = build_argv(Path("d"), Path("v"), full=False)
    assert full[-1] == "--complet" and "--complet" not in plain
    assert full[:-1] == plain and plain[1] == "build"


def test_ratios_count_successful_answers_cold_and_warm():
    def thr(ok):
        return {"throughput": {"ok_per_s": ok, "req_per_s": ok * 2}}

    endpoints = {"sparql:q": {"service": thr(2.0), "oxigraph": thr(4.0), "rdflib_endpoint": thr(0.1)},
                 "sparql-cache:q": {"service": thr(400.0)},
                 "page_html": {"service": thr(100.0)}}
    assert ratios(endpoints) == {
        "sparql:q": {"service_over_oxigraph": 0.5, "service_over_rdflib_endpoint": 20.0},
        "sparql-cache:q": {"service_over_oxigraph": 100.0, "service_over_rdflib_endpoint": 4000.0},
    }


class _Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(0.3)  # longer than the --duration below: the "slow server" path
        body = b'{"results": {"bindings": [{}]}}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    # what measure() reads of a bench Server: a port, a ready path and a process to sample (this one)
    yield SimpleNamespace(name="lent", port=httpd.server_address[1], ready_path="/", proc=SimpleNamespace(pid=os.getpid()))
    httpd.shutdown()


def _args(**extra):
    return SimpleNamespace(duration=0.1, measure_timeout=30.0, concurrency=3, requests=10, **extra)


def test_a_request_slower_than_the_duration_is_the_latency_sample_and_c8_sends_one_per_connection(slow_server):
    entry = measure("sparql:q", slow_server, ["/q"], JSON_RESULTS, _args())
    assert entry["rows"] == 1 and entry["latency"]["from_first_request"] and entry["latency"]["requests"] == 1
    thr = entry["throughput"]
    assert thr["requests"] == 3 and thr["unfinished"] == 0 and thr["concurrency"] == 3


def test_a_throughput_pass_that_does_not_fit_the_budget_is_not_made(slow_server):
    entry = measure("sparql:q", slow_server, ["/q"], JSON_RESULTS, _args(), budget_left=0.5)
    assert "throughput" not in entry and "au-delà du budget" in entry["throughput_skipped"]
    assert entry["latency"]["requests"] == 1
