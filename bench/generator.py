"""Seeded generator of synthetic use cases with the shape of the library's records.

    .venv/bin/python -m bench.generator OUT_DIR --cases 1000 [--seed 42]

Writes a data folder the real build reads (``ia-territoriales build --data-dir OUT_DIR --sources aucun``):
``cas-usage/{slug}.ttl`` (one file per case, as in ``data/``), ``organisations/{slug}.ttl`` and
``territoires.ttl``, all with relative IRIs. Every concept link is drawn from the real schemes of
``ontology/nomenclature/*.ttl`` with Zipf-skewed frequencies (a few domains and techniques are common,
most are rare, as in the real registers). Each case has the fields of ``data/exemples`` (the fully
documented fictional examples): French title, summary, a 500–2,000 character description built from a
word list, keywords, organisations (deployer, supplier, partner), territory, dates, contact, AI Act
risk level, and parts: risks with their mitigations, impact assessments, workforce impacts.

Everything is fictional: organisations are « Commune de Villeneuve-sur-Exemple 0042 » and the like,
their pages use ``.example`` domains (RFC 2606), SIREN numbers start with 000. Territories are French
departments by their official code (so the region facet has the real spread) with a label saying they
are test territories. The same seed and size give byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import sys
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOMENCLATURE = "https://w3id.org/ia-territoriales/nomenclature/"

PREFIXES = """@prefix iat: <https://w3id.org/ia-territoriales/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix airo: <https://w3id.org/airo#> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> .
"""

RISK_LEVELS = ("RiskLevelMinimal", "RiskLevelTransparencyRequired", "RiskLevelNotHigh", "RiskLevelHigh")

# French department codes (INSEE), for the territory and region facets
DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]

# ---- word lists (French, the vocabulary of the real records) -------------------------------------

SUBJECTS = ("La collectivité", "Le service", "La direction", "L'équipe projet", "Le prestataire", "La régie",
            "Le syndicat", "La métropole", "Le département", "La commune", "Le groupement", "Le laboratoire")
VERBS = ("analyse", "détecte", "classe", "prévoit", "repère", "trie", "résume", "oriente", "priorise",
         "mesure", "compare", "signale", "transcrit", "traduit", "estime", "cartographie", "qualifie")
OBJECTS = ("les fuites du réseau d'eau potable", "les dépôts sauvages sur la voie publique",
           "les demandes des usagers", "les courriels reçus par l'accueil", "les images aériennes du territoire",
           "la consommation énergétique des bâtiments", "les signalements de voirie", "les appels du standard",
           "les dossiers d'urbanisme", "les factures des fournisseurs", "l'état des chaussées",
           "la fréquentation des transports", "les arbres d'alignement", "les risques d'inondation",
           "les délibérations du conseil", "les places de stationnement libres", "les déchets ménagers",
           "les demandes d'aide sociale", "les comptes rendus de réunion", "la qualité de l'air")
MEANS = ("à partir des données des capteurs", "grâce à un modèle d'apprentissage automatique",
         "avec un modèle de langage hébergé en France", "à l'aide de la vision par ordinateur",
         "par un algorithme de détection d'anomalies", "avec un agent conversationnel",
         "en croisant plusieurs bases de données", "par reconnaissance automatique de la parole",
         "à partir des historiques des cinq dernières années", "avec des règles validées par les agents")
GOALS = ("pour réduire les délais de traitement", "afin de mieux cibler les interventions",
         "pour libérer du temps aux agents", "afin de réduire les coûts de fonctionnement",
         "pour améliorer le service rendu aux habitants", "afin de limiter les pertes d'eau",
         "pour préparer les décisions des élus", "afin de suivre la transition écologique",
         "pour détecter la fraude plus tôt", "afin de mieux répondre aux demandes")
CLAUSES = ("Un agent vérifie chaque résultat avant toute décision.",
           "Les données personnelles sont pseudonymisées avant le traitement.",
           "Le modèle est réentraîné chaque année sur les données récentes.",
           "Les résultats sont présentés au comité de pilotage chaque trimestre.",
           "Le code source est publié sous licence libre.",
           "Une expérimentation de six mois a précédé la mise en production.",
           "Les usagers peuvent demander des explications sur le traitement.",
           "Le comité social territorial a été consulté avant le déploiement.",
           "Les performances sont suivies par un tableau de bord mensuel.",
           "Le marché a été passé par l'intermédiaire d'une centrale d'achat.")
KEYWORDS = ("eau potable", "fuites", "déchets", "propreté", "voirie", "mobilité", "énergie", "bâtiments",
            "relation usagers", "agent conversationnel", "IA générative", "vision par ordinateur",
            "urbanisme", "environnement", "social", "ressources humaines", "finances", "sécurité",
            "détection fraude", "prévision", "transcription", "traduction", "cartographie", "arbres")
TITLE_HEADS = ("Détection", "Prévision", "Analyse", "Tri automatique", "Assistant", "Cartographie",
               "Qualification", "Priorisation", "Suivi", "Optimisation", "Classement", "Résumé automatique")
TITLE_TAILS = ("des fuites d'eau", "des dépôts sauvages", "des demandes des usagers", "des courriels",
               "des chaussées", "de la consommation énergétique", "des arbres", "des crues",
               "des signalements", "des dossiers d'urbanisme", "des appels", "de la collecte des déchets",
               "des places de stationnement", "des aides sociales", "des délibérations")
ORG_KINDS = ("Commune de", "Communauté d'agglomération de", "Métropole de", "Département fictif de",
             "Syndicat mixte de", "Communauté de communes de")
PLACE_FIRST = ("Villeneuve", "Saint-Fictif", "Bourg", "Montexemple", "Val", "Port", "Rivière", "Champ",
               "Mont", "Fontaine")
PLACE_SECOND = ("sur-Exemple", "les-Bois", "la-Fictive", "d'Exemple", "en-Test", "sur-Mer-Fictive",
                "le-Modèle")
SUPPLIER_KINDS = ("Exemple Analytique SAS", "Fictive Data SARL", "Laboratoire fictif", "Exemple IA SA",
                  "Démo Logiciels SAS")
RISK_TITLES = ("Fausses alertes répétées", "Biais envers certains quartiers", "Erreur de classement",
               "Fuite de données personnelles", "Dépendance au prestataire", "Perte de compétences internes",
               "Réponses inexactes du modèle de langage")
MITIGATION_TITLES = ("Contrôle humain systématique", "Audit annuel des résultats", "Seuil revu chaque mois",
                     "Pseudonymisation des données", "Clause de réversibilité", "Formation des agents")


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


class Picker:
    """Zipf-skewed draws from a fixed, sorted list; deterministic for a given random.Random."""

    def __init__(self, values: list[str], skew: float = 1.1) -> None:
        self.values = values
        self.cum = list(accumulate(zipf_weights(len(values), skew)))

    def one(self, rng: random.Random) -> str:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1]) if len(self.values) > 1 else 0]

    def some(self, rng: random.Random, low: int, high: int) -> list[str]:
        wanted = min(rng.randint(low, high), len(self.values))
        chosen: list[str] = []
        for _ in range(wanted * 4):
            value = self.one(rng)
            if value not in chosen:
                chosen.append(value)
            if len(chosen) == wanted:
                break
        return sorted(chosen)


def load_schemes(root: Path = PROJECT_ROOT) -> dict[str, list[str]]:
    """Concept IRIs of each scheme of ``ontology/nomenclature/`` (scheme name -> sorted IRIs)."""
    schemes: dict[str, list[str]] = {}
    for path in sorted((root / "ontology" / "nomenclature").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            name = str(scheme).removeprefix(NOMENCLATURE)
            schemes.setdefault(name, []).append(str(concept))
    return {name: sorted(set(iris)) for name, iris in sorted(schemes.items())}


def lit(text: str, lang: str | None = "fr") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def iris(values: list[str]) -> str:
    return " , ".join(f"<{v}>" for v in values)


@dataclass
class Organisation:
    slug: str
    label: str
    kind: str  # types-collectivite concept, or "" for a supplier
    department: str


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(MEANS)} "
            f"{rng.choice(GOALS)}.")


def description(rng: random.Random, low: int = 500, high: int = 2000) -> str:
    """French text of a length drawn in [low, high] characters, sentence by sentence."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = 0
    while length < target:
        part = _sentence(rng) if rng.random() < 0.6 else rng.choice(CLAUSES)
        if parts and length + len(part) + 1 > high:
            break
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)


