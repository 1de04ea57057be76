"""The per-build /sparql result cache: exact hits, never another build's result, never an error (issue 7)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endpoint import servers
from sparql_endpoint.app import create_app
from sparql_endpoint.execute import QueryJob, QueryOutput
from sparql_endpoint.result_cache import ResultCache, cache_key, normalise_query

IAT = "PREFIX iat: <https://w3id.org/ia-territoriales/def#>\n"
COUNT = IAT + "SELECT (COUNT(?c) AS ?n) WHERE { ?c a iat:UseCase }"
TITLES = IAT + "PREFIX dct: <http://purl.org/dc/terms/>\nSELECT ?t WHERE { ?c a iat:UseCase ; dct:title ?t } ORDER BY ?t"
EXTRA = """
@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
<graphe/bibliotheque> { <id/cas-usage/nouveau-cas> a iat:UseCase ; dct:title "Nouveau cas fictif"@fr . }
"""


def ask(client: TestClient, query: str, **kwargs):
    return client.get("/sparql", params={"query": query, **kwargs.pop("params", {})}, **kwargs)


def count(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def fresh(store_kind: str, var_dir: Path, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A client with an empty cache (the session ``client`` shares its cache between tests)."""
    url = request.getfixturevalue("oxigraph_url") if store_kind == "remote" else None
    with TestClient(create_app(servers.make_settings(var_dir, url)), follow_redirects=False) as client:
        yield client


def test_second_identical_query_is_a_hit_with_the_same_answer(fresh: TestClient, store_kind: str) -> None:
    first = ask(fresh, TITLES)
    second = ask(fresh, TITLES)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache"] == "miss"
    assert second.content == first.content and second.headers["content-type"] == first.headers["content-type"]
    # a remote server's data may change without a local build: its answers are never cached
    assert second.headers["x-cache"] == ("hit" if store_kind == "embedded" else "miss")


def test_cache_header_is_readable_by_browsers(fresh: TestClient) -> None:
    response = ask(fresh, COUNT, headers={"Origin": "https://ailleurs.example"})
    assert "x-cache" in response.headers["access-control-expose-headers"].lower()


def test_normalised_text_hits_but_strings_are_exact(fresh: TestClient, store_kind: str) -> None:
    assert ask(fresh, COUNT).headers["x-cache"] == "miss"
    spaced = "  # compter les cas\n" + COUNT.replace(" ", "   \t").replace("\n", "  \n\n") + "\n# fin\n"
    again = ask(fresh, spaced)
    assert again.headers["x-cache"] == ("hit" if store_kind == "embedded" else "miss") and count(again) == 7
    one = IAT + "SELECT ?c WHERE { ?c ?p \"Aide au tri des demandes d'aide sociale\"@fr }"
    two = IAT + "SELECT ?c WHERE { ?c ?p \"Aide au  tri des demandes d'aide sociale\"@fr }"  # another literal
    first, second = ask(fresh, one), ask(fresh, two)
    assert first.headers["x-cache"] == second.headers["x-cache"] == "miss"
    assert len(first.json()["results"]["bindings"]) == 1 and second.json()["results"]["bindings"] == []


def test_media_type_and_dataset_are_part_of_the_key(fresh: TestClient, store_kind: str) -> None:
    json_answer = ask(fresh, COUNT)
    csv_answer = ask(fresh, COUNT, headers={"Accept": "text/csv"})
    assert csv_answer.headers["x-cache"] == "miss" and csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.text.splitlines() == ["n", "7"] and count(json_answer) == 7
    nomenclature = f"{servers.BASE}graphe/nomenclature"
    scoped = ask(fresh, COUNT, params={"default-graph-uri": nomenclature})
    assert scoped.headers["x-cache"] == "miss" and count(scoped) == 0
    assert count(ask(fresh, COUNT)) == 7
    if store_kind == "embedded":
        assert ask(fresh, COUNT, params={"default-graph-uri": nomenclature}).headers["x-cache"] == "hit"


def test_no_cache_request_recomputes(fresh: TestClient) -> None:
    ask(fresh, COUNT)
    forced = ask(fresh, COUNT, headers={"Cache-Control": "no-cache"})
    assert forced.headers["x-cache"] == "miss" and count(forced) == 7


def test_errors_are_never_cached(fresh: TestClient) -> None:
    broken = "SELECT ?x WHERE { ?x ?y }"
    for _ in range(2):
        response = ask(fresh, broken)
        assert response.status_code == 400 and response.headers.get("x-cache") != "hit"
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    for _ in range(2):
        assert ask(fresh, update).status_code == 403
    assert len(fresh.app.state.sparql_cache) == 0


