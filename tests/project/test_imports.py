"""flows/ imports its own modules at module level, in an import graph with no cycle; an import
inside a function (outside flows/cli/, which keeps every command's imports lazy) is a deliberate
saving of start-up time and says so: a `lazy:` comment on it or on the line above."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

FLOWS = REPO_ROOT / "flows"


def _module(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported (not those under `if TYPE_CHECKING:`)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.Try):
            found += [n for n in node.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in FLOWS.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            )
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_import_graph_of_flows_has_no_cycle() -> None:
    graph = _graph()
    assert sum(len(v) for v in graph.values()) > 50  # the graph was read
    assert _cycle(graph) == []


def test_a_cycle_is_found() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_every_import_inside_a_function_says_why_it_is_lazy() -> None:
    unexplained = []
    for path in sorted(FLOWS.rglob("*.py")):
        if "cli" in path.relative_to(FLOWS).parts:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for function in ast.walk(ast.parse(text)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            imports = [n for n in ast.walk(function) if isinstance(n, (ast.Import, ast.ImportFrom))]
            for node in imports:
                nearby = lines[node.lineno - 1] + " ".join(
                    lines[other.lineno - 2] for other in imports if other.lineno <= node.lineno
                )
                if "lazy:" not in nearby:
                    unexplained.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert unexplained == []
