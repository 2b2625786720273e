"""Going up in resolution, number by number: how many transposed-conv stamps land on each output cell
(the checkerboard), nearest and bilinear interpolation as ``F.interpolate`` computes them, pixel shuffle,
and the resize-convolution (nearest upsample, then a conv).

numpy in, numpy out (no torch); every result equals the torch op it names (the tests run both).

>>> stamp_counts(4, 3, stride=2).tolist()
[1, 1, 2, 1, 2, 1, 2, 1, 1]
>>> stamp_counts(4, 4, stride=2, padding=1).tolist()
[1, 2, 2, 2, 2, 2, 2, 1]
>>> interpolate([[1, 2]], (1, 4), "bilinear").tolist()
[[1.0, 1.25, 1.75, 2.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arithmetic import axis_params, output_paddings, transposed_output_size
from .pooling import pixel_shuffle_shape, pool_input_sizes, pool_output_size, upsample_output_size
from .trace import ConvTrace, TransposedConvTrace, conv2d_trace, conv_transpose2d_trace
from .validate import ConvArithmeticError, as_int, spatial_sizes

__all__ = ["stamp_cells", "stamp_counts", "Checkerboard", "checkerboard", "interpolation_matrix", "interpolate", "MODES", "pixel_shuffle",
           "pixel_shuffle_sources", "ResizeConv", "resize_conv",
           "MaxPoolTrace", "max_pool2d_trace", "max_unpool2d", "unpool_code",
           "METHODS", "same_size_padding", "Upsampling", "upsampling"]

MODES = ("nearest", "bilinear")


def stamp_cells(n: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0,
                dilation: int = 1) -> list[np.ndarray]:
    """1-D: for each of the n input cells, the output cells its kernel stamp lands on (i·s + j·d − p, inside the
    output after padding crops it). The stamp counts are how often each output cell appears.

    >>> [c.tolist() for c in stamp_cells(3, 3, stride=2)]
    [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    """
    out = transposed_output_size(n, kernel, stride, padding, dilation, output_padding)
    taps = np.arange(kernel) * dilation - padding
    return [cells[(cells >= 0) & (cells < out)] for cells in (i * stride + taps for i in range(n))]


def _axis_counts(n: int, k: int, s: int, p: int, op: int, d: int) -> np.ndarray:
    """Stamps landing on each cell of one axis of a transposed conv (input n, kernel k, ...), after the crop."""
    cells = stamp_cells(n, k, s, p, op, d)
    return np.bincount(np.concatenate(cells), minlength=transposed_output_size(n, k, s, p, d, op))


def stamp_counts(size, kernel, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """How many kernel stamps land on each output cell of ``ConvTranspose1d/2d`` (torch's parameters):
    the transposed conv of an all-ones input with an all-ones kernel. ``size`` is an int (1-D counts) or
    (H, W) (2-D counts, the outer product of the two axes). Uneven where the kernel is not a multiple of the
    stride; refused as the real layer refuses (``ConvArithmeticError``).

    >>> stamp_counts((2, 2), 3, stride=2).tolist()[1]
    [1, 1, 2, 1, 1]
    """
    transposed_output_size(size, kernel, stride, padding, dilation, output_padding)  # refuses what torch refuses
    sizes, is_tuple = spatial_sizes("size", size, "a positive integer (the input size)")
    if len(sizes) > 2:
        raise ConvArithmeticError(f"size={tuple(sizes)} has {len(sizes)} axes: stamp_counts draws 1-D or 2-D.")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, "torch", transposed=True)
    ops = output_paddings(output_padding, sizes, is_tuple, axes)
    counts = [_axis_counts(n, a.kernel, a.stride, a.padding, op, a.dilation) for n, a, op in zip(sizes, axes, ops)]
    return counts[0] if len(counts) == 1 else np.outer(counts[0], counts[1])


def _scale(n_in: int, n_out: int, align_corners: bool, scale_factor: float | None) -> float:
    """torch's source-per-destination scale (``area_pixel_compute_scale``)."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale_factor if scale_factor else n_in / n_out


def interpolation_matrix(n_in: int, n_out: int, mode: str = "nearest", align_corners: bool = False,
                         scale_factor: float | None = None) -> np.ndarray:
    """The (n_out, n_in) weights of ``F.interpolate`` on one axis: output cell o = Σ_i M[o, i]·x[i].

    ``nearest`` copies x[⌊o·scale⌋] (one 1 per row); ``bilinear`` mixes the two neighbours of the source
    position o·scale (align_corners) or (o + ½)·scale − ½ (clamped at 0). ``scale`` is n_in/n_out, or
    1/scale_factor when the caller gave one (as torch does), or (n_in − 1)/(n_out − 1) with align_corners.

    >>> interpolation_matrix(2, 4, "nearest").argmax(axis=1).tolist()
    [0, 0, 1, 1]
    """
    n_in = as_int("n_in", n_in, 1, "a positive integer")
    n_out = as_int("n_out", n_out, 1, "a positive integer")
    if mode not in MODES:
        raise ConvArithmeticError(f"mode={mode!r} is unknown: use one of {', '.join(MODES)}.")
    if scale_factor is not None and not (np.isfinite(scale_factor) and scale_factor > 0):
        raise ConvArithmeticError(f"scale_factor={scale_factor!r} is not allowed: use a positive number.")
    matrix = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode == "nearest":
        if align_corners:
            raise ConvArithmeticError("align_corners=True is not allowed with mode='nearest': torch refuses it; "
                                      "use align_corners=False.")
        # torch computes the source index in float32: min(floor(o · scale), n_in − 1)
        scale = np.float32(_scale(n_in, n_out, False, scale_factor))
        source = np.minimum(np.floor(rows.astype(np.float32) * scale).astype(int), n_in - 1)
        matrix[rows, source] = 1.0
        return matrix
    scale = _scale(n_in, n_out, align_corners, scale_factor)
    source = rows * scale if align_corners else np.maximum((rows + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(int), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    weight = np.clip(source - low, 0.0, 1.0)
    np.add.at(matrix, (rows, low), 1 - weight)
    np.add.at(matrix, (rows, high), weight)
    return matrix


def interpolate(x, size=None, mode: str = "nearest", align_corners: bool = False,
                scale_factor: float | tuple[float, ...] | None = None) -> np.ndarray:
    """``F.interpolate(x, size=..., scale_factor=..., mode=mode, align_corners=...)`` for a 1-D (L,) or 2-D
    (H, W) array (bilinear means linear on each axis). The output size is ``size``, or
    ``upsample_output_size`` of ``scale_factor``, which then also sets the source positions as torch does.

    >>> interpolate([[1, 2], [3, 4]], (4, 4), "nearest")[0].tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    a = np.asarray(x, dtype=float)
    if a.ndim not in (1, 2) or a.size == 0:
        raise ConvArithmeticError(f"x has shape {a.shape}: x must be a non-empty (L,) or (H, W) array of numbers.")
    if size is None:
        size = upsample_output_size(a.shape, scale_factor=scale_factor)
    sizes = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if len(sizes) != a.ndim:
        raise ConvArithmeticError(f"size={size!r} has {len(sizes)} axes but x has {a.ndim}: give one size per axis.")
    factors = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * a.ndim
    out = a
    for axis, (n_out, factor) in enumerate(zip(sizes, factors)):
        m = interpolation_matrix(a.shape[axis], n_out, mode, align_corners, factor)
        out = np.moveaxis(np.tensordot(m, np.moveaxis(out, axis, 0), axes=1), 0, axis)
    return out


def _shuffle_check(shape: tuple[int, ...], r: int) -> int:
    r = as_int("upscale_factor", r, 1, "a positive integer")
    if len(shape) != 3 or 0 in shape:
        raise ConvArithmeticError(f"x has shape {shape}: pixel shuffle takes a (C·r², H, W) array.")
    if shape[0] % (r * r):
        raise ConvArithmeticError(f"x has {shape[0]} channels, not divisible by upscale_factor² = {r * r}: "
                                  f"give a multiple of {r * r} channels.")
    return r


def pixel_shuffle(x, upscale_factor: int) -> np.ndarray:
    """``nn.PixelShuffle(r)``: (C·r², H, W) → (C, H·r, W·r); channel c·r² + i·r + j fills the cells
    (h·r + i, w·r + j).

    >>> pixel_shuffle(np.arange(4).reshape(4, 1, 1), 2)[0].tolist()
    [[0, 1], [2, 3]]
    """
    a = np.asarray(x)
    r = _shuffle_check(a.shape, upscale_factor)
    c, h, w = a.shape
    return a.reshape(c // (r * r), r, r, h, w).transpose(0, 3, 1, 4, 2).reshape(c // (r * r), h * r, w * r)


def pixel_shuffle_sources(shape: tuple[int, int, int], upscale_factor: int) -> np.ndarray:
    """For each output cell of the pixel shuffle of an input of ``shape`` (C·r², H, W): the input channel it
    comes from, as a (C, H·r, W·r) array (its row and column are (h, w) = (row // r, col // r))."""
    r = _shuffle_check(tuple(shape), upscale_factor)
    return pixel_shuffle(np.arange(shape[0])[:, None, None] * np.ones(shape[1:], dtype=int), r)


@dataclass(frozen=True, eq=False)
class ResizeConv:
    """Nearest upsampling by ``scale``, then an ordinary convolution: ``upsampled`` and its ``conv`` trace."""

    x: np.ndarray
    scale: int
    upsampled: np.ndarray
    conv: ConvTrace

    @property
    def output(self) -> np.ndarray:
        return self.conv.output


def resize_conv(x, w, scale: int = 2, padding=0) -> ResizeConv:
    """``nn.Upsample(scale_factor=scale, mode='nearest')`` then ``F.conv2d(·, w, padding=padding)``: the
    upsampling without the uneven overlap of a transposed conv (Odena et al.).

    >>> resize_conv(np.ones((2, 2)), np.ones((3, 3)), 2, padding=1).output[1:3, 1:3].tolist()
    [[9.0, 9.0], [9.0, 9.0]]
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.size == 0:
        raise ConvArithmeticError(f"x has shape {a.shape}: resize_conv takes a non-empty (H, W) array.")
    s = as_int("scale", scale, 1, "a positive integer")
    up = interpolate(a, None, "nearest", scale_factor=float(s))
    return ResizeConv(a, s, up, conv2d_trace(up, w, 1, padding))


def _unit(a: np.ndarray) -> np.ndarray:
    """``a`` scaled to [0, 1] for display (a constant array is 0.5)."""
    span = a.max() - a.min()
    return np.full(a.shape, 0.5) if span == 0 else (a - a.min()) / span


@dataclass(frozen=True, eq=False)
class Checkerboard:
    """A transposed conv on a constant input and the resize-convolution with the same weights and output size.

    ``counts``: stamps per output cell; ``transposed``: ConvTranspose2d (seeded normal weights ``weights``,
    no bias) of an all-ones (n, n) input; ``resized``: nearest ×stride then conv2d with the same weights and
    ``resize_padding`` (before, after), so its size equals the transposed conv's; ``resize_counts``: the same
    resize-convolution of ones with a ones kernel (taps on real cells). ``*_image``: each scaled to [0, 1].
    """

    counts: np.ndarray
    weights: np.ndarray
    transposed: np.ndarray
    resized: np.ndarray
    resize_counts: np.ndarray
    resize_padding: tuple[int, int]

    @property
    def count_levels(self) -> list[int]:
        """The distinct stamp counts, smallest first ([1, 2, 4] for kernel 3, stride 2)."""
        return [int(v) for v in np.unique(self.counts)]

    @property
    def transposed_image(self) -> np.ndarray:
        return _unit(self.transposed)

    @property
    def resized_image(self) -> np.ndarray:
        return _unit(self.resized)


def checkerboard(n: int, kernel: int, stride: int, padding: int = 0, output_padding: int = 0,
                 seed: int = 0) -> Checkerboard:
    """The checkerboard demonstration for an (n, n) constant input (torch's ConvTranspose2d parameters).

    >>> board = checkerboard(4, 3, 2, 1, 1)
    >>> board.transposed.shape == board.resized.shape == (8, 8), board.resize_padding
    (True, (1, 1))
    """
    counts = stamp_counts((n, n), kernel, stride, padding, output_padding)
    w = np.random.default_rng(seed).normal(size=(kernel, kernel))
    transposed = conv_transpose2d_trace(np.ones((n, n)), w, stride, padding, output_padding).output
    total = counts.shape[0] - n * stride + kernel - 1  # conv of the n·s upsampled input: n·s + total − k + 1 cells
    if total < 0:
        raise ConvArithmeticError(f"padding={padding} crops more than a resize-convolution with kernel {kernel} "
                                  f"can match: use padding at most {(kernel - 1 + padding * 2 + total) // 2}.")
    pads = (total // 2, total - total // 2)
    resized = resize_conv(np.ones((n, n)), w, stride, (pads, pads)).output
    flat = resize_conv(np.ones((n, n)), np.ones((kernel, kernel)), stride, (pads, pads)).output
    return Checkerboard(counts, w, transposed, resized, np.rint(flat).astype(int), pads)


@dataclass(frozen=True, eq=False)
class MaxPoolTrace:
    """``F.max_pool2d(x, ..., return_indices=True)`` window by window: ``rows`` (oh, kh) / ``cols`` (ow, kw) are
    the input rows / cols each window covers (outside the input where the padding or ceil_mode reaches),
    ``output`` the maxima, ``indices`` their flat positions r·W + c (torch's), ``inputs`` every input size
    (H, W) this pool maps to the output's size (what ``MaxUnpool2d``'s output_size chooses between)."""

    x: np.ndarray
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    output: np.ndarray
    indices: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    inputs: tuple[range, range]

    def argmax(self, r: int, c: int) -> tuple[int, int]:
        """The input cell (row, col) holding the maximum of window (r, c)."""
        return divmod(int(self.indices[r, c]), self.x.shape[1])


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def max_pool2d_trace(x, kernel, stride=None, padding=0, ceil_mode: bool = False) -> MaxPoolTrace:
    """Trace ``nn.MaxPool2d(kernel, stride, padding, ceil_mode=...)`` on an (H, W) array (the first maximum of a
    window wins, as in torch; the padding never does).

    >>> t = max_pool2d_trace(np.arange(16).reshape(4, 4), 2)
    >>> t.output.tolist(), t.indices.tolist()
    ([[5, 7], [13, 15]], [[5, 7], [13, 15]])
    """
    a = np.asarray(x)
    if a.ndim != 2 or a.size == 0 or not np.issubdtype(a.dtype, np.number):
        raise ConvArithmeticError(f"x has shape {a.shape}: max_pool2d_trace takes a non-empty (H, W) array of numbers.")
    k, p = _pair(kernel), _pair(padding)
    s = _pair(stride if stride is not None else kernel)
    oh, ow = pool_output_size(a.shape, k, s, p, 1, ceil_mode)
    rows = np.arange(oh)[:, None] * s[0] + np.arange(k[0])[None, :] - p[0]
    cols = np.arange(ow)[:, None] * s[1] + np.arange(k[1])[None, :] - p[1]
    inside_r, inside_c = (rows >= 0) & (rows < a.shape[0]), (cols >= 0) & (cols < a.shape[1])
    values = np.where(inside_r[:, None, :, None] & inside_c[None, :, None, :],
                      a.astype(float)[np.clip(rows, 0, a.shape[0] - 1)[:, None, :, None],
                                      np.clip(cols, 0, a.shape[1] - 1)[None, :, None, :]], -np.inf)
    best = values.reshape(oh, ow, -1).argmax(axis=2)
    i, j = np.divmod(best, k[1])
    r_in = rows[np.arange(oh)[:, None], i]
    c_in = cols[np.arange(ow)[None, :], j]
    inputs = pool_input_sizes((oh, ow), k, s, p, 1, ceil_mode)
    return MaxPoolTrace(a, k, s, p, a[r_in, c_in], r_in * a.shape[1] + c_in, rows, cols, tuple(inputs))


def max_unpool2d(values, indices, kernel, stride=None, padding=0, output_size=None) -> np.ndarray:
    """``nn.MaxUnpool2d(kernel, stride, padding)(values, indices, output_size=...)``: zeros of the output size,
    each value put back at its index. Without ``output_size`` the size is (o − 1)·s − 2p + k (the smallest
    input the pool could have had); ``output_size`` picks another input size the pool maps to the same output.

    >>> max_unpool2d([[5]], [[3]], 2).tolist()
    [[0, 0], [0, 5]]
    """
    v, idx = np.asarray(values), np.asarray(indices)
    if v.ndim != 2 or v.shape != idx.shape:
        raise ConvArithmeticError(f"values has shape {v.shape} and indices {idx.shape}: give two (H, W) arrays of "
                                  "one shape (what max_pool2d_trace returns).")
    k, p = _pair(kernel), _pair(padding)
    s = _pair(stride if stride is not None else kernel)
    default = tuple((o - 1) * st - 2 * pa + kk for o, kk, st, pa in zip(v.shape, k, s, p))  # MaxUnpool's own rule
    if output_size is None and min(default) < 1:
        raise ConvArithmeticError(f"MaxUnpool2d's default size would be {default[0]}×{default[1]}: give output_size, "
                                  "the input size the pool saw.")
    size = default if output_size is None else tuple(output_size)
    allowed = [range(d - st + 1, d + st) for d, st in zip(default, s)]  # torch: strictly within one stride
    if len(size) != 2 or any(n not in r for n, r in zip(size, allowed)):
        raise ConvArithmeticError(f"output_size={output_size!r} is not allowed: MaxUnpool2d takes sizes "
                                  f"{allowed[0].start}..{allowed[0].stop - 1} × {allowed[1].start}..{allowed[1].stop - 1}.")
    out = np.zeros(size[0] * size[1], dtype=v.dtype)
    if idx.size and (idx.min() < 0 or idx.max() >= out.size):
        raise ConvArithmeticError(f"indices hold {int(idx.max())}: outside the {size[0]}×{size[1]} output; give "
                                  "output_size, the input size the pool saw.")
    out[idx.ravel()] = v.ravel()
    return out.reshape(size)


def unpool_code(trace: MaxPoolTrace, output_size: tuple[int, int]) -> dict[str, str]:
    """PyTorch and Keras lines that pool an input of ``trace``'s size and come back to ``output_size`` (one of
    ``trace.inputs``), each shape in a comment (the tests run the lines and compare). Keras has no MaxUnpool:
    UpSampling2D by the stride, then ZeroPadding2D (or Cropping2D) to the chosen size."""
    (h, w), (oh, ow), (k, s, p) = trace.x.shape, trace.output.shape, (trace.kernel, trace.stride, trace.padding)
    default = transposed_output_size((oh, ow), k, s, p)
    k, s, p = (str(v[0]) if v[0] == v[1] else str(v) for v in (k, s, p))
    torch_lines = (f"pool = nn.MaxPool2d({k}, stride={s}, padding={p}, return_indices=True)\n"
                   f"unpool = nn.MaxUnpool2d({k}, stride={s}, padding={p})\n"
                   f"y, idx = pool(torch.randn(1, 1, {h}, {w}))   # y: (1, 1, {oh}, {ow})\n"
                   f"unpool(y, idx, output_size={tuple(output_size)}).shape   # (1, 1, {output_size[0]}, {output_size[1]})"
                   f"\n# without output_size: (1, 1, {default[0]}, {default[1]}), if every index fits")
    if trace.padding != (0, 0) or trace.kernel != trace.stride:
        return {"PyTorch": torch_lines}
    up = upsample_output_size((oh, ow), size=trace.stride, convention="keras")
    extra = [n - u for n, u in zip(output_size, up)]
    fit = (f"layers.ZeroPadding2D(((0, {extra[0]}), (0, {extra[1]})))" if min(extra) >= 0 else
           f"layers.Cropping2D(((0, {-extra[0]}), (0, {-extra[1]})))")
    keras_lines = (f"y = layers.MaxPooling2D({k}, strides={s})(np.zeros((1, {h}, {w}, 1)))   # (1, {oh}, {ow}, 1)\n"
                   f"up = layers.UpSampling2D({s})(y)   # (1, {up[0]}, {up[1]}, 1)\n"
                   f"{fit}(up).shape   # (1, {output_size[0]}, {output_size[1]}, 1)")
    return {"PyTorch": torch_lines, "Keras": keras_lines}


# The ways up UpsamplingMethods compares, in its order: name -> (mode, align_corners) for F.interpolate.
METHODS = {"nearest": ("nearest", False), "bilinear": ("bilinear", False), "bilinear_aligned": ("bilinear", True),
           "transposed": None, "pixel_shuffle": None}


def same_size_padding(kernel: int, stride: int) -> tuple[int, int]:
    """The (padding, output_padding) that make ``ConvTranspose(kernel, stride)`` give exactly stride·n cells
    from n: (n − 1)·s − 2p + k + op = n·s, with the smallest p ≥ 0 and op < s.

    >>> same_size_padding(3, 2), same_size_padding(4, 2), same_size_padding(2, 3)
    ((1, 1), (1, 0), (0, 1))
    """
    k = as_int("kernel", kernel, 1, "a positive integer")
    s = as_int("stride", stride, 1, "a positive integer")
    p = max(0, -(-(k - s) // 2))
    op = s - k + 2 * p
    if op >= s:
        raise ConvArithmeticError(f"kernel {k} with stride {s} cannot give {s}·n cells (output_padding {op} is not "
                                  "below the stride): use an odd kernel or a stride of at least 2.")
    return p, op


@dataclass(frozen=True, eq=False)
class Upsampling:
    """One (H, W) input made ``factor``× larger five ways (:data:`METHODS`): ``outputs[name]`` and
    ``sizes[name]`` (each from its own size formula). ``transposed``: ``ConvTranspose2d(kernel, stride=factor,
    padding, output_padding)`` traced, p and op from :func:`same_size_padding`; ``channels``: the factor²
    channels of a 1×1 conv (channel c is ``channel_weights[c]``·x) that ``PixelShuffle(factor)`` rearranges."""

    x: np.ndarray
    factor: int
    outputs: dict[str, np.ndarray]
    sizes: dict[str, tuple[int, int]]
    transposed: TransposedConvTrace
    channels: np.ndarray
    channel_weights: np.ndarray
    sources: np.ndarray

    def weights(self, method: str, r: int, c: int) -> np.ndarray:
        """The (H, W) weights of output cell (r, c): ``outputs[method][r, c] = Σ weights · x`` (every method is
        linear in x: the gradient of that cell with respect to the input)."""
        out = self.outputs[method]
        if not (0 <= r < out.shape[0] and 0 <= c < out.shape[1]):
            raise ConvArithmeticError(f"cell ({r}, {c}) is outside the {out.shape[0]}×{out.shape[1]} output: "
                                      f"use 0 ≤ row < {out.shape[0]} and 0 ≤ col < {out.shape[1]}.")
        (h, w), f = self.x.shape, self.factor
        if method == "pixel_shuffle":
            weights = np.zeros((h, w))
            weights[r // f, c // f] = self.channel_weights[self.sources[0, r, c]]
            return weights
        if method == "transposed":
            t = self.transposed
            taps = [np.arange(n) * f - pad for n, pad in zip((h, w), t.padding)]
            i, j = r - taps[0], c - taps[1]  # the kernel tap of each input row / column landing on (r, c)
            kh, kw = t.w.shape
            inside = ((i >= 0) & (i < kh))[:, None] & ((j >= 0) & (j < kw))[None, :]
            return np.where(inside, t.w[np.clip(i, 0, kh - 1)][:, np.clip(j, 0, kw - 1)], 0.0)
        mode, aligned = METHODS[method]
        rows = interpolation_matrix(h, out.shape[0], mode, aligned, float(f))[r]
        cols = interpolation_matrix(w, out.shape[1], mode, aligned, float(f))[c]
        return np.outer(rows, cols)

    def image(self, method: str | None = None) -> np.ndarray:
        """``outputs[method]`` (or the input) scaled to [0, 1] by its own range, for display."""
        return _unit(self.x if method is None else self.outputs[method])


def upsampling(x, factor: int = 2, kernel=None, channel_weights=None) -> Upsampling:
    """Nearest, bilinear (align_corners False and True), a transposed conv and a pixel shuffle of one (H, W)
    input, each ``factor``× larger (``scale_factor=factor`` for interpolate). ``kernel``: the transposed conv's
    (kh, kw) weights (default the bilinear tent for factor 2); ``channel_weights``: factor² numbers, default
    1, 2, … (which channel lands where stays readable).

    >>> u = upsampling([[1, 2], [3, 4]])
    >>> u.outputs["nearest"][0].tolist(), u.sizes["pixel_shuffle"]
    ([1.0, 1.0, 2.0, 2.0], (4, 4))
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.size == 0:
        raise ConvArithmeticError(f"x has shape {a.shape}: upsampling takes a non-empty (H, W) array.")
    f = as_int("factor", factor, 2, "an integer of at least 2")
    w = np.outer([0.5, 1, 0.5], [0.5, 1, 0.5]) if kernel is None else np.asarray(kernel, dtype=float)
    if w.ndim != 2 or w.size == 0:
        raise ConvArithmeticError(f"kernel has shape {w.shape}: give a non-empty (kh, kw) array.")
    cw = np.arange(1.0, f * f + 1) if channel_weights is None else np.asarray(channel_weights, dtype=float)
    if cw.shape != (f * f,):
        raise ConvArithmeticError(f"channel_weights has {cw.size} numbers: give factor² = {f * f}, one per channel.")
    outputs, sizes = {}, {}
    for name, how in METHODS.items():
        if how is not None:
            outputs[name] = interpolate(a, None, how[0], how[1], scale_factor=float(f))
            sizes[name] = upsample_output_size(a.shape, scale_factor=(float(f), float(f)))
    pads = [same_size_padding(k, f) for k in w.shape]
    tr = conv_transpose2d_trace(a, w, f, tuple(p for p, _ in pads), tuple(op for _, op in pads))
    outputs["transposed"] = tr.output
    sizes["transposed"] = transposed_output_size(a.shape, w.shape, f, tuple(p for p, _ in pads), 1,
                                                 tuple(op for _, op in pads))
    channels = conv2d_trace(a[None], cw.reshape(f * f, 1, 1, 1)).output
    outputs["pixel_shuffle"] = pixel_shuffle(channels, f)[0]
    sizes["pixel_shuffle"] = pixel_shuffle_shape(f * f, a.shape, f)[1]
    sources = pixel_shuffle_sources(channels.shape, f)
    return Upsampling(a, f, outputs, sizes, tr, channels, cw, sources)
