"""ia-territoriales ingest: contributor formats and registers to validated RDF, and the build."""

__version__ = "0.1.0"
