"""The pages as a person sees them: Debian's chromium (headless, driven by playwright, never downloaded by
it) on a real uvicorn serving the session build. Titles, facets and counts, the search box, keyboard
use, the links of the main pages, no console error, no request leaving the machine; screenshots are
saved to tests/artifacts/screenshots/ for review."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from .conftest import SCREENSHOTS
from .test_pages import PAGE_NAMES, main_pages

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TITLES = {
    "accueil": "Bibliothèque d'IA territoriales", "liste": "Cas d'usage (", "recherche": "« eau »",
    "statistiques": "Statistiques", "nomenclature": "Nomenclature", "schema": "Nomenclature",
    "concept": "Nomenclature", "ontologie": "Ontologie", "cas": "Cas d'usage", "organisation": "Organisation",
    "territoire": "Territoire",
}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "chromium manque : lancez « make browser » (il installe le paquet Debian)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


class Watched:
    """A page that records console errors, page errors and every request leaving loopback."""

    def __init__(self, browser, server: str, width: int = 1280) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        host = urlsplit(server).netloc

        def route(r):
            if urlsplit(r.request.url).netloc == host or r.request.url.startswith("data:"):
                return r.continue_()
            self.outside.append(r.request.url)
            return r.abort()

        self.page.route("**/*", route)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def paths(sample):
    return main_pages(sample)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_main_page_in_chromium(browser, server, paths, name):
    watched = Watched(browser, server)
    try:
        response = watched.page.goto(server + paths[name])
        assert response.status == 200
        assert TITLES[name] in watched.page.title()
        assert watched.page.locator("h1").count() == 1 and watched.page.locator("h1").inner_text().strip()
        watched.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert watched.errors == [] and watched.outside == []
    finally:
        watched.close()


@pytest.mark.parametrize("name", ["accueil", "liste", "cas"])
def test_readable_on_a_phone(browser, server, paths, name):
    watched = Watched(browser, server, width=390)
    try:
        watched.page.goto(server + paths[name])
        overflow = watched.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"la page déborde de {overflow} px sur un téléphone"
        watched.page.screenshot(path=str(SCREENSHOTS / f"{name}-telephone.png"), full_page=True)
        assert watched.errors == []
    finally:
        watched.close()


def _total(page) -> int:
    return int(page.locator("p.total strong").inner_text())


def test_search_then_filter_with_facets(browser, server, library_index):
    watched = Watched(browser, server)
    page = watched.page
    try:
        page.goto(server + "/")
        page.get_by_label("Rechercher un cas d'usage").fill("Données")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/cas-usage\?q=Donn"))
        total = _total(page)
        assert total > 0
        facet = page.locator("#facette-domaine li").first
        label = facet.locator("label").inner_text()
        expected = int(re.search(r"\((\d+)\)\s*$", label).group(1))
        facet.locator("input").check()
        page.locator("form.facets button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"domaine="))
        assert _total(page) == expected <= total
        assert page.locator("#facette-domaine input:checked").count() == 1
        assert "q=Donn" in page.url  # the text is kept with the filter: a shareable URL
        page.locator(".chips a", has_text="Tout effacer").click()
        page.wait_for_load_state()
        assert "domaine=" not in page.url
        page.screenshot(path=str(SCREENSHOTS / "recherche-filtres.png"), full_page=True)
        assert watched.errors == [] and watched.outside == []
    finally:
        watched.close()


def test_keyboard_skip_link_and_visible_focus(browser, server):
    watched = Watched(browser, server)
    page = watched.page
    try:
        page.goto(server + "/cas-usage")
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
        assert focused == ["skip", "#contenu"]
        box = page.locator("a.skip").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0  # shown on screen when focused
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.press("Enter")
        assert page.url.endswith("#contenu")
    finally:
        watched.close()


def test_links_of_the_main_pages_lead_somewhere(browser, server, paths):
    watched = Watched(browser, server)
    links: set[str] = set()
    try:
        for name in ("accueil", "liste", "cas", "concept", "statistiques", "organisation"):
            watched.page.goto(server + paths[name])
            script = "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)"
            for href in watched.page.eval_on_selector_all("a[href]", script):  # SVG links too
                if urlsplit(href).netloc == urlsplit(server).netloc:
                    links.add(href.split("#")[0])
    finally:
        watched.close()
    assert len(links) > 60
    broken = []
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what chromium sends
    with httpx.Client(timeout=30, follow_redirects=True, headers={"Accept": accept}) as http:
        for url in sorted(links):
            status = http.get(urljoin(server, url)).status_code
            if status >= 400:
                broken.append((url, status))
    assert broken == []
