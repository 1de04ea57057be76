"""Issue 7's targets at 100,000 use cases, against the measures (``bench.report``).

Each target is (label, bound, comparison, how to read the measure from one size's results). The verdict is
"tenu" or "manqué de X %" (the distance to the bound, relative to the bound); a measure the results lack is
"non mesuré". Read from the 100,000 results, or from the largest size measured, which the table then says.
"""

from __future__ import annotations

TARGET_SIZE = 100_000
FACET_QUERIES = ("cas-par-domaine", "cas-par-stade")  # the facet counts among the example queries
GB_MB = 1024  # memories are MiB (RSS / 1024²): 1 Go counted as 1,024 Mo
CHANGE_SECONDS = 60  # "rebuilt and served in seconds, not minutes": under a minute


def _num(value, digits: int = 1) -> str:
    from bench.report import num

    return num(value, digits)


def _endpoint(result: dict, name: str, server: str = "service") -> dict:
    return result.get("endpoints", {}).get(name, {}).get(server, {})


def _latency(result: dict, name: str, key: str):
    return (_endpoint(result, name).get("latency") or {}).get(key)


def _ratios(result: dict, kind: str, queries, other: str) -> list[tuple[str, float | None, bool]]:
    """(query, ratio, is_a_lower_bound) of the service over ``other`` for ``kind`` (sparql / sparql-cache)."""
    from bench.report import ratio_bound

    out = []
    for query in queries:
        name = f"{kind}:{query}"
        value = result.get("ratios", {}).get(name, {}).get(f"service_over_{other}")
        if value is not None:
            out.append((query, value, False))
        elif (bound := ratio_bound(result, name, other)) is not None:
            out.append((query, bound, True))
        else:
            out.append((query, None, False))
    return out


def verdict(value, bound: float, at_most: bool, lower_bound: bool = False) -> str:
    """"tenu" or "**manqué de X %**"; ``lower_bound``: ``value`` is only known to be above (a ratio bound)."""
    if value is None:
        return "non mesuré"
    if at_most:
        return "tenu" if value <= bound else f"**manqué de {_num(100 * (value - bound) / bound, 0)} %**"
    if value >= bound:
        return "tenu"
    if lower_bound:
        return "indéterminé (seule une borne inférieure est connue)"
    return f"**manqué de {_num(100 * (bound - value) / bound, 0)} %**"


def _ratio_row(result: dict, label: str, kind: str, queries, other: str, bound: float) -> tuple[str, str, str]:
    found = _ratios(result, kind, queries, other)
    known = [(q, v, b) for q, v, b in found if v is not None]
    if not known:
        return label, "non mesuré", "non mesuré"
    from bench.report import times

    measured = " ; ".join(f"{q} {'> ' if b else ''}{times(v)}" for q, v, b in known)
    missing = [q for q, v, _b in found if v is None]
    if missing:
        measured += f" ({', '.join(missing)} non mesuré)"
    worst = min(known, key=lambda item: item[1])
    return label, measured, verdict(worst[1], bound, at_most=False, lower_bound=worst[2])


def target_rows(result: dict) -> list[tuple[str, str, str]]:
    """(objective, measured, verdict) rows for one size's results."""
    from bench.report import KIND_LABELS, _service_peak_mb

    rows = []
    search_thr = _endpoint(result, "search").get("throughput") or {}
    for key, bound in (("p50_ms", 50), ("p99_ms", 200)):
        value = _latency(result, "search", key)
        extra = f" (c=8 : {_num(search_thr.get(key))} ms)" if search_thr else ""
        rows.append((f"recherche à facettes (texte + 2 filtres + comptes), {key[:3]} ≤ {bound} ms",
                     f"{_num(value)} ms{extra}" if value is not None else "non mesuré", verdict(value, bound, True)))
    for name, label, bound in (("page_html", "fiche de cas d'usage HTML", 10),
                               ("page_turtle", "fiche de cas d'usage Turtle", 5)):
        value = _latency(result, name, "p50_ms")
        rows.append((f"{label}, p50 ≤ {bound} ms", f"{_num(value)} ms" if value is not None else "non mesuré",
                     verdict(value, bound, True)))
    queries = tuple(q.split(":", 1)[1] for q in result.get("endpoints", {}) if q.startswith("sparql:"))
    kinds = [("sparql", "à froid")]
    if any(q.startswith("sparql-cache:") for q in result.get("endpoints", {})):
        kinds.append(("sparql-cache", "cache chaud"))
    for kind, how in kinds:
        rows.append(_ratio_row(result, f"`/sparql` ≥ 0,5 × `oxigraph serve` (requêtes d'exemple, {how})", kind,
                               queries, "oxigraph", 0.5))
        rows.append(_ratio_row(result, f"`/sparql` ≥ 20 × rdflib-endpoint (requêtes de facettes, {how})", kind,
                               [q for q in queries if q in FACET_QUERIES], "rdflib_endpoint", 20))
    build = result.get("build", {})
    wall = (build.get("wall_s") or {}).get("median")
    rows.append(("construction complète ≤ 3 min", f"{_num(wall)} s" if wall is not None else "non mesuré",
                 verdict(wall, 180, True)))
    peak = (build.get("peak_rss_mb") or {}).get("median")
    rows.append((f"mémoire max de la construction ≤ 3 Go ({_num(3 * GB_MB, 0)} Mo)",
                 f"{_num(peak, 0)} Mo" if peak is not None else "non mesuré", verdict(peak, 3 * GB_MB, True)))
    change = result.get("one_record_change") or {}
    served = change.get("served_s")
    kind = change.get("build_kind")
    notes = [f"construction {KIND_LABELS.get(kind, kind)}"] if kind else []
    if kind == "full" and change.get("build_reason"):
        notes[0] += f" : {change['build_reason']}"
    if change.get("dumps_published_s") is not None:
        notes.append(f"téléchargements à jour après {_num(change['dumps_published_s'])} s")
    detail = f"{_num(served)} s" + (f" ({', '.join(notes)})" if notes else "")
    rows.append((f"une fiche modifiée reconstruite et servie « en secondes » (< {CHANGE_SECONDS} s)",
                 detail if served is not None else ("non servie dans le délai" if change else "non mesuré"),
                 verdict(served, CHANGE_SECONDS, True) if served is not None or not change else "**manqué**"))
    rss = _service_peak_mb(result)
    rows.append((f"mémoire du service ≤ 1 Go ({_num(GB_MB, 0)} Mo)",
                 f"{_num(rss, 0)} Mo" if rss is not None else "non mesuré", verdict(rss, GB_MB, True)))
    return rows


def targets_table(results: list[dict]) -> list[str]:
    """The heading and the table (markdown parts) of the targets against the 100k results or the largest."""
    if not results:
        return []
    chosen = next((r for r in results if r["size"] == TARGET_SIZE), None)
    if chosen is not None:
        heading = f"Objectifs de l'issue 7 à {_num(TARGET_SIZE, 0)} cas d'usage, mesurés à {_num(TARGET_SIZE, 0)} :"
    else:
        chosen = max(results, key=lambda r: r["size"])
        heading = (f"Objectifs de l'issue 7 à {_num(TARGET_SIZE, 0)} cas d'usage, **mesurés seulement à "
                   f"{_num(chosen['size'], 0)} cas**, la plus grande taille de ces résultats "
                   f"({_num(TARGET_SIZE, 0)} non mesuré) :")
    lines = ["| objectif | mesuré | verdict |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in target_rows(chosen)]
    return [heading, "\n".join(lines)]
