"""French labels and reader groups of the use-case fields (the model table of docs/ARCHITECTURE.md).

A view concern: which heading a field sits under and how it is called on a fiche. Fields not listed
here still appear, under « Autres informations », labelled by the ontology (or their prefixed name).
"""

from __future__ import annotations

from sparql_endpoint.prefixes import PREFIXES

_P = PREFIXES


def _iri(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return _P[prefix] + local


# (group id, group heading, [(curie, French label)])
GROUPS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("identite", "Identité", [
        ("dct:identifier", "Identifiant"), ("dct:abstract", "Résumé"), ("dct:description", "Description"),
        ("dcat:keyword", "Mots-clés"), ("dcat:landingPage", "Page publique"),
        ("airo:isDeployedBy", "Organisation qui le met en œuvre"), ("iat:responsibleUnit", "Service responsable"),
        ("iat:accountableRole", "Fonction responsable"), ("dcat:contactPoint", "Contact"),
        ("dct:spatial", "Territoire"), ("airo:isProvidedBy", "Fournisseur"), ("airo:isDevelopedBy", "Développeur"),
        ("iat:partner", "Partenaires"), ("dct:language", "Langue de la fiche"),
    ]),
    ("finalite", "Finalité", [
        ("iat:domain", "Domaine d'action publique"), ("iat:purpose", "Finalité"), ("iat:audience", "Publics"),
        ("iat:expectedBenefit", "Bénéfices attendus"), ("iat:stage", "Stade"), ("schema:startDate", "Début"),
        ("schema:endDate", "Fin"), ("iat:observedResults", "Résultats observés"), ("iat:budget", "Budget (euros)"),
        ("schema:funder", "Financeur"), ("iat:fundingProgramme", "Programme de financement"),
    ]),
    ("fonctionnement", "Fonctionnement", [
        ("iat:technique", "Technique d'IA"), ("iat:automationLevel", "Niveau d'automatisation"),
        ("iat:humanOversight", "Contrôle humain"), ("iat:deliveryMode", "Mode de réalisation"),
        ("iat:hosting", "Hébergement"), ("iat:technicalDescription", "Description technique"),
        ("iat:decisionProcess", "Place dans la décision"),
        ("iat:algorithmParameters", "Paramètres du traitement et leur pondération"),
        ("iat:monitoring", "Suivi et maintenance"), ("iat:performance", "Performance mesurée"),
        ("airo:hasModel", "Modèles"), ("iat:volume", "Volume traité"),
    ]),
    ("donnees", "Données", [
        ("iat:dataCategory", "Catégories de données"), ("dpv:hasDataSource", "Sources de données"),
    ]),
    ("gouvernance", "Gouvernance et transparence", [
        ("eu-aiact:hasRiskLevel", "Niveau de risque (règlement européen sur l'IA)"),
        ("iat:annexIIIArea", "Domaine de l'annexe III (haut risque)"),
        ("iat:euDatabaseEntry", "Enregistrement dans la base de données de l'UE"),
        ("iat:individualDecision", "Décision individuelle (CRPA L311-3-1)"), ("iat:legalBasis", "Base légale"),
        ("iat:councilDecision", "Délibération ou arrêté"), ("iat:safeguard", "Garanties"),
        ("dpv:hasImpactAssessment", "Analyses d'impact"), ("airo:hasRisk", "Risques et mesures"),
        ("iat:contestation", "Contester une décision"), ("iat:proportionality", "Proportionnalité"),
        ("iat:alternativesConsidered", "Alternatives envisagées"),
        ("iat:processingRegisterEntry", "Registre des traitements (RGPD)"),
    ]),
    ("metiers", "Impact sur les métiers des agents", [
        ("iat:workforceImpact", "Impacts sur les métiers"), ("iat:staffConsultation", "Consultation des agents"),
    ]),
    ("ressources", "Ressources partagées", [
        ("iat:sharedResource", "Ressources réutilisables"), ("schema:codeRepository", "Code source"),
    ]),
    ("sources", "Sources et provenance", [
        ("dct:source", "Sources publiques"), ("prov:wasDerivedFrom", "Dérivée de"),
        ("adms:identifier", "Identifiant dans le registre d'origine"), ("dct:created", "Fiche créée le"),
        ("dct:modified", "Fiche mise à jour le"), ("iat:reviewDate", "Prochaine revue"),
        ("dct:conformsTo", "Conforme au modèle"), ("skos:editorialNote", "Notes de la rédaction"),
        ("dct:license", "Licence de la fiche"), ("dct:bibliographicCitation", "Citation de la source"),
        ("dct:subject", "Thèmes (classification de la source)"),
    ]),
]

# labels of the properties of the parts (risks, impact assessments, contacts, resources…)
PART_LABELS: dict[str, str] = {
    "dct:title": "Titre", "dct:description": "Description", "iat:mitigation": "Mesures d'atténuation",
    "iat:jobFamily": "Famille de métiers", "iat:impactKind": "Nature de l'impact",
    "iat:agentsConcerned": "Agents concernés", "iat:trainingProvided": "Formation prévue", "dct:type": "Type",
    "dct:date": "Date", "foaf:page": "Document", "dct:abstract": "Conclusions", "dcat:landingPage": "Page",
    "dcat:downloadURL": "Téléchargement", "dct:license": "Licence", "dct:format": "Format",
    "vcard:fn": "Nom", "vcard:hasEmail": "Courriel", "vcard:hasURL": "Site", "skos:notation": "Code",
    "adms:schemaAgency": "Registre", "dct:issued": "Publié le",
    # organisations and territories
    "skos:prefLabel": "Nom", "skos:altLabel": "Autres noms", "org:classification": "Type de collectivité",
    "iat:siren": "SIREN", "foaf:homepage": "Site web", "org:subOrganizationOf": "Rattachée à",
    "dct:spatial": "Territoire", "dct:source": "Sources publiques", "owl:sameAs": "Même lieu que",
    "iat:inseeCode": "Code INSEE", "iat:nutsCode": "Code NUTS", "dct:isPartOf": "Fait partie de",
}

FIELD_LABELS: dict[str, str] = {_iri(c): label for _, _, fields in GROUPS for c, label in fields}
FIELD_GROUP: dict[str, str] = {_iri(c): gid for gid, _, fields in GROUPS for c, _ in fields}
PART_LABELS_IRI: dict[str, str] = {_iri(c): label for c, label in PART_LABELS.items()}

LANGUAGES = {"fr": "français", "en": "anglais", "nl": "néerlandais", "de": "allemand", "es": "espagnol",
             "it": "italien"}
BOOLEANS = {"true": "oui", "1": "oui", "false": "non", "0": "non"}

# French labels of the AI Act risk levels (DPV's EU AI Act extension labels them in English only)
_AIACT = _P["eu-aiact"]
RISK_LABELS_FR = {
    f"{_AIACT}RiskLevelHigh": "Haut risque", f"{_AIACT}RiskLevelMinimal": "Risque minimal",
    f"{_AIACT}RiskLevelTransparencyRequired": "Obligations de transparence",
    f"{_AIACT}RiskLevelUnacceptable": "Risque inacceptable (pratique interdite)",
    f"{_AIACT}RiskLevelProhibited": "Risque inacceptable (pratique interdite)",
    f"{_AIACT}RiskLevelNotHigh": "Pas à haut risque", f"{_AIACT}RiskLevelPermitted": "Autorisé",
}
