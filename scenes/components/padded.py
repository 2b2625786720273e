"""The padded input of a convolution as a grid: padding cells dashed, inserted zeros hollow."""

from __future__ import annotations

import numpy as np

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
    return NumberGrid(padded, role=role, label=label, cell_size=cell_size, kinds=kinds,
                      show_numbers=show_numbers, theme=theme)