def test_results_over_the_cap_and_timeouts_are_not_cached(store_kind: str, var_dir: Path,
                                                          request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("oxigraph_url") if store_kind == "remote" else None
    settings = servers.make_settings(var_dir, url, query_timeout=1.0, result_limit=5, query_workers=1)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p }"
    with TestClient(create_app(settings)) as client:
        for _ in range(2):
            assert ask(client, TITLES).status_code == 400  # 7 rows > 5
        assert ask(client, runaway).status_code == 503
        assert len(client.app.state.sparql_cache) == 0


def test_cache_off_never_hits(var_dir: Path) -> None:
    with TestClient(create_app(servers.make_settings(var_dir, sparql_cache_mb=0))) as client:
        answers = [ask(client, COUNT) for _ in range(2)]
        assert [a.headers["x-cache"] for a in answers] == ["miss", "miss"]
        assert count(answers[1]) == 7


def test_a_new_build_never_gets_the_old_builds_result(tmp_path: Path) -> None:
    servers.write_build(tmp_path, servers.BASE, "build-a")
    with TestClient(create_app(servers.make_settings(tmp_path))) as client:
        assert count(ask(client, COUNT)) == 7
        assert ask(client, COUNT).headers["x-cache"] == "hit"
        servers.write_build(tmp_path, servers.BASE, "build-b", extra_trig=EXTRA)
        time.sleep(1.1)  # the service looks at var/current at most once a second
        after = ask(client, COUNT)
        assert after.headers["x-cache"] == "miss" and count(after) == 8
        assert ask(client, COUNT).headers["x-cache"] == "hit"


# ---- the pieces, directly ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT  *\n\n  WHERE {\t?s ?p ?o }  ", "SELECT *\nWHERE { ?s ?p ?o }"),
        ("SELECT * # tout\nWHERE { ?s ?p ?o } # fin", "SELECT *\nWHERE { ?s ?p ?o }"),
        ('SELECT * WHERE { ?s ?p "a  # b" }', 'SELECT * WHERE { ?s ?p "a  # b" }'),  # a string, kept
        ("SELECT * WHERE { ?s ?p 'x\t\ty' }", "SELECT * WHERE { ?s ?p 'x\t\ty' }"),
        ("PREFIX iat:   <https://w3id.org/ia-territoriales/def#>  SELECT", "PREFIX iat: <https://w3id.org/ia-territoriales/def#> SELECT"),
        # ambiguous readings: only stripped
        ('SELECT * WHERE { ?s ?p """a  b""" }  ', 'SELECT * WHERE { ?s ?p """a  b""" }'),
        ("SELECT * WHERE { ?s ?p \\u0022a  b\\u0022 }", "SELECT * WHERE { ?s ?p \\u0022a  b\\u0022 }"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(?o<'1>2  #x') }", "SELECT * WHERE { ?s ?p ?o FILTER(?o<'1>2  #x') }"),
        # a non-SPARQL blank (no-break space) is not a blank: kept as sent
        ("SELECT\u00a0\u00a0* WHERE { ?s ?p ?o }", "SELECT\u00a0\u00a0* WHERE { ?s ?p ?o }"),
    ],
)
def test_normalise_query(text: str, expected: str) -> None:
    assert normalise_query(text) == expected


def output(size: int) -> QueryOutput:
    return QueryOutput("text/csv", b"x" * size, "solutions", 1, "b1")


def test_lru_is_bounded_in_bytes() -> None:
    cache = ResultCache(10_000)
    keys = [cache_key("b1", QueryJob(f"ASK {{ <urn:{i}> ?p ?o }}", "text/csv", None, 10)) for i in range(10)]
    for key in keys:
        assert cache.put(key, output(900))
    assert cache.size <= 10_000 and len(cache) < 10
    assert cache.get(keys[0]) is None and cache.get(keys[-1]) is not None  # least recently used went first
    assert not cache.put(keys[0], output(5_000))  # larger than an eighth of the cache: not stored
    assert cache_key("b1", QueryJob("ASK {}", "text/csv", None, 10)) != cache_key("b2", QueryJob("ASK {}", "text/csv", None, 10))


def test_identical_requests_in_flight_share_one_computation(var_dir: Path) -> None:
    """Concurrent identical misses wait for the first one instead of each taking a query worker."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^7 solutions: about a second
    settings = servers.make_settings(var_dir, query_timeout=120, query_workers=2)
    with TestClient(create_app(settings)) as client:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: ask(client, slow), range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        assert sorted(a.headers["x-cache"] for a in answers) == ["hit", "hit", "hit", "miss"]
        assert len({a.content for a in answers}) == 1
