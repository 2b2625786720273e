"""scenes/' house rules, checked: no function runs past 80 lines (one method per beat), scene modules import only
public names of each other, and no scene module uses another topic's module as a library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import scenes

PACKAGE = Path(scenes.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
LONGEST = 80
# Modules that hold scenes (one lecture topic each): shared code lives in base, speed, trained, components ...
TOPICS = ("convolution", "transposed", "ambiguity", "autoencoder", "vae", "cvae", "modelflow")


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _relative_imports(tree: ast.AST) -> list[tuple[str, list[str], int]]:
    return [(node.module or "", [a.name for a in node.names], node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level > 0]


def _long_functions(source: str) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method of 81 lines or more."""
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1) for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= LONGEST]


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_function_runs_past_80_lines(path):
    long = _long_functions(path.read_text())
    assert not long, f"{_name(path)}: {long}"


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_modules_import_only_public_names_of_each_other(path):
    for module, names, line in _relative_imports(ast.parse(path.read_text())):
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{_name(path)}:{line} imports {private} from .{module}"


@pytest.mark.parametrize("path", [p for p in SOURCES if p.stem in TOPICS], ids=_name)
def test_topic_modules_do_not_use_each_other_as_libraries(path):
    for module, names, line in _relative_imports(ast.parse(path.read_text())):
        assert module.split(".")[0] not in TOPICS, f"{_name(path)}:{line} imports {names} from .{module}"


def test_the_length_check_catches_a_long_method_and_passes_an_80_line_one():
    def method(lines: int) -> str:
        return "class S:\n    def construct(self):\n" + "\n".join(f"        x{i} = {i}" for i in range(lines - 1))

    assert _long_functions(method(81)) == [("construct", 2, 81)]
    assert _long_functions(method(80)) == []
