"""The build manifest: what a build was made from and what it holds.

``manifest.json`` sits at the root of every build directory (``var/builds/{id}/``). It is written last,
just before the build is swapped in, and read by ``--if-needed`` (input digest), the DCAT catalogue
(dumps with size, checksum and media type) and the service (counts; ``source_files``: the copies of
``sources/`` in the build's ``sources/`` folder, served at ``/sources/{path}``). Its shape::

    {
      "format": 1, "build_id": "...", "base_url": "...", "created": "2026-11-26T05:31:00+00:00",
      "input_digest": "sha256 hex", "code_version": "0.1.0+abcdef012345",
      "graphs": {"bibliotheque": {"iri": "...", "triples": 123, "use_cases": 4}, ...},
      "triples": {"quads": 1000, "distinct_triples": 990},
      "use_cases": {"bibliotheque": 4, "pstw": 2291, ...},
      "sources": [{"name": "pstw", "graph": "pstw", "licence": "http://…", "attribution": "...", ...}, ...],
      "validation": {"method": "...", "violations": 0, "warnings": 12, "seconds": 3.2},
      "files": [{"path": "dumps/ia-territoriales.ttl", "name": "...", "bytes": 1, "sha256": "...",
                 "media_type": "text/turtle", "compress_format": null, "graph": null,
                 "title_fr": "...", "title_en": "..."}, ...],
      "source_files": [{"path": "french-cases/french-territorial-ai-cases.csv", "bytes": 1, "sha256": "..."}, ...],
      "steps": {"lecture": 1.2, ...}, "peak_memory_mb": 512.0
    }
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from ingest.rdfio import atomic_write_text

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_INGEST_DIR = Path(__file__).resolve().parent
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _package_version() -> str:
    try:
        return metadata.version("ia-territoriales")
    except metadata.PackageNotFoundError:
        return "0+local"


def code_version() -> str:
    """The package version plus a digest of the ``ingest`` package (code and its mapping tables)."""
    digest = hashlib.sha256()
    files = (p for p in _INGEST_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(p for p in files if p.suffix not in (".pyc", ".pyo") and not p.name.startswith(".")):
        digest.update(path.relative_to(_INGEST_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{_package_version()}+{digest.hexdigest()[:12]}"


def update_digest(digest, root: Path) -> None:
    """Every file under ``root`` (or ``root`` itself), name and sha256, into ``digest``, as ``input_digest``
    counts it: hidden files and ``__pycache__`` ignored, a missing folder empty."""
    if root.is_file():
        files, base = [root], root.parent
    elif root.is_dir():
        files, base = sorted(p for p in root.rglob("*") if p.is_file()), root
    else:
        files, base = [], root
    for path in files:
        rel = path.relative_to(base)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode() + b"\n")


def input_digest(roots: Iterable[tuple[str, Path]], extra: Iterable[str] = ()) -> str:
    """sha256 over every file under each (label, folder) — name and content — plus ``extra`` strings.

    Hidden files and ``__pycache__`` are ignored; a missing folder counts as empty.
    """
    digest = hashlib.sha256()
    for label, root in roots:
        digest.update(f"[{label}]\n".encode())
        update_digest(digest, root)
    for item in extra:
        digest.update(f"{item}\n".encode())
    return digest.hexdigest()


def file_entry(build_dir: Path, path: Path, media_type: str, **extra: Any) -> dict[str, Any]:
    """One ``files`` entry: path relative to the build, size, sha256, media type and extras."""
    return {
        "path": path.relative_to(build_dir).as_posix(),
        "name": path.name,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "media_type": media_type,
        **extra,
    }


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> Path:
    path = build_dir / MANIFEST_NAME
    atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
    path.chmod(0o644)  # mkstemp creates 0600; the manifest is public
    return path


def read_manifest(build_dir: Path) -> dict[str, Any] | None:
    """The manifest of a build directory, or None if it has none or it is unreadable."""
    try:
        data = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
