"""The HTML of resource documents, by kind: a use case, an organisation, a territory, a concept, a scheme,
the ontology. Called by ``routes/resources.py`` where it renders HTML (its negotiation, ETag and Link
headers stay there); anything else falls back to the generic ``resource.html``.

Inputs are the document's triples (already fetched) and the view model of ``documents.view_model``;
lists of use cases, counts and similar cases come from the search index; the tree of a scheme is one
extra SPARQL query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sparql_endpoint.documents import Node, Value, valid_iri
from sparql_endpoint.errors import StoreUnavailable
from sparql_endpoint.page_fields import (
    BOOLEANS,
    FIELD_GROUP,
    FIELD_LABELS,
    GROUPS,
    LANGUAGES,
    PART_LABELS_IRI,
    RISK_LABELS_FR,
)
from sparql_endpoint.prefixes import NOMENCLATURE, ONTOLOGY_IRI, PREFIXES
from sparql_endpoint.rendering import html_response, safe_href, script_json
from sparql_endpoint.routes.browse import search_index, to_param
from sparql_endpoint.routes.browse import select as _select
from sparql_endpoint.search import FACET_BY_NAME, Query, SearchIndex, fold

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS, OWL, SKOS, DCT = PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["skos"], PREFIXES["dct"]
IAT, ORG = PREFIXES["iat"], PREFIXES["org"]
KINDS = {
    f"{IAT}UseCase": "usecase", f"{ORG}Organization": "organisation", f"{DCT}Location": "territory",
    f"{SKOS}Concept": "concept", f"{SKOS}ConceptScheme": "scheme", f"{OWL}Ontology": "ontology",
}
MAPPINGS = {"exactMatch": "Équivalent exact", "closeMatch": "Équivalent proche", "broadMatch": "Plus large",
            "narrowMatch": "Plus précis", "relatedMatch": "Apparenté"}


@dataclass
class Field:
    label: str
    values: list[Value]
    parts: list[Node] = field(default_factory=list)
    prop: str = ""


@dataclass
class Group:
    id: str
    title: str
    fields: list[Field]


def kind_of(triples: list[ox.Triple], iri: str) -> str | None:
    if iri == ONTOLOGY_IRI:
        return "ontology"
    types = {t.object.value for t in triples if t.subject.value == iri and t.predicate.value == f"{RDF}type"}
    for type_iri, kind in KINDS.items():
        if type_iri in types:
            return kind
    return None


def _literal(value: Value, prop: str) -> Value:
    if value.href in RISK_LABELS_FR:
        return Value(RISK_LABELS_FR[value.href], value.href)
    if value.href is None and value.text in BOOLEANS and (value.datatype or "").endswith("boolean"):
        return Value(BOOLEANS[value.text], None, value.language, None)
    if prop == f"{DCT}language" and value.href:
        code = value.href.rstrip("/").rsplit("/", 1)[-1]
        return Value(LANGUAGES.get(code, code), value.href)
    if value.datatype and value.datatype.startswith("xsd:"):
        return Value(value.text, None, value.language, None)  # readers do not need the datatype
    return value


def _ontology_labels(triples: list[ox.Triple]) -> dict[str, str]:
    return {t.subject.value: t.object.value for t in triples
            if t.predicate.value == f"{RDFS}label" and isinstance(t.object, ox.Literal) and t.object.language == "fr"}


def fields_of(node: Node, parts: dict[str, Node], labels: dict[str, str], part_fields: bool = False,
              base: str = "") -> list[Field]:
    out = []
    for curie, prop, values in node.properties:
        label = (PART_LABELS_IRI if part_fields else FIELD_LABELS).get(prop) or FIELD_LABELS.get(prop) \
            or labels.get(prop) or curie
        own = [parts[v.href.split("#", 1)[1]] for v in values
               if v.href and "#" in v.href and v.href.split("#", 1)[1] in parts]
        for number, part in enumerate(own, start=1):
            part.properties = [(c, pp, [_literal(v, pp) for v in vs]) for c, pp, vs in part.properties]
            if part.label.startswith(("http://", "https://")) or part.label == part.iri:  # no title: name it
                part.label = label if len(own) == 1 else f"{label} ({number})"
        shown = [_literal(v, prop) for v in values
                 if not (v.href and "#" in v.href and v.href.split("#", 1)[1] in parts)]
        if base:  # input files named by relative IRIs (prov:wasDerivedFrom) are not served: no link
            shown = [Value(v.text, None) if v.href and v.href.startswith(f"{base}sources/") else v for v in shown]
        out.append(Field(label, shown, own, prop))
    return out


def use_case_groups(nodes: list[Node], iri: str, labels: dict[str, str], base: str = "") -> list[Group]:
    main = next((n for n in nodes if n.iri == iri), None)
    if main is None:
        return []
    parts = {n.anchor: n for n in nodes if n.anchor}
    by_group: dict[str, list[Field]] = {}
    skip = {f"{DCT}title"}
    for f in fields_of(main, parts, labels, base=base):
        if f.prop in skip:
            continue
        by_group.setdefault(FIELD_GROUP.get(f.prop, "autres"), []).append(f)
    order = {FIELD_LABELS[p]: i for i, p in enumerate(FIELD_LABELS)}
    groups = []
    for gid, title, _ in [*GROUPS, ("autres", "Autres informations", [])]:
        found = sorted(by_group.get(gid, []), key=lambda f: order.get(f.label, 10**6))
        if found:
            groups.append(Group(gid, title, found))
    return groups


def contact_of(triples: list[ox.Triple], iri: str) -> dict[str, str] | None:
    """Whom to call: the use case's contact point (name, e-mail, web page), if it states one."""
    vcard = PREFIXES["vcard"]
    points = [t.object.value for t in triples if t.subject.value == iri
              and t.predicate.value == f"{PREFIXES['dcat']}contactPoint"]
    if not points:
        return None
    found = {t.predicate.value.rsplit("#", 1)[-1]: t.object.value for t in triples
             if t.subject.value == points[0] and t.predicate.value.startswith(vcard)}
    contact = {"name": found.get("fn"), "email": found.get("hasEmail", "").removeprefix("mailto:") or None,
               "url": safe_href(found.get("hasURL"))}
    return contact if any(contact.values()) else None


