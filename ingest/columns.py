"""The contributor's fields: French column headers / YAML keys -> kind of value -> RDF property.

One table (DPV ``vocab_schemas.py`` style) drives the readers' header matching, the conversion
(``ingest.contribution``), the template (``ingest.commands.template``) and its instructions. Repeated
parts (risks, impact assessments…) are numbered column groups in spreadsheets ("Risque 1 – titre") and
lists of mappings in YAML (``risques: [{titre: …}]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from ingest.concepts import fold
from ingest.namespaces import AIRO, DPV, EU_AIACT, IAT, SCHEMA, VCARD

# kinds of value (see ingest.terms): text, langtext, iri, iris, email, date, bool, int, decimal,
# concept, concepts (scheme-valued, one or several), org, orgs, unit, territories, keywords,
# identifier, resource-type.


@dataclass(frozen=True)
class Column:
    key: str                    # YAML key, also the canonical name
    header: str                 # spreadsheet header (without the "*" of required columns)
    group: str
    kind: str
    prop: URIRef | None = None
    scheme: str | None = None
    required: bool = False
    help: str = ""
    example: str = ""

    @property
    def title(self) -> str:
        """The header as written in the template: required columns end with " *"."""
        return f"{self.header} *" if self.required else self.header

    @property
    def multiple(self) -> bool:
        return self.kind in {"iris", "concepts", "orgs", "territories", "keywords"}


@dataclass(frozen=True)
class Part:
    """A repeated sub-resource of a use case, at ``{use case}#{fragment}-{n}``."""

    key: str                    # YAML key (a list)
    label: str                  # spreadsheet group label: "Risque" -> "Risque 1 – titre"
    fragment: str
    columns: tuple[Column, ...]
    template_count: int         # how many numbered groups the template offers
    help: str = ""

    def header(self, n: int, column: Column) -> str:
        return f"{self.label} {n} – {column.header}"


C = Column
MULTI = " Plusieurs valeurs : séparez-les par « ; »."

