"""The layering of DESIGN.md, checked over the source (issue 12 point 1): protocols call the domain, never the
store; the store imports nothing above it.

Every ``import`` and ``from … import`` of every module is read with ``ast`` (imports inside functions too), so
a rule cannot be dodged by a late import.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"

# REST v1 modules still building SQL themselves: each is being moved onto domain reads (issue 12); the list may
# only shrink. A module leaves it when it imports neither server.store nor sqlalchemy.
REST_V1_NOT_YET_ON_THE_DOMAIN: set[str] = set()

STORE = ("server.store", "sqlalchemy")
# what the store may import besides itself and third-party code: the layers below it
STORE_MAY_IMPORT = ("server.store", "server.clock", "server.tables", "server.config", "server.call_slot")


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(package: str) -> list[Path]:
    return sorted((SERVER / package).rglob("*.py"))


def touches(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("package", ["rest_v2", "services", "xmlrpc"])
def test_protocols_reach_the_store_only_through_the_domain(package):
    offenders = {p.relative_to(SERVER).as_posix(): found for p in modules(package)
                 if (found := touches(imports(p), STORE))}
    assert offenders == {}


def test_rest_v1_reaches_the_store_only_through_the_domain():
    offenders = {p.stem for p in modules("rest") if touches(imports(p), STORE)}
    new = offenders - REST_V1_NOT_YET_ON_THE_DOMAIN
    assert not new, f"new REST v1 code building SQL: {new}"
    moved = REST_V1_NOT_YET_ON_THE_DOMAIN - offenders
    assert not moved, f"these modules are on the domain now: take them off REST_V1_NOT_YET_ON_THE_DOMAIN: {moved}"


def test_the_store_imports_nothing_above_it():
    offenders = {}
    for p in modules("store"):
        if "migrations" in p.parts:
            continue
        upward = [n for n in touches(imports(p), ("server",)) if not n.startswith(STORE_MAY_IMPORT)]
        if upward:
            offenders[p.relative_to(SERVER).as_posix()] = upward
    assert offenders == {}


def test_the_checker_sees_late_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from server.store import schema\n    import sqlalchemy as sa\n")
    assert touches(imports(module), STORE) == ["server.store", "server.store.schema", "sqlalchemy"]


def _module_graph() -> dict[str, set[str]]:
    """Module -> the modules of server/ it imports at its top level (``from . import x`` of a package is x)."""
    paths = {}
    for p in SERVER.rglob("*.py"):
        if "migrations" in p.parts:
            continue
        parts = ("server",) + p.relative_to(SERVER).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    graph = {}
    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                deps.update(f"{module}.{a.name}" if f"{module}.{a.name}" in paths else module for a in node.names)
        graph[name] = {d for d in deps if d in paths and d != name}
    return graph


def test_no_import_circles():
    """The import graph of server/ is a DAG (issue 12 point 4): every strongly connected component is one module."""
    graph = _module_graph()
    assert len(graph) > 150 and "server.services.contact" in graph["server.services"]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == []


def test_the_inspector_reaches_the_store_only_through_the_control_api_and_the_domain():
    """The inspector's pages (server/inspector/) call the control API's functions and domain reads, never SQL."""
    offenders = {p.relative_to(SERVER).as_posix(): found for p in modules("inspector")
                 if (found := touches(imports(p), STORE))}
    assert offenders == {}
