"""convmath.resample against the real torch ops: ConvTranspose of ones, F.interpolate, PixelShuffle, the
resize-convolution; the public counts in FACTS.md (Odena et al.)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convmath import ConvArithmeticError
from convmath.resample import (
    interpolate,
    interpolation_matrix,
    pixel_shuffle,
    pixel_shuffle_sources,
    checkerboard,
    max_pool2d_trace,
    max_unpool2d,
    resize_conv,
    same_size_padding,
    upsampling,
    stamp_cells,
    stamp_counts,
)

SWEEP = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def torch_ones_transposed(size, k, s, p, op, d):
    """The transposed conv of ones with a ones kernel, by torch (1-D or 2-D)."""
    if isinstance(size, int):
        x, w, op_fn = torch.ones(1, 1, size), torch.ones(1, 1, k), F.conv_transpose1d
    else:
        x, w, op_fn = torch.ones(1, 1, *size), torch.ones(1, 1, k, k), F.conv_transpose2d
    return op_fn(x.double(), w.double(), stride=s, padding=p, output_padding=op, dilation=d)[0, 0].numpy()


def test_the_published_counts():
    """Distill's checkerboard: k=3, s=2 gives 1, 1, 2, 1, 2, …, 1 in 1-D and cells of 1, 2 and 4 in 2-D;
    k=4, s=2 is even (2) inside the border."""
    assert stamp_counts(5, 3, 2).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    assert set(np.unique(stamp_counts((4, 4), 3, 2))) == {1, 2, 4}
    assert set(stamp_counts(6, 4, 2, padding=1)[1:-1]) == {2}


@SWEEP
@given(n=st.integers(1, 7), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3), op=st.integers(0, 3),
       d=st.integers(1, 3), two_d=st.booleans())
def test_counts_equal_torch_transposed_conv_of_ones(n, k, s, p, op, d, two_d):
    size = (n, n + 1) if two_d else n
    try:
        counts = stamp_counts(size, k, s, p, op, d)
    except ConvArithmeticError:
        with pytest.raises(RuntimeError):  # torch refuses too (output_padding too large, or size below 1)
            torch_ones_transposed((n, n + 1) if two_d else n, k, s, p, op, d)
        return
    if two_d:  # torch's 2-D reference with a square kernel on an n × (n + 1) input
        expected = torch_ones_transposed((n, n + 1), k, s, p, op, d)
    else:
        expected = torch_ones_transposed(n, k, s, p, op, d)
    assert np.array_equal(counts, expected)


def test_counts_are_even_inside_when_the_kernel_is_a_multiple_of_the_stride():
    for k, s in [(4, 2), (6, 3), (2, 2), (6, 2)]:
        counts = stamp_counts(8, k, s)
        inside = counts[k - 1:len(counts) - (k - 1)]
        assert len(set(inside.tolist())) == 1, (k, s, counts)
    assert len(set(stamp_counts(8, 3, 2)[2:-2].tolist())) == 2


@SWEEP
@given(n_in=st.integers(1, 9), n_out=st.integers(1, 20), mode=st.sampled_from(["nearest", "bilinear"]),
       align=st.booleans(), use_scale=st.booleans())
def test_interpolation_equals_torch(n_in, n_out, mode, align, use_scale):
    align = align and mode == "bilinear"
    x = np.random.default_rng(n_in * 31 + n_out).normal(size=(n_in, n_in + 1))
    xt = torch.tensor(x)[None, None]
    if use_scale and not align:
        factor = n_out / n_in
        size = (int(np.floor(n_in * factor)), int(np.floor((n_in + 1) * factor)))
        if min(size) < 1:
            return
        expected = F.interpolate(xt, scale_factor=factor, mode=mode, align_corners=None if mode == "nearest"
                                 else False)[0, 0].numpy()
        got = interpolate(x, size, mode, scale_factor=factor)
    else:
        size = (n_out, n_out + 2)
        expected = F.interpolate(xt, size=size, mode=mode, align_corners=align if mode == "bilinear" else None)[0, 0]
        got = interpolate(x, size, mode, align)
    assert got.shape == tuple(expected.shape)
    assert np.allclose(got, np.asarray(expected), atol=1e-6)


def test_interpolation_rows_sum_to_one_and_nearest_copies():
    for mode in ("nearest", "bilinear"):
        assert np.allclose(interpolation_matrix(3, 7, mode).sum(axis=1), 1)
    assert interpolation_matrix(3, 6, "nearest").argmax(axis=1).tolist() == [0, 0, 1, 1, 2, 2]
    corners = interpolation_matrix(3, 5, "bilinear", align_corners=True)
    assert corners[0].tolist() == [1, 0, 0] and corners[-1].tolist() == [0, 0, 1]


@settings(deadline=None)
@given(c=st.integers(1, 3), r=st.integers(1, 3), h=st.integers(1, 4), w=st.integers(1, 4))
def test_pixel_shuffle_equals_torch(c, r, h, w):
    x = np.arange(c * r * r * h * w).reshape(c * r * r, h, w)
    expected = torch.nn.PixelShuffle(r)(torch.tensor(x)[None])[0].numpy()
    assert np.array_equal(pixel_shuffle(x, r), expected)
    sources = pixel_shuffle_sources(x.shape, r)
    assert np.array_equal(sources, expected // (h * w))  # arange: the value tells the channel


def test_resize_conv_equals_upsample_then_conv():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 3))
    result = resize_conv(x, w, 2, padding=1)
    expected = F.conv2d(F.interpolate(torch.tensor(x)[None, None], scale_factor=2, mode="nearest"),
                        torch.tensor(w)[None, None], padding=1)[0, 0].numpy()
    assert np.allclose(result.output, expected)
    flat = resize_conv(np.ones((4, 4)), np.ones((3, 3)), 2, padding=1).output
    assert set(np.unique(flat[1:-1, 1:-1])) == {9.0}  # no checkerboard inside


@pytest.mark.parametrize("call, words", [
    (lambda: stamp_counts(3, 3, 2, output_padding=2), "output_padding"),
    (lambda: stamp_counts(0, 3), "must be"),
    (lambda: interpolation_matrix(3, 6, "cubic"), "mode='cubic' is unknown"),
    (lambda: interpolation_matrix(3, 6, "nearest", align_corners=True), "align_corners"),
    (lambda: pixel_shuffle(np.zeros((3, 2, 2)), 2), "not divisible by upscale_factor² = 4"),
    (lambda: interpolate(np.zeros((2, 2)), 4), "one size per axis"),
])
def test_refusals_are_one_sentence(call, words):
    with pytest.raises(ConvArithmeticError) as error:
        call()
    assert words in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("n, k, s, p, op", [(4, 3, 2, 0, 0), (4, 4, 2, 1, 0), (4, 3, 2, 1, 1), (3, 5, 3, 1, 2)])
def test_checkerboard_equals_a_real_conv_transpose2d_and_resize_convolution(n, k, s, p, op):
    board = checkerboard(n, k, s, p, op, seed=3)
    layer = torch.nn.ConvTranspose2d(1, 1, k, s, p, op, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(board.weights)[None, None])
        expected = layer(torch.ones(1, 1, n, n, dtype=torch.float64))[0, 0].numpy()
    assert np.allclose(board.transposed, expected)
    assert board.counts.shape == board.resized.shape == expected.shape
    (before, after) = board.resize_padding
    up = F.interpolate(torch.ones(1, 1, n, n, dtype=torch.float64), scale_factor=s, mode="nearest")
    resized = F.conv2d(F.pad(up, (before, after, before, after)), layer.weight.detach())[0, 0].numpy()
    assert np.allclose(board.resized, resized)
    assert board.transposed_image.min() == 0 and board.transposed_image.max() == 1


def test_stamp_cells_count_to_the_stamp_counts():
    cells = stamp_cells(5, 3, 2, padding=1, output_padding=1)
    assert np.array_equal(np.bincount(np.concatenate(cells)), stamp_counts(5, 3, 2, 1, 1))


@SWEEP
@given(h=st.integers(2, 9), w=st.integers(2, 9), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 2),
       ceil=st.booleans(), seed=st.integers(0, 99))
def test_max_pool_and_unpool_equal_torch(h, w, k, s, p, ceil, seed):
    """Small integers: ties happen, and the first maximum must win as in torch."""
    x = np.random.default_rng(seed).integers(-3, 4, size=(h, w))
    try:
        trace = max_pool2d_trace(x, k, s, p, ceil)
    except ConvArithmeticError:
        with pytest.raises(RuntimeError):
            F.max_pool2d(torch.tensor(x, dtype=torch.float64)[None, None], k, s, p, ceil_mode=ceil)
        return
    out, idx = F.max_pool2d(torch.tensor(x, dtype=torch.float64)[None, None], k, s, p, ceil_mode=ceil,
                            return_indices=True)
    assert np.array_equal(trace.output, out[0, 0].numpy()) and np.array_equal(trace.indices, idx[0, 0].numpy())
    unpool = torch.nn.MaxUnpool2d(k, s, p)
    for size in [None, (h, w)]:
        try:
            expected = unpool(out, idx, output_size=size)[0, 0].numpy()
        except (RuntimeError, ValueError):  # torch refuses (an index outside the default size): so must we
            with pytest.raises(ConvArithmeticError):
                max_unpool2d(trace.output, trace.indices, k, s, p, size)
            continue
        if expected.size == 0:  # torch hands back an empty tensor; convmath refuses sizes below 1, as everywhere
            with pytest.raises(ConvArithmeticError, match="output_size"):
                max_unpool2d(trace.output, trace.indices, k, s, p, size)
            continue
        assert np.array_equal(max_unpool2d(trace.output, trace.indices, k, s, p, size), expected)
    assert h in trace.inputs[0] and w in trace.inputs[1]


def test_two_sizes_pool_to_one_and_output_size_chooses():
    """FACTS: MaxPool2d(2, stride=2) maps 4×4 and 5×5 to 2×2; unpooling returns 4×4 unless output_size=(5, 5)."""
    trace = max_pool2d_trace(np.arange(25).reshape(5, 5), 2)
    assert trace.inputs == (range(4, 6), range(4, 6))
    assert max_unpool2d(trace.output, trace.indices, 2, output_size=(5, 5)).shape == (5, 5)
    with pytest.raises(ConvArithmeticError, match="output_size"):
        max_unpool2d(trace.output, trace.indices, 2, output_size=(7, 7))


def torch_ways_up(x: np.ndarray, u) -> dict[str, torch.Tensor]:
    """The five ways up by torch itself, on a (1, 1, H, W) tensor that keeps its gradient."""
    f, t = u.factor, u.transposed
    xt = torch.tensor(x, dtype=torch.float64)[None, None].requires_grad_(True)
    channels = F.conv2d(xt, torch.tensor(u.channel_weights).reshape(f * f, 1, 1, 1))
    return {"x": xt,
            "nearest": F.interpolate(xt, scale_factor=f, mode="nearest"),
            "bilinear": F.interpolate(xt, scale_factor=f, mode="bilinear", align_corners=False),
            "bilinear_aligned": F.interpolate(xt, scale_factor=f, mode="bilinear", align_corners=True),
            "transposed": F.conv_transpose2d(xt, torch.tensor(t.w)[None, None], stride=f, padding=t.padding,
                                             output_padding=t.output_padding),
            "pixel_shuffle": F.pixel_shuffle(channels, f)}


@SWEEP
@given(h=st.integers(1, 4), w=st.integers(1, 4), f=st.integers(2, 3), kh=st.integers(1, 4), kw=st.integers(1, 4),
       seed=st.integers(0, 99))
def test_the_ways_up_equal_torch_and_their_weights_equal_autograd(h, w, f, kh, kw, seed):
    rng = np.random.default_rng(seed)
    x, kernel = rng.integers(-9, 10, (h, w)).astype(float), rng.normal(size=(kh, kw))
    u = upsampling(x, f, kernel)
    real = torch_ways_up(x, u)
    for name, out in u.outputs.items():
        assert out.shape == tuple(real[name].shape[-2:]) == u.sizes[name] == (h * f, w * f), name
        assert np.allclose(out, real[name][0, 0].detach().numpy()), name
        r, c = rng.integers(0, h * f), rng.integers(0, w * f)
        grad, = torch.autograd.grad(real[name][0, 0, r, c], real["x"], retain_graph=True)
        assert np.allclose(u.weights(name, r, c), grad[0, 0].numpy()), (name, r, c)


@pytest.mark.parametrize("k, s", [(k, s) for k in range(1, 8) for s in range(2, 5)])
def test_same_size_padding_gives_stride_times_n_in_torch(k, s):
    p, op = same_size_padding(k, s)
    layer = torch.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op)
    assert layer(torch.zeros(1, 1, 3, 5)).shape[-2:] == (3 * s, 5 * s)


@pytest.mark.parametrize("call, words", [
    (lambda: upsampling([[1]], 1), "factor=1"),
    (lambda: upsampling([[1]], 2, channel_weights=[1, 2]), "channel_weights"),
    (lambda: upsampling([[1]], 2).weights("nearest", 2, 0), "outside"),
    (lambda: same_size_padding(2, 1), "stride"),
])
def test_upsampling_refusals_are_one_sentence(call, words):
    with pytest.raises(ConvArithmeticError) as error:
        call()
    assert words in str(error.value) and "\n" not in str(error.value)
