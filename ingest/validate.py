"""SHACL validation of use cases: shapes/ against data, with the ontology and nomenclature mixed in.

Callers get a small ``Report`` dataclass and never touch pySHACL's report graph shape (it is kept on
``Report.graph`` for ``--format turtle``). Shapes, ontology and nomenclature are parsed once per process.

- ``validate_graph(graph)``: whole-graph validation (the CLI, the build, CI).
- ``validate_files(paths, base)``: read files, validate them together, and say which file each
  resource came from.
- ``validate_records(graph)``: one small subgraph per use case (the use case, its ``#`` parts, the
  organisations it points to, the types and schemes of the IRIs it links), validated with focus
  nodes: the cost per record stays flat as the graph grows (see docs in PERFORMANCE.md §4).

Choices, measured on data/exemples (see the report of issue 2): ``inference="none"``, because RDFS
inference over the mixed-in ontology multiplies the triples (domain/range typing) and would make
every subject of ``iat:domain`` a use case; ``sh:class`` already follows ``rdfs:subClassOf`` in the data
graph, which is all the shapes need. ``advanced=True`` because the French-title rule and the
nomenclature shapes select their focus nodes with SPARQL targets.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import ORG, SH

from ingest.namespaces import AIRO, NOMENCLATURE, VCARD, bind_prefixes
from ingest.rdfio import RDFReadError, rdf_files, read_graph

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = PROJECT_ROOT / "shapes"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"

# Shape files per concern; a profile is the list of files applied to a graph.
BASE_SHAPES = (
    "usecase.ttl",
    "usecase-recommended.ttl",
    "vocabularies.ttl",
    "organisation.ttl",
    "territoire.ttl",
    "parts.ttl",
)
PROFILES: dict[str, tuple[str, ...]] = {
    # the library graph (data/): deployers must state their type of authority
    "bibliotheque": (*BASE_SHAPES, "bibliotheque.ttl"),
    # register graphs (PSTW, NL, UK): the library-only required fields become warnings
    "registre": (*BASE_SHAPES, "registre.ttl"),
}
DEFAULT_PROFILE = "bibliotheque"
# Run on the input alone, never on the nomenclature mixed in for vocabularies.ttl.
NOMENCLATURE_SHAPES = ("nomenclature.ttl",)

# Subclass axioms of standard vocabularies the shapes rely on through sh:class (the ontology
# references these vocabularies by IRI only and does not import them). Source: vCard ontology
# (https://www.w3.org/TR/vcard-rdf/) and W3C ORG (https://www.w3.org/TR/vocab-org/).
STANDARD_AXIOMS: tuple[tuple[URIRef, URIRef], ...] = (
    (VCARD.Individual, VCARD.Kind),
    (VCARD.Organization, VCARD.Kind),
    (VCARD.Group, VCARD.Kind),
    (VCARD.Location, VCARD.Kind),
    (ORG.OrganizationalUnit, ORG.Organization),
    (ORG.FormalOrganization, ORG.Organization),
)

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class ShapesLoadError(Exception):
    """The shapes or the ontology cannot be read: a French message naming the file."""


@dataclass(frozen=True)
class Result:
    """One validation result, in the words a contributor needs."""

    focus_node: str
    path: str | None
    path_label: str  # French label of the field
    path_label_en: str
    severity: str  # "Violation", "Warning" or "Info"
    message_fr: str
    message_en: str
    value: str | None
    component: str
    source_shape: str | None
    source_file: str | None = None

    def message(self, lang: str = "fr") -> str:
        return self.message_en if lang == "en" else self.message_fr

    def label(self, lang: str = "fr") -> str:
        return self.path_label_en if lang == "en" else self.path_label

    def as_dict(self) -> dict[str, str | None]:
        return {
            "fichier": self.source_file,
            "ressource": self.focus_node,
            "champ": self.path,
            "libelle_champ": self.path_label,
            "libelle_champ_en": self.path_label_en,
            "gravite": self.severity,
            "message_fr": self.message_fr,
            "message_en": self.message_en,
            "valeur": self.value,
            "contrainte": self.component,
            "forme": self.source_shape,
        }


@dataclass
class Report:
    """Conforms when there is no violation: warnings and infos never fail."""

    conforms: bool
    results: list[Result]
    graph: Graph = field(default_factory=Graph, repr=False)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]


# --------------------------------------------------------------------------- loading (cached)


def _parse_all(files: Iterable[Path]) -> Graph:
    graph = bind_prefixes(Graph())
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise ShapesLoadError(f"{path} : fichier introuvable") from exc
        except Exception as exc:  # rdflib raises parser-specific types
            raise ShapesLoadError(f"{path} : fichier Turtle illisible ({type(exc).__name__}: {exc})") from exc
    return graph


@functools.cache
def load_shapes(profile: str = DEFAULT_PROFILE, shapes_dir: Path = SHAPES_DIR) -> Graph:
    if profile not in PROFILES:
        raise ShapesLoadError(f"profil « {profile} » inconnu ; attendu : {', '.join(PROFILES)}")
    return _parse_all(shapes_dir / name for name in PROFILES[profile])


@functools.cache
def load_nomenclature_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    return _parse_all(shapes_dir / name for name in NOMENCLATURE_SHAPES)


# Documentation triples of the shapes: pySHACL scans every predicate of a shape each time it evaluates
# it, and these make up more than half of the shapes graph. Measured on 90 use cases: 3.1 s with them,
# 1.7 s without. They are left out of what pySHACL runs; messages and names are read back from the
# full shapes graph by source shape (see ``_messages``).
DOCUMENTATION = frozenset({SH.name, SH.description, SH.message, RDFS.seeAlso, RDFS.label, RDFS.comment})


@functools.cache
def executable_shapes(shapes: Graph) -> Graph:
    """``shapes`` without their documentation triples: what to hand to pySHACL (same results, ~2x faster)."""
    lean = Graph()
    for triple in shapes:
        if triple[1] not in DOCUMENTATION:
            lean.add(triple)
    return lean


@functools.cache
def load_ontology(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """The ontology, every scheme of the nomenclature and the standard axioms, as one graph."""
    files = [ontology_dir / "ontologie.ttl", *sorted((ontology_dir / "nomenclature").glob("*.ttl"))]
    graph = _parse_all(files)
    for sub, sup in STANDARD_AXIOMS:
        graph.add((sub, RDFS.subClassOf, sup))
    return graph


@functools.cache
def load_support(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """What the shapes read besides the data: the class hierarchy (for sh:class) and, for each concept
    of the nomenclature, its rdf:type and skos:inScheme (for the scheme checks of vocabularies.ttl).

    pySHACL's own ``ont_graph`` copies only RDFS/OWL axioms, not SKOS concepts, so this is mixed in here.
    """
    ontology = load_ontology(ontology_dir)
    support = Graph()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for triple in ontology.triples((None, predicate, None)):
            support.add(triple)
    for concept in ontology.subjects(SKOS.inScheme, None):
        for triple in ontology.triples((concept, SKOS.inScheme, None)):
            support.add(triple)
        for triple in ontology.triples((concept, RDF.type, None)):
            support.add(triple)
    return support


@functools.cache
def _labels(lang: str, ontology_dir: Path = ONTOLOGY_DIR) -> dict[URIRef, str]:
    """The ontology's rdfs:label of each term in ``lang``."""
    labels: dict[URIRef, str] = {}
    for term, label in load_ontology(ontology_dir).subject_objects(RDFS.label):
        if isinstance(term, URIRef) and isinstance(label, Literal) and label.language == lang:
            labels[term] = str(label)
    return labels


