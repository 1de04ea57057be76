"""Incremental build (decision and inputs record; the build itself is ``ingest.incremental_build``): a change of a few files of data/ published in seconds, as a new immutable build.

``prepare`` decides: incremental when the served build has its inputs record (``ingest.inputs``) made with the
same code, base URL, registers, validation engine, ontology/, shapes/ and sources/, and only files of data/
were added, changed or removed (not too many); otherwise a full build, with the French reason.

``ingest.incremental_build.build_into`` makes the new build in ``builds/.tmp-{id}/`` (``ingest.build.run_build`` renames and swaps it):

1. the previous store copied as a RocksDB checkpoint (hard links, ``Store.read_only(prev).backup``): the
   previous build is never written to, the service may be reading it;
2. the changed and removed files' subjects deleted from their graph (with the blank nodes their triples
   lead to), the new versions loaded; an unchanged file that asserts one of those subjects is reloaded too
   (so its triples for that subject stay), and so on until no file shares a subject;
3. validation of the affected focus nodes only (``ingest.incremental_validation``); a change a full build
   would refuse is refused with the same French report, and nothing is published;
4. the search index updated for the use cases whose rows may change (``update_search_index``);
5. counts updated from the quads removed and added; the previous build's dump files hard-linked, the
   manifest saying so (``dumps_of_build``), the validation reports written anew.

``ingest.incremental_publish.refresh_dumps`` then writes fresh dumps and CSV from the new store into a following build (``dumps_of_build``
gone), swapped in turn: the change is served first, the downloads follow about a minute later at 100k.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ingest import inputs
from ingest.manifest import code_version, input_digest, read_manifest, update_digest
from ingest.rdfio import RDF_SUFFIXES

MAX_CHANGED_FILES = 2000  # beyond, or beyond 10 % of the files, a full build is as fast
MAX_CHANGED_FRACTION = 0.10
MAX_FOCUS = 20000  # affected focus nodes beyond which the whole graph is validated (full build)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
USE_CASE = "https://w3id.org/ia-territoriales/def#UseCase"
REPORTS = ("rapport-validation.txt", "rapport-validation.json")

@dataclass
class Plan:
    kind: str  # "incremental" | "full"
    reason: str  # French: why this kind
    digest: str | None = None  # the build's input digest (same as ingest.build.compute_digest), when known
    previous: Path | None = None
    states: dict[str, inputs.FileState] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    touched: list[inputs.FileState] = field(default_factory=list)  # same content, new mtime
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def incremental(self) -> bool:
        return self.kind == "incremental"

    def summary_fr(self) -> str:
        if not self.incremental:
            return f"Construction complète : {self.reason}."
        return (f"Construction incrémentale ({len(self.added)} fichier(s) ajouté(s), {len(self.changed)} modifié(s), "
                f"{len(self.removed)} supprimé(s)) : {self.reason}.")


def graph_of(rel: str) -> str | None:
    """The named graph of a file of data/ (``ingest.build``: data/exemples/ apart), None for a non-RDF file."""
    from ingest.build import EXAMPLES_DIR, GRAPH_EXAMPLES, GRAPH_LIBRARY

    if Path(rel).suffix.lower() not in RDF_SUFFIXES:
        return None
    return GRAPH_EXAMPLES if rel.split("/", 1)[0] == EXAMPLES_DIR and "/" in rel else GRAPH_LIBRARY


def _outside_sources(opts) -> list[tuple[str, Path]]:
    sources_dir = (opts.root / "sources").resolve()
    return [(f"source:{s.name}", Path(s.path)) for s in opts.source_list()
            if not Path(s.path).resolve().is_relative_to(sources_dir)]


def fingerprint(opts) -> dict[str, str]:
    """What, besides data/, a build is made from (an incremental build needs all of it unchanged)."""
    return {
        "code_version": code_version(),
        "base_url": opts.base_url,
        "registers": json.dumps([[s.name, s.graph] for s in opts.source_list()]),
        "validation": opts.validation,
        "ontology": input_digest([("ontology", opts.root / "ontology")]),
        "shapes": input_digest([("shapes", opts.root / "shapes")]),
        "sources": input_digest([("sources", (opts.root / "sources").resolve()), *_outside_sources(opts)]),
    }


_WHAT_FR = {"code_version": "le code a changé", "base_url": "l'URL de base a changé",
            "registers": "les registres importés ont changé", "validation": "le moteur de validation a changé",
            "ontology": "ontology/ a changé", "shapes": "shapes/ a changé", "sources": "sources/ a changé"}


def build_digest(opts, states: dict[str, inputs.FileState]) -> str:
    """``ingest.build.compute_digest`` with the sha256 of data/ taken from ``states`` (tested equal)."""
    sources_dir = (opts.root / "sources").resolve()
    roots = [("ontology", opts.root / "ontology"), ("shapes", opts.root / "shapes"), ("data", None),
             ("sources", sources_dir), *_outside_sources(opts)]
    digest = hashlib.sha256()
    for label, root in roots:
        digest.update(f"[{label}]\n".encode())
        if root is None:
            for _key, rel, sha in inputs.digest_of(states):
                digest.update(rel.encode() + b"\0")
                digest.update(sha.encode() + b"\n")
        else:
            update_digest(digest, root)
    extra = [f"code={code_version()}", f"base={opts.base_url}"]
    extra += [f"graph={s.name}:{s.graph}" for s in opts.source_list()]
    for item in extra:
        digest.update(f"{item}\n".encode())
    return digest.hexdigest()


def prepare(opts, current: Path | None, full: bool = False) -> Plan:
    """Choose the kind of build (see the module docstring)."""
    from ingest.build import EXAMPLES_DIR, GRAPH_EXAMPLES, GRAPH_LIBRARY

    if full:
        return Plan("full", "demandée (--complet)")
    if current is None:
        return Plan("full", "aucune construction n'est servie")
    record = inputs.Record.open_existing(current / inputs.RECORD_NAME)
    if record is None:
        return Plan("full", f"la construction servie ({current.name}) n'a pas d'inventaire de ses entrées")
    try:
        meta, known = record.meta(), record.states()
    finally:
        record.close()
    manifest = read_manifest(current) or {}
    if not (current / "dumps" / REPORTS[1]).is_file() or not (current / "store").is_dir():
        return Plan("full", f"la construction servie ({current.name}) est incomplète")
    if (manifest.get("validation") or {}).get("method") != "sparql" or opts.validation != "sparql":
        return Plan("full", "la validation incrémentale n'existe qu'avec le moteur SPARQL compilé")
    if any(s.graph in (GRAPH_LIBRARY, GRAPH_EXAMPLES) for s in opts.source_list()):
        return Plan("full", "un registre est importé dans un graphe de data/")
    if (opts.data / EXAMPLES_DIR).is_dir() != (GRAPH_EXAMPLES in manifest.get("graphs", {})):
        return Plan("full", f"le dossier data/{EXAMPLES_DIR}/ (graphe « {GRAPH_EXAMPLES} ») est apparu ou a disparu")
    now = fingerprint(opts)
    for name, value in now.items():
        if meta.get(name) != value:
            return Plan("full", _WHAT_FR[name])
    states = inputs.scan(opts.data, known)
    plan = Plan("incremental", "seuls des fichiers de data/ ont changé", previous=current, states=states, meta=now)
    for rel, state in states.items():
        old = known.get(rel)
        if old is None:
            (plan.added if graph_of(rel) else plan.touched).append(rel if graph_of(rel) else state)
        elif old.sha256 != state.sha256:
            (plan.changed if graph_of(rel) else plan.touched).append(rel if graph_of(rel) else state)
        elif old != state:
            plan.touched.append(state)
    plan.removed = sorted(rel for rel in known if rel not in states and graph_of(rel))
    plan.digest = build_digest(opts, states)
    n = len(plan.added) + len(plan.changed) + len(plan.removed)
    if n > MAX_CHANGED_FILES or n > max(50, MAX_CHANGED_FRACTION * len(states)):
        return Plan("full", f"{n} fichiers de data/ ont changé (au-delà, la construction complète est aussi rapide)",
                    digest=plan.digest)
    if n == 0:
        plan.reason = "aucun fichier de data/ n'a changé"
    return plan


def record_full_build(opts, target: Path, previous: Path | None) -> dict[str, str]:
    """Write ``target`` (a build's ``inputs.sqlite``) for a full build (call it before the build reads data/). The previous build's
    record, if made with the same base URL, gives the sha256 and subjects of files that did not change."""
    known: dict[str, inputs.FileState] = {}
    old = None
    if previous is not None:
        old = inputs.Record.open_existing(previous / inputs.RECORD_NAME)
        if old is not None and old.meta().get("base_url") == opts.base_url:
            known = old.states()
    states = inputs.scan(opts.data, known)
    old_subjects, old_blank = old.all_subjects() if known else ({}, {})
    records = []
    for rel, state in sorted(states.items()):
        graph = graph_of(rel)
        rec = inputs.FileRecord(rel, graph, state)
        if graph is not None:
            if known.get(rel) is not None and known[rel].sha256 == state.sha256:
                rec.subjects = old_subjects.get(rel, set())
                rec.blank = old_blank.get(rel, 0)
            else:
                try:
                    rec.subjects, rec.blank = inputs.subjects_of(opts.data / rel, opts.base_url)
                except (SyntaxError, ValueError, OSError):  # the build itself reports it, in French
                    rec.subjects, rec.blank = set(), 2
        records.append(rec)
    if old is not None:
        old.close()
    meta = {**fingerprint(opts), "input_digest": build_digest(opts, states)}
    inputs.write_record(target, records, meta)
    return meta

