"""convmath (convention="keras") against real Keras 3 layers, KERAS_BACKEND=torch: the same size whenever the
layer accepts, ConvArithmeticError whenever it refuses (at construction or when called)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codecheck import convmath_size, per_axis
from convmath import ConvArithmeticError, conv_output_size, output_padding_for, transposed_output_size

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
L = keras.layers
CONV = {1: L.Conv1D, 2: L.Conv2D, 3: L.Conv3D}
TRANSPOSED = {1: L.Conv1DTranspose, 2: L.Conv2DTranspose, 3: L.Conv3DTranspose}
SETTINGS = settings(max_examples=120, deadline=None)


pytestmark = pytest.mark.usefixtures("one_thread")


def _run(make_layer, size: tuple[int, ...]):
    """Build the layer, call it on zeros (channels last): the spatial output size, or None if Keras refuses.
    An empty output (a zero-size axis) counts as a refusal, as convmath refuses sizes below 1."""
    try:
        shape = tuple(int(n) for n in make_layer()(np.zeros((1, *size, 1), dtype="float32")).shape[1:-1])
    except Exception:  # noqa: BLE001 - Keras refuses some values with AttributeError or TypeError
        return None
    return None if 0 in shape else shape


def _mine(fn, *args, **kwargs):
    """convmath's answer in the Keras convention, or None where it refuses."""
    return convmath_size(fn, *args, convention="keras", **kwargs)


@st.composite
def keras_layers(draw, transposed: bool):
    n = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 10)) for _ in range(n))
    kernel = per_axis(draw, n, st.integers(1, 5))
    stride = per_axis(draw, n, st.integers(1, 4))
    dilation = per_axis(draw, n, st.integers(1, 3)) if draw(st.booleans()) else 1
    padding = draw(st.sampled_from(["valid", "same", "causal"]))  # causal: Conv1D only, refused elsewhere
    output_padding = draw(st.one_of(st.none(), _per_axis_strategy(n))) if transposed else None
    return n, size, kernel, stride, padding, dilation, output_padding


def _per_axis_strategy(n: int):
    return st.one_of(st.integers(0, 3), st.tuples(*[st.integers(0, 3)] * n))


@given(keras_layers(transposed=False))
@SETTINGS
def test_conv_matches_keras(layer):
    n, size, kernel, stride, padding, dilation, _ = layer
    real = _run(lambda: CONV[n](1, kernel, strides=stride, padding=padding, dilation_rate=dilation), size)
    assert _mine(conv_output_size, size, kernel, stride, padding, dilation) == real


@given(keras_layers(transposed=True))
@SETTINGS
def test_transposed_matches_keras(layer):
    n, size, kernel, stride, padding, dilation, output_padding = layer
    real = _run(lambda: TRANSPOSED[n](1, kernel, strides=stride, padding=padding, dilation_rate=dilation,
                                      output_padding=output_padding), size)
    assert _mine(transposed_output_size, size, kernel, stride, padding, dilation, output_padding) == real


@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 4), st.sampled_from(["valid", "same"]))
@settings(max_examples=60, deadline=None)
def test_output_padding_for_round_trips_through_conv2d_transpose(i, k, s, padding):
    """Keras conv i -> o, then the Conv2DTranspose with output_padding_for(i) gives i back."""
    o = _run(lambda: L.Conv2D(1, k, strides=s, padding=padding), (i, i))
    if o is None:
        return
    try:
        a = output_padding_for(i, o[0], k, s, padding, convention="keras")
    except ConvArithmeticError:
        # Keras cannot give i back: no output_padding below the stride reaches it.
        assert all(_run(lambda: L.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=a), o) != (i, i)
                   for a in range(s))
        return
    assert _run(lambda: L.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=a), o) == (i, i)


@pytest.mark.parametrize("kwargs", [
    dict(padding=1),                          # Keras takes only 'valid' / 'same'
    dict(padding="full"),
    dict(padding=(1, 1)),
    dict(strides=2, dilation_rate=2),         # strides > 1 with dilation > 1
    dict(kernel_size=0),
])
def test_keras_refusals_are_refused(kwargs):
    args = dict(kernel_size=3, strides=1, padding="valid", dilation_rate=1) | kwargs
    assert _run(lambda: L.Conv2D(1, **args), (8, 8)) is None
    with pytest.raises(ConvArithmeticError):
        conv_output_size((8, 8), args["kernel_size"], args["strides"], args["padding"], args["dilation_rate"],
                         convention="keras")


def test_keras_padding_is_case_insensitive_like_the_layer():
    real = _run(lambda: L.Conv2D(1, 3, strides=2, padding="SAME"), (7, 7))
    assert _mine(conv_output_size, (7, 7), 3, 2, "SAME") == real == (4, 4)


@given(st.integers(1, 3), st.data())
@settings(max_examples=40, deadline=None)
def test_keras_layer_code_runs_and_gives_the_shapes_in_its_comment(n, data):
    from convmath.explain import layer_code

    size = tuple(data.draw(st.integers(5, 10)) for _ in range(n))
    k, s = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    padding, transposed = data.draw(st.sampled_from(["valid", "same"])), data.draw(st.booleans())
    op = data.draw(st.one_of(st.none(), st.integers(0, s - 1))) if transposed else None
    code = layer_code(size, k, s, padding, 1, op, transposed=transposed, convention="keras")
    statement, comment = code.split("  # ")
    layer = eval(statement, {"keras": keras, "filters": 2})
    real = tuple(layer(np.zeros((1, *size, 1), dtype="float32")).shape[1:])
    assert comment == f"(N, {', '.join(map(str, size))}, C) -> (N, {', '.join(map(str, real[:-1]))}, filters)"


@given(keras_layers(transposed=True), st.booleans())
@settings(max_examples=60, deadline=None)
def test_crosscheck_keras_agrees_with_fresh_layers(layer, transposed):
    """convmath.crosscheck reuses one layer per configuration; a fresh layer gives the same answer."""
    from convmath import crosscheck

    n, size, kernel, stride, padding, dilation, output_padding = layer
    if transposed:
        real = _run(lambda: TRANSPOSED[n](1, kernel, strides=stride, padding=padding, dilation_rate=dilation,
                                          output_padding=output_padding), size)
        mine = crosscheck.keras_transposed(size, kernel, stride, padding, dilation, output_padding)
    else:
        real = _run(lambda: CONV[n](1, kernel, strides=stride, padding=padding, dilation_rate=dilation), size)
        mine = crosscheck.keras_conv(size, kernel, stride, padding, dilation)
    assert mine.size == real
