"""Dumps of the dataset, written by pyoxigraph's serialisers from the build's in-memory store.

Files (in ``{build}/dumps/``):

- ``ia-territoriales.ttl`` and ``ia-territoriales.nt.gz``: the default graph as the union of all named
  graphs (distinct triples, no graph names);
- ``ia-territoriales.nq.gz``, ``ia-territoriales.trig``, ``ia-territoriales.jsonld``: the whole dataset,
  with its named graphs (JSON-LD in expanded form, one ``@graph`` per named graph);
- ``ia-territoriales-{graph}.ttl``: one Turtle file per named graph.

Why from memory: at 100k use cases (5 M triples) a dump from the on-disk RocksDB store takes ~32 s per
format, from the in-memory store 5-9 s. The N-Quads file is also what the on-disk store is bulk-loaded
from (``DumpSet.nquads``), so the dataset is serialised once for both. The union is not computed by a
``CONSTRUCT`` (20 s and a hash set of every triple at 100k): the graphs are written largest first, and a
graph that shares no triple with the ones before it is appended as it is (concatenated Turtle and
N-Triples documents are one valid document: blank-node labels are the store's, the same node in every
graph); only the triples a graph shares with an earlier one are filtered out, by a query on that graph.
Compression (gzip level 6, ~7 s per GB of N-Quads here) runs in background threads (zlib releases the
GIL) while the build goes on: ``DumpSet.wait`` joins them.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from ingest.namespaces import PREFIXES

DUMP_STEM = "ia-territoriales"
GZIP = "application/gzip"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Dump:
    """A written dump: its file and what the catalogue says about it."""

    path: Path
    media_type: str
    title_fr: str
    title_en: str
    compress_format: str | None = None
    graph: str | None = None  # short graph name for a per-graph dump

    def manifest_extra(self) -> dict[str, str | None]:
        return {
            "compress_format": self.compress_format,
            "graph": self.graph,
            "title_fr": self.title_fr,
            "title_en": self.title_en,
        }


@dataclass
class DumpSet:
    """The dumps of one build; the gzip files are complete only after ``wait()``."""

    dumps: list[Dump]
    nquads: Path  # the uncompressed N-Quads of the whole dataset (to bulk-load the store; removed by wait)
    distinct_triples: int
    pending: list[Future] = field(default_factory=list)
    _scratch: list[Path] = field(default_factory=list)

    def wait(self) -> None:
        """Finish the compressions (re-raising their errors) and remove the uncompressed files."""
        try:
            for job in self.pending:
                job.result()
        finally:
            for path in self._scratch:
                path.unlink(missing_ok=True)


def gzip_file(source: Path, target: Path) -> None:
    """``source`` compressed to ``target``; mtime=0 and no name in the header: same content, same bytes."""
    with source.open("rb") as raw_in, target.open("wb") as raw_out, gzip.GzipFile(
            filename="", fileobj=raw_out, mode="wb", compresslevel=6, mtime=0) as out:
        shutil.copyfileobj(raw_in, out, _CHUNK)


def _concat(parts: list[Path], target: Path) -> None:
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out, _CHUNK)
                out.write(b"\n")


def _count(store: Store, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def _shared(store: Store, graph: str, earlier: list[str]) -> int:
    """Triples of ``graph`` also in one of the ``earlier`` graphs."""
    if not earlier:
        return 0
    others = " UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in earlier)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER EXISTS {{ {others} }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def _remainder(store: Store, graph: str, earlier: list[str]):
    others = " ".join(f"FILTER NOT EXISTS {{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in earlier)
    return store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} {others} }}")


def _union(store: Store, dumps_dir: Path, graphs: dict[str, str], per_graph_ttl: dict[str, Path],
           scratch: list[Path]) -> tuple[Path, Path, int]:
    """The union of the named graphs as Turtle and N-Triples files (distinct triples); returns their
    paths and the number of distinct triples."""
    sizes = {iri: _count(store, iri) for iri in graphs.values()}
    order = sorted(graphs.items(), key=lambda item: (-sizes[item[1]], item[0]))
    ttl_parts: list[Path] = []
    nt_parts: list[Path] = []
    distinct = 0
    earlier: list[str] = []
    for name, iri in order:
        shared = _shared(store, iri, earlier)
        nt_part = dumps_dir / f".union-{len(nt_parts)}.nt"
        scratch.append(nt_part)
        if shared == 0:
            ttl_parts.append(per_graph_ttl[name])
            store.dump(str(nt_part), RdfFormat.N_TRIPLES, from_graph=NamedNode(iri))
        else:
            ttl_part = dumps_dir / f".union-{len(nt_parts)}.ttl"
            scratch.append(ttl_part)
            serialize(_remainder(store, iri, earlier), str(ttl_part), RdfFormat.TURTLE, prefixes=dict(PREFIXES))
            serialize(_remainder(store, iri, earlier), str(nt_part), RdfFormat.N_TRIPLES)
            ttl_parts.append(ttl_part)
        nt_parts.append(nt_part)
        distinct += sizes[iri] - shared
        earlier.append(iri)
    ttl = dumps_dir / f"{DUMP_STEM}.ttl"
    nt = dumps_dir / f".{DUMP_STEM}.nt"
    scratch.append(nt)
    _concat(ttl_parts, ttl)
    _concat(nt_parts, nt)
    return ttl, nt, distinct


def write_dumps(store: Store, dumps_dir: Path, graphs: dict[str, str], executor: ThreadPoolExecutor,
                progress: Callable[[str], None] | None = None) -> DumpSet:
    """Write every dump of ``store`` into ``dumps_dir``; ``graphs`` maps short names to graph IRIs.

    The gzip files are written by ``executor``'s threads: call ``wait()`` on the result before reading
    them. ``progress`` (optional) is called with each file name before it is written."""
    dumps_dir.mkdir(parents=True, exist_ok=True)
    prefixes = dict(PREFIXES)
    scratch: list[Path] = []

    def step(name: str) -> Path:
        if progress is not None:
            progress(name)
        return dumps_dir / name

    per_graph: list[Dump] = []
    per_graph_ttl: dict[str, Path] = {}
    for name, iri in graphs.items():
        path = step(f"{DUMP_STEM}-{name}.ttl")
        store.dump(str(path), RdfFormat.TURTLE, from_graph=NamedNode(iri), prefixes=prefixes)
        per_graph_ttl[name] = path
        per_graph.append(Dump(path, "text/turtle", f"Graphe « {name} » (Turtle)", f"Graph “{name}” (Turtle)",
                              graph=name))

    nquads = dumps_dir / f".{DUMP_STEM}.nq"
    scratch.append(nquads)
    step(f"{DUMP_STEM}.nq.gz")
    store.dump(str(nquads), RdfFormat.N_QUADS)
    nq_gz = dumps_dir / f"{DUMP_STEM}.nq.gz"
    pending = [executor.submit(gzip_file, nquads, nq_gz)]

    step(f"{DUMP_STEM}.ttl")
    union_ttl, union_nt, distinct = _union(store, dumps_dir, graphs, per_graph_ttl, scratch)
    nt_gz = dumps_dir / f"{DUMP_STEM}.nt.gz"
    pending.append(executor.submit(gzip_file, union_nt, nt_gz))

    trig = step(f"{DUMP_STEM}.trig")
    store.dump(str(trig), RdfFormat.TRIG, prefixes=prefixes)
    jsonld = step(f"{DUMP_STEM}.jsonld")
    store.dump(str(jsonld), RdfFormat.JSON_LD)

    written = [
        Dump(union_ttl, "text/turtle", "Tous les graphes réunis (Turtle)", "All graphs merged (Turtle)"),
        Dump(nt_gz, "application/n-triples", "Tous les graphes réunis (N-Triples, gzip)",
             "All graphs merged (N-Triples, gzip)", compress_format=GZIP),
        Dump(nq_gz, "application/n-quads", "Jeu complet avec ses graphes nommés (N-Quads, gzip)",
             "Full dataset with its named graphs (N-Quads, gzip)", compress_format=GZIP),
        Dump(trig, "application/trig", "Jeu complet avec ses graphes nommés (TriG)",
             "Full dataset with its named graphs (TriG)"),
        Dump(jsonld, "application/ld+json", "Jeu complet avec ses graphes nommés (JSON-LD)",
             "Full dataset with its named graphs (JSON-LD)"),
        *per_graph,
    ]
    return DumpSet(written, nquads, distinct, pending, scratch)
