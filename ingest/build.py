"""Build the library: read, validate, load the on-disk store, write dumps and manifest, swap atomically.

Layout of the var directory (see docs/ARCHITECTURE.md, "Build")::

    var/
      current -> builds/{id}          relative symlink, swapped with os.replace
      builds/{id}/                    complete builds (the 2 latest + current are kept)
      builds/.tmp-{id}/               a build in progress (removed when it fails; stale ones pruned)
      .build.lock                     one build at a time (flock)

A build is written completely in ``builds/.tmp-{id}/`` (store closed, files flushed, manifest last),
renamed to ``builds/{id}/`` and only then made current: a build that fails or is killed never touches
``current``. Violations stop the build (exit 1) with the French report; warnings are counted, summarised
and published with the build.
"""

from __future__ import annotations

import fcntl
import gc
import os
import re
import resource
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import Graph, URIRef
from tqdm import tqdm

from ingest import iris
from ingest.csv_export import CSV_NAME, SCHEMA_NAME, write_csv
from ingest.dumps import DumpSet, write_dumps
from ingest.manifest import (
    MANIFEST_FORMAT,
    code_version,
    file_entry,
    input_digest,
    read_manifest,
    sha256_file,
    write_manifest,
)
from ingest.namespaces import bind_prefixes
from ingest.rdfio import RDFReadError, load_file, load_file_data, rdf_files, read_graph
from ingest.search_index import write_search_index

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KEEP_BUILDS = 2  # besides current
REPORT_LIMIT = 200  # violations printed; the published report lists them all
TMP_PREFIX = ".tmp-"
SOURCE_FIELDS = ("name", "title_fr", "title_en", "graph", "licence", "attribution", "homepage", "snapshot")
EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

# fixed named graphs (docs/ARCHITECTURE.md); one more per register in ingest.sources
GRAPH_LIBRARY, GRAPH_NOMENCLATURE, GRAPH_SHAPES = "bibliotheque", "nomenclature", "formes"
# data/exemples/: fictional records that exercise every field; validated like the library, kept out of it
GRAPH_EXAMPLES, EXAMPLES_DIR = "exemples", "exemples"


class BuildError(Exception):
    """A build that cannot be made; ``str()`` is a French message naming the file or step."""


@dataclass
class BuildOptions:
    base_url: str
    var_dir: Path
    root: Path = PROJECT_ROOT  # holds ontology/, shapes/, data/ and sources/
    data_dir: Path | None = None  # default: root/data
    sources: list[Any] | None = None  # default: ingest.sources.SOURCES (objects with name, graph, path, load)
    jobs: int = 1
    if_needed: bool = False
    full: bool = False  # --complet: never incremental (ingest.incremental decides otherwise)
    quiet: bool = False
    validation: str = "sparql"  # sparql | pySHACL: auto | graphe | fiches (see ingest.validation_runner)

    @property
    def data(self) -> Path:
        return self.data_dir if self.data_dir is not None else self.root / "data"

    def source_list(self) -> list[Any]:
        if self.sources is not None:
            return list(self.sources)
        from ingest.sources import SOURCES

        return list(SOURCES)


@dataclass
class BuildResult:
    status: str  # built | skipped | invalid
    build_id: str | None = None
    build_dir: Path | None = None
    manifest: dict[str, Any] | None = None
    report: str = ""
    steps: dict[str, float] = field(default_factory=dict)
    kind_fr: str = ""  # which kind of build ran and why (ingest.incremental.Plan.summary_fr)

    @property
    def exit_code(self) -> int:
        return EXIT_VIOLATIONS if self.status == "invalid" else EXIT_OK


def current_dir(var_dir: Path) -> Path | None:
    """The directory ``var/current`` points to, or None when there is no complete build yet."""
    link = var_dir / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def compute_digest(opts: BuildOptions) -> str:
    roots = [
        ("ontology", opts.root / "ontology"),
        ("shapes", opts.root / "shapes"),
        ("data", opts.data),
    ]
    sources_dir = (opts.root / "sources").resolve()
    roots.append(("sources", sources_dir))
    selected = opts.source_list()
    # a register file kept outside sources/ (tests, a deployment's own registers) counts too
    roots += [(f"source:{s.name}", Path(s.path)) for s in selected
              if not Path(s.path).resolve().is_relative_to(sources_dir)]
    extra = [f"code={code_version()}", f"base={opts.base_url}"]
    extra += [f"graph={s.name}:{s.graph}" for s in selected]
    return input_digest(roots, extra=extra)


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished children (process pool), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)  # ru_maxrss is in KiB on Linux


