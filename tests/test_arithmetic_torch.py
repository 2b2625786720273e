"""convmath against the real PyTorch modules: the same size whenever torch accepts, ConvArithmeticError whenever
it refuses. Modules (nn.Conv*d, nn.ConvTranspose*d, nn.ZeroPad*d) are used here, not convmath.crosscheck's
functional calls, so the two checks take different paths through torch."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from codecheck import convmath_size, per_axis, torch_size
from convmath import ConvArithmeticError, conv_output_size, crosscheck, transposed_output_size

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
TRANSPOSED = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
ZERO_PAD = {1: nn.ZeroPad1d, 2: nn.ZeroPad2d, 3: nn.ZeroPad3d}
SETTINGS = settings(max_examples=200, deadline=None)


pytestmark = pytest.mark.usefixtures("one_thread")


_run = torch_size  # the real module on zeros: its spatial output size, or None where torch refuses


@st.composite
def conv_layers(draw):
    n = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 12)) for _ in range(n))
    kernel = per_axis(draw, n, st.integers(0, 5))
    stride = per_axis(draw, n, st.integers(0, 4))
    dilation = per_axis(draw, n, st.integers(1, 3)) if draw(st.booleans()) else 1
    padding = draw(st.one_of(
        st.integers(-1, 4),
        st.tuples(*[st.integers(0, 4)] * n),
        st.sampled_from(["same", "valid"]),
    ))
    return n, size, kernel, stride, padding, dilation


@given(conv_layers())
@SETTINGS
def test_conv_matches_torch(layer):
    n, size, kernel, stride, padding, dilation = layer
    real = _run(lambda: CONV[n](1, 1, kernel, stride=stride, padding=padding, dilation=dilation), size)
    assert convmath_size(conv_output_size, size, kernel, stride, padding, dilation) == real


@given(st.integers(1, 3), st.data())
@SETTINGS
def test_asymmetric_padding_matches_zero_pad_then_conv(n, data):
    size = tuple(data.draw(st.integers(1, 10)) for _ in range(n))
    pairs = tuple((data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))) for _ in range(n))
    kernel, stride = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    flat = tuple(v for pair in reversed(pairs) for v in pair)  # nn.ZeroPad*d takes the last axis first
    real = _run(lambda: nn.Sequential(ZERO_PAD[n](flat), CONV[n](1, 1, kernel, stride=stride)), size)
    assert convmath_size(conv_output_size, size, kernel, stride, pairs) == real


@given(st.integers(1, 3), st.data())
@SETTINGS
def test_full_padding_is_d_times_k_minus_1(n, data):
    size = tuple(data.draw(st.integers(1, 10)) for _ in range(n))
    kernel, stride, dilation = (data.draw(st.integers(1, m)) for m in (5, 3, 3))
    real = _run(lambda: CONV[n](1, 1, kernel, stride=stride, padding=dilation * (kernel - 1), dilation=dilation),
                size)
    assert convmath_size(conv_output_size, size, kernel, stride, "full", dilation) == real


@st.composite
def transposed_layers(draw):
    n = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 10)) for _ in range(n))
    kernel = per_axis(draw, n, st.integers(1, 5))
    stride = per_axis(draw, n, st.integers(0, 4))
    dilation = per_axis(draw, n, st.integers(1, 3)) if draw(st.booleans()) else 1
    padding = per_axis(draw, n, st.integers(-1, 4))
    output_padding = per_axis(draw, n, st.integers(0, 3))
    return n, size, kernel, stride, padding, dilation, output_padding


@given(transposed_layers())
@SETTINGS
def test_transposed_matches_torch(layer):
    n, size, kernel, stride, padding, dilation, output_padding = layer
    real = _run(lambda: TRANSPOSED[n](1, 1, kernel, stride=stride, padding=padding,
                                      output_padding=output_padding, dilation=dilation), size)
    assert convmath_size(transposed_output_size, size, kernel, stride, padding, dilation, output_padding) == real


def test_int_size_gives_int_like_conv1d():
    real = _run(lambda: nn.Conv1d(1, 1, 3, stride=2, padding=1), (28,))
    assert conv_output_size(28, 3, 2, 1) == real[0]
    assert isinstance(conv_output_size(28, 3, 2, 1), int)


@pytest.mark.parametrize("kwargs", [
    dict(padding="same", stride=2),          # torch: 'same' refuses strided convs
    dict(padding=-1),
    dict(kernel_size=0),
    dict(stride=0),
])
def test_torch_refusals_are_refused(kwargs):
    args = dict(kernel_size=3, stride=1, padding=0) | kwargs
    assert _run(lambda: nn.Conv2d(1, 1, **args), (8, 8)) is None
    with pytest.raises(ConvArithmeticError):
        conv_output_size((8, 8), args["kernel_size"], args["stride"], args["padding"])


@given(conv_layers())
@settings(max_examples=80, deadline=None)
def test_crosscheck_torch_conv_agrees_with_the_modules(layer):
    """convmath.crosscheck (functional ops, used by `convmath verify`) sees what the modules see."""
    n, size, kernel, stride, padding, dilation = layer
    real = _run(lambda: CONV[n](1, 1, kernel, stride=stride, padding=padding, dilation=dilation), size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert crosscheck.torch_conv(size, kernel, stride, padding, dilation).size == real


@given(transposed_layers())
@settings(max_examples=80, deadline=None)
def test_crosscheck_torch_transposed_agrees_with_the_modules(layer):
    n, size, kernel, stride, padding, dilation, output_padding = layer
    real = _run(lambda: TRANSPOSED[n](1, 1, kernel, stride=stride, padding=padding,
                                      output_padding=output_padding, dilation=dilation), size)
    assert crosscheck.torch_transposed(size, kernel, stride, padding, dilation, output_padding).size == real
