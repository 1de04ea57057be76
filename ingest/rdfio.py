"""Reading and writing RDF files: the one place formats and bases are handled.

Files in ``data/`` hold relative IRIs; they are resolved against the deployment's base URL when read,
and written back relative, sorted and stable, so that reviews in git show real changes only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from ingest.namespaces import bind_prefixes

# suffix -> rdflib parser name
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".trig": "trig",
    ".nq": "nquads",
}


class RDFReadError(Exception):
    """A file that cannot be read as RDF. ``str()`` is a French message naming the file."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path} : fichier RDF illisible ({detail})")


def rdf_files(paths: list[Path]) -> list[Path]:
    """Expand files and folders into the sorted list of RDF files they hold."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix.lower() in RDF_SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def read_graph(path: Path, base: str, graph: Graph | None = None) -> Graph:
    """Parse one RDF file (format from its suffix), resolving relative IRIs against ``base``."""
    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise RDFReadError(path, f"extension « {path.suffix} » inconnue ; attendu : {', '.join(sorted(RDF_SUFFIXES))}")
    graph = graph if graph is not None else Graph()
    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except FileNotFoundError as exc:
        raise RDFReadError(path, "fichier introuvable") from exc
    except UnicodeDecodeError as exc:
        raise RDFReadError(path, f"encodage non UTF-8 à l'octet {exc.start}") from exc
    try:
        graph.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise RDFReadError(path, f"{type(exc).__name__}: {exc}") from exc
    return graph


def read_graphs(paths: list[Path], base: str) -> Graph:
    """Parse every RDF file under ``paths`` into one graph."""
    graph = bind_prefixes(Graph())
    for path in rdf_files(paths):
        read_graph(path, base, graph)
    return graph


def turtle_text(graph: Graph, base: str | None = None) -> str:
    """Serialise as stable Turtle; with ``base``, IRIs under it are written relative and no @base is kept."""
    bind_prefixes(graph)
    text = graph.serialize(format="turtle")
    if base:
        # rdflib's Turtle writer does not relativise IRIs, so do it on the text: "<" + base only
        # starts an IRI (literals are written between quotes, where no data of ours holds "<http").
        text = text.replace(f"<{base}", "<")
    return text


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_turtle(graph: Graph, path: Path, base: str | None = None) -> None:
    """Write a graph as sorted, stable Turtle, atomically."""
    atomic_write_text(path, turtle_text(graph, base))


# suffix -> pyoxigraph format, for the files the build reads without rdflib (ingest.build)
OX_FORMATS = {".ttl": "TURTLE", ".turtle": "TURTLE", ".nt": "N_TRIPLES", ".rdf": "RDF_XML", ".owl": "RDF_XML",
              ".xml": "RDF_XML"}


def _offending_line(path: Path, message: str) -> str:
    """The source line a pyoxigraph parser error points at (``... at line N ...``), quoted for the message."""
    import re

    match = re.search(r"at line (\d+)", message)
    if not match:
        return ""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if number == int(match.group(1)):
                    line = line.strip()
                    return f" ; ligne {number} : « {line[:300]}{'…' if len(line) > 300 else ''} »"
    except OSError:
        return ""
    return ""


def load_file(store, path: Path, base: str, graph_iri: str) -> None:
    """Parse one RDF file with pyoxigraph into ``graph_iri`` of ``store``, relative IRIs against ``base``.

    Errors are ``RDFReadError`` naming the file, with the parser's message (line, column) and the line
    itself. Files pyoxigraph does not read here (JSON-LD, TriG, N-Quads) go through rdflib."""
    from pyoxigraph import NamedNode, RdfFormat

    name = OX_FORMATS.get(path.suffix.lower())
    if name is None:  # rdflib reads it, pyoxigraph loads its N-Triples
        graph = read_graph(path, base)
        load_file_data(store, graph.serialize(format="nt", encoding="utf-8"), path, graph_iri, None)
        return
    if not path.is_file():
        raise RDFReadError(path, "fichier introuvable")
    try:
        # load, not bulk_load: one small file per call, and bulk_load's set-up costs twice the parsing here
        # (100k files: ~2x the CPU); a file is loaded in one transaction, so a syntax error adds nothing
        store.load(path=str(path), format=getattr(RdfFormat, name), base_iri=base, to_graph=NamedNode(graph_iri))
    except SyntaxError as exc:
        message = str(exc)
        french = "IRI invalide : " if "IRI" in message else ""
        raise RDFReadError(path, french + message + _offending_line(path, message)) from exc
    except UnicodeDecodeError as exc:
        raise RDFReadError(path, f"encodage non UTF-8 à l'octet {exc.start}") from exc
    except OSError as exc:
        raise RDFReadError(path, f"lecture impossible ({exc})") from exc


def load_file_data(store, data: bytes, path: Path, graph_iri: str, blank_prefix: str | None) -> bool:
    """N-Triples ``data`` (from rdflib) into ``graph_iri``; blank nodes under ``blank_prefix`` when given."""
    from pyoxigraph import NamedNode, RdfFormat

    has_blank = b"_:" in data
    if blank_prefix is not None and has_blank:
        import re

        prefix = blank_prefix.encode()
        data = re.sub(rb"^_:(\S+) ", lambda m: b"<" + prefix + m.group(1) + b"> ", data, flags=re.M)
        data = re.sub(rb" _:(\S+) \.$", lambda m: b" <" + prefix + m.group(1) + b"> .", data, flags=re.M)
    try:
        store.bulk_load(input=data, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(graph_iri))
    except SyntaxError as exc:
        raise RDFReadError(path, str(exc)) from exc
    return has_blank
