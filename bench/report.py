"""The README's benchmark figures, in French, from ``bench/results/*.json`` (``python -m bench``).

    .venv/bin/python -m bench.report bench/results/2026-11-26-*.json              # prints the section
    .venv/bin/python -m bench.report --write-readme README.md bench/results/2026-11-26-*.json

``--write-readme`` replaces only what lies between ``<!-- bench:begin -->`` and ``<!-- bench:end -->``
(the prose above, method and commands, is kept). The section holds: the machine and its load, the build
per size (median / p99 of each step, peak memory), the one-record change (incremental build), the service
and its baselines, the throughput ratios (cold and warm ``/sparql``), and issue 7's targets at 100,000 use
cases against the measures (the largest size measured when 100,000 was not, said so).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench.report_targets import targets_table

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
ENDPOINT_LABELS = {
    "page_html": "fiche de cas d'usage, HTML",
    "page_turtle": "fiche de cas d'usage, Turtle",
    "search": "recherche à facettes (texte + 2 filtres)",
    "concept_html": "page de concept, HTML",
}
SERVER_LABELS = {"service": "service", "oxigraph": "oxigraph serve", "rdflib_endpoint": "rdflib-endpoint"}
KIND_LABELS = {"full": "complète", "incremental": "incrémentale", "incremental-dumps": "incrémentale (dumps)"}


# ---- numbers in French -----------------------------------------------------------------------------

def num(value, digits: int = 1) -> str:
    """``1234.5`` → ``1 234,5`` (narrow no-break space for thousands, decimal comma); ``None`` → ``–``."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def times(ratio: float) -> str:
    return f"{num(ratio, 2 if ratio < 10 else 1)}×"


def ms_pair(a, b) -> str:
    return f"{num(a)} / {num(b)}"


def endpoint_label(name: str) -> str:
    if name in ENDPOINT_LABELS:
        return ENDPOINT_LABELS[name]
    kind, _, query = name.partition(":")
    if kind == "sparql":
        return f"`/sparql` {query}.rq, à froid"
    if kind == "sparql-cache":
        return f"`/sparql` {query}.rq, cache chaud"
    return name


def ok_rate(run: dict | None):
    """Successful answers per second (``ok_per_s``; ``req_per_s`` in results written before it existed)."""
    if not run:
        return None
    return run.get("ok_per_s", run.get("req_per_s"))


# ---- sections --------------------------------------------------------------------------------------

def machine_section(results: list[dict]) -> str:
    first = results[0]
    host = first.get("machine", {})
    packages = host.get("packages", {})
    started = min(r.get("started", "") for r in results)
    finished = max(r.get("finished", "") for r in results)
    loads = [run.get("load_average_1min") for r in results for run in _runs(r)]
    loads = [v for v in loads if v is not None]
    commits = sorted({(r.get("machine", {}).get("git_commit") or "?")[:7] for r in results})
    modified = sorted({f for r in results for f in r.get("machine", {}).get("git_modified_files", [])
                       if not f.startswith("bench/results/")})
    settings = first.get("settings", {})
    lines = [
        f"**Mesures du {started[:10]}** ({started[11:16]} → {finished[11:16]} UTC), tailles : "
        + ", ".join(f"{num(r['size'], 0)} cas" for r in results) + ".",
        f"Machine : {host.get('cpu_count', '?')} vCPU {host.get('cpu_model') or ''}, "
        f"{num(host.get('memory_gib'))} Gio, Python {host.get('python', '?')}, "
        + ", ".join(f"{name} {packages[name]}" for name in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint",
                                                            "fastapi", "uvicorn") if packages.get(name))
        + f" ; commit {', '.join(f'`{c}`' for c in commits)}"
        + (f" ({len(modified)} fichier{'s' if len(modified) > 1 else ''} suivi{'s' if len(modified) > 1 else ''} "
           f"modifié{'s' if len(modified) > 1 else ''} au départ : {', '.join(f'`{f}`' for f in modified[:4])}"
           f"{' …' if len(modified) > 4 else ''})" if modified else "")
        + ".",
    ]
    if loads:
        lines.append(f"Charge moyenne (1 min) pendant les mesures : {num(min(loads))} à {num(max(loads))} "
                     f"(médiane {num(sorted(loads)[len(loads) // 2])}) pour {host.get('cpu_count', '?')} cœurs ; "
                     "le client de charge tourne sur les mêmes cœurs que le serveur mesuré.")
    lines.append(f"Réglages : {settings.get('requests', '?')} requêtes au plus par mesure de latence (×10 pour le "
                 f"débit), {num(settings.get('duration_s'))} s de charge par passe, {settings.get('concurrency', '?')} "
                 f"connexions pour le débit"
                 + (f", {num(settings['measure_timeout_s'], 0)} s au plus par passe réponses comprises "
                    "(au-delà, requêtes abandonnées et comptées)" if "measure_timeout_s" in settings else "")
                 + ". Mo = Mio (2²⁰ octets) ; mémoire = RSS de l'arbre de processus.")
    return "\n".join(lines)


