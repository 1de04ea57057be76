"""``update_search_index`` re-indexes a few use cases of a copy of the previous index and gives what a
full ``write_search_index`` of the same store gives (compared by IRI: document numbers may differ).
Fictional data only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from ingest import search_index as si
from sparql_endpoint.search import Query, SearchIndex

BASE = "http://exemple.test/"
IAT, DCT, SKOS = si.IAT, si.DCT, si.SKOS
DOMAINS = ["eau", "dechets", "mobilite", "sante", "education"]
KINDS = ["commune", "departement", "region"]
PLACES = [("commune-75056", "75056", "Villefictive-sur-Seine"), ("commune-69123", "69123", "Bourg-Imaginaire"),
          ("departement-29", "29", "Finistère fictif"), ("nuts-dk04", None, "DK04")]
WORDS = ["détection", "fuites", "réseau", "données", "prévision", "tournées", "collecte", "agent",
         "conversationnel", "accueil", "Zéphyrine", "Quixotte", "orthophoto", "végétalisation"]


def _uc(k: int) -> str:
    return f"{BASE}id/cas-usage/fictif-{k:03d}"


def _trig(n: int) -> str:
    """``n`` fictional use cases of varied shape, their organisations, places and concepts."""
    g = {name: f"<{BASE}graphe/{name}>" for name in ("bibliotheque", "nl-algoritmeregister", "exemples", "nomenclature")}
    out = [f"@prefix iat: <{IAT}> . @prefix dct: <{DCT}> . @prefix skos: <{SKOS}> .",
           "@prefix airo: <https://w3id.org/airo#> . @prefix org: <http://www.w3.org/ns/org#> .",
           "@prefix schema: <https://schema.org/> . @prefix dcat: <http://www.w3.org/ns/dcat#> .",
           "@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    nom = [f"<{si.NOMENCLATURE}domaines/{d}> skos:inScheme <{si.NOMENCLATURE}domaines> ; "
           f'skos:prefLabel "Domaine {d}"@fr, "Domain {d}"@en .' for d in DOMAINS]
    nom += [f'<{si.NOMENCLATURE}types/{t}> skos:inScheme <{si.NOMENCLATURE}types> ; skos:prefLabel "Type {t}"@fr .'
            for t in KINDS]
    nom += [f'<{si.NOMENCLATURE}domaines/eau> skos:broader <{si.NOMENCLATURE}domaines/sante> .']
    out.append(f"{g['nomenclature']} {{ {' '.join(nom)} }}")
    lib = []
    for slug, code, label in PLACES:
        code_triple = f'; iat:inseeCode "{code}" ' if code else ""
        lib.append(f'<{BASE}id/territoire/{slug}> a dct:Location ; rdfs:label "{label}" {code_triple}.')
    for o in range(6):
        lib.append(f"<{BASE}id/organisation/orga-fictive-{o}> org:classification <{si.NOMENCLATURE}types/{KINDS[o % 3]}> ; "
                   f'dct:spatial <{BASE}id/territoire/{PLACES[o % 4][0]}> ; skos:prefLabel "Organisation fictive {o}"@fr .')
    for k in range(n):
        words = " ".join(WORDS[(k * 7 + j) % len(WORDS)] for j in range(3 + k % 5))
        triples = [f"<{_uc(k)}> a iat:UseCase", f'dct:title "Cas fictif {k % 9} {words}"@fr',
                   f'dct:abstract "Résumé du cas {k}: {words}."@fr',
                   f"iat:domain <{si.NOMENCLATURE}domaines/{DOMAINS[k % 5]}>",
                   f"airo:isDeployedBy <{BASE}id/organisation/orga-fictive-{k % 6}>",
                   f'schema:startDate "{2018 + k % 6}-0{1 + k % 9}-01"', f'dct:modified "2025-01-{1 + k % 28:02d}"']
        if k % 3 == 0:
            triples.append(f"iat:domain <{si.NOMENCLATURE}domaines/{DOMAINS[(k + 2) % 5]}>")
        if k % 4 == 0:
            triples.append(f'dcat:keyword "mot-clé {WORDS[k % len(WORDS)]}"@fr, "second mot {k}"@fr')
        if k % 5 == 0:
            triples.append(f"dct:spatial <{BASE}id/territoire/{PLACES[(k + 1) % 4][0]}>")
        if k == 7:
            triples.append("owl:deprecated true")
        lib.append(" ; ".join(triples) + " .")
    out.append(f"{g['bibliotheque']} {{ {' '.join(lib)} }}")
    # a register record the library also describes, a register-only record, a fictional example
    out.append(f"{g['nl-algoritmeregister']} {{ <{_uc(1)}> a iat:UseCase ; dct:title \"Algoritme fictief\"@nl ; "
               f"dct:abstract \"Het algoritme voorspelt fictieve fuiten\"@nl . "
               f"<{BASE}id/cas-usage/nl-fictief-1> a iat:UseCase ; dct:title \"Fictief register\"@nl ; "
               f"dct:language <http://publications.europa.eu/resource/authority/language/nl> . }}")
    out.append(f"{g['exemples']} {{ <{BASE}id/cas-usage/exemple-fictif> a iat:UseCase ; dct:title \"Exemple\"@fr . }}")
    return "\n".join(out)


def _store(n: int = 40) -> Store:
    store = Store()
    store.load(_trig(n).encode(), format=RdfFormat.TRIG)
    return store


def _graph(name: str) -> NamedNode:
    return NamedNode(f"{BASE}graphe/{name}")


def _remove(store: Store, iri: str) -> None:
    for quad in list(store.quads_for_pattern(NamedNode(iri), None, None, None)):
        store.remove(quad)


def _copy(store: Store, iri: str, new: str, title: str) -> None:
    for quad in list(store.quads_for_pattern(NamedNode(iri), None, None, None)):
        obj = Literal(title, language="fr") if quad.predicate.value == f"{DCT}title" else quad.object
        store.add(Quad(NamedNode(new), quad.predicate, obj, quad.graph_name))


def _set(store: Store, iri: str, prop: str, values: list, graph: str = "bibliotheque") -> None:
    for quad in list(store.quads_for_pattern(NamedNode(iri), NamedNode(prop), None, None)):
        store.remove(quad)
    for value in values:
        store.add(Quad(NamedNode(iri), NamedNode(prop), value, _graph(graph)))


def dump(path: Path) -> dict:
    """Everything the index says, by IRI: documents, facets, facet values (bitmaps as IRI sets),
    full-text entries (term, IRI, column, offset) and meta."""
    db = sqlite3.connect(path)
    iri = dict(db.execute("SELECT id, iri FROM docs"))
    numbers = sorted(iri)
    cols = [r[1] for r in db.execute("PRAGMA table_info(docs)") if r[1] != "id"]
    values = {}
    for f, v, label, en, pos, broader, n, bitmap in db.execute(
            "SELECT facet, value, label, label_en, position, broader, docs, bitmap FROM facet_values"):
        bits = int.from_bytes(bitmap, "little") if bitmap is not None else None
        members = None if bits is None else sorted(iri[i] for i in range(bits.bit_length()) if bits >> i & 1)
        values[(f, v)] = (label, en, pos, broader, n, members)
    db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'docs_fts', 'instance')")
    out = {
        "numbers": (numbers[0] if numbers else None, numbers[-1] if numbers else None, len(numbers)),
        "docs": {r[0]: r for r in db.execute(f"SELECT iri, {', '.join(cols)} FROM docs")},
        "facets": sorted((f, v, iri[d]) for f, v, d in db.execute("SELECT facet, value, doc FROM facets")),
        "facet_values": values,
        "fts": sorted((t, iri[d], c, o) for t, d, c, o in db.execute("SELECT term, doc, col, offset FROM temp.vocab")),
        "terms": sorted((iri[i], t, b) for i, t, b in db.execute("SELECT id, title, body FROM docs_terms")),
        "meta": dict(db.execute("SELECT key, value FROM meta")),
    }
    db.close()
    return out


def _assert_same(updated: Path, full: Path) -> None:
    a, b = dump(updated), dump(full)
    for key in a:
        assert a[key] == b[key], key


@pytest.fixture()
def previous(tmp_path):
    store = _store()
    (tmp_path / "old").mkdir()
    path = si.write_search_index(store, tmp_path / "old", BASE, "ancienne")
    return store, path


def _update_and_full(store, previous_path: Path, tmp_path: Path, iris: set[str]) -> tuple[Path, Path]:
    (tmp_path / "new").mkdir(exist_ok=True)
    (tmp_path / "full").mkdir(exist_ok=True)
    updated = si.update_search_index(store, previous_path, tmp_path / "new", BASE, "nouvelle", iris)
    full = si.write_search_index(store, tmp_path / "full", BASE, "nouvelle")
    return updated, full


def test_more_removed_than_added_moves_the_last_documents_into_the_gaps(previous, tmp_path):
    store, path = previous
    before = dump(path)
    gone = {_uc(2), _uc(3), _uc(11), _uc(20)}
    for iri in gone:
        _remove(store, iri)
    _copy(store, _uc(30), _uc(90), "Cas fictif ajouté Zéphyrine")
    _set(store, _uc(12), f"{DCT}title", [Literal("Titre changé orthophoto", language="fr")])
    _set(store, _uc(12), f"{IAT}domain", [NamedNode(f"{si.NOMENCLATURE}domaines/sante")])
    updated, full = _update_and_full(store, path, tmp_path, gone | {_uc(90), _uc(12)})
    _assert_same(updated, full)
    after = dump(updated)
    assert after["numbers"] == (1, len(before["docs"]) - 3, len(before["docs"]) - 3)  # no gap
    assert _uc(90) in after["docs"] and not gone & set(after["docs"])
    assert dump(path) == before  # the previous index is left as it was


def test_more_added_than_removed_and_a_register_record(previous, tmp_path):
    store, path = previous
    _remove(store, _uc(5))
    new = {f"{BASE}id/cas-usage/fictif-ajout-{k}" for k in range(6)}
    for k, iri in enumerate(sorted(new)):
        _copy(store, _uc(k + 10), iri, f"Ajout fictif {k} collecte")
    # the library record also described by the register loses its register description
    for quad in list(store.quads_for_pattern(NamedNode(_uc(1)), None, None, _graph("nl-algoritmeregister"))):
        store.remove(quad)
    updated, full = _update_and_full(store, path, tmp_path, new | {_uc(5), _uc(1)})
    _assert_same(updated, full)
    assert dump(updated)["numbers"][2] == len(dump(path)["docs"]) + 5


def test_deprecated_examples_and_unknown_iris_leave_or_stay_out(previous, tmp_path):
    store, path = previous
    _set(store, _uc(4), "http://www.w3.org/2002/07/owl#deprecated", [Literal(True)])
    _set(store, _uc(7), "http://www.w3.org/2002/07/owl#deprecated", [])  # no longer deprecated: back in
    iris = {_uc(4), _uc(7), f"{BASE}id/cas-usage/exemple-fictif", f"{BASE}id/cas-usage/inconnu"}
    updated, full = _update_and_full(store, path, tmp_path, iris)
    _assert_same(updated, full)
    docs = dump(updated)["docs"]
    assert _uc(7) in docs and _uc(4) not in docs and f"{BASE}id/cas-usage/exemple-fictif" not in docs


def test_a_facet_value_that_loses_its_last_document_disappears(previous, tmp_path):
    store, path = previous
    education = f"{si.NOMENCLATURE}domaines/education"
    holders = sorted({q.subject.value for q in store.quads_for_pattern(None, NamedNode(f"{IAT}domain"),
                                                                         NamedNode(education), None)})
    assert holders
    for iri in holders:
        _set(store, iri, f"{IAT}domain", [NamedNode(f"{si.NOMENCLATURE}domaines/eau")])
    updated, full = _update_and_full(store, path, tmp_path, set(holders))
    _assert_same(updated, full)
    assert ("domaine", education) in dump(path)["facet_values"]
    assert ("domaine", education) not in dump(updated)["facet_values"]


def test_the_reader_lists_the_same_pages_from_an_update_and_a_full_build(previous, tmp_path):
    store, path = previous
    for iri in (_uc(0), _uc(1), _uc(8)):
        _remove(store, iri)
    _copy(store, _uc(9), _uc(95), "Cas fictif 0 agent accueil")
    updated, full = _update_and_full(store, path, tmp_path, {_uc(0), _uc(1), _uc(8), _uc(95)})
    a, b = SearchIndex(updated), SearchIndex(full)
    queries = [Query(sort="titre", size=100), Query(sort="date", size=100), Query(sort="maj", size=100),
               Query(text="collecte", sort="pertinence", size=100),
               Query(text="fuites", filters={"domaine": [f"{si.NOMENCLATURE}domaines/eau"]}, size=100)]
    for query in queries:
        ra, rb = a.search(query), b.search(query)
        assert ra.total == rb.total
        assert [h.iri for h in ra.hits] == [h.iri for h in rb.hits], query
        groups = [[(g.spec.name, [(v.value, v.label, v.count) for v in g.values]) for g in r.facets] for r in (ra, rb)]
        assert groups[0] == groups[1] and groups[0]


def test_restricted_rows_read_only_the_given_use_cases():
    store = _store()
    docs, info = si.build_rows(store, BASE, {_uc(3), _uc(4), f"{BASE}id/cas-usage/inconnu"})
    assert [d["iri"] for d in docs] == [_uc(3), _uc(4)]
    full, full_info = si.build_rows(store, BASE)
    assert [d for d in full if d["iri"] in (_uc(3), _uc(4))] == docs
    assert all(full_info[key] == value for key, value in info.items())


def test_an_index_of_the_previous_schema_is_written_in_full(previous, tmp_path):
    store, path = previous
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE docs_terms")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    _remove(store, _uc(6))
    updated, full = _update_and_full(store, path, tmp_path, {_uc(6)})
    _assert_same(updated, full)
