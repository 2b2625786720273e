"""Receptive fields through a stack of conv / pool layers, and projective fields through transposed convs.

Two views that agree (the tests also check both against torch autograd):

- the formula (Araujo et al., Distill 2019): jump j_l = j_{l−1}·s_l, size r_l = r_{l−1} + d_l(k_l − 1)·j_{l−1},
  start (centre of output cell 0, in input cells) u_l = u_{l−1} + (d_l(k_l − 1)/2 − p_l)·j_{l−1}; through a
  transposed conv the jump divides by the stride: j_l = j_{l−1}/s_l, u_l = u_{l−1} + (p_l − d_l(k_l − 1)/2)·j_{l−1}/s_l
  and the size varies from cell to cell (the checkerboard), so it is counted, not given by a formula;
- the exact cells: which cells of every layer one chosen cell depends on (receptive) or reaches (projective),
  by following the connections of each layer, with the border clipped and dilation holes left out.

>>> stack = [Layer("conv", 3, 2, 1), Layer("conv", 3, 2, 1)]
>>> [(row.size, int(row.jump), int(row.start), row.field) for row in receptive_table(stack, 8)]
[(8, 1, 0, 1), (4, 2, 0, 3), (2, 4, 0, 7)]
>>> receptive_field(stack, 8, 1).cells[0].astype(int).tolist()
[0, 1, 1, 1, 1, 1, 1, 1]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from .arithmetic import conv_output_size, transposed_output_size
from .pooling import pool_output_size
from .validate import ConvArithmeticError, as_int

__all__ = ["Layer", "KINDS", "TableRow", "Field", "receptive_table", "receptive_field", "projective_field",
           "layers_from_model"]

KINDS = ("conv", "pool", "transposed")
PerAxis = Any  # an int, or one int per axis


def _on_axis(value: PerAxis, axis: int) -> int:
    return value[axis] if isinstance(value, (tuple, list)) else value


@dataclass(frozen=True)
class Layer:
    """One layer of the stack, with torch's parameters (ints, or one per axis):
    ``Layer("conv", 3, stride=2, padding=1)``; ``kind`` is conv, pool (max or average) or transposed."""

    kind: str
    kernel: PerAxis
    stride: PerAxis = 1
    padding: PerAxis = 0
    dilation: PerAxis = 1
    output_padding: PerAxis = 0
    ceil_mode: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConvArithmeticError(f"kind={self.kind!r} is unknown: use one of {', '.join(KINDS)}.")

    def axis(self, a: int) -> "Layer":
        """The layer's parameters on spatial axis ``a`` (ints)."""
        return replace(self, **{f: _on_axis(getattr(self, f), a) for f in
                                ("kernel", "stride", "padding", "dilation", "output_padding")})

    def output_size(self, n: int) -> int:
        """The size after this layer on one axis (convmath's formulas; refusals as the real layer)."""
        if self.kind == "transposed":
            return transposed_output_size(n, self.kernel, self.stride, self.padding, self.dilation,
                                          self.output_padding)
        if self.kind == "pool":
            return pool_output_size(n, self.kernel, self.stride, self.padding, self.dilation, self.ceil_mode)
        return conv_output_size(n, self.kernel, self.stride, self.padding, self.dilation)

    def links(self, n: int) -> np.ndarray:
        """(n_out, n) booleans on one axis: output cell o reads input cell i. A conv / pool window at o covers
        o·s + j·d − p; a transposed conv's input cell i stamps onto i·s + j·d − p (j = 0 … k − 1)."""
        n_out = self.output_size(n)
        taps = np.arange(self.kernel) * self.dilation - self.padding
        m = np.zeros((n_out, n), dtype=bool)
        if self.kind == "transposed":
            inputs = np.repeat(np.arange(n), self.kernel)
            outputs = (inputs * self.stride + np.tile(taps, n))
        else:
            outputs = np.repeat(np.arange(n_out), self.kernel)
            inputs = outputs * self.stride + np.tile(taps, n_out)
        keep = (inputs >= 0) & (inputs < n) & (outputs >= 0) & (outputs < n_out)
        m[outputs[keep], inputs[keep]] = True
        return m

    def describe(self) -> str:
        """'conv k3 s2 p1' (per-axis values as 3×1) as a row label."""
        def text(value: PerAxis) -> str:
            values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
            return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))
        extra = f" d{text(self.dilation)}" if text(self.dilation) != "1" else ""
        return f"{self.kind} k{text(self.kernel)} s{text(self.stride)} p{text(self.padding)}{extra}"


@dataclass(frozen=True)
class TableRow:
    """Layer ``index`` (0 = the input) of the formula's table on one axis: its ``size`` (cells), the ``jump``
    between neighbouring cells' fields and the ``start`` (centre of cell 0's field), both in input cells, and
    the ``field`` size in input cells (None after a transposed conv, where it varies per cell)."""

    index: int
    layer: Layer | None
    size: int
    jump: Fraction
    start: Fraction
    field: int | None


def _axis_table(layers: Sequence[Layer], n: int, a: int) -> list[TableRow]:
    rows = [TableRow(0, None, n, Fraction(1), Fraction(0), 1)]
    for index, full in enumerate(layers, start=1):
        layer, prev = full.axis(a), rows[-1]
        span = layer.dilation * (layer.kernel - 1)
        if layer.kind == "transposed":
            jump = prev.jump / layer.stride
            start = prev.start + (layer.padding - Fraction(span, 2)) * prev.jump / layer.stride
            field = None
        else:
            jump = prev.jump * layer.stride
            start = prev.start + (Fraction(span, 2) - layer.padding) * prev.jump
            field = None if prev.field is None else prev.field + span * int(prev.jump)
        rows.append(TableRow(index, full, layer.output_size(prev.size), jump, start, field))
    return rows


