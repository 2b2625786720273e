"""Run the code convmath prints and compare the shapes it gives with the shapes printed next to it.

Two forms are printed: a program (statements, each shown shape in a ``# (1, 1, 6, 6)`` comment), and a layer line
(``nn.ConvTranspose2d(C_in, C_out, ...)  # (N, C_in, 3, 3) -> (N, C_out, 6, 6)``). Both run in the real torch or
Keras (``KERAS_BACKEND=torch``, set by conftest).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest
import torch
from hypothesis import strategies as st

from convmath import ConvArithmeticError

SYMBOLS = {"N": 1, "C": 1, "C_in": 1, "C_out": 1, "filters": 1}
EXAMPLES = Path(__file__).parent.parent / "examples"


def load_module(path: Path) -> ModuleType:
    """The Python file ``path`` imported as a module named after it (a user's file, run as loading runs it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_example(name: str) -> ModuleType:
    """``examples/<name>`` imported as a module (its ``build`` makes the model), its folder on sys.path as
    ``convmath trace`` puts it (a broken example imports its clean model)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return load_module(EXAMPLES / name)


def keras_module():
    """Keras 3 on the torch backend (skips the test if Keras is missing)."""
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() == "torch"
    return keras


def program_claims(code: str) -> Iterator[tuple[str, tuple, tuple]]:
    """Run ``code`` statement by statement; yield (expression, shape it gave, shape its comment claims)."""
    if "keras" in code:
        keras_module()
    lines = code.splitlines()
    namespace: dict = {}
    for stmt in ast.parse(code).body:
        claim = re.search(r"#\s*\(([\d,\s]+)\)", lines[stmt.end_lineno - 1])
        if isinstance(stmt, ast.Expr) and claim:
            got = eval(compile(ast.Expression(stmt.value), "<printed code>", "eval"), namespace)
            yield ast.unparse(stmt), tuple(got), tuple(int(n) for n in claim.group(1).split(",") if n.strip())
        else:
            exec(compile(ast.Module([stmt], []), "<printed code>", "exec"), namespace)


def layer_line_shapes(line: str) -> tuple[tuple, tuple]:
    """Build the layer a printed line names (every channel count 1), run it on zeros of the input shape its comment
    gives; return (the shape it gave, the shape the comment claims)."""
    code, comment = line.strip().split("  # ")
    source, claimed = (eval(side, dict(SYMBOLS)) for side in comment.split(" -> "))
    if code.startswith("keras."):
        keras = keras_module()
        layer = eval(code, {"keras": keras, **SYMBOLS})
        return tuple(layer(keras.ops.zeros(source)).shape), claimed
    layer = eval(code, {"nn": torch.nn, **SYMBOLS})
    with torch.no_grad():
        return tuple(layer(torch.zeros(source)).shape), claimed


def torch_size(make, size: tuple[int, ...], channels: int = 1,
               refusals: tuple[type[Exception], ...] = (RuntimeError, ValueError)) -> tuple[int, ...] | None:
    """Build the module with ``make()`` and run it on zeros (N=1, C=channels): the spatial output size, or None
    if torch refuses (raises one of ``refusals``). An output with a zero-size axis counts as a refusal: torch's
    native kernels raise "Output size is too small" there (only its oneDNN path hands back the empty tensor), and
    convmath refuses sizes below 1."""
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shape = tuple(make()(torch.zeros((1, channels, *size))).shape[2:])
    except refusals:
        return None
    return None if 0 in shape else shape


def convmath_size(fn, *args, **kwargs) -> tuple[int, ...] | None:
    """``fn(*args, **kwargs)`` as a tuple of sizes, or None where convmath refuses."""
    try:
        result = fn(*args, **kwargs)
    except ConvArithmeticError:
        return None
    return result if isinstance(result, tuple) else (result,)


def per_axis(draw, n: int, values):
    """One value for every axis, or one per axis (a hypothesis draw)."""
    return draw(st.one_of(values, st.tuples(*[values] * n)))
