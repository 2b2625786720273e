"""Text views for the terminal: the three views of a small transposed convolution (``convmath transpose --explain``)
and the output-size ambiguity in both frameworks (``convmath ambiguity``).

>>> text, data = explain_transpose((2, 2), (2, 2), x=[[0, 1], [2, 3]], w=[[0, 1], [2, 3]])
>>> data["output"]
[[0, 0, 1], [0, 4, 6], [4, 12, 9]]
>>> from convmath.ambiguity import output_ambiguity
>>> print(ambiguity_text(output_ambiguity(3, 3, stride=2, padding=1)))  # doctest: +ELLIPSIS
2 input sizes give output 3: 5, 6
  input 5: output_padding=0
  input 6: output_padding=1
<BLANKLINE>
PyTorch:
  nn.ConvTranspose1d(C_in, C_out, kernel_size=3, stride=2, padding=1)  # (N, C_in, 3) -> (N, C_out, 5)
...
Keras (padding='same', transposed padding='same'): the same input sizes and output_padding; output_padding=None infers 6.
"""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np

from .ambiguity import AxisAmbiguity, FrameworkAmbiguity, OutputAmbiguity
from .arithmetic import (AxisParams, axis_params, conv_output_size, output_paddings, transposed_as_conv,
                         transposed_output_size)
from .trace import TransposedConvTrace, conv_matrix, conv_transpose2d_trace
from .validate import ConvArithmeticError, term

__all__ = ["EXPLAIN_LIMIT", "parse_grid", "explain_transpose", "ambiguity_text"]

Pair = tuple[int, int]

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
            f"{term(name, text)} is not a rectangular grid of numbers: give rows like '[[0,1],[2,3]]'."
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
        raise ConvArithmeticError(f"{term(name, value)} has {len(value)} axes: --explain draws 2-D grids, give 2.")
    return value


def _explain_width(i: int, a: AxisParams, op: int) -> int:
    """The longest side of the printed grids on one axis: the stamp canvas or the direct conv's padded input."""
    inserted, before, after = transposed_as_conv(i, a, op)
    canvas = transposed_output_size(i, a.kernel, a.stride, 0, a.dilation, op)  # the stamps before the crop
    return max(canvas, inserted + max(before, 0) + max(after, 0))


def _explain_inputs(size, kernel, stride, padding, output_padding, dilation, x, w) -> tuple:
    """Validated (size, kernel, output size, axes) for --explain; refuses grids wider than ``EXPLAIN_LIMIT``."""
    size, kernel = _pairs(size, "size"), _pairs(kernel, "kernel")
    out = transposed_output_size(size, kernel, stride, padding, dilation, output_padding)
    for name, given, shape in (("input", x, size), ("kernel", w, kernel)):
        if given is not None and np.shape(given) != tuple(shape):
            raise ConvArithmeticError(
                f"{term(name)} is {_times(np.shape(given))} but the size says {_times(shape)}: make them agree."
            )
    axes = axis_params(2, True, kernel, stride, padding, dilation, "torch", transposed=True)
    op = output_paddings(output_padding, size, True, axes)
    widest = max(_explain_width(n, a, o) for n, a, o in zip(size, axes, op))
    if widest > EXPLAIN_LIMIT:
        raise ConvArithmeticError(
            f"input {_times(size)} with kernel {_times(kernel)} needs a {widest}-wide grid: --explain prints grids "
            f"up to {EXPLAIN_LIMIT} wide, use a smaller input, kernel, stride or dilation."
        )
    return size, kernel, out, axes


def _scatter_view(t: TransposedConvTrace, out) -> list[str]:
    """View 1: every input cell times the kernel, placed by the stride, summed, then cropped by the padding."""
    s, p = t.stride, t.padding
    h, w = t.x.shape
    lines = [f"1. Scatter: each input cell times the kernel, added in at (row·{s[0]}, col·{s[1]}); overlaps add up.",
             ""]
    stamps = [_block(f"x[{r},{c}]={_num(t.x[r, c])} at {t.stamp_origin(r, c)}", t.stamps[r, c])
              for r in range(h) for c in range(w)]
    lines += _beside(stamps)
    lines += _beside([_block(f"sum of stamps ({_times(t.full.shape)}, uncropped)", t.full),
                      _block(f"crop padding {_per(p)} from each side -> output ({_times(out)})", t.output)])
    return lines


