"""Every ``Link: rel="alternate"`` of the catalogue and the downloads page leads to what it announces
(200, the announced media type), and HEAD gives GET's headers without a body."""

from __future__ import annotations

import re

import pytest

IGNORED = {"date", "content-length", "server"}


@pytest.mark.parametrize("path", ["/catalog", "/catalog.ttl", "/catalog.jsonld", "/catalog.rdf"])
def test_catalog_alternates_are_served_as_announced(client, catalog_build, path: str) -> None:
    base = catalog_build.base_url
    links = re.findall(r'<([^>]+)>;\s*rel="alternate";\s*type="([^"]+)"', client.get(path).headers["link"])
    assert len(links) == 4  # Turtle, JSON-LD, RDF/XML, N-Triples
    for url, media_type in links:
        followed = client.get("/" + url.removeprefix(base))
        assert followed.status_code == 200, url
        assert followed.headers["content-type"].split(";")[0] == media_type, url
        assert "charset=utf-8" in followed.headers["content-type"]


@pytest.mark.parametrize("path", ["/catalog", "/catalog.ttl", "/.well-known/void", "/telechargements",
                                  "/sitemap.xml", "/robots.txt"])
def test_head_is_get_without_body(client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert {k: v for k, v in head.headers.items() if k not in IGNORED} == \
        {k: v for k, v in get.headers.items() if k not in IGNORED}