def _schema_org(iri: str, page: str, triples: list[ox.Triple], labels: dict[str, str]) -> str:
    """schema.org JSON-LD for search engines (a summary: the full RDF is linked as alternates)."""

    def values(prop: str) -> list[ox.Term]:
        return [t.object for t in triples if t.subject.value == iri and t.predicate.value == prop]

    def text(prop: str) -> str | None:
        found = sorted(values(prop), key=lambda o: (getattr(o, "language", "") != "fr", o.value))
        return found[0].value if found else None

    def name_of(term: ox.Term) -> str:
        return labels.get(term.value, term.value)

    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "SoftwareApplication", "@id": iri, "url": page,
        "name": text(f"{DCT}title"), "description": text(f"{DCT}abstract"),
        "identifier": text(f"{DCT}identifier"), "dateCreated": text(f"{DCT}created"),
        "dateModified": text(f"{DCT}modified"), "inLanguage": "fr",
        "applicationCategory": [name_of(o) for o in values(f"{IAT}domain")] or None,
        "keywords": ", ".join(name_of(o) for p in ("technique", "purpose", "domain") for o in values(f"{IAT}{p}")) or None,
        "creator": [{"@type": "Organization", "@id": o.value, "name": name_of(o)}
                    for o in values(f"{PREFIXES['airo']}isDeployedBy")] or None,
        "spatialCoverage": [{"@type": "Place", "@id": o.value, "name": name_of(o)} for o in values(f"{DCT}spatial")] or None,
        "isBasedOn": [o.value for o in values(f"{DCT}source")] or None,
    }
    return script_json({k: v for k, v in data.items() if v}, indent=1)


def _all_labels(triples: list[ox.Triple]) -> dict[str, str]:
    """IRI -> French label (else English, else any) among the document's triples."""
    ranked: dict[str, tuple[int, str]] = {}
    for t in triples:
        if t.predicate.value in (f"{SKOS}prefLabel", f"{RDFS}label", f"{DCT}title") and isinstance(t.object, ox.Literal):
            rank = {"fr": 0, "en": 1}.get(t.object.language or "", 2)
            if t.subject.value not in ranked or rank < ranked[t.subject.value][0]:
                ranked[t.subject.value] = (rank, t.object.value)
    return {k: v for k, (_, v) in ranked.items()}


