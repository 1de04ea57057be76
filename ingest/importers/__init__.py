"""Importers of raw source files into RDF: other registers (see ``ingest.sources``) and the French cases sheet."""