def _runs(result: dict):
    for by_server in result.get("endpoints", {}).values():
        for entry in by_server.values():
            for key in ("latency", "throughput"):
                if isinstance(entry.get(key), dict):
                    yield entry[key]


def build_table(results: list[dict]) -> str:
    steps: list[str] = []
    for r in results:
        steps += [s for s in r["build"]["steps_s"] if s not in steps]
    head = "| construction complète (s) | " + " | ".join(
        f"{num(r['size'], 0)} cas (médiane / p99 sur {r['build']['wall_s']['runs']})" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for step in steps:
        cells = []
        for r in results:
            s = r["build"]["steps_s"].get(step)
            cells.append("–" if s is None else ms_pair(s["median"], s["p99"]))
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines.append("| **total (horloge)** | " + " | ".join(
        f"**{ms_pair(r['build']['wall_s']['median'], r['build']['wall_s']['p99'])}**" for r in results) + " |")
    lines.append("| mémoire max (Mo) | " + " | ".join(
        f"{num(r['build']['peak_rss_mb']['median'], 0)} / {num(r['build']['peak_rss_mb']['p99'], 0)}"
        for r in results) + " |")
    lines.append("| triplets (quads) | " + " | ".join(
        num(r["build"]["runs"][0].get("triples", {}).get("quads"), 0) for r in results) + " |")
    return "\n".join(lines)


def change_table(results: list[dict]) -> str:
    lines = ["| une fiche modifiée (s depuis la modification) | " + " | ".join(
        f"{num(r['size'], 0)} cas" for r in results) + " |", "|---|" + "---|" * len(results)]
    rows = [
        ("construction qui publie le changement", lambda c: (KIND_LABELS.get(c.get("build_kind"), c.get("build_kind"))
                                                            or "–")
         + (f" ({c['build_reason']})" if c.get("build_kind") == "full" and c.get("build_reason") else "")),
        ("publiée (`var/current` basculé)", lambda c: num(c.get("published_s"))),
        ("**servie** par le service en cours (sans redémarrage)", lambda c: f"**{num(c.get('served_s'))}**"
         if c.get("served_s") is not None else "non servie" + (" (délai dépassé)" if c.get("timed_out") else "")),
        ("téléchargements (dumps, CSV) à jour", lambda c: num(c.get("dumps_published_s"))),
        ("fin de la commande", lambda c: num(c.get("build_command_s", c.get("rebuild_s")))),
        ("mémoire max de la commande (Mo)", lambda c: num(c.get("peak_rss_mb"), 0)),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r.get("one_record_change") or {}) for r in results) + " |")
    return "\n".join(lines)


def _run_cells(run: dict, concurrency_label: str) -> tuple[str, str]:
    """(rate, p50 / p99) of one load run, with its errors and abandoned requests."""
    notes = []
    if run.get("errors"):
        notes.append(f"{run['errors']} err.")
    if run.get("unfinished"):
        cap = run.get("timeout_s")
        notes.append(f"{run['unfinished']} sans réponse en {num(cap, 0 if cap is None or cap >= 10 else 1)} s")
    if run.get("from_first_request"):
        notes.append("1re requête seule")
    note = f" ({', '.join(notes)})" if notes else ""
    rate = ok_rate(run)
    return f"{num(rate, 2 if rate is not None and rate < 10 else 1)}{note}", ms_pair(run.get("p50_ms"),
                                                                                   run.get("p99_ms"))


