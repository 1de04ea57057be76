"""SPARQL result serialisers (JSON, XML, CSV, TSV) over a capped list of rows.

pyoxigraph serialises a whole ``QuerySolutions`` iterator and offers no row cap; we need to stop at
``result_limit + 1`` rows, so rows are collected first and written here, following the W3C
"SPARQL 1.1 Query Results JSON / XML / CSV and TSV Formats" recommendations.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[object | None]


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def to_json(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    bindings = [
        {name: _json_term(value) for name, value in zip(variables, row, strict=True) if value is not None}
        for row in rows
    ]
    body = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def boolean_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode()


def _xml_term(term: object) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def to_xml(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    out = [_XML_HEAD, "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head><results>"]
    for row in rows:
        out.append("<result>")
        for name, value in zip(variables, row, strict=True):
            if value is not None:
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def boolean_xml(value: bool) -> bytes:
    return f"{_XML_HEAD}<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n".encode()


def _csv_value(term: object | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def to_csv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode()


def boolean_csv(value: bool) -> bytes:
    # CSV/TSV define no ASK form; we follow Jena and rdflib: one column named _askResult.
    return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()


def to_tsv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        # str() of a pyoxigraph term is its N-Triples form, which escapes tabs and newlines as TSV requires.
        lines.append("\t".join("" if value is None else str(value) for value in row))
    return ("\n".join(lines) + "\n").encode()


def boolean_tsv(value: bool) -> bytes:
    return f"?_askResult\n{'true' if value else 'false'}\n".encode()


SOLUTION_WRITERS = {
    "application/sparql-results+json": to_json,
    "application/sparql-results+xml": to_xml,
    "text/csv": to_csv,
    "text/tab-separated-values": to_tsv,
}
BOOLEAN_WRITERS = {
    "application/sparql-results+json": boolean_json,
    "application/sparql-results+xml": boolean_xml,
    "text/csv": boolean_csv,
    "text/tab-separated-values": boolean_tsv,
}
