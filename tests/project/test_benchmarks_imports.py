"""The benchmarks are never run by `make test` (minutes each), and most import eduplan's modules
inside functions, in child processes: a renamed function would only show when someone runs
`make bench`. Every `from flows... import name` in benchmarks/ must name something that exists."""

from __future__ import annotations

import ast
import importlib

from tests.conftest import REPO_ROOT


def test_every_name_the_benchmarks_import_from_flows_exists() -> None:
    checked = 0
    for path in sorted((REPO_ROOT / "benchmarks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flows"):
                module = importlib.import_module(node.module or "")
                for alias in node.names:
                    assert hasattr(module, alias.name), (
                        f"{path.name}:{node.lineno}: {node.module} has no {alias.name}"
                    )
                    checked += 1
    assert checked >= 10  # the benchmarks do import eduplan's flows
