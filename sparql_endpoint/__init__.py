"""ia-territoriales web service: SPARQL 1.1 endpoint, linked-data pages, DCAT-AP catalogue."""