def service_table(result: dict) -> str:
    lines = ["| point d'accès | serveur | c=1 p50 / p99 (ms) | c=8 réponses 2xx/s | c=8 p50 / p99 (ms) | lignes "
             "| mémoire max (Mo) |", "|---|---|---|---|---|---|---|"]
    for name, by_server in result["endpoints"].items():
        for server, entry in by_server.items():
            label, who = endpoint_label(name), SERVER_LABELS.get(server, server)
            if "latency" in entry and "throughput" not in entry:  # c=1 only: c=8 would not fit the budget
                lat = entry["latency"]
                cell = ms_pair(lat.get("p50_ms"), lat.get("p99_ms"))
                if lat.get("from_first_request"):
                    cell += " (1re requête seule)"
                lines.append(f"| {label} | {who} | {cell} | {entry.get('throughput_skipped', 'non mesuré')} | | "
                             f"{entry.get('rows', '')} | |")
                continue
            if "throughput" not in entry:
                lines.append(f"| {label} | {who} | non mesuré : {entry.get('skipped', '?')} | | | | |")
                continue
            lat, thr = entry["latency"], entry["throughput"]
            _rate, lat_cell = _run_cells(lat, "c=1")
            if lat.get("from_first_request"):
                lat_cell += " (1re requête seule)"
            rate, thr_cell = _run_cells(thr, "c=8")
            lines.append(f"| {label} | {who} | {lat_cell} | {rate} | {thr_cell} | {entry.get('rows', '')} | "
                         f"{num(thr.get('server_peak_rss_mb'), 0)} |")
    return "\n".join(lines)


def servers_line(result: dict) -> str:
    servers = result.get("servers", {})
    parts = []
    if "service" in servers:
        s = servers["service"]
        parts.append(f"service prêt en {num(s.get('ready_s'))} s, {num(s.get('rss_mb_idle'), 0)} Mo au repos, "
                     f"{num(_service_peak_mb(result), 0)} Mo au plus")
    if servers.get("oxigraph", {}).get("failed"):
        parts.append(f"oxigraph serve **non mesuré** : {servers['oxigraph']['failed']}")
    elif "oxigraph" in servers:
        s = servers["oxigraph"]
        parts.append(f"`oxigraph load` {num(s.get('load_s'))} s"
                     + (f" + `optimize` {num(s.get('optimize_s'))} s" if s.get("optimize_s") is not None else "")
                     + f", prêt en {num(s.get('ready_s'))} s")
    if "rdflib_endpoint" in servers:
        s = servers["rdflib_endpoint"]
        if s.get("failed"):
            parts.append(f"rdflib-endpoint **non chargé** : {s['failed']} (mémoire max "
                         f"{num(s.get('peak_rss_mb_loading'), 0)} Mo)")
        else:
            parts.append(f"rdflib-endpoint prêt en {num(s.get('ready_s'))} s (chargement du dump), "
                         f"{num(s.get('rss_mb_idle'), 0)} Mo")
    return " ; ".join(parts) + "." if parts else ""


def _service_peak_mb(result: dict):
    servers = result.get("servers", {}).get("service", {})
    values = [servers.get(k) for k in ("rss_mb_idle", "rss_mb_after_load", "rss_mb_end")]
    values += [run.get("server_peak_rss_mb") for name, by in result.get("endpoints", {}).items()
               for server, entry in by.items() if server == "service"
               for run in (entry.get("latency"), entry.get("throughput")) if isinstance(run, dict)]
    values = [v for v in values if v is not None]
    return max(values) if values else None


def ratio_cell(result: dict, name: str, other: str) -> str:
    """The service's 2xx answers per second over a baseline's at c=8 (``ratios`` of the JSON); a bound when
    the baseline gave no answer within the pass (its rate is then below c / pass, so the ratio is above)."""
    value = result.get("ratios", {}).get(name, {}).get(f"service_over_{other}")
    if value is not None:
        return times(value)
    bound = ratio_bound(result, name, other)
    if bound is not None:
        return f"> {num(bound, 1)}× (aucune réponse de la référence)"
    baseline = result.get("endpoints", {}).get("sparql:" + name.split(":", 1)[1], {}).get(other)
    return "non mesuré" if baseline and "throughput" not in baseline else "–"


