"""Integrity of the SKOS nomenclature (``ontology/nomenclature/*.ttl``).

Each check is a SPARQL query that must return no row; a failure prints the offending IRIs.
The nomenclature files are loaded into the default graph of a pyoxigraph store, each reference
vocabulary copied in ``ontology/reference/`` into a named graph ``urn:ref:{file stem}``, so that every
mapping target can be checked against the vocabulary its namespace names.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOMENCLATURE_DIR = ROOT / "ontology" / "nomenclature"
REFERENCE_DIR = ROOT / "ontology" / "reference"
SCHEME_BASE = "https://w3id.org/ia-territoriales/nomenclature/"

SCHEME_FILES = sorted(NOMENCLATURE_DIR.glob("*.ttl"))
REFERENCE_FILES = sorted(REFERENCE_DIR.glob("*.ttl"))

# The schemes other modules (ontology, shapes, importers) refer to by slug: see docs/ARCHITECTURE.md.
REQUIRED_SCHEMES = {
    "domaines", "stades", "techniques", "finalites", "benefices", "publics", "automatisation",
    "controle-humain", "donnees", "modes-realisation", "hebergement", "types-collectivite",
    "metiers", "impacts-metiers", "garanties", "evaluations",
}

# Codes of the EU Publications Office "data-theme" authority table (not copied: 13 codes, stable since 2015).
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
DATA_THEME_CODES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"]

# Namespace of a mapping target -> named graph of the reference copy that must define it.
NAMESPACE_GRAPHS = [
    ("https://w3id.org/airo#", "urn:ref:airo"),
    ("https://w3id.org/vair#", "urn:ref:vair"),
    ("https://w3id.org/dpv/ai#", "urn:ref:dpv-ai"),
    ("https://w3id.org/dpv/legal/eu/aiact#", "urn:ref:dpv-eu-aiact"),
    ("https://w3id.org/dpv/sector/publicservices#", "urn:ref:dpv-sector-publicservices"),
    ("http://registry.it.csiro.au/def/agldwg/cofog/", "urn:ref:cofog"),
    (DATA_THEME, "urn:ref:data-theme"),
]
# DPV core is not copied (see ontology/reference/README.md): a dpv: target must at least be used by one
# of the copied DPV extensions, which reference DPV core concepts.
DPV_CORE = "https://w3id.org/dpv#"
DPV_EXTENSION_GRAPHS = ["urn:ref:dpv-ai", "urn:ref:dpv-eu-aiact", "urn:ref:dpv-sector-publicservices"]

PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _graph_of_namespace() -> str:
    expr = "?nothing"
    for ns, graph in reversed(NAMESPACE_GRAPHS):
        expr = f'IF(STRSTARTS(STR(?t), "{ns}"), <{graph}>, {expr})'
    return expr


MAPPING_QUERY = f"""
SELECT ?c ?p ?t WHERE {{
  VALUES ?p {{ skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }}
  ?c ?p ?t .
  BIND({_graph_of_namespace()} AS ?g)
  FILTER(
    IF(STRSTARTS(STR(?t), "{DPV_CORE}"),
       NOT EXISTS {{ GRAPH ?dg {{ {{ ?t ?a ?b }} UNION {{ ?a ?b ?t }} }}
                    FILTER(?dg IN ({", ".join(f"<{g}>" for g in DPV_EXTENSION_GRAPHS)})) }},
       !BOUND(?g) || NOT EXISTS {{ GRAPH ?g {{ ?t ?anyp ?anyo }} }}))
}}
"""

LABEL_QUERIES = {
    f"concept without skos:{prop}@{lang}": f"""
SELECT ?c WHERE {{ ?c a skos:Concept FILTER NOT EXISTS {{ ?c skos:{prop} ?l FILTER(LANG(?l) = "{lang}") }} }}
"""
    for prop in ("prefLabel", "definition")
    for lang in ("fr", "en")
}

QUERIES = {
    **LABEL_QUERIES,
    "more than one prefLabel in one language": """
