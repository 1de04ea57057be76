"""Colour contrast (WCAG 2.1 AA: 4.5:1 for text, 3:1 for graphics), computed from the CSS variables the
pages use and from the chart colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sparql_endpoint import charts

STATIC = Path(__file__).resolve().parents[2] / "sparql_endpoint" / "static"


def css_variables() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in ("style.css", "pages.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        for var, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", text):
            if len(value) == 4:
                value = "#" + "".join(c * 2 for c in value[1:])
            found[var] = value.lower()
    return found


VARS = css_variables()
WHITE = "#ffffff"

# (text colour, background) pairs the CSS actually puts together
TEXT_PAIRS = [
    ("ink", "bg"), ("muted", "bg"), ("accent", "bg"),  # body text, secondary text, links
    ("muted", "soft"), ("accent", "soft"), ("ink", "soft"),  # figures, search box, parts of a fiche
    ("accent", "chip"), ("ink", "chip"),  # active filter chips
    ("#ffffff", "accent"),  # buttons, current page, skip link
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_contrast_of_the_css(fg, bg):
    fg_colour = VARS.get(fg, fg)
    bg_colour = VARS.get(bg, bg)
    assert fg_colour.startswith("#") and bg_colour.startswith("#"), (fg, bg, VARS)
    assert charts.contrast(fg_colour, bg_colour) >= 4.5, (fg, fg_colour, bg, bg_colour)


def test_the_variables_are_read():
    assert {"ink", "muted", "accent", "bg", "soft", "chip", "focus"} <= set(VARS)


def test_focus_outline_is_visible_on_white():
    assert charts.contrast(VARS["focus"], WHITE) >= 3


def test_contrast_formula():
    assert round(charts.contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(charts.contrast("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize("fill", [*charts.SCALE, charts.EMPTY])
def test_map_tile_text_is_readable(fill):
    text = charts._text_on(fill)
    assert charts.contrast(text, fill) >= 4.5, (fill, text)


def test_chart_colours():
    assert charts.contrast(charts.ACCENT, WHITE) >= 3  # bars
    assert charts.contrast(charts.INK, WHITE) >= 4.5 and charts.contrast(charts.MUTED, WHITE) >= 4.5
