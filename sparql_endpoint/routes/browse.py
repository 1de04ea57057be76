"""Pages for people: home, the searchable list of use cases (also as CSV and JSON), statistics.

All of them read the search index of the served build (``search.sqlite``), never the SPARQL store, so
they stay fast at 100,000 use cases. Facet values travel in URLs as short codes (the concept's code,
the organisation's slug), so a filtered list is a shareable, readable address.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from sparql_endpoint import charts
from sparql_endpoint import media_types as mt
from sparql_endpoint.deps import SettingsDep, StoreDep
from sparql_endpoint.errors import BadRequest, StoreUnavailable
from sparql_endpoint.execute import QueryJob
from sparql_endpoint.prefixes import NOMENCLATURE, PREFIXES
from sparql_endpoint.rendering import html_response
from sparql_endpoint.search import (
    FACET_BY_NAME,
    FACETS,
    SORTS,
    IndexRegistry,
    IndexUnavailable,
    Query,
    SearchIndex,
)
from sparql_endpoint.settings import Settings
from sparql_endpoint.store import Store

router = APIRouter()
log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
CSV_LIMIT = 100_000
LISTING_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _url_prefixes(base: str) -> dict[str, str]:
    """facet -> the IRI prefix dropped in URLs (the value is then a short code)."""
    table = {f.name: f"{NOMENCLATURE}{f.scheme}/" for f in FACETS if f.scheme}
    table["risque"] = PREFIXES["eu-aiact"]
    table["organisation"] = f"{base}id/organisation/"
    table["territoire"] = f"{base}id/territoire/"
    return table


def to_param(facet: str, value: str, base: str) -> str:
    prefix = _url_prefixes(base).get(facet)
    return value.removeprefix(prefix) if prefix and value.startswith(prefix) else value


def from_param(facet: str, code: str, base: str) -> str:
    prefix = _url_prefixes(base).get(facet)
    return code if not prefix or code.startswith(("http://", "https://")) else prefix + code


def search_index(request: Request, store: Store) -> SearchIndex:
    registry = getattr(request.app.state, "search_registry", None)
    if registry is None:
        registry = request.app.state.search_registry = IndexRegistry()
    build = store.build()
    try:
        return registry.get(build.path if build else None)
    except IndexUnavailable as exc:  # its detail may name a server path: to the log only
        log.warning("search index unavailable: %s", exc)
        raise StoreUnavailable(
            "L'index de recherche de la bibliothèque est indisponible"
            + (" (aucune construction servie)" if build is None else "")
            + ". Relancez « ia-territoriales build »."
        ) from None


def parse_query(request: Request, settings: Settings, size: int | None = None) -> Query:
    params = request.query_params
    filters: dict[str, list[str]] = {}
    for name in FACET_BY_NAME:
        values = [v for v in params.getlist(name) if v.strip()]
        if values:
            filters[name] = [from_param(name, v.strip(), settings.base_url) for v in values[:50]]
    sort = params.get("tri") or "pertinence"
    if sort not in SORTS:
        raise BadRequest(f"Paramètre « tri » : valeur « {sort} » inconnue (valeurs : {', '.join(SORTS)}).")
    try:
        page = int(params.get("page") or 1)
        per_page = int(params.get("par_page") or size or settings.page_size)
    except ValueError:
        raise BadRequest("Paramètres « page » et « par_page » : des nombres entiers sont attendus.") from None
    if page < 1 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise BadRequest(f"Paramètres « page » (≥ 1) et « par_page » (1 à {MAX_PAGE_SIZE}) hors limites.")
    text = (params.get("q") or "")[:500]
    if sort == "pertinence" and not text.strip():
        sort = "maj"
    return Query(text=text, filters=filters, sort=sort, page=page, size=per_page)


def query_params(query: Query, base: str, **changes) -> list[tuple[str, str]]:
    """The GET parameters of ``query`` (with ``changes``), in a stable order, for links."""
    items: list[tuple[str, str]] = []
    text = changes.get("q", query.text)
    if text:
        items.append(("q", text))
    filters = changes.get("filters", query.filters)
    for name in FACET_BY_NAME:
        items += [(name, to_param(name, v, base)) for v in filters.get(name, [])]
    sort = changes.get("tri", query.sort)
    if sort not in ("pertinence", "maj") or (sort == "maj" and text):
        items.append(("tri", sort))
    page = changes.get("page", query.page)
    if page != 1:
        items.append(("page", str(page)))
    return items


def listing_url(path: str, query: Query, base: str, **changes) -> str:
    items = query_params(query, base, **changes)
    return path + ("?" + urlencode(items) if items else "")


def toggled(query: Query, facet: str, value: str) -> dict[str, list[str]]:
    filters = {k: list(v) for k, v in query.filters.items()}
    values = filters.setdefault(facet, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return {k: v for k, v in filters.items() if v}


def _alternates(query: Query, base: str) -> list[tuple[str, str, str]]:
    return [(listing_url(f"/cas-usage.{ext}", query, base), media.split(";")[0], ext.upper())
            for ext, media in LISTING_FORMATS.items()]


def _hit_json(hit, base: str, sources: dict[str, list[str]] | None = None) -> dict:
    """One row of the listing's CSV and JSON; ``source`` names every graph that describes the use case,
    joined by " ; " (a register record the library also describes is in both)."""
    graphs = (sources or {}).get(hit.iri) or [hit.graph]
    return {"iri": hit.iri, "page": base + hit.path.lstrip("/") if hit.path else None, "titre": hit.title,
            "resume": hit.summary, "organisation": hit.org_label, "organisation_iri": hit.org_iri,
            "territoire": hit.territory_label, "territoire_iri": hit.territory_iri, "debut": hit.start,
            "mise_a_jour": hit.modified, "source": " ; ".join(graphs), "langue": hit.lang}


@router.api_route("/cas-usage", methods=["GET", "HEAD"])
@router.api_route("/cas-usage.{ext}", methods=["GET", "HEAD"])
async def use_cases(request: Request, store: StoreDep, settings: SettingsDep, ext: str | None = None) -> Response:
    if ext is not None and ext not in (*LISTING_FORMATS, "html"):
        raise BadRequest(f"Format « {ext} » inconnu pour la liste (formats : html, csv, json).")
    base = settings.base_url
    export = ext == "csv"
    query = parse_query(request, settings, size=MAX_PAGE_SIZE if export else None)
    if export:
        query.page, query.size = 1, CSV_LIMIT
    index = await run_in_threadpool(search_index, request, store)
    result = await run_in_threadpool(index.search, query, not export)
    links = ", ".join(f'<{base}{url.lstrip("/")}>; rel="alternate"; type="{media}"'
                      for url, media, _ in _alternates(query, base))
    headers = {"Link": links}
    sources = await run_in_threadpool(index.sources, [h.iri for h in result.hits]) if ext else {}
    if ext == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        fields = ["iri", "page", "titre", "resume", "organisation", "organisation_iri", "territoire",
                  "territoire_iri", "debut", "mise_a_jour", "source", "langue"]
        writer.writerow(fields)
        for hit in result.hits:
            row = _hit_json(hit, base, sources)
            writer.writerow([row[f] or "" for f in fields])
        headers["Content-Disposition"] = 'inline; filename="cas-usage.csv"'
        return Response(out.getvalue(), media_type=LISTING_FORMATS["csv"], headers=headers)
    if ext == "json":
        pages = result.pages
        body = {
            "total": result.total, "page": query.page, "par_page": query.size, "pages": pages,
            "requete": {"q": query.text, "tri": query.sort, "filtres": {
                k: [to_param(k, v, base) for v in vals] for k, vals in query.filters.items()}},
            "resultats": [_hit_json(h, base, sources) for h in result.hits],
            "facettes": {g.spec.name: [{"valeur": to_param(g.spec.name, v.value, base), "libelle": v.label,
                                        "nombre": v.count, "choisie": v.selected} for v in g.values]
                         for g in result.facets},
            "suivante": base + listing_url("cas-usage.json", query, base, page=query.page + 1)
            if query.page < pages else None,
        }
        return JSONResponse(body, headers=headers)
    context = {
        "result": result, "query": query, "sorts": SORTS, "facets": result.facets,
        "alternates": _alternates(query, base),
        "url": lambda **changes: listing_url("/cas-usage", query, base, **changes),
        "toggle": lambda facet, value: listing_url("/cas-usage", query, base, filters=toggled(query, facet, value),
                                                   page=1),
        "param": lambda facet, value: to_param(facet, value, base),
        "facet_label": {f.name: f.label for f in FACETS},
    }
    return html_response(request, "usecases.html", context, headers=headers)


def _entry_points(index: SearchIndex) -> dict[str, list[tuple[str, str, int]]]:
    return {name: sorted(index.value_counts(name), key=lambda v: -v[2])
            for name in ("domaine", "technique", "stade", "region", "type_collectivite", "pays")}


@router.api_route("/", methods=["GET", "HEAD"])
async def home(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    index = await run_in_threadpool(search_index, request, store)

    def gather():
        return {
            "total": index.total(),
            "organisations": len(index.value_counts("organisation")),
            "territories": len(index.value_counts("territoire")),
            "countries": len(index.value_counts("pays")),
            "library": sum(n for v, _, n in index.value_counts("source") if v == "bibliotheque"),
            "latest": index.latest(6),
            "entries": _entry_points(index),
        }

    context = await run_in_threadpool(gather)
    build = await run_in_threadpool(store.build)
    context.update({"examples": request.app.state.examples, "settings": settings, "build": build,
                    "param": lambda facet, value: to_param(facet, value, settings.base_url)})
    return html_response(request, "home.html", context)


@router.api_route("/statistiques", methods=["GET", "HEAD"])
async def statistics(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    index = await run_in_threadpool(search_index, request, store)
    base = settings.base_url

    def gather():
        tables = {}
        svgs = {}
        for name, title in (("domaine", "Cas d'usage par domaine"), ("technique", "Cas d'usage par technique d'IA"),
                            ("stade", "Cas d'usage par stade"),
                            ("type_collectivite", "Cas d'usage par type de collectivité"),
                            ("pays", "Cas d'usage par pays"), ("source", "Cas d'usage par source")):
            rows = sorted(index.value_counts(name), key=lambda v: (-v[2], v[1]))
            tables[name] = (title, rows)
            svgs[name] = charts.bar_chart(title, [(label, n) for _, label, n in rows], chart_id=f"g-{name}")
        years = index.by_year()
        regions = {v: n for v, _, n in index.value_counts("region")}
        return tables, svgs, years, regions, index.multi_source_count()

    tables, svgs, years, regions, multi_source = await run_in_threadpool(gather)
    return html_response(request, "stats.html", {
        "tables": tables, "svgs": svgs, "years": years, "total": await run_in_threadpool(index.total),
        "multi_source": multi_source,
        "year_svg": charts.column_chart("Cas d'usage par année de début", years),
        "map_svg": charts.region_map("Cas d'usage par région (carte schématique)", regions, charts.REGION_LABELS,
                                     link=f"/cas-usage?{urlencode({'region': ''})}"),
        "regions": [(code, charts.REGION_LABELS[code], regions.get(code, 0)) for code in charts.TILES],
        "param": lambda facet, value: to_param(facet, value, base),
    })


def select(store: Store, settings: Settings, text: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the store, as {variable: lexical value}."""
    job = QueryJob(query=text, result_type=mt.SPARQL_JSON.media_type, graph_type=None,
                   limit=max(settings.result_limit, 10_000))
    rows = json.loads(store.execute(job).body)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


@router.api_route("/nomenclature", methods=["GET", "HEAD"])
async def nomenclature_index(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    skos, dct = PREFIXES["skos"], PREFIXES["dct"]
    rows = await run_in_threadpool(select, store, settings, f"""SELECT ?s ?title ?description (COUNT(?c) AS ?n) WHERE {{
      ?s a <{skos}ConceptScheme> FILTER(STRSTARTS(STR(?s), "{NOMENCLATURE}"))
      OPTIONAL {{ ?s <{dct}title> ?title FILTER(lang(?title) = "fr") }}
      OPTIONAL {{ ?s <{dct}description> ?description FILTER(lang(?description) = "fr") }}
      OPTIONAL {{ ?c <{skos}inScheme> ?s }} }} GROUP BY ?s ?title ?description ORDER BY ?title""")
    schemes = [{"href": "/" + r["s"].removeprefix("https://w3id.org/ia-territoriales/"),
                "title": r.get("title") or r["s"].rsplit("/", 1)[-1], "description": r.get("description"),
                "concepts": int(r.get("n", 0))} for r in rows]
    return html_response(request, "nomenclature.html", {"schemes": schemes})
