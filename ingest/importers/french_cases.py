"""The library's own French content: the sheet of French local AI projects -> data/ (one file a record).

``sources/french-cases/french-territorial-ai-cases.csv`` lists 74 local projects (``LOC-*``), each with
its public sources, and 5 State cases (``ETAT-*``) that must not be attributed to a local authority:
those are left out. Every published fact comes from the row; value mappings onto the nomenclature are
data (``ingest/mappings/french-cases-*.csv``), reviewed by hand, and checked here against the row they
were written for, so a changed sheet fails loudly instead of publishing a stale mapping.

    python -m ingest.importers.french_cases [DATA_DIR] [--base URL]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from ingest import iris
from ingest.iris import ascii_fold, normalise_org_name
from ingest.namespaces import AIRO, IAT, LANG, ONTOLOGY_IRI, SCHEMA, bind_prefixes, concept_iri
from ingest.rdfio import read_graph, write_turtle

ROOT = Path(__file__).resolve().parent.parent.parent
FICHE_RELPATH = "french-cases/french-territorial-ai-cases.csv"
FICHE = ROOT / "sources" / FICHE_RELPATH
MAPPINGS_DIR = ROOT / "ingest" / "mappings"
NOMENCLATURE_DIR = ROOT / "ontology" / "nomenclature"
DEFAULT_BASE = "http://127.0.0.1:8000/"
# The sheet carries no compilation date; this is the day it was received into the project
# (sources/french-cases/PROVENANCE.md). A constant, so that output does not change from run to run.
FICHE_DATE = "2026-11-26"

COLUMNS = (
    "id", "collectivite", "type_collectivite", "code_insee_ou_siren", "projet", "description_fr",
    "domaine", "technique_ia", "statut", "annee_debut", "partenaire", "ouverture_code_donnees",
    "source_url", "source_date", "notes",
)
NOT_GIVEN = re.compile(r"^non pr[ée]cis[ée]", re.IGNORECASE)
QUALIFICATION_NOTES = {
    "gouvernance": "Démarche de gouvernance ou cadre d'usage de l'IA, et non un système d'IA déployé "
    "(fiche source, mise en garde 1).",
    "non-ia": "Transparence d'algorithmes qui ne relèvent pas de l'IA : cas gardé pour la transparence "
    "algorithmique (fiche source, mise en garde 1).",
    "ia-incertaine": "Qualification « IA » incertaine ou non détaillée par les sources consultées "
    "(fiche source, mise en garde 2).",
    "source-faible": "Source faible ou intéressée (prestataire, cabinet de conseil, site politique, "
    "agrégateur ou site militant) : faits à confirmer (fiche source, mise en garde 3).",
}
ROLE_PROPERTIES = {"fournisseur": AIRO.isProvidedBy, "partenaire": IAT.partner, "financeur": SCHEMA.funder}


class FrenchCasesError(ValueError):
    """Bad input: ``str()`` is a French message naming the file, the record and the field."""


@dataclass
class Summary:
    """What one run wrote: counts for the report and the tests."""

    use_cases: list[Path] = field(default_factory=list)
    organisations: list[Path] = field(default_factory=list)
    skipped_state_cases: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # local cases whose stage the sources do not give
    removed: list[Path] = field(default_factory=list)
    filled: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def read_fiche(path: Path = FICHE) -> list[dict[str, str]]:
    """The sheet's rows as dicts, after checking its columns and identifiers."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise FrenchCasesError(f"{path} : colonne(s) manquante(s) : {', '.join(missing)}")
            rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except FileNotFoundError as exc:
        raise FrenchCasesError(f"{path} : fichier introuvable") from exc
    except UnicodeDecodeError as exc:
        raise FrenchCasesError(f"{path} : encodage non UTF-8 (octet {exc.start})") from exc
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        ident = row["id"]
        if not re.fullmatch(r"(LOC-\d{3}|ETAT-\d{2})", ident):
            raise FrenchCasesError(f"{path}, ligne {number}, colonne « id » : identifiant invalide « {ident} »")
        if ident in seen:
            raise FrenchCasesError(f"{path}, ligne {number}, colonne « id » : identifiant en double « {ident} »")
        seen.add(ident)
        for column in ("collectivite", "projet", "description_fr", "source_url"):
            if not row[column]:
                raise FrenchCasesError(f"{path}, enregistrement {ident}, colonne « {column} » : valeur obligatoire vide")
    return rows