def organisations(rng: random.Random, n_cases: int, kinds: list[str]) -> tuple[list[Organisation], list[Organisation]]:
    """Deployers (public bodies) and suppliers, in numbers that grow with the number of cases."""
    type_picker = Picker(kinds, 0.8)
    deployers = []
    for i in range(max(20, n_cases // 25)):
        kind = rng.choice(ORG_KINDS)
        label = f"{kind} {rng.choice(PLACE_FIRST)}-{rng.choice(PLACE_SECOND)} {i + 1:05d}"
        deployers.append(Organisation(f"bench-collectivite-{i + 1:05d}", label, type_picker.one(rng),
                                      rng.choice(DEPARTMENTS)))
    suppliers = [Organisation(f"bench-fournisseur-{i + 1:04d}", f"{rng.choice(SUPPLIER_KINDS)} {i + 1:04d}", "",
                              rng.choice(DEPARTMENTS))
                 for i in range(max(5, n_cases // 200))]
    return deployers, suppliers


def organisation_ttl(o: Organisation) -> str:
    site = f"https://www.{o.slug}.example/"
    lines = [f"<id/organisation/{o.slug}> a org:Organization"
             + (" , airo:AIDeployer" if o.kind else " , airo:AIProvider") + " ;",
             f"    skos:prefLabel {lit(o.label)} ;"]
    if o.kind:
        siren = "000" + o.slug[-5:].rjust(6, "0")
        lines += [f"    org:classification <{o.kind}> ;", f'    iat:siren "{siren}" ;',
                  f"    dct:spatial <id/territoire/departement-{o.department}> ;"]
    lines += [f"    foaf:homepage <{site}> ;", f"    dct:source <{site}> ."]
    return PREFIXES + "\n" + "\n".join(lines) + "\n"


def territories_ttl(departments: list[str]) -> str:
    blocks = [f"<id/territoire/departement-{code}> a dct:Location ;\n"
              f"    skos:prefLabel {lit(f'Territoire de test du département {code}')} ;\n"
              f'    iat:inseeCode "{code}" .\n' for code in departments]
    return PREFIXES + "\n" + "\n".join(blocks)


class CaseMaker:
    def __init__(self, schemes: dict[str, list[str]], deployers, suppliers) -> None:
        self.pick = {name: Picker(values) for name, values in schemes.items()}
        self.deployers = Picker([o.slug for o in deployers], 0.9)
        self.by_slug = {o.slug: o for o in deployers}
        self.suppliers = [o.slug for o in suppliers]
        self.risk = Picker(list(RISK_LEVELS), 1.3)

    def case(self, rng: random.Random, i: int) -> tuple[str, str]:
        slug = f"bench-{i + 1:06d}"
        me = f"id/cas-usage/{slug}"
        p = self.pick
        deployer = self.by_slug[self.deployers.one(rng)]
        title = f"{rng.choice(TITLE_HEADS)} {rng.choice(TITLE_TAILS)} ({i + 1})"
        abstract = description(rng, 120, 380)
        start = rng.randint(2016, 2026)
        created = f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        modified = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        site = f"https://www.{deployer.slug}.example/ia/{slug}"
        head = [
            f"<{me}> a iat:UseCase ;",
            f'    dct:identifier "{slug}" ;',
            f"    dct:title {lit(title)} ;",
            f"    dct:abstract {lit(abstract)} ;",
            f"    dct:description {lit(description(rng))} ;",
            "    dcat:keyword " + " , ".join(lit(k) for k in sorted(set(rng.sample(KEYWORDS, rng.randint(2, 5)))))
            + " ;",
            f"    dcat:landingPage <{site}> ;",
            f"    airo:isDeployedBy <id/organisation/{deployer.slug}> ;",
            f"    dcat:contactPoint <{me}#contact> ;",
            f"    dct:spatial <id/territoire/departement-{deployer.department}> ;",
            f"    iat:domain <{p['domaines'].one(rng)}> ;",
            f"    iat:purpose {iris(p['finalites'].some(rng, 1, 2))} ;",
            f"    iat:technique {iris(p['techniques'].some(rng, 1, 3))} ;",
            f"    iat:stage <{p['stades'].one(rng)}> ;",
            f'    schema:startDate "{start}"^^xsd:gYear ;',
            f"    iat:audience {iris(p['publics'].some(rng, 1, 2))} ;",
            f"    iat:expectedBenefit {iris(p['benefices'].some(rng, 1, 2))} ;",
            f"    iat:automationLevel <{p['automatisation'].one(rng)}> ;",
            f"    iat:humanOversight <{p['controle-humain'].one(rng)}> ;",
            f"    iat:dataCategory {iris(p['donnees'].some(rng, 1, 3))} ;",
            f"    iat:deliveryMode <{p['modes-realisation'].one(rng)}> ;",
            f"    iat:hosting <{p['hebergement'].one(rng)}> ;",
            f"    eu-aiact:hasRiskLevel eu-aiact:{self.risk.one(rng)} ;",
            f"    iat:individualDecision {'true' if rng.random() < 0.2 else 'false'} ;",
            f"    iat:safeguard {iris(p['garanties'].some(rng, 1, 2))} ;",
        ]
        if rng.random() < 0.5:
            head.append(f"    iat:technicalDescription {lit(description(rng, 150, 400))} ;")
            head.append(f"    iat:decisionProcess {lit(rng.choice(CLAUSES))} ;")
        if self.suppliers and rng.random() < 0.6:
            head.append(f"    airo:isProvidedBy <id/organisation/{rng.choice(self.suppliers)}> ;")
        if rng.random() < 0.3:
            partner = self.by_slug[self.deployers.one(rng)]
            if partner.slug != deployer.slug:
                head.append(f"    iat:partner <id/organisation/{partner.slug}> ;")
        if rng.random() < 0.5:
            head.append(f"    iat:budget {rng.randint(5, 900) * 1000}.00 ;")
        parts: list[str] = [
            f"<{me}#contact> a vcard:Organization ;\n    vcard:fn {lit(deployer.label, None)} ;\n"
            f"    vcard:hasEmail <mailto:ia@{deployer.slug}.example> .\n"
        ]
        risks = rng.choice((0, 0, 0, 1, 1, 2))  # parts: about as often as in the documented records
        for r in range(1, risks + 1):
            head.append(f"    airo:hasRisk <{me}#risque-{r}> ;")
            parts.append(f"<{me}#risque-{r}> a iat:Risk ;\n    dct:title {lit(rng.choice(RISK_TITLES))} ;\n"
                         f"    dct:description {lit(_sentence(rng))} ;\n    iat:mitigation <{me}#mesure-{r}> .\n")
            parts.append(f"<{me}#mesure-{r}> a iat:Mitigation ;\n"
                         f"    dct:title {lit(rng.choice(MITIGATION_TITLES))} ;\n"
                         f"    dct:description {lit(rng.choice(CLAUSES))} .\n")
        for e in range(1, (rng.random() < 0.2) + 1):
            head.append(f"    dpv:hasImpactAssessment <{me}#evaluation-{e}> ;")
            parts.append(f"<{me}#evaluation-{e}> a iat:ImpactAssessment ;\n"
                         f"    dct:type <{p['evaluations'].one(rng)}> ;\n"
                         f"    dct:title {lit(f'Analyse d’impact {e} du projet {i + 1}')} ;\n"
                         f'    dct:date "{start}-{rng.randint(1, 12):02d}-15"^^xsd:date ;\n'
                         f"    foaf:page <{site}/evaluation-{e}.pdf> ;\n"
                         f"    dct:abstract {lit(_sentence(rng))} .\n")
        for w in range(1, (rng.random() < 0.3) + 1):
            head.append(f"    iat:workforceImpact <{me}#impact-metier-{w}> ;")
            parts.append(f"<{me}#impact-metier-{w}> a iat:WorkforceImpact ;\n"
                         f"    iat:jobFamily <{p['metiers'].one(rng)}> ;\n"
                         f"    iat:impactKind <{p['impacts-metiers'].one(rng)}> ;\n"
                         f"    dct:description {lit(_sentence(rng))} ;\n"
                         f"    iat:agentsConcerned {rng.randint(1, 200)} ;\n"
                         f"    iat:trainingProvided {'true' if rng.random() < 0.7 else 'false'} .\n")
        head += [
            f"    dct:source <{site}> ;",
            f"    prov:wasDerivedFrom <{site}/registre.csv> ;",
            f'    dct:created "{created}"^^xsd:date ;',
            f'    dct:modified "{modified}"^^xsd:date ;',
            "    dct:language <http://id.loc.gov/vocabulary/iso639-1/fr> ;",
            "    dct:conformsTo <https://w3id.org/ia-territoriales/def> .",
        ]
        return slug, PREFIXES + "\n" + "\n".join(head) + "\n\n" + "\n".join(parts)


def generate(out: Path, cases: int, seed: int = 42, root: Path = PROJECT_ROOT) -> dict[str, int]:
    """Write ``cases`` synthetic use cases, their organisations and territories under ``out``.

    Files of a previous run in ``out`` that this run does not write are removed, so the folder holds
    exactly this data set. Returns counts (cases, organisations, territories, files, bytes).
    """
    rng = random.Random(seed)
    schemes = load_schemes(root)
    kinds = schemes["types-collectivite"]
    deployers, suppliers = organisations(rng, cases, kinds)
    maker = CaseMaker(schemes, deployers, suppliers)
    written: set[Path] = set()
    size = 0

    def write(path: Path, text: str) -> None:
        nonlocal size
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:  # unchanged files keep their mtime
            path.write_bytes(data)
        written.add(path)
        size += len(data)

    for o in deployers + suppliers:
        write(out / "organisations" / f"{o.slug}.ttl", organisation_ttl(o))
    used = sorted({o.department for o in deployers}, key=DEPARTMENTS.index)
    write(out / "territoires.ttl", territories_ttl(used))
    for i in range(cases):
        slug, text = maker.case(rng, i)
        write(out / "cas-usage" / f"{slug}.ttl", text)
    for stale in [p for p in out.rglob("*.ttl") if p not in written]:
        stale.unlink()
    return {"cases": cases, "organisations": len(deployers) + len(suppliers), "territories": len(used),
            "files": len(written), "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="dossier de données à écrire")
    parser.add_argument("--cases", type=int, default=1000, help="nombre de cas d'usage (défaut : 1000)")
    parser.add_argument("--seed", type=int, default=42, help="graine du générateur (défaut : 42)")
    args = parser.parse_args(argv)
    stats = generate(args.out, args.cases, args.seed)
    print(f"{stats['cases']} cas d'usage, {stats['organisations']} organisations, {stats['territories']} "
          f"territoires : {stats['files']} fichiers, {stats['bytes'] / 1e6:.1f} Mo dans {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
