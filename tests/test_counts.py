"""convmath.counts against real torch layers: parameter numel, multiply-adds counted in a reference loop, the
depthwise-separable saving, and the reach of a dilated stack measured with autograd."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convmath import ConvArithmeticError, conv_counts, group_channels, separable_counts, stack_inputs, stack_reach

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.booleans(),
       st.sampled_from([1, 2, 3]))
def test_params_equal_real_layer_numel(g, a, b, k, bias, n):
    c_in, c_out = g * a, g * b
    layer = CONV[n](c_in, c_out, k, groups=g, bias=bias)
    counts = conv_counts(c_in, c_out, k, (6,) * n, groups=g, bias=bias)
    assert counts.params == sum(p.numel() for p in layer.parameters())
    assert counts.weights == layer.weight.numel()
    assert counts.biases == (layer.bias.numel() if bias else 0)


def reference_conv2d(x: np.ndarray, w: np.ndarray, stride: int, padding: int, groups: int) -> tuple[np.ndarray, int]:
    """A plain loop convolution that counts its multiplications."""
    c_in, h, wd = x.shape
    c_out, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out, count = np.zeros((c_out, oh, ow)), 0
    for o, r, c in product(range(c_out), range(oh), range(ow)):
        group = o // (c_out // groups)
        for ci, i, j in product(range(cg), range(kh), range(kw)):
            out[o, r, c] += xp[group * cg + ci, r * stride + i, c * stride + j] * w[o, ci, i, j]
            count += 1
    return out, count


@pytest.mark.parametrize("c_in,c_out,k,size,stride,padding,groups", [
    (3, 2, 3, 5, 2, 1, 1),   # CS231n's demo
    (4, 4, 3, 5, 1, 1, 4),   # depthwise
    (4, 6, 2, 4, 1, 0, 2),
    (2, 2, 1, 3, 1, 0, 1),
])
def test_multiply_adds_equal_a_counting_loop(c_in, c_out, k, size, stride, padding, groups):
    rng = np.random.default_rng(0)
    x, w = rng.integers(-3, 4, (c_in, size, size)), rng.integers(-3, 4, (c_out, c_in // groups, k, k))
    out, count = reference_conv2d(x, w, stride, padding, groups)
    real = torch.nn.functional.conv2d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                                      stride=stride, padding=padding, groups=groups)[0].numpy()
    np.testing.assert_array_equal(out, real)  # the loop is a real convolution
    counts = conv_counts(c_in, c_out, k, (size, size), stride, padding, groups=groups)
    assert counts.multiply_adds == count
    assert counts.output == real.shape[1:]


@pytest.mark.parametrize("c_in,c_out,k", [(3, 8, 3), (32, 64, 3), (16, 16, 5), (1, 1, 1)])
def test_separable_saving_equals_the_real_layers(c_in, c_out, k):
    depthwise, pointwise = nn.Conv2d(c_in, c_in, k, groups=c_in, bias=False), nn.Conv2d(c_in, c_out, 1, bias=False)
    standard = nn.Conv2d(c_in, c_out, k, bias=False)
    s = separable_counts(c_in, c_out, k, (9, 9))
    assert s.depthwise.weights == depthwise.weight.numel()
    assert s.pointwise.weights == pointwise.weight.numel()
    assert s.standard.weights == standard.weight.numel()
    assert s.weight_ratio == Fraction(1, c_out) + Fraction(1, k * k)
    assert s.multiply_add_ratio == s.weight_ratio  # same output size for every part
    y = pointwise(depthwise(torch.zeros(1, c_in, 9, 9)))
    assert y.shape[2:] == standard(torch.zeros(1, c_in, 9, 9)).shape[2:] == s.pointwise.output


@pytest.mark.parametrize("k,dilations,strides", [(2, (1, 2, 4, 8), 1), (3, (1, 2, 4), 1), (3, (1, 1), (2, 1)),
                                                 (2, (1,), 1)])
def test_stack_reach_equals_the_gradient_span(k, dilations, strides):
    """The inputs the last output's gradient reaches, through real stacked Conv1d layers (positive weights)."""
    ss = strides if isinstance(strides, tuple) else (strides,) * len(dilations)
    torch.manual_seed(0)
    layers = [nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False) for d, s in zip(dilations, ss)]
    for layer in layers:
        nn.init.uniform_(layer.weight, 0.5, 1.0)
    x = torch.ones(1, 1, 64, requires_grad=True)
    y = x
    for layer in layers:
        y = layer(y)
    y[0, 0, -1].backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    span = int(touched.max() - touched.min() + 1)
    assert stack_reach(k, dilations, strides)[-1] == span


@pytest.mark.parametrize("call,words", [
    (lambda: conv_counts(6, 4, 3, 8, groups=4), "groups=4 does not divide c_in=6"),
    (lambda: conv_counts(4, 6, 3, 8, groups=4), "use one of 1, 2"),
    (lambda: conv_counts(0, 6, 3, 8), "c_in"),
    (lambda: conv_counts(2, 2, 5, 3), "too small"),
    (lambda: stack_reach(2, (1, 2), (1,)), "one value per layer"),
])
def test_refusals(call, words):
    with pytest.raises(ConvArithmeticError) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize("c_in,c_out,g", [(4, 4, 1), (4, 4, 2), (4, 4, 4), (6, 3, 3), (2, 6, 2)])
def test_group_channels_equal_what_torch_reads(c_in, c_out, g):
    """A filter sees input channel c exactly when a change in channel c changes that filter's output."""
    torch.manual_seed(1)
    layer = nn.Conv2d(c_in, c_out, 1, groups=g, bias=False)
    nn.init.uniform_(layer.weight, 0.5, 1.0)
    seen = group_channels(c_in, c_out, g)
    for c in range(c_in):
        x = torch.zeros(1, c_in, 2, 2)
        x[0, c] = 1
        changed = {o for o in range(c_out) if layer(x)[0, o].abs().sum() > 0}
        assert changed == {o for o in range(c_out) if c in seen[o]}


@pytest.mark.parametrize("k,dilations,length", [(2, (1, 2, 4, 8), 16), (3, (1, 2), 10), (2, (1, 1, 1), 5)])
def test_stack_inputs_equal_the_gradient(k, dilations, length):
    """Causal stack (left padding d(k−1) per layer): the cells whose gradient from the last output is nonzero."""
    torch.manual_seed(0)
    xs = [torch.ones(1, 1, length, requires_grad=True)]
    for d in dilations:
        layer = nn.Conv1d(1, 1, k, dilation=d, bias=False)
        nn.init.uniform_(layer.weight, 0.5, 1.0)
        nxt = layer(torch.nn.functional.pad(xs[-1], (d * (k - 1), 0)))
        nxt.retain_grad()
        xs.append(nxt)
    xs[-1][0, 0, -1].backward()
    expected = tuple(tuple(int(i) for i in torch.nonzero(x.grad[0, 0]).flatten()) for x in xs)
    assert stack_inputs(k, dilations, length) == expected
    assert len(expected[0]) == min(stack_reach(k, dilations)[-1], length)


def test_separable_saving_is_the_inverse_ratio():
    s = separable_counts(4, 8, 3, (8, 8), padding=1)
    assert s.weight_saving * s.weight_ratio == 1
    assert s.weight_saving == Fraction(288, 68)
