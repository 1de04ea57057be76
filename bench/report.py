"""Markdown tables of benchmark results, as pasted in the README's performance section.

    .venv/bin/python -m bench.report bench/results/2026-11-26-1000.json bench/results/2026-11-26-10000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ENDPOINT_LABELS = {
    "page_html": "fiche de cas d'usage, HTML",
    "page_turtle": "fiche de cas d'usage, Turtle",
    "search": "recherche à facettes (texte + 2 filtres)",
    "concept_html": "page de concept, HTML",
}


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # French thousands separator


def _ms(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _rate(value) -> str:
    return "–" if value is None else f"{value:,.1f}".replace(",", " ")


def build_table(results: list[dict]) -> str:
    steps = []
    for r in results:
        for step in r["build"]["steps_s"]:
            if step not in steps:
                steps.append(step)
    head = "| étape (s) | " + " | ".join(f"{_n(r['size'])} cas (médiane / p99 sur {r['build']['wall_s']['runs']})"
                                       for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for step in steps:
        cells = []
        for r in results:
            s = r["build"]["steps_s"].get(step)
            cells.append("–" if s is None else f"{s['median']:.1f} / {s['p99']:.1f}")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    cells = [f"{r['build']['wall_s']['median']:.1f} / {r['build']['wall_s']['p99']:.1f}" for r in results]
    lines.append("| **total (horloge)** | " + " | ".join(cells) + " |")
    cells = [f"{r['build']['peak_rss_mb']['median']:.0f} / {r['build']['peak_rss_mb']['p99']:.0f}" for r in results]
    lines.append("| mémoire max (Mo) | " + " | ".join(cells) + " |")
    cells = [str(r["build"]["runs"][0]["triples"].get("quads", "–")) for r in results]
    lines.append("| triplets | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        c = r.get("one_record_change", {})
        cells.append(f"{c.get('rebuild_s', '–')} s ; servie après {c.get('served_s', '–')} s")
    lines.append("| une fiche modifiée : reconstruite ; servie | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def service_table(result: dict) -> str:
    lines = ["| point d'accès | serveur | c=1 p50 / p99 (ms) | c=8 req/s | c=8 p50 / p99 (ms) | lignes | mémoire max (Mo) |",
             "|---|---|---|---|---|---|---|"]
    for name, by_server in result["endpoints"].items():
        label = ENDPOINT_LABELS.get(name, f"`/sparql` {name.split(':', 1)[1]}.rq" if name.startswith("sparql:") else name)
        for server, entry in by_server.items():
            if "latency" not in entry:
                lines.append(f"| {label} | {server} | non mesuré : {entry.get('skipped', '')} | | | | |")
                continue
            lat, thr = entry["latency"], entry["throughput"]
            errors = f" ({thr['errors']} err.)" if thr["errors"] else ""
            lines.append(f"| {label} | {server} | {_ms(lat['p50_ms'])} / {_ms(lat['p99_ms'])} | "
                         f"{_rate(thr['req_per_s'])}{errors} | {_ms(thr['p50_ms'])} / {_ms(thr['p99_ms'])} | "
                         f"{entry.get('rows', '')} | {thr['server_peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def ratio_table(results: list[dict]) -> str:
    lines = ["| requête | " + " | ".join(f"{_n(r['size'])} cas : ÷ oxigraph serve ; ÷ rdflib-endpoint"
                                    for r in results) + " |", "|---|" + "---|" * len(results)]
    names = []
    for r in results:
        for name in r.get("ratios", {}):
            if name not in names:
                names.append(name)
    for name in names:
        cells = []
        for r in results:
            ratio = r.get("ratios", {}).get(name, {})
            ox, rdf = ratio.get("service_over_oxigraph"), ratio.get("service_over_rdflib_endpoint")
            cells.append(f"{'–' if ox is None else f'{ox:.2f}×'} ; {'–' if rdf is None else f'{rdf:.1f}×'}")
        lines.append(f"| {name.split(':', 1)[1]}.rq | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    results = sorted((json.loads(p.read_text(encoding="utf-8")) for p in paths), key=lambda r: r["size"])
    print(build_table(results), end="\n\n")
    for r in results:
        print(f"**{_n(r['size'])} cas**", end="\n\n")
        print(service_table(r), end="\n\n")
    print(ratio_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