def _literals(triples, iri: str, prop: str) -> list[ox.Literal]:
    """Literal values, French first, then English, then the others."""
    found = [t.object for t in triples if t.subject.value == iri and t.predicate.value == prop
             and isinstance(t.object, ox.Literal)]
    return sorted(found, key=lambda o: ({"fr": 0, "en": 1}.get(o.language or "", 2), o.value))


def _tree(store, settings, scheme: str) -> list[dict[str, Any]]:
    """The concepts of a scheme as a forest: [{iri, label, notation, children: [...]}], by label."""
    if not valid_iri(scheme):  # from the data; never pasted into a query unless it is a plain IRI
        return []
    rows = _select(store, settings, f"""SELECT ?c ?label ?notation ?broader WHERE {{
      ?c <{SKOS}inScheme> <{scheme}> .
      OPTIONAL {{ ?c <{SKOS}prefLabel> ?label FILTER(lang(?label) = "fr") }}
      OPTIONAL {{ ?c <{SKOS}notation> ?notation }}
      OPTIONAL {{ ?c <{SKOS}broader> ?broader }} }}""")
    nodes: dict[str, dict[str, Any]] = {}
    parents: dict[str, str | None] = {}
    for r in rows:
        node = nodes.setdefault(r["c"], {"iri": r["c"], "label": r.get("label") or r.get("notation") or r["c"],
                                         "notation": r.get("notation"), "children": []})
        node["label"] = r.get("label") or node["label"]
        parents.setdefault(r["c"], r.get("broader"))
    roots = []
    for iri, node in sorted(nodes.items(), key=lambda kv: fold(kv[1]["label"])):
        parent = parents.get(iri)
        (nodes[parent]["children"] if parent in nodes else roots).append(node)
    return roots


EXAMPLES_GRAPH = "exemples"  # data/exemples/: fictional records (docs/ARCHITECTURE.md, named graphs)


