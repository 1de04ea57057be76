"""Regression: Snowball stemmers are not thread-safe; the service analyses queries in a thread pool.

Shared stemmers raised IndexError (HTTP 500) under concurrent searches (found by `make bench`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sparql_endpoint import search

WORDS = ("détection des fuites d'eau dans les réseaux intelligents, caméras augmentées, "
         "administrations publiques, algorithmes prédictifs, gestionnaires, organisations ") * 40


def test_concurrent_analysis_gives_the_single_threaded_result() -> None:
    expected = search.analyse(WORDS)
    expression = search.match_expression("fuites caméras algorithmes")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: (search.analyse(WORDS), search.match_expression(
            "fuites caméras algorithmes")), range(64)))
    assert all(r == (expected, expression) for r in results)
