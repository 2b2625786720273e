"""Public reference vectors (../shared/reference/FACTS.md): Dumoulin & Visin's animated cases."""

import pytest

from convmath import conv_input_sizes, conv_output_size, transposed_output_size

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
