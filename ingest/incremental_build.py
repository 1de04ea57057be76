"""The incremental build itself (decision and inputs record: ``ingest.incremental``; see its docstring)."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, Store

from ingest import incremental_validation as iv
from ingest import inputs
from ingest.incremental import MAX_FOCUS, RDF_TYPE, REPORTS, SUBCLASS, USE_CASE, Plan, graph_of
from ingest.incremental_validation import NeedFullBuild
from ingest.manifest import file_entry, read_manifest, write_manifest
from ingest.rdfio import RDFReadError, load_file

FILE_GRAPH = "urn:ia-territoriales:incremental:fichier:"


@dataclass
class _Change:
    """The files reloaded in one graph, their subjects, and the quads removed and added."""

    graph: str
    files: set[str] = field(default_factory=set)
    subjects: dict[str, object] = field(default_factory=dict)  # key -> term (old and new)
    removed: set[Quad] = field(default_factory=set)
    added: set[Quad] = field(default_factory=set)


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of ``source`` under ``target`` (same file system: builds/ of one var dir)."""
    for folder, _dirs, names in os.walk(source):
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(Path(folder) / name, target / rel / name)


def _parse_new(opts, rels: set[str], fresh: Store) -> dict[str, set[Quad]]:
    """Each file of ``rels`` that exists, read as the build reads it, into its own graph of ``fresh``."""
    out: dict[str, set[Quad]] = {}
    for rel in sorted(rels):
        path = opts.data / rel
        if not path.is_file():
            continue
        graph = NamedNode(FILE_GRAPH + rel)
        try:
            load_file(fresh, path, opts.base_url, graph.value)
        except RDFReadError as exc:
            from ingest.build import BuildError

            raise BuildError(str(exc)) from exc
        out[rel] = set(fresh.quads_for_pattern(None, None, None, graph))
    return out


def _old_quads(old: Store, graph: NamedNode, subject) -> set[Quad]:
    """``subject``'s quads in ``graph`` of the previous store, with the blank nodes they lead to."""
    found: set[Quad] = set()
    stack, seen = [subject], set()
    while stack:
        node = stack.pop()
        for quad in old.quads_for_pattern(node, None, None, graph):
            found.add(quad)
            if isinstance(quad.object, BlankNode) and quad.object.value not in seen:
                seen.add(quad.object.value)
                stack.append(quad.object)
    return found


