"""Numeric traces of a convolution and a transposed convolution: every window, product, stamp and sum.

numpy in, numpy out (no torch); the results equal ``torch.nn.functional.conv2d`` /
``conv_transpose2d`` (cross-correlation, as every framework computes). Parameters are validated by
:mod:`convmath.arithmetic` with ``convention="torch"``, so a refusal is the same ``ConvArithmeticError``.

>>> t = conv_transpose2d_trace([[0, 1], [2, 3]], [[0, 1], [2, 3]])
>>> t.output.tolist()
[[0, 0, 1], [0, 4, 6], [4, 12, 9]]
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field

import numpy as np

from .arithmetic import (
    ConvArithmeticError,
    _output_paddings,
    axis_params,
    conv_output_size,
    transposed_output_size,
)

__all__ = ["ConvTrace", "TransposedConvTrace", "conv2d_trace", "conv_transpose2d_trace", "conv_matrix"]

Pair = tuple[int, int]


@dataclass(frozen=True, eq=False)
class ConvTrace:
    """A 2-D convolution, cell by cell.

    Shapes for a 2-D ``x`` and ``w``; with channels, ``x``/``padded`` gain a leading C axis, ``w`` is
    (O, C/groups, kh, kw), ``output`` gains a leading O axis and ``products`` the leading (O, C/groups).

    - ``padded`` (H + top + bottom, W + left + right): the zero-padded input; ``pads`` = (top, bottom, left, right).
    - ``products`` (oh, ow, kh, kw): the window's values times the kernel;
      ``output`` = ``products`` summed over the taps (and the input channels of the group).
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


def _groups(groups) -> int:
    if isinstance(groups, bool):
        raise ConvArithmeticError(f"groups={groups!r} is not allowed: groups must be a positive integer.")
    try:
        g = operator.index(groups)
    except TypeError:
        raise ConvArithmeticError(f"groups={groups!r} is not an integer: groups must be a positive integer.") from None
    if g < 1:
        raise ConvArithmeticError(f"groups={g} is not allowed: groups must be a positive integer.")
    return g


def _inputs(x, w, groups, transposed: bool) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """x as (C, H, W), w as 4-D, validated groups, and whether the caller gave plain 2-D arrays."""
    xa = _array("x", x, (2, 3), "(H, W) or (C, H, W)")
    layout = "(C_in, C_out/groups, kh, kw)" if transposed else "(O, C/groups, kh, kw)"
    wa = _array("w", w, (2, 4), f"(kh, kw) or {layout}")
    plain = xa.ndim == 2 and wa.ndim == 2
    x3 = xa[None] if xa.ndim == 2 else xa
    w4 = wa[None, None] if wa.ndim == 2 else wa
    g = _groups(groups)
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


def _taps(n_out: int, k: int, stride: int, dilation: int) -> np.ndarray:
    """(n_out, k) indices: output position r's taps at r·stride + j·dilation."""
    return np.arange(n_out)[:, None] * stride + np.arange(k)[None, :] * dilation