def is_fictional(store, settings, iri: str) -> bool:
    """True when ``iri`` is described only in the graph of fictional examples (its page gets a banner)."""
    if not valid_iri(iri):
        return False
    rows = _select(store, settings, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    graphs = {row["g"] for row in rows}
    return bool(graphs) and graphs == {f"{settings.base_url}graphe/{EXAMPLES_GRAPH}"}


def _nuts_code(ref: str | None, base: str) -> str | None:
    """The NUTS code of a territory IRI or its page (``…/territoire/nuts-dk04``), upper case, or None."""
    for prefix in (f"{base}id/territoire/nuts-", "/doc/territoire/nuts-", f"{base}doc/territoire/nuts-"):
        if ref and ref.startswith(prefix):
            return ref.removeprefix(prefix).upper()
    return None


def label_nuts_codes(store, settings, nodes: list[Node], context: dict[str, Any]) -> None:
    """NUTS 2/3 territories that our data label only by their code ("DK04") are shown as "NUTS DK04
    (Danemark)": the country is the label of the country territory in the store (French, else English)."""
    base = settings.base_url
    found: list[tuple[Any, str, str]] = []  # (object, attribute, code)
    for node in nodes:
        code = _nuts_code(node.iri, base)
        if code and len(code) > 2 and node.label.upper() == code:
            found.append((node, "label", code))
        for _curie, _prop, values in node.properties:
            for value in values:
                code = _nuts_code(value.href, base)
                if code and len(code) > 2 and value.text.upper() == code:
                    found.append((value, "text", code))
    main_code = _nuts_code(context.get("iri"), base)
    if main_code and len(main_code) > 2 and str(context.get("title", "")).upper() == main_code:
        found.append((context, "title", main_code))
    if not found:
        return
    countries = sorted({code[:2] for _, _, code in found})
    values = " ".join(f"<{base}id/territoire/nuts-{c.lower()}>" for c in countries)
    rows = _select(store, settings, f"""SELECT ?t ?l WHERE {{ VALUES ?t {{ {values} }} ?t <{SKOS}prefLabel> ?l
      FILTER(lang(?l) IN ("fr", "en")) }} ORDER BY DESC(lang(?l) = "fr")""")
    names: dict[str, str] = {}
    for row in rows:
        names.setdefault(row["t"].rsplit("nuts-", 1)[-1].upper(), row["l"])
    for target, attribute, code in found:
        text = f"NUTS {code} ({names.get(code[:2]) or f'pays inconnu {code[:2]}'})"
        if isinstance(target, dict):
            target[attribute] = text
        else:
            setattr(target, attribute, text)


def _local(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/ia-territoriales/") if iri.startswith(NOMENCLATURE) else iri


async def render(request: Request, store, settings, *, iri: str, triples: list[ox.Triple], nodes: list[Node],
                 alternates, status: int, headers: dict[str, str], gone_message: str) -> Response | None:
    """The page of ``iri`` for its kind, or None to let the caller use the generic template."""
    kind = kind_of(triples, iri)
    if kind is None:
        return None
    base = settings.base_url
    labels = _all_labels(triples)
    main = next((n for n in nodes if n.iri == iri), None)
    context: dict[str, Any] = {
        "iri": iri, "title": main.label if main else iri, "alternates": alternates, "gone": status == 410,
        "gone_message": gone_message, "kind": kind, "main": main,
        "param": lambda facet, value: to_param(facet, value, base),
        "href": lambda ref: "/doc/" + ref.removeprefix(f"{base}id/") if ref and ref.startswith(f"{base}id/") else ref,
        "part_label": lambda prop, curie: PART_LABELS_IRI.get(prop) or FIELD_LABELS.get(prop) or labels.get(prop) or curie,
    }
    def lookups() -> SearchIndex | None:  # one trip to a worker thread for all the blocking reads
        try:
            index = search_index(request, store)
        except StoreUnavailable:  # a store without its search index (remote store, old build): generic page
            return None
        if kind == "usecase":
            context["doc"] = index.doc(iri)
            context["similar"] = index.similar(iri, 6)
        context["fictional"] = is_fictional(store, settings, iri)
        label_nuts_codes(store, settings, nodes, context)
        return index

    index = await run_in_threadpool(lookups)
    if index is None:
        return None
    if kind == "usecase":
        page = f"{base}{request.url.path.lstrip('/')}"
        page = page.removesuffix(".html")
        context.update({
            "groups": use_case_groups(nodes, iri, labels, base),
            "jsonld": _schema_org(iri, page, triples, labels),
            "contact": contact_of(triples, iri),
            "summary": next((v.text for c, p, vs in (main.properties if main else []) if p == f"{DCT}abstract"
                             for v in vs), None),
        })
        return html_response(request, "usecase.html", context, status=status, headers=headers)
    if kind in ("organisation", "territory"):
        facet = "organisation" if kind == "organisation" else "territoire"
        parts = {n.anchor: n for n in nodes if n.anchor}
        result = await run_in_threadpool(index.search, Query(filters={facet: [iri]}, sort="titre", size=50), False)
        context.update({"own_fields": fields_of(main, parts, labels, part_fields=True, base=base) if main else [],
                        "result": result, "facet": facet,
                        "list_url": f"/cas-usage?{facet}={to_param(facet, iri, base)}"})
        return html_response(request, f"{kind if kind == 'organisation' else 'territory'}.html", context,
                             status=status, headers=headers)
    if kind == "concept":
        scheme = next((t.object.value for t in triples if t.subject.value == iri
                       and t.predicate.value == f"{SKOS}inScheme"), None)
        tree = await run_in_threadpool(_tree, store, settings, scheme) if scheme else []
        usage = [(FACET_BY_NAME[f].label.lower() if f in FACET_BY_NAME else f, n, f)
                 for f, n in await run_in_threadpool(index.usage, iri)]
        facet = usage[0][2] if usage else None
        hits = (await run_in_threadpool(index.search, Query(filters={facet: [iri]}, sort="titre", size=20), False)
                if facet else None)

        def rel(prop: str) -> list[Value]:
            return [Value(labels.get(t.object.value, t.object.value), _local(t.object.value))
                    for t in triples if t.subject.value == iri and t.predicate.value == prop]

        narrower = []
        stack = list(tree)
        while stack:
            node = stack.pop()
            if node["iri"] == iri:
                narrower = [Value(c["label"], _local(c["iri"])) for c in node["children"]]
            stack += node["children"]
        context.update({
            "scheme": (scheme, labels.get(scheme, scheme), _local(scheme)) if scheme else None,
            "tree": tree, "local": _local, "usage": usage, "hits": hits, "facet_name": facet,
            "facet_label": FACET_BY_NAME[facet].label if facet in FACET_BY_NAME else facet,
            "list_url": f"/cas-usage?{facet}={to_param(facet, iri, base)}" if facet else None,
            "definitions": _literals(triples, iri, f"{SKOS}definition"),
            "pref": _literals(triples, iri, f"{SKOS}prefLabel"), "alt": _literals(triples, iri, f"{SKOS}altLabel"),
            "notation": next(iter(_literals(triples, iri, f"{SKOS}notation")), None),
            "broader": rel(f"{SKOS}broader"), "narrower": narrower, "related": rel(f"{SKOS}related"),
            "mappings": [(label, [Value(labels.get(t.object.value, t.object.value), t.object.value)
                                  for t in triples if t.subject.value == iri and t.predicate.value == f"{SKOS}{p}"])
                         for p, label in MAPPINGS.items()],
        })
        return html_response(request, "concept.html", context, status=status, headers=headers)
    if kind == "scheme":
        tree = await run_in_threadpool(_tree, store, settings, iri)
        counts = await run_in_threadpool(index.concept_counts, [n["iri"] for n in _flatten(tree)])
        facet = next((f.name for f in FACET_BY_NAME.values() if f.scheme and iri == f"{NOMENCLATURE}{f.scheme}"), None)
        context.update({"tree": tree, "counts": counts, "local": _local, "facet_name": facet,
                        "titles": _literals(triples, iri, f"{DCT}title"),
                        "descriptions": _literals(triples, iri, f"{DCT}description")})
        return html_response(request, "scheme.html", context, status=status, headers=headers)
    if kind == "ontology":
        context.update(ontology_view(triples, iri))
        return html_response(request, "ontology.html", context, status=status, headers=headers)
    return None


def _flatten(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for node in tree:
        out.append(node)
        out += _flatten(node["children"])
    return out


def ontology_view(triples: list[ox.Triple], iri: str) -> dict[str, Any]:
    """Classes and properties of the ontology with their French and English labels and definitions."""
    terms: dict[str, dict[str, Any]] = {}
    labels = _all_labels(triples)
    for t in triples:
        s = t.subject.value
        if not s.startswith(iri + "#"):
            continue
        term = terms.setdefault(s, {"iri": s, "local": s.split("#", 1)[1], "types": set(), "label_fr": None,
                                    "label_en": None, "definition": None, "definition_en": None,
                                    "domain": [], "range": [], "super": []})
        p, o = t.predicate.value, t.object
        if p == f"{RDF}type":
            term["types"].add(o.value.rsplit("#", 1)[-1])
        elif p == f"{RDFS}label" and isinstance(o, ox.Literal):
            term["label_fr" if o.language == "fr" else "label_en"] = o.value
        elif p in (f"{SKOS}definition", f"{RDFS}comment") and isinstance(o, ox.Literal):
            key = "definition" if o.language == "fr" else "definition_en"
            if term[key] is None or p == f"{SKOS}definition":
                term[key] = o.value
        elif p in (f"{RDFS}domain", f"{RDFS}range", f"{RDFS}subClassOf", f"{RDFS}subPropertyOf") and not isinstance(o, ox.Literal):
            key = {"domain": "domain", "range": "range"}.get(p.rsplit("#", 1)[-1], "super")
            ref = o.value
            href = "#" + ref.split("#", 1)[1] if ref.startswith(iri + "#") else ref
            term[key].append(Value(labels.get(ref, _curie(ref)), href))
    classes = sorted((t for t in terms.values() if "Class" in t["types"]), key=lambda t: t["local"].lower())
    properties = sorted((t for t in terms.values() if t["types"] & {"ObjectProperty", "DatatypeProperty",
                                                                     "AnnotationProperty"}),
                        key=lambda t: t["local"].lower())
    return {"classes": classes, "properties": properties,
            "version": next((t.object.value for t in triples if t.subject.value == iri
                             and t.predicate.value == f"{OWL}versionInfo"), None),
            "definitions": _literals(triples, iri, f"{DCT}description") or _literals(triples, iri, f"{RDFS}comment")}


def _curie(iri: str) -> str:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"
