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

# French labels (and short codes) for the reused AI Act concepts, shown in the templates and matched on
# import; the concepts themselves stay eu-aiact's. Source: Regulation (EU) 2024/1689, French version
# (articles 5, 6 and 50, annex III), https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:32024R1689
REUSED_FR: dict[str, tuple[str, str]] = {
    "RiskLevelProhibited": ("interdit", "Pratique interdite (article 5)"),
    "RiskLevelHigh": ("haut", "Haut risque"),
    "RiskLevelHigh-A6-1": ("haut-6-1", "Haut risque : composant de sécurité d'un produit (article 6, paragraphe 1)"),
    "RiskLevelHigh-A6-2": ("haut-6-2", "Haut risque : domaine de l'annexe III (article 6, paragraphe 2)"),
    "RiskLevelNotHigh": ("pas-haut", "Pas à haut risque"),
    "RiskLevelTransparencyRequired": ("transparence", "Risque limité : obligations de transparence (article 50)"),
    "RiskLevelMinimal": ("minimal", "Risque minimal"),
    "RiskLevelPermitted": ("autorise", "Autorisé"),
    "1-a": ("1-a", "Biométrie : identification biométrique à distance"),
    "1-b": ("1-b", "Biométrie : catégorisation biométrique selon des attributs sensibles"),
    "1-c": ("1-c", "Biométrie : reconnaissance des émotions"),
    "2": ("2", "Infrastructures critiques : composants de sécurité (trafic routier, eau, gaz, chauffage, électricité, numérique)"),
    "3-a": ("3-a", "Éducation : accès, admission ou affectation dans les établissements"),
    "3-b": ("3-b", "Éducation : évaluation des acquis d'apprentissage"),
    "3-c": ("3-c", "Éducation : évaluation du niveau d'enseignement approprié"),
    "3-d": ("3-d", "Éducation : surveillance des comportements interdits pendant les examens"),
    "4-a": ("4-a", "Emploi : recrutement ou sélection de personnes"),
    "4-b": ("4-b", "Emploi : décisions sur les conditions de travail, promotion, licenciement, attribution des tâches, suivi et évaluation"),
    "5-a": ("5-a", "Services publics essentiels : éligibilité aux prestations et services d'aide sociale (octroi, réduction, retrait)"),
    "5-b": ("5-b", "Services essentiels : évaluation de la solvabilité, note de crédit"),
    "5-c": ("5-c", "Services essentiels : évaluation des risques et tarification en assurance vie et maladie"),
    "5-d": ("5-d", "Services essentiels : tri des appels d'urgence, envoi des secours, triage des patients"),
    "6-a": ("6-a", "Répression : risque qu'une personne devienne victime d'infractions"),
    "6-b": ("6-b", "Répression : polygraphes et outils similaires"),
    "6-c": ("6-c", "Répression : fiabilité des preuves"),
    "6-d": ("6-d", "Répression : risque d'infraction ou de récidive"),
    "6-e": ("6-e", "Répression : profilage de personnes"),
    "7-a": ("7-a", "Migration, asile, frontières : polygraphes et outils similaires"),
    "7-b": ("7-b", "Migration, asile, frontières : évaluation des risques posés par une personne"),
    "7-c": ("7-c", "Migration, asile, frontières : examen des demandes d'asile, de visa ou de titre de séjour"),
    "7-d": ("7-d", "Migration, asile, frontières : détection, reconnaissance ou identification de personnes"),
    "8-a": ("8-a", "Justice : aide aux autorités judiciaires (recherche et interprétation des faits et du droit)"),
    "8-b": ("8-b", "Processus démocratiques : influence sur le résultat d'une élection ou d'un référendum"),
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
    local: str = ""         # reused concepts: the local name after the vocabulary's prefix

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
        """French labels of the concepts closest to ``value``: close spelling (difflib) or every typed word
        starting a word of a label ("transport public" -> "Mobilité et transports")."""
        key = fold(value)
        words = key.split()
        scores: dict[str, float] = {}
        for candidate, concept in self._keys.items():
            if candidate.startswith("http"):
                continue
            score = difflib.SequenceMatcher(None, key, candidate).ratio()
            tokens = candidate.split()
            hits = sum(any(t.startswith(w) or w.startswith(t) for t in tokens) for w in words if len(w) >= 3)
            if hits:
                score = max(score, 0.6 + 0.3 * hits / len(words) + 0.1 * score)
            label = concept.label
            scores[label] = max(scores.get(label, 0.0), score)
        ranked = sorted((s, label) for label, s in scores.items() if s >= 0.6)
        return [label for s, label in sorted(ranked, key=lambda item: (-item[0], item[1]))][:limit]


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
                concepts = [_reused(_concept(reused_graph, iri, prefix), prefix) for iri in iris]
                order = list(REUSED_FR)
                concepts.sort(key=lambda c: (order.index(c.local) if c.local in order else len(order), c.notation))
                schemes[name] = Scheme(name, name, concepts)
        return cls(schemes)

    def scheme(self, name: str) -> Scheme | None:
        return self.schemes.get(name)


def _reused(concept: Concept, prefix: str) -> Concept:
    """An eu-aiact concept with its French label and short code ("minimal", "5-a"); the DPV local name
    ("RiskLevelMinimal", "5a") and English label still match."""
    concept.local = str(concept.iri).rsplit("#", 1)[-1].removeprefix("HighRiskAISystem-AnnexIII-")
    code, label = REUSED_FR.get(concept.local, (concept.notation, ""))
    concept.alt_labels = sorted({*concept.alt_labels, concept.local, concept.local.replace("-", "")})
    concept.notation = code
    concept.label_fr = concept.label_fr or label
    return concept


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