# --------------------------------------------------------------------------- running pySHACL


def _run(data: Graph, shapes: Graph, support: Graph | None) -> Graph:
    """Run pySHACL on a copy of ``data`` with ``support`` added (the caller's graph is never changed).

    pySHACL's ``focus_nodes`` option is not used: in pySHACL 0.40 it also filters the value nodes of
    nested ``sh:node`` checks, which silently disables every scheme check of vocabularies.ttl.
    Callers filter the results by focus node instead.
    """
    work = Graph()
    work += data
    if support is not None:
        work += support
    _conforms, report_graph, _text = pyshacl_validate(
        work,
        shacl_graph=executable_shapes(shapes),
        inference="none",
        advanced=True,
        inplace=True,  # on our own copy
        allow_warnings=True,
    )
    return report_graph


def _text(graph: Graph, node, predicate, lang: str) -> str:
    values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
    for value in values:
        if value.language == lang:
            return str(value)
    return str(values[0]) if values else ""


def _lang_text(graph: Graph, node, predicate, lang: str) -> str:
    for value in graph.objects(node, predicate):
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return ""


def _messages(report_graph: Graph, node, shapes: Graph, shape, value) -> tuple[str, str]:
    """French and English messages of a result.

    pySHACL runs shapes without their documentation (see ``executable_shapes``), so messages come from the
    full shapes graph: the SPARQL constraint's own sh:message ({?value} substituted), else the source
    shape's (for sh:node results, the outer property shape's).
    """
    fr = _lang_text(report_graph, node, SH.resultMessage, "fr")
    en = _lang_text(report_graph, node, SH.resultMessage, "en")
    if fr and en:
        return fr, en
    constraint = report_graph.value(node, SH.sourceConstraint)
    for source in (constraint, shape):
        if isinstance(source, URIRef):
            shown = "" if value is None else str(value)
            fr = fr or _lang_text(shapes, source, SH.message, "fr").replace("{?value}", shown).replace("{$value}", shown)
            en = en or _lang_text(shapes, source, SH.message, "en").replace("{?value}", shown).replace("{$value}", shown)
    fallback = _text(report_graph, node, SH.resultMessage, "fr")
    fr, en = fr or fallback, en or fr or fallback
    # the executed shapes carry no sh:message: write ours into the report graph (--format turtle)
    for old in list(report_graph.objects(node, SH.resultMessage)):
        report_graph.remove((node, SH.resultMessage, old))
    report_graph.add((node, SH.resultMessage, Literal(fr, lang="fr")))
    report_graph.add((node, SH.resultMessage, Literal(en, lang="en")))
    return fr, en


