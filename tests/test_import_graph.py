"""Dependencies between the packages of kotechnews point one way.

A unit is a subpackage (``labelstudio``, ``baselines``, ...) or a top-level module (``gold``,
``records``, ...). Command-line modules (``cli.py``, ``annotation_cli.py``) are the layer above
all of them: they compose the library and may import any unit, so they are not nodes of the graph.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "kotechnews"
CLI_MODULES = {"cli.py", "annotation_cli.py"}


def _unit(module: str) -> str | None:
    """The unit of a dotted module name under kotechnews (None for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "kotechnews" else None


def imports_by_unit(root: Path = SOURCE, skip_cli: bool = True) -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) -> the 'file:line' of every such import."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        if skip_cli and path.name in CLI_MODULES:
            continue
        relative = path.relative_to(root)
        unit = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                if node.module == "kotechnews":  # from kotechnews import schema, __version__
                    names = [
                        f"kotechnews.{alias.name}"
                        for alias in node.names
                        if (root / alias.name).is_dir() or (root / f"{alias.name}.py").is_file()
                    ]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = _unit(name)
                if target is not None and target != unit and target != "__init__":
                    found[(unit, target)].append(f"{relative}:{node.lineno}")
    return found


def find_cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    """One cycle of the directed graph (its nodes, the first repeated at the end), or None."""
    successors: dict[str, list[str]] = defaultdict(list)
    for head, tail in sorted(edges):
        successors[head].append(tail)
    state: dict[str, str] = {}  # "open" while on the DFS path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in successors[node]:
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, path + [node])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(successors):
        if start not in state and (cycle := visit(start, [])):
            return cycle
    return None


def test_the_cycle_finder_finds_cycles_and_only_cycles():
    assert find_cycle({("a", "b"), ("b", "c"), ("a", "c")}) is None
    assert find_cycle({("a", "b"), ("b", "c"), ("c", "a")}) == ["a", "b", "c", "a"]
    assert find_cycle({("x", "a"), ("a", "b"), ("b", "a")}) == ["a", "b", "a"]


def test_no_import_cycle_between_packages():
    imports = imports_by_unit()
    cycle = find_cycle(set(imports))
    where = (
        [f"{a} -> {b}: {', '.join(imports[(a, b)][:3])}" for a, b in zip(cycle, cycle[1:])]
        if cycle
        else []
    )
    assert cycle is None, "import cycle between packages:\n" + "\n".join(where)


def test_the_label_studio_layer_does_not_import_the_baselines():
    # command-line modules included: the baselines register their sources with this layer
    upward = {
        pair: places
        for pair, places in imports_by_unit(skip_cli=False).items()
        if pair == ("labelstudio", "baselines")
    }
    assert upward == {}
