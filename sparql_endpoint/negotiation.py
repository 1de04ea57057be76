"""Content negotiation in one pure function: ``negotiate(accept, override, offered) -> media type``.

``accept`` is the raw ``Accept`` header (q-values, lists, ``type/*``, ``*/*``, parameters, garbage).
``override`` is the ``format`` parameter (one value or several: SPARQLWrapper sends ``format=tsv`` and
``format=text/tab-separated-values``); the first value we understand wins over ``Accept``.
``offered`` lists what the route can produce, the server's preferred (default) type first.
"""

from __future__ import annotations

from collections.abc import Sequence

from sparql_endpoint.errors import NotAcceptable
from sparql_endpoint.media_types import ACCEPT_ALIASES, BY_MEDIA_TYPE, HTML, format_aliases


def parse_accept(accept: str | None) -> list[tuple[str, float, int]]:
    """``Accept`` -> [(media range, q, position)], lowercased; entries that cannot be read are skipped."""
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((accept or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def _quality(offered: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int] | None:
    """(q, specificity, -position) of the most specific range matching ``offered``, or None."""
    main = offered.split("/")[0]
    best: tuple[float, int, int] | None = None
    for media, q, position in ranges:
        candidates = {media, *ACCEPT_ALIASES.get(media, ())}
        if offered in candidates:
            specificity = 3 if media == offered else 2
        elif media == f"{main}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (q, specificity, -position)
    return best


def _resolve_override(override: str | Sequence[str], offered: Sequence[str]) -> str:
    values = [override] if isinstance(override, str) else list(override)
    table = format_aliases(tuple(BY_MEDIA_TYPE[m] for m in offered if m in BY_MEDIA_TYPE))
    for value in values:
        key = value.strip().lower()
        if key in table:
            return table[key]
        for alias in ACCEPT_ALIASES.get(key, ()):
            if alias in offered:
                return alias
    allowed = ", ".join(sorted(table))
    shown = ", ".join(values)
    raise NotAcceptable(f"Format « {shown} » non disponible ici. Valeurs possibles : {allowed}.")


def negotiate(accept: str | None, override: str | Sequence[str] | None, offered: Sequence[str]) -> str:
    """Choose one of ``offered``; raise ``NotAcceptable`` (406) when the client accepts none of them."""
    if not offered:
        raise ValueError("nothing offered")
    if override:
        return _resolve_override(override, offered)
    ranges = parse_accept(accept)
    if not ranges:  # no Accept, or nothing readable in it: the server's default
        return offered[0]
    scored = []
    for index, media in enumerate(offered):
        quality = _quality(media, ranges)
        if quality is not None and quality[0] > 0:
            scored.append((quality, -index, media))
    if not scored:
        names = ", ".join(offered)
        raise NotAcceptable(f"Aucun des formats demandés n'est disponible. Formats proposés : {names}.")
    # Highest q; then an explicit mention beats a wildcard; then the client's order; then ours.
    return max(scored)[2]


def prefers_html(accept: str | None) -> bool:
    """True when a browser-like client would rather have HTML than JSON (error pages, editor)."""
    if not accept:
        return False
    try:
        return negotiate(accept, None, ["application/json", HTML.media_type]) == HTML.media_type
    except NotAcceptable:
        return False
