"""The record of a build's inputs (``inputs.sqlite`` inside every build): what an incremental build needs.

For each file under ``data/``: its path relative to data/, size, ``mtime_ns``, sha256 and named graph (RDF
files only; other files are listed for the input digest with no graph), and the subjects it asserts. Blank
nodes are not listed by name (the store gives them new names when it loads a file): ``blank`` says whether
the file has any (1) and whether some of them are not reachable from one of its IRI subjects (2); an
incremental build removes a file's blank nodes by following its subjects' triples, so it sends files with
unreachable blank nodes (2) to a full build. ``meta`` holds what the build was made from: code version,
base URL, the registers and the digests of ontology/, shapes/ and sources/.

SQLite: one file, written once per build (a copy of the previous one updated by an incremental build), read
by the next build; 100k files and 400k subjects are written in about a second.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.manifest import sha256_file

RECORD_NAME = "inputs.sqlite"
RECORD_FORMAT = "1"
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, graph TEXT, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                    sha256 TEXT NOT NULL, blank INTEGER NOT NULL DEFAULT 0);
CREATE TABLE subjects (subject TEXT NOT NULL, path TEXT NOT NULL);
CREATE INDEX subjects_subject ON subjects (subject);
CREATE INDEX subjects_path ON subjects (path);
"""


@dataclass(frozen=True)
class FileState:
    path: str  # relative to data/, POSIX
    size: int
    mtime_ns: int
    sha256: str


@dataclass
class FileRecord:
    path: str
    graph: str | None
    state: FileState
    subjects: set[str] = field(default_factory=set)
    blank: int = 0  # 0 none, 1 all reachable from an IRI subject, 2 some unreachable


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in rel.parts)


def walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every file under ``root`` that ``ingest.manifest.input_digest`` counts (hidden ones left out), with its stat."""
    if not root.is_dir():
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():  # as Path.rglob: symbolic links to folders are followed
                    stack.append(Path(entry.path))
                elif entry.is_file():
                    rel = Path(entry.path).relative_to(root)
                    if not _hidden(rel):
                        yield rel.as_posix(), entry.stat()


def scan(root: Path, known: dict[str, FileState]) -> dict[str, FileState]:
    """The state of every file under ``root``; the sha256 of a file whose size and mtime_ns are those of
    ``known`` is taken from there (as git's index does), the others are hashed."""
    states: dict[str, FileState] = {}
    for rel, stat in walk(root):
        old = known.get(rel)
        if old is not None and old.size == stat.st_size and old.mtime_ns == stat.st_mtime_ns:
            states[rel] = old
        else:
            states[rel] = FileState(rel, stat.st_size, stat.st_mtime_ns, sha256_file(root / rel))
    return states


def digest_of(states: dict[str, FileState]) -> list[tuple[tuple[str, ...], str, str]]:
    """(sort key, relative path, sha256) in ``input_digest``'s order (``sorted`` of Path objects)."""
    return sorted((tuple(Path(rel).parts), rel, s.sha256) for rel, s in states.items())


def subjects_of(path: Path, base: str) -> tuple[set[str], int]:
    """The IRI subjects of one RDF file and its blank-node flag (see the module docstring); parsed as the build
    parses it (``ingest.rdfio``: pyoxigraph, rdflib for the formats pyoxigraph does not read here)."""
    from pyoxigraph import BlankNode, RdfFormat, parse

    from ingest.rdfio import OX_FORMATS, read_graph

    subjects: set[str] = set()
    blank_subjects: set[str] = set()
    blank_objects: set[str] = set()
    name = OX_FORMATS.get(path.suffix.lower())
    if name is None:
        from rdflib import BNode

        for s, _p, o in read_graph(path, base):
            if isinstance(s, BNode):
                blank_subjects.add(str(s))
            else:
                subjects.add(str(s))
            if isinstance(o, BNode):
                blank_objects.add(str(o))
    else:
        for quad in parse(path=str(path), format=getattr(RdfFormat, name), base_iri=base):
            subject = quad.subject
            if isinstance(subject, BlankNode):
                blank_subjects.add(subject.value)
            else:
                subjects.add(subject.value)
            if isinstance(quad.object, BlankNode):
                blank_objects.add(quad.object.value)
    if not blank_subjects and not blank_objects:
        return subjects, 0
    return subjects, 2 if blank_subjects - blank_objects else 1


class Record:
    """An open ``inputs.sqlite``."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = path
        if create:
            path.unlink(missing_ok=True)
        self.db = sqlite3.connect(str(path))
        if create:
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT INTO meta VALUES ('format', ?)", (RECORD_FORMAT,))

    @classmethod
    def open_existing(cls, path: Path) -> Record | None:
        """The record at ``path`` if it exists and has this format, else None (read-only use)."""
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            db.close()
        except sqlite3.Error:
            return None
        if row is None or row[0] != RECORD_FORMAT:
            return None
        return cls(path)

    def close(self) -> None:
        self.db.close()

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
        self.db.commit()

    def states(self) -> dict[str, FileState]:
        return {row[0]: FileState(*row) for row in self.db.execute("SELECT path, size, mtime_ns, sha256 FROM files")}

    def graphs(self) -> dict[str, str | None]:
        return dict(self.db.execute("SELECT path, graph FROM files"))

    def blank(self, paths: Iterable[str]) -> dict[str, int]:
        return {p: b for p in paths for (b,) in self.db.execute("SELECT blank FROM files WHERE path = ?", (p,))}

    def subjects(self, paths: Iterable[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for path in paths:
            out[path] = {s for (s,) in self.db.execute("SELECT subject FROM subjects WHERE path = ?", (path,))}
        return out

    def all_subjects(self) -> tuple[dict[str, set[str]], dict[str, int]]:
        """Every file's subjects and blank-node flag, in two queries (a full build reuses them)."""
        subjects: dict[str, set[str]] = {}
        for subject, path in self.db.execute("SELECT subject, path FROM subjects"):
            subjects.setdefault(path, set()).add(subject)
        return subjects, dict(self.db.execute("SELECT path, blank FROM files"))

    def files_asserting(self, subjects: Iterable[str]) -> dict[str, set[str]]:
        """subject -> the files that assert it."""
        out: dict[str, set[str]] = {}
        for subject in subjects:
            out[subject] = {p for (p,) in self.db.execute("SELECT path FROM subjects WHERE subject = ?", (subject,))}
        return out

    def has_record(self, graph: str, key: str) -> int:
        """1 if a file of ``graph`` asserts ``key`` or one of its hash parts (``key#…``), else 0."""
        row = self.db.execute(
            "SELECT 1 FROM subjects s JOIN files f ON f.path = s.path WHERE f.graph = ? AND "
            "(s.subject = ? OR (s.subject > ? AND s.subject < ?)) LIMIT 1", (graph, key, key + "#", key + "$"),
        ).fetchone()
        return int(row is not None)

    def put(self, records: Iterable[FileRecord]) -> None:
        """Insert or replace files (and their subjects)."""
        for rec in records:
            self.db.execute("DELETE FROM subjects WHERE path = ?", (rec.path,))
            self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                            (rec.path, rec.graph, rec.state.size, rec.state.mtime_ns, rec.state.sha256, rec.blank))
            self.db.executemany("INSERT INTO subjects VALUES (?, ?)", ((s, rec.path) for s in sorted(rec.subjects)))

    def put_states(self, states: Iterable[FileState]) -> None:
        """Update size and mtime_ns of unchanged files (same sha256) touched since."""
        self.db.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                            ((s.size, s.mtime_ns, s.path) for s in states))

    def remove(self, paths: Iterable[str]) -> None:
        for path in paths:
            self.db.execute("DELETE FROM subjects WHERE path = ?", (path,))
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def commit(self) -> None:
        self.db.commit()


def write_record(target: Path, records: Iterable[FileRecord], meta: dict[str, str]) -> Path:
    """A new ``inputs.sqlite`` at ``target`` holding ``records`` and ``meta``."""
    record = Record(target, create=True)
    try:
        with record.db:
            record.db.execute("PRAGMA journal_mode = OFF")
            record.put(records)
        record.set_meta(meta)
    finally:
        record.close()
    target.chmod(0o644)
    return target
