"""Public reference vectors (../shared/reference/FACTS.md): Dumoulin & Visin's animated cases and their 15
relationships, d2l.ai's transposed-conv examples, the Keras formulas."""

import itertools

import pytest
import torch
import torch.nn.functional as F

from convmath import (
    ConvArithmeticError,
    conv_input_sizes,
    conv_output_size,
    output_padding_for,
    transposed_output_size,
)

# (preset, i, k, s, p, d, o) from "A guide to convolution arithmetic", arXiv:1603.07285.
DUMOULIN_VISIN = [
    ("no_padding_no_strides", 4, 3, 1, 0, 1, 2),
    ("arbitrary_padding_no_strides", 5, 4, 1, 2, 1, 6),
    ("same_padding_no_strides", 5, 3, 1, 1, 1, 5),
    ("full_padding_no_strides", 5, 3, 1, 2, 1, 7),
    ("no_padding_strides", 5, 3, 2, 0, 1, 2),
    ("padding_strides", 5, 3, 2, 1, 1, 3),
    ("padding_strides_odd", 6, 3, 2, 1, 1, 3),
    ("dilation", 7, 3, 1, 0, 2, 3),
]


@pytest.mark.parametrize("name,i,k,s,p,d,o", DUMOULIN_VISIN)
def test_conv_arithmetic_cases(name, i, k, s, p, d, o):
    assert conv_output_size(i, k, s, p, d) == o
    assert i in conv_input_sizes(o, k, s, p, d)


@pytest.mark.parametrize("name,i,k,s,p,d,o", DUMOULIN_VISIN)
def test_transposed_cases_read_backwards(name, i, k, s, p, d, o):
    # The transposed conv maps o back to i once output_padding a = (i + 2p - d(k-1) - 1) mod s is added.
    a = (i + 2 * p - d * (k - 1) - 1) % s
    assert transposed_output_size(o, k, s, p, d, output_padding=a) == i


def test_d2l_round_trip():
    assert conv_output_size(16, 5, stride=3, padding=2) == 6
    assert transposed_output_size(6, 5, stride=3, padding=2) == 16


# The 15 relationships of Dumoulin & Visin (arXiv:1603.07285), each checked over a grid. The transposed ones
# (8-14) describe the transpose of a conv with input i and output i' = o: convmath's transposed conv of i' must
# give o', and so must the paper's equivalent direct conv (stretched input ĩ' = i' + (i'-1)(s-1), kernel k,
# stride 1, padding p' = k - p - 1, plus a extra zeros on the bottom/right in relationship 14).
SIZES, KERNELS, STRIDES, PADS = range(1, 16), range(1, 6), range(1, 5), range(0, 4)


def _grid(*ranges):
    return itertools.product(*ranges)


def _conv(i, k, s=1, p=0, d=1):
    try:
        return conv_output_size(i, k, s, p, d)
    except ConvArithmeticError:
        return None


def _stretched(i_prime, s):
    return i_prime + (i_prime - 1) * (s - 1)


def test_relationship_1_no_padding_unit_strides():
    for i, k in _grid(SIZES, KERNELS):
        if i >= k:
            assert _conv(i, k) == (i - k) + 1


def test_relationship_2_zero_padding_unit_strides():
    for i, k, p in _grid(SIZES, KERNELS, PADS):
        if i + 2 * p >= k:
            assert _conv(i, k, 1, p) == (i - k) + 2 * p + 1