SELECT ?c ?lang (COUNT(?l) AS ?n) WHERE { ?c a skos:Concept ; skos:prefLabel ?l BIND(LANG(?l) AS ?lang) }
GROUP BY ?c ?lang HAVING (COUNT(?l) > 1)
""",
    "label that is both preferred and alternative/hidden on one concept": """
SELECT ?c ?l1 WHERE { ?c skos:prefLabel|skos:altLabel ?l1 ; skos:hiddenLabel|skos:altLabel ?l2
  FILTER(!SAMETERM(?l1, ?l2) && LANG(?l1) = LANG(?l2) && LCASE(STR(?l1)) = LCASE(STR(?l2))) }
""",
    "concept without exactly one plain-literal notation": """
SELECT ?c (COUNT(?n) AS ?k) WHERE {
  ?c a skos:Concept
  OPTIONAL { ?c skos:notation ?n FILTER(DATATYPE(?n) = xsd:string && LANG(?n) = "") }
} GROUP BY ?c HAVING (COUNT(?n) != 1)
""",
    "notation that is not a lowercase ASCII slug": """
SELECT ?c ?n WHERE { ?c a skos:Concept ; skos:notation ?n FILTER(!REGEX(STR(?n), "^[a-z0-9]+(-[a-z0-9]+)*$")) }
""",
    "concept IRI is not {scheme IRI}/{notation}": """
SELECT ?c ?s ?n WHERE { ?c a skos:Concept ; skos:inScheme ?s ; skos:notation ?n
  FILTER(STR(?c) != CONCAT(STR(?s), "/", STR(?n))) }
""",
    "notation used twice in one scheme": """
SELECT ?s ?n (COUNT(DISTINCT ?c) AS ?k) WHERE { ?c skos:inScheme ?s ; skos:notation ?n }
GROUP BY ?s ?n HAVING (COUNT(DISTINCT ?c) > 1)
""",
    "concept not in exactly one of our schemes": """
SELECT ?c (COUNT(DISTINCT ?s) AS ?k) WHERE {
  ?c a skos:Concept OPTIONAL { ?c skos:inScheme ?s . ?s a skos:ConceptScheme }
} GROUP BY ?c HAVING (COUNT(DISTINCT ?s) != 1)
""",
    "skos:inScheme to an undeclared scheme, or resource in a scheme that is not a skos:Concept": """
SELECT ?c ?s WHERE { ?c skos:inScheme ?s
  FILTER(NOT EXISTS { ?s a skos:ConceptScheme } || NOT EXISTS { ?c a skos:Concept }) }
""",
    "scheme IRI not https://w3id.org/ia-territoriales/nomenclature/{slug}": f"""
SELECT ?s WHERE {{ ?s a skos:ConceptScheme
  FILTER(!REGEX(STR(?s), "^{SCHEME_BASE.replace(".", "[.]")}[a-z0-9]+(-[a-z0-9]+)*$")) }}
""",
    "scheme without dct:title/dct:description in fr and en, dct:source or top concept": """
SELECT ?s ?missing WHERE {
  ?s a skos:ConceptScheme .
  VALUES (?missing ?prop ?lang) {
    ("title@fr" dct:title "fr") ("title@en" dct:title "en")
    ("description@fr" dct:description "fr") ("description@en" dct:description "en")
    ("source" dct:source "") ("hasTopConcept" skos:hasTopConcept "") }
  FILTER NOT EXISTS { ?s ?prop ?v FILTER(?lang = "" || LANG(?v) = ?lang) }
}
""",
    "skos:broader cycle": """
SELECT DISTINCT ?c WHERE { ?c skos:broader+ ?c }
""",
    "skos:broader to a concept missing from the same scheme": """
SELECT ?c ?b WHERE { ?c skos:broader ?b ; skos:inScheme ?s
  FILTER NOT EXISTS { ?b a skos:Concept ; skos:inScheme ?s } }