def _results(report_graph: Graph, shapes: Graph, origin: dict[str, str] | None) -> list[Result]:
    labels_fr, labels_en = _labels("fr"), _labels("en")
    nm = bind_prefixes(Graph()).namespace_manager
    results: list[Result] = []
    # top-level results only: those nested under sh:detail (inside sh:node) are explained by their parent
    nodes = [n for report in report_graph.subjects(RDF.type, SH.ValidationReport) for n in report_graph.objects(report, SH.result)]
    for node in nodes:
        focus = report_graph.value(node, SH.focusNode)
        path = report_graph.value(node, SH.resultPath)
        shape = report_graph.value(node, SH.sourceShape)
        value = report_graph.value(node, SH.value)
        severity = report_graph.value(node, SH.resultSeverity)
        message_fr, message_en = _messages(report_graph, node, shapes, shape, value)
        # field label: the ontology's rdfs:label, else the shape's sh:name (reused terms such as
        # dct:title are not labelled by our ontology), else the prefixed name
        named = report_graph.value(node, SH.sourceConstraint) or shape  # SPARQL constraints carry the name
        shape_fr = _lang_text(shapes, named, SH.name, "fr") if named is not None else ""
        shape_en = _lang_text(shapes, named, SH.name, "en") if named is not None else ""
        if isinstance(path, URIRef):
            path_label = labels_fr.get(path) or shape_fr or path.n3(nm)
            path_label_en = labels_en.get(path) or shape_en or path.n3(nm)
        else:
            path_label, path_label_en = shape_fr, shape_en
        results.append(
            Result(
                focus_node=str(focus),
                path=str(path) if isinstance(path, URIRef) else None,
                path_label=path_label,
                path_label_en=path_label_en,
                severity=SEVERITIES.get(severity, str(severity)),
                message_fr=message_fr,
                message_en=message_en or message_fr,
                value=None if value is None or isinstance(value, BNode) else str(value),
                component=str(report_graph.value(node, SH.sourceConstraintComponent)),
                source_shape=str(shape) if isinstance(shape, URIRef) else None,
                source_file=(origin or {}).get(str(focus)),
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda r: (r.source_file or "", r.focus_node, order.get(r.severity, 3), r.path or ""))
    return results


def _has_nomenclature(data: Graph) -> bool:
    for kind in (SKOS.Concept, SKOS.ConceptScheme):
        if any(str(s).startswith(NOMENCLATURE) for s in data.subjects(RDF.type, kind)):
            return True
    return False


def validate_graph(
    data: Graph,
    profile: str = DEFAULT_PROFILE,
    *,
    focus_nodes: list[URIRef] | None = None,
    origin: dict[str, str] | None = None,
) -> Report:
    """Validate a graph against the shapes of ``profile``, with the ontology and nomenclature mixed in.

    If the graph holds concepts or schemes of the nomenclature, they are also checked against
    shapes/nomenclature.ttl (on the graph alone). ``origin`` maps a resource IRI to the file it came from.
    With ``focus_nodes``, only results about those resources are kept (``Report.graph`` keeps them all).
    """
    shapes = load_shapes(profile)
    report_graph = _run(data, shapes, load_support())
    results = _results(report_graph, shapes, origin)
    if focus_nodes is not None:
        keep = {str(f) for f in focus_nodes}
        results = [r for r in results if r.focus_node in keep]
    elif _has_nomenclature(data):
        nomenclature_shapes = load_nomenclature_shapes()
        extra = _run(data, nomenclature_shapes, None)
        results += _results(extra, nomenclature_shapes, origin)
        report_graph += extra
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph)