def _changes(opts, plan: Plan, record: inputs.Record, old: Store, base: str) -> dict[str, _Change]:
    """Files to reload per graph (the changed ones and every file sharing a subject with them), with the
    previous quads of their subjects and the new quads."""
    from ingest.build import graph_iri

    graphs = record.graphs()
    fresh = Store()
    pending = set(plan.added) | set(plan.changed) | set(plan.removed)
    changes: dict[str, _Change] = {}
    new_quads: dict[str, set[Quad]] = {}
    limit = max(50, len(plan.states) // 10)
    while pending:
        new_quads.update(_parse_new(opts, pending - set(plan.removed), fresh))
        old_subjects = record.subjects(p for p in pending if p in graphs)
        blank = record.blank(p for p in pending if p in graphs)
        if any(flag == 2 for flag in blank.values()):
            raise NeedFullBuild("un fichier modifié a des nœuds anonymes non rattachés à une IRI")
        shared: set[str] = set()
        for rel in pending:
            name = graph_of(rel)
            change = changes.setdefault(name, _Change(name))
            change.files.add(rel)
            for subject in old_subjects.get(rel, ()):
                change.subjects.setdefault(subject, NamedNode(subject))
            for quad in new_quads.get(rel, ()):
                change.subjects.setdefault(iv.key(quad.subject), quad.subject)
            iris = [k for k, t in change.subjects.items() if isinstance(t, NamedNode)]
            for _subject, files in record.files_asserting(iris).items():
                shared |= {f for f in files if graphs.get(f) == name and f not in change.files}
        pending = shared
        if sum(len(c.files) for c in changes.values()) > limit:
            raise NeedFullBuild("les fichiers modifiés partagent des ressources avec trop d'autres fichiers")
    for name, change in changes.items():
        graph = NamedNode(graph_iri(base, name))
        for term in change.subjects.values():
            if isinstance(term, NamedNode):
                change.removed |= _old_quads(old, graph, term)
        for rel in change.files:
            change.added |= {Quad(q.subject, q.predicate, q.object, graph) for q in new_quads.get(rel, ())}
        for quad in (*change.removed, *change.added):
            if quad.predicate.value == SUBCLASS:
                raise NeedFullBuild("un fichier modifié déclare rdfs:subClassOf (la hiérarchie des classes est lue "
                                    "par toute la validation)")
    return changes


def _validate(opts, plan: Plan, store: Store, old: Store, changes: dict[str, _Change], manifest: dict,
              record: inputs.Record) -> iv.ValidationOutcome:
    from ingest.build import GRAPH_EXAMPLES, GRAPH_LIBRARY, GRAPH_NOMENCLATURE, GRAPH_SHAPES, graph_iri
    from ingest.shacl_sparql_run import skolemize
    from ingest.shape_depth import needs
    from ingest.validate import ShapesLoadError
    from ingest.validation_runner import make_plan

    start = time.perf_counter()
    base = opts.base_url
    data_graphs = [n for n in manifest["graphs"] if n not in (GRAPH_NOMENCLATURE, GRAPH_SHAPES)]
    try:
        vplan = make_plan(opts.root, data_graphs, GRAPH_LIBRARY)
    except ShapesLoadError as exc:
        from ingest.build import BuildError

        raise BuildError(str(exc)) from exc
    shapes = vplan.shapes[vplan.profiles[GRAPH_LIBRARY]]
    need = needs(shapes)
    if need.depth is None:
        raise NeedFullBuild(f"validation incrémentale impossible : {need.reason}")
    if need.depth > iv.MAX_DEPTH:
        raise NeedFullBuild(f"les formes lisent à {need.depth} liens de la ressource validée (au plus "
                            f"{iv.MAX_DEPTH} en incrémental)")
    focus: dict[str, object] = {}
    for name, change in changes.items():
        graph = NamedNode(graph_iri(base, name))
        focus.update(iv.affected(store, graph, change.subjects.values(), change.removed | change.added, need))
    if len(focus) > MAX_FOCUS:
        raise NeedFullBuild(f"{len(focus)} ressources à valider de nouveau (au-delà, la validation complète est "
                            "aussi rapide)")
    previous = iv.read_findings(plan.previous / "dumps" / REPORTS[1])
    # the report names blank nodes as the build's memory store did; the on-disk store renamed them
    blank_changed = any(isinstance(t, BlankNode) for c in changes.values() for t in c.subjects.values()) or any(
        isinstance(q.subject, BlankNode) for c in changes.values() for q in c.removed)
    if blank_changed and any(":" not in f.focus for f in previous):
        raise NeedFullBuild("des nœuds anonymes modifiés ont des résultats de validation")
    support_nodes = {str(t) for triple in vplan.support for t in (triple[0], triple[2])}
    registers = [n for n in data_graphs if n not in (GRAPH_LIBRARY, GRAPH_EXAMPLES)]
    nomenclature_needed = False
    for k in sorted({f.focus for f in previous if f.focus in focus}):
        term = focus[k]
        if any(iv.mentions(store, NamedNode(graph_iri(base, r)), term) for r in registers) or (
                registers and k in support_nodes):
            raise NeedFullBuild(f"la ressource {k} a des résultats de validation dans un registre")
        nomenclature_needed |= iv.mentions(store, NamedNode(graph_iri(base, GRAPH_NOMENCLATURE)), term)
    found = {f for f in previous if f.focus not in focus}
    support_nt = skolemize(vplan.support.serialize(format="nt", encoding="utf-8"))
    for name in data_graphs:
        if name in registers:
            continue
        graph = NamedNode(graph_iri(base, name))
        chosen = [t for k, t in focus.items()
                  if k in support_nodes or k in need.target_nodes or iv.mentions(store, graph, t)]
        if not chosen:
            continue
        quads = iv.extract(store, graph, chosen, need)
        subjects = {q.subject.value for q in quads}
        files = sorted({f for fs in record.files_asserting(subjects).values() for f in fs})
        found |= iv.validate_subgraph(quads, support_nt, vplan.shapes[vplan.profiles[name]],
                                      [(opts.data / f, base) for f in files], {iv.key(t) for t in chosen})
    if nomenclature_needed:
        found |= {f for f in iv.nomenclature_findings(opts.root, base, vplan) if f.focus in focus}
    # records (subject IRIs without fragment) per data graph: the previous count, corrected for the keys touched
    records = int((manifest.get("validation") or {}).get("records", 0))
    before = inputs.Record.open_existing(plan.previous / inputs.RECORD_NAME)
    try:
        for name, change in changes.items():
            keys = {t.value.split("#", 1)[0] for t in change.subjects.values() if isinstance(t, NamedNode)}
            records += sum(record.has_record(name, k) - before.has_record(name, k) for k in keys)
    finally:
        before.close()
    return iv.outcome(found, time.perf_counter() - start, records)


def _index_candidates(store: Store, old: Store, changes: dict[str, _Change]) -> set[str]:
    """Use cases whose index row may change: those changed, and those two links or less from a changed subject
    (a use case -> its organisation -> its territory)."""
    start = [t for c in changes.values() for t in c.subjects.values() if isinstance(t, NamedNode)]
    seen = {t.value: t for t in start}
    frontier = list(start)
    for _level in range(2):
        following = []
        for node in frontier:
            for s in (store, old):
                for quad in s.quads_for_pattern(None, None, node, None):
                    if isinstance(quad.subject, NamedNode) and quad.subject.value not in seen:
                        seen[quad.subject.value] = quad.subject
                        following.append(quad.subject)
        frontier = following
    kind, use_case = NamedNode(RDF_TYPE), NamedNode(USE_CASE)
    return {iri for iri, term in seen.items()
            if any(next(iter(s.quads_for_pattern(term, kind, use_case, None)), None) is not None for s in (store, old))}


def _counts(store: Store, old: Store, changes: dict[str, _Change], manifest: dict) -> tuple[dict, dict, dict]:
    """Triples per graph, total and distinct in the union, and use cases per graph: the previous build's
    figures corrected by the quads removed and added."""
    graphs = {name: dict(info) for name, info in manifest["graphs"].items()}
    triples = dict(manifest["triples"])
    use_cases = dict(manifest.get("use_cases", {}))
    kind, use_case = NamedNode(RDF_TYPE), NamedNode(USE_CASE)
    union_delta = 0
    touched = set()
    for name, change in changes.items():
        delta = len(change.added) - len(change.removed)
        graphs[name]["triples"] = graphs[name].get("triples", 0) + delta
        triples["quads"] = triples.get("quads", 0) + delta
        graph = NamedNode(graphs[name]["iri"])
        for term in change.subjects.values():
            if isinstance(term, NamedNode):
                before = Quad(term, kind, use_case, graph) in old
                after = Quad(term, kind, use_case, graph) in store
                graphs[name]["use_cases"] = graphs[name].get("use_cases", 0) + after - before
                if name in use_cases:
                    use_cases[name] += after - before
        touched |= {(q.subject, q.predicate, q.object) for q in (*change.removed, *change.added)}
    for s, p, o in touched:
        after = next(iter(store.quads_for_pattern(s, p, o, None)), None) is not None
        before = next(iter(old.quads_for_pattern(s, p, o, None)), None) is not None
        union_delta += after - before
    triples["distinct_triples"] = triples.get("distinct_triples", 0) + union_delta
    return graphs, triples, use_cases


def build_into(opts, plan: Plan, tmp: Path, build_id: str, steps) -> Any:
    """The incremental build of ``plan`` into ``tmp`` (see ``ingest.incremental``); a ``BuildResult``."""
    from ingest.build import REPORT_LIMIT, BuildResult, peak_memory_mb

    previous = plan.previous
    manifest = read_manifest(previous) or {}
    with steps("copie"):
        old = Store.read_only(str(previous / "store"))
        old.backup(str(tmp / "store"))
        shutil.copyfile(previous / inputs.RECORD_NAME, tmp / inputs.RECORD_NAME)
    record = inputs.Record(tmp / inputs.RECORD_NAME)
    try:
        with steps("lecture"):
            changes = _changes(opts, plan, record, old, opts.base_url)
        store = Store(str(tmp / "store"))
        with steps("chargement"):
            for change in changes.values():
                for quad in change.removed:
                    store.remove(quad)
                store.extend(list(change.added))
        with steps("inventaire"):
            _update_record(opts, plan, record, changes)
        with steps("validation"):
            validation = _validate(opts, plan, store, old, changes, manifest, record)
        if validation.violations:
            return BuildResult("invalid", build_id, report=validation.text_fr(limit=REPORT_LIMIT),
                               steps=dict(steps.seconds))
        with steps("index"):
            from ingest import search_index

            update_search_index = getattr(search_index, "update_search_index", None)
            if update_search_index is None:
                raise NeedFullBuild("la mise à jour partielle de l'index de recherche n'est pas disponible")
            INDEX_NAME = search_index.INDEX_NAME
            iris = _index_candidates(store, old, changes)
            update_search_index(store, previous / INDEX_NAME, tmp / INDEX_NAME, opts.base_url, build_id, iris)
        graphs, triples, use_cases = _counts(store, old, changes, manifest)
        store.flush()
        del store
    finally:
        record.close()
    dumps_of = manifest.get("dumps_of_build") or manifest.get("build_id")
    with steps("dumps"):
        _link_tree(previous / "dumps", tmp / "dumps")
        if (previous / "sources").is_dir():
            _link_tree(previous / "sources", tmp / "sources")
        files = _report_files(tmp, validation, [f for f in manifest.get("files", [])
                                                 if Path(f["path"]).name not in REPORTS])
    new = {
        **manifest,
        "build_id": build_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "input_digest": plan.digest,
        "graphs": graphs,
        "triples": triples,
        "use_cases": use_cases,
        "validation": validation.summary(),
        "files": files,
        "build_kind": "incremental",
        "build_reason": plan.reason,  # not the previous build's (copied with the rest of its manifest)
        "incremental": {"previous_build": manifest.get("build_id"), "reason": plan.reason,
                        "added": plan.added, "changed": plan.changed, "removed": plan.removed,
                        "files_reloaded": sorted(f for c in changes.values() for f in c.files)},
        "dumps_of_build": dumps_of,
        "steps": dict(steps.seconds),
        "peak_memory_mb": peak_memory_mb(),
    }
    write_manifest(tmp, new)
    result = BuildResult("built", build_id, tmp, new, report=validation.text_fr(limit=REPORT_LIMIT))
    result.changes = list(changes.values())  # read by run_incremental
    return result


def _update_record(opts, plan: Plan, record: inputs.Record, changes: dict[str, _Change]) -> None:
    reloaded = {f for c in changes.values() for f in c.files} - set(plan.removed)
    records = []
    for rel in sorted(reloaded):
        state = plan.states[rel]
        subjects, blank = inputs.subjects_of(opts.data / rel, opts.base_url)
        records.append(inputs.FileRecord(rel, graph_of(rel), state, subjects, blank))
    with record.db:
        record.remove(plan.removed)
        record.put(records)
        for state in plan.touched:
            if graph_of(state.path) is None:
                record.db.execute("INSERT OR REPLACE INTO files VALUES (?, NULL, ?, ?, ?, 0)",
                                  (state.path, state.size, state.mtime_ns, state.sha256))
        record.put_states(s for s in plan.touched if graph_of(s.path) is not None)
        gone = [rel for rel, g in record.graphs().items() if g is None and rel not in plan.states]
        record.remove(gone)
        record.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                              {**plan.meta, "input_digest": plan.digest}.items())


def _report_files(tmp: Path, validation, kept: list[dict]) -> list[dict]:
    """The validation reports written anew (replacing the hard links), and the manifest's files list."""
    dumps = tmp / "dumps"
    text, findings = dumps / REPORTS[0], dumps / REPORTS[1]
    for path in (text, findings):
        path.unlink(missing_ok=True)
    text.write_text(validation.text_fr() + "\n", encoding="utf-8")
    findings.write_text(validation.findings_json(), encoding="utf-8")
    return [*kept,
            file_entry(tmp, text, "text/plain", compress_format=None, graph=None,
                       title_fr="Rapport de validation SHACL", title_en="SHACL validation report"),
            file_entry(tmp, findings, "application/json", compress_format=None, graph=None,
                       title_fr="Résultats de validation SHACL (JSON)", title_en="SHACL validation results (JSON)")]
