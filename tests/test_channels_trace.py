"""conv1d_trace / conv3d_trace against F.conv1d / F.conv3d (channels, groups, stride, padding, dilation) and
Keras' Conv1D(padding="causal")."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convmath import ConvArithmeticError, conv1d_trace, conv3d_trace

SWEEP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def torch_conv(x, w, stride, pads, dilation, groups):
    """F.conv1d / F.conv3d after explicit (before, after) zero padding per spatial axis, as numpy."""
    xt = torch.tensor(np.asarray(x, dtype=np.float64))[None]
    flat = tuple(v for pair in reversed(pads) for v in pair)  # F.pad: last axis first
    xt = F.pad(xt, flat)
    op = {3: F.conv1d, 5: F.conv3d}[xt.ndim]
    return op(xt, torch.tensor(np.asarray(w, dtype=np.float64)), stride=stride, dilation=dilation,
              groups=groups)[0].numpy()


@st.composite
def layers(draw, n: int):
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(n))
    d = tuple(draw(st.integers(1, 2)) for _ in range(n))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(n))
    size = tuple(draw(st.integers(max(1, d[a] * (k[a] - 1) + 1 - sum(pads[a])), 7 if n == 1 else 5))
                 for a in range(n))
    s = tuple(draw(st.integers(1, 3)) for _ in range(n))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(c_in, *size))
    w = rng.integers(-3, 4, size=(c_out, c_in // groups, *k))
    return x, w, s, pads, d, groups


@SWEEP
@given(layers(1))
def test_conv1d_equals_torch(case):
    x, w, s, pads, d, g = case
    t = conv1d_trace(x, w, stride=s[0], padding=pads[0], dilation=d[0], groups=g)
    np.testing.assert_array_equal(t.output, torch_conv(x, w, s, pads, d, g))
    assert t.pads == pads
    assert t.products.sum(axis=(1, 3)).tolist() == t.output.tolist()


@SWEEP
@given(layers(3))
def test_conv3d_equals_torch(case):
    x, w, s, pads, d, g = case
    t = conv3d_trace(x, w, stride=s, padding=tuple(pads), dilation=d, groups=g)
    np.testing.assert_array_equal(t.output, torch_conv(x, w, s, pads, d, g))


@SWEEP
@given(layers(3))
def test_conv3d_window_holds_the_products(case):
    """Each output cell's products are the padded values under its window times the filter, channel by channel."""
    x, w, s, pads, d, g = case
    t = conv3d_trace(x, w, stride=s, padding=tuple(pads), dilation=d, groups=g)
    o = w.shape[0] - 1
    cell = tuple(n - 1 for n in t.output.shape[1:])
    zs, ys, xs = t.window(*cell)
    channels = list(t.group_channels(o))
    window = t.padded[np.ix_(channels, zs, ys, xs)]
    np.testing.assert_array_equal(t.products[(o, slice(None), *cell)], window * w[o])


def test_same_padding_equals_torch():
    rng = np.random.default_rng(3)
    x, w = rng.integers(-3, 4, (2, 6)), rng.integers(-3, 4, (4, 2, 4))
    t = conv1d_trace(x, w, padding="same", dilation=2)
    expected = F.conv1d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                        padding="same", dilation=2)[0].numpy()
    np.testing.assert_array_equal(t.output, expected)


