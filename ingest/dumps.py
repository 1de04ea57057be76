"""Dumps of a built store, written straight from pyoxigraph (fast, streaming serialisers).

Files (in ``{build}/dumps/``):

- ``ia-territoriales.ttl`` and ``ia-territoriales.nt.gz``: the default graph as the union of all named
  graphs (distinct triples, no graph names);
- ``ia-territoriales.nq.gz``, ``ia-territoriales.trig``, ``ia-territoriales.jsonld``: the whole dataset,
  with its named graphs (JSON-LD in expanded form, one ``@graph`` per named graph);
- ``ia-territoriales-{graph}.ttl``: one Turtle file per named graph.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from ingest.namespaces import PREFIXES

DUMP_STEM = "ia-territoriales"
GZIP = "application/gzip"
_UNION_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


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


def _write_gzip(path: Path, write: Callable[[object], None]) -> None:
    # mtime=0 and no file name in the header: the same content gives the same bytes (stable checksums)
    raw = path.open("wb")
    try:
        with gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0) as handle:
            write(handle)
    finally:
        raw.close()


def write_dumps(store: Store, dumps_dir: Path, graphs: dict[str, str], progress=None) -> list[Dump]:
    """Write every dump of ``store`` into ``dumps_dir``; ``graphs`` maps short names to graph IRIs.

    ``progress`` (optional) is called with each file name before it is written.
    """
    dumps_dir.mkdir(parents=True, exist_ok=True)
    prefixes = dict(PREFIXES)
    written: list[Dump] = []

    def step(name: str) -> Path:
        if progress is not None:
            progress(name)
        return dumps_dir / name

    union = list(store.query(_UNION_QUERY, use_default_graph_as_union=True))

    path = step(f"{DUMP_STEM}.ttl")
    serialize(union, str(path), RdfFormat.TURTLE, prefixes=prefixes)
    written.append(
        Dump(path, "text/turtle", "Tous les graphes réunis (Turtle)", "All graphs merged (Turtle)")
    )

    path = step(f"{DUMP_STEM}.nt.gz")
    _write_gzip(path, lambda out: serialize(union, out, RdfFormat.N_TRIPLES))
    written.append(
        Dump(
            path,
            "application/n-triples",
            "Tous les graphes réunis (N-Triples, gzip)",
            "All graphs merged (N-Triples, gzip)",
            compress_format=GZIP,
        )
    )
    union.clear()

    path = step(f"{DUMP_STEM}.nq.gz")
    _write_gzip(path, lambda out: store.dump(out, RdfFormat.N_QUADS))
    written.append(
        Dump(
            path,
            "application/n-quads",
            "Jeu complet avec ses graphes nommés (N-Quads, gzip)",
            "Full dataset with its named graphs (N-Quads, gzip)",
            compress_format=GZIP,
        )
    )

    path = step(f"{DUMP_STEM}.trig")
    store.dump(str(path), RdfFormat.TRIG, prefixes=prefixes)
    written.append(
        Dump(
            path,
            "application/trig",
            "Jeu complet avec ses graphes nommés (TriG)",
            "Full dataset with its named graphs (TriG)",
        )
    )

    path = step(f"{DUMP_STEM}.jsonld")
    store.dump(str(path), RdfFormat.JSON_LD)
    written.append(
        Dump(
            path,
            "application/ld+json",
            "Jeu complet avec ses graphes nommés (JSON-LD)",
            "Full dataset with its named graphs (JSON-LD)",
        )
    )

    for name, iri in graphs.items():
        path = step(f"{DUMP_STEM}-{name}.ttl")
        store.dump(str(path), RdfFormat.TURTLE, from_graph=NamedNode(iri), prefixes=prefixes)
        written.append(
            Dump(
                path,
                "text/turtle",
                f"Graphe « {name} » (Turtle)",
                f"Graph “{name}” (Turtle)",
                graph=name,
            )
        )
    return written
