"""Matching what contributors type to the nomenclature's concepts.

A value may be a concept's French or English preferred label, an alternative label, its notation (the
code) or its IRI; case, accents, punctuation and spacing are ignored. Values that match nothing get the
closest concepts as suggestions ("vouliez-vous dire « … » ?").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ingest.iris import ascii_fold
from ingest.namespaces import EU_AIACT, NOMENCLATURE

ROOT = Path(__file__).resolve().parent.parent
NOMENCLATURE_DIR = ROOT / "ontology" / "nomenclature"
EU_AIACT_FILE = ROOT / "ontology" / "reference" / "dpv-eu-aiact.ttl"

# Schemes the project reuses instead of minting (AI Act): when the nomenclature does not (yet) hold a
# scheme of this name, its concepts are the eu-aiact concepts whose IRI starts with the prefix.
REUSED_SCHEMES: dict[str, str] = {
    "niveaux-risque": f"{EU_AIACT}RiskLevel",
    "annexe-iii": f"{EU_AIACT}HighRiskAISystem-AnnexIII-",
}

_PUNCT = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """The matching key: "  Eau & Assainissement " -> "eau assainissement"."""
    return " ".join(_PUNCT.sub(" ", ascii_fold(text)).split())


@dataclass
class Concept:
    iri: URIRef
    notation: str
    label_fr: str
    label_en: str = ""
    alt_labels: list[str] = field(default_factory=list)
    definition_fr: str = ""

    @property
    def label(self) -> str:
        return self.label_fr or self.label_en or self.notation


@dataclass
class Scheme:
    name: str
    title: str
    concepts: list[Concept]
    _keys: dict[str, Concept] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for concept in self.concepts:
            keys = [concept.notation, concept.label_fr, concept.label_en, str(concept.iri), *concept.alt_labels]
            for key in keys:
                if key:
                    self._keys.setdefault(fold(key), concept)
        # typing an IRI exactly (not folded) always works
        for concept in self.concepts:
            self._keys.setdefault(str(concept.iri), concept)

    def match(self, value: str) -> Concept | None:
        value = value.strip()
        return self._keys.get(value) or self._keys.get(fold(value))

    def suggest(self, value: str, limit: int = 3) -> list[str]:
        """French labels of the concepts closest to ``value``."""
        key = fold(value)
        close = difflib.get_close_matches(key, list(self._keys), n=limit * 3, cutoff=0.5)
        # a typed word that starts or is contained in a label is a good hint too
        close += [k for k in self._keys if key and len(key) >= 3 and key in k and not k.startswith("http")]
        labels: list[str] = []
        for k in close:
            label = self._keys[k].label
            if label not in labels:
                labels.append(label)
        return labels[:limit]


class ConceptIndex:
    """The concept schemes of the nomenclature, by scheme name (``domaines``, ``stades``…)."""

    def __init__(self, schemes: dict[str, Scheme]) -> None:
        self.schemes = schemes

    @classmethod
    def load(cls, directory: Path = NOMENCLATURE_DIR, reused: Path | None = EU_AIACT_FILE) -> ConceptIndex:
        graph = Graph()
        for path in sorted(directory.glob("*.ttl")):
            graph.parse(path, format="turtle")
        schemes: dict[str, Scheme] = {}
        for scheme_iri in sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme))):
            name = str(scheme_iri).removeprefix(NOMENCLATURE).strip("/")
            members = set(graph.subjects(SKOS.inScheme, scheme_iri)) | set(graph.objects(scheme_iri, SKOS.hasTopConcept))
            concepts = sorted((_concept(graph, iri) for iri in members if isinstance(iri, URIRef)), key=_order(graph))
            title = _text(graph, scheme_iri, DCTERMS.title, "fr") or _text(graph, scheme_iri, SKOS.prefLabel, "fr")
            schemes[name] = Scheme(name, title or name, concepts)
        missing = [name for name in REUSED_SCHEMES if name not in schemes]
        if missing and reused is not None and reused.is_file():
            reused_graph = Graph().parse(reused, format="turtle")
            reused_graph += graph  # French labels the nomenclature may add to reused concepts
            for name in missing:
                prefix = REUSED_SCHEMES[name]
                iris = {s for s in reused_graph.subjects(RDF.type, SKOS.Concept) if str(s).startswith(prefix) and str(s) != prefix}
                concepts = sorted((_concept(reused_graph, iri, prefix) for iri in iris), key=lambda c: c.notation)
                schemes[name] = Scheme(name, name, concepts)
        return cls(schemes)

    def scheme(self, name: str) -> Scheme | None:
        return self.schemes.get(name)


def _text(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> str:
    values = sorted(str(o) for o in graph.objects(subject, predicate) if getattr(o, "language", None) == lang)
    return values[0] if values else ""


def _concept(graph: Graph, iri: URIRef, strip_prefix: str | None = None) -> Concept:
    notations = sorted(str(n) for n in graph.objects(iri, SKOS.notation))
    local = str(iri).removeprefix(strip_prefix) if strip_prefix else str(iri).rsplit("/", 1)[-1]
    label_en = _text(graph, iri, SKOS.prefLabel, "en") or _text(graph, iri, RDFS.label, "en")
    return Concept(
        iri=iri,
        notation=notations[0] if notations else local,
        label_fr=_text(graph, iri, SKOS.prefLabel, "fr"),
        label_en=label_en,
        alt_labels=sorted({str(a) for p in (SKOS.altLabel, SKOS.hiddenLabel) for a in graph.objects(iri, p)}),
        definition_fr=_text(graph, iri, SKOS.definition, "fr"),
    )


def _order(graph: Graph):
    """Concepts in a stable, readable order: by French label."""
    return lambda concept: (fold(concept.label), str(concept.iri))
