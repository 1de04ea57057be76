"""negotiate(accept, override, offered): a table of what real clients send."""

from __future__ import annotations

import pytest

from sparql_endpoint.errors import NotAcceptable
from sparql_endpoint.media_types import DOCUMENT_TYPES, GRAPH_TYPES, RESULT_TYPES
from sparql_endpoint.negotiation import negotiate, parse_accept, prefers_html

RESULTS = [m.media_type for m in RESULT_TYPES]
GRAPHS = [m.media_type for m in GRAPH_TYPES]
DOCS = [m.media_type for m in DOCUMENT_TYPES]
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"

CASES = [
    # (accept, override, offered, expected)
    (None, None, RESULTS, "application/sparql-results+json"),  # no Accept: our default
    ("", None, RESULTS, "application/sparql-results+json"),
    ("*/*", None, RESULTS, "application/sparql-results+json"),
    ("*/*", None, GRAPHS, "text/turtle"),
    ("text/csv", None, RESULTS, "text/csv"),
    ("text/tab-separated-values", None, RESULTS, "text/tab-separated-values"),
    ("application/sparql-results+xml", None, RESULTS, "application/sparql-results+xml"),
    # combined Accept (vscode-sparql-notebook): each query form gets its own type
    ("application/sparql-results+json,text/turtle", None, RESULTS, "application/sparql-results+json"),
    ("application/sparql-results+json,text/turtle", None, GRAPHS, "text/turtle"),
    # q-values decide, whatever the order
    ("text/csv;q=0.5, application/sparql-results+xml", None, RESULTS, "application/sparql-results+xml"),
    ("application/sparql-results+xml;q=0.2, text/tab-separated-values;q=0.9", None, RESULTS, "text/tab-separated-values"),
    # equal q: the client's order
    ("text/csv, application/sparql-results+json", None, RESULTS, "text/csv"),
    # an explicit type beats a wildcard of the same q
    ("*/*, application/sparql-results+xml", None, RESULTS, "application/sparql-results+xml"),
    # type/* wildcards
    ("text/*", None, RESULTS, "text/csv"),
    ("application/*;q=0.9, text/*;q=0.1", None, GRAPHS, "application/ld+json"),
    # q=0 excludes
    ("application/sparql-results+json;q=0, */*", None, RESULTS, "application/sparql-results+xml"),
    # aliases real clients send
    ("application/json", None, RESULTS, "application/sparql-results+json"),
    ("application/json", None, GRAPHS, "application/ld+json"),
    ("application/xml", None, RESULTS, "application/sparql-results+xml"),
    ("application/xml", None, GRAPHS, "application/rdf+xml"),
    ("application/turtle,text/turtle", None, GRAPHS, "text/turtle"),
    ("application/sparql-results+json,application/json,text/javascript,application/javascript", None, RESULTS,
     "application/sparql-results+json"),
    # parameters and case are ignored, garbage skipped
    ("Text/Turtle; charset=utf-8", None, GRAPHS, "text/turtle"),
    ("garbage, application/n-triples", None, GRAPHS, "application/n-triples"),
    ("text/turtle;q=abc, application/rdf+xml;q=0.5", None, GRAPHS, "application/rdf+xml"),
    # browsers get HTML for documents, machines RDF
    (FIREFOX, None, DOCS, "text/html"),
    (CHROME, None, DOCS, "text/html"),
    ("text/turtle", None, DOCS, "text/turtle"),
    (None, None, DOCS, "text/html"),
    # the format parameter wins over Accept; SPARQLWrapper's pairs (format=tsv&format=text/...)
    ("text/csv", "json", RESULTS, "application/sparql-results+json"),
    (None, ["tsv", "text/tab-separated-values"], RESULTS, "text/tab-separated-values"),
    (None, ["json-ld", "application/ld+json"], GRAPHS, "application/ld+json"),
    (None, ["rdf+xml", "application/rdf+xml"], GRAPHS, "application/rdf+xml"),
    (None, "json", GRAPHS, "application/ld+json"),
    (None, "xml", GRAPHS, "application/rdf+xml"),
    (None, "turtle", GRAPHS, "text/turtle"),
    (None, "n3", GRAPHS, "text/turtle"),
    (None, "CSV", RESULTS, "text/csv"),
    (None, "application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
]


@pytest.mark.parametrize(("accept", "override", "offered", "expected"), CASES)
def test_negotiate(accept, override, offered, expected) -> None:
    assert negotiate(accept, override, offered) == expected


NOT_ACCEPTABLE = [
    ("image/png", None, RESULTS),
    ("text/turtle", None, RESULTS),
    ("text/csv", None, GRAPHS),
    ("application/sparql-results+json;q=0", None, RESULTS),
    (None, "pdf", RESULTS),
    (None, "csv", GRAPHS),
]


@pytest.mark.parametrize(("accept", "override", "offered"), NOT_ACCEPTABLE)
def test_not_acceptable(accept, override, offered) -> None:
    with pytest.raises(NotAcceptable) as info:
        negotiate(accept, override, offered)
    assert info.value.status == 406
    assert info.value.message  # a French sentence, not empty


def test_table_size() -> None:
    assert len(CASES) >= 35 and len(NOT_ACCEPTABLE) >= 6


def test_parse_accept_keeps_order_and_q() -> None:
    assert parse_accept("text/csv;q=0.5, */*") == [("text/csv", 0.5, 0), ("*/*", 1.0, 1)]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [(FIREFOX, True), (CHROME, True), ("application/json", False), ("*/*", False), (None, False)],
)
def test_prefers_html(accept, expected) -> None:
    assert prefers_html(accept) is expected
