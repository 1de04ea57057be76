"""The lexical look at a query: its form, FROM clauses, and the update refusal."""

from __future__ import annotations

import pytest

from sparql_endpoint.errors import UpdateRefused
from sparql_endpoint.execute import dataset_from_query, inspect_query, refuse_updates

SHAPES = [
    ("SELECT * WHERE { ?s ?p ?o }", "select", False),
    ("PREFIX ex: <http://ex/>\nBASE <http://b/>\n# a comment with INSERT\nASK { ?s ex:from ?o }", "ask", False),
    ("construct where { ?s ?p ?o }", "construct", False),
    ("DESCRIBE <http://ex/a>", "describe", False),
    ("SELECT ?from WHERE { ?s ?p ?from }", "select", False),  # a variable named from
    ('SELECT * WHERE { ?s ?p "FROM <http://x>" }', "select", False),  # FROM inside a string
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", "select", True),
    ("SELECT * FROM NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", "select", True),
    ("PREFIX g: <http://g/>\nSELECT * from g:one WHERE {}", "select", True),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "insert", False),
    ("  \n# INSERT\nDELETE WHERE { ?s ?p ?o }", "delete", False),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "with", False),
]


@pytest.mark.parametrize(("text", "keyword", "has_from"), SHAPES)
def test_inspect_query(text: str, keyword: str, has_from: bool) -> None:
    shape = inspect_query(text)
    assert (shape.keyword, shape.has_from) == (keyword, has_from)


@pytest.mark.parametrize("text", [t for t, k, _ in SHAPES if k in ("insert", "delete", "with")] + ["LOAD <http://x>", "clear all"])
def test_updates_are_refused(text: str) -> None:
    with pytest.raises(UpdateRefused) as info:
        refuse_updates(text)
    assert info.value.status == 403 and "lecture seule" in info.value.message


def test_dataset_from_query() -> None:
    text = (
        "PREFIX g: <http://x/g/>\nSELECT * FROM <http://a> FROM NAMED g:b # FROM <http://no>\n"
        'WHERE { ?s ?p "FROM <http://no2>" }'
    )
    assert dataset_from_query(text) == (("http://a",), ("http://x/g/b",))
    assert dataset_from_query("SELECT * WHERE { ?s ?p ?o }") == ((), ())