COLUMNS: tuple[Column, ...] = (
    # identity
    C("identifiant", "Identifiant", "Identité", "identifier", DCTERMS.identifier,
      help="Laisser vide pour un nouveau cas : il est formé à partir du titre. Pour mettre à jour un cas "
      "déjà publié (même si son titre change), recopier son identifiant (ex. « detection-de-fuites »)."),
    C("titre", "Titre", "Identité", "langtext", DCTERMS.title, required=True,
      help="Nom court du cas d'usage.", example="Détection des fuites sur le réseau d'eau potable"),
    C("resume", "Résumé", "Identité", "langtext", DCTERMS.abstract, required=True,
      help="Ce que fait le système et pour qui, en 400 caractères au plus.",
      example="Un modèle analyse les débits nocturnes des secteurs du réseau pour signaler les fuites probables "
      "aux équipes d'intervention."),
    C("description", "Description", "Identité", "langtext", DCTERMS.description, help="Description détaillée."),
    C("mots_cles", "Mots-clés", "Identité", "keywords", DCAT.keyword, help="Mots-clés libres." + MULTI,
      example="eau potable; fuites; capteurs"),
    C("page_publique", "Page publique", "Identité", "iri", DCAT.landingPage,
      help="Adresse (https://…) de la page publique qui présente le projet."),
    # who
    C("organisation", "Organisation", "Acteurs", "org", AIRO.isDeployedBy, required=True,
      help="Collectivité qui déploie le système (nom officiel).", example="Commune de Villeneuve-sur-Exemple"),
    C("organisation_type", "Type de collectivité", "Acteurs", "concept", None, "types-collectivite", required=True,
      help="Type de l'organisation qui déploie (liste)."),
    C("organisation_siren", "SIREN", "Acteurs", "siren", None, help="Numéro SIREN de l'organisation (9 chiffres)."),
    C("organisation_site", "Site de l'organisation", "Acteurs", "iri", None,
      help="Adresse du site web de l'organisation."),
    C("service", "Service responsable", "Acteurs", "unit", IAT.responsibleUnit,
      help="Direction ou service qui porte le projet.", example="Direction du cycle de l'eau"),
    C("role_responsable", "Fonction responsable", "Acteurs", "text", IAT.accountableRole,
      help="Fonction qui rend compte du système (une fonction, jamais le nom d'une personne).",
      example="Directeur ou directrice du cycle de l'eau"),
    C("contact_nom", "Contact – nom", "Acteurs", "text", None,
      help="Nom du point de contact (un service ou une boîte générique, pas une personne).",
      example="Service des eaux"),
    C("contact_courriel", "Contact – courriel", "Acteurs", "email", None,
      help="Adresse électronique du point de contact.", example="eau@villeneuve-sur-exemple.test"),
    C("contact_url", "Contact – page", "Acteurs", "iri", None, help="Formulaire ou page de contact."),
    C("fournisseurs", "Fournisseurs", "Acteurs", "orgs", AIRO.isProvidedBy,
      help="Entreprises ou organismes qui fournissent le système." + MULTI),
    C("developpeurs", "Développeurs", "Acteurs", "orgs", AIRO.isDevelopedBy,
      help="Organismes qui ont développé le système." + MULTI),
    C("partenaires", "Partenaires", "Acteurs", "orgs", IAT.partner, help="Partenaires du projet." + MULTI),
    C("territoires", "Territoires", "Acteurs", "territories", DCTERMS.spatial,
      help="« Nom (code) » : code INSEE de la commune (5 caractères) ou SIREN de l'EPCI (9 chiffres), ou "
      "« departement:31 », « region:76 », « nuts:FR10 » ; ex. « Villeneuve-sur-Exemple (99001) »." + MULTI),
    # what
    C("domaines", "Domaines", "Objet", "concepts", IAT.domain, "domaines", required=True,
      help="Domaines d'action publique concernés (liste)." + MULTI),
    C("finalites", "Finalités", "Objet", "concepts", IAT.purpose, "finalites", help="Types de tâche (liste)." + MULTI),
    C("techniques", "Techniques d'IA", "Objet", "concepts", IAT.technique, "techniques",
      help="Techniques et capacités d'IA employées (liste)." + MULTI),
    C("stade", "Stade", "Objet", "concept", IAT.stage, "stades", required=True,
      help="Stade actuel du projet (liste)."),
    C("date_debut", "Date de début", "Objet", "date", SCHEMA.startDate,
      help="JJ/MM/AAAA, MM/AAAA ou AAAA.", example="03/2023"),
    C("date_fin", "Date de fin", "Objet", "date", SCHEMA.endDate, help="JJ/MM/AAAA, MM/AAAA ou AAAA."),
    C("publics", "Publics", "Objet", "concepts", IAT.audience, "publics", help="Publics concernés (liste)." + MULTI),
    C("benefices", "Bénéfices attendus", "Objet", "concepts", IAT.expectedBenefit, "benefices",
      help="Bénéfices attendus (liste)." + MULTI),
    # how
    C("automatisation", "Niveau d'automatisation", "Fonctionnement", "concept", IAT.automationLevel,
      "automatisation", help="Niveau d'automatisation (liste)."),
    C("controle_humain", "Contrôle humain", "Fonctionnement", "concepts", IAT.humanOversight, "controle-humain",
      help="Forme du contrôle humain (liste)." + MULTI),
    C("donnees", "Catégories de données", "Fonctionnement", "concepts", IAT.dataCategory, "donnees",
      help="Catégories de données utilisées (liste)." + MULTI),
    C("modes_realisation", "Mode de réalisation", "Fonctionnement", "concepts", IAT.deliveryMode,
      "modes-realisation", help="Comment le système a été réalisé (liste)." + MULTI),
    C("hebergement", "Hébergement", "Fonctionnement", "concepts", IAT.hosting, "hebergement",
      help="Où le système est hébergé (liste)." + MULTI),
    C("description_technique", "Description technique", "Fonctionnement", "langtext", IAT.technicalDescription,
      help="Modèles, données d'entraînement, architecture."),
    C("processus_decision", "Processus de décision", "Fonctionnement", "langtext", IAT.decisionProcess,
      help="Place du système dans la décision et rôle des agents."),
    C("modeles", "Modèles (liens)", "Fonctionnement", "iris", AIRO.hasModel,
      help="Adresses des modèles utilisés (fiche du modèle)." + MULTI),
    C("sources_donnees", "Sources de données (liens)", "Fonctionnement", "iris", DPV.hasDataSource,
      help="Adresses des jeux de données utilisés." + MULTI),
    C("parametres", "Paramètres du traitement", "Fonctionnement", "langtext", IAT.algorithmParameters,
      help="Paramètres du traitement et leur pondération (CRPA R311-3-1-2)."),
    C("volume", "Volume", "Fonctionnement", "langtext", IAT.volume,
      help="Volume traité, en clair (ex. « 12 000 appels par an »)."),
    C("suivi", "Suivi et maintenance", "Fonctionnement", "langtext", IAT.monitoring,
      help="Comment le fonctionnement du système est suivi et maintenu."),
    C("performance", "Performance mesurée", "Fonctionnement", "langtext", IAT.performance,
      help="Performance mesurée (taux d'erreur…) et comment elle a été mesurée."),
    # AI Act
    C("niveau_risque", "Niveau de risque (AI Act)", "AI Act", "concept", EU_AIACT.hasRiskLevel, "niveaux-risque",
      help="Niveau de risque au sens du règlement européen sur l'IA (liste)."),
    C("annexe_iii", "Domaine de l'annexe III", "AI Act", "concepts", IAT.annexIIIArea, "annexe-iii",
      help="Domaine à haut risque de l'annexe III, le cas échéant (liste)." + MULTI),
    C("base_ue", "Enregistrement dans la base de l'UE (lien)", "AI Act", "iri", IAT.euDatabaseEntry,
      help="Adresse de la fiche du système dans la base de données de l'UE (systèmes à haut risque)."),
    # transparency
    C("decision_individuelle", "Décision individuelle", "Transparence", "bool", IAT.individualDecision,
      help="oui / non : le système fonde-t-il une décision individuelle (CRPA L311-3-1) ?", example="non"),
    C("deliberations", "Délibérations (liens)", "Transparence", "iris", IAT.councilDecision,
      help="Adresses des délibérations ou arrêtés qui décident du projet." + MULTI),
    C("garanties", "Garanties", "Transparence", "concepts", IAT.safeguard, "garanties",
      help="Garanties éthiques et de transparence en place (liste)." + MULTI),
    C("contestation", "Voies de recours", "Transparence", "langtext", IAT.contestation,
      help="Comment contester une décision ou signaler une erreur."),
    C("proportionnalite", "Proportionnalité", "Transparence", "langtext", IAT.proportionality,
      help="Pourquoi le recours à l'IA est proportionné."),
    C("alternatives", "Alternatives envisagées", "Transparence", "langtext", IAT.alternativesConsidered),
    C("registre_rgpd", "Registre RGPD (lien)", "Transparence", "iri", IAT.processingRegisterEntry,
      help="Adresse de la fiche du registre des traitements."),
    C("consultation_personnel", "Consultation du personnel", "Métiers", "langtext", IAT.staffConsultation,
      help="Information et consultation des agents et de leurs représentants (comité social territorial)."),
    # sharing
    C("code_source", "Code source (lien)", "Partage", "iri", SCHEMA.codeRepository,
      help="Adresse du dépôt de code source."),
    C("resultats", "Résultats observés", "Partage", "langtext", IAT.observedResults),
    C("budget", "Budget (euros)", "Partage", "decimal", IAT.budget, help="Montant en euros (ex. « 45 000 »)."),
    C("financeurs", "Financeurs", "Partage", "orgs", SCHEMA.funder, help="Organismes financeurs." + MULTI),
    C("programme_financement", "Programme de financement", "Partage", "langtext", IAT.fundingProgramme),
    # provenance
    C("sources", "Sources (liens)", "Provenance", "iris", DCTERMS.source, required=True,
      help="Adresses des pages publiques qui établissent ces informations." + MULTI,
      example="https://www.villeneuve-sur-exemple.test/eau/fuites"),
    C("date_mise_a_jour", "Date de mise à jour", "Provenance", "date", DCTERMS.modified,
      help="Date de cette description (JJ/MM/AAAA) ; aujourd'hui si vide.", example="15/01/2025"),
    C("date_revision", "Prochaine revue", "Provenance", "date", IAT.reviewDate,
      help="Date de la prochaine mise à jour prévue (JJ/MM/AAAA)."),
)