def ratio_bound(result: dict, name: str, other: str):
    endpoints = result.get("endpoints", {})
    mine = ok_rate(endpoints.get(name, {}).get("service", {}).get("throughput"))
    theirs = endpoints.get("sparql:" + name.split(":", 1)[1], {}).get(other, {}).get("throughput")
    if mine and theirs and not ok_rate(theirs) and theirs.get("unfinished"):
        return mine * theirs["elapsed_s"] / theirs["concurrency"]
    return None


def ratio_table(results: list[dict]) -> str:
    names: list[str] = []
    for r in results:
        names += [n for n in r.get("endpoints", {}) if n.startswith(("sparql:", "sparql-cache:")) and n not in names]
    names = sorted(names, key=lambda n: n.startswith("sparql-cache:"))  # stable: cold first, then warm
    lines = ["| requête | " + " | ".join(f"{num(r['size'], 0)} cas : ÷ oxigraph serve ; ÷ rdflib-endpoint"
                                      for r in results) + " |", "|---|" + "---|" * len(results)]
    for name in names:
        cells = [f"{ratio_cell(r, name, 'oxigraph')} ; {ratio_cell(r, name, 'rdflib_endpoint')}" for r in results]
        lines.append(f"| {endpoint_label(name).removeprefix('`/sparql` ')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section(results: list[dict]) -> str:
    parts = ["<!-- généré par `python -m bench.report --write-readme README.md bench/results/….json` "
             "(bench/report.py) : ne pas modifier à la main entre les marqueurs -->",
             machine_section(results), "Construction complète (`--complet`), secondes :", build_table(results),
             "Une fiche modifiée pendant que le service tourne (la commande de construction sans `--complet`) :",
             change_table(results),
             "Service et références (c=1 : une connexion, latence ; c=8 : 8 connexions, débit en réponses 2xx "
             "par seconde) :"]
    for r in results:
        parts += [f"**{num(r['size'], 0)} cas** — {servers_line(r)}", service_table(r)]
    parts += ["Débit de `/sparql` divisé par celui de chaque référence (même requête, c=8 ; à froid : chaque "
              "requête calculée, `Cache-Control: no-cache` ; cache chaud : le cache de résultats du service, "
              "face aux références qui calculent chaque requête) :", ratio_table(results)]
    parts += targets_table(results)
    return "\n\n".join(p for p in parts if p) + "\n"


def load_results(paths: list[Path]) -> list[dict]:
    """One result per size, sorted by size; of several files for a size, the one that finished last."""
    by_size: dict[int, dict] = {}
    for path in paths:
        result = json.loads(path.read_text(encoding="utf-8"))
        kept = by_size.get(result["size"])
        if kept is None or result.get("finished", "") >= kept.get("finished", ""):
            by_size[result["size"]] = result
    return [by_size[size] for size in sorted(by_size)]


def replace_between_markers(text: str, generated: str) -> str:
    """``text`` with what lies between the bench markers replaced by ``generated``; ValueError without them."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0 or end < start or text.count(BEGIN) != 1 or text.count(END) != 1:
        raise ValueError(f"il faut exactement un {BEGIN} suivi d'un {END}")
    return text[:start + len(BEGIN)] + "\n" + generated.strip("\n") + "\n\n" + text[end:]  # a blank line ends a table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+", type=Path, help="fichiers bench/results/{date}-{taille}.json")
    parser.add_argument("--readme", action="store_true", help="(défaut) imprime la section du README")
    parser.add_argument("--write-readme", type=Path, metavar="README",
                        help=f"remplace la section entre {BEGIN} et {END} de ce fichier")
    args = parser.parse_args(argv)
    try:
        results = load_results(args.results)
    except (OSError, ValueError, KeyError) as exc:
        print(f"résultats illisibles : {exc}", file=sys.stderr)
        return 2
    generated = section(results)
    if args.write_readme is None:
        print(generated, end="")
        return 0
    try:
        text = replace_between_markers(args.write_readme.read_text(encoding="utf-8"), generated)
    except (OSError, ValueError) as exc:
        print(f"{args.write_readme} : {exc}", file=sys.stderr)
        return 2
    tmp = args.write_readme.with_name(f".{args.write_readme.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.write_readme)
    print(f"{args.write_readme} : section des mesures remplacée ({', '.join(str(r['size']) for r in results)} cas)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
