"""The kernel window: the kh×kw taps outlined on a grid, with dilation holes as gaps."""

from __future__ import annotations

import numpy as np
from manim import Square, VGroup

from ..theme import Theme, current_theme
from .grid import NumberGrid

__all__ = ["KernelWindow"]


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, (int, np.integer)) else (int(value[0]), int(value[1]))


class KernelWindow(VGroup):
    """Outlines of the kernel taps, sized to ``grid``'s cells; taps are ``dilation`` cells apart.

    Example::

        window = KernelWindow(grid, 3, 3, dilation=2).move_to_cell(0, 0)
        self.play(window.animate.move_to(window.target_for(0, 1)))
    """

    def __init__(self, grid: NumberGrid, kh: int, kw: int, dilation: int | tuple[int, int] = 1,
                 theme: Theme | None = None):
        super().__init__()
        self.theme = theme or current_theme()
        self.grid = grid
        self.kh, self.kw = kh, kw
        self.dilation = _pair(dilation)
        dh, dw = self.dilation
        s = grid.cell_size
        color = self.theme.kernel
        self.taps = VGroup()
        for i in range(kh):
            for j in range(kw):
                tap = Square(0.92 * s, stroke_color=color, stroke_width=max(3.0, 9 * s),
                             fill_color=color, fill_opacity=0.12)
                tap.move_to([j * dw * s, -i * dh * s, 0])
                self.taps.add(tap)
        self.add(self.taps)

    def __deepcopy__(self, memo: dict) -> "KernelWindow":
        # Copies (``.animate``, Transform) share the grid instead of copying it.
        memo[id(self.grid)] = self.grid
        return super().__deepcopy__(memo)

    def tap(self, i: int, j: int) -> Square:
        """The outline of kernel tap (i, j)."""
        return self.taps[i * self.kw + j]

    def target_for(self, r: int, c: int) -> np.ndarray:
        """Where the window's centre goes so that its top-left tap sits on grid cell (r, c)."""
        return self.grid.cell(r, c).get_center() + (self.get_center() - self.tap(0, 0).get_center())

    def move_to_cell(self, r: int, c: int) -> "KernelWindow":
        """Place the top-left tap on grid cell (r, c) (no animation); returns self."""
        return self.move_to(self.target_for(r, c))