def _direct_view(t: TransposedConvTrace, axes: list[AxisParams]) -> list[str]:
    """View 2: zeros inserted between the input cells, a border, the flipped kernel, stride 1."""
    dt, s, d, a = t.direct, t.stride, t.dilation, t.output_padding
    top, bottom, left, right = dt.pads
    borders = [transposed_as_conv(n, ax, o)[1] for n, ax, o in zip(t.x.shape, axes, a)]
    how = "; ".join(
        f"{axis}: d(k−1)−p = {b}, so {_border(b)} at the {ends[0]} and {_border(b + o)} at the {ends[1]}"
        + (f" (+ output_padding {o})" if o else "")
        for axis, b, o, ends in (("rows", borders[0], a[0], ("top", "bottom")),
                                 ("cols", borders[1], a[1], ("left", "right"))))
    gaps = _per((s[0] - 1, s[1] - 1))
    lines = [
        f"2. Direct convolution: stride − 1 = {gaps} zero{'' if gaps == '1' else 's'} inserted between neighbouring "
        f"input cells ({INSERTED_MARK}), then a zero border ({BORDER_MARK}): {how}; kernel flipped; "
        f"stride 1, dilation {_per(d)}.",
        "",
    ]
    is_border = np.ones(dt.padded.shape, dtype=bool)
    is_border[top:dt.padded.shape[0] - bottom, left:dt.padded.shape[1] - right] = False
    marks = {INSERTED_MARK: t.inserted, BORDER_MARK: is_border}
    lines += _beside([
        _block(f"padded input ({_times(dt.padded.shape)}; {INSERTED_MARK} {BORDER_MARK} are 0)", dt.padded, marks),
        _block(f"flipped kernel ({_times(t.w.shape)})", dt.w),
        _block(f"conv, stride 1 -> output ({_times(dt.output.shape)})", dt.output),
    ])
    return lines


def _matrix_view(t: TransposedConvTrace, out) -> tuple[list[str], np.ndarray | None, dict | None]:
    """View 3: the transposed conv as Cᵀ·x, when a conv with the same parameters maps the output back."""
    size, s, a = t.x.shape, t.stride, t.output_padding
    if conv_output_size(out, t.w.shape, t.stride, t.padding, t.dilation) != tuple(size):
        return [f"3. Matrix: output_padding {_per(a)} reaches past stride {_per(s)}: no conv maps "
                f"{_times(out)} back to {_times(size)}, so there is no C for this one.", ""], None, None
    matrix = conv_matrix(out, t.w, t.stride, t.padding, t.dilation)
    back = (matrix.T @ t.x.ravel()).reshape(out)
    lines = [
        f"3. Matrix: the conv with the same kernel, stride, padding and dilation maps a {_times(out)} grid v "
        f"to {_times(size)} as C·v (C is {_times(matrix.shape)}); the transposed conv is Cᵀ·x: "
        f"({_times(matrix.T.shape)}) · ({t.x.size} values of x) = {back.size} values -> {_times(out)}.",
        "",
    ]
    small = matrix.shape[0] <= EXPLAIN_LIMIT and matrix.shape[1] <= 36
    blocks = [_block(f"Cᵀ ({_times(matrix.T.shape)})", matrix.T)] if small else []
    lines += _beside(blocks + [_block(f"Cᵀ·x reshaped ({_times(out)})", back)])
    return lines, back, {"C_shape": list(matrix.shape), "CT_x": back.tolist()}


def _explain_data(t: TransposedConvTrace) -> dict:
    h, w = t.x.shape
    dt = t.direct
    return {
        "input": t.x.tolist(), "kernel": t.w.tolist(), "stride": list(t.stride), "padding": list(t.padding),
        "output_padding": list(t.output_padding), "dilation": list(t.dilation), "output": t.output.tolist(),
        "scatter": {"stamps": t.stamps.tolist(), "origins": [[list(t.stamp_origin(r, c)) for c in range(w)]
                                                             for r in range(h)], "full": t.full.tolist()},
        "direct": {"padded": dt.padded.tolist(), "inserted": t.inserted.tolist(), "pads": list(dt.pads),
                   "kernel": dt.w.tolist(), "output": dt.output.tolist()},
    }


