"""pySHACL against the compiled SPARQL engine (ingest.shacl_sparql), on the real inputs and on synthetic data.

    .venv/bin/python -m bench.validation_engines [--reel] [--synthetique 1000 10000] [--moteurs graphe sparql]
                                                 [--dossier DIR] [--json OUT.json]

- ``--reel``: the inputs exactly as ``ia-territoriales build`` reads them (ontology, data/ and every register
  of ``ingest/sources.py``), each graph with its profile (data/: bibliotheque, registers: registre).
- ``--synthetique N``: N use cases written by ``bench.generator`` (seed 42) under ``--dossier`` (reused
  when already there), validated as the library graph (profile bibliotheque).

Engines: ``graphe`` (pySHACL on each whole graph, ``validation_runner.validate_whole``), ``fiches``
(pySHACL per record in a pool of ``--jobs`` processes), ``sparql`` (``shacl_sparql_run.validate_build``).
Each run reports wall-clock and CPU seconds (this process and its pool workers: robust on a busy
machine) and checks that every engine finds the same findings as the first one, messages included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from rdflib import Graph

from ingest.build import (
    GRAPH_LIBRARY,
    GRAPH_NOMENCLATURE,
    GRAPH_SHAPES,
    PROJECT_ROOT,
    BuildOptions,
    read_inputs,
)
from ingest.shacl_sparql_run import validate_build
from ingest.validate import read_files
from ingest.validation_runner import make_plan, validate_records, validate_whole

BASE = "http://127.0.0.1:8000/"


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def full(findings) -> set[tuple]:
    return {(f.severity, f.focus, f.path, f.component, f.shape, f.value, f.message) for f in findings}


def run_engines(label: str, graphs: dict[str, Graph], nomenclature: Graph, engines: list[str], jobs: int) -> dict:
    plan = make_plan(PROJECT_ROOT, graphs, GRAPH_LIBRARY)
    triples = sum(len(g) for g in graphs.values())
    out: dict = {"donnees": label, "triplets": triples, "moteurs": {}}
    reference = None
    for engine in engines:
        start, cpu = time.perf_counter(), cpu_seconds()
        if engine == "graphe":
            found = validate_whole(graphs, nomenclature, plan)
        elif engine == "fiches":
            found, _n = validate_records(graphs, nomenclature, plan, jobs=jobs)
        elif engine == "sparql":
            found = validate_build(graphs, nomenclature, plan)
        else:
            raise SystemExit(f"moteur inconnu : {engine}")
        wall, used = time.perf_counter() - start, cpu_seconds() - cpu
        same = None if reference is None else full(found) == reference
        reference = full(found) if reference is None else reference
        out["moteurs"][engine] = {"secondes": round(wall, 2), "secondes_cpu": round(used, 2),
                                  "resultats": len(found), "identiques_au_premier": same}
        print(f"{label} : {engine:<7} {wall:7.1f} s ({used:6.1f} s CPU, charge {os.getloadavg()[0]:.1f}) ; "
              f"{len(found)} résultats"
              + ("" if same is None else f" ; identiques à {engines[0]} : {'oui' if same else 'NON'}"), flush=True)
    return out


def synthetic(cases: int, folder: Path) -> Graph:
    from bench.generator import generate

    target = folder / str(cases)
    if not (target / "cas-usage").is_dir() or len(list((target / "cas-usage").glob("*.ttl"))) != cases:
        generate(target, cases, seed=42)
    data, _origin = read_files([target], BASE)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reel", action="store_true", help="les vraies entrées (data/ et tous les registres)")
    parser.add_argument("--synthetique", type=int, nargs="*", default=[], help="tailles synthétiques (cas d'usage)")
    parser.add_argument("--moteurs", nargs="+", default=["graphe", "sparql"], choices=["graphe", "fiches", "sparql"])
    parser.add_argument("--jobs", type=int, default=2, help="processus pour « fiches » (défaut 2)")
    parser.add_argument("--dossier", type=Path, default=Path("/tmp/ia-territoriales-bench-validation"),
                        help="où écrire (et réutiliser) les données synthétiques")
    parser.add_argument("--json", type=Path, default=None, help="écrire les mesures dans ce fichier JSON")
    args = parser.parse_args(argv)
    if not args.reel and not args.synthetique:
        parser.error("choisir --reel et/ou --synthetique N")

    runs = []
    if args.reel:
        start = time.perf_counter()
        graphs, _origin = read_inputs(BuildOptions(base_url=BASE, var_dir=Path("var"), quiet=True))
        nomenclature = graphs.pop(GRAPH_NOMENCLATURE)
        graphs.pop(GRAPH_SHAPES)
        print(f"lecture des vraies entrées : {time.perf_counter() - start:.1f} s", flush=True)
        runs.append(run_engines("réel", graphs, nomenclature, args.moteurs, args.jobs))
    for cases in args.synthetique:
        start = time.perf_counter()
        data = synthetic(cases, args.dossier)
        print(f"lecture de {cases} cas synthétiques : {time.perf_counter() - start:.1f} s", flush=True)
        runs.append(run_engines(f"synthétique {cases}", {GRAPH_LIBRARY: data}, Graph(), args.moteurs, args.jobs))
    print(f"RSS max : {rss_mb():.0f} Mo")
    if args.json:
        record = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine_coeurs": os.cpu_count(),
                  "charge": os.getloadavg()[0], "rss_max_mo": round(rss_mb()), "mesures": runs}
        args.json.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if all(e["identiques_au_premier"] in (None, True) for r in runs for e in r["moteurs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
