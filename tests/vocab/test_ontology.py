"""Integrity of the OWL ontology (``ontology/ontologie.ttl``) and of its example.

Most checks are SPARQL queries that must return nothing; a failure prints the offending IRIs.

Existence of the standard terms the ontology points to:
- dct, dcat, org, prov, foaf, skos, schema, vann, rdf, rdfs, owl, xsd: the closed term lists that rdflib ships
  (``rdflib.namespace.DCTERMS`` etc.);
- airo, vair, ai, eu-aiact: the project copies in ``ontology/reference/`` (see its README);
- dpv (core): no copy of DPV core could be shipped (see ``ontology/reference/README.md``), so the few DPV core
  terms the ontology uses are listed below, each checked by hand against the DPV 2.3 term list
  (w3c/dpv, https://w3id.org/dpv, 2.3 release); a new dpv: term must be checked and added here.
- vcard, adms, dqv: namespace only (no machine-readable term list in the project).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib.namespace as rns
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_FILE = ROOT / "ontology" / "ontologie.ttl"
CHANGELOG = ROOT / "ontology" / "CHANGELOG.md"
REFERENCE_DIR = ROOT / "ontology" / "reference"
EXAMPLES_DIR = ROOT / "ontology" / "examples"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"

ONTOLOGY_IRI = "https://w3id.org/ia-territoriales/def"
IAT = "https://w3id.org/ia-territoriales/def#"
VERSION = "0.1.0"
EXAMPLE_BASE = "http://127.0.0.1:8000/"

# Namespaces an ontology axiom may point to, and how the existence of a term is checked.
# (rdflib's closed namespaces are reached through the module, not imported by name: pytest would probe them.)
RDFLIB_CLOSED: dict[str, type[rns.DefinedNamespace]] = {
    str(namespace): namespace
    for namespace in (
        rns.DCTERMS,
        rns.DCAT,
        rns.ORG,
        rns.PROV,
        rns.FOAF,
        rns.SKOS,
        rns.SDO,
        rns.VANN,
        rns.RDF,
        rns.RDFS,
        rns.OWL,
        rns.XSD,
    )
}
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
REFERENCE_NAMESPACES = {
    "https://w3id.org/airo#": "airo.ttl",
    "https://w3id.org/vair#": "vair.ttl",
    "https://w3id.org/dpv/ai#": "dpv-ai.ttl",
    "https://w3id.org/dpv/legal/eu/aiact#": "dpv-eu-aiact.ttl",
}
DPV = "https://w3id.org/dpv#"
# DPV core 2.3 terms used by the ontology, each checked against the DPV 2.3 term list.
DPV_CORE_TERMS = frozenset(
    DPV + name
    for name in (
        "ImpactAssessment",
        "hasData",
        "hasDataSource",
        "hasHumanInvolvement",
        "hasImpact",
        "hasImpactAssessment",
        "hasLegalBasis",
        "hasRecordOfActivity",
        "hasResponsibleEntity",
        "hasTechnicalOrganisationalMeasure",
    )
)
NAMESPACE_ONLY = (
    "http://www.w3.org/2006/vcard/ns#",
    "http://www.w3.org/ns/adms#",
    "http://www.w3.org/ns/dqv#",
)
KNOWN_NAMESPACES = (*RDFLIB_CLOSED, *REFERENCE_NAMESPACES, DPV, *NAMESPACE_ONLY)

PREFIXES = """
PREFIX iat: <https://w3id.org/ia-territoriales/def#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX vann: <http://purl.org/vocab/vann/>
"""

# The kinds of term the ontology declares.
TERM_KINDS = "owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty"


def select(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(PREFIXES + query)]


def assert_empty(graph: Graph, query: str, what: str) -> None:
    rows = select(graph, query)
    lines = sorted(" ".join(str(value) for value in row) for row in rows)
    assert not rows, f"{what} ({len(rows)}):\n  " + "\n  ".join(lines)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_FILE, format="turtle")
    return graph


@pytest.fixture(scope="module")
def iat_terms(ontology: Graph) -> set[str]:
    rows = select(
        ontology,
        f"SELECT DISTINCT ?t WHERE {{ VALUES ?k {{ {TERM_KINDS} }} ?t a ?k FILTER(STRSTARTS(STR(?t), STR(iat:))) }}",
    )
    return {str(row[0]) for row in rows}


# --- the ontology itself ----------------------------------------------------------------------------


def test_ontology_parses_and_declares_terms(iat_terms: set[str]) -> None:
    # 12 classes and 45 properties in 0.1.0; terms are only ever added.
    assert len(iat_terms) >= 57, sorted(iat_terms)


def test_header(ontology: Graph) -> None:
    assert_empty(
        ontology,
        f"""SELECT ?missing WHERE {{
            VALUES ?missing {{ owl:versionIRI owl:versionInfo dct:license dct:creator dct:created dct:modified
                               vann:preferredNamespacePrefix vann:preferredNamespaceUri }}
            FILTER NOT EXISTS {{ <{ONTOLOGY_IRI}> a owl:Ontology ; ?missing ?value }}
        }}""",
        "the ontology header lacks",
    )
    assert_empty(
        ontology,
        f"""SELECT ?property ?lang WHERE {{
            VALUES ?property {{ dct:title dct:description }} VALUES ?lang {{ "fr" "en" }}
            FILTER NOT EXISTS {{ <{ONTOLOGY_IRI}> ?property ?text FILTER(LANG(?text) = ?lang) }}
        }}""",
        "the ontology header lacks a title or description in",
    )
    assert_empty(
        ontology, "SELECT ?o ?imported WHERE { ?o owl:imports ?imported }", "owl:imports is not used"
    )
    ontology_iri = URIRef(ONTOLOGY_IRI)
    assert ontology.value(ontology_iri, rns.OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{VERSION}")
    assert ontology.value(ontology_iri, rns.OWL.versionInfo) == Literal(VERSION)
    assert ontology.value(ontology_iri, rns.VANN.preferredNamespacePrefix) == Literal("iat")
    assert ontology.value(ontology_iri, rns.VANN.preferredNamespaceUri) == Literal(IAT)


def test_changelog_has_the_current_version() -> None:
    versions = re.findall(r"^## \[?(\d+\.\d+\.\d+)", CHANGELOG.read_text(encoding="utf-8"), re.MULTILINE)
    assert versions, f"{CHANGELOG}: no '## x.y.z' entry"
    assert versions[0] == VERSION, f"{CHANGELOG}: latest entry {versions[0]}, ontology {VERSION}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_term_has_a_label(ontology: Graph, lang: str) -> None:
    assert_empty(
        ontology,
        f"""SELECT ?term WHERE {{
            VALUES ?kind {{ {TERM_KINDS} }} ?term a ?kind FILTER(STRSTARTS(STR(?term), STR(iat:)))
            FILTER NOT EXISTS {{ ?term rdfs:label ?label FILTER(LANG(?label) = "{lang}") }}
        }}""",
        f"terms without rdfs:label@{lang}",
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_term_has_a_definition(ontology: Graph, lang: str) -> None:
    assert_empty(
        ontology,
        f"""SELECT ?term WHERE {{
            VALUES ?kind {{ {TERM_KINDS} }} ?term a ?kind FILTER(STRSTARTS(STR(?term), STR(iat:)))
            FILTER NOT EXISTS {{ ?term skos:definition ?definition FILTER(LANG(?definition) = "{lang}") }}
        }}""",
        f"terms without skos:definition@{lang}",
    )


def test_at_most_one_label_and_definition_per_language(ontology: Graph) -> None:
    assert_empty(
        ontology,
        """SELECT ?term ?property (LANG(?a) AS ?lang) WHERE {
            VALUES ?property { rdfs:label skos:definition }
            ?term ?property ?a , ?b FILTER(STRSTARTS(STR(?term), STR(iat:)))
            FILTER(LANG(?a) = LANG(?b) && STR(?a) < STR(?b))
        }""",
        "terms with two labels or definitions in one language",
    )


def test_every_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    assert_empty(
        ontology,
        f"""SELECT ?term WHERE {{
            VALUES ?kind {{ {TERM_KINDS} }} ?term a ?kind FILTER(STRSTARTS(STR(?term), STR(iat:)))
            FILTER NOT EXISTS {{ ?term rdfs:isDefinedBy <{ONTOLOGY_IRI}> }}
        }}""",
        "terms without rdfs:isDefinedBy the ontology",
    )


def test_every_iat_iri_used_is_declared_once(ontology: Graph) -> None:
    assert_empty(
        ontology,
        f"""SELECT DISTINCT ?term WHERE {{
            {{ ?term ?p ?o }} UNION {{ ?s ?term ?o }} UNION {{ ?s ?p ?term }}
            FILTER(isIRI(?term) && STRSTARTS(STR(?term), STR(iat:)))
            FILTER NOT EXISTS {{ VALUES ?kind {{ {TERM_KINDS} }} ?term a ?kind }}
        }}""",
        "iat: IRIs used but not declared",
    )
    assert_empty(
        ontology,
        f"""SELECT ?term ?k1 ?k2 WHERE {{
            VALUES ?k1 {{ {TERM_KINDS} }} VALUES ?k2 {{ {TERM_KINDS} }}
            ?term a ?k1 , ?k2 FILTER(STRSTARTS(STR(?term), STR(iat:)) && STR(?k1) < STR(?k2))
        }}""",
        "terms declared with two kinds",
    )


def test_property_ranges_match_their_kind(ontology: Graph) -> None:
    assert_empty(
        ontology,
        """SELECT ?property ?range WHERE {
            ?property a owl:DatatypeProperty ; rdfs:range ?range
            FILTER(!STRSTARTS(STR(?range), STR(xsd:)) && ?range NOT IN (rdf:langString, rdfs:Literal))
        }""",
        "datatype properties whose range is not a datatype",
    )
    assert_empty(
        ontology,
        """SELECT ?property ?range WHERE {
            ?property a owl:ObjectProperty ; rdfs:range ?range
            FILTER(STRSTARTS(STR(?range), STR(xsd:)) || ?range IN (rdf:langString, rdfs:Literal))
        }""",
        "object properties whose range is a datatype",
    )


def test_no_subclass_or_subproperty_cycle(ontology: Graph) -> None:
    assert_empty(
        ontology,
        """SELECT DISTINCT ?term WHERE {
            { ?term rdfs:subClassOf+ ?term } UNION { ?term rdfs:subPropertyOf+ ?term }
        }""",
        "terms that are their own ancestors",
    )


# --- the model table of docs/ARCHITECTURE.md ----------------------------------------------------------


def architecture_terms() -> set[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return {IAT + name for name in re.findall(r"\biat:([A-Za-z][A-Za-z0-9_]*)", text)}


def test_every_term_of_the_model_table_is_declared(iat_terms: set[str]) -> None:
    documented = architecture_terms()
    assert len(documented) >= 50, f"only {len(documented)} iat: terms found in {ARCHITECTURE}"
    missing = sorted(documented - iat_terms)
    assert not missing, f"iat: terms of {ARCHITECTURE.name} not declared in the ontology:\n  " + "\n  ".join(
        missing
    )


def test_every_declared_term_is_in_the_model_table(iat_terms: set[str]) -> None:
    undocumented = sorted(iat_terms - architecture_terms())
    assert not undocumented, (
        f"terms of the ontology missing from the model table of {ARCHITECTURE.name}:\n  "
        + "\n  ".join(undocumented)
    )


# --- standard terms the ontology points to ----------------------------------------------------------


@pytest.fixture(scope="module")
def reference_subjects() -> dict[str, set[str]]:
    """Namespace -> IRIs declared (as subjects) in its reference copy."""
    subjects: dict[str, set[str]] = {}
    for namespace, filename in REFERENCE_NAMESPACES.items():
        path = REFERENCE_DIR / filename
        assert path.is_file(), f"reference copy missing: {path} (see ontology/reference/README.md)"
        graph = Graph().parse(path, format="turtle")
        subjects[namespace] = {str(s) for s in graph.subjects(RDF_TYPE, None) if isinstance(s, URIRef)}
    return subjects


def external_terms(ontology: Graph) -> set[str]:
    """Standard IRIs the ontology uses as predicate, class or axiom target (not as plain data)."""
    rows = select(
        ontology,
        """SELECT DISTINCT ?term WHERE {
            { ?s ?term ?o }
            UNION { ?s a ?term }
            UNION { VALUES ?axiom { rdfs:subClassOf rdfs:subPropertyOf rdfs:domain rdfs:range owl:inverseOf
                                    owl:equivalentClass owl:equivalentProperty rdfs:seeAlso }
                    ?s ?axiom ?term }
            FILTER(isIRI(?term) && !STRSTARTS(STR(?term), STR(iat:)))
        }""",
    )
    return {str(row[0]) for row in rows}


CHECKED_NAMESPACES = (*RDFLIB_CLOSED, *REFERENCE_NAMESPACES, DPV)


def example_terms(example: Graph) -> set[str]:
    """Standard IRIs the example uses as predicate or class, and any value in a checked namespace."""
    terms = {str(p) for p in example.predicates()} | {str(o) for o in example.objects(None, RDF_TYPE)}
    terms |= {
        str(o) for o in example.objects() if isinstance(o, URIRef) and str(o).startswith(CHECKED_NAMESPACES)
    }
    return {t for t in terms if not t.startswith(IAT)}


def missing_terms(terms: set[str], reference_subjects: dict[str, set[str]]) -> tuple[int, list[str]]:
    """(number of terms checked, those that do not exist)."""
    missing: list[str] = []
    checked = 0
    for term in sorted(terms):
        namespace = next((ns for ns in RDFLIB_CLOSED if term.startswith(ns)), None)
        if namespace is not None:
            checked += 1
            if URIRef(term) not in RDFLIB_CLOSED[namespace]:
                missing.append(f"{term} (not in rdflib's {RDFLIB_CLOSED[namespace].__name__})")
            continue
        namespace = next((ns for ns in REFERENCE_NAMESPACES if term.startswith(ns)), None)
        if namespace is not None:
            checked += 1
            if term not in reference_subjects[namespace]:
                missing.append(f"{term} (not in ontology/reference/{REFERENCE_NAMESPACES[namespace]})")
            continue
        if term.startswith(DPV):
            checked += 1
            if term not in DPV_CORE_TERMS:
                missing.append(f"{term} (not among the checked DPV core terms of this test)")
    return checked, missing


def test_axiom_targets_are_in_known_namespaces(ontology: Graph) -> None:
    unknown = sorted(t for t in external_terms(ontology) if not t.startswith(KNOWN_NAMESPACES))
    assert not unknown, "terms outside the known namespaces:\n  " + "\n  ".join(unknown)


def test_standard_terms_exist(ontology: Graph, reference_subjects: dict[str, set[str]]) -> None:
    checked, missing = missing_terms(external_terms(ontology), reference_subjects)
    assert checked >= 40, f"only {checked} standard terms checked"
    assert not missing, "standard terms that do not exist:\n  " + "\n  ".join(missing)


def test_example_standard_terms_exist(reference_subjects: dict[str, set[str]]) -> None:
    for ttl, _ in example_pairs():
        terms = example_terms(read_example(ttl))
        unknown = sorted(t for t in terms if not t.startswith(KNOWN_NAMESPACES))
        assert not unknown, f"{ttl.name}: terms outside the known namespaces:\n  " + "\n  ".join(unknown)
        checked, missing = missing_terms(terms, reference_subjects)
        assert checked >= 30, f"{ttl.name}: only {checked} standard terms checked"
        assert not missing, f"{ttl.name}: standard terms that do not exist:\n  " + "\n  ".join(missing)


def test_checked_dpv_core_terms_are_all_used(ontology: Graph) -> None:
    # Keeps the hand-checked list honest: it names only terms the ontology or its example really use.
    used = external_terms(ontology).union(*(example_terms(read_example(ttl)) for ttl, _ in example_pairs()))
    unused = sorted(DPV_CORE_TERMS - used)
    assert not unused, "DPV core terms listed but not used:\n  " + "\n  ".join(unused)


# --- the example, in two serialisations -------------------------------------------------------------


def example_pairs() -> list[tuple[Path, Path]]:
    return [(ttl, ttl.with_suffix(".jsonld")) for ttl in sorted(EXAMPLES_DIR.glob("*.ttl"))]


def test_examples_collected() -> None:
    pairs = example_pairs()
    assert len(pairs) >= 1, f"no example in {EXAMPLES_DIR}"
    jsonld = sorted(EXAMPLES_DIR.glob("*.jsonld"))
    assert len(jsonld) == len(pairs), f"every example needs a Turtle and a JSON-LD file: {jsonld}"


def read_example(ttl: Path) -> Graph:
    return Graph().parse(ttl, format="turtle", publicID=EXAMPLE_BASE)


@pytest.mark.parametrize("ttl,jsonld", example_pairs(), ids=lambda p: p.name)
def test_example_serialisations_are_isomorphic(ttl: Path, jsonld: Path) -> None:
    assert jsonld.is_file(), f"{ttl.name} has no JSON-LD twin {jsonld.name}"
    document = json.loads(jsonld.read_text(encoding="utf-8"))
    assert document["@context"]["@base"] == EXAMPLE_BASE, f"{jsonld.name}: @base must be {EXAMPLE_BASE}"
    from_turtle = read_example(ttl)
    from_jsonld = Graph().parse(jsonld, format="json-ld")
    assert len(from_turtle) > 100
    if not isomorphic(from_turtle, from_jsonld):
        _, only_ttl, only_jsonld = graph_diff(to_isomorphic(from_turtle), to_isomorphic(from_jsonld))
        pytest.fail(
            f"{ttl.name} and {jsonld.name} differ.\nOnly in Turtle:\n{only_ttl.serialize(format='nt')}"
            f"\nOnly in JSON-LD:\n{only_jsonld.serialize(format='nt')}"
        )


@pytest.fixture(scope="module")
def example_with_ontology(ontology: Graph) -> Graph:
    ttl, _ = example_pairs()[0]
    graph = read_example(ttl)
    for triple in ontology:
        graph.add(triple)
    return graph


def test_example_uses_every_term(ontology: Graph, iat_terms: set[str]) -> None:
    """The example is complete: it instantiates every class and uses every property of the ontology."""
    ttl, _ = example_pairs()[0]
    example = read_example(ttl)
    used = {str(p) for p in example.predicates()} | {str(o) for o in example.objects(None, RDF_TYPE)}
    # an abstract class (iat:SharedResource) counts as used when one of its subclasses is instantiated
    for cls in list(used):
        used |= {str(c) for c in ontology.transitive_objects(URIRef(cls), rns.RDFS.subClassOf)}
    unused = sorted(iat_terms - used)
    assert not unused, f"terms not exercised by {ttl.name}:\n  " + "\n  ".join(unused)
    undeclared = sorted(t for t in used if t.startswith(IAT) and t not in iat_terms)
    assert not undeclared, f"iat: terms of {ttl.name} not declared:\n  " + "\n  ".join(undeclared)


def test_example_literals_match_ranges(example_with_ontology: Graph) -> None:
    assert_empty(
        example_with_ontology,
        """SELECT ?s ?p ?o WHERE {
            ?p a owl:DatatypeProperty ; rdfs:range ?range . ?s ?p ?o
            FILTER(!isLiteral(?o) || DATATYPE(?o) != ?range)
        }""",
        "values that do not match the range of their datatype property",
    )
    assert_empty(
        example_with_ontology,
        """SELECT ?s ?p ?o WHERE { ?p a owl:ObjectProperty . ?s ?p ?o FILTER(isLiteral(?o)) }""",
        "literals given to object properties",
    )


def test_example_respects_domains_and_class_ranges(example_with_ontology: Graph) -> None:
    assert_empty(
        example_with_ontology,
        """SELECT ?s ?p ?domain WHERE {
            ?p rdfs:domain ?domain FILTER(STRSTARTS(STR(?p), STR(iat:)))
            ?s ?p ?o FILTER NOT EXISTS { ?s a/rdfs:subClassOf* ?domain }
        }""",
        "subjects not typed with the domain of their property",
    )
    assert_empty(
        example_with_ontology,
        """SELECT ?s ?p ?o ?range WHERE {
            ?p a owl:ObjectProperty ; rdfs:range ?range FILTER(STRSTARTS(STR(?p), STR(iat:)))
            FILTER(?range NOT IN (skos:Concept, rdfs:Resource))
            ?s ?p ?o FILTER NOT EXISTS { ?o a/rdfs:subClassOf* ?range }
        }""",
        "values not typed with the range of their property",
    )


@pytest.mark.parametrize("ttl,jsonld", example_pairs(), ids=lambda p: p.name)
def test_example_conforms_to_the_shapes(ttl: Path, jsonld: Path) -> None:
    """The example stays true: it conforms to shapes/ with the nomenclature (warnings included)."""
    from ingest.validate import validate_files

    for path in (ttl, jsonld):
        report = validate_files([path], EXAMPLE_BASE)
        problems = [f"{r.severity} {r.focus_node} {r.path} {r.value}: {r.message_en}" for r in report.results]
        assert report.conforms and not problems, f"{path.name}:\n  " + "\n  ".join(problems)