PARTS: tuple[Part, ...] = (
    Part("bases_legales", "Base légale", "base-legale", (
        C("intitule", "intitulé", "Transparence", "langtext", DCTERMS.title),
        C("lien", "lien", "Transparence", "iri", FOAF.page, help="Légifrance ou ELI."),
    ), 2, "Textes qui fondent le traitement."),
    Part("evaluations", "Évaluation", "evaluation", (
        C("type", "type", "Transparence", "concept", DCTERMS.type, "evaluations", required=True),
        C("titre", "titre", "Transparence", "langtext", DCTERMS.title),
        C("date", "date", "Transparence", "date", DCTERMS.date),
        C("conclusions", "conclusions", "Transparence", "langtext", DCTERMS.abstract,
          help="Résumé des conclusions de l'évaluation."),
        C("lien", "lien", "Transparence", "iri", FOAF.page),
    ), 2, "Analyses d'impact réalisées (AIPD, FRIA, avis éthique…)."),
    Part("risques", "Risque", "risque", (
        C("titre", "titre", "Transparence", "langtext", DCTERMS.title, required=True),
        C("description", "description", "Transparence", "langtext", DCTERMS.description),
        C("mesures", "mesure", "Transparence", "mitigations", IAT.mitigation,
          help="Mesure qui réduit ce risque (en YAML : une liste)."),
    ), 3, "Risques identifiés et mesures prises."),
    Part("impacts_metiers", "Impact métier", "impact-metier", (
        C("famille", "famille de métiers", "Métiers", "concept", IAT.jobFamily, "metiers", required=True),
        C("nature", "nature de l'impact", "Métiers", "concept", IAT.impactKind, "impacts-metiers", required=True),
        C("description", "description", "Métiers", "langtext", DCTERMS.description),
        C("agents", "agents concernés", "Métiers", "int", IAT.agentsConcerned),
        C("formation", "formation prévue", "Métiers", "bool", IAT.trainingProvided, help="oui / non"),
    ), 2, "Effets sur les métiers des agents."),
    Part("ressources", "Ressource partagée", "ressource", (
        C("type", "type", "Partage", "resource-type", None),
        C("titre", "titre", "Partage", "langtext", DCTERMS.title, required=True),
        C("lien", "lien", "Partage", "iri", DCAT.landingPage, required=True),
        C("licence", "licence", "Partage", "iri", DCTERMS.license, help="Adresse de la licence."),
    ), 2, "Jeux de données, modèles, code, cahiers des charges partagés."),
)