""",
    "orphan concept (neither top concept nor broader)": """
SELECT ?c WHERE { ?c a skos:Concept
  FILTER NOT EXISTS { ?c skos:topConceptOf ?s } FILTER NOT EXISTS { ?c skos:broader ?b } }
""",
    "top concept that also has a broader concept": """
SELECT ?c ?b WHERE { ?c skos:topConceptOf ?s ; skos:broader ?b }
""",
    "hasTopConcept / topConceptOf / inScheme disagree": """
SELECT ?s ?c WHERE {
  { ?s skos:hasTopConcept ?c FILTER NOT EXISTS { ?c skos:topConceptOf ?s } }
  UNION { ?c skos:topConceptOf ?s FILTER NOT EXISTS { ?s skos:hasTopConcept ?c } }
  UNION { ?c skos:topConceptOf ?s FILTER NOT EXISTS { ?c skos:inScheme ?s } }
}
""",
    "two concepts of one scheme share a prefLabel in one language": """
SELECT ?s ?c1 ?c2 ?l1 WHERE {
  ?c1 skos:inScheme ?s ; skos:prefLabel ?l1 . ?c2 skos:inScheme ?s ; skos:prefLabel ?l2 .
  FILTER(STR(?c1) < STR(?c2) && LANG(?l1) = LANG(?l2) && LCASE(STR(?l1)) = LCASE(STR(?l2)))
}
""",
    "two concepts of one scheme share a hiddenLabel (register value mapped twice)": """
SELECT ?s ?c1 ?c2 ?l1 WHERE {
  ?c1 skos:inScheme ?s ; skos:hiddenLabel ?l1 . ?c2 skos:inScheme ?s ; skos:hiddenLabel ?l2 .
  FILTER(STR(?c1) < STR(?c2) && LANG(?l1) = LANG(?l2) && LCASE(STR(?l1)) = LCASE(STR(?l2)))
}
""",
    "hiddenLabel of one concept is a visible label of another in the same scheme": """
SELECT ?s ?c1 ?c2 ?l1 WHERE {
  ?c1 skos:inScheme ?s ; skos:hiddenLabel ?l1 . ?c2 skos:inScheme ?s ; skos:prefLabel|skos:altLabel ?l2 .
  FILTER(?c1 != ?c2 && LANG(?l1) = LANG(?l2) && LCASE(STR(?l1)) = LCASE(STR(?l2)))
}
""",
    "one target mapped with two different mapping relations from one concept": """