def explain_transpose(size, kernel, stride=1, padding=0, output_padding=0, dilation=1, *,
                      x=None, w=None, seed: int = 0) -> tuple[str, dict]:
    """The transposed conv of a small 2-D grid three ways (scatter, direct conv, matrix), as text and data.

    ``x`` / ``w`` (2-D) give the values; without them, seeded random integers 0..3 of shape ``size`` /
    ``kernel``. Refuses grids wider than ``EXPLAIN_LIMIT`` (they would not fit a terminal).
    """
    size, kernel, out, axes = _explain_inputs(size, kernel, stride, padding, output_padding, dilation, x, w)
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
        *_scatter_view(t, out),
        *_direct_view(t, axes),
    ]
    matrix_lines, back, matrix_data = _matrix_view(t, out)
    lines += matrix_lines
    data = _explain_data(t)
    data["matrix"] = matrix_data
    views = [t.output, t.direct.output] + ([back] if back is not None else [])
    same = all(np.array_equal(v, t.output) for v in views)
    lines.append(f"All {len(views)} views give the same {_times(out)} output: {'yes' if same else 'NO'}.")
    data["views_agree"] = same
    return "\n".join(lines), data


def _where(axes: Sequence[AxisAmbiguity], unique: Sequence[AxisAmbiguity], a: int) -> str:
    """'' for one axis, 'every axis: ' when all agree, else 'axis a: '."""
    return "" if len(axes) == 1 else "every axis: " if len(unique) == 1 else f"axis {a}: "


def _axis_lines(view: FrameworkAmbiguity) -> list[str]:
    """Per axis: the input sizes that give the output, and the output_padding that gives each back."""
    layer = f"Conv{len(view.axes)}DTranspose" if view.convention == "keras" else f"ConvTranspose{len(view.axes)}d"
    unique = [view.axes[0]] if all(ax == view.axes[0] for ax in view.axes) else list(view.axes)
    lines = []
    for a, ax in enumerate(unique):
        where = _where(view.axes, unique, a)
        if not ax.inputs:
            lines.append(f"{where}no input size gives output {ax.output}.")
            continue
        count = f"{len(ax.inputs)} input sizes give" if len(ax.inputs) > 1 else "1 input size gives"
        lines.append(f"{where}{count} output {ax.output}: {', '.join(str(i) for i in ax.inputs)}")
        for row in ax.transposed:
            if row.output_padding is None:
                lines.append(f"  input {row.input}: no {layer} gives it back: {row.refusal}")
            else:
                lines.append(f"  input {row.input}: output_padding={row.output_padding}")
        if ax.inferred is not None:
            lines.append(f"  Keras output_padding=None infers {ax.inferred}")
    return lines


def _distinct(values) -> str:
    return ", ".join(dict.fromkeys(repr(v) for v in values))


def ambiguity_text(a: OutputAmbiguity) -> str:
    """``convmath ambiguity``: the input sizes per axis, the complete transposed layers of both frameworks
    (each with the shape it gives), and whether the other framework has a padding that means the same."""
    given, other = a.given, a.other
    lines = _axis_lines(given)
    if given.layers:
        lines.append("")
    for view in (given, other):
        if view.layers:
            lines += [f"{view.name}:", *(f"  {line}" for line in view.layers)]
    if other.padding is None:
        lines += ["", f"{other.name}: {other.refusal}"]
        return "\n".join(lines)
    transposed = _distinct(ax.transposed_padding for ax in other.axes)
    line = (f"{other.name} (padding={other.padding!r}, transposed padding={transposed}): "
            "the same input sizes and output_padding")
    if other.convention == "keras":
        line += f"; output_padding=None infers {_distinct(ax.inferred for ax in other.axes)}"
    return "\n".join(lines + ["", line + "."])
