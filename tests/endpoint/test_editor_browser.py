"""The SPARQL editor in a real browser (Debian's chromium driven by Playwright), with no internet:
every request outside the service is blocked and recorded, and must not happen."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from endpoint import servers

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def live(var_dir: Path) -> Iterator[str]:
    env = {"IAT_BASE_URL": servers.BASE, "IAT_VAR_DIR": str(var_dir), "IAT_QUERIES_DIR": str(servers.REPO / "queries")}
    process, url = servers.start_uvicorn(env)
    yield url
    servers.stop(process)


def test_editor_runs_an_example_offline(live: str) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium manque : lancez « make browser »"
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()

        def guard(route) -> None:
            if route.request.url.startswith(live):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(f"{live}/sparql")
        page.select_option("#example", "ia-generative")
        assert "ia-generative" in page.input_value("#query")
        page.click("button[type=submit]")
        page.wait_for_selector("#results table tbody tr")
        rows = page.locator("#results table tbody tr").count()
        assert rows == 1  # the fictional LLM use case
        links = page.locator("#results table a").evaluate_all("els => els.map(e => e.href)")
        assert f"{servers.BASE}id/cas-usage/assistant-de-redaction-des-courriers" in links
        assert page.locator("#downloads a[data-format=csv]").get_attribute("href").startswith("/sparql?query=")
        page.fill("#query", "SELECT * WHERE {")
        page.click("button[type=submit]")
        # a selector wait, not wait_for_function: the page's CSP forbids the eval() that one uses
        page.locator("#status", has_text="Erreur 400").wait_for()
        assert page.locator("#status").inner_text().startswith("Erreur 400")
        browser.close()
    assert outside == []


def test_editor_shows_hostile_results_as_text(live: str) -> None:
    """Result values are data (registers are untrusted): a ``javascript:`` IRI is not a link, markup in a
    literal is text."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium manque : lancez « make browser »"
    query = ('SELECT ?x ?label WHERE { VALUES (?x ?label) { (<javascript:alert(1)> "<img src=x onerror=alert(2)>") '
             '(<https://a.example/ok> "ok") } }')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{live}/sparql")
        page.fill("#query", query)
        page.click("button[type=submit]")
        page.wait_for_selector("#results table tbody tr")
        hrefs = page.locator("#results table a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        text = page.locator("#results table").inner_text()
        images = page.locator("#results img").count()
        browser.close()
    assert hrefs == ["https://a.example/ok"]
    assert "javascript:alert(1)" in text and "<img src=x onerror=alert(2)>" in text
    assert images == 0 and dialogs == []
