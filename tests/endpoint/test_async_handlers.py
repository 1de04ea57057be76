"""STYLE.md #7: no blocking store, SQLite, file or serialiser call inside an ``async def`` of the service.

The handlers are coroutines on the event loop; a synchronous call there stalls every other request.
Each such call must be the argument of ``run_in_threadpool`` (or live in a plain ``def``). Read from the
source with ``ast``, so a new handler is checked as soon as it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sparql_endpoint"
# Callables that block (store queries, the search index's SQLite, the file system, big serialisations).
BLOCKING = {
    "execute", "build", "search", "doc", "similar", "usage", "concept_counts", "value_counts", "total",
    "latest", "by_year", "is_file", "is_dir", "exists", "resolve", "stat", "open", "read_text", "read_bytes",
    "_serialise", "_triples", "_status", "select", "_select", "_tree", "published", "search_index", "page",
    "serialize", "load_examples", "open_store", "_rdf_response",
}


def _async_functions() -> list[tuple[str, ast.AsyncFunctionDef]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [(f"{path.relative_to(PACKAGE)}:{node.name}", node) for node in ast.walk(tree)
                  if isinstance(node, ast.AsyncFunctionDef)]
    return found


def _own_nodes(function: ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of the coroutine's body, not those of the plain functions it defines (``def gather``,
    lambdas): those run where they are handed, in the thread pool."""
    nodes: list[ast.AST] = []
    nested = ast.FunctionDef | ast.Lambda | ast.AsyncFunctionDef
    stack: list[ast.AST] = [n for n in function.body if not isinstance(n, nested)]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack += [child for child in ast.iter_child_nodes(node) if not isinstance(child, nested)]
    return nodes


def _blocking_calls(function: ast.AsyncFunctionDef) -> list[str]:
    own = _own_nodes(function)
    deferred: set[int] = set()  # callables handed to run_in_threadpool are not called here
    for node in own:
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "run_in_threadpool":
            deferred.update(id(arg) for arg in node.args)
    bad = []
    for node in own:
        if not isinstance(node, ast.Call) or id(node) in deferred:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in BLOCKING:
            bad.append(f"{name}() line {node.lineno}")
    return bad


HANDLERS = _async_functions()


def test_handlers_were_found() -> None:
    assert len(HANDLERS) >= 20  # routes of sparql, resources, browse, catalog, and the lifespan


@pytest.mark.parametrize(("name", "function"), HANDLERS, ids=[n for n, _ in HANDLERS])
def test_no_blocking_call_in_async_def(name: str, function: ast.AsyncFunctionDef) -> None:
    if name == "app.py:lifespan":  # runs once at start-up, before any request
        return
    assert _blocking_calls(function) == []
