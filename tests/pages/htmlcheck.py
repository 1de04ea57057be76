"""Checks of a page's HTML: well-formedness (html5lib, strict WHATWG parsing) and basic accessibility
(RGAA / WCAG 2.1): language, one h1, no skipped heading level, a label for every form control, alt on
images, unique ids, a working skip link. Each returns a list of French problems (empty: fine)."""

from __future__ import annotations

from html.parser import HTMLParser

import html5lib


def well_formed(html: str) -> list[str]:
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as exc:
        line = html.splitlines()[parser.errors[-1][0][0] - 1][:160] if parser.errors else ""
        return [f"HTML mal formé : {exc} (ligne : {line!r})"]
    return []


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.labels_for: set[str] = set()
        self.controls: list[dict[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.label_depth = 0
        self.svg_depth = 0

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "svg":
            self.svg_depth += 1
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.labels_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button", "reset"):
            self.controls.append({**a, "_wrapped": "1" if self.label_depth else ""})
        if tag == "img":
            self.images.append(a)
        if tag == "a":
            self.links.append(a)

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if tag == "svg":
            self.svg_depth -= 1


def accessibility(html: str) -> list[str]:
    page = _Collector()
    page.feed(html)
    problems = []
    if not page.lang or not page.lang.startswith("fr"):
        problems.append(f"<html lang> manquant ou non français : {page.lang!r}")
    if page.headings.count(1) != 1:
        problems.append(f"{page.headings.count(1)} titres h1 (un seul attendu)")
    if page.headings and page.headings[0] != 1:
        problems.append(f"le premier titre est un h{page.headings[0]}")
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"niveau de titre sauté : h{before} puis h{after}")
            break
    for control in page.controls:
        named = control.get("aria-label") or control.get("aria-labelledby") or control.get("_wrapped")
        if not named and control.get("id") not in page.labels_for:
            problems.append(f"champ sans étiquette : {control}")
    problems += [f"image sans alt : {img}" for img in page.images if "alt" not in img]
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    if duplicates:
        problems.append(f"id en double : {duplicates}")
    skip = [a for a in page.links if "skip" in a.get("class", "").split()]
    if not skip or skip[0]["href"].lstrip("#") not in page.ids:
        problems.append("lien d'évitement absent ou sans cible")
    return problems
