"""convmath.trace against the real torch ops, the public vectors in FACTS.md, and properties."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convmath import (
    ConvArithmeticError,
    conv2d_trace,
    conv_matrix,
    conv_output_size,
    conv_transpose2d_trace,
    output_padding_for,
)

SWEEP = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pair = st.tuples(st.integers(1, 3), st.integers(1, 3))


def torch_conv(x, w, stride, pads, dilation, groups):
    """F.conv2d on explicit (top, bottom, left, right) zero padding, as numpy; inputs are (C, H, W) / 4-D."""
    top, bottom, left, right = pads
    xt = F.pad(torch.tensor(x, dtype=torch.float64)[None], (left, right, top, bottom))
    return F.conv2d(xt, torch.tensor(w, dtype=torch.float64), stride=stride, dilation=dilation, groups=groups)[0].numpy()


def torch_conv_transpose(x, w, stride, padding, output_padding, dilation, groups):
    xt = torch.tensor(x, dtype=torch.float64)[None]
    wt = torch.tensor(w, dtype=torch.float64)
    return F.conv_transpose2d(xt, wt, stride=stride, padding=padding, output_padding=output_padding,
                              dilation=dilation, groups=groups)[0].numpy()


def small_ints(rng, shape):
    """Small integers: sums are exact in float64, so results can be compared with ==."""
    return rng.integers(-3, 4, size=shape)


# --- public vectors -------------------------------------------------------------------------------

D2L_X = [[0, 1], [2, 3]]
D2L_K = [[0, 1], [2, 3]]


@pytest.mark.parametrize("kwargs,expected", [
    ({}, [[0, 0, 1], [0, 4, 6], [4, 12, 9]]),
    ({"stride": 2}, [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]),
    ({"padding": 1}, [[4]]),
])
def test_d2l_transposed_vectors(kwargs, expected):
    t = conv_transpose2d_trace(D2L_X, D2L_K, **kwargs)
    assert t.output.tolist() == expected
    assert t.direct.output.tolist() == expected
    assert t.stamps.shape == (2, 2, 2, 2)


def test_lecture_example_equals_torch():
    x = np.array([[2, 1, 0, 3], [0, 0, 1, 2], [3, 1, 2, 0], [0, 2, 2, 1]])
    k = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    t = conv2d_trace(x, k)
    assert t.output.shape == (2, 2)
    assert np.array_equal(t.output, torch_conv(x[None], k[None, None], 1, (0, 0, 0, 0), 1, 1)[0])
    rows, cols = t.window(1, 1)
    assert np.array_equal(t.products[1, 1], x[np.ix_(rows, cols)] * k)


def test_padding_strides_odd_leaves_bottom_row_and_right_col():
    # Dumoulin & Visin: i=6, k=3, s=2, p=1 -> o=3; the bottom row and right column of the padded input are unused.
    t = conv2d_trace(np.ones((6, 6)), np.ones((3, 3)), stride=2, padding=1)
    assert t.padded.shape == (8, 8) and t.output.shape == (3, 3)
    assert t.uncovered_rows == (7,) and t.uncovered_cols == (7,)
    assert conv2d_trace(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding=1).uncovered_rows == ()


def test_dilation_preset_window_is_spaced():
    t = conv2d_trace(np.arange(49).reshape(7, 7), np.ones((3, 3)), dilation=2)
    rows, cols = t.window(2, 0)
    assert rows.tolist() == [2, 4, 6] and cols.tolist() == [0, 2, 4]


# --- conv2d against torch --------------------------------------------------------------------------

paddings = st.one_of(
    st.integers(0, 2),
    st.tuples(st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.tuples(st.integers(0, 2), st.integers(0, 2))),
    st.sampled_from(["valid", "same", "full"]),
)


def explicit_pads(padding, k, d):
    """(top, bottom, left, right) written out independently from torch's documented rules."""
    if isinstance(padding, int):
        return (padding,) * 4
    if padding == "valid":
        return (0,) * 4
    spans = [di * (ki - 1) for di, ki in zip(d, k)]
    if padding == "full":
        return (spans[0], spans[0], spans[1], spans[1])
    if padding == "same":  # torch: total d(k-1), the extra zero on the bottom/right
        return (spans[0] // 2, spans[0] - spans[0] // 2, spans[1] // 2, spans[1] - spans[1] // 2)
    if isinstance(padding[0], tuple):
        return (*padding[0], *padding[1])
    return (padding[0], padding[0], padding[1], padding[1])


@SWEEP
@given(size=st.tuples(st.integers(1, 8), st.integers(1, 8)), k=pair, stride=pair, dilation=pair,
       padding=paddings, groups=st.integers(1, 2), c_per=st.integers(1, 2), o_per=st.integers(1, 2),
       seed=st.integers(0, 2**16))
def test_conv2d_trace_equals_torch(size, k, stride, dilation, padding, groups, c_per, o_per, seed):
    if padding == "same":
        stride = (1, 1)
    pads = explicit_pads(padding, k, dilation)
    try:
        out_size = conv_output_size(size, k, stride, padding, dilation)
    except ConvArithmeticError:
        assume(False)
    rng = np.random.default_rng(seed)
    x = small_ints(rng, (groups * c_per, *size))
    w = small_ints(rng, (groups * o_per, c_per, *k))
    t = conv2d_trace(x, w, stride, padding, dilation, groups)

    assert np.array_equal(t.output, torch_conv(x, w, stride, pads, dilation, groups))
    assert t.output.shape[1:] == out_size
    assert t.pads == pads
    assert t.padded.shape == (x.shape[0], size[0] + pads[0] + pads[1], size[1] + pads[2] + pads[3])
    assert np.array_equal(t.products.sum(axis=(1, 4, 5)), t.output)
    # Each output cell's window, read back from the padded input, gives the recorded products.
    r, c = rng.integers(out_size[0]), rng.integers(out_size[1])
    rows, cols = t.window(r, c)
    assert rows[0] == r * stride[0] and np.all(np.diff(rows) == dilation[0])
    assert cols[0] == c * stride[1] and np.all(np.diff(cols) == dilation[1])
    o = rng.integers(w.shape[0])
    group_channels = slice((o // o_per) * c_per, (o // o_per + 1) * c_per)
    window = t.padded[group_channels][:, rows[:, None], cols[None, :]]
    assert np.array_equal(t.products[o, :, r, c], window * w[o])


@SWEEP
@given(size=st.tuples(st.integers(1, 9), st.integers(1, 9)), k=pair, stride=pair, dilation=pair,
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)))
def test_uncovered_rows_are_the_ones_no_tap_reaches(size, k, stride, dilation, padding):
    try:
        t = conv2d_trace(np.ones(size), np.ones(k), stride, padding, dilation)
    except ConvArithmeticError:
        assume(False)
    for axis, uncovered in ((0, t.uncovered_rows), (1, t.uncovered_cols)):
        n_padded = t.padded.shape[axis]
        o = t.output.shape[axis]
        reached = {r * stride[axis] + j * dilation[axis] for r in range(o) for j in range(k[axis])}
        assert set(uncovered) == set(range(n_padded)) - reached
        if dilation[axis] == 1 and k[axis] >= stride[axis]:
            # The arithmetic's leftover: (i + 2p - k) mod s rows at the bottom/right.
            left = (n_padded - k[axis]) % stride[axis]
            assert uncovered == tuple(range(n_padded - left, n_padded))


def test_two_dimensional_in_gives_two_dimensional_out():
    t = conv2d_trace(np.ones((4, 5)), np.ones((2, 3)), stride=(1, 2))
    assert t.x.shape == (4, 5) and t.w.shape == (2, 3) and t.padded.shape == (4, 5)
    assert t.output.shape == (3, 2) and t.products.shape == (3, 2, 2, 3)
    assert t.output.dtype == np.float64
    assert conv2d_trace([[1, 2], [3, 4]], [[1]]).output.dtype.kind == "i"


# --- transposed conv against torch -----------------------------------------------------------------

@SWEEP
@given(size=st.tuples(st.integers(1, 5), st.integers(1, 5)), k=pair, stride=pair, dilation=pair,
       padding=st.tuples(st.integers(0, 3), st.integers(0, 3)), groups=st.integers(1, 2),
       c_per=st.integers(1, 2), o_per=st.integers(1, 2), seed=st.integers(0, 2**16), data=st.data())
def test_transposed_trace_equals_torch_three_ways(size, k, stride, dilation, padding, groups, c_per, o_per, seed,
                                                  data):
    # output_padding must be below stride or dilation (torch's rule), per axis
    op = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    rng = np.random.default_rng(seed)
    x = small_ints(rng, (groups * c_per, *size))
    w = small_ints(rng, (groups * c_per, o_per, *k))
    try:
        t = conv_transpose2d_trace(x, w, stride, padding, op, dilation, groups)
    except ConvArithmeticError:
        assume(False)
    expected = torch_conv_transpose(x, w, stride, padding, op, dilation, groups)
    assert np.array_equal(t.output, expected)
    assert np.array_equal(t.direct.output, expected)
    assert t.direct.stride == (1, 1) and t.direct.dilation == dilation

    # Scatter: add each stamp onto the canvas at its origin, taps spaced by the dilation.
    full = np.zeros_like(t.full)
    for r in range(size[0]):
        for c in range(size[1]):
            r0, c0 = t.stamp_origin(r, c)
            rows = r0 + dilation[0] * np.arange(k[0])
            cols = c0 + dilation[1] * np.arange(k[1])
            full[:, rows[:, None], cols[None, :]] += t.stamps[:, :, r, c].sum(axis=1)
    assert np.array_equal(full, t.full)
    assert t.full.shape[1:] == tuple((n - 1) * s + d * (kk - 1) + 1 + a
                                     for n, s, d, kk, a in zip(size, stride, dilation, k, op))
    assert np.array_equal(t.full[:, padding[0]:, padding[1]:][:, :expected.shape[1], :expected.shape[2]], expected)

    # Direct view: inserted zeros are zero; the border is d(k-1)-p (+ output_padding bottom/right) when >= 0.
    top, bottom, left, right = t.direct.pads
    assert t.inserted.shape == t.direct.padded.shape[1:]
    assert not t.direct.padded[:, t.inserted].any()
    border = [d * (kk - 1) - p for d, kk, p in zip(dilation, k, padding)]
    assert (top, left) == (max(border[0], 0), max(border[1], 0))
    assert (bottom, right) == (max(border[0] + op[0], 0), max(border[1] + op[1], 0))
    if min(border) >= 0:  # nothing cropped: the original cells sit s apart inside the border
        inner = t.direct.padded[:, top:top + (size[0] - 1) * stride[0] + 1:stride[0],
                                left:left + (size[1] - 1) * stride[1] + 1:stride[1]]
        assert np.array_equal(inner, x)
        assert (~t.inserted).sum() - (top + bottom) * t.inserted.shape[1] - (left + right) * (
            t.inserted.shape[0] - top - bottom) == size[0] * size[1]
    # The direct kernel is w flipped, with its channel axes swapped (group by group).
    assert np.array_equal(t.direct.w[0, 0], w[0, 0, ::-1, ::-1])


def test_transposed_two_dimensional_and_stamp_origin():
    t = conv_transpose2d_trace(np.ones((2, 3)), np.ones((2, 2)), stride=(2, 3), dilation=(1, 2))
    assert t.stamps.shape == (2, 3, 2, 2) and t.full.shape == (4, 9)
    assert t.stamp_origin(1, 2) == (2, 6)
    assert t.inserted.shape == t.direct.padded.shape


def test_transposed_crop_when_padding_exceeds_kernel_span():
    t = conv_transpose2d_trace(np.arange(1, 10).reshape(3, 3), np.ones((2, 2)), stride=2, padding=2)
    assert t.direct.pads == (0, 0, 0, 0)
    assert t.direct.x.shape == (3, 3)  # 5x5 zero-inserted grid cropped by p - (k-1) = 1 on each side
    assert np.array_equal(t.output, torch_conv_transpose(np.arange(1, 10).reshape(1, 3, 3), np.ones((1, 1, 2, 2)),
                                                         2, 2, 0, 1, 1)[0])


# --- conv_matrix ------------------------------------------------------------------------------------

@SWEEP
@given(size=st.tuples(st.integers(1, 6), st.integers(1, 6)), k=pair, stride=pair, dilation=pair, padding=paddings,
       groups=st.integers(1, 2), c_per=st.integers(1, 2), o_per=st.integers(1, 2), seed=st.integers(0, 2**16))
def test_conv_matrix_is_conv_and_its_transpose_is_transposed_conv(size, k, stride, dilation, padding, groups,
                                                                  c_per, o_per, seed):
    if padding == "same":
        stride = (1, 1)
    try:
        conv_output_size(size, k, stride, padding, dilation)
    except ConvArithmeticError:
        assume(False)
    rng = np.random.default_rng(seed)
    x = small_ints(rng, (groups * c_per, *size))
    w = small_ints(rng, (groups * o_per, c_per, *k))
    matrix = conv_matrix(x.shape, w, stride, padding, dilation, groups)
    y_expected = torch_conv(x, w, stride, explicit_pads(padding, k, dilation), dilation, groups)
    assert matrix.shape == (y_expected.size, x.size)
    assert np.array_equal(matrix @ x.ravel(), y_expected.ravel())
    symmetric = isinstance(padding, int) or (isinstance(padding, tuple) and isinstance(padding[0], int))
    if symmetric:  # torch's transposed conv takes one padding per axis
        p = (padding, padding) if isinstance(padding, int) else padding
        # torch's documented size (o-1)s - 2p + d(k-1) + 1 + output_padding must give back the input size
        op = tuple(n - ((o - 1) * s - 2 * pp + d * (kk - 1) + 1)
                   for n, o, s, pp, d, kk in zip(size, y_expected.shape[1:], stride, p, dilation, k))
        y = small_ints(rng, y_expected.shape)
        back = torch_conv_transpose(y, w, stride, padding, op, dilation, groups)
        assert np.array_equal(matrix.T @ y.ravel(), back.ravel())


def test_conv_matrix_transpose_returns_the_larger_input_with_output_padding_for():
    # padding_strides_odd: 6x6 -> 3x3; C^T maps 3x3 back to 6x6, the transposed conv with output_padding 1.
    w = np.arange(9).reshape(3, 3)
    matrix = conv_matrix((6, 6), w, stride=2, padding=1)
    assert matrix.shape == (9, 36)
    op = output_padding_for(6, 3, 3, stride=2, padding=1)
    y = np.arange(9).reshape(3, 3)
    back = torch_conv_transpose(y[None], w[None, None], 2, 1, op, 1, 1)[0]
    assert np.array_equal(matrix.T @ y.ravel(), back.ravel())
    assert np.array_equal((matrix.T @ y.ravel()).reshape(6, 6), conv_transpose2d_trace(y, w, 2, 1, op).output)


def test_conv_matrix_shapes_for_the_lecture_picture():
    matrix = conv_matrix((4, 4), np.arange(1, 10).reshape(3, 3))
    assert matrix.shape == (4, 16)
    assert (matrix != 0).sum() == 4 * 9


# --- refusals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,words", [
    (lambda: conv2d_trace(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding="same"), "padding='same'"),
    (lambda: conv2d_trace(np.ones((2, 2)), np.ones((3, 3))), "input size 2"),
    (lambda: conv2d_trace(np.ones((5, 5)), np.ones((3, 3)), padding="circular"), "padding='circular'"),
    (lambda: conv2d_trace(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride=0"),
    (lambda: conv2d_trace(np.ones((3, 5, 5)), np.ones((2, 3, 3, 3)), groups=2), "groups=2"),
    (lambda: conv2d_trace(np.ones((2, 5, 5)), np.ones((2, 3, 3, 3))), "w.shape[1] must be 2"),
    (lambda: conv2d_trace([["a"]], np.ones((1, 1))), "x has"),
    (lambda: conv2d_trace(np.ones(5), np.ones((1, 1))), "x has shape (5,)"),
    (lambda: conv_transpose2d_trace(np.ones((3, 3)), np.ones((3, 3)), stride=2, output_padding=2),
     "output_padding=2"),
    (lambda: conv_transpose2d_trace(np.ones((3, 3)), np.ones((3, 3)), padding="same"), "padding='same'"),
    (lambda: conv_transpose2d_trace(np.ones((2, 3, 3)), np.ones((3, 1, 3, 3))), "C_in = 2"),
    (lambda: conv_matrix((4,), np.ones((3, 3))), "input_shape=(4,)"),
    (lambda: conv2d_trace(np.ones((4, 4)), np.ones((3, 3))).window(2, 0), "output cell (2, 0)"),
])
def test_refusals_name_the_parameter(call, words):
    with pytest.raises(ConvArithmeticError) as err:
        call()
    assert words in str(err.value)
    assert "\n" not in str(err.value)


# --- `convmath transpose --explain` -----------------------------------------------------------------

def run_cli(capsys, *argv):
    from convmath.cli import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_explain_prints_d2l_three_ways(capsys):
    status, out, err = run_cli(capsys, "transpose", "2", "-k", "2", "--explain",
                               "--input", "[[0,1],[2,3]]", "--kernel", "[[0,1],[2,3]]")
    assert status == 0 and err == ""
    for heading in ("1. Scatter", "2. Direct convolution", "3. Matrix", "Cᵀ (9×4)"):
        assert heading in out
    assert "All 3 views give the same 3×3 output: yes." in out
    assert " 4  12   9" in out  # d2l's last output row


@pytest.mark.parametrize("argv", [
    ["2", "-k", "2", "-s", "2"],
    ["2", "-k", "2", "-s", "2", "-p", "1"],
    ["3,2", "-k", "3,2", "-s", "2,1", "-p", "1,0", "-a", "1,0"],
    ["3", "-k", "2", "-d", "2", "-a", "1"],  # output_padding >= stride: no matrix view
    ["3", "-k", "2", "-s", "2", "-p", "2"],  # p > k - 1: the direct view crops
])
def test_explain_json_views_equal_torch(capsys, argv):
    status, out, _ = run_cli(capsys, "transpose", *argv, "--explain", "--json", "--seed", "3")
    assert status == 0
    import json

    data = json.loads(out)
    x, w = np.array(data["input"]), np.array(data["kernel"])
    expected = torch_conv_transpose(x[None], w[None, None], data["stride"], data["padding"],
                                    data["output_padding"], data["dilation"], 1)[0]
    assert np.array_equal(data["output"], expected)
    assert np.array_equal(data["direct"]["output"], expected)
    if data["matrix"] is not None:
        assert np.array_equal(data["matrix"]["CT_x"], expected)
    assert data["views_agree"] is True


@pytest.mark.parametrize("argv,words", [
    (["20", "-k", "3"], "up to 16 wide"),
    (["2", "-k", "2", "--input", "[[0,1],[2]]"], "--input [[0,1],[2]]"),
    (["3", "-k", "2", "--input", "[[0,1],[2,3]]"], "input is 2×2"),
    (["2", "-k", "2", "--keras"], "drop --keras"),
    (["2", "-k", "2", "--dims", "3"], "2-D"),
])
def test_explain_refusals_exit_2_with_one_sentence(capsys, argv, words):
    status, out, err = run_cli(capsys, "transpose", *argv, "--explain")
    assert status == 2 and out == ""
    assert words in err and err.count("\n") == 1


def test_float_inputs_match_torch_to_rounding():
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((3, 9, 7)), rng.standard_normal((4, 3, 3, 2))
    t = conv2d_trace(x, w, stride=(2, 1), padding=((1, 0), (2, 1)), dilation=(1, 2))
    assert np.allclose(t.output, torch_conv(x, w, (2, 1), (1, 0, 2, 1), (1, 2), 1), atol=1e-12)
    wt = rng.standard_normal((3, 2, 3, 2))
    tt = conv_transpose2d_trace(x, wt, stride=(3, 2), padding=(1, 0), output_padding=(2, 1), dilation=(1, 2))
    expected = torch_conv_transpose(x, wt, (3, 2), (1, 0), (2, 1), (1, 2), 1)
    assert np.allclose(tt.output, expected, atol=1e-12) and np.allclose(tt.direct.output, expected, atol=1e-12)


def test_docstring_examples():
    import doctest

    import convmath.trace

    assert doctest.testmod(convmath.trace).failed == 0