# resource-type values: French label (what people type) -> class
RESOURCE_TYPES: dict[str, URIRef] = {
    "Jeu de données": IAT.SharedDataset,
    "Modèle": IAT.SharedModel,
    "Code source": IAT.SourceCode,
    "Pièce de marché": IAT.TenderDocument,
    "Rapport d'évaluation": IAT.EvaluationReport,
}
RESOURCE_TYPE_ALIASES = {"dataset": "Jeu de données", "donnees": "Jeu de données", "model": "Modèle",
                         "code": "Code source", "source code": "Code source", "cahier des charges": "Pièce de marché",
                         "dce": "Pièce de marché", "marche": "Pièce de marché", "rapport": "Rapport d'évaluation",
                         "evaluation": "Rapport d'évaluation"}

VCARD_PROPS = {"contact_nom": VCARD.fn, "contact_courriel": VCARD.hasEmail, "contact_url": VCARD.hasURL}
BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
PARTS_BY_KEY: dict[str, Part] = {part.key: part for part in PARTS}


def spreadsheet_headers() -> list[str]:
    """All template headers, in order (numbered groups after the simple columns of their group)."""
    headers = [column.title for column in COLUMNS]
    for part in PARTS:
        for n in range(1, part.template_count + 1):
            headers.extend(part.header(n, column) for column in part.columns)
    return headers


_HEADER_INDEX: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key):
        _HEADER_INDEX[fold(_name)] = _column.key
_PART_PATTERNS = [
    (part, re.compile(rf"^{re.escape(fold(part.label))} (\d+) (.+)$"),
     {fold(c.header): c for c in part.columns} | {fold(c.key): c for c in part.columns})
    for part in PARTS
]


def match_header(header: str) -> tuple[str, int | None, str | None] | None:
    """A spreadsheet header -> (column key, None, None) or (part key, n, part column key); None if unknown.

    "Titre *", "titre", "TITRE " all give ("titre", None, None); "Risque 2 – titre" gives ("risques", 2, "titre").
    """
    folded = fold(header)
    if folded in _HEADER_INDEX:
        return _HEADER_INDEX[folded], None, None
    for part, pattern, columns in _PART_PATTERNS:
        found = pattern.match(folded)
        if found and found.group(2) in columns:
            return part.key, int(found.group(1)), columns[found.group(2)].key
    return None


def known_headers() -> list[str]:
    return [column.header for column in COLUMNS] + [
        part.header(1, column) for part in PARTS for column in part.columns
    ]
