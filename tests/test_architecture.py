"""The layout holds: data flows schemas <- screener -> api / cli, without import cycles, and no
module grows past 500 lines.

The import graph is read from the source with `ast` (every `import` and `from ... import`,
including those inside functions: an import moved into a function to dodge a cycle is still
a cycle). Cycles still being removed are listed in KNOWN_CYCLES with the reason; the test fails
on any other cycle and on a listed one that is gone, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "screener", "api", "cli")
MAX_LINES = 500

# Files allowed past MAX_LINES while their owners split them (issue #15).
LONG_FILES: dict[str, str] = {}

# Module cycles still to remove.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports (a `from package import module` names the module)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
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
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _package(module: str) -> str:
    """A node of the package graph: a sub-package (screener.packs, api.routers) or a module
    directly in a top-level package (screener.engine, cli.main)."""
    return ".".join(module.split(".")[:2])


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [frozenset({"a", "b", "c"})]


def test_no_module_import_cycle_beyond_the_known_ones() -> None:
    cycles = set(_cycles(_graph()))
    unknown = cycles - set(KNOWN_CYCLES)
    assert not unknown, f"new import cycles: {[sorted(c) for c in unknown]}"
    gone = set(KNOWN_CYCLES) - cycles
    assert not gone, f"cycles removed: drop them from KNOWN_CYCLES: {[sorted(c) for c in gone]}"


def test_the_library_does_not_import_the_entry_points() -> None:
    """schemas and screener never import cli, api, typer or fastapi: the entry points are
    shells over the library, never the other way round."""
    modules = _modules()
    offenders = []
    for name, path in modules.items():
        if not name.startswith(("schemas", "screener")):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                heads = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                heads = [node.module.split(".")[0]]
            else:
                continue
            offenders += [
                f"{name} imports {h}"
                for h in heads
                if h in {"cli", "api", "typer", "fastapi", "uvicorn"}
            ]
    assert not offenders, offenders


def test_packages_depend_one_way() -> None:
    """Between top-level packages: schemas imports none of the others, screener only schemas,
    api and cli never each other."""
    allowed = {
        "schemas": {"schemas"},
        "screener": {"schemas", "screener"},
        "api": {"schemas", "screener", "api"},
        "cli": {"schemas", "screener", "api", "cli"},  # `chokepoint serve` starts the API
    }
    edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in _graph().items():
        for target in targets:
            edges[source.split(".")[0]].add(target.split(".")[0])
    for top, reached in edges.items():
        assert reached <= allowed[top], f"{top} imports {sorted(reached - allowed[top])}"


def test_no_module_over_the_line_limit() -> None:
    long = {}
    for path in _modules().values():
        rel = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES and rel not in LONG_FILES:
            long[rel] = lines
    assert not long, f"modules over {MAX_LINES} lines: {long}"
    stale = [f for f in LONG_FILES if len((ROOT / f).read_text().splitlines()) <= MAX_LINES]
    assert not stale, f"no longer over the limit, drop from LONG_FILES: {stale}"


# Package cycles still to remove (issue #15), with the module edge that closes each.
KNOWN_PACKAGE_CYCLES: dict[frozenset[str], str] = {}


def test_no_package_import_cycle_beyond_the_known_ones() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, targets in _graph().items():
        graph[_package(source)] |= {_package(t) for t in targets} - {_package(source)}
    cycles = set(_cycles(dict(graph)))
    unknown = cycles - set(KNOWN_PACKAGE_CYCLES)
    assert not unknown, f"new package cycles: {[sorted(c) for c in unknown]}"
    gone = set(KNOWN_PACKAGE_CYCLES) - cycles
    assert not gone, f"removed: drop from KNOWN_PACKAGE_CYCLES: {[sorted(c) for c in gone]}"


def test_the_code_points_inside_the_repository_only() -> None:
    """Docstrings and comments name files of this repository, not a developer's machine or
    the research folders beside the checkout (a reader of a clone has neither)."""
    outside = re.compile(r"/work/|\.\./shared|\.\./\.library")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if outside.search(line)
    ]
    assert not found, found
