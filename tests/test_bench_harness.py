"""``python -m bench``: what the measured builds and the one-record change run (no server started)."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import build_argv, ratios


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
