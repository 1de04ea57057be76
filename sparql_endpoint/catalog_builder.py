"""The writer behind ``sparql_endpoint.catalog.build_catalog``: one method per kind of catalogue node
(catalogue, agents, SPARQL data service, distributions, library / register / shared-resource datasets)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from sparql_endpoint.catalog import (
    ADMS,
    AIRO,
    COUNTRY,
    DCATAP,
    EU,
    FILE_TYPE,
    FILE_TYPES,
    FREQUENCY,
    HYDRA,
    IANA,
    IAT,
    LANGUAGE,
    LANGUAGES,
    LIBRARY_GRAPHS,
    LICENCE_OUVERTE,
    PUBLIC,
    PUBLISHER_TYPE,
    SHA256,
    SHARED_KINDS,
    SPARQL_PROTOCOL,
    SPDX,
    STABLE,
    THEME,
    THEME_SCHEME,
    VCARD,
    CatalogData,
    CatalogSettings,
    GraphFacts,
    parse_date,
    territory_country,
)


def _lit(text: str, lang: str | None = None) -> Literal:
    return Literal(text, lang=lang)


class Builder:
    """Writes the catalogue graph; one method per kind of node."""

    def __init__(self, manifest, settings: CatalogSettings, reference: Graph, facts: Graph,
                 per_graph: dict[str, GraphFacts], today: date) -> None:
        self.manifest = manifest
        self.settings = settings
        self.base = settings.base_url
        self.reference = reference
        self.facts = facts
        self.per_graph = per_graph
        self.today = today
        created = parse_date(str(manifest.get("created") or "")) or today
        self.build_date = min(created, today)  # never in the future (udata drops a future dct:modified)
        self.common = Graph()
        for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS), ("adms", ADMS),
                           ("dcatap", DCATAP), ("hydra", HYDRA), ("spdx", SPDX), ("vcard", VCARD), ("xsd", XSD),
                           ("rdfs", RDFS)):
            self.common.bind(prefix, ns)
        self.catalog = URIRef(f"{self.base}catalog")
        self.service = URIRef(f"{self.base}sparql#service")
        self.publisher = URIRef(f"{self.base}catalog#editeur")
        self.contact = URIRef(f"{self.base}catalog#contact")
        self.used: set[URIRef] = set()  # vocabulary concepts and licences to copy into the common graph

    # -- helpers -----------------------------------------------------------------------------------
    def iri(self, fragment: str) -> URIRef:
        return URIRef(f"{self.base}catalog#{fragment}")

    def use(self, g: Graph, subject, predicate, concept: URIRef, kind: URIRef | None = None) -> None:
        """Link a vocabulary concept (copied with its labels from the reference files), typed for DCAT-AP."""
        g.add((subject, predicate, concept))
        self.used.add(concept)
        if kind is not None:
            self.common.add((concept, RDF.type, kind))

    def texts(self, g: Graph, subject, predicate, fr: str, en: str | None = None) -> None:
        g.add((subject, predicate, _lit(fr, "fr")))
        if en:
            g.add((subject, predicate, _lit(en, "en")))

    def period(self, g: Graph, subject, start: date | None, end: date | None) -> None:
        if start is None:
            return
        node = BNode()
        g.add((subject, DCTERMS.temporal, node))
        g.add((node, RDF.type, DCTERMS.PeriodOfTime))
        g.add((node, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
        if end is not None and end >= start:
            g.add((node, DCAT.endDate, Literal(min(end, self.today).isoformat(), datatype=XSD.date)))

    def identifier(self, g: Graph, subject: URIRef) -> None:
        g.add((subject, DCTERMS.identifier, Literal(str(subject))))
        node = BNode()
        g.add((subject, ADMS.identifier, node))
        g.add((node, RDF.type, ADMS.Identifier))
        g.add((node, SKOS.notation, Literal(str(subject))))

    def licence(self, g: Graph, subject, licence: URIRef) -> None:
        g.add((subject, DCTERMS.license, licence))
        self.common.add((licence, RDF.type, DCTERMS.LicenseDocument))
        self.used.add(licence)

    def rights(self, g: Graph, subject, fragment: str, fr: str, en: str | None = None) -> None:
        node = self.iri(fragment)
        g.add((subject, DCTERMS.rights, node))
        self.common.add((node, RDF.type, DCTERMS.RightsStatement))
        self.common.add((node, RDFS.label, _lit(fr, "fr")))
        if en:
            self.common.add((node, RDFS.label, _lit(en, "en")))

    def common_dataset(self, g: Graph, ds: URIRef, themes: Iterable[str], languages: Iterable[str],
                       countries: Iterable[str], frequency: str) -> None:
        g.add((ds, RDF.type, DCAT.Dataset))
        self.identifier(g, ds)
        for code in dict.fromkeys(themes):
            self.use(g, ds, DCAT.theme, THEME[code], SKOS.Concept)
        for code in languages:
            self.use(g, ds, DCTERMS.language, LANGUAGE[code], DCTERMS.LinguisticSystem)
        for code in countries:
            self.use(g, ds, DCTERMS.spatial, COUNTRY[code], DCTERMS.Location)
        self.use(g, ds, DCTERMS.accrualPeriodicity, FREQUENCY[frequency], DCTERMS.Frequency)
        self.use(g, ds, DCTERMS.accessRights, PUBLIC, DCTERMS.RightsStatement)

    # -- the catalogue, its agents and the SPARQL service ------------------------------------------
    def build(self) -> CatalogData:
        datasets = [self.library(), *self.registers(), *self.shared_resources()]
        self.catalogue(datasets)
        self.data_service()
        for concept in self.used:
            for triple in self.reference.triples((concept, None, None)):
                self.common.add(triple)
            for scheme in self.reference.objects(concept, SKOS.inScheme):
                self.common += self.reference.triples((scheme, None, None))
            for kind in self.reference.objects(concept, DCTERMS.type):  # licence types
                self.common += self.reference.triples((kind, None, None))
                self.common.add((kind, RDF.type, SKOS.Concept))
                for scheme in self.reference.objects(kind, SKOS.inScheme):
                    self.common += self.reference.triples((scheme, None, None))
        for concept in set(self.common.objects(None, SKOS.inScheme)):
            self.common.add((concept, RDF.type, SKOS.ConceptScheme))
        return CatalogData(self.catalog, self.common, datasets, self.settings.page_size, self.base)

    def catalogue(self, datasets: list[tuple[URIRef, Graph]]) -> None:
        g, c = self.common, self.catalog
        g.add((c, RDF.type, DCAT.Catalog))
        self.texts(g, c, DCTERMS.title, "Bibliothèque d'IA territoriales",
                   "Library of local-government AI (ia-territoriales)")
        self.texts(
            g, c, DCTERMS.description,
            "Catalogue des données de la bibliothèque d'IA territoriales : les cas d'usage d'intelligence "
            "artificielle documentés par les collectivités territoriales selon une nomenclature commune, les "
            "registres publics d'algorithmes importés (Union européenne, Pays-Bas, Royaume-Uni), et les jeux de "
            "données, modèles et codes sources que les cas d'usage partagent. Téléchargements complets, point "
            "d'accès SPARQL et description VoID.",
            "Data catalogue of the library of local-government AI: artificial-intelligence use cases documented "
            "by French local authorities in a shared nomenclature, the public algorithm registers it imports "
            "(European Union, Netherlands, United Kingdom), and the datasets, models and source code the use "
            "cases share. Full downloads, SPARQL endpoint and VoID description.",
        )
        self.agent(g)
        g.add((c, DCTERMS.publisher, self.publisher))
        homepage = URIRef(self.base)
        g.add((c, FOAF.homepage, homepage))
        g.add((homepage, RDF.type, FOAF.Document))
        for code in ("FRA", "ENG"):
            self.use(g, c, DCTERMS.language, LANGUAGE[code], DCTERMS.LinguisticSystem)
        self.licence(g, c, LICENCE_OUVERTE)
        self.use(g, c, DCAT.themeTaxonomy, THEME_SCHEME)
        g.add((THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
        countries = sorted({o for _, part in datasets for o in part.objects(None, DCTERMS.spatial)
                            if str(o).startswith(str(COUNTRY))})
        for country in countries:
            self.use(g, c, DCTERMS.spatial, country, DCTERMS.Location)
        g.add((c, DCTERMS.modified, Literal(self.build_date.isoformat(), datatype=XSD.date)))
        g.add((c, DCAT.service, self.service))
        void = URIRef(f"{self.base}.well-known/void")
        g.add((c, RDFS.seeAlso, void))
        g.add((c, FOAF.page, URIRef(f"{self.base}telechargements")))

    def agent(self, g: Graph) -> None:
        s = self.settings
        g.add((self.publisher, RDF.type, FOAF.Agent))
        g.add((self.publisher, FOAF.name, _lit(s.publisher_name)))
        g.add((self.publisher, FOAF.homepage, URIRef(self.base)))
        if s.publisher_type:
            self.use(g, self.publisher, DCTERMS.type, URIRef(PUBLISHER_TYPE + s.publisher_type), SKOS.Concept)
        g.add((self.contact, RDF.type, VCARD.Kind))
        g.add((self.contact, VCARD.fn, _lit(s.publisher_name)))
        g.add((self.contact, VCARD.hasURL, URIRef(self.base)))
        if s.contact_email:
            g.add((self.contact, VCARD.hasEmail, URIRef(f"mailto:{s.contact_email}")))

    def data_service(self) -> None:
        g, svc = self.common, self.service
        endpoint = URIRef(f"{self.base}sparql")
        g.add((svc, RDF.type, DCAT.DataService))
        g.add((svc, DCTERMS.identifier, Literal(str(svc))))
        self.texts(g, svc, DCTERMS.title, "Point d'accès SPARQL de la bibliothèque d'IA territoriales",
                   "SPARQL endpoint of the library of local-government AI")
        self.texts(
            g, svc, DCTERMS.description,
            "Interrogation en SPARQL 1.1 (lecture seule) de tous les graphes de la bibliothèque ; le graphe par "
            "défaut est l'union des graphes nommés. Description du service à la même adresse, sans requête.",
            "SPARQL 1.1 queries (read-only) over every graph of the library; the default graph is the union of "
            "the named graphs. Service description at the same address, without a query.",
        )
        g.add((svc, DCAT.endpointURL, endpoint))
        g.add((svc, DCAT.endpointDescription, endpoint))
        g.add((svc, DCTERMS.conformsTo, SPARQL_PROTOCOL))
        g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
        g.add((SPARQL_PROTOCOL, DCTERMS.title, _lit("SPARQL 1.1 Protocol", "en")))
        g.add((svc, DCAT.contactPoint, self.contact))
        g.add((svc, DCTERMS.publisher, self.publisher))
        self.texts(g, svc, DCAT.keyword, "SPARQL")
        self.texts(g, svc, DCAT.keyword, "données liées", "linked data")
        for code in ("GOVE", "TECH"):
            self.use(g, svc, DCAT.theme, THEME[code], SKOS.Concept)
        self.licence(g, svc, LICENCE_OUVERTE)
        # dcat:servesDataset is written with each served dataset (library(), registers()), so that a page
        # never names a dataset it does not describe (the DCAT-AP range check wants it typed and titled)

    # -- distributions -------------------------------------------------------------------------------
    def files(self) -> list[Mapping[str, Any]]:
        return [f for f in self.manifest.get("files") or [] if isinstance(f, Mapping) and f.get("name")]

    def stale_note(self, name: str) -> tuple[str, str]:
        """French and English sentences for a dump an incremental build took from an earlier build
        (manifest ``dumps_of_build``): the served data changed since, its fresh dump is on the way."""
        earlier = self.manifest.get("dumps_of_build")
        if not earlier or earlier == self.manifest.get("build_id") or name.startswith("rapport-validation"):
            return "", ""
        return (f" Fichier de la construction {earlier} : les données servies ont changé depuis ; sa version à"
                " jour est en cours d'écriture et le remplacera dans quelques minutes.",
                f" File of build {earlier}: the served data changed since; its up-to-date version is being"
                " written and will replace it within minutes.")

    def file_distribution(self, g: Graph, ds: URIRef, entry: Mapping[str, Any], licence: URIRef,
                          rights: tuple[str, str, str] | None) -> None:
        name = str(entry["name"])
        dist = self.iri(f"fichier-{name}")
        url = URIRef(f"{self.base}telechargements/{name}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.identifier, Literal(name)))
        self.texts(g, dist, DCTERMS.title, str(entry.get("title_fr") or name), entry.get("title_en"))
        media_type = str(entry.get("media_type") or "")
        compressed = entry.get("compress_format")
        sha = f" SHA-256 : {entry['sha256']}." if entry.get("sha256") else ""
        stale_fr, stale_en = self.stale_note(name)
        self.texts(g, dist, DCTERMS.description,
                   f"Fichier {name} ({media_type}{', compressé gzip' if compressed else ''}).{sha}{stale_fr}",
                   f"File {name} ({media_type}{', gzip-compressed' if compressed else ''}).{sha.replace(' :', ':')}"
                   f"{stale_en}")
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        if media_type:
            media = URIRef(IANA + media_type)
            g.add((dist, DCAT.mediaType, media))
            self.common.add((media, RDF.type, DCTERMS.MediaType))
        if media_type in FILE_TYPES:
            self.use(g, dist, DCTERMS["format"], FILE_TYPE[FILE_TYPES[media_type]], DCTERMS.MediaTypeOrExtent)
        if compressed:
            packed = URIRef(IANA + str(compressed))
            g.add((dist, DCAT.compressFormat, packed))
            self.common.add((packed, RDF.type, DCTERMS.MediaType))
        if isinstance(entry.get("bytes"), int):
            g.add((dist, DCAT.byteSize, Literal(entry["bytes"], datatype=XSD.nonNegativeInteger)))
        if entry.get("sha256") and self.settings.checksums:
            checksum = BNode()
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            self.use(g, checksum, SPDX.algorithm, SHA256)
            g.add((checksum, SPDX.checksumValue, Literal(str(entry["sha256"]), datatype=XSD.hexBinary)))
        if entry.get("schema"):
            schema_name = str(entry["schema"]).rsplit("/", 1)[-1]
            schema = URIRef(f"{self.base}telechargements/{schema_name}")
            g.add((dist, DCTERMS.conformsTo, schema))
            g.add((schema, RDF.type, DCTERMS.Standard))
            self.texts(g, schema, DCTERMS.title, f"Schéma de table (Frictionless) de {name}",
                       f"Frictionless Table Schema of {name}")
        self.licence(g, dist, licence)
        if rights:
            self.rights(g, dist, *rights)
        self.use(g, dist, DCATAP.availability, STABLE, SKOS.Concept)
        g.add((dist, DCTERMS.modified, Literal(self.build_date.isoformat(), datatype=XSD.date)))

    def sparql_distribution(self, g: Graph, ds: URIRef, key: str, licence: URIRef,
                            rights: tuple[str, str, str] | None, graph_iri: str | None) -> None:
        dist = self.iri(f"sparql-{key}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        self.texts(g, dist, DCTERMS.title, "Point d'accès SPARQL", "SPARQL endpoint")
        where = f" (graphe nommé <{graph_iri}>)" if graph_iri else ""
        where_en = f" (named graph <{graph_iri}>)" if graph_iri else ""
        self.texts(g, dist, DCTERMS.description, f"Interroger ces données en SPARQL 1.1{where}.",
                   f"Query these data with SPARQL 1.1{where_en}.")
        g.add((dist, DCAT.accessURL, URIRef(f"{self.base}sparql")))
        g.add((dist, DCAT.accessService, self.service))
        self.licence(g, dist, licence)
        if rights:
            self.rights(g, dist, *rights)
        self.use(g, dist, DCATAP.availability, STABLE, SKOS.Concept)

    # -- datasets --------------------------------------------------------------------------------------
    def sources(self) -> list[Mapping[str, Any]]:
        """The registers of the build (manifest ``sources``) that state a licence: no licence, no dataset."""
        return [s for s in self.manifest.get("sources") or [] if isinstance(s, Mapping) and s.get("name")
                and s.get("licence") and s.get("graph")]

    def eu_languages(self, name: str, default: tuple[str, ...] = ()) -> list[str]:
        tags = self.per_graph.get(name, GraphFacts()).languages or default
        return list(dict.fromkeys(LANGUAGES[t] for t in tags if t in LANGUAGES))

    def library(self) -> tuple[URIRef, Graph]:
        g, ds = Graph(), self.iri("ia-territoriales")
        facts = self.per_graph.get("bibliotheque", GraphFacts())
        self.common_dataset(g, ds, ("GOVE", "TECH"), self.eu_languages("bibliotheque", ("fr",)),
                            facts.countries, "IRREG")
        self.texts(g, ds, DCTERMS.title, "Bibliothèque d'IA territoriales : cas d'usage d'intelligence artificielle "
                   "des collectivités", "Library of local-government AI: artificial-intelligence use cases of "
                   "French local authorities")
        registers = ", ".join(f"« {s.get('title_fr') or s['name']} »" for s in self.sources())
        self.texts(
            g, ds, DCTERMS.description,
            "Les cas d'usage d'intelligence artificielle des collectivités territoriales françaises, documentés "
            "selon la nomenclature ia-territoriales (domaines, finalités, techniques, stades, garanties, impacts "
            "sur les métiers, AI Act), avec les organisations et territoires concernés, la nomenclature (ontologie "
            "OWL et schémas SKOS) et les formes SHACL. Les téléchargements complets réunissent aussi les registres "
            "importés" + (f" ({registers})" if registers else "") + ", décrits chacun dans un jeu de données "
            "de ce catalogue avec sa licence. Fichiers RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD) et CSV "
            "des cas d'usage avec son schéma de table.",
            "The artificial-intelligence use cases of French local authorities, documented in the ia-territoriales "
            "nomenclature (domains, purposes, techniques, stages, safeguards, workforce impact, AI Act), with the "
            "organisations and territories involved, the nomenclature (OWL ontology and SKOS schemes) and the "
            "SHACL shapes. The full downloads also merge the imported registers, each described by a dataset of "
            "this catalogue with its licence. RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD) and a CSV of "
            "the use cases with its table schema.",
        )
        for fr, en in (("intelligence artificielle", "artificial intelligence"),
                       ("collectivités territoriales", "local government"),
                       ("algorithmes publics", "public algorithms"), ("transparence", "transparency"),
                       ("AI Act", "AI Act"), ("données liées", "linked data")):
            self.texts(g, ds, DCAT.keyword, fr, en)
        self.period(g, ds, facts.start, facts.end)
        self.publisher_and_contact(g, ds)
        g.add((ds, DCAT.landingPage, URIRef(self.base)))
        g.add((URIRef(self.base), RDF.type, FOAF.Document))
        g.add((ds, DCTERMS.modified, Literal(self.build_date.isoformat(), datatype=XSD.date)))
        ontology = URIRef("https://w3id.org/ia-territoriales/def")
        g.add((ds, DCTERMS.conformsTo, ontology))
        g.add((ontology, RDF.type, DCTERMS.Standard))
        self.texts(g, ontology, DCTERMS.title, "Ontologie ia-territoriales", "ia-territoriales ontology")
        self.licence(g, ds, LICENCE_OUVERTE)
        rights = self.library_rights()
        self.rights(g, ds, *rights)
        for source in self.sources():
            g.add((ds, DCTERMS.relation, self.iri(f"registre-{source['name']}")))
        for entry in self.files():
            if entry.get("media_type") in FILE_TYPES and entry.get("graph") in (None, *LIBRARY_GRAPHS):
                self.file_distribution(g, ds, entry, LICENCE_OUVERTE, rights)
        self.sparql_distribution(g, ds, "ia-territoriales", LICENCE_OUVERTE, rights, None)
        g.add((self.service, DCAT.servesDataset, ds))
        return ds, g

    def library_rights(self) -> tuple[str, str, str]:
        parts = [f"{s.get('title_fr') or s['name']} : {s.get('attribution') or s['licence']}" for s in self.sources()]
        fr = ("Licence Ouverte 2.0 (Etalab) pour les fiches de la bibliothèque, la nomenclature et les formes."
              + (" Les fichiers complets contiennent aussi les graphes des registres importés, qui restent sous "
                 "leur propre licence, avec leur attribution : " + " ; ".join(parts) + "." if parts else ""))
        en = ("Open Licence 2.0 (Etalab) for the library's records, the nomenclature and the shapes."
              + (" The full files also hold the graphs of the imported registers, which keep their own licence "
                 "and attribution: " + "; ".join(parts) + "." if parts else ""))
        return "droits-bibliotheque", fr, en

    def publisher_and_contact(self, g: Graph, ds: URIRef) -> None:
        g.add((ds, DCTERMS.publisher, self.publisher))
        g.add((ds, DCAT.contactPoint, self.contact))

    def registers(self) -> list[tuple[URIRef, Graph]]:
        out = []
        for source in self.sources():
            name, graph_name = str(source["name"]), str(source["graph"])
            g, ds = Graph(), self.iri(f"registre-{name}")
            facts = self.per_graph.get(graph_name, GraphFacts())
            self.common_dataset(g, ds, ("GOVE", "TECH"), self.eu_languages(graph_name), facts.countries, "IRREG")
            title_fr = str(source.get("title_fr") or name)
            title_en = str(source.get("title_en") or title_fr)
            graph_iri = f"{self.base}graphe/{graph_name}"
            homepage = str(source.get("homepage") or "")
            snapshot = parse_date(str(source.get("snapshot") or ""))
            attribution = str(source.get("attribution") or "")
            self.texts(g, ds, DCTERMS.title, f"Registre importé : {title_fr}", f"Imported register: {title_en}")
            self.texts(
                g, ds, DCTERMS.description,
                f"Les fiches du registre « {title_fr} », converties en RDF selon l'ontologie ia-territoriales "
                f"(graphe nommé <{graph_iri}>)"
                + (f", d'après la copie du {snapshot.isoformat()}" if snapshot else "")
                + (f". Source : {homepage}" if homepage else "") + (f". Attribution : {attribution}" if attribution
                                                                     else "") + ".",
                f"The records of the register “{title_en}”, converted to RDF with the ia-territoriales ontology "
                f"(named graph <{graph_iri}>)"
                + (f", from the copy of {snapshot.isoformat()}" if snapshot else "")
                + (f". Source: {homepage}" if homepage else "") + (f". Attribution: {attribution}" if attribution
                                                                   else "") + ".",
            )
            for fr, en in (("intelligence artificielle", "artificial intelligence"),
                           ("registre d'algorithmes", "algorithm register"), ("secteur public", "public sector"),
                           ("transparence", "transparency")):
                self.texts(g, ds, DCAT.keyword, fr, en)
            self.period(g, ds, facts.start, facts.end)
            self.publisher_and_contact(g, ds)
            g.add((ds, DCAT.landingPage, URIRef(self.base)))
            if homepage:
                g.add((ds, FOAF.page, URIRef(homepage)))
                g.add((URIRef(homepage), RDF.type, FOAF.Document))
                g.add((ds, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef(homepage)))
            modified = min(snapshot, self.build_date) if snapshot else self.build_date
            g.add((ds, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date)))
            licence = URIRef(str(source["licence"]))
            self.licence(g, ds, licence)
            rights = (f"droits-{name}", f"Attribution : {attribution}" if attribution else title_fr,
                      f"Attribution: {attribution}" if attribution else title_en)
            self.rights(g, ds, *rights)
            for entry in self.files():
                if entry.get("graph") == graph_name and entry.get("media_type") in FILE_TYPES:
                    self.file_distribution(g, ds, entry, licence, rights)
            self.sparql_distribution(g, ds, f"registre-{name}", licence, rights, graph_iri)
            g.add((self.service, DCAT.servesDataset, ds))
            out.append((ds, g))
        return out

    def shared_resources(self) -> list[tuple[URIRef, Graph]]:
        out = []
        facts = self.facts
        pairs = sorted(set(facts.subject_objects(IAT.sharedResource)), key=lambda p: (str(p[0]), str(p[1])))
        for uc, res in pairs:
            landing = facts.value(res, DCAT.landingPage)
            download = facts.value(res, DCAT.downloadURL)
            access = download if isinstance(download, URIRef) else landing
            if not isinstance(res, URIRef) or not isinstance(access, URIRef) or reserved_host(str(access)):
                continue  # nothing a portal could link to: no URL, or an example one (a fictional record's)
            g = Graph()
            kinds = [k for k in SHARED_KINDS if (res, RDF.type, k) in facts]
            uc_title = _best(facts.objects(uc, DCTERMS.title)) or str(uc)
            own_title = _best(facts.objects(res, DCTERMS.title))
            if own_title is not None and _is_url_text(str(own_title), access):
                own_title = None  # a register gave only the URL ("github.com/…"): a portal needs a real title
            own_description = _best(facts.objects(res, DCTERMS.description))
            themes = [str(t).removeprefix(str(THEME)) for t in facts.objects(uc, IAT.theme)]
            countries = sorted({c for t in facts.objects(uc, DCTERMS.spatial)
                                if (c := territory_country(str(t), self.base))})
            languages = [LANGUAGES[lit.language] for lit in (*facts.objects(res, DCTERMS.title),
                                                             *facts.objects(res, DCTERMS.description))
                         if isinstance(lit, Literal) and lit.language in LANGUAGES]
            self.common_dataset(g, res, (*sorted(themes), "GOVE"), dict.fromkeys(languages), countries, "UNKNOWN")
            for kind in kinds:
                g.add((res, RDF.type, kind))
            kind_fr, kind_en = SHARED_KINDS[kinds[0]] if kinds else ("ressource partagée", "shared resource")
            if own_title:
                g.add((res, DCTERMS.title, own_title))
            else:
                self.texts(g, res, DCTERMS.title, f"{kind_fr[0].upper()}{kind_fr[1:]} du cas d'usage « {uc_title} »",
                           f"{kind_en[0].upper()}{kind_en[1:]} of the use case “{uc_title}”")
            context_fr = f"Ressource ({kind_fr}) partagée par le cas d'usage « {uc_title} » <{uc}>."
            context_en = f"Resource ({kind_en}) shared by the use case “{uc_title}” <{uc}>."
            if own_description:
                lang = own_description.language
                g.add((res, DCTERMS.description, _lit(f"{own_description}\n\n{context_fr if lang != 'en' else context_en}",
                                                      lang)))
            else:
                self.texts(g, res, DCTERMS.description, context_fr, context_en)
            self.texts(g, res, DCAT.keyword, kind_fr, kind_en)
            self.texts(g, res, DCAT.keyword, "intelligence artificielle", "artificial intelligence")
            for keyword in sorted(facts.objects(uc, DCAT.keyword), key=str)[:10]:
                if isinstance(keyword, Literal):
                    g.add((res, DCAT.keyword, keyword))
            g.add((res, DCTERMS.isReferencedBy, uc))
            if isinstance(landing, URIRef):
                g.add((res, DCAT.landingPage, landing))
                g.add((landing, RDF.type, FOAF.Document))
            self.deployer(g, res, uc)
            modified = parse_date(str(_best(facts.objects(uc, DCTERMS.modified)) or ""))
            if modified:
                g.add((res, DCTERMS.modified, Literal(min(modified, self.today).isoformat(), datatype=XSD.date)))
            licence = facts.value(res, DCTERMS.license)
            if isinstance(licence, URIRef):
                self.licence(g, res, licence)
            self.resource_distribution(g, res, access, download, licence, own_title, kind_fr, uc_title)
            out.append((res, g))
        return out

    def deployer(self, g: Graph, res: URIRef, uc) -> None:
        facts = self.facts
        for org in sorted(facts.objects(uc, AIRO.isDeployedBy), key=str):
            name = _best(facts.objects(org, SKOS.prefLabel))
            if name is None:
                continue
            g.add((res, DCTERMS.publisher, org))
            g.add((org, RDF.type, FOAF.Agent))
            g.add((org, FOAF.name, _lit(str(name), name.language)))
            break
        for contact in facts.objects(uc, DCAT.contactPoint):
            g.add((res, DCAT.contactPoint, contact))
            g.add((contact, RDF.type, VCARD.Kind))
            for p, o in facts.predicate_objects(contact):
                if str(p).startswith(str(VCARD)):
                    g.add((contact, p, o))
            break

    def resource_distribution(self, g: Graph, res: URIRef, access: URIRef, download, licence, own_title,
                              kind_fr: str, uc_title: str) -> None:
        dist = URIRef(f"{res}-distribution")
        g.add((res, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        if own_title:
            g.add((dist, DCTERMS.title, own_title))
        else:  # the link itself, as people write it
            g.add((dist, DCTERMS.title, Literal(str(access).split("//", 1)[-1].rstrip("/"))))
        self.texts(g, dist, DCTERMS.description,
                   "Téléchargement direct." if isinstance(download, URIRef) else "Page d'accès à la ressource.",
                   "Direct download." if isinstance(download, URIRef) else "Page giving access to the resource.")
        g.add((dist, DCAT.accessURL, access))
        if isinstance(download, URIRef):
            g.add((dist, DCAT.downloadURL, download))
        fmt = self.facts.value(res, DCTERMS["format"])
        if isinstance(fmt, URIRef) and str(fmt).startswith(str(FILE_TYPE)):
            self.use(g, dist, DCTERMS["format"], fmt, DCTERMS.MediaTypeOrExtent)
            self.common.add((fmt, SKOS.inScheme, URIRef(f"{EU}file-type")))
        if isinstance(licence, URIRef):
            self.licence(g, dist, licence)


RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", "example.com", "example.org", "example.net")


def reserved_host(url: str) -> bool:
    """A URL under a name reserved for examples (RFC 2606, RFC 6761): no portal can link to it (udata refuses
    it as an invalid domain)."""
    host = (urlsplit(url).hostname or "").lower()
    return not host or host == "localhost" or host.endswith(RESERVED_SUFFIXES)


def _is_url_text(text: str, url: URIRef) -> bool:
    """``text`` is just ``url`` written without its scheme (how register importers title a bare link)."""
    bare = str(url).split("//", 1)[-1].rstrip("/").lower()
    return text.strip().rstrip("/").lower() in (bare, str(url).lower())


def _best(values: Iterable[Any]) -> Literal | None:
    """The French literal if any, else English, else the first (stable choice)."""
    literals = sorted((v for v in values if isinstance(v, Literal)), key=str)
    for lang in ("fr", "en"):
        for lit in literals:
            if lit.language == lang:
                return lit
    return literals[0] if literals else None
