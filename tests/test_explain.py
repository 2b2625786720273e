"""explain: the formula text, evaluated as arithmetic, gives what the real op gives; layer_code runs as written."""

from __future__ import annotations

import math
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convmath import ConvArithmeticError, explain_conv, explain_transposed
from convmath.explain import layer_code

SETTINGS = settings(max_examples=150, deadline=None)


pytestmark = pytest.mark.usefixtures("one_thread")


def evaluate(expression: str, **symbols: int) -> float:
    """Evaluate a formula as the reader sees it: ⌊ ⌋ ⌈ ⌉, '·', '−', implicit products like 2p and d(k−1)."""
    e = (expression.replace("−", "-").replace("·", "*").replace("⌊", "floor(").replace("⌋", ")")
         .replace("⌈", "ceil(").replace("⌉", ")").replace("p₁", "p1").replace("p₂", "p2"))
    e = re.sub(r"(\d)\s*([a-z(])", r"\1*\2", e)          # 2p -> 2*p, 2(...) -> 2*(...)
    e = re.sub(r"\b([a-z])\(", r"\1*(", e)               # d(k-1) -> d*(k-1); 'max(' is left alone
    return eval(e, {"floor": math.floor, "ceil": math.ceil, "max": max, "__builtins__": {}}, symbols)


def _check_text(formula, real: int, **symbols: int) -> None:
    lhs, rhs = formula.symbolic.split(" = ", 1)
    assert lhs == "o"
    assert evaluate(rhs, **symbols) == real
    for part in formula.substituted.split(" = "):  # every step of the substituted chain
        assert evaluate(part) == real
    assert formula.value == real
    assert formula.latex.count("{") == formula.latex.count("}") and formula.latex.endswith(f"= {real}")


def _torch_1d(module: nn.Module, i: int) -> int | None:
    try:
        with torch.no_grad():
            return module(torch.zeros(1, 1, i)).shape[-1]
    except RuntimeError:
        return None


@given(st.integers(1, 30), st.integers(1, 5), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
@SETTINGS
def test_conv_formula_evaluates_to_torch(i, k, s, p, d):
    try:
        formula = explain_conv(i, k, s, p, d)
    except ConvArithmeticError:
        assert _torch_1d(nn.Conv1d(1, 1, k, s, p, d), i) is None
        return
    real = _torch_1d(nn.Conv1d(1, 1, k, s, p, d), i)
    _check_text(formula, real, i=i, k=k, s=s, p=p, d=d)


@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 3), st.integers(0, 3))
@SETTINGS
def test_asymmetric_conv_formula_evaluates_to_torch(i, k, before, after):
    real = _torch_1d(nn.Sequential(nn.ZeroPad1d((before, after)), nn.Conv1d(1, 1, k)), i)
    try:
        formula = explain_conv(i, k, 1, (before, after))
    except ConvArithmeticError:
        assert real is None
        return
    _check_text(formula, real, i=i, k=k, s=1, p=before, p1=before, p2=after, d=1)


@given(st.integers(1, 20), st.integers(1, 5), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3), st.data())
@SETTINGS
def test_transposed_formula_evaluates_to_torch(i, k, s, p, d, data):
    a = data.draw(st.integers(0, max(s, d) - 1))
    try:
        formula = explain_transposed(i, k, s, p, d, output_padding=a)
    except ConvArithmeticError:
        assert _torch_1d(nn.ConvTranspose1d(1, 1, k, s, p, a, dilation=d), i) is None
        return
    real = _torch_1d(nn.ConvTranspose1d(1, 1, k, s, p, a, dilation=d), i)
    _check_text(formula, real, i=i, k=k, s=s, p=p, d=d, a=a)


@given(st.integers(1, 20), st.integers(1, 5), st.integers(1, 4), st.sampled_from(["valid", "same"]),
       st.one_of(st.none(), st.integers(0, 3)))
@SETTINGS
def test_keras_formulas_evaluate_to_their_value(i, k, s, padding, op):
    """The Keras formulas' values are checked against real Keras layers in test_arithmetic_keras.py."""
    from convmath import conv_output_size, transposed_output_size

    try:
        conv = explain_conv(i, k, s, padding, convention="keras")
        _check_text(conv, conv_output_size(i, k, s, padding, convention="keras"), i=i, k=k, s=s, d=1)
    except ConvArithmeticError:
        pass  # input smaller than the kernel: refused
    try:
        up = explain_transposed(i, k, s, padding, output_padding=op, convention="keras")
    except ConvArithmeticError:
        return
    pad = k // 2 if padding == "same" else 0
    real = transposed_output_size(i, k, s, padding, output_padding=op, convention="keras")
    _check_text(up, real, i=i, k=k, s=s, d=1, a=op if op is not None else 0, pad=pad)


def test_tuple_size_gives_one_formula_per_axis():
    formulas = explain_conv((28, 32), (3, 5), 2, 1)
    assert [f.value for f in formulas] == [14, 15]
    assert "(28 + 2·1 − 3)/2" in formulas[0].substituted and "(32 + 2·1 − 5)/2" in formulas[1].substituted


def _shapes(comment: str) -> tuple[list[str], list[str]]:
    before, after = comment.split(" -> ")
    return [v.strip() for v in before.strip(" ()").split(",")], [v.strip() for v in after.strip(" ()").split(",")]


@given(st.integers(1, 3), st.data())
@SETTINGS
def test_torch_layer_code_runs_and_gives_the_shapes_in_its_comment(n, data):
    size = tuple(data.draw(st.integers(5, 12)) for _ in range(n))  # at least the dilated kernel span
    k, s, d = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2))
    transposed = data.draw(st.booleans())
    if transposed:
        padding, op = data.draw(st.integers(0, 1)), data.draw(st.integers(0, max(s, d) - 1))
    else:
        padding = data.draw(st.one_of(st.integers(0, 2), st.just("full"),
                                      st.just(tuple((1, 0) for _ in range(n)))))
        op = 0
    code = layer_code(size, k, s, padding, d, op, transposed=transposed)
    statement, comment = code.split("  # ")
    module = eval(statement, {"nn": nn, "C_in": 2, "C_out": 3})
    shape_in, shape_out = _shapes(comment)
    assert shape_in == ["N", "C_in", *map(str, size)]
    with torch.no_grad():
        real = module(torch.zeros(1, 2, *size)).shape
    assert shape_out == ["N", "C_out", *map(str, real[2:])]