SELECT ?c ?t ?p1 ?p2 WHERE {
  VALUES ?p1 { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  VALUES ?p2 { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  ?c ?p1 ?t ; ?p2 ?t FILTER(STR(?p1) < STR(?p2))
}
""",
    "mapping relation pointing into our own nomenclature (use skos:broader/related instead)": f"""
SELECT ?c ?p ?t WHERE {{
  VALUES ?p {{ skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }}
  ?c ?p ?t FILTER(STRSTARTS(STR(?t), "{SCHEME_BASE}"))
}}
""",
    "mapping target missing from the reference vocabulary its namespace names": MAPPING_QUERY,
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st = ox.Store()
    for path in SCHEME_FILES:
        st.load(path=str(path), format=ox.RdfFormat.TURTLE)
    for path in REFERENCE_FILES:
        st.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:ref:{path.stem}"))
    themes = ox.NamedNode("urn:ref:data-theme")
    skos_concept = ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for code in DATA_THEME_CODES:
        st.add(ox.Quad(ox.NamedNode(DATA_THEME + code), rdf_type, skos_concept, themes))
    return st


def _rows(store: ox.Store, query: str) -> list[str]:
    result = store.query(PREFIXES + query)
    names = result.variables
    return [" ".join(f"{v.value}={row[v].value if row[v] is not None else '-'}" for v in names) for row in result]


def test_reference_copies_are_present() -> None:
    stems = {p.stem for p in REFERENCE_FILES}
    expected = {"airo", "vair", "dpv-ai", "dpv-eu-aiact", "dpv-sector-publicservices", "cofog"}
    assert expected <= stems, f"copies manquantes dans ontology/reference/ : {sorted(expected - stems)}"


def test_reference_copies_match_readme_digests() -> None:
    readme = (REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    digests = dict(re.findall(r"^- `([\w.-]+\.ttl)` `([0-9a-f]{16})`$", readme, flags=re.M))
    assert set(digests) == {p.name for p in REFERENCE_FILES}, "README.md must list a digest for every copy"
    for path in REFERENCE_FILES:
        actual = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        assert actual == digests[path.name], f"{path.name} differs from the published copy recorded in README.md"


@pytest.mark.parametrize("name", list(QUERIES))
def test_integrity_query_returns_nothing(store: ox.Store, name: str) -> None:
    rows = _rows(store, QUERIES[name])
    assert not rows, f"{name}: {len(rows)} offending row(s)\n" + "\n".join(rows[:50])


@pytest.mark.parametrize("path", SCHEME_FILES, ids=[p.stem for p in SCHEME_FILES])
def test_one_scheme_per_file_named_after_it(path: Path) -> None:
    st = ox.Store()
    st.load(path=str(path), format=ox.RdfFormat.TURTLE)
    schemes = [row["s"].value for row in st.query(PREFIXES + "SELECT ?s WHERE { ?s a skos:ConceptScheme }")]
    assert schemes == [SCHEME_BASE + path.stem], f"{path.name}: expected one scheme {SCHEME_BASE + path.stem}, got {schemes}"
    strays = _rows(st, f"""
SELECT ?c WHERE {{ ?c a skos:Concept FILTER NOT EXISTS {{ ?c skos:inScheme <{SCHEME_BASE + path.stem}> }} }}""")
    assert not strays, f"{path.name} holds concepts of another scheme:\n" + "\n".join(strays)


def test_mapping_check_catches_a_missing_target(store: ox.Store) -> None:
    """The existence check itself works: a made-up target in each checked namespace is reported."""
    probe = ox.NamedNode(SCHEME_BASE + "domaines/eau-assainissement")
    close = ox.NamedNode("http://www.w3.org/2004/02/skos/core#closeMatch")
    probe_graph = ox.Store()
    for quad in store:
        probe_graph.add(quad)
    fakes = [ns + "DoesNotExist99" for ns, _ in NAMESPACE_GRAPHS] + [DPV_CORE + "DoesNotExist99", "https://example.org/unknown#X"]
    for fake in fakes:
        probe_graph.add(ox.Quad(probe, close, ox.NamedNode(fake)))
    reported = {row.split("t=")[-1] for row in _rows(probe_graph, MAPPING_QUERY)}
    assert reported == set(fakes)


def test_scheme_and_concept_counts(store: ox.Store) -> None:
    per_scheme = {
        row["s"].value.removeprefix(SCHEME_BASE): int(row["n"].value)
        for row in store.query(PREFIXES + """
SELECT ?s (COUNT(?c) AS ?n) WHERE { ?s a skos:ConceptScheme OPTIONAL { ?c skos:inScheme ?s } } GROUP BY ?s""")
    }
    total = sum(per_scheme.values())
    print(f"\nnomenclature: {len(per_scheme)} schemes, {total} concepts: {dict(sorted(per_scheme.items()))}")
    assert len(SCHEME_FILES) >= 15
    assert len(per_scheme) == len(SCHEME_FILES)
    assert set(per_scheme) >= REQUIRED_SCHEMES, f"schemes missing: {sorted(REQUIRED_SCHEMES - set(per_scheme))}"
    assert min(per_scheme.values()) >= 5, f"a scheme with fewer than 5 concepts: {per_scheme}"
    assert total >= 250
