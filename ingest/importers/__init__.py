"""Importers of other registers' files (see ``ingest.sources``): each maps a raw file to an rdflib Graph."""