@contextmanager
def _lock(var_dir: Path) -> Iterator[None]:
    var_dir.mkdir(parents=True, exist_ok=True)
    with (var_dir / ".build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(f"{var_dir} : une autre construction est en cours (verrou .build.lock)") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    for path in [*sorted(p for p in root.rglob("*") if p.is_dir()), root]:
        _fsync_dir(path)


def swap_current(var_dir: Path, build_dir: Path) -> None:
    """Point ``var/current`` at ``build_dir`` atomically (relative symlink replaced with os.replace)."""
    target = os.path.relpath(build_dir, var_dir)
    tmp_link = var_dir / f".current.{os.getpid()}.tmp"
    tmp_link.unlink(missing_ok=True)
    os.symlink(target, tmp_link)
    os.replace(tmp_link, var_dir / "current")
    _fsync_dir(var_dir)


def publish(var_dir: Path, tmp: Path, build_id: str) -> Path:
    """Make the complete build ``tmp`` current: flushed to disk, renamed ``builds/{build_id}``, swapped in,
    older builds pruned. Returns its final directory."""
    builds = var_dir / "builds"
    _fsync_tree(tmp)
    final = builds / build_id
    os.rename(tmp, final)
    _fsync_dir(builds)
    swap_current(var_dir, final)
    prune(var_dir)
    return final


def prune(var_dir: Path, keep: int = KEEP_BUILDS) -> list[Path]:
    """Remove stale temporary builds and all complete builds but the ``keep`` latest and current.

    Called under the build lock, so no temporary build belongs to a live build.
    """
    builds = var_dir / "builds"
    if not builds.is_dir():
        return []
    current = current_dir(var_dir)
    complete = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    removed = [p for p in builds.iterdir() if p.name.startswith(TMP_PREFIX)]
    removed += [p for p in complete[: max(len(complete) - keep, 0)] if current is None or p.resolve() != current]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def _new_build_id(digest: str, builds: Path) -> str:
    """``{UTC time}-{digest}``, sorting after every build id already in ``builds`` (complete, temporary or
    pruned-then-reused): prune keeps the last ids in name order, and two builds can start in one second
    (an incremental build and the build with its fresh dumps). The time is moved on by whole seconds when
    needed, so ids stay in time order whatever their digests."""
    moment = datetime.now(UTC).replace(microsecond=0)
    existing = [p.name.removeprefix(TMP_PREFIX) for p in builds.iterdir()] if builds.is_dir() else []
    stamps = [name[:16] for name in existing if re.fullmatch(r"\d{8}T\d{6}Z", name[:16])]
    latest = max(stamps, default="")
    while moment.strftime("%Y%m%dT%H%M%SZ") <= latest:
        moment += timedelta(seconds=1)
    return f"{moment.strftime('%Y%m%dT%H%M%SZ')}-{digest[:8]}"


class _Steps:
    """Times each named step; prints nothing itself."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - start, 3)


def _progress(opts: BuildOptions, iterable, desc: str, total: int | None = None):
    disable = opts.quiet or not sys.stderr.isatty()
    return tqdm(iterable, desc=desc, total=total, unit="", file=sys.stderr, disable=disable, leave=False)


# parts of ontology/ loaded into graphe/nomenclature (ontology/examples/ holds sample records, not loaded)
ONTOLOGY_PARTS = ("nomenclature", "reference")


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The RDF files of graphe/nomenclature: ontology/*.ttl, ontology/nomenclature/, ontology/reference/."""
    if not ontology_dir.is_dir():
        return []
    top = [p for p in rdf_files([ontology_dir]) if p.parent == ontology_dir]
    return top + rdf_files([ontology_dir / part for part in ONTOLOGY_PARTS if (ontology_dir / part).is_dir()])


def _read_files(paths: list[Path], base: str) -> Graph:
    graph = bind_prefixes(Graph())
    for path in paths:
        read_graph(path, base, graph)
    return graph


def _read_dir(folder: Path, base: str) -> Graph:
    return _read_files(rdf_files([folder]) if folder.is_dir() else [], base)


def library_files(data_dir: Path) -> list[Path]:
    """The RDF files of graphe/bibliotheque: data/ but its fictional examples (data/exemples/)."""
    if not data_dir.is_dir():
        return []
    examples = data_dir / EXAMPLES_DIR
    return [p for p in rdf_files([data_dir]) if not p.is_relative_to(examples)]


def _read_stored(store: Store, name: str, paths: list[Path], base: str):
    """``paths`` read with pyoxigraph into graph ``name`` of the in-memory ``store``, never into rdflib."""
    from ingest.shacl_sparql_run import StoredGraph

    stored = StoredGraph(store, graph_iri(base, name))
    for path in paths:
        load_file(store, path, base, stored.iri)
        stored.files.append((path, base))
    stored.skolemize()
    return stored


def read_inputs(opts: BuildOptions) -> tuple[dict[str, Any], dict[str, str]]:
    """Read every input into one graph per named graph (short name -> graph), in load order.

    The ontology, the shapes and the registers are small rdflib graphs; the files of data/ are read by
    pyoxigraph into one in-memory store (``StoredGraph``): rdflib needs minutes and gigabytes for 100k
    records. Returns the graphs and, for each register graph, the source name it came from.
    """
    from ingest.importers.common import RegisterImportError
    from ingest.shacl_sparql_run import StoredGraph

    base = opts.base_url
    data_store = Store()
    try:
        graphs: dict[str, Any] = {
            GRAPH_NOMENCLATURE: _read_files(ontology_files(opts.root / "ontology"), base),
            GRAPH_SHAPES: _read_dir(opts.root / "shapes", base),
            GRAPH_LIBRARY: _read_stored(data_store, GRAPH_LIBRARY, library_files(opts.data), base),
        }
        if (opts.data / EXAMPLES_DIR).is_dir():
            graphs[GRAPH_EXAMPLES] = _read_stored(data_store, GRAPH_EXAMPLES, rdf_files([opts.data / EXAMPLES_DIR]),
                                                  base)
    except RDFReadError as exc:
        raise BuildError(str(exc)) from exc
    origin: dict[str, str] = {}
    sources = opts.source_list()
    for source in _progress(opts, sources, "Import des registres", total=len(sources)):
        try:
            graph = source.load(base)
        except (RegisterImportError, RDFReadError) as exc:
            raise BuildError(f"source « {source.name} » : {exc}") from exc
        except OSError as exc:  # a missing or unreadable file the importer needs
            raise BuildError(f"source « {source.name} » : fichier illisible ({exc})") from exc
        existing = graphs.get(source.graph)
        if isinstance(existing, StoredGraph):  # a register loaded into a graph of data/
            check_iris({source.graph: graph})
            from ingest.shacl_sparql import BLANK_PREFIX

            existing.has_blank_nodes |= load_file_data(
                existing.store, graph.serialize(format="nt", encoding="utf-8"), Path(str(source.path)),
                existing.iri, BLANK_PREFIX)
        elif existing is not None:
            existing += graph
        else:
            graphs[source.graph] = graph
        origin[source.graph] = source.name
    return graphs, origin


def invalid_iris(name: str, graph: Graph, limit: int = 20) -> list[str]:
    """French lines naming each IRI that rdflib accepted but RDF forbids (pyoxigraph would refuse it)."""
    problems: list[str] = []
    checked: set[str] = set()
    for s, p, o in graph:
        for term in (s, p, o):
            if not isinstance(term, URIRef) or str(term) in checked:
                continue
            checked.add(str(term))
            try:
                NamedNode(str(term))
            except ValueError as exc:
                problems.append(f"graphe « {name} », ressource <{s}>, propriété <{p}> : IRI invalide « {term} » ({exc})")
                if len(problems) >= limit:
                    return problems
    return problems


def check_iris(graphs: dict[str, Any]) -> None:
    """Invalid IRIs of the rdflib graphs (pyoxigraph already refused those of data/, naming file and line)."""
    problems = [line for name, graph in graphs.items() if isinstance(graph, Graph)
                for line in invalid_iris(name, graph)]
    if problems:
        raise BuildError("IRI invalides (à corriger dans la source ou son import) :\n  " + "\n  ".join(problems))


def gather(graphs: dict[str, Any], base: str) -> Store:
    """Every graph in the one in-memory store that holds the graphs read from data/ (``StoredGraph``): the
    rdflib graphs (ontology, shapes, registers) are bulk-loaded into their named graph, and the skolemised
    blank nodes of data/ become blank nodes again. The dumps and the on-disk store are written from it."""
    from ingest.shacl_sparql_run import StoredGraph

    stored = [g for g in graphs.values() if isinstance(g, StoredGraph)]
    store = stored[0].store if stored else Store()
    for graph in stored:
        graph.unskolemize()
    for name, graph in graphs.items():
        if isinstance(graph, StoredGraph):
            continue
        data = graph.serialize(format="nt", encoding="utf-8")
        try:
            store.bulk_load(input=data, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(graph_iri(base, name)))
        except SyntaxError as exc:
            raise BuildError(f"graphe « {name} » : chargement refusé par le store ({exc})") from exc
    return store


def load_store(store_dir: Path, nquads: Path) -> None:
    """Create the on-disk store and bulk-load the dataset's N-Quads into it (natively, no Python per quad)."""
    store = Store(str(store_dir))
    store.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
    store.flush()
    store.optimize()  # RocksDB compaction, as oxigraph advises before read-only use: faster queries
    del store
    gc.collect()  # pyoxigraph closes the RocksDB store when the object is dropped


def release_memory() -> None:
    """Give the freed heap back to the system (glibc keeps it otherwise: the in-memory store's 2 GB at
    100k use cases would still count in the build's peak while the on-disk store is bulk-loaded)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


SOURCES_COPY = "sources"  # inside a build: the files of sources/ that the data cite (prov:wasDerivedFrom)


def copy_source_files(sources_dir: Path, build_dir: Path) -> list[dict[str, Any]]:
    """Copy the regular files of ``sources/`` into ``build_dir/sources/`` (symbolic links and what they
    point to are left out), so the service answers ``/sources/{path}`` with the very files this build was
    made from. Returns the manifest's ``source_files`` entries (path relative to sources/, size, sha256)."""
    entries: list[dict[str, Any]] = []
    if not sources_dir.is_dir() or sources_dir.is_symlink():
        return entries
    target_root = build_dir / SOURCES_COPY
    for folder, dirs, names in os.walk(sources_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink() and not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(sources_dir)
            target = target_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            target.chmod(0o644)
            entries.append({"path": rel.as_posix(), "bytes": target.stat().st_size, "sha256": sha256_file(target)})
    return entries


def graph_iri(base: str, name: str) -> str:
    return base + iris.graph_iri(name)


def store_counts(store: Store) -> dict[str, int]:
    """Triples per named graph IRI, counted by the store itself."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    return {row["g"].value: int(row["n"].value) for row in store.query(query)}


def run_build(opts: BuildOptions) -> BuildResult:
    """Build into ``opts.var_dir``; raises BuildError for unreadable input, returns ``invalid`` on violations."""
    from ingest.validation_runner import validate_graphs

    if not opts.base_url.endswith("/"):
        raise BuildError(f"URL de base « {opts.base_url} » : elle doit finir par « / »")
    steps = _Steps()
    var_dir = opts.var_dir
    builds = var_dir / "builds"
    with _lock(var_dir):
        from ingest.incremental import Plan, prepare, record_full_build
        from ingest.incremental_publish import NeedFullBuild, run_incremental
        from ingest.inputs import RECORD_NAME

        current = current_dir(var_dir)
        for stale in var_dir.glob(f".{RECORD_NAME}.*.tmp"):  # of killed runs (we hold the lock)
            stale.unlink(missing_ok=True)
        scratch = var_dir / f".{RECORD_NAME}.{os.getpid()}.tmp"
        with steps("inventaire"):
            plan = prepare(opts, current, full=opts.full)
            if plan.digest is None:  # the inputs record hashes data/ once, for the digest and the next build
                digest = record_full_build(opts, scratch, current)["input_digest"]
            else:
                digest = plan.digest
        if opts.if_needed and current is not None:
            manifest = read_manifest(current)
            if manifest and manifest.get("input_digest") == digest:
                scratch.unlink(missing_ok=True)
                return BuildResult("skipped", manifest.get("build_id"), current, manifest)
        builds.mkdir(parents=True, exist_ok=True)
        prune(var_dir)  # stale temporary builds of killed runs
        if plan.incremental:
            try:
                result = run_incremental(opts, plan, steps)
                result.kind_fr = plan.summary_fr()
                return result
            except NeedFullBuild as exc:
                plan = Plan("full", f"incrémentale impossible, {exc}")
        build_id = _new_build_id(digest, builds)
        tmp = builds / f"{TMP_PREFIX}{build_id}"
        tmp.mkdir()
        try:
            with steps("inventaire"):  # what the next build needs to be incremental, before data/ is read
                if scratch.exists():
                    os.replace(scratch, tmp / RECORD_NAME)
                else:
                    record_full_build(opts, tmp / RECORD_NAME, current)
            result = _build_into(opts, tmp, build_id, digest, steps, validate_graphs)
            if result.status != "built":
                shutil.rmtree(tmp, ignore_errors=True)
                return result
            result.kind_fr = plan.summary_fr()
            result.manifest.update(build_kind="full", build_reason=plan.reason)
            write_manifest(tmp, result.manifest)
            with steps("bascule"):
                final = publish(var_dir, tmp, build_id)
            result.build_dir = final
            result.steps = dict(steps.seconds)
            return result
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _build_into(opts, tmp: Path, build_id: str, digest: str, steps: _Steps, validate_graphs) -> BuildResult:
    from ingest.validate import ShapesLoadError
    from ingest.validation_runner import make_plan

    base = opts.base_url
    with steps("lecture"):
        graphs, origin = read_inputs(opts)
        check_iris(graphs)
    data_graphs = [name for name in graphs if name not in (GRAPH_NOMENCLATURE, GRAPH_SHAPES)]
    with steps("validation"):
        try:
            plan = make_plan(opts.root, data_graphs, GRAPH_LIBRARY)
            if GRAPH_EXAMPLES in plan.profiles:  # the examples follow the library's rules
                plan.profiles[GRAPH_EXAMPLES] = plan.profiles[GRAPH_LIBRARY]
        except ShapesLoadError as exc:
            raise BuildError(str(exc)) from exc
        validation = validate_graphs(
            {name: graphs[name] for name in data_graphs},
            nomenclature=graphs[GRAPH_NOMENCLATURE],
            plan=plan,
            method=opts.validation,
            jobs=opts.jobs,
            progress=lambda it, desc, total=None: _progress(opts, it, desc, total),
        )
    if validation.violations:
        return BuildResult("invalid", build_id, report=validation.text_fr(limit=REPORT_LIMIT),
                           steps=dict(steps.seconds))

    names = {name: graph_iri(base, name) for name in graphs}
    dumps_dir = tmp / "dumps"
    # the compressions run in ``executor``'s threads while the CSV, the index and the store are written; the
    # dumps in ``writer``'s thread beside the CSV (pyoxigraph serialises to a file path without the GIL, the
    # CSV is Python: the two cores are used)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gzip") as executor, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="dumps") as writer:
        with steps("dumps"):
            memory = gather(graphs, base)

        def dump_all(store: Store) -> DumpSet:
            with steps("dumps"):
                bar = _progress(opts, None, "Dumps", total=5 + len(names))
                written = write_dumps(store, dumps_dir, names, executor, progress=lambda _name: bar.update())
                bar.close()
                return written

        dumps_dir.mkdir(parents=True, exist_ok=True)  # the CSV goes there too, maybe before the first dump
        pending = writer.submit(dump_all, memory)
        try:
            with steps("csv"):
                csv_path, schema_path, use_cases = write_csv(memory, dumps_dir, names)
        finally:
            dumps = pending.result()  # the dumps thread ends before anything else happens
        try:
            counts = store_counts(memory)
            del graphs, memory
            release_memory()
            with steps("chargement"):
                load_store(tmp / "store", dumps.nquads)
            # search.sqlite: the pages' search and facet index, swapped with the store. Read from the on-disk
            # store, not the in-memory one: its rows (~1.2 GB at 100k use cases) beside the in-memory store
            # (~2.1 GB) made the build's peak; from disk it takes ~1.6x longer (100k: 30 s -> 49 s)
            with steps("index"):
                disk = Store.read_only(str(tmp / "store"))
                write_search_index(disk, tmp, base, build_id)
                del disk
                gc.collect()
        finally:
            with steps("compression"):
                dumps.wait()
    union = dumps.distinct_triples

    with steps("sources"):
        source_files = copy_source_files(opts.root / "sources", tmp)
    validation_path = dumps_dir / "rapport-validation.txt"
    validation_path.write_text(validation.text_fr() + "\n", encoding="utf-8")
    findings_path = dumps_dir / "rapport-validation.json"
    findings_path.write_text(validation.findings_json(), encoding="utf-8")
    files = [file_entry(tmp, d.path, d.media_type, **d.manifest_extra()) for d in dumps.dumps]
    files.append(file_entry(tmp, csv_path, "text/csv", compress_format=None, graph=None,
                            title_fr="Cas d'usage (CSV, une ligne par cas)",
                            title_en="Use cases (CSV, one row per use case)",
                            schema=f"dumps/{SCHEMA_NAME}"))
    files.append(file_entry(tmp, schema_path, "application/json", compress_format=None, graph=None,
                            title_fr=f"Schéma de table (Frictionless) de {CSV_NAME}",
                            title_en=f"Frictionless Table Schema of {CSV_NAME}"))
    files.append(file_entry(tmp, validation_path, "text/plain", compress_format=None, graph=None,
                            title_fr="Rapport de validation SHACL", title_en="SHACL validation report"))
    files.append(file_entry(tmp, findings_path, "application/json", compress_format=None, graph=None,
                            title_fr="Résultats de validation SHACL (JSON)",
                            title_en="SHACL validation results (JSON)"))
    manifest = {
        "format": MANIFEST_FORMAT,
        "build_id": build_id,
        "base_url": base,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "input_digest": digest,
        "code_version": code_version(),
        "graphs": {
            name: {
                "iri": iri,
                "triples": counts.get(iri, 0),
                "use_cases": use_cases.get(name, 0),
                "source": origin.get(name),
            }
            for name, iri in names.items()
        },
        "triples": {"quads": sum(counts.values()), "distinct_triples": union},
        "use_cases": {name: n for name, n in use_cases.items() if name in data_graphs},
        # what the DCAT catalogue says about each register (sparql_endpoint never imports ingest.sources)
        "sources": [{key: getattr(source, key, None) for key in SOURCE_FIELDS} for source in opts.source_list()],
        "validation": validation.summary(),
        "store": "store",
        "files": files,
        "source_files": source_files,
        "steps": dict(steps.seconds),
        "peak_memory_mb": peak_memory_mb(),
    }
    write_manifest(tmp, manifest)
    return BuildResult("built", build_id, tmp, manifest, report=validation.text_fr(limit=REPORT_LIMIT))


def summary_fr(result: BuildResult) -> str:
    """The final French summary printed by the command."""
    manifest = result.manifest or {}
    if result.status == "skipped":
        return (f"Rien à reconstruire : la construction {result.build_id} est à jour "
                f"(aucune entrée modifiée).")
    lines = [f"Construction {result.build_id} publiée dans {result.build_dir}."]
    if result.kind_fr:
        lines.insert(0, result.kind_fr)
    if manifest.get("build_kind") == "incremental-dumps":
        served = (manifest.get("incremental") or {}).get("dumps_for_build")
        lines.append(f"Le changement était servi dès la construction {served} ; celle-ci y ajoute les "
                     "téléchargements (dumps, CSV) régénérés.")
    lines.append("Cas d'usage et triplets par graphe :")
    for name, info in manifest.get("graphs", {}).items():
        lines.append(f"  - {name:<26} {info['use_cases']:>6} cas d'usage {info['triples']:>9} triplets")
    triples = manifest.get("triples", {})
    lines.append(f"Total : {triples.get('quads', 0)} triplets ({triples.get('distinct_triples', 0)} distincts "
                 "dans l'union).")
    validation = manifest.get("validation", {})
    lines.append(f"Validation ({validation.get('method')}) : {validation.get('violations', 0)} violation(s), "
                 f"{validation.get('warnings', 0)} avertissement(s).")
    steps = {**manifest.get("steps", {}), **result.steps}
    lines.append("Durées : " + ", ".join(f"{name} {sec:.1f} s" for name, sec in steps.items())
                 + f" ; somme {sum(steps.values()):.1f} s (les dumps s'écrivent pendant le CSV : la durée réelle est"
                 " moindre).")
    lines.append(f"Mémoire maximale : {peak_memory_mb()} Mo.")
    return "\n".join(lines)