def case_slug(row: dict[str, str]) -> str:
    """``LOC-001`` + title -> ``loc-001-recherche-de-fuites-…``: the id keeps it unique, the title readable."""
    return iris.slugify(f"{row['id']} {row['projet']}")


def known_concepts(nomenclature_dir: Path = NOMENCLATURE_DIR) -> set[str]:
    """IRIs of every skos:Concept of the nomenclature as the files in ``ontology/nomenclature/`` hold it."""
    graph = Graph()
    for path in sorted(nomenclature_dir.glob("*.ttl")):
        read_graph(path, DEFAULT_BASE, graph)
    return {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _date_literal(text: str) -> Literal | None:
    if re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return Literal(text, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return Literal(text, datatype=XSD.date)
    return None


class _Converter:
    def __init__(self, mappings: Mappings, base: str, fiche_path: Path) -> None:
        self.m = mappings
        self.base = base
        self.fiche_path = fiche_path
        self.summary = Summary()
        self.orgs: dict[str, Graph] = {}

    def iri(self, relative: str) -> URIRef:
        return URIRef(self.base + relative)

    def fail(self, row: dict[str, str], column: str, message: str) -> FrenchCasesError:
        return FrenchCasesError(f"{self.fiche_path}, enregistrement {row['id']}, colonne « {column} » : {message}")

    def organisation(self, name: str, types: list[str], sources: list[URIRef], deployer: bool) -> URIRef:
        """The organisation's IRI; its triples go to one graph per organisation, merged across rows."""
        canonical = self.m.canonical_name(name)
        org = self.iri(iris.organisation_iri(canonical))
        slug = str(org).rsplit("/", 1)[1]
        graph = self.orgs.setdefault(slug, bind_prefixes(Graph()))
        graph.add((org, RDF.type, ORG.Organization))
        if deployer:
            graph.add((org, RDF.type, AIRO.AIDeployer))
        graph.add((org, SKOS.prefLabel, Literal(canonical, lang="fr")))
        if name != canonical:
            graph.add((org, SKOS.altLabel, Literal(name, lang="fr")))
        for code in types:
            graph.add((org, ORG.classification, URIRef(code)))
        for source in sources:
            graph.add((org, DCTERMS.source, source))
        return org

    def convert(self, row: dict[str, str]) -> Graph:
        ident = row["id"]
        g = bind_prefixes(Graph())
        uc = self.iri(iris.use_case_iri(case_slug(row)))
        filled = self.summary.filled
        note = lambda text: g.add((uc, SKOS.editorialNote, Literal(text, lang="fr")))  # noqa: E731

        g.add((uc, RDF.type, IAT.UseCase))
        g.add((uc, DCTERMS.identifier, Literal(ident)))
        g.add((uc, DCTERMS.title, Literal(row["projet"], lang="fr")))
        g.add((uc, DCTERMS.abstract, Literal(row["description_fr"], lang="fr")))
        g.add((uc, DCTERMS.description, Literal(row["description_fr"], lang="fr")))

        urls = [u.strip() for u in row["source_url"].split(" ; ") if u.strip()]
        sources = []
        for url in urls:
            if not re.fullmatch(r"https?://\S+", url):
                raise self.fail(row, "source_url", f"adresse invalide « {url} »")
            sources.append(URIRef(url))
            g.add((uc, DCTERMS.source, URIRef(url)))
        filled["dct:source"] += len(sources)
        dates = [d.strip() for d in row["source_date"].split(";")] if row["source_date"] else []
        if len(dates) == len(sources):  # dates are given in the order of the URLs, or not at all
            for source, text in zip(sources, dates, strict=True):
                if (literal := _date_literal(text)) is not None:
                    g.add((source, DCTERMS.issued, literal))
                    filled["date de source"] += 1

        deployers = self.m.deployers.get(ident) or [(row["collectivite"], row["type_collectivite"])]
        for name, kinds in deployers:
            if _key(name) not in _key(row["collectivite"]):
                raise self.fail(row, "collectivite", f"« {name} » (french-cases-deployeurs.csv) n'est pas cité par la fiche")
            types = [self.m.concept(self.m.types, kind, "types-collectivite", row, "type_collectivite")
                     for kind in _split(kinds)]
            org = self.organisation(name, [c for cs in types for c in cs], sources, deployer=True)
            g.add((uc, AIRO.isDeployedBy, org))
            filled["airo:isDeployedBy"] += 1

        for term in _split(row["domaine"]):
            for code in self.m.concept(self.m.domaines, term, "domaines", row, "domaine"):
                g.add((uc, IAT.domain, URIRef(code)))
                filled["iat:domain"] += 1

        line = self.m.line(row)
        for code in line.techniques:
            g.add((uc, IAT.technique, URIRef(code)))
            filled["iat:technique"] += 1
        if line.stade:
            g.add((uc, IAT.stage, URIRef(line.stade)))
            filled["iat:stage"] += 1
        for flag in line.qualification:
            note(QUALIFICATION_NOTES[flag])
            filled[f"note : {flag}"] += 1

        if row["annee_debut"]:
            if not re.fullmatch(r"\d{4}", row["annee_debut"]):
                raise self.fail(row, "annee_debut", f"année attendue (AAAA), trouvé « {row['annee_debut']} »")
            g.add((uc, SCHEMA.startDate, Literal(row["annee_debut"], datatype=XSD.gYear)))
            filled["schema:startDate"] += 1

        for name, role in self.m.partners.get(ident, []):
            if _key(name) not in _key(row["partenaire"]):
                raise self.fail(row, "partenaire", f"« {name} » (french-cases-partenaires.csv) n'est pas cité par la fiche")
            org = self.organisation(name, [], sources, deployer=False)
            g.add((uc, ROLE_PROPERTIES[role], org))
            filled[ROLE_PROPERTIES[role].n3(g.namespace_manager)] += 1
        if row["partenaire"] and not NOT_GIVEN.match(row["partenaire"]):
            note(f"Partenaires, prestataires ou financeurs cités par les sources : {row['partenaire']}")
        if row["ouverture_code_donnees"] and not NOT_GIVEN.match(row["ouverture_code_donnees"]):
            note(f"Ouverture du code ou des données selon les sources : {row['ouverture_code_donnees']}")
        if row["statut"] and not NOT_GIVEN.match(row["statut"]):
            note(f"État décrit par les sources à leur date de publication : {row['statut']}")
        if row["notes"]:
            if line.notes_are_results:
                g.add((uc, IAT.observedResults, Literal(row["notes"], lang="fr")))
                filled["iat:observedResults"] += 1
            else:
                note(row["notes"])
        filled["skos:editorialNote"] += len(list(g.objects(uc, SKOS.editorialNote)))

        for related in self.m.relations.get(ident, []):
            g.add((uc, DCTERMS.relation, self.iri(iris.use_case_iri(related))))
            filled["dct:relation"] += 1

        g.add((uc, PROV.wasDerivedFrom, self.iri(iris.source_record_iri(FICHE_RELPATH, ident))))
        g.add((uc, DCTERMS.created, Literal(FICHE_DATE, datatype=XSD.date)))
        g.add((uc, DCTERMS.modified, Literal(FICHE_DATE, datatype=XSD.date)))
        g.add((uc, DCTERMS.language, LANG.fr))
        g.add((uc, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
        return g


def convert_fiche(
    rows: list[dict[str, str]], mappings: Mappings, base: str, fiche_path: Path = FICHE
) -> tuple[dict[str, Graph], dict[str, Graph], Summary]:
    """Rows -> ({use-case slug: graph}, {organisation slug: graph}, summary). ETAT-* rows are skipped."""
    conv = _Converter(mappings, base, fiche_path)
    cases: dict[str, Graph] = {}
    for row in rows:
        if not row["id"].startswith("LOC-"):
            conv.summary.skipped_state_cases.append(row["id"])
            continue
        if mappings.line(row).stade is None:
            # the stage is required (shapes/usecase.ttl) and the sheet says "non précisé": hold the row
            # back rather than guess; it is published once the nomenclature offers a stage for it
            conv.summary.held_back.append(row["id"])
            continue
        cases[case_slug(row)] = conv.convert(row)
    return cases, conv.orgs, conv.summary


def write_french_cases(
    data_dir: Path,
    base: str,
    fiche: Path = FICHE,
    mappings_dir: Path = MAPPINGS_DIR,
    nomenclature_dir: Path = NOMENCLATURE_DIR,
) -> Summary:
    """Convert the sheet and write ``data_dir/cas-usage/loc-*.ttl`` and ``data_dir/organisations/*.ttl``.

    Organisation files that already exist (written by another importer) are merged, not overwritten.
    Everything is converted and checked before the first file is written.
    """
    mappings = load_mappings(mappings_dir, known_concepts(nomenclature_dir))
    cases, orgs, summary = convert_fiche(read_fiche(fiche), mappings, base, fiche)
    for slug, graph in sorted(cases.items()):
        path = data_dir / "cas-usage" / f"{slug}.ttl"
        write_turtle(graph, path, base)
        summary.use_cases.append(path)
    # loc-* files are this importer's alone: remove those it no longer produces (held back, renamed)
    for path in sorted((data_dir / "cas-usage").glob("loc-*.ttl")):
        if path not in summary.use_cases:
            path.unlink()
            summary.removed.append(path)
    for slug, graph in sorted(orgs.items()):
        path = data_dir / "organisations" / f"{slug}.ttl"
        if path.exists():
            merged = bind_prefixes(read_graph(path, base))
            for triple in graph:
                merged.add(triple)
            graph = merged
        write_turtle(graph, path, base)
        summary.organisations.append(path)
    return summary


# --- mapping tables (ingest/mappings/french-cases-*.csv) -------------------------------------------


def _key(text: str) -> str:
    return " ".join(ascii_fold(text).split())


@dataclass(frozen=True)
class Line:
    """The hand-made decisions for one row: techniques, stage, what its notes are, qualification flags."""

    techniques: tuple[str, ...]
    stade: str | None
    notes_are_results: bool
    qualification: tuple[str, ...]
    technique_ia: str  # the row's values the decisions were made for
    statut: str


@dataclass
class Mappings:
    domaines: dict[str, list[str]]
    types: dict[str, list[str]]
    lines: dict[str, Line]
    deployers: dict[str, list[tuple[str, str]]]
    partners: dict[str, list[tuple[str, str]]]
    relations: dict[str, list[str]]
    aliases: dict[str, str]
    directory: Path

    def canonical_name(self, name: str) -> str:
        return self.aliases.get(normalise_org_name(name), name)

    def concept(self, table: dict[str, list[str]], term: str, scheme: str, row: dict[str, str], column: str) -> list[str]:
        try:
            return table[_key(term)]
        except KeyError:
            raise FrenchCasesError(
                f"{FICHE}, enregistrement {row['id']}, colonne « {column} » : valeur « {term} » absente de "
                f"{self.directory / f'french-cases-{scheme}.csv'} (à ajouter, avec son code, ou un code vide)"
            ) from None

    def line(self, row: dict[str, str]) -> Line:
        path = self.directory / "french-cases-lignes.csv"
        line = self.lines.get(row["id"])
        if line is None:
            raise FrenchCasesError(f"{path} : aucune ligne pour l'enregistrement {row['id']} de la fiche")
        for column in ("technique_ia", "statut"):
            if getattr(line, column) != row[column]:
                raise FrenchCasesError(
                    f"{path}, enregistrement {row['id']}, colonne « {column} » : la fiche dit « {row[column]} », "
                    f"la table a été faite pour « {getattr(line, column)} » : revoir la correspondance"
                )
        return line


def _read_table(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise FrenchCasesError(f"{path} : colonne(s) manquante(s) : {', '.join(missing)}")
            return [(n, {k: (v or "").strip() for k, v in r.items() if k}) for n, r in enumerate(reader, start=2)]
    except FileNotFoundError as exc:
        raise FrenchCasesError(f"{path} : table de correspondance introuvable") from exc


def _codes(path: Path, number: int, scheme: str, value: str, concepts: set[str]) -> list[str]:
    found = []
    for code in value.split():
        iri = concept_iri(scheme, code)
        if iri not in concepts:
            raise FrenchCasesError(
                f"{path}, ligne {number} : le code « {code} » n'existe pas dans la nomenclature « {scheme} » "
                f"(ontology/nomenclature/{scheme}.ttl)"
            )
        found.append(iri)
    return found


def load_mappings(directory: Path, concepts: set[str]) -> Mappings:
    """Read every table and check each code against the nomenclature's concepts."""
    tables: dict[str, dict[str, list[str]]] = {}
    for scheme, column in (("domaines", "domaine_fiche"), ("types-collectivite", "type_fiche")):
        path = directory / f"french-cases-{scheme}.csv"
        table: dict[str, list[str]] = {}
        for number, rec in _read_table(path, (column, "code")):
            table.setdefault(_key(rec[column]), []).extend(_codes(path, number, scheme, rec["code"], concepts))
        tables[scheme] = table

    path = directory / "french-cases-lignes.csv"
    lines: dict[str, Line] = {}
    cols = ("id", "technique_ia", "techniques", "statut", "stade", "notes", "qualification")
    for number, rec in _read_table(path, cols):
        flags = tuple(rec["qualification"].split())
        if unknown := [f for f in flags if f not in QUALIFICATION_NOTES]:
            raise FrenchCasesError(f"{path}, ligne {number}, colonne « qualification » : valeur inconnue {unknown}")
        if rec["notes"] not in ("note", "resultats"):
            raise FrenchCasesError(f"{path}, ligne {number}, colonne « notes » : « note » ou « resultats » attendu")
        stade = _codes(path, number, "stades", rec["stade"], concepts)
        lines[rec["id"]] = Line(
            techniques=tuple(_codes(path, number, "techniques", rec["techniques"], concepts)),
            stade=stade[0] if stade else None,
            notes_are_results=rec["notes"] == "resultats",
            qualification=flags,
            technique_ia=rec["technique_ia"],
            statut=rec["statut"],
        )

    def grouped(name: str, cols: tuple[str, str, str]) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        for number, rec in _read_table(directory / name, cols):
            if cols[2] == "role" and rec["role"] not in ROLE_PROPERTIES:
                raise FrenchCasesError(f"{directory / name}, ligne {number}, colonne « role » : "
                                       f"« {rec['role']} » inconnu ({', '.join(ROLE_PROPERTIES)})")
            out.setdefault(rec[cols[0]], []).append((rec[cols[1]], rec[cols[2]]))
        return out

    relations: dict[str, list[str]] = {}
    for _, rec in _read_table(directory / "french-cases-correspondances.csv", ("id", "cas_usage")):
        relations.setdefault(rec["id"], []).append(rec["cas_usage"])
    aliases = {
        normalise_org_name(rec["alias"]): rec["nom"]
        for _, rec in _read_table(directory / "organisation-aliases.csv", ("alias", "nom"))
    }
    return Mappings(
        domaines=tables["domaines"],
        types=tables["types-collectivite"],
        lines=lines,
        deployers=grouped("french-cases-deployeurs.csv", ("id", "organisation", "type_collectivite")),
        partners=grouped("french-cases-partenaires.csv", ("id", "organisation", "role")),
        relations=relations,
        aliases=aliases,
        directory=directory,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Convertit la fiche des cas français en fichiers de data/.")
    parser.add_argument("data_dir", nargs="?", type=Path, default=ROOT / "data")
    parser.add_argument("--base", default=DEFAULT_BASE, help="URL de base des IRI (défaut : %(default)s)")
    args = parser.parse_args(argv)
    try:
        summary = write_french_cases(args.data_dir, args.base)
    except FrenchCasesError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(f"{len(summary.use_cases)} cas d'usage, {len(summary.organisations)} organisations écrits ; "
          f"{len(summary.skipped_state_cases)} cas de l'État non convertis ({', '.join(summary.skipped_state_cases)}).")
    if summary.held_back:
        print(f"{len(summary.held_back)} cas locaux retenus, faute de stade connu (obligatoire) : "
              f"{', '.join(summary.held_back)}.")
    for path in summary.removed:
        print(f"supprimé (plus produit) : {path}")
    for name, count in sorted(summary.filled.items()):
        print(f"  {name} : {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

