"""The padded input of a convolution as a grid: padding cells dashed, inserted zeros hollow."""

from __future__ import annotations

import numpy as np
from manim import DashedVMobject, VMobject

from ..theme import Theme
from .grid import NumberGrid

__all__ = ["padded_grid"]


def padded_grid(
    padded: np.ndarray,
    pads: tuple[int, int, int, int],
    inserted: np.ndarray | None = None,
    role: str = "input",
    label: str | None = None,
    cell_size: float = 0.6,
    show_numbers: bool | None = None,
    theme: Theme | None = None,
) -> NumberGrid:
    """A NumberGrid of ``padded`` whose border ``pads`` = (top, bottom, left, right) is drawn as padding.

    ``inserted`` (same shape, bool) marks zeros inserted between input cells (a transposed conv's direct
    view); they are drawn hollow. Typically fed from a ``ConvTrace``::

        t = conv2d_trace(x, w, stride=2, padding=1)
        grid = padded_grid(t.padded, t.pads, label="input 5×5, padding 1")
    """
    padded = np.asarray(padded)
    rows, cols = padded.shape
    top, bottom, left, right = pads
    kinds = np.full(padded.shape, "pad", dtype=object)
    kinds[top:rows - bottom, left:cols - right] = "value"
    if inserted is not None:
        kinds[np.asarray(inserted, dtype=bool)] = "zero"
    grid = NumberGrid(padded, role=role, label=label, cell_size=cell_size, kinds=kinds,
                      show_numbers=show_numbers, theme=theme)
    for i, cell in enumerate(grid.cells.submobjects):
        if isinstance(cell, DashedVMobject):
            grid.cells.submobjects[i] = _one_path(cell)
    return grid


def _one_path(dashed: DashedVMobject) -> VMobject:
    """The dashes of a padding cell as one VMobject with a subpath per dash: drawn the same, but one mobject
    to interpolate and stroke per frame instead of eight (a padded grid has dozens of these cells)."""
    merged = VMobject()
    for dash in dashed.submobjects:
        merged.append_vectorized_mobject(dash)
    dash = dashed.submobjects[0]
    merged.set_stroke(dash.get_stroke_color(), dash.get_stroke_width(), dash.get_stroke_opacity())
    merged.set_fill(opacity=0)
    return merged
