"""The package's shape: an acyclic, layered import graph that keeps the method apart from the tiny world."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "s1kit"
# The orchestration and the book's helpers may see both scales; the method must not see the tiny world.
TOP = {"s1kit.pipeline", "s1kit.config", "s1kit.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every s1kit module -> the s1kit modules it imports anywhere (function-local imports too)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("s1kit"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("s1kit"))
        graph[name] = {m for m in found if m in modules and m not in (name, "s1kit", "s1kit.tiny")}
    return graph


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (type-only imports create no dependency)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


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


def test_import_graph_is_acyclic_and_layered():
    graph = import_graph()
    depth = layers(graph)
    for name, imported in graph.items():
        for other in imported:
            assert depth[other] < depth[name], f"{name} (layer {depth[name]}) imports {other} (layer {depth[other]})"
    # deepest: the command line over the book's helpers, which open runs through the pipeline
    assert max(depth.values()) <= 8


def test_method_modules_never_import_the_tiny_world():
    graph = import_graph()
    for name, imported in graph.items():
        if name in TOP or name.startswith("s1kit.tiny"):
            continue
        assert not any(m.startswith("s1kit.tiny") for m in imported), f"method module {name} imports {imported}"


def test_tiny_world_does_not_reach_up_into_the_orchestration():
    for name, imported in import_graph().items():
        if name.startswith("s1kit.tiny"):
            assert not imported & (TOP | {"s1kit.stages"}), f"{name} imports {imported & TOP}"


def test_readme_layout_table_matches_the_tree():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("## Layout"):]
    table = table[:table.index("\n## ", 4)]
    listed = set(re.findall(r"`(s1kit/[\w/]+\.py)`", table))
    actual = {str(p.relative_to(REPO)) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    assert listed == actual, f"README layout lists {sorted(listed - actual)} not in the tree, misses {sorted(actual - listed)}"
