"""Security review of the public service (issues 4, 5, 6): read-only SPARQL, no request forgery, HTML
escaping of untrusted register data, no query built from user text, redirects only to our own site.

Data literals come from public registers and are untrusted: a fictional hostile record (below) puts
markup, ``</script>`` and ``javascript:`` IRIs everywhere a register could, and every page that shows it
must render it as text.
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from endpoint import servers
from fastapi.testclient import TestClient

from sparql_endpoint.app import create_app
from sparql_endpoint.errors import UpdateRefused
from sparql_endpoint.execute import refuse_updates

BASE = servers.BASE
SCRIPT = '<script>alert("xss")</script>'
BREAKOUT = '</script><script>alert("breakout")</script><!--<script>'
HOSTILE_TRIG = f"""
@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix airo: <https://w3id.org/airo#> .
@prefix dom: <https://w3id.org/ia-territoriales/nomenclature/domaines/> .
<graphe/pstw> {{
  <id/cas-usage/pstw-hostile> a iat:UseCase ;
      dct:identifier "hostile" ;
      dct:title {json.dumps("Registre piégé " + SCRIPT)}@fr ;
      dct:abstract {json.dumps("Résumé " + BREAKOUT)}@fr ;
      airo:isDeployedBy <id/organisation/commune-piegee> ;
      dcat:contactPoint <id/cas-usage/pstw-hostile#contact> ;
      foaf:page <javascript:alert(1)> ;
      iat:domain dom:action-sociale ;
      dct:modified "2026-11-01"^^<http://www.w3.org/2001/XMLSchema#date> .
  <id/cas-usage/pstw-hostile#contact> a vcard:Organization ;
      vcard:fn {json.dumps("Contact " + SCRIPT)} ;
      vcard:hasURL <javascript:alert(2)> .
  <id/organisation/commune-piegee> a org:Organization ;
      skos:prefLabel {json.dumps('Commune <img src=x onerror=alert(3)> "piégée"')}@fr .
  <id/cas-usage/remplace-ailleurs> a iat:UseCase ;
      dct:title "Fiche remplacée par une adresse extérieure"@fr ;
      dct:isReplacedBy <https://attaquant.example/phishing> .
}}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    var = tmp_path_factory.mktemp("var-hostile")
    servers.write_build(var, BASE, "hostile-1", extra_trig=HOSTILE_TRIG)
    settings = servers.make_settings(var, query_workers=1)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every <script> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _assert_inert(html: str) -> _Tags:
    """No markup of the data became markup of the page, and no link runs JavaScript."""
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<!--<script>" not in html
    parsed = _parse(html)
    for tag, attrs in parsed.tags:
        assert tag != "img" or attrs.get("src") != "x"
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":  # only our own scripts: JSON data blocks and /static files
            assert attrs.get("type") in ("application/ld+json", "application/json") or (
                attrs.get("src") or "").startswith("/static/"), attrs
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    return parsed


def test_use_case_page_renders_hostile_literals_as_text(hostile: TestClient) -> None:
    response = hostile.get("/doc/cas-usage/pstw-hostile.html")
    assert response.status_code == 200
    html = response.text
    parsed = _assert_inert(html)
    assert "Registre piégé &lt;script&gt;" in html  # shown, as text
    assert "Commune &lt;img src=x onerror=alert(3)&gt;" in html
    ld_blocks = [s for (tag, a), s in zip([t for t in parsed.tags if t[0] == "script"], parsed.scripts, strict=True)
                 if a.get("type") == "application/ld+json"]
    assert len(ld_blocks) == 1
    data = json.loads(ld_blocks[0])  # the whole block parsed: the literal did not close the element
    assert data["name"] == "Registre piégé " + SCRIPT
    assert data["description"] == "Résumé " + BREAKOUT
    assert "</" not in ld_blocks[0] and "<!--" not in ld_blocks[0]


def test_generic_page_and_organisation_page_escape_labels(hostile: TestClient) -> None:
    for path in ("/doc/organisation/commune-piegee.html", "/doc/cas-usage/pstw-hostile.html?format=text/html"):
        response = hostile.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.text)
        assert "Commune &lt;img src=x onerror=alert(3)&gt;" in response.text


@pytest.mark.parametrize("path", [
    "/",
    "/cas-usage",
    "/cas-usage?q=" + SCRIPT,
    "/cas-usage?q=pi%C3%A9g%C3%A9",
    "/cas-usage?organisation=" + SCRIPT,
    "/cas-usage?domaine=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "/cas-usage?tri=titre&page=1&q=%22onmouseover=%22alert(1)",
    "/statistiques",
    "/sparql",
])
def test_listing_search_and_facets_escape_user_and_data_text(hostile: TestClient, path: str) -> None:
    response = hostile.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.text[:300])
    _assert_inert(response.text)