def read_files(paths: list[Path], base: str) -> tuple[Graph, dict[str, str]]:
    """Read files and folders into one graph; also return resource IRI -> file it is described in.

    Raises ``RDFReadError`` (French message naming the file) on unreadable input.
    """
    data = bind_prefixes(Graph())
    origin: dict[str, str] = {}
    files = rdf_files(paths)
    for path in files:
        if not path.exists():
            raise RDFReadError(path, "fichier introuvable")
        part = read_graph(path, base)
        for subject in set(part.subjects()):
            key = str(subject)
            origin[key] = f"{origin[key]}, {path}" if key in origin else str(path)
        data += part
    return data, origin


def validate_files(paths: list[Path], base: str, profile: str = DEFAULT_PROFILE) -> Report:
    data, origin = read_files(paths, base)
    return validate_graph(data, profile, origin=origin)


# --------------------------------------------------------------------------- per-record validation


def record_subgraph(data: Graph, use_case: URIRef) -> tuple[Graph, list[URIRef]]:
    """The use case, its ``#`` parts, the organisations it points to, and what its links need.

    Returns the subgraph and its focus nodes (the use case, its parts, its deploying organisations):
    the results to keep.
    For every other IRI it links to, only ``rdf:type`` and ``skos:inScheme`` are copied (from the data
    or the nomenclature), which is what sh:class and the scheme checks read; the ontology's
    ``rdfs:subClassOf`` axioms are added so that sh:class sees subclasses.
    """
    support = load_support()
    sub = Graph()
    prefix = f"{use_case}#"
    described: list[URIRef] = [use_case]
    seen = {use_case}
    i = 0
    while i < len(described):  # the use case and its parts, following links to further parts
        node = described[i]
        i += 1
        for p, o in data.predicate_objects(node):
            sub.add((node, p, o))
            if isinstance(o, URIRef) and o not in seen and str(o).startswith(prefix):
                seen.add(o)
                described.append(o)
    focus = list(described)
    for org in data.objects(use_case, AIRO.isDeployedBy):
        if isinstance(org, URIRef) and org not in seen:
            seen.add(org)
            focus.append(org)
            for p, o in data.predicate_objects(org):
                sub.add((org, p, o))
    for o in set(sub.objects()):
        if isinstance(o, URIRef) and o not in seen:
            for source in (data, support):
                for t in source.objects(o, RDF.type):
                    sub.add((o, RDF.type, t))
                for s in source.objects(o, SKOS.inScheme):
                    sub.add((o, SKOS.inScheme, s))
    for triple in support.triples((None, RDFS.subClassOf, None)):
        sub.add(triple)
    return sub, focus


def validate_record(data: Graph, use_case: URIRef, profile: str = DEFAULT_PROFILE) -> Report:
    """Validate one use case through its subgraph (cost independent of the size of ``data``)."""
    sub, focus = record_subgraph(data, use_case)
    shapes = load_shapes(profile)
    report_graph = _run(sub, shapes, None)
    keep = {str(f) for f in focus}
    # linked resources copied with their type only (partners, territories…) are validated with their
    # own records, not here
    results = [r for r in _results(report_graph, shapes, None) if r.focus_node in keep]
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results, graph=report_graph)


def validate_records(data: Graph, profile: str = DEFAULT_PROFILE) -> dict[URIRef, Report]:
    """Validate every use case of ``data`` one by one (for the build, and to compare with whole-graph)."""
    from ingest.namespaces import IAT

    return {
        uc: validate_record(data, uc, profile)
        for uc in sorted(data.subjects(RDF.type, IAT.UseCase))
        if isinstance(uc, URIRef)
    }