def _sizes(input_size: PerAxis) -> tuple[tuple[int, ...], bool]:
    if isinstance(input_size, (tuple, list)):
        if len(input_size) not in (1, 2):
            raise ConvArithmeticError(f"input_size={tuple(input_size)!r} has {len(input_size)} axes: give 1 or 2.")
        return tuple(as_int("input_size", n, 1, "a positive integer") for n in input_size), True
    return (as_int("input_size", input_size, 1, "a positive integer"),), False


def receptive_table(layers: Sequence[Layer], input_size: PerAxis, axis: int = 0) -> list[TableRow]:
    """The formula's table on one axis, one row per layer (the input first): size, jump, start, field."""
    sizes, _ = _sizes(input_size)
    return _axis_table(list(layers), sizes[axis], axis)


@dataclass(frozen=True, eq=False)
class Field:
    """The cells of every layer (0 = input) that one chosen cell depends on or reaches: ``cells[l]`` is a
    boolean array of layer l's shape (1-D or 2-D); ``sizes[l]`` that shape."""

    layers: tuple[Layer, ...]
    sizes: tuple[tuple[int, ...], ...]
    cells: tuple[np.ndarray, ...]
    layer: int
    cell: tuple[int, ...]

    def extent(self, index: int) -> tuple[tuple[int, int], ...]:
        """Per axis, the (first, last) lit cell in layer ``index``."""
        mask = self.cells[index]
        return tuple((int(np.flatnonzero(line)[0]), int(np.flatnonzero(line)[-1]))
                     for line in (mask.any(axis=tuple(b for b in range(mask.ndim) if b != a))
                                  for a in range(mask.ndim)))


def _cells(cell: PerAxis, n_axes: int) -> tuple[int, ...]:
    cells = tuple(cell) if isinstance(cell, (tuple, list)) else (cell,) * n_axes
    if len(cells) != n_axes:
        raise ConvArithmeticError(f"cell={cell!r} has {len(cells)} entries: give one index per axis ({n_axes}).")
    return tuple(as_int("cell", c, 0, "a cell index (0, 1, 2, ...)") for c in cells)


def _axis_masks(layers: tuple[Layer, ...], n: int, a: int, target: int, where: int, forward: bool) -> list:
    """On axis ``a``: one boolean vector per layer, lit where cell ``where`` of layer ``target`` is linked."""
    links, size = [], n
    for full in layers:
        links.append(full.axis(a).links(size))
        size = links[-1].shape[0]
    shapes = [n] + [m.shape[0] for m in links]
    if where >= shapes[target]:
        raise ConvArithmeticError(f"cell={where} is outside layer {target} ({shapes[target]} cells on axis {a}): "
                                  f"use 0 to {shapes[target] - 1}.")
    masks = [np.zeros(s, dtype=bool) for s in shapes]
    masks[target][where] = True
    if forward:
        for l in range(target, len(layers)):
            masks[l + 1] = links[l][:, masks[l]].any(axis=1)
    else:
        for l in range(target, 0, -1):
            masks[l - 1] = links[l - 1][masks[l]].any(axis=0)
    return masks


def _walk(layers: Sequence[Layer], input_size: PerAxis, cell: PerAxis, layer: int | None, forward: bool) -> Field:
    layers = tuple(layers)
    sizes, _ = _sizes(input_size)
    target = (0 if forward else len(layers)) if layer is None else layer
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target <= len(layers):
        raise ConvArithmeticError(f"layer={layer!r} is not in the stack: use 0 to {len(layers)}.")
    where = _cells(cell, len(sizes))
    per_axis = [_axis_masks(layers, n, a, int(target), w, forward) for a, (n, w) in enumerate(zip(sizes, where))]
    cells = tuple(per_axis[0]) if len(sizes) == 1 else tuple(np.outer(r, c) for r, c in zip(*per_axis))
    return Field(layers, tuple(m.shape for m in cells), cells, int(target), where)


def receptive_field(layers: Sequence[Layer], input_size: PerAxis, cell: PerAxis, layer: int | None = None) -> Field:
    """The cells of every layer below that cell ``cell`` of layer ``layer`` (default: the last) depends on.

    ``input_size`` and ``cell`` are ints (1-D) or (H, W) / (row, col)."""
    return _walk(layers, input_size, cell, layer, forward=False)


def projective_field(layers: Sequence[Layer], input_size: PerAxis, cell: PerAxis, layer: int = 0) -> Field:
    """The cells of every layer above that cell ``cell`` of layer ``layer`` (default: the input) reaches."""
    return _walk(layers, input_size, cell, layer, forward=True)


_TORCH_KINDS = {"Conv1d": "conv", "Conv2d": "conv", "MaxPool1d": "pool", "MaxPool2d": "pool", "AvgPool1d": "pool",
                "AvgPool2d": "pool", "ConvTranspose1d": "transposed", "ConvTranspose2d": "transposed"}


def layers_from_model(model: Any) -> list[Layer]:
    """The conv, pool and transposed-conv layers of a torch module, in the order it registers them (a
    ``Sequential`` stack), with their parameters read off the modules (nothing typed by hand)."""
    layers = []
    for name, module in model.named_modules():
        kind = _TORCH_KINDS.get(type(module).__name__)
        if kind is None:
            continue
        get = lambda attr, default: getattr(module, attr, default)  # noqa: E731
        padding = get("padding", 0)
        if isinstance(padding, str):
            raise ConvArithmeticError(f"{name} has padding={padding!r}: give the layer numeric padding.")
        layers.append(Layer(kind, get("kernel_size", 1), get("stride", None) or get("kernel_size", 1), padding,
                            get("dilation", 1), get("output_padding", 0), bool(get("ceil_mode", False)), name))
    return layers
