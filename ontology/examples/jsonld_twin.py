"""Write the JSON-LD twin of a Turtle example (same graph, "@base" http://127.0.0.1:8000/).

Usage: .venv/bin/python ontology/examples/jsonld_twin.py ontology/examples/NAME.ttl
"""

import json
import re
import sys
from pathlib import Path

from rdflib import Graph

BASE = "http://127.0.0.1:8000/"


def relative(node):
    if isinstance(node, dict):
        return {
            k: (
                v[1:]
                if k == "@id" and isinstance(v, str) and v.startswith("/") and not v.startswith("//")
                else relative(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [relative(x) for x in node]
    return node


src = Path(sys.argv[1])
text = src.read_text(encoding="utf-8")
graph = Graph().parse(data=text, format="turtle", publicID=BASE)
context = {"@base": BASE, **dict(re.findall(r"@prefix ([\w-]*): <([^>]+)>", text))}
doc = relative(json.loads(graph.serialize(format="json-ld", context=context, base=BASE, auto_compact=True)))
doc["@graph"].sort(key=lambda n: n["@id"])
src.with_suffix(".jsonld").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
