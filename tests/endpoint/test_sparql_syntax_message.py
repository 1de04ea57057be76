"""A SPARQL syntax error says so in French first, then gives the parser's own message and position
(clients act on it), in JSON and in the HTML error page; embedded store and remote server alike."""

from __future__ import annotations

import html
import re

BROKEN = "SELECT * WHERE { ?s ?p }"  # the object is missing: the parser stops at line 1, column 25


def test_json_error_starts_with_a_french_sentence_and_keeps_the_parser_message(client) -> None:
    response = client.get("/sparql", params={"query": BROKEN}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    message = response.json()["error"]
    assert message.startswith("Requête SPARQL invalide : ")
    found = re.search(r"\(ligne (\d+), colonne (\d+)\)", message)
    assert found and found.group(1) == "1"
    parser = message.split("Message de l'analyseur : ", 1)[1]
    assert f"{found.group(1)}:{found.group(2)}" in parser  # the position as the parser wrote it
    assert re.search(r"[a-z]{4,}", parser)  # the parser's own words


def test_html_error_page_shows_the_same_message(client) -> None:
    response = client.post("/sparql", data={"query": BROKEN},
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    text = html.unescape(response.text)
    assert re.search(r'<p class="error-message">Requête SPARQL invalide : [^<]*\(ligne 1, colonne \d+\)\. '
                     r"Message de l'analyseur : [^<]*1:\d+", text)