def test_relationship_3_half_padding():
    for i, n in _grid(SIZES, range(0, 3)):
        k = 2 * n + 1
        assert _conv(i, k, 1, k // 2) == i
        assert _conv(i, k, 1, "same") == i


def test_relationship_4_full_padding():
    for i, k in _grid(SIZES, KERNELS):
        assert _conv(i, k, 1, k - 1) == i + (k - 1)
        assert _conv(i, k, 1, "full") == i + (k - 1)


def test_relationship_5_no_padding_strides():
    for i, k, s in _grid(SIZES, KERNELS, STRIDES):
        if i >= k:
            assert _conv(i, k, s) == (i - k) // s + 1


def test_relationship_6_padding_strides():
    for i, k, s, p in _grid(SIZES, KERNELS, STRIDES, PADS):
        if i + 2 * p >= k:
            assert _conv(i, k, s, p) == (i + 2 * p - k) // s + 1


def test_relationship_7_pooling_matches_torch_max_pool():
    for i, k, s in _grid(range(1, 10), range(1, 4), range(1, 4)):
        if i >= k:
            pooled = F.max_pool2d(torch.zeros(1, 1, i, i), k, stride=s).shape[-1]
            assert _conv(i, k, s) == (i - k) // s + 1 == pooled


def test_relationship_8_transposed_no_padding_unit_strides():
    for i_prime, k in _grid(SIZES, KERNELS):
        o_prime = i_prime + (k - 1)
        assert transposed_output_size(i_prime, k) == o_prime
        assert _conv(i_prime, k, 1, k - 1) == o_prime


def test_relationship_9_transposed_zero_padding_unit_strides():
    for i_prime, k, p in _grid(SIZES, KERNELS, PADS):
        o_prime = i_prime + (k - 1) - 2 * p
        if p <= k - 1 and o_prime >= 1:
            assert transposed_output_size(i_prime, k, 1, p) == o_prime
            assert _conv(i_prime, k, 1, k - p - 1) == o_prime


def test_relationship_10_transposed_half_padding():
    for i_prime, n in _grid(SIZES, range(0, 3)):
        k = 2 * n + 1
        assert transposed_output_size(i_prime, k, 1, k // 2) == i_prime
        assert _conv(i_prime, k, 1, k // 2) == i_prime


def test_relationship_11_transposed_full_padding():
    for i_prime, k in _grid(SIZES, KERNELS):
        o_prime = i_prime - (k - 1)
        if o_prime >= 1:
            assert transposed_output_size(i_prime, k, 1, k - 1) == o_prime
            assert _conv(i_prime, k, 1, 0) == o_prime


def test_relationship_12_transposed_no_padding_strides():
    for i, k, s in _grid(SIZES, KERNELS, STRIDES):
        if i >= k and (i - k) % s == 0:
            i_prime = _conv(i, k, s)
            assert transposed_output_size(i_prime, k, s) == s * (i_prime - 1) + k == i
            assert _conv(_stretched(i_prime, s), k, 1, k - 1) == i


def test_relationship_13_transposed_padding_strides():
    for i, k, s, p in _grid(SIZES, KERNELS, STRIDES, PADS):
        if p <= k - 1 and i + 2 * p >= k and (i + 2 * p - k) % s == 0:
            i_prime = _conv(i, k, s, p)
            assert transposed_output_size(i_prime, k, s, p) == s * (i_prime - 1) + k - 2 * p == i
            assert _conv(_stretched(i_prime, s), k, 1, k - p - 1) == i


def test_relationship_14_transposed_padding_strides_odd():
    for i, k, s, p in _grid(SIZES, KERNELS, STRIDES, PADS):
        if p <= k - 1 and i + 2 * p >= k:
            a = (i + 2 * p - k) % s
            i_prime = _conv(i, k, s, p)
            assert transposed_output_size(i_prime, k, s, p, output_padding=a) == s * (i_prime - 1) + a + k - 2 * p
            assert s * (i_prime - 1) + a + k - 2 * p == i
            assert _conv(_stretched(i_prime, s), k, 1, (k - p - 1, k - p - 1 + a)) == i
            assert output_padding_for(i, i_prime, k, s, p) == a


def test_relationship_15_dilation():
    for i, k, s, p, d in _grid(SIZES, KERNELS, STRIDES, PADS, range(1, 4)):
        if i + 2 * p >= k + (k - 1) * (d - 1):
            assert _conv(i, k, s, p, d) == (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1


def test_section_2_4_every_input_i_plus_a_gives_the_same_output():
    """§2.4: if i + 2p - k is a multiple of s, every j = i + a, a in 0..s-1, gives the same output."""
    for i, k, s, p in _grid(SIZES, KERNELS, STRIDES, PADS):
        if i + 2 * p >= k and (i + 2 * p - k) % s == 0:
            o = _conv(i, k, s, p)
            assert list(conv_input_sizes(o, k, s, p)) == [i + a for a in range(s)]


def test_d2l_transposed_examples_sizes():
    # d2l.ai: 2x2 input, 2x2 kernel: stride 1 -> 3x3, stride 2 -> 4x4, padding 1 -> 1x1.
    assert transposed_output_size((2, 2), 2) == (3, 3)
    assert transposed_output_size((2, 2), 2, stride=2) == (4, 4)
    assert transposed_output_size((2, 2), 2, padding=1) == (1, 1)


def test_keras_facts():
    # FACTS.md, Keras: 'same' gives ceil(i/s); 'valid' gives ceil((i - k^ + 1)/s); transposed inferred sizes.
    assert conv_output_size(5, 3, 2, "same", convention="keras") == 3
    assert conv_output_size(6, 3, 2, "same", convention="keras") == 3
    assert conv_output_size(7, 3, 2, "valid", convention="keras") == 3
    assert transposed_output_size(14, 3, 2, "same", output_padding=None, convention="keras") == 28
    assert transposed_output_size(14, 3, 2, "valid", output_padding=None, convention="keras") == 29
    assert transposed_output_size(14, 1, 2, "valid", output_padding=None, convention="keras") == 28
