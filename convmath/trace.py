"""Numeric traces of a convolution and a transposed convolution: every window, product, stamp and sum.

numpy in, numpy out (no torch); the results equal ``torch.nn.functional.conv2d`` /
``conv_transpose2d`` (cross-correlation, as every framework computes). Parameters are validated by
:mod:`convmath.arithmetic` with ``convention="torch"``, so a refusal is the same ``ConvArithmeticError``.

>>> t = conv_transpose2d_trace([[0, 1], [2, 3]], [[0, 1], [2, 3]])
>>> t.output.tolist()
[[0, 0, 1], [0, 4, 6], [4, 12, 9]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arithmetic import axis_params, conv_output_size, output_paddings, transposed_as_conv, transposed_output_size
from .validate import ConvArithmeticError, as_int, term

__all__ = ["ConvTrace", "ConvNdTrace", "TransposedConvTrace", "conv1d_trace", "conv2d_trace", "conv3d_trace",
           "conv_transpose2d_trace", "conv_matrix"]

Pair = tuple[int, int]


@dataclass(frozen=True, eq=False)
class ConvTrace:
    """A 2-D convolution, cell by cell.

    Shapes for a 2-D ``x`` and ``w``; with channels, ``x``/``padded`` gain a leading C axis, ``w`` is
    (O, C/groups, kh, kw), ``output`` gains a leading O axis and ``products`` the leading (O, C/groups).

    - ``padded`` (H + top + bottom, W + left + right): the zero-padded input; ``pads`` = (top, bottom, left, right).
    - ``products`` (oh, ow, kh, kw): the window's values times the kernel;
      ``output`` = ``products`` summed over the taps (and the input channels of the group), plus ``bias``
      (one per filter) when one is given.
    """

    x: np.ndarray
    w: np.ndarray
    padded: np.ndarray
    pads: tuple[int, int, int, int]
    stride: Pair
    dilation: Pair
    groups: int
    products: np.ndarray
    output: np.ndarray
    _rows: np.ndarray = field(repr=False)
    _cols: np.ndarray = field(repr=False)
    bias: np.ndarray | None = None

    @property
    def channel_sums(self) -> np.ndarray:
        """``products`` summed over the kernel taps only: one sum per (filter, input channel, output cell)."""
        return self.products.sum(axis=(-2, -1))

    def window(self, r: int, c: int) -> tuple[np.ndarray, np.ndarray]:
        """The padded-input row indices (kh,) and col indices (kw,) of the window at output cell (r, c)."""
        oh, ow = self._rows.shape[0], self._cols.shape[0]
        if not (0 <= r < oh and 0 <= c < ow):
            raise ConvArithmeticError(
                f"output cell ({r}, {c}) is outside the {oh}×{ow} output: use 0 ≤ r < {oh} and 0 ≤ c < {ow}."
            )
        return self._rows[r].copy(), self._cols[c].copy()

    @property
    def uncovered_rows(self) -> tuple[int, ...]:
        """Padded-input rows that no kernel tap ever touches (left over by the stride, or between dilated taps)."""
        return _untouched(self.padded.shape[-2], self._rows)

    @property
    def uncovered_cols(self) -> tuple[int, ...]:
        """Padded-input cols that no kernel tap ever touches (left over by the stride, or between dilated taps)."""
        return _untouched(self.padded.shape[-1], self._cols)


@dataclass(frozen=True, eq=False)
class ConvNdTrace:
    """A 1-D or 3-D convolution with channels and groups, cell by cell (the 2-D one is :class:`ConvTrace`).

    Shapes for plain (channel-less) ``x`` and ``w``; with channels, ``x``/``padded`` gain a leading C axis,
    ``w`` is (O, C/groups, *k), ``output`` gains a leading O axis and ``products`` the leading (O, C/groups).

    - ``padded``: the zero-padded input; ``pads`` one (before, after) pair per spatial axis.
    - ``products`` (*out, *k): the window's values times the kernel; ``output`` = ``products`` summed over the
      taps (and the input channels of the group), plus ``bias`` (one per filter) when one is given.
    """

    x: np.ndarray
    w: np.ndarray
    padded: np.ndarray
    pads: tuple[Pair, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    products: np.ndarray
    output: np.ndarray
    taps: tuple[np.ndarray, ...] = field(repr=False)
    bias: np.ndarray | None = None

    @property
    def channel_sums(self) -> np.ndarray:
        """``products`` summed over the kernel taps only: one sum per (filter, input channel, output cell)."""
        n = len(self.taps)
        return self.products.sum(axis=tuple(range(-n, 0)))

    def window(self, *cell: int) -> tuple[np.ndarray, ...]:
        """The padded-input indices per spatial axis (k,) of the window at output cell ``cell``."""
        outs = tuple(t.shape[0] for t in self.taps)
        if len(cell) != len(outs) or not all(0 <= c < o for c, o in zip(cell, outs)):
            shown = "×".join(map(str, outs))
            raise ConvArithmeticError(f"output cell {cell} is outside the {shown} output: give {len(outs)} "
                                      f"indices, each from 0 to its size minus 1.")
        return tuple(t[c].copy() for t, c in zip(self.taps, cell))

    def uncovered(self, axis: int) -> tuple[int, ...]:
        """Padded-input positions on spatial ``axis`` that no kernel tap ever touches."""
        n = len(self.taps)
        return _untouched(self.padded.shape[self.padded.ndim - n + axis], self.taps[axis])

    def group_channels(self, out_channel: int) -> range:
        """The input channels that filter ``out_channel`` sees: its group's C/groups channels."""
        c = self.x.shape[0] if self.x.ndim > len(self.taps) else 1
        o = self.output.shape[0] if self.output.ndim > len(self.taps) else 1
        g = out_channel // (o // self.groups)
        return range(g * c // self.groups, (g + 1) * c // self.groups)


@dataclass(frozen=True, eq=False)
class TransposedConvTrace:
    """A 2-D transposed convolution, three equivalent ways.

    Shapes for a 2-D ``x`` and ``w``; with channels, ``x`` is (C_in, H, W), ``w`` is (C_in, C_out/groups,
    kh, kw), ``full``/``output`` gain a leading C_out axis and ``stamps`` the leading (C_out, C_in/groups).

    - Scatter: ``stamps`` (H, W, kh, kw) = x[r, c] · w, stamp (r, c) placed at ``stamp_origin(r, c)``
      with its taps spaced by the dilation; ``full`` (Hf, Wf) is their sum before any crop,
      Hf = (H − 1)·sh + dh·(kh − 1) + 1 + output_padding_h; ``output`` = full[ph:ph + oh, pw:pw + ow].
    - Direct: ``direct`` is the :class:`ConvTrace` of the equivalent convolution (see
      :func:`conv_transpose2d_trace`); ``inserted`` (Hd, Wd) marks the inserted zeros in ``direct.padded``.
    """

    x: np.ndarray
    w: np.ndarray
    stride: Pair
    padding: Pair
    output_padding: Pair
    dilation: Pair
    groups: int
    stamps: np.ndarray
    full: np.ndarray
    output: np.ndarray
    direct: ConvTrace
    inserted: np.ndarray

    def stamp_origin(self, r: int, c: int) -> Pair:
        """Where stamp (r, c)'s top-left tap lands on the uncropped canvas ``full``: (r·sh, c·sw)."""
        h, w = self.x.shape[-2:]
        if not (0 <= r < h and 0 <= c < w):
            raise ConvArithmeticError(
                f"input cell ({r}, {c}) is outside the {h}×{w} input: use 0 ≤ r < {h} and 0 ≤ c < {w}."
            )
        return r * self.stride[0], c * self.stride[1]


def _untouched(n: int, taps: np.ndarray) -> tuple[int, ...]:
    seen = np.zeros(n, dtype=bool)
    seen[taps.ravel()] = True
    return tuple(int(i) for i in np.flatnonzero(~seen))


def _array(name: str, value, dims: tuple[int, ...], layout: str) -> np.ndarray:
    """``value`` as a numeric array with one of ``dims`` dimensions, else a one-sentence error."""
    try:
        a = np.asarray(value)
    except ValueError:
        a = np.asarray(value, dtype=object)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or a.ndim not in dims:
        shown = f"shape {a.shape}" if np.issubdtype(a.dtype, np.number) else f"{a.dtype} values"
        raise ConvArithmeticError(f"{name} has {shown}: {name} must be {layout} of numbers.")
    if a.size == 0:
        raise ConvArithmeticError(f"{name} has shape {a.shape}: {name} must not be empty.")
    return a


AXES = {1: ("L", "k"), 2: ("H, W", "kh, kw"), 3: ("D, H, W", "kd, kh, kw")}  # spatial and kernel axis names


def _inputs(x, w, groups, transposed: bool, n: int = 2) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """x as (C, *spatial), w as (O, C/g, *k), validated groups, and whether the caller gave plain arrays
    (no channel axes); ``n`` spatial axes."""
    space, taps = AXES[n]
    xa = _array("x", x, (n, n + 1), f"({space}) or (C, {space})")
    layout = f"(C_in, C_out/groups, {taps})" if transposed else f"(O, C/groups, {taps})"
    wa = _array("w", w, (n, n + 2), f"({taps}) or {layout}")
    plain = xa.ndim == n and wa.ndim == n
    x3 = xa[None] if xa.ndim == n else xa
    w4 = wa[None, None] if wa.ndim == n else wa
    g = as_int("groups", groups, 1, "a positive integer")
    c = x3.shape[0]
    if c % g:
        raise ConvArithmeticError(f"groups={g} does not divide the {c} input channels of x: use a divisor of {c}.")
    if transposed:
        if w4.shape[0] != c:
            raise ConvArithmeticError(
                f"w has shape {wa.shape} but x has {c} channels: a transposed-conv weight is {layout} with C_in = {c}."
            )
    else:
        if w4.shape[1] != c // g:
            raise ConvArithmeticError(
                f"w has shape {wa.shape} but x has {c} channels and groups={g}: w.shape[1] must be {c // g}."
            )
        if w4.shape[0] % g:
            raise ConvArithmeticError(
                f"w has {w4.shape[0]} output channels, not divisible by groups={g}: use a multiple of {g}."
            )
    return x3, w4, g, plain


def _bias(bias, filters: int) -> np.ndarray | None:
    """``bias`` as a (filters,) array, or None; a one-sentence error otherwise."""
    if bias is None:
        return None
    b = _array("bias", np.reshape(np.asarray(bias), -1) if np.ndim(bias) == 0 else bias, (1,), "(O,)")
    if b.shape[0] != filters:
        raise ConvArithmeticError(f"bias has {b.shape[0]} values but w has {filters} filters: give one bias per filter.")
    return b


def _with_bias(output: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``output`` (O, *out) plus one bias per filter."""
    return output if bias is None else output + bias.reshape(-1, *([1] * (output.ndim - 1)))


def _taps(n_out: int, k: int, stride: int, dilation: int) -> np.ndarray:
    """(n_out, k) indices: output position r's taps at r·stride + j·dilation."""
    return np.arange(n_out)[:, None] * stride + np.arange(k)[None, :] * dilation


def _correlate(padded: np.ndarray, w: np.ndarray, taps: tuple[np.ndarray, ...], groups: int):
    """(products, output) of any number of spatial axes: ``padded`` is (C, *spatial), ``w`` (O, C/g, *k) and
    ``taps[a]`` the (n_out, k) padded indices of axis a; products (O, C/g, *out, *k), output (O, *out)."""
    n = len(taps)
    outs, ks = tuple(t.shape[0] for t in taps), tuple(t.shape[1] for t in taps)
    index = []
    for a, t in enumerate(taps):  # axis a's taps broadcast over (*out, *k)
        shape = [1] * (2 * n)
        shape[a], shape[n + a] = t.shape
        index.append(t.reshape(shape))
    patches = padded[(slice(None), *index)]  # (C, *out, *k)
    c, o = padded.shape[0], w.shape[0]
    patches = patches.reshape(groups, 1, c // groups, *outs, *ks)
    weights = w.reshape(groups, o // groups, c // groups, *([1] * n), *ks)
    products = (patches * weights).reshape(o, c // groups, *outs, *ks)
    return products, products.sum(axis=(1, *range(2 + n, 2 + 2 * n)))


def _trace(x3, w4, pads, stride, dilation, groups, plain, bias=None) -> ConvTrace:
    """The conv trace for already validated arguments; x3 is (C, H, W), w4 is (O, C/g, kh, kw)."""
    top, bottom, left, right = pads
    padded = np.pad(x3, ((0, 0), (top, bottom), (left, right)))
    kh, kw = w4.shape[-2:]
    oh, ow = conv_output_size(x3.shape[1:], (kh, kw), stride, ((top, bottom), (left, right)), dilation)
    rows, cols = _taps(oh, kh, stride[0], dilation[0]), _taps(ow, kw, stride[1], dilation[1])
    products, output = _correlate(padded, w4, (rows, cols), groups)
    output = _with_bias(output, bias)
    if plain:
        x3, w4, padded, products, output = x3[0], w4[0, 0], padded[0], products[0, 0], output[0]
    return ConvTrace(x3, w4, padded, pads, stride, dilation, groups, products, output, rows, cols, bias)


def _conv_params(spatial: Pair, k: Pair, stride, padding, dilation) -> tuple[tuple[int, int, int, int], Pair, Pair]:
    """Validated (pads, stride, dilation) for an input of size ``spatial`` (torch's rules)."""
    conv_output_size(spatial, k, stride, padding, dilation)
    axes = axis_params(2, True, k, stride, padding, dilation, "torch")
    (top, bottom), (left, right) = (a.conv_pads(n) for a, n in zip(axes, spatial))
    return (top, bottom, left, right), (axes[0].stride, axes[1].stride), (axes[0].dilation, axes[1].dilation)


def conv2d_trace(x, w, stride=1, padding=0, dilation=1, groups=1, bias=None) -> ConvTrace:
    """Trace ``torch.nn.functional.conv2d(x, w, bias, stride=..., padding=..., dilation=..., groups=...)``.

    ``padding``: an int, (h, w), ((top, bottom), (left, right)), or "valid" / "same" / "full".

    >>> t = conv2d_trace(np.arange(16).reshape(4, 4), np.ones((3, 3), int), stride=2, padding=1)
    >>> t.output.tolist(), t.window(1, 0)[0].tolist(), t.uncovered_rows
    ([[10, 24], [51, 90]], [2, 3, 4], (5,))
    """
    x3, w4, g, plain = _inputs(x, w, groups, transposed=False)
    pads, s, d = _conv_params(x3.shape[1:], w4.shape[2:], stride, padding, dilation)
    return _trace(x3, w4, pads, s, d, g, plain, _bias(bias, w4.shape[0]))


def _nd_params(n: int, spatial, k, stride, padding, dilation) -> tuple[tuple[Pair, ...], tuple[int, ...], tuple[int, ...]]:
    """Validated (pads, stride, dilation) for ``n`` spatial axes (torch's rules; 'causal' as Keras' Conv1D)."""
    if isinstance(padding, str) and padding.lower() == "causal":
        if n != 1:
            raise ConvArithmeticError(f"{term('padding', 'causal')} exists only for 1-D convolutions: use 'valid' or "
                                      f"'same' for {n} axes.")
        d = axis_params(1, True, k, stride, 0, dilation, "torch")[0].dilation
        padding = ((d * (k[0] - 1), 0),)
    conv_output_size(spatial, k, stride, padding, dilation)
    axes = axis_params(n, True, k, stride, padding, dilation, "torch")
    pads = tuple(a.conv_pads(m) for a, m in zip(axes, spatial))
    return pads, tuple(a.stride for a in axes), tuple(a.dilation for a in axes)


def _conv_nd_trace(n: int, x, w, stride, padding, dilation, groups, bias) -> ConvNdTrace:
    x_c, w_c, g, plain = _inputs(x, w, groups, transposed=False, n=n)
    spatial, k = x_c.shape[1:], w_c.shape[2:]
    pads, s, d = _nd_params(n, spatial, k, stride, padding, dilation)
    padded = np.pad(x_c, ((0, 0), *pads))
    outs = conv_output_size(spatial, k, s, pads, d)
    taps = tuple(_taps(o, kk, ss, dd) for o, kk, ss, dd in zip(outs, k, s, d))
    b = _bias(bias, w_c.shape[0])
    products, output = _correlate(padded, w_c, taps, g)
    output = _with_bias(output, b)
    if plain:
        x_c, w_c, padded, products, output = x_c[0], w_c[0, 0], padded[0], products[0, 0], output[0]
    return ConvNdTrace(x_c, w_c, padded, pads, s, d, g, products, output, taps, b)


def conv1d_trace(x, w, stride=1, padding=0, dilation=1, groups=1, bias=None) -> ConvNdTrace:
    """Trace ``torch.nn.functional.conv1d``: x is (L,) or (C, L), w is (k,) or (O, C/groups, k).

    ``padding``: an int, a (before, after) pair, "valid", "same", "full", or "causal" (Keras' Conv1D: d(k − 1)
    zeros before the sequence, none after, so output t sees inputs up to t only).

    >>> t = conv1d_trace([1, 2, 3, 4], [1, 1], padding="causal")
    >>> t.output.tolist(), t.pads
    ([1, 3, 5, 7], ((1, 0),))
    """
    if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(isinstance(v, (int, np.integer))
                                                                       for v in padding):
        padding = (tuple(padding),)  # one axis: (before, after)
    return _conv_nd_trace(1, x, w, stride, padding, dilation, groups, bias)


def conv3d_trace(x, w, stride=1, padding=0, dilation=1, groups=1, bias=None) -> ConvNdTrace:
    """Trace ``torch.nn.functional.conv3d``: x is (D, H, W) or (C, D, H, W), w is (kd, kh, kw) or
    (O, C/groups, kd, kh, kw); stride, padding, dilation an int or one per axis.

    >>> conv3d_trace(np.ones((3, 3, 3)), np.ones((2, 2, 2)), stride=1).output.shape
    (2, 2, 2)
    """
    return _conv_nd_trace(3, x, w, stride, padding, dilation, groups, bias)


def _pad_or_crop(a: np.ndarray, before: int, after: int, axis: int) -> np.ndarray:
    """Crop ``-n`` cells where n < 0, zero-pad n cells where n > 0 (on one spatial axis)."""
    n = a.shape[axis]
    a = np.take(a, np.arange(max(-before, 0), n - max(-after, 0)), axis=axis)
    widths = [(0, 0)] * a.ndim
    widths[axis] = (max(before, 0), max(after, 0))
    return np.pad(a, widths)


def conv_transpose2d_trace(x, w, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> TransposedConvTrace:
    """Trace ``torch.nn.functional.conv_transpose2d`` as stamps (scatter) and as a direct convolution.

    The direct view: x with s − 1 zeros inserted between cells, a border of d(k − 1) − p zeros on each
    side plus output_padding more on the bottom/right, the kernel flipped (and its channel axes swapped),
    stride 1, the same dilation. Where d(k − 1) − p is negative there is no border: the zero-inserted
    input is cropped by p − d(k − 1) on that side instead (``direct.x`` is the cropped grid).

    >>> conv_transpose2d_trace([[0, 1], [2, 3]], [[0, 1], [2, 3]], padding=1).output.tolist()
    [[4]]
    """
    x3, w4, g, plain = _inputs(x, w, groups, transposed=True)
    spatial, k = x3.shape[1:], w4.shape[2:]
    size = transposed_output_size(spatial, k, stride, padding, dilation, output_padding)
    axes = axis_params(2, True, k, stride, padding, dilation, "torch", transposed=True)
    op = tuple(output_paddings(output_padding, spatial, True, axes))
    s = (axes[0].stride, axes[1].stride)
    p = (axes[0].padding, axes[1].padding)
    d = (axes[0].dilation, axes[1].dilation)
    c_in, c_out_g, kh, kw = w4.shape
    h, wd = spatial

    # Scatter: every input cell times the kernel, added into the canvas at r·s + tap·d.
    xg = x3.reshape(g, c_in // g, h, wd)
    wg = w4.reshape(g, c_in // g, c_out_g, kh, kw)
    stamps = np.einsum("gcrs,gcoij->gocrsij", xg, wg).reshape(g * c_out_g, c_in // g, h, wd, kh, kw)
    full_shape = transposed_output_size(spatial, k, s, 0, d, op)  # the canvas before the padding crops it
    full = np.zeros((g * c_out_g, *full_shape), dtype=stamps.dtype)
    rows, cols = _taps(h, kh, s[0], d[0]), _taps(wd, kw, s[1], d[1])
    np.add.at(full, (slice(None), rows[:, None, :, None], cols[None, :, None, :]), stamps.sum(axis=1))
    output = full[:, p[0]:p[0] + size[0], p[1]:p[1] + size[1]].copy()

    # Direct: zeros inserted, border d(k-1)-p (+ output_padding bottom/right), flipped kernel, stride 1.
    (h_in, top, bottom), (w_in, left, right) = (transposed_as_conv(n, a, o) for n, a, o in zip(spatial, axes, op))
    zero_inserted = np.zeros((c_in, h_in, w_in), dtype=x3.dtype)
    zero_inserted[:, :: s[0], :: s[1]] = x3
    is_inserted = np.ones(zero_inserted.shape[1:], dtype=bool)
    is_inserted[:: s[0], :: s[1]] = False
    for axis, (before, after) in enumerate(((top, bottom), (left, right))):
        zero_inserted = _pad_or_crop(zero_inserted, min(before, 0), min(after, 0), axis + 1)
        is_inserted = _pad_or_crop(is_inserted, min(before, 0), min(after, 0), axis)
    pads = (max(top, 0), max(bottom, 0), max(left, 0), max(right, 0))
    inserted = np.pad(is_inserted, ((pads[0], pads[1]), (pads[2], pads[3])))
    flipped = wg[..., ::-1, ::-1].transpose(0, 2, 1, 3, 4).reshape(g * c_out_g, c_in // g, kh, kw)
    direct = _trace(zero_inserted, flipped, pads, (1, 1), d, g, plain)

    if plain:
        x3, w4, stamps, full, output = x3[0], w4[0, 0], stamps[0, 0], full[0], output[0]
    return TransposedConvTrace(x3, w4, s, p, op, d, g, stamps, full, output, direct, inserted)


def conv_matrix(input_shape, w, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """The matrix C of the convolution: ``C @ x.ravel() == conv2d(x, w, ...).ravel()``.

    ``input_shape`` is (H, W) or (C, H, W); C is (outputs, inputs) in row-major order of the
    ``output`` and ``x`` arrays. ``C.T @ y.ravel()`` is the transposed convolution of y with the same
    w, stride, padding and dilation (and the output_padding that gives back ``input_shape``).

    >>> conv_matrix((3, 3), np.ones((2, 2), int)).shape
    (4, 9)
    """
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
    if len(shape) not in (2, 3) or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
                                       for n in shape):
        raise ConvArithmeticError(
            f"input_shape={input_shape!r} is not allowed: give (H, W) or (C, H, W) as positive integers."
        )
    probe = np.zeros((shape[0], 1, 1) if len(shape) == 3 else (1, 1))  # checks w's layout against C
    _, w4, g, _ = _inputs(probe, w, groups, transposed=False)
    c, h, wd = shape if len(shape) == 3 else (1, *shape)
    pads, s, d = _conv_params((h, wd), w4.shape[2:], stride, padding, dilation)
    o, cg, kh, kw = w4.shape
    oh, ow = conv_output_size((h, wd), (kh, kw), s, ((pads[0], pads[1]), (pads[2], pads[3])), d)
    # Every (output channel, out row, out col, in channel of the group, tap row, tap col) at once.
    oc, r, q, ci, i, j = np.ix_(np.arange(o), np.arange(oh), np.arange(ow), np.arange(cg), np.arange(kh), np.arange(kw))
    in_r = r * s[0] + i * d[0] - pads[0]
    in_c = q * s[1] + j * d[1] - pads[2]
    in_ch = (oc // (o // g)) * cg + ci
    shape6 = np.broadcast_shapes(in_r.shape, in_c.shape, in_ch.shape)
    inside = np.broadcast_to((in_r >= 0) & (in_r < h) & (in_c >= 0) & (in_c < wd), shape6)
    row = np.broadcast_to((oc * oh + r) * ow + q, shape6)[inside]
    col = np.broadcast_to((in_ch * h + in_r) * wd + in_c, shape6)[inside]
    val = np.broadcast_to(w4.reshape(o, 1, 1, cg, kh, kw), shape6)[inside]
    matrix = np.zeros((o * oh * ow, c * h * wd), dtype=w4.dtype)
    np.add.at(matrix, (row, col), val)
    return matrix