def test_search_finds_the_hostile_record_and_escapes_it(hostile: TestClient) -> None:
    html = hostile.get("/cas-usage", params={"q": "piégé"}).text
    assert "Registre piégé &lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html or \
        "Registre piégé &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    _assert_inert(html)


def test_every_template_is_autoescaped(hostile: TestClient) -> None:
    env = hostile.app.state.templates.env
    names = [n for n in env.list_templates() if n.endswith(".html")]
    assert len(names) >= 20
    assert env.autoescape is True  # for every template, whatever its file name
    for name in names:
        source = env.loader.get_source(env, name)[0]
        for line in source.splitlines():
            if "| safe" in line or "|safe" in line:  # only server-built, escaped strings are marked safe
                assert re.search(r"\{\{ (jsonld|examples_json|map_svg|year_svg|svgs\[name\]) \| safe \}\}", line), \
                    (name, line)


# ---- read-only: every entry refuses updates, LOAD, CLEAR and federated SERVICE -----------------------

UPDATES = [
    "INSERT DATA { <http://a.example/s> <http://a.example/p> <http://a.example/o> }",
    "LOAD <http://a.example/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://iat.test/graphe/bibliotheque>",
    "PREFIX ex: <http://a.example/>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
    "\\u0049NSERT DATA { <http://a.example/s> <http://a.example/p> 1 }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_refused_through_every_entry(hostile: TestClient, update: str) -> None:
    answers = [
        hostile.get("/sparql", params={"query": update}),
        hostile.get("/sparql", params={"update": update}),
        hostile.post("/sparql", data={"query": update}),
        hostile.post("/sparql", data={"update": update}),
        hostile.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"}),
        hostile.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
    ]
    for response in answers:
        assert response.status_code == 403, response.text
        assert response.json()["ok"] is False
    still = hostile.get("/sparql", params={"query": "ASK { <http://a.example/s> ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert still.json()["boolean"] is False


class _Listener:
    """A loopback socket that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(1.5)
        self.port = self.sock.getsockname()[1]
        self.connected = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        try:
            conn, _ = self.sock.accept()
            self.connected = True
            conn.close()
        except OSError:
            pass

    def close(self) -> None:
        self.thread.join(timeout=3)
        self.sock.close()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "select * where {{ ?s ?p ?o . service <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} LIMIT 1",
    "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
])
def test_federated_service_is_refused_and_never_connects(hostile: TestClient, template: str) -> None:
    """SERVICE would make our server call any host a client names (request forgery): refused."""
    listener = _Listener()
    try:
        response = hostile.get("/sparql", params={"query": template.format(port=listener.port)})
    finally:
        listener.close()
    assert response.status_code == 403, response.text
    assert "SERVICE" in response.json()["error"]
    assert listener.connected is False


@pytest.mark.parametrize("text", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://x>" } # SERVICE',
    "PREFIX ex: <http://a.example/>\nSELECT * WHERE { ?s ex:service ?o ; <http://a.example/SERVICE> ?x }",
])
def test_the_word_service_elsewhere_is_not_refused(text: str) -> None:
    assert refuse_updates(text).has_service is False


def test_service_refusal_names_the_reason() -> None:
    with pytest.raises(UpdateRefused) as info:
        refuse_updates("SELECT * WHERE { SERVICE <http://a.example/> { ?s ?p ?o } }")
    assert info.value.status == 403 and "fédérées" in info.value.message


# ---- IRIs from URL paths never reach a query as text -----------------------------------------------

@pytest.mark.parametrize("path", [
    "/id/cas-usage/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",  # x> ?p ?o } UNION { ?s ?p ?o
    "/doc/cas-usage/x%3E%7D%3B%20%23.ttl",
    "/doc/cas-usage/a%22%29%20%7C%7C%20true%20%7C%7C%20%28%22",  # a") || true || ("
    "/nomenclature/domaines%3E%20%7D",
    "/doc/cas-usage/a%0Ab",
    "/doc/cas-usage/a%5Cu003E",
])
def test_injection_attempts_in_paths_are_plain_404(hostile: TestClient, path: str) -> None:
    response = hostile.get(path)
    assert response.status_code == 404, response.text
    assert response.json()["ok"] is False


def test_sort_and_paging_parameters_are_whitelisted(hostile: TestClient) -> None:
    bad = hostile.get("/cas-usage.json", params={"tri": "titre; DROP TABLE docs"})
    assert bad.status_code == 400 and "tri" in bad.json()["error"]
    assert hostile.get("/cas-usage.json", params={"page": "1 OR 1=1"}).status_code == 400
    assert hostile.get("/cas-usage.json", params={"q": "') OR 1=1 --", "domaine": "' OR '1'='1"}).status_code == 200
    assert hostile.get("/cas-usage.json").json()["total"] >= 5  # the index is intact


# ---- redirects only to our own site ---------------------------------------------------------------

def test_replacement_outside_our_site_is_not_followed(hostile: TestClient) -> None:
    """A register's dct:isReplacedBy to another host must not turn our IRIs into an open redirect."""
    for path in ("/id/cas-usage/remplace-ailleurs", "/doc/cas-usage/remplace-ailleurs",
                 "/doc/cas-usage/remplace-ailleurs.ttl"):
        response = hostile.get(path)
        location = response.headers.get("location", "")
        assert not location.startswith("https://attaquant.example"), (path, location)
        if response.status_code in (301, 302, 303, 307, 308):
            assert location.startswith(BASE), location


@pytest.mark.parametrize("path", ["/id//attaquant.example/x", "/id/%2F%2Fattaquant.example", "/id/cas-usage/ancien-nom-du-tri"])
def test_redirect_locations_stay_on_the_base_url(hostile: TestClient, path: str) -> None:
    response = hostile.get(path)
    if response.status_code in (301, 302, 303, 307, 308):
        assert response.headers["location"].startswith(BASE), response.headers["location"]
    else:
        assert response.status_code == 404


def test_codepoint_escapes_cannot_hide_keywords() -> None:
    with pytest.raises(UpdateRefused):
        refuse_updates(r"\u0044ELETE WHERE { ?s ?p ?o }")
    with pytest.raises(UpdateRefused):
        refuse_updates(r"SELECT * WHERE { \U00000053ERVICE <http://a.example/> { ?s ?p ?o } }")


@pytest.mark.parametrize("path", ["/cas-usage/", "/sparql/?query=ASK%7B%7D", "/statistiques/", "/catalog/"])
def test_trailing_slash_redirect_ignores_a_forged_host_header(hostile: TestClient, path: str) -> None:
    """Starlette builds this redirect from ``Host``; a client (or a cache poisoner) chooses that header."""
    response = hostile.get(path, headers={"Host": "attaquant.example"})
    assert response.status_code == 307
    location = response.headers["location"]
    assert location.startswith(BASE) and "attaquant" not in location
    assert location.removeprefix(BASE) == path.strip("/").replace("/?", "?")


class _FailingSparqlServer(http.server.BaseHTTPRequestHandler):
    """A remote SPARQL server that fails with an internal message (a misconfigured Fuseki, say)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b"java.lang.NullPointerException at org.internal.Secret(Secret.java:42)"
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_remote_store_errors_do_not_disclose_the_internal_server(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A remote store's address and raw answers go to the log, not to the public."""
    var = tmp_path_factory.mktemp("var-remote-errors")
    servers.write_build(var, BASE, "remote-1")
    failing = http.server.HTTPServer(("127.0.0.1", 0), _FailingSparqlServer)
    thread = threading.Thread(target=failing.serve_forever, daemon=True)
    thread.start()
    closed = servers.free_port()
    try:
        for url in (f"http://127.0.0.1:{closed}/interne/sparql",
                    f"http://127.0.0.1:{failing.server_address[1]}/interne/sparql"):
            with TestClient(create_app(servers.make_settings(var, url))) as client:
                response = client.get("/sparql", params={"query": "ASK {}"})
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert "interne/sparql" not in error and "127.0.0.1" not in error
            assert "NullPointerException" not in error and "Secret" not in error
            assert "serveur SPARQL de la bibliothèque" in error
    finally:
        failing.shutdown()
        failing.server_close()


def test_unreadable_store_error_does_not_disclose_server_paths(tmp_path: Path) -> None:
    build = tmp_path / "builds" / "broken-1"
    (build / "store").mkdir(parents=True)  # a directory, but no RocksDB in it
    (build / "manifest.json").write_text('{"build_id": "broken-1"}', encoding="utf-8")
    (tmp_path / "current").symlink_to(Path("builds") / "broken-1")
    with TestClient(create_app(servers.make_settings(tmp_path, query_workers=1))) as client:
        response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert str(tmp_path) not in error and "CURRENT" not in error and "store illisible" in error


def test_missing_search_index_error_does_not_disclose_server_paths(tmp_path: Path) -> None:
    build = servers.write_build(tmp_path, BASE, "no-index-1")
    (build / "search.sqlite").unlink()
    with TestClient(create_app(servers.make_settings(tmp_path, query_workers=1))) as client:
        response = client.get("/cas-usage.json")
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert "index de recherche" in error and str(tmp_path) not in error and "search.sqlite" not in error


def test_html_has_a_strict_content_security_policy(hostile: TestClient) -> None:
    for path in ("/", "/doc/cas-usage/pstw-hostile.html", "/nulle-part"):
        response = hostile.get(path, headers={"Accept": "text/html"})
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, path
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in hostile.get("/doc/cas-usage/pstw-hostile.ttl").headers
    assert hostile.get("/doc/cas-usage/pstw-hostile.ttl").headers["x-content-type-options"] == "nosniff"
