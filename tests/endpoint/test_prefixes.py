"""The service's prefix table is the project's (ingest/namespaces.py), which it may not import."""

from __future__ import annotations

from ingest.namespaces import PREFIXES as INGEST_PREFIXES
from sparql_endpoint.prefixes import PREFIXES, all_prefixes, sparql_prologue


def test_same_prefixes_as_ingest() -> None:
    assert PREFIXES == INGEST_PREFIXES


def test_data_prefixes_follow_the_base_url() -> None:
    prefixes = all_prefixes("https://ia.example.fr/")
    assert prefixes["cas"] == "https://ia.example.fr/id/cas-usage/"
    assert sparql_prologue({"dct": PREFIXES["dct"]}) == "PREFIX dct: <http://purl.org/dc/terms/>\n"


def test_sparql_endpoint_never_imports_ingest() -> None:
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "sparql_endpoint"
    offenders = [p.name for p in package.rglob("*.py") if "import ingest" in p.read_text() or "from ingest" in p.read_text()]
    assert offenders == []
