"""Properties of the inverse questions: the ambiguity set and output_padding_for (round trips through the real
nn.ConvTranspose2d), the per-axis form, and the one-sentence refusals."""

from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convmath import (
    ConvArithmeticError,
    conv_input_sizes,
    conv_output_size,
    output_padding_for,
    transposed_output_size,
)

SETTINGS = settings(max_examples=200, deadline=None)


pytestmark = pytest.mark.usefixtures("one_thread")


def _maps_to(i: int, o: int, *layer, convention: str) -> bool:
    try:
        return conv_output_size(i, *layer, convention=convention) == o
    except ConvArithmeticError:
        return False


torch_layers = st.tuples(
    st.integers(1, 5),                                             # kernel
    st.integers(1, 4),                                             # stride
    st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3)),
              st.sampled_from(["valid", "same", "full"])),        # padding
    st.integers(1, 3),                                             # dilation
)
keras_layers = st.tuples(st.integers(1, 5), st.integers(1, 4), st.sampled_from(["valid", "same"]), st.just(1))


@given(st.integers(1, 12), st.one_of(
    st.tuples(st.just("torch"), torch_layers), st.tuples(st.just("keras"), keras_layers)))
@SETTINGS
def test_ambiguity_set_is_exactly_the_inputs_that_give_o(o, case):
    convention, layer = case
    try:
        inputs = conv_input_sizes(o, *layer, convention=convention)
    except ConvArithmeticError:
        return  # e.g. torch 'same' with a stride: no conv at all
    for i in inputs:
        assert _maps_to(i, o, *layer, convention=convention)
    # Nothing else does: scan a window well beyond the set.
    others = [i for i in range(1, 80) if i not in inputs and _maps_to(i, o, *layer, convention=convention)]
    assert others == []
    if inputs:
        assert len(inputs) <= layer[1]  # at most `stride` sizes collide


@given(st.integers(1, 40), torch_layers)
@SETTINGS
def test_every_valid_input_is_in_the_set_of_its_output(i, layer):
    try:
        o = conv_output_size(i, *layer)
    except ConvArithmeticError:
        return
    assert i in conv_input_sizes(o, *layer)


@given(st.integers(1, 30), st.integers(1, 5), st.integers(1, 4), st.integers(0, 3), st.integers(1, 2))
@SETTINGS
def test_output_padding_for_round_trips_through_conv_transpose2d(i, k, s, p, d):
    """conv i -> o; ConvTranspose2d with output_padding_for(i) returns i, and so does forward(output_size=i)."""
    try:
        o = conv_output_size(i, k, s, p, d)
    except ConvArithmeticError:
        return
    x = torch.zeros(1, 1, o, o)
    try:
        a = output_padding_for(i, o, k, s, p, d)
    except ConvArithmeticError:
        with pytest.raises((ValueError, RuntimeError)):
            nn.ConvTranspose2d(1, 1, k, s, p, dilation=d)(x, output_size=[i, i])
        return
    with torch.no_grad():
        up = nn.ConvTranspose2d(1, 1, k, s, p, output_padding=a, dilation=d)
        assert tuple(up(x).shape[2:]) == (i, i)
        assert tuple(nn.ConvTranspose2d(1, 1, k, s, p, dilation=d)(x, output_size=[i, i]).shape[2:]) == (i, i)


@given(st.integers(1, 12), st.integers(1, 5), st.integers(2, 4), st.integers(0, 3))
@SETTINGS
def test_output_size_range_matches_torch_forward(i, k, s, p):
    """FACTS: forward(x, output_size=...) accepts min..min+s-1 and raises outside; output_padding_for agrees."""
    try:
        low = transposed_output_size(i, k, s, p)
    except ConvArithmeticError:
        return
    module, x = nn.ConvTranspose2d(1, 1, k, s, p), torch.zeros(1, 1, i, i)
    for target in (low - 1, low, low + s - 1, low + s):
        if target < 1:
            continue
        try:
            with torch.no_grad():
                torch_ok = tuple(module(x, output_size=[target, target]).shape[2:]) == (target, target)
        except (ValueError, RuntimeError):
            torch_ok = False
        try:
            output_padding_for(target, i, k, s, p)
            mine_ok = True
        except ConvArithmeticError:
            mine_ok = False
        assert mine_ok == torch_ok


@given(st.tuples(st.integers(1, 20), st.integers(1, 20)), st.tuples(st.integers(1, 4), st.integers(1, 4)),
       st.tuples(st.integers(1, 3), st.integers(1, 3)), st.tuples(st.integers(0, 2), st.integers(0, 2)))
@SETTINGS
def test_tuple_form_is_per_axis(size, kernel, stride, padding):
    def one(a):
        try:
            return conv_output_size(size[a], kernel[a], stride[a], padding[a])
        except ConvArithmeticError:
            return None
    expected = (one(0), one(1))
    try:
        assert conv_output_size(size, kernel, stride, padding) == expected
    except ConvArithmeticError:
        assert None in expected


# Each refusal: one sentence that names the parameter and quotes the value.
BAD = [
    (conv_output_size, (28, 3), dict(stride=0), "stride=0"),
    (conv_output_size, (28, 3), dict(padding=-1), "padding=-1"),
    (conv_output_size, (28, 3), dict(padding="half"), "padding='half'"),
    (conv_output_size, (28, 0), {}, "kernel=0"),
    (conv_output_size, (28, 3), dict(dilation=0), "dilation=0"),
    (conv_output_size, (2, 3), {}, "input size 2"),
    (conv_output_size, ((28, 28), (3, 3, 3)), {}, "kernel=(3, 3, 3)"),
    (conv_output_size, (28, 3), dict(stride=2, padding="same"), "padding='same'"),
    (conv_output_size, (28, 3), dict(convention="tf"), "convention='tf'"),
    (conv_output_size, (28, 3), dict(padding=1, convention="keras"), "padding=1"),
    (conv_output_size, (28, 3), dict(stride=2, padding="valid", dilation=2, convention="keras"), "stride=2"),
    (transposed_output_size, (14, 3), dict(stride=2, output_padding=2), "output_padding=2"),
    (transposed_output_size, (14, 3), dict(padding="same"), "padding='same'"),
    (transposed_output_size, (1, 3), dict(padding=2), "padding=2"),
    (output_padding_for, (31, 14, 3), dict(stride=2, padding=1), "target=31"),
    (conv_input_sizes, (0, 3), {}, "o=0"),
]


@pytest.mark.parametrize("fn,args,kwargs,named", BAD, ids=[b[3] for b in BAD])
def test_refusals_are_one_sentence_naming_the_value(fn, args, kwargs, named):
    with pytest.raises(ConvArithmeticError) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert named in message
    assert "\n" not in message and message.endswith(".")
    assert len(re.findall(r"\.\s+[A-Z]", message)) == 0  # one sentence


def test_output_padding_message_gives_the_fix():
    with pytest.raises(ConvArithmeticError, match=r"sizes 27\.\.28 are reachable with output_padding 0\.\.1"):
        transposed_output_size(14, 3, stride=2, padding=1, output_padding=2)
