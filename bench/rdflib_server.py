"""The Python peer baseline: ``rdflib-endpoint`` serving a build's N-Quads dump from an rdflib Dataset.

    .venv/bin/python -m bench.rdflib_server DUMP.nq.gz --port 8124

The dataset's default graph is the union of the named graphs (as ``oxigraph serve --union-default-graph``
and the library's ``/sparql``), so the same queries give the same answers. SPARQL at ``/``
(``rdflib-endpoint``'s protocol route), one uvicorn worker.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dump", help="fichier N-Quads (.nq ou .nq.gz)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    start = time.perf_counter()
    dataset = Dataset(default_union=True)
    opener = gzip.open if args.dump.endswith(".gz") else open
    with opener(args.dump, "rb") as handle:
        dataset.parse(handle, format="nquads")
    print(f"rdflib : {len(dataset)} quads chargés en {time.perf_counter() - start:.1f} s", file=sys.stderr,
          flush=True)
    app = SparqlEndpoint(graph=dataset, path="/", cors_enabled=False,
                         public_url=f"http://{args.host}:{args.port}/")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
