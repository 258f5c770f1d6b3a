"""No import cycles between the project's modules.

A cycle (a imports b, b imports a, at module level) works only in the order Python happens to load
them, and a lazy import inside a function hides it from the reader rather than removing it. This
walks every module's top-level statements (class bodies and ``if``/``try`` blocks included, since
they run at import time; function bodies and ``if TYPE_CHECKING:`` blocks not, since they don't),
builds the graph of imports between project modules and fails on every strongly connected group
of two or more modules, printing each with the imports that close it.

The layer and app-independence rules are import-linter's contracts in pyproject.toml
(tests/test_import_contracts.py runs them).
"""

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "static", "templates", "var", "docs"}


def project_modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of every top-level package of the repository."""
    modules: dict[str, Path] = {}
    for top in sorted(ROOT.iterdir()):
        if top.name in SKIP_DIRS or top.name.startswith(".") or not (top / "__init__.py").is_file():
            continue
        for path in sorted(top.rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if any(p in SKIP_DIRS or p.startswith(".") for p in parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run when the module is imported (not those inside functions)."""
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_statements(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _runtime_statements(inner)
        for handler in getattr(node, "handlers", None) or ():
            yield from _runtime_statements(handler.body)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported project module, line) for each module-level import of ``name``."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in _runtime_statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                # ``from pkg import mod`` imports the submodule; ``from mod import obj`` the module.
                target = f"{base}.{alias.name}"
                if target in modules:
                    yield target, node.lineno
                elif base in modules:
                    yield base, node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line of the first such import}."""
    modules = project_modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges: dict[str, int] = {}
        for target, line in _imports(name, path, modules):
            if target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:
        # Iterative, so a long import chain cannot hit the recursion limit.
        nonlocal counter
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(groups)


def describe(group: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(group)
    lines = [f"cycle of {len(group)} modules:"]
    for name in group:
        for target, line in sorted(graph[name].items()):
            if target in members:
                lines.append(f"  {name} (line {line}) imports {target}")
    return "\n".join(lines)


def test_no_import_cycles_between_project_modules():
    graph = import_graph()
    cycles = import_cycles(graph)
    for group in cycles:
        print(describe(group, graph))
    assert not cycles, "import cycles:\n" + "\n".join(describe(g, graph) for g in cycles)


def test_the_cycle_finder_sees_a_cycle_and_its_imports():
    """The finder itself: a two-module cycle is found, a one-way chain is not."""
    graph = {"a.x": {"a.y": 3}, "a.y": {"a.x": 5}, "a.z": {"a.x": 1}}
    assert import_cycles(graph) == [["a.x", "a.y"]]
    assert "a.y (line 5) imports a.x" in describe(["a.x", "a.y"], graph)
    assert import_cycles({"a.x": {"a.y": 1}, "a.y": {}}) == []


def test_the_graph_resolves_relative_and_submodule_imports():
    """``from . import notifications`` inside courses and ``from courses.models import X`` both
    count as edges to the module they load."""
    graph = import_graph()
    assert "courses.models" in graph["courses.access"]
    assert "common.due" in graph["common.tasks"]


def test_every_project_module_imports():
    """A moved module leaves no stale import behind, in code the suite never runs either (bench/,
    management commands). Settings modules other than the test one need their own environment."""
    failures = {}
    for name in project_modules():
        if name.startswith(("tests", "config.settings")) or ".migrations." in name:
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - report every module that fails, whatever the error
            failures[name] = repr(exc)
    assert not failures, failures
