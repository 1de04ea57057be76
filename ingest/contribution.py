"""Contributor rows -> RDF: one graph per use case (its document) and one per organisation it names.

Every problem of a row is collected (not just the first) as an :class:`InputError` naming the file, the
row or line, the column or key and the value. IRIs are absolute here (base + relative IRI from
``ingest.iris``); ``ingest.rdfio.write_turtle`` writes them back relative.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, SKOS, XSD

from ingest import terms
from ingest.columns import (
    BY_KEY,
    COLUMNS,
    PARTS_BY_KEY,
    RESOURCE_TYPE_ALIASES,
    RESOURCE_TYPES,
    VCARD_PROPS,
    Column,
    known_headers,
    match_header,
)
from ingest.concepts import ConceptIndex, fold
from ingest.iris import organisation_iri, part_iri, slugify, territory_iri, unit_iri, use_case_iri
from ingest.namespaces import AIRO, IAT, LANG, NUTS, ONTOLOGY_IRI, VCARD, bind_prefixes
from ingest.readers import InputError, Row

SUMMARY_MAX = 400
INSEE_GEO = {"commune": "commune", "departement": "departement", "region": "region"}


@dataclass
class Cell:
    value: Any
    name: str               # the header or YAML key as the contributor wrote it (for messages)
    line: int


@dataclass
class UseCase:
    slug: str
    iri: URIRef
    graph: Graph
    organisations: dict[str, Graph] = field(default_factory=dict)   # organisation IRI -> its graph
    row: Row | None = None
    mitigations: int = 0    # counter of #mesure-N
    dated: bool = False     # the row gave its modification date (else it is today's)


class Converter:
    """Turns rows into graphs. ``existing_created(slug)`` gives the dct:created of a record already in
    data/ (kept on re-import); ``today`` is the default modification date."""

    def __init__(self, index: ConceptIndex, base: str, today: dt.date,
                 existing_created: Callable[[str], Literal | None] = lambda slug: None) -> None:
        self.index = index
        self.base = base
        self.today = today
        self.existing_created = existing_created

    # -- reading a row ------------------------------------------------------------------------------
    def _cells(self, row: Row, errors: list[InputError]) -> tuple[dict[str, Cell], dict[str, dict[int, dict[str, Cell]]]]:
        simple: dict[str, Cell] = {}
        parts: dict[str, dict[int, dict[str, Cell]]] = {}
        for name, value in row.cells.items():
            line = row.lines.get(name, row.number)
            if row.is_yaml and fold(name) in {fold(k) for k in PARTS_BY_KEY}:
                if not terms.is_empty(value):
                    self._yaml_part(row, name, value, parts, errors)
                continue
            found = match_header(name)
            if found is None:
                errors.append(self._unknown_header(row, name, line))
                continue
            key, n, sub = found
            if isinstance(value, dict):
                errors.append(InputError(row.file, "attendu : un texte ou une liste, pas des paires « clé: valeur »",
                                         line, name, row.is_yaml))
                continue
            if isinstance(value, list) and not BY_KEY.get(key, _MULTI_PART).multiple and n is None:
                if len(value) > 1:
                    errors.append(InputError(row.file, "une seule valeur attendue", line, name, row.is_yaml))
                    continue
                value = value[0] if value else None
            if n is None:
                simple[key] = Cell(value, name, line)
            else:
                parts.setdefault(key, {}).setdefault(n, {})[sub] = Cell(value, name, line)
        return simple, parts

    def _yaml_part(self, row: Row, name: str, value: Any, parts: dict, errors: list[InputError]) -> None:
        part = PARTS_BY_KEY[next(k for k in PARTS_BY_KEY if fold(k) == fold(name))]
        items = value if isinstance(value, list) else [value]
        for n, item in enumerate(items, start=1):
            path = f"{name}[{n}]"
            if not isinstance(item, dict):
                errors.append(InputError(row.file, "attendu : des paires « clé: valeur »", row.lines.get(path), path, True))
                continue
            columns = {fold(c.key): c for c in part.columns} | {fold(c.header): c for c in part.columns}
            for sub_name, sub_value in item.items():
                sub_path = f"{path}.{sub_name}"
                column = columns.get(fold(str(sub_name)))
                if column is None:
                    known = ", ".join(c.key for c in part.columns)
                    errors.append(InputError(row.file, f"clé inconnue (attendu : {known})", row.lines.get(sub_path),
                                             sub_path, True))
                    continue
                parts.setdefault(part.key, {}).setdefault(n, {})[column.key] = Cell(
                    sub_value, sub_path, row.lines.get(sub_path, row.number))

    def _unknown_header(self, row: Row, name: str, line: int) -> InputError:
        close = difflib.get_close_matches(name, known_headers(), n=1, cutoff=0.6)
        hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
        what = "clé inconnue" if row.is_yaml else "colonne inconnue"
        return InputError(row.file, f"{what}{hint}", line, name, row.is_yaml)

    def _error(self, row: Row, cell: Cell, message: str) -> InputError:
        return InputError(row.file, message, cell.line, cell.name, row.is_yaml)

    # -- converting -----------------------------------------------------------------------------------
    def convert(self, row: Row) -> tuple[UseCase | None, list[InputError]]:
        errors: list[InputError] = []
        cells, parts = self._cells(row, errors)
        for column in COLUMNS:
            if column.required and (column.key not in cells or terms.is_empty(cells[column.key].value)):
                name = cells[column.key].name if column.key in cells else column.key if row.is_yaml else column.title
                errors.append(InputError(row.file, "champ obligatoire vide", row.lines.get(name, row.number)
                                         if row.is_yaml else row.number, name, row.is_yaml))
        title = cells.get("titre")
        identifier = cells.get("identifiant")
        slug = None
        try:
            if identifier is not None and not terms.is_empty(identifier.value):
                slug = slugify(terms.text(identifier.value).rstrip("/").rsplit("/", 1)[-1])
            elif title is not None and not terms.is_empty(title.value):
                slug = slugify(terms.text(title.value))
        except ValueError as exc:
            errors.append(self._error(row, identifier or title, str(exc)))
        if slug is None:
            return None, errors
        subject = URIRef(self.base + use_case_iri(slug))
        use_case = UseCase(slug, subject, bind_prefixes(Graph()), row=row)
        graph = use_case.graph
        graph.add((subject, RDF.type, IAT.UseCase))
        graph.add((subject, DCTERMS.identifier, Literal(slug)))
        graph.add((subject, DCTERMS.language, LANG.fr))
        graph.add((subject, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
        source = URIRef(f"{subject}#contribution")
        graph.add((subject, PROV.wasDerivedFrom, source))
        graph.add((source, RDF.type, PROV.Entity))
        graph.add((source, DCTERMS.title, Literal(row.file.name)))

        organisation = self._organisation(row, cells, use_case, errors)
        for column in COLUMNS:
            cell = cells.get(column.key)
            if cell is None or terms.is_empty(cell.value) or column.key in {"identifiant", "organisation"}:
                continue
            try:
                self._simple(column, cell, use_case, organisation)
            except ValueError as exc:  # terms.ValueProblem, and slugs that cannot be formed
                errors.append(self._error(row, cell, str(exc)))
            except _Unmatched as exc:
                errors.append(self._error(row, cell, exc.message))
        self._check_contact(row, cells, errors)
        self._dates(row, cells, use_case, errors)
        for part_key, groups in parts.items():
            self._parts(row, PARTS_BY_KEY[part_key], groups, use_case, errors)
        return (None if errors else use_case), errors

    def _organisation(self, row: Row, cells: dict[str, Cell], use_case: UseCase, errors: list) -> URIRef | None:
        cell = cells.get("organisation")
        if cell is None or terms.is_empty(cell.value):
            return None
        try:
            org = self._org(terms.text(cell.value), use_case)
        except ValueError as exc:
            errors.append(self._error(row, cell, str(exc)))
            return None
        use_case.graph.add((use_case.iri, AIRO.isDeployedBy, org))
        org_graph = use_case.organisations[str(org)]
        org_graph.add((org, RDF.type, AIRO.AIDeployer))
        # the public pages cited for the use case name its deployer: they are the organisation's sources too
        sources = cells.get("sources")
        for item in terms.split_multi(sources.value) if sources is not None else []:
            with contextlib.suppress(terms.ValueProblem):  # reported once, on the use case
                org_graph.add((org, DCTERMS.source, terms.iri(item)))
        return org

    def _org(self, name: str, use_case: UseCase) -> URIRef:
        try:
            org = URIRef(self.base + organisation_iri(name))
        except ValueError as exc:
            raise terms.ValueProblem(f"impossible de former un identifiant à partir de « {name} »") from exc
        graph = use_case.organisations.setdefault(str(org), bind_prefixes(Graph()))
        graph.add((org, RDF.type, ORG.Organization))
        if not any(graph.objects(org, SKOS.prefLabel)):
            graph.add((org, SKOS.prefLabel, Literal(name, lang="fr")))
        return org

    def _concept(self, column: Column, value: object) -> URIRef:
        scheme = self.index.scheme(column.scheme or "")
        raw = terms.text(value)
        if scheme is None or not scheme.concepts:
            raise _Unmatched(f"« {raw} » : la liste « {column.scheme} » de la nomenclature est introuvable")
        concept = scheme.match(raw)
        if concept is None:
            suggestions = scheme.suggest(raw)
            hint = (" ; vouliez-vous dire " + " ou ".join(f"« {s} »" for s in suggestions) + " ?") if suggestions \
                else f" ; valeurs possibles : voir la liste « {column.scheme} »"
            raise _Unmatched(f"valeur « {raw} » inconnue dans la liste « {column.scheme} »{hint}")
        return concept.iri

    def _simple(self, column: Column, cell: Cell, use_case: UseCase, organisation: URIRef | None) -> None:
        graph, subject, value, kind = use_case.graph, use_case.iri, cell.value, column.kind
        if column.key in VCARD_PROPS:
            contact = URIRef(self.base + part_iri(use_case_iri(use_case.slug), "contact"))
            obj = terms.email(value) if kind == "email" else terms.iri(value) if kind == "iri" else Literal(
                terms.text(value))
            graph.add((subject, DCAT.contactPoint, contact))
            graph.add((contact, RDF.type, VCARD.Kind))
            graph.add((contact, VCARD_PROPS[column.key], obj))
            return
        if column.key.startswith("organisation_"):
            if organisation is None:
                return
            org_graph = use_case.organisations[str(organisation)]
            if column.key == "organisation_type":
                org_graph.add((organisation, ORG.classification, self._concept(column, value)))
            elif column.key == "organisation_siren":
                org_graph.add((organisation, IAT.siren, terms.siren(value)))
            else:
                org_graph.add((organisation, FOAF.homepage, terms.iri(value)))
            return
        prop = column.prop
        if kind == "langtext":
            text = terms.text(value)
            if column.key == "resume" and len(text) > SUMMARY_MAX:
                raise terms.ValueProblem(f"le résumé fait {len(text)} caractères ; {SUMMARY_MAX} au plus")
            graph.add((subject, prop, Literal(text, lang="fr")))
        elif kind == "text":
            graph.add((subject, prop, Literal(terms.text(value))))
        elif kind == "keywords":
            for item in terms.split_multi(value):
                graph.add((subject, prop, terms.lang_text(item)))
        elif kind == "iri":
            graph.add((subject, prop, terms.iri(value)))
        elif kind == "iris":
            for item in terms.split_multi(value):
                graph.add((subject, prop, terms.iri(item)))
        elif kind in {"concept", "concepts"}:
            items = terms.split_multi(value)
            if kind == "concept" and len(items) > 1:
                raise terms.ValueProblem(f"une seule valeur attendue, pas « {terms.text(value)} »")
            problems = []
            for item in items:
                try:
                    graph.add((subject, prop, self._concept(column, item)))
                except _Unmatched as exc:
                    problems.append(exc.message)
            if problems:
                raise _Unmatched(" ; ".join(problems) if len(problems) > 1 else problems[0])
        elif kind == "bool":
            graph.add((subject, prop, terms.boolean(value)))
        elif kind == "decimal":
            graph.add((subject, prop, terms.decimal(value)))
        elif kind == "orgs":
            for item in terms.split_multi(value):
                graph.add((subject, prop, self._org(terms.text(item), use_case)))
        elif kind == "unit":
            if organisation is not None:
                unit = URIRef(unit_iri(str(organisation), terms.text(value)))
                graph.add((subject, prop, unit))
                graph.add((unit, RDF.type, ORG.OrganizationalUnit))
                graph.add((unit, SKOS.prefLabel, terms.lang_text(value)))
                graph.add((unit, ORG.subOrganizationOf, organisation))
                for source in use_case.organisations[str(organisation)].objects(organisation, DCTERMS.source):
                    graph.add((unit, DCTERMS.source, source))
        elif kind == "territories":
            for item in terms.split_multi(value):
                self._territory(use_case, *terms.territory(item))
        elif kind == "date":
            pass  # dates are converted together in _dates (dct:modified, dct:created depend on each other)
        else:  # pragma: no cover - the table and this function are kept in step by the tests
            raise AssertionError(f"unknown kind {kind}")

    def _check_contact(self, row: Row, cells: dict[str, Cell], errors: list) -> None:
        given = {k: c for k, c in cells.items() if k in VCARD_PROPS and not terms.is_empty(c.value)}
        if not given:
            return
        first = next(iter(given.values()))
        if "contact_nom" not in given:
            name = cells["contact_nom"].name if "contact_nom" in cells else BY_KEY["contact_nom"].header
            errors.append(InputError(row.file, "champ obligatoire vide (un contact est donné)", first.line, name,
                                     row.is_yaml))
        if "contact_courriel" not in given and "contact_url" not in given:
            errors.append(self._error(row, first, "le contact doit avoir un courriel ou une page de contact"))

    def _territory(self, use_case: UseCase, kind: str, code: str, name: str | None) -> None:
        """The use case links the territory; with a name ("Nom (code)"), it is described too."""
        place = URIRef(self.base + territory_iri(kind, code))
        graph = use_case.graph
        graph.add((use_case.iri, DCTERMS.spatial, place))
        if name is None:
            return
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, SKOS.prefLabel, Literal(name, lang="fr")))
        if kind == "nuts":
            graph.add((place, IAT.nutsCode, Literal(code)))
            graph.add((place, OWL.sameAs, NUTS[code]))
        else:
            graph.add((place, IAT.inseeCode, Literal(code)))
            if kind in INSEE_GEO:
                graph.add((place, OWL.sameAs, URIRef(f"http://id.insee.fr/geo/{INSEE_GEO[kind]}/{code}")))

    def _dates(self, row: Row, cells: dict[str, Cell], use_case: UseCase, errors: list) -> None:
        graph, subject = use_case.graph, use_case.iri
        values: dict[str, Literal] = {}
        for key in ("date_debut", "date_fin", "date_mise_a_jour", "date_revision"):
            cell = cells.get(key)
            if cell is None or terms.is_empty(cell.value):
                continue
            try:
                values[key] = terms.date(cell.value, full=key in {"date_mise_a_jour", "date_revision"})
            except ValueError as exc:  # terms.ValueProblem, and slugs that cannot be formed
                errors.append(self._error(row, cell, str(exc)))
        for key in ("date_debut", "date_fin", "date_revision"):
            if key in values:
                graph.add((subject, BY_KEY[key].prop, values[key]))
        use_case.dated = "date_mise_a_jour" in values
        modified = values.get("date_mise_a_jour", Literal(self.today.isoformat(), datatype=XSD.date))
        created = self.existing_created(use_case.slug) or modified
        graph.add((subject, DCTERMS.modified, modified))
        graph.add((subject, DCTERMS.created, created))

    def _parts(self, row: Row, part, groups: dict[int, dict[str, Cell]], use_case: UseCase, errors: list) -> None:
        graph, subject = use_case.graph, use_case.iri
        parent = use_case_iri(use_case.slug)
        n = 0
        for number in sorted(groups):
            cells = {k: c for k, c in groups[number].items() if not terms.is_empty(c.value)}
            if not cells:
                continue
            n += 1
            node = URIRef(self.base + part_iri(parent, part.fragment, n))
            bare_link = part.key == "bases_legales" and set(cells) == {"lien"}
            for column in part.columns:
                if column.required and column.key not in cells and not bare_link:
                    header = part.header(number, column) if not row.is_yaml else f"{part.key}[{number}].{column.key}"
                    line = row.number if not row.is_yaml else row.lines.get(f"{part.key}[{number}]", row.number)
                    errors.append(InputError(row.file, f"champ obligatoire vide (le groupe « {part.label} {number} » "
                                             "est rempli)", line, header, row.is_yaml))
            triples: list[tuple] = []
            for column in part.columns:
                cell = cells.get(column.key)
                if cell is None:
                    continue
                try:
                    triples.extend(self._part_value(column, cell, node, use_case))
                except ValueError as exc:  # terms.ValueProblem, and slugs that cannot be formed
                    errors.append(self._error(row, cell, str(exc)))
                except _Unmatched as exc:
                    errors.append(self._error(row, cell, exc.message))
            if bare_link:
                for _, _, page in triples:
                    graph.add((subject, IAT.legalBasis, page))  # a bare Légifrance/ELI link is the basis itself
                n -= 1
                continue
            link = {"bases_legales": IAT.legalBasis, "evaluations": DPV_IMPACT, "risques": AIRO.hasRisk,
                    "impacts_metiers": IAT.workforceImpact, "ressources": IAT.sharedResource}[part.key]
            kind = {"bases_legales": DPV_LEGAL_BASIS, "evaluations": IAT.ImpactAssessment, "risques": IAT.Risk,
                    "impacts_metiers": IAT.WorkforceImpact}.get(part.key)
            graph.add((subject, link, node))
            if kind is not None:
                graph.add((node, RDF.type, kind))
            elif not any(p == RDF.type for _, p, _ in triples):
                graph.add((node, RDF.type, IAT.SharedResource))
            for triple in triples:
                graph.add(triple)

    def _part_value(self, column: Column, cell: Cell, node: URIRef, use_case: UseCase) -> list[tuple]:
        value, kind = cell.value, column.kind
        if kind == "langtext":
            return [(node, column.prop, terms.lang_text(value))]
        if kind == "iri":
            return [(node, column.prop, terms.iri(value))]
        if kind == "date":
            return [(node, column.prop, terms.date(value))]
        if kind == "int":
            return [(node, column.prop, terms.integer(value))]
        if kind == "bool":
            return [(node, column.prop, terms.boolean(value))]
        if kind == "concept":
            return [(node, column.prop, self._concept(column, value))]
        if kind == "resource-type":
            return [(node, RDF.type, _resource_type(value))]
        if kind == "mitigations":
            triples = []
            items = value if isinstance(value, list) else [value]
            for item in items:
                if terms.is_empty(item):
                    continue
                use_case.mitigations += 1
                measure = URIRef(self.base + part_iri(use_case_iri(use_case.slug), "mesure", use_case.mitigations))
                triples += [(node, column.prop, measure), (measure, RDF.type, IAT.Mitigation),
                            (measure, DCTERMS.title, terms.lang_text(item))]
            return triples
        raise AssertionError(f"unknown part kind {kind}")  # pragma: no cover


DPV_IMPACT = URIRef("https://w3id.org/dpv#hasImpactAssessment")
DPV_LEGAL_BASIS = URIRef("https://w3id.org/dpv#LegalBasis")


_MULTI_PART = Column("", "", "", "iris")  # stands for part columns in the single-value check


class _Unmatched(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _resource_type(value: object) -> URIRef:
    folded = fold(terms.text(value))
    for label, cls in RESOURCE_TYPES.items():
        if folded in {fold(label), fold(str(cls).rsplit("#", 1)[-1])}:
            return cls
    if folded in RESOURCE_TYPE_ALIASES:
        return RESOURCE_TYPES[RESOURCE_TYPE_ALIASES[folded]]
    labels = " ; ".join(f"« {label} »" for label in RESOURCE_TYPES)
    raise terms.ValueProblem(f"type de ressource « {terms.text(value)} » inconnu (attendu : {labels})")

