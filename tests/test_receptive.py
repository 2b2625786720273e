"""convmath.receptive against torch autograd: with every weight one and no bias, the input cells with a nonzero
gradient of one output cell are its receptive field (and the lit cells of every layer in between); the
formula's size, jump and start agree with the exact cells; the built-in autoencoder's layers are read, not typed."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn

from convmath import ConvArithmeticError
from convmath.models import build_model
from convmath.receptive import Layer, layers_from_model, projective_field, receptive_field, receptive_table

SWEEP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def torch_stack(layers):
    """The stack as torch modules, weights one, no bias (pools as AvgPool: every window cell gets gradient)."""
    modules = []
    for layer in layers:
        if layer.kind == "conv":
            m = nn.Conv2d(1, 1, layer.kernel, layer.stride, layer.padding, layer.dilation, bias=False)
        elif layer.kind == "transposed":
            m = nn.ConvTranspose2d(1, 1, layer.kernel, layer.stride, layer.padding, layer.output_padding,
                                   dilation=layer.dilation, bias=False)
        else:
            m = nn.AvgPool2d(layer.kernel, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)
        if hasattr(m, "weight"):
            nn.init.ones_(m.weight)
        modules.append(m)
    return modules


def autograd_cells(layers, size, cell):
    """Per layer, the cells whose gradient of output cell ``cell`` is nonzero."""
    x = torch.ones(1, 1, *size, dtype=torch.float64, requires_grad=True)
    acts, h = [x], x
    for m in torch_stack(layers):
        h = m.double()(h)
        h.retain_grad()
        acts.append(h)
    acts[-1][0, 0][cell].backward()
    return [(a.grad[0, 0] != 0).numpy() for a in acts]


layer_strategy = st.builds(
    lambda kind, k, s, p, d, op: Layer(kind, k, s, min(p, k // 2) if kind == "pool" else p,
                                       1 if kind == "pool" else d, min(op, max(s, d) - 1) if kind == "transposed" else 0),
    st.sampled_from(["conv", "conv", "transposed"]), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2),
    st.integers(1, 2), st.integers(0, 2))


@SWEEP
@given(layers=st.lists(layer_strategy, min_size=1, max_size=3), h=st.integers(3, 12), w=st.integers(3, 12),
       data=st.data())
def test_receptive_cells_equal_autograd(layers, h, w, data):
    try:
        last = receptive_field(layers, (h, w), (0, 0)).sizes[-1]
    except ConvArithmeticError:
        assume(False)
    cell = (data.draw(st.integers(0, last[0] - 1)), data.draw(st.integers(0, last[1] - 1)))
    field = receptive_field(layers, (h, w), cell)
    expected = autograd_cells(layers, (h, w), cell)
    for got, want in zip(field.cells, expected):
        assert np.array_equal(got, want)


def test_the_autoencoder_encoder_is_read_from_the_model():
    encoder = build_model("ae").encoder
    layers = layers_from_model(encoder)
    convs = [m for m in encoder.modules() if isinstance(m, nn.Conv2d)]
    assert [(l.kernel, l.stride, l.padding) for l in layers] == [(c.kernel_size, c.stride, c.padding) for c in convs]
    field = receptive_field(layers, (8, 8), (1, 1))
    x = torch.ones(1, 1, 8, 8, requires_grad=True)
    with torch.no_grad():
        for c in convs:
            c.weight.fill_(1.0)
            c.bias.zero_()
    encoder.convs(x)[0, 0, 1, 1].backward()  # every ReLU is open: the input and weights are positive
    assert np.array_equal(field.cells[0], (x.grad[0, 0] != 0).numpy())


@SWEEP
@given(layers=st.lists(st.builds(Layer, st.just("conv"), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2),
                                 st.integers(1, 2)), min_size=1, max_size=4))
def test_the_formula_matches_the_cells_away_from_the_border(layers):
    """On a wide input, a middle output cell's field spans r_L cells centred at u_L + n·j_L."""
    n = 400
    try:
        table = receptive_table(layers, n)
    except ConvArithmeticError:
        assume(False)
    last = table[-1]
    cell = last.size // 2
    first, end = receptive_field(layers, n, cell).extent(0)[0]
    assume(first > 0 and end < n - 1)
    assert end - first + 1 == last.field
    assert (first + end) / 2 == last.start + cell * last.jump


def test_a_transposed_stack_has_a_projective_field_and_fractional_jumps():
    layers = [Layer("transposed", 3, 2, 1, output_padding=1)] * 2
    table = receptive_table(layers, 2)
    assert [row.size for row in table] == [2, 4, 8] and [float(r.jump) for r in table] == [1, 0.5, 0.25]
    reach = projective_field(layers, (2, 2), (0, 0))
    x = torch.zeros(1, 1, 2, 2, dtype=torch.float64)
    x[0, 0, 0, 0] = 1
    y = x
    for m in torch_stack(layers):
        y = m.double()(y)
    assert np.array_equal(reach.cells[-1], (y[0, 0] != 0).numpy())


@pytest.mark.parametrize("call, words", [
    (lambda: Layer("upsample", 2), "kind='upsample' is unknown"),
    (lambda: receptive_field([Layer("conv", 3)], 5, 7), "is outside layer 1"),
    (lambda: receptive_field([Layer("conv", 9)], 5, 0), "kernel"),
    (lambda: receptive_field([Layer("conv", 3)], 5, 0, layer=4), "layer=4 is not in the stack"),
])
def test_refusals_name_the_parameter(call, words):
    with pytest.raises(ConvArithmeticError) as error:
        call()
    assert words in str(error.value)