@pytest.mark.parametrize("k,s,d", [(2, 1, 1), (3, 1, 2), (3, 2, 1), (2, 1, 4)])
def test_causal_sees_only_the_past(k, s, d):
    """Changing the input at step t changes no output at an earlier step (and equals left padding d(k−1))."""
    rng = np.random.default_rng(k * 10 + d)
    x, w = rng.integers(-3, 4, (2, 9)), rng.integers(1, 4, (3, 2, k))
    t = conv1d_trace(x, w, stride=s, padding="causal", dilation=d)
    np.testing.assert_array_equal(t.output, torch_conv(x, w, (s,), ((d * (k - 1), 0),), (d,), 1))
    assert t.output.shape[1] == -(-9 // s)
    for step in range(9):
        changed = x.copy()
        changed[:, step] += 5
        after = conv1d_trace(changed, w, stride=s, padding="causal", dilation=d).output
        differs = np.flatnonzero((after != t.output).any(axis=0))
        assert all(o * s >= step for o in differs)


def test_causal_equals_keras_conv1d():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(7)
    x, w = rng.integers(-3, 4, (3, 10)), rng.integers(-3, 4, (2, 3, 3))
    layer = keras.layers.Conv1D(2, 3, padding="causal", dilation_rate=2, use_bias=False)
    layer.build((1, 10, 3))
    layer.set_weights([w.transpose(2, 1, 0).astype("float32")])  # Keras: (k, C_in, C_out), channels last
    out = np.asarray(keras.ops.convert_to_numpy(layer(x.T[None].astype("float32"))))[0].T
    np.testing.assert_allclose(conv1d_trace(x, w, padding="causal", dilation=2).output, out, atol=1e-4)


def test_plain_arrays_stay_plain():
    t = conv1d_trace([1, 2, 3, 4, 5], [1, 0, -1], stride=2)
    assert t.output.tolist() == [-2, -2]
    assert t.window(1)[0].tolist() == [2, 3, 4]
    assert conv3d_trace(np.ones((2, 3, 3)), np.ones((2, 2, 2))).output.shape == (1, 2, 2)


@pytest.mark.parametrize("call,words", [
    (lambda: conv1d_trace(np.ones((3, 5)), np.ones((2, 1, 3)), groups=2), "groups=2 does not divide"),
    (lambda: conv3d_trace(np.ones((3, 3, 3)), np.ones((2, 2, 2)), padding="causal"), "only for 1-D"),
    (lambda: conv1d_trace(np.ones((2, 2)), np.ones((1, 2, 3))), "too small"),
    (lambda: conv3d_trace(np.ones((3, 3)), np.ones((2, 2))), "(D, H, W) or (C, D, H, W)"),
    (lambda: conv1d_trace([1, 2, 3], [1, 1], stride=2, padding="same"), "stride"),
    (lambda: conv1d_trace([1, 2, 3], [1, 1]).window(5), "outside"),
])
def test_refusals_are_one_sentence(call, words):
    with pytest.raises(ConvArithmeticError) as info:
        call()
    assert words in str(info.value)


def test_cs231n_shapes_and_bias_equal_torch():
    """CS231n's demo configuration: 3×5×5 input, padding 1, two 3×3×3 filters, stride 2, biases 1 and 0."""
    from convmath import conv2d_trace
    rng = np.random.default_rng(231)
    x, w, b = rng.integers(0, 3, (3, 5, 5)), rng.integers(-1, 2, (2, 3, 3, 3)), np.array([1, 0])
    t = conv2d_trace(x, w, stride=2, padding=1, bias=b)
    expected = F.conv2d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                        torch.tensor(b, dtype=torch.float64), stride=2, padding=1)[0].numpy()
    np.testing.assert_array_equal(t.output, expected)
    assert t.padded.shape == (3, 7, 7) and t.output.shape == (2, 3, 3)
    np.testing.assert_array_equal(t.channel_sums.sum(axis=1) + b[:, None, None], t.output)


def test_nd_bias_equals_torch():
    rng = np.random.default_rng(5)
    x, w, b = rng.integers(-3, 4, (2, 4, 4, 4)), rng.integers(-3, 4, (4, 1, 2, 2, 2)), rng.integers(-3, 4, 4)
    t = conv3d_trace(x, w, groups=2, bias=b)
    expected = F.conv3d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                        torch.tensor(b, dtype=torch.float64), groups=2)[0].numpy()
    np.testing.assert_array_equal(t.output, expected)
    with pytest.raises(ConvArithmeticError, match="one bias per filter"):
        conv1d_trace(np.ones((2, 5)), np.ones((3, 2, 2)), bias=[1, 2])
