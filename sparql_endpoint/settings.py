"""The one settings object. Read from the environment (prefix ``IAT_``) once, passed to the app factory."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IAT_", extra="ignore")

    base_url: str = Field(
        "http://127.0.0.1:8000/",
        description="URL publique de la bibliothèque (préfixe des IRI de données, redirections) ; finit par /",
    )
    var_dir: Path = Field(Path("var"), description="dossier des constructions (var/current est servi)")
    sparql_url: str | None = Field(
        None,
        description="URL d'un serveur SPARQL 1.1 distant (Oxigraph, Fuseki, Virtuoso…) au lieu du store embarqué",
    )
    query_timeout: float = Field(10.0, description="durée maximale d'une requête SPARQL, en secondes")
    result_limit: int = Field(10000, description="nombre maximal de lignes d'un résultat SPARQL")
    page_size: int = Field(20, description="cas d'usage par page de liste")
    query_workers: int = Field(
        2, description="processus de requête SPARQL simultanés (store embarqué) ; au-delà, les requêtes attendent"
    )
    sparql_cache_mb: float = Field(
        64.0,
        description="taille maximale du cache des résultats de /sparql, en Mo (par construction, exact : "
        "vidé de fait à chaque nouvelle construction) ; 0 le désactive",
    )
    queries_dir: Path = Field(Path("queries"), description="dossier des requêtes d'exemple (*.rq) de l'éditeur SPARQL")
    catalog_page_size: int = Field(100, description="jeux de données par page du catalogue DCAT (pagination Hydra)")
    publisher_name: str = Field(
        "Bibliothèque d'IA territoriales", description="nom de l'éditeur du catalogue DCAT (foaf:name)"
    )
    publisher_type: str | None = Field(
        None, description="type d'éditeur ADMS du catalogue (ex. LocalAuthority, NonProfitOrganisation)"
    )
    contact_email: str | None = Field(None, description="adresse de contact publiée dans le catalogue DCAT")
    catalog_checksums: bool = Field(
        False,
        description="publier spdx:checksum (sha256) dans le catalogue DCAT ; désactivé : le moissonneur de "
        "data.gouv.fr (udata 17) rejette les jeux de données dont l'empreinte est en xsd:hexBinary",
    )

    @property
    def current_build(self) -> Path:
        return self.var_dir / "current"
