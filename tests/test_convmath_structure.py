"""convmath's house rules, checked for every module (the package convmath/shapes/ included): it never draws (no
manim, no scenes), its modules use each other's public names only, no function runs past 80 lines, and its
docstring examples run."""

from __future__ import annotations

import ast
import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import convmath

PACKAGE = Path(convmath.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
DRAWING = ("manim", "scenes", "manimpango", "cairo")
LONGEST = 80


def _name(path: Path) -> str:
    """convmath/shapes/record.py -> 'convmath.shapes.record'."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import in a module of convmath, relative imports resolved against the
    module's package (``from .x`` in convmath/shapes/ is 'convmath.shapes.x', ``from ..x`` is 'convmath.x')."""
    package = _name(path).split(".") if path.name == "__init__.py" else _name(path).split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((module, [alias.name for alias in node.names], node.lineno))
    return found


def _id(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def test_relative_imports_resolve_to_real_modules():
    shapes = PACKAGE / "shapes" / "report.py"
    modules = {m for m, _, _ in _imports(shapes)}
    assert {"convmath.validate", "convmath.shapes.failure"} <= modules


@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_convmath_source_never_imports_drawing_code(path):
    for module, _, line in _imports(path):
        assert module.split(".")[0] not in DRAWING, f"{path.name}:{line} imports {module}"


def test_importing_convmath_loads_no_drawing_code():
    modules = [_name(p) for p in SOURCES if p.stem != "__main__"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {DRAWING!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_modules_import_only_public_names_of_each_other(path):
    for module, names, line in _imports(path):
        if module.startswith("convmath"):
            private = [n for n in names if n.startswith("_")]
            assert not private, f"{path.name}:{line} imports {private} from {module}"


@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_no_function_runs_past_80_lines(path):
    tree = ast.parse(path.read_text())
    long = [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= LONGEST]
    assert not long, f"{path.name}: {long}"


@pytest.mark.parametrize("name", ["ambiguity", "arithmetic", "cli", "explain", "textview", "validate", "pooling",
                                  "testing", "shapes.record", "shapes.keras_predict", "shapes.views",
                                  "shapes.failure"])
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(f"convmath.{name}"))
    assert result.failed == 0 and result.attempted > 0
