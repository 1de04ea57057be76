"""Whole-graph pySHACL against per-record validation, on the full real inputs (every source).

    .venv/bin/python -m bench.validation_methods [--jobs 1 2] [--batch 1 50 200] [--sample N]

Reads the inputs exactly as ``ia-territoriales build`` does (ontology, shapes, data/ and every register of
``ingest/sources.py``), times each method, and checks that each per-record run finds the same set of
(focus node, path, constraint component, severity) as the whole graph. ``--sample N`` times per-record
validation with a batch size of 1 on N records only (one pySHACL run per record) and extrapolates.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from ingest.build import (
    GRAPH_LIBRARY,
    GRAPH_NOMENCLATURE,
    GRAPH_SHAPES,
    PROJECT_ROOT,
    BuildOptions,
    read_inputs,
)
from ingest.validation_runner import make_plan, record_groups, union, validate_records, validate_whole


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers): robust to a busy machine,
    where wall-clock times mostly measure the other processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return f"charge {os.getloadavg()[0]:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, nargs="+", default=[50])
    parser.add_argument("--sample", type=int, default=200, help="records timed one by one (batch of 1)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    graphs, _origin = read_inputs(BuildOptions(base_url="http://127.0.0.1:8000/", var_dir=Path("var"), quiet=True))
    nomenclature, shapes = graphs.pop(GRAPH_NOMENCLATURE), graphs.pop(GRAPH_SHAPES)  # shapes: per profile, in plan
    plan = make_plan(PROJECT_ROOT, graphs, GRAPH_LIBRARY)
    read_s = time.perf_counter() - start
    records = sum(len(record_groups(graph)) for graph in graphs.values())
    print(f"lecture : {read_s:.1f} s ; {sum(len(g) for g in graphs.values())} triplets de données "
          f"({', '.join(f'{n} {len(g)}' for n, g in graphs.items())}), nomenclature {len(nomenclature)}, "
          f"formes {len(shapes)} ; {records} fiches")

    start, cpu = time.perf_counter(), cpu_seconds()
    whole = validate_whole(graphs, nomenclature, plan)
    whole_s, whole_cpu = time.perf_counter() - start, cpu_seconds() - cpu
    whole_keys = {f.key for f in whole}
    print(f"graphe entier : {whole_s:.1f} s ({whole_cpu:.1f} s CPU, {load()}) ; {len(whole)} résultats "
          f"({sum(f.severity == 'Violation' for f in whole)} violations) ; RSS max {rss_mb():.0f} Mo")

    for batch in args.batch:
        for jobs in args.jobs:
            start, cpu = time.perf_counter(), cpu_seconds()
            found, n = validate_records(graphs, nomenclature, plan, jobs=jobs, batch_size=batch)
            seconds, used = time.perf_counter() - start, cpu_seconds() - cpu
            same = {f.key for f in found} == whole_keys
            print(f"par fiche (lots de {batch}, {jobs} processus) : {seconds:.1f} s ({used:.1f} s CPU, {load()}) "
                  f"pour {n} fiches ; "
                  f"{len(found)} résultats ; mêmes résultats que le graphe entier : {'oui' if same else 'NON'}")
            if not same:
                diff = sorted({f.key for f in found} ^ whole_keys)[:10]
                print("  différences (10 premières) :", *diff, sep="\n    ")

    if args.sample:
        keys = sorted(record_groups(union(graphs.values())))  # records of every graph
        keys = keys[:: max(len(keys) // args.sample, 1)][: args.sample]
        start = time.perf_counter()
        validate_records(graphs, nomenclature, plan, jobs=1, batch_size=1, keys=keys)
        seconds = time.perf_counter() - start  # includes the per-graph set-up (copies with the support graph)
        print(f"par fiche, une exécution pySHACL par fiche : {seconds:.1f} s pour {len(keys)} fiches "
              f"({1000 * seconds / len(keys):.0f} ms par fiche, soit ~{seconds / len(keys) * records:.0f} s "
              f"pour les {records})")
    print(f"RSS max : {rss_mb():.0f} Mo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