def _trace(x3, w4, pads, stride, dilation, groups, plain) -> ConvTrace:
    """The conv trace for already validated arguments; x3 is (C, H, W), w4 is (O, C/g, kh, kw)."""
    top, bottom, left, right = pads
    padded = np.pad(x3, ((0, 0), (top, bottom), (left, right)))
    kh, kw = w4.shape[-2:]
    oh = (padded.shape[1] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (padded.shape[2] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    rows, cols = _taps(oh, kh, stride[0], dilation[0]), _taps(ow, kw, stride[1], dilation[1])
    patches = padded[:, rows[:, None, :, None], cols[None, :, None, :]]  # (C, oh, ow, kh, kw)
    c, o = x3.shape[0], w4.shape[0]
    patches = patches.reshape(groups, c // groups, oh, ow, kh, kw)
    weights = w4.reshape(groups, o // groups, c // groups, kh, kw)
    products = np.einsum("gcrsij,gocij->gocrsij", patches, weights).reshape(o, c // groups, oh, ow, kh, kw)
    output = products.sum(axis=(1, 4, 5))
    if plain:
        x3, w4, padded, products, output = x3[0], w4[0, 0], padded[0], products[0, 0], output[0]
    return ConvTrace(x3, w4, padded, pads, stride, dilation, groups, products, output, rows, cols)


def _conv_params(spatial: Pair, k: Pair, stride, padding, dilation) -> tuple[tuple[int, int, int, int], Pair, Pair]:
    """Validated (pads, stride, dilation) for an input of size ``spatial`` (torch's rules)."""
    conv_output_size(spatial, k, stride, padding, dilation)
    axes = axis_params(2, True, k, stride, padding, dilation, "torch")
    (top, bottom), (left, right) = (a.conv_pads(n) for a, n in zip(axes, spatial))
    return (top, bottom, left, right), (axes[0].stride, axes[1].stride), (axes[0].dilation, axes[1].dilation)


def conv2d_trace(x, w, stride=1, padding=0, dilation=1, groups=1) -> ConvTrace:
    """Trace ``torch.nn.functional.conv2d(x, w, stride=..., padding=..., dilation=..., groups=...)``.

    ``padding``: an int, (h, w), ((top, bottom), (left, right)), or "valid" / "same" / "full".

    >>> t = conv2d_trace(np.arange(16).reshape(4, 4), np.ones((3, 3), int), stride=2, padding=1)
    >>> t.output.tolist(), t.window(1, 0)[0].tolist(), t.uncovered_rows
    ([[10, 24], [51, 90]], [2, 3, 4], (5,))
    """
    x3, w4, g, plain = _inputs(x, w, groups, transposed=False)
    pads, s, d = _conv_params(x3.shape[1:], w4.shape[2:], stride, padding, dilation)
    return _trace(x3, w4, pads, s, d, g, plain)


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
    op = tuple(_output_paddings(output_padding, spatial, True, axes))
    s = (axes[0].stride, axes[1].stride)
    p = (axes[0].padding, axes[1].padding)
    d = (axes[0].dilation, axes[1].dilation)
    c_in, c_out_g, kh, kw = w4.shape
    h, wd = spatial

    # Scatter: every input cell times the kernel, added into the canvas at r·s + tap·d.
    xg = x3.reshape(g, c_in // g, h, wd)
    wg = w4.reshape(g, c_in // g, c_out_g, kh, kw)
    stamps = np.einsum("gcrs,gcoij->gocrsij", xg, wg).reshape(g * c_out_g, c_in // g, h, wd, kh, kw)
    full_shape = tuple((n - 1) * si + di * (ki - 1) + 1 + a for n, si, di, ki, a in zip(spatial, s, d, k, op))
    full = np.zeros((g * c_out_g, *full_shape), dtype=stamps.dtype)
    rows, cols = _taps(h, kh, s[0], d[0]), _taps(wd, kw, s[1], d[1])
    np.add.at(full, (slice(None), rows[:, None, :, None], cols[None, :, None, :]), stamps.sum(axis=1))
    output = full[:, p[0]:p[0] + size[0], p[1]:p[1] + size[1]].copy()

    # Direct: zeros inserted, border d(k-1)-p (+ output_padding bottom/right), flipped kernel, stride 1.
    zero_inserted = np.zeros((c_in, (h - 1) * s[0] + 1, (wd - 1) * s[1] + 1), dtype=x3.dtype)
    zero_inserted[:, :: s[0], :: s[1]] = x3
    is_inserted = np.ones(zero_inserted.shape[1:], dtype=bool)
    is_inserted[:: s[0], :: s[1]] = False
    border = [di * (ki - 1) - pi for di, ki, pi in zip(d, k, p)]
    for axis in (0, 1):
        before, after = border[axis], border[axis] + op[axis]
        zero_inserted = _pad_or_crop(zero_inserted, min(before, 0), min(after, 0), axis + 1)
        is_inserted = _pad_or_crop(is_inserted, min(before, 0), min(after, 0), axis)
    pads = (max(border[0], 0), max(border[0] + op[0], 0), max(border[1], 0), max(border[1] + op[1], 0))
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
    oh = (h + pads[0] + pads[1] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (wd + pads[2] + pads[3] - d[1] * (kw - 1) - 1) // s[1] + 1
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


# --- text: the three views of a small transposed convolution (``convmath transpose --explain``) -------

EXPLAIN_LIMIT = 16  # the widest grid (rows or cols) the text views print
BORDER_MARK, INSERTED_MARK = "·", "∘"


def parse_grid(name: str, text: str) -> np.ndarray:
    """'[[0,1],[2,3]]' as a 2-D array of numbers, else a one-sentence error naming ``name``."""
    try:
        rows = json.loads(text)
        grid = np.array(rows)
    except ValueError:
        grid = None
    if grid is None or grid.ndim != 2 or grid.size == 0 or grid.dtype == bool or not np.issubdtype(grid.dtype, np.number):
        raise ConvArithmeticError(
            f"{name}={text!r} is not a rectangular grid of numbers: give rows like '[[0,1],[2,3]]'."
        )
    return grid


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)


def _block(title: str, a: np.ndarray, marks: dict[str, np.ndarray] | None = None) -> list[str]:
    """``title`` over the grid ``a``, right-aligned; cells where a mask in ``marks`` is True show its symbol."""
    cells = np.vectorize(_num, otypes=[str])(a)
    for symbol, mask in (marks or {}).items():
        cells[mask] = symbol
    width = max(len(c) for c in cells.ravel())
    return [title] + ["  ".join(c.rjust(width) for c in row) for row in cells]


def _beside(blocks: list[list[str]], gap: int = 5, width: int = 100) -> list[str]:
    """Blocks of lines side by side, wrapping to a new band when the line would pass ``width``."""
    bands, band, used = [], [], 0
    for b in blocks:
        w = max(len(line) for line in b)
        if band and used + gap + w > width:
            bands.append(band)
            band, used = [], 0
        band.append((b, w))
        used += w + (gap if used else 0)
    bands.append(band)
    lines = []
    for band in bands:
        height = max(len(b) for b, _ in band)
        for i in range(height):
            parts = [(b[i] if i < len(b) else "").ljust(w) for b, w in band]
            lines.append((" " * gap).join(parts).rstrip())
        lines.append("")
    return lines


def _per(value: Pair) -> str:
    return str(value[0]) if value[0] == value[1] else f"({value[0]}, {value[1]})"


def _border(n: int) -> str:
    return f"border {n}" if n >= 0 else f"crop {-n} (negative border)"


def _times(shape) -> str:
    return "×".join(str(n) for n in shape)


def _pairs(value, name: str) -> Pair:
    value = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(value) != 2:
        raise ConvArithmeticError(f"{name}={value} has {len(value)} axes: --explain draws 2-D grids, give 2.")
    return value


def _explain_width(i: int, a, op: int) -> int:
    """The longest side of the printed grids on one axis: the stamp canvas or the direct conv's padded input."""
    inserted = (i - 1) * a.stride + 1
    border = a.effective_kernel - 1 - a.padding
    return max(inserted + a.effective_kernel - 1 + op, inserted + max(border, 0) + max(border + op, 0))


def explain_transpose(size, kernel, stride=1, padding=0, output_padding=0, dilation=1, *,
                      x=None, w=None, seed: int = 0) -> tuple[str, dict]:
    """The transposed conv of a small 2-D grid three ways (scatter, direct conv, matrix), as text and data.

    ``x`` / ``w`` (2-D) give the values; without them, seeded random integers 0..3 of shape ``size`` /
    ``kernel``. Refuses grids wider than ``EXPLAIN_LIMIT`` (they would not fit a terminal).
    """
    size, kernel = _pairs(size, "size"), _pairs(kernel, "kernel")
    out = transposed_output_size(size, kernel, stride, padding, dilation, output_padding)
    for name, given, shape in (("input", x, size), ("kernel", w, kernel)):
        if given is not None and np.shape(given) != tuple(shape):
            raise ConvArithmeticError(
                f"{name} is {_times(np.shape(given))} but the size says {_times(shape)}: make them agree."
            )
    axes = axis_params(2, True, kernel, stride, padding, dilation, "torch", transposed=True)
    op = _output_paddings(output_padding, size, True, axes)
    widest = max(_explain_width(n, a, o) for n, a, o in zip(size, axes, op))
    if widest > EXPLAIN_LIMIT:
        raise ConvArithmeticError(
            f"input {_times(size)} with kernel {_times(kernel)} needs a {widest}-wide grid: --explain prints grids "
            f"up to {EXPLAIN_LIMIT} wide, use a smaller input, kernel, stride or dilation."
        )
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size) if x is None else np.asarray(x)
    w = rng.integers(0, 4, kernel) if w is None else np.asarray(w)
    t = conv_transpose2d_trace(x, w, stride, padding, output_padding, dilation)
    s, p, d, a = t.stride, t.padding, t.dilation, t.output_padding
    lines = [
        f"Three views of ConvTranspose2d(kernel {_times(kernel)}, stride {_per(s)}, padding {_per(p)}, "
        f"output_padding {_per(a)}, dilation {_per(d)}): input {_times(size)} -> output {_times(out)}",
        "",
        *_beside([_block(f"input x ({_times(size)})", t.x), _block(f"kernel w ({_times(kernel)})", t.w)]),
        f"1. Scatter: each input cell times the kernel, added in at (row·{s[0]}, col·{s[1]}); overlaps add up.",
        "",
    ]
    stamps = [_block(f"x[{r},{c}]={_num(t.x[r, c])} at {t.stamp_origin(r, c)}", t.stamps[r, c])
              for r in range(size[0]) for c in range(size[1])]
    lines += _beside(stamps)
    lines += _beside([_block(f"sum of stamps ({_times(t.full.shape)}, uncropped)", t.full),
                      _block(f"crop padding {_per(p)} from each side -> output ({_times(out)})", t.output)])

    dt = t.direct
    top, bottom, left, right = dt.pads
    border = [dd * (k - 1) - pp for dd, k, pp in zip(d, kernel, p)]
    how = "; ".join(
        f"{axis}: d(k−1)−p = {b}, so {_border(b)} at the {ends[0]} and {_border(b + o)} at the {ends[1]}"
        + (f" (+ output_padding {o})" if o else "")
        for axis, b, o, ends in (("rows", border[0], a[0], ("top", "bottom")), ("cols", border[1], a[1], ("left", "right"))))
    gaps = _per((s[0] - 1, s[1] - 1))
    lines += [
        f"2. Direct convolution: stride − 1 = {gaps} zero{'' if gaps == '1' else 's'} inserted between neighbouring "
        f"input cells ({INSERTED_MARK}), then a zero border ({BORDER_MARK}): {how}; kernel flipped; "
        f"stride 1, dilation {_per(d)}.",
        "",
    ]
    is_border = np.ones(dt.padded.shape, dtype=bool)
    is_border[top:dt.padded.shape[0] - bottom, left:dt.padded.shape[1] - right] = False
    lines += _beside([
        _block(f"padded input ({_times(dt.padded.shape)}; {INSERTED_MARK} {BORDER_MARK} are 0)", dt.padded, {INSERTED_MARK: t.inserted, BORDER_MARK: is_border}),
        _block(f"flipped kernel ({_times(kernel)})", dt.w),
        _block(f"conv, stride 1 -> output ({_times(dt.output.shape)})", dt.output),
    ])

    data = {
        "input": t.x.tolist(), "kernel": t.w.tolist(), "stride": list(s), "padding": list(p),
        "output_padding": list(a), "dilation": list(d), "output": t.output.tolist(),
        "scatter": {"stamps": t.stamps.tolist(), "origins": [[list(t.stamp_origin(r, c)) for c in range(size[1])]
                                                             for r in range(size[0])], "full": t.full.tolist()},
        "direct": {"padded": dt.padded.tolist(), "inserted": t.inserted.tolist(), "pads": list(dt.pads),
                   "kernel": dt.w.tolist(), "output": dt.output.tolist()},
    }
    views = [t.output, dt.output]
    if conv_output_size(out, kernel, stride, padding, dilation) == tuple(size):
        matrix = conv_matrix(out, w, stride, padding, dilation)
        back = (matrix.T @ t.x.ravel()).reshape(out)
        views.append(back)
        lines.append(
            f"3. Matrix: the conv with the same kernel, stride, padding and dilation maps a {_times(out)} grid v "
            f"to {_times(size)} as C·v (C is {_times(matrix.shape)}); the transposed conv is Cᵀ·x: "
            f"({_times(matrix.T.shape)}) · ({t.x.size} values of x) = {back.size} values -> {_times(out)}."
        )
        lines.append("")
        blocks = [_block(f"Cᵀ ({_times(matrix.T.shape)})", matrix.T)] if matrix.shape[0] <= EXPLAIN_LIMIT and matrix.shape[1] <= 36 else []
        lines += _beside(blocks + [_block(f"Cᵀ·x reshaped ({_times(out)})", back)])
        data["matrix"] = {"C_shape": list(matrix.shape), "CT_x": back.tolist()}
    else:
        lines += [f"3. Matrix: output_padding {_per(a)} reaches past stride {_per(s)}: no conv maps "
                  f"{_times(out)} back to {_times(size)}, so there is no C for this one.", ""]
        data["matrix"] = None
    same = all(np.array_equal(v, t.output) for v in views)
    lines.append(f"All {len(views)} views give the same {_times(out)} output: {'yes' if same else 'NO'}.")
    data["views_agree"] = same
    return "\n".join(lines), data
