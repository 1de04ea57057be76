"""Server-side SVG charts for the statistics page: no JavaScript, no external library.

Each function returns an SVG string with ``role="img"``, a ``<title>`` and a ``<desc>``; the page also
prints the numbers as a table, so nothing is only in the picture. Colours meet WCAG contrast: bars are
the accent blue on white (≥ 3:1 for graphics), text is dark on light or white on dark (≥ 4.5:1).

The map of France is a tile map: one square per region (13 metropolitan regions, 5 overseas ones),
placed roughly where the region lies. It is schematic on purpose (shapes would need a geometry file
with its own licence): the page says so.
"""

from __future__ import annotations

from html import escape

ACCENT = "#000091"  # bars: contrast 16.6:1 on white
INK = "#1e1e1e"
MUTED = "#555555"  # contrast 7.5:1 on white
GRID = "#dddddd"
# sequential scale for the map, light to dark; text colour chosen per tile (see _text_on)
SCALE = ("#f0f0ff", "#cacafb", "#a6a6f5", "#5b5bea", "#3a3ae0", "#000091")
EMPTY = "#f6f6f6"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, rows: list[tuple[str, int]], *, label_width: int = 250, width: int = 640,
              bar_height: int = 22, chart_id: str = "chart") -> str:
    """Horizontal bars, one per (label, count), in the given order."""
    rows = [r for r in rows if r[1] > 0]
    top = max((n for _, n in rows), default=0) or 1
    height = 10 + len(rows) * (bar_height + 6) + 10
    span = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">{_e(", ".join(f"{label} : {n}" for label, n in rows) or "aucune donnée")}</desc>',
    ]
    for i, (label, n) in enumerate(rows):
        y = 10 + i * (bar_height + 6)
        length = max(2, round(span * n / top))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{_e(_clip(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{ACCENT}"/>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7:.0f}" font-size="13" '
            f'fill="{INK}">{n}</text>'
        )
    if not rows:
        parts.append(f'<text x="10" y="24" font-size="14" fill="{MUTED}">Aucune donnée</text>')
    parts.append("</svg>")
    return "".join(parts)


def column_chart(title: str, rows: list[tuple[int, int]], *, width: int = 640, height: int = 240,
                 chart_id: str = "years") -> str:
    """Vertical columns over consecutive years (missing years shown as zero)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">{_e(", ".join(f"{y} : {n}" for y, n in rows) or "aucune donnée")}</desc>',
    ]
    if not rows:
        parts.append(f'<text x="10" y="24" font-size="14" fill="{MUTED}">Aucune donnée</text></svg>')
        return "".join(parts)
    counts = dict(rows)
    years = list(range(min(counts), max(counts) + 1))
    top = max(counts.values()) or 1
    left, bottom, plot_h = 40, 30, height - 60
    step = (width - left - 10) / len(years)
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="{MUTED}"/>')
    for tick in sorted({0, top // 2, top}):
        y = height - bottom - plot_h * tick / top
        parts.append(f'<line x1="{left}" y1="{y:.0f}" x2="{width - 10}" y2="{y:.0f}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end" font-size="12" fill="{MUTED}">{tick}</text>')
    label_every = max(1, -(-len(years) // 10))
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        h = plot_h * n / top
        x = left + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="{ACCENT}"><title>{year} : {n}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                         f'font-size="12" fill="{INK}">{year}</text>')
    parts.append("</svg>")
    return "".join(parts)


# (column, row) of each region's tile; overseas regions on their own row, below
TILES: dict[str, tuple[float, float]] = {
    "FRE": (2, 0), "FRD": (1, 1), "FR1": (2, 1), "FRF": (3, 1), "FRH": (0, 2), "FRG": (1, 2), "FRB": (2, 2),
    "FRC": (3, 2), "FRI": (1, 3), "FRK": (2, 3), "FRJ": (1.5, 4), "FRL": (2.5, 4), "FRM": (3.5, 4.6),
    "FRY1": (0, 6), "FRY2": (1, 6), "FRY3": (2, 6), "FRY4": (3, 6), "FRY5": (4, 6),
}
# NUTS 2021 codes of the French regions (as in ingest/search_index.py, which derives them from INSEE codes)
REGION_LABELS = {
    "FR1": "Île-de-France", "FRB": "Centre-Val de Loire", "FRC": "Bourgogne-Franche-Comté", "FRD": "Normandie",
    "FRE": "Hauts-de-France", "FRF": "Grand Est", "FRG": "Pays de la Loire", "FRH": "Bretagne",
    "FRI": "Nouvelle-Aquitaine", "FRJ": "Occitanie", "FRK": "Auvergne-Rhône-Alpes",
    "FRL": "Provence-Alpes-Côte d'Azur", "FRM": "Corse", "FRY1": "Guadeloupe", "FRY2": "Martinique",
    "FRY3": "Guyane", "FRY4": "La Réunion", "FRY5": "Mayotte",
}
SHORT = {"FRB": "Centre-VdL", "FRC": "Bourgogne-FC", "FRL": "PACA", "FRK": "Auvergne-RA", "FRI": "Nouv.-Aquitaine",
         "FRE": "Hauts-de-Fr.", "FRG": "Pays de la L.", "FR1": "Île-de-Fr."}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _text_on(fill: str) -> str:
    return "#ffffff" if contrast(fill, "#ffffff") >= contrast(fill, INK) else INK


def region_map(title: str, counts: dict[str, int], labels: dict[str, str], *, chart_id: str = "map",
               link: str | None = None) -> str:
    """Tile map of the French regions; ``link`` is a URL prefix to which the region code is appended."""
    size, gap = 118, 6
    width = int(5 * (size + gap) + 10)
    height = int(7 * (size + gap) + 40)
    top = max(counts.values(), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart map" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">{_e(", ".join(f"{labels[c]} : {counts.get(c, 0)}" for c in TILES))}</desc>',
        f'<text x="5" y="{5.75 * (size + gap) + 22:.0f}" font-size="14" fill="{MUTED}">Outre-mer</text>',
    ]
    for code, (col, row) in TILES.items():
        n = counts.get(code, 0)
        fill = EMPTY if n == 0 else SCALE[min(len(SCALE) - 1, 1 + int((len(SCALE) - 2) * n / top))]
        colour = _text_on(fill)
        x = 5 + col * (size + gap)
        y = 5 + row * (size + gap) + (30 if row >= 6 else 0)
        name = SHORT.get(code, labels[code])
        tile = (f'<rect x="{x:.0f}" y="{y:.0f}" width="{size}" height="{size}" rx="6" fill="{fill}" stroke="{MUTED}"/>'
                f'<text x="{x + size / 2:.0f}" y="{y + 45:.0f}" text-anchor="middle" font-size="14" fill="{colour}">'
                f'{_e(name)}</text>'
                f'<text x="{x + size / 2:.0f}" y="{y + 80:.0f}" text-anchor="middle" font-size="24" font-weight="700" '
                f'fill="{colour}">{n}</text>')
        if link and n:
            tile = f'<a href="{_e(link + code)}"><title>{_e(labels[code])} : {n}</title>{tile}</a>'
        parts.append(tile)
    parts.append("</svg>")
    return "".join(parts)
