"""The package's shape: an acyclic import graph in which the method stays apart from the tiny world.

The rules are about paths: the s1 method (the top-level modules that are neither orchestration
nor the book's plumbing) never imports ``s1kit/tiny/``, ``s1kit/experiments/`` or
``s1kit/report/``; the experiments never import the report or the chapters' entry point
(``s1kit.pipeline``); the tiny world never reaches up into any of them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from s1kit.stages import runtime_nodes

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "s1kit"
# Running the study and building the book: these may see both scales.
ORCHESTRATION = {"s1kit.pipeline", "s1kit.config", "s1kit.__main__", "s1kit.stages", "s1kit.reference",
                 "s1kit.book", "s1kit.bookcheck", "s1kit.bookbuild", "s1kit.chapters", "s1kit.preflight",
                 "s1kit.jsonio", "s1kit.launch"}
SUBPACKAGES = ("s1kit.tiny", "s1kit.experiments", "s1kit.report", "s1kit.rehearsal")


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_method(name: str) -> bool:
    return name not in ORCHESTRATION and not any(within(name, p) for p in SUBPACKAGES) and name != "s1kit"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every s1kit module -> the s1kit modules it imports anywhere (function-local imports too)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("s1kit"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("s1kit"))
        graph[name] = {m for m in found if m in modules and m not in (name, "s1kit", "s1kit.tiny")}
    return graph


def layers(graph: dict[str, set[str]]) -> dict[str, int]:
    """Layer of each module: 1 + the highest layer it imports (fails on a cycle)."""
    depth: dict[str, int] = {}

    def visit(name: str, stack: tuple[str, ...]) -> int:
        assert name not in stack, f"import cycle: {' -> '.join(stack + (name,))}"
        if name not in depth:
            depth[name] = 1 + max((visit(m, stack + (name,)) for m in graph[name]), default=0)
        return depth[name]

    for name in graph:
        visit(name, ())
    return depth


def test_import_graph_is_acyclic():
    graph = import_graph()
    depth = layers(graph)
    for name, imported in graph.items():
        for other in imported:
            assert depth[other] < depth[name], f"{name} (layer {depth[name]}) imports {other} (layer {depth[other]})"


def test_method_modules_never_import_the_tiny_world_the_experiments_or_the_report():
    graph = import_graph()
    methods = [name for name in graph if is_method(name)]
    assert {"s1kit.budget", "s1kit.training", "s1kit.evaluation", "s1kit.selection"} <= set(methods)
    for name in methods:
        for imported in graph[name]:
            assert not any(within(imported, p) for p in SUBPACKAGES), f"method module {name} imports {imported}"
            assert imported not in ORCHESTRATION - {"s1kit.jsonio"}, f"method module {name} imports {imported}"


def test_experiments_never_import_the_report_or_the_chapters_entry_point():
    for name, imported in import_graph().items():
        if within(name, "s1kit.experiments"):
            bad = {m for m in imported if within(m, "s1kit.report") or m == "s1kit.pipeline"}
            assert not bad, f"{name} imports {bad}"


def test_tiny_world_does_not_reach_up_into_the_orchestration():
    for name, imported in import_graph().items():
        if within(name, "s1kit.tiny"):
            bad = {m for m in imported if m in ORCHESTRATION or within(m, "s1kit.experiments")
                   or within(m, "s1kit.report")}
            assert not bad, f"{name} imports {bad}"


def test_readme_layout_table_matches_the_tree():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("## Layout"):]
    table = table[:table.index("\n## ", 4)]
    listed = set(re.findall(r"`(s1kit/[\w/]+\.py)`", table))
    actual = {str(p.relative_to(REPO)) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    assert listed == actual, f"README layout lists {sorted(listed - actual)} not in the tree, misses {sorted(actual - listed)}"
