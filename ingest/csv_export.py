"""The CSV of use cases (one row per use case IRI, whatever the named graphs that describe it) and its Frictionless Table Schema.

Concept values are written as their French label (English, then any label, then notation as fallbacks);
organisations and territories as their label, with the organisation's IRI in its own column; multiple
values are sorted and joined by `` ; ``; dates are ISO 8601. The columns are declared once, in
``FIELDS``, from which both the CSV and ``cas-usage.schema.json`` are written, so they cannot drift.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS

from ingest.namespaces import AIRO, DCAT, EU_AIACT, IAT, SCHEMA

CSV_NAME = "cas-usage.csv"
SCHEMA_NAME = "cas-usage.schema.json"
SEPARATOR = " ; "
_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_LABEL_ORDER = ("fr", "en")


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    description: str
    prop: str | None = None  # predicate IRI read for this column (None: computed)
    kind: str = "text"  # text | iri | label | date | period | boolean
    type: str = "string"  # Table Schema type
    constraints: dict[str, Any] = field(default_factory=dict)
    format: str | None = None


def _concept(name: str, title: str, prop: str, scheme: str) -> Column:
    return Column(
        name,
        title,
        f"libellé français du ou des concepts du schéma « {scheme} » de la nomenclature ; plusieurs valeurs séparées par « ; »",
        prop,
        "label",
    )


FIELDS: list[Column] = [
    Column("iri", "IRI du cas d'usage", "identifiant pérenne (IRI) du cas d'usage ; une ligne par IRI", None, "iri",
           constraints={"required": True, "unique": True}, format="uri"),
    Column("graphe", "Graphe (source)", "graphe(s) nommé(s) où le cas d'usage est décrit : « bibliotheque » pour "
           "la bibliothèque, le nom du registre importé, « exemples » pour les exemples fictifs ; un cas décrit "
           "par plusieurs graphes les liste tous, séparés par « ; »", None, constraints={"required": True}),
    Column("identifiant", "Identifiant", "identifiant du cas d'usage dans sa source", str(DCTERMS.identifier)),
    Column("titre", "Titre", "titre du cas d'usage (français de préférence, sinon langue de la source)",
           str(DCTERMS.title), constraints={"required": True}),
    Column("langue", "Langue", "code ISO 639-1 de la langue des textes du cas d'usage", str(DCTERMS.language),
           "iri-code", constraints={"pattern": "^[a-z]{2}$"}),
    Column("resume", "Résumé", "résumé du cas d'usage", str(DCTERMS.abstract)),
    Column("description", "Description", "description détaillée", str(DCTERMS.description)),
    Column("mots_cles", "Mots-clés", "mots-clés, séparés par « ; »", str(DCAT.keyword), "all-text"),
    Column("organisation", "Organisation (IRI)", "IRI de l'organisation qui déploie le système ; plusieurs "
           "valeurs séparées par « ; »", str(AIRO.isDeployedBy), "iri"),
    Column("organisation_nom", "Organisation", "nom de l'organisation qui déploie le système",
           str(AIRO.isDeployedBy), "label"),
    Column("territoire", "Territoire", "territoire concerné (nom)", str(DCTERMS.spatial), "label"),
    _concept("domaines", "Domaines", str(IAT.domain), "domaines"),
    _concept("finalites", "Finalités", str(IAT.purpose), "finalites"),
    _concept("techniques", "Techniques d'IA", str(IAT.technique), "techniques"),
    _concept("stade", "Stade", str(IAT.stage), "stades"),
    _concept("publics", "Publics", str(IAT.audience), "publics"),
    _concept("benefices", "Bénéfices attendus", str(IAT.expectedBenefit), "benefices"),
    _concept("automatisation", "Niveau d'automatisation", str(IAT.automationLevel), "automatisation"),
    _concept("controle_humain", "Contrôle humain", str(IAT.humanOversight), "controle-humain"),
    _concept("donnees", "Catégories de données", str(IAT.dataCategory), "donnees"),
    _concept("mode_realisation", "Mode de réalisation", str(IAT.deliveryMode), "modes-realisation"),
    _concept("hebergement", "Hébergement", str(IAT.hosting), "hebergement"),
    Column("niveau_risque", "Niveau de risque (AI Act)", "niveau de risque au sens du règlement européen sur "
           "l'IA (concept DPV réutilisé)", str(EU_AIACT.hasRiskLevel), "label"),
    Column("decision_individuelle", "Décision individuelle", "le système concourt à une décision "
           "administrative individuelle (article L311-3-1 du CRPA)", str(IAT.individualDecision), "boolean",
           type="boolean"),
    Column("date_debut", "Début", "date de début (AAAA, AAAA-MM ou AAAA-MM-JJ)", str(SCHEMA.startDate),
           "period", constraints={"pattern": _DATE_PATTERN}),
    Column("date_fin", "Fin", "date de fin (AAAA, AAAA-MM ou AAAA-MM-JJ)", str(SCHEMA.endDate), "period",
           constraints={"pattern": _DATE_PATTERN}),
    Column("page_publique", "Page publique", "page web publique décrivant le cas d'usage",
           str(DCAT.landingPage), "iri"),
    Column("code_source", "Code source", "dépôt du code source", str(SCHEMA.codeRepository), "iri"),
    Column("sources", "Sources", "pages publiques qui établissent les faits décrits, séparées par « ; »",
           str(DCTERMS.source), "iri"),
    Column("derive_de", "Dérivé de", "fiche de registre ou fichier d'origine", str(PROV.wasDerivedFrom), "iri"),
    Column("cree_le", "Créé le", "date de création de la fiche (ISO 8601)", str(DCTERMS.created), "date",
           type="date"),
    Column("modifie_le", "Modifié le", "date de dernière modification de la fiche (ISO 8601)",
           str(DCTERMS.modified), "date", type="date"),
]

_LABEL_PROPS = (str(SKOS.prefLabel), str(RDFS.label), str(SKOS.notation))
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_USE_CASE = NamedNode(str(IAT.UseCase))


def table_schema(graph_names: list[str]) -> dict[str, Any]:
    """The Frictionless Table Schema of the CSV."""
    fields = []
    for col in FIELDS:
        spec: dict[str, Any] = {"name": col.name, "title": col.title, "description": col.description,
                                "type": col.type}
        if col.format:
            spec["format"] = col.format
        constraints = dict(col.constraints)
        if col.name == "graphe":  # one graph name or several joined by SEPARATOR
            names = "|".join(re.escape(name) for name in graph_names) or "[^;]+"
            constraints["pattern"] = f"^({names})( ; ({names}))*$"
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "fields": fields,
        "primaryKey": ["iri"],
        "missingValues": [""],
    }


def _labels(store: Store) -> dict[str, dict[str, str]]:
    """IRI -> {language or "" -> label}, from every named graph (skos:prefLabel, then rdfs:label, notation;
    the smallest value among equals). Read quad by quad: five times faster than SPARQL rows."""
    labels: dict[str, dict[str, str]] = {}
    best: dict[tuple[str, str], int] = {}
    for rank, prop in enumerate(_LABEL_PROPS):
        for quad in store.quads_for_pattern(None, NamedNode(prop), None, None):
            subject, lit = quad.subject, quad.object
            if not isinstance(subject, NamedNode) or not isinstance(lit, Literal) or isinstance(quad.graph_name, DefaultGraph):
                continue
            key = (subject.value, lit.language or "")
            if key not in best or rank < best[key] or (rank == best[key] and lit.value < labels[key[0]][key[1]]):
                best[key] = rank
                labels.setdefault(key[0], {})[key[1]] = lit.value
    return labels


def _pick_label(iri: str, labels: dict[str, dict[str, str]]) -> str:
    by_lang = labels.get(iri)
    if not by_lang:
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    for lang in _LABEL_ORDER:
        if lang in by_lang:
            return by_lang[lang]
    return by_lang[sorted(by_lang)[0]]


def _pick_text(values: list[Literal]) -> str:
    by_lang: dict[str, str] = {}
    for lit in sorted(values, key=lambda v: v.value):
        by_lang.setdefault(lit.language or "", lit.value)
    for lang in (*_LABEL_ORDER, ""):
        if lang in by_lang:
            return by_lang[lang]
    return by_lang[sorted(by_lang)[0]] if by_lang else ""


def _cell(col: Column, values: list, labels: dict[str, dict[str, str]], label_of: dict[str, str] | None = None) -> str:
    if not values:
        return ""
    if len(values) == 1:  # the common case, without sorting: the same cell as below
        value = values[0]
        if col.kind in ("text", "iri", "label") and not isinstance(value, Literal if col.kind == "text" else NamedNode):
            return ""
        if col.kind in ("text", "all-text", "iri"):
            return value.value
        if col.kind in ("date", "period"):
            return value.value[:10]
    if col.kind == "text":
        return _pick_text([v for v in values if isinstance(v, Literal)])
    if col.kind == "all-text":
        return SEPARATOR.join(sorted({v.value for v in values}))
    if col.kind == "iri":
        return SEPARATOR.join(sorted({v.value for v in values if isinstance(v, NamedNode)}))
    if col.kind == "iri-code":
        return sorted(v.value.rstrip("/").rsplit("/", 1)[-1] for v in values)[0]
    if col.kind == "label":
        cache = {} if label_of is None else label_of  # IRI -> its picked label, shared by the rows
        picked = set()
        for v in values:
            if isinstance(v, NamedNode):
                text = cache.get(v.value)
                if text is None:
                    text = cache[v.value] = _pick_label(v.value, labels)
                picked.add(text)
        return SEPARATOR.join(sorted(picked))
    if col.kind == "boolean":
        return "true" if any(v.value in ("true", "1") for v in values) else "false"
    if col.kind == "date":
        return sorted(v.value[:10] for v in values)[0 if col.name == "cree_le" else -1]
    if col.kind == "period":
        return sorted(v.value[:10] for v in values)[0 if col.name == "date_debut" else -1]
    raise ValueError(col.kind)


def use_case_rows(store: Store, graphs: dict[str, str]) -> list[dict[str, str]]:
    """One dict per use case IRI (values merged over the graphs that describe it), ordered by its first
    graph then IRI; ``graphe`` lists every graph it is in, in graph order, joined by `` ; ``.

    What ``GRAPH ?g { ?uc a iat:UseCase ; ?p ?o }`` gives, read quad by quad (the typing quads, then the
    quads of each use case in each graph that types it): five times faster than SPARQL rows. No cell
    depends on the order values come in (they are sorted, or picked by language)."""
    labels = _labels(store)
    name_of = {iri: name for name, iri in graphs.items()}
    order = {name: i for i, name in enumerate(graphs)}
    typed: dict[str, list] = {}  # use case -> the graphs (nodes) typing it
    for quad in store.quads_for_pattern(None, _RDF_TYPE, _USE_CASE, None):
        graph = quad.graph_name
        if isinstance(graph, NamedNode) and graph.value in name_of:
            typed.setdefault(quad.subject.value, []).append(graph)
    columns: dict[NamedNode, list[Column]] = {}  # predicate -> its columns
    for col in FIELDS:
        if col.prop:
            columns.setdefault(NamedNode(col.prop), []).append(col)
    names = [col.name for col in FIELDS]
    label_of: dict[str, str] = {}
    cells: dict[tuple, str] = {}
    rows = []
    for iri in sorted(typed, key=lambda i: (min(order[name_of[g.value]] for g in typed[i]), i)):
        record: dict[NamedNode, list] = {}
        subject = NamedNode(iri)
        for graph in typed[iri]:
            for _, predicate, obj, _ in store.quads_for_pattern(subject, None, None, graph):
                if predicate in columns:
                    values = record.get(predicate)
                    if values is None:
                        record[predicate] = [obj]
                    elif obj not in values:
                        values.append(obj)
        row = dict.fromkeys(names, "")
        row["iri"] = iri
        row["graphe"] = SEPARATOR.join(sorted({name_of[g.value] for g in typed[iri]}, key=order.__getitem__))
        for prop, values in record.items():
            for col in columns[prop]:
                if col.kind == "label":  # concepts: few distinct value sets, each labelled once
                    key = (col.name, *values)
                    cell = cells.get(key)
                    if cell is None:
                        cell = cells[key] = _cell(col, values, labels, label_of)
                    row[col.name] = cell
                else:
                    row[col.name] = _cell(col, values, labels, label_of)
        rows.append(row)
    return rows


def write_csv(store: Store, dumps_dir: Path, graphs: dict[str, str]) -> tuple[Path, Path, dict[str, int]]:
    """Write the CSV and its Table Schema; returns both paths and the number of rows per graph."""
    rows = use_case_rows(store, graphs)
    csv_path = dumps_dir / CSV_NAME
    names = [col.name for col in FIELDS]
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([row[name] for name in names] for row in rows)
    schema_path = dumps_dir / SCHEMA_NAME
    schema_path.write_text(
        json.dumps(table_schema(list(graphs)), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    counts = {name: 0 for name in graphs}  # use cases each graph describes (a shared one counts in each)
    for row in rows:
        for name in row["graphe"].split(SEPARATOR):
            counts[name] += 1
    return csv_path, schema_path, counts
