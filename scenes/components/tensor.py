"""A C×H×W tensor as a stack of planes: a block in oblique projection, or fanned out so every channel reads."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Polygon, Rectangle, Text, VGroup

from ..theme import Theme, current_theme
from .grid import NumberGrid
from .padded import padded_grid
from .panels import ShapeBadge

__all__ = ["TensorStack"]

DEPTH_DIRECTION = np.array([0.8, 0.6, 0.0])  # each plane further back sits up and to the right


class TensorStack(VGroup):
    """``values`` (C, H, W) drawn as C planes, channel 0 in front.

    ``layout="oblique"``: the planes overlap, each one ``depth`` further back (up and to the right), with an
    opaque backing so only the front plane's numbers show: a block, as tensors are drawn in papers.
    ``layout="column"``: the planes one under another (``gap`` apart), each a full number grid with its
    channel name on the left: every number readable. ``pads`` = (top, bottom, left, right) draws a padded
    border dashed, as :func:`padded_grid`. Numbers drop when the cells get too small (the layout stays).

    Example::

        stack = TensorStack(np.arange(75).reshape(3, 5, 5), role="input", name="input")
        self.play(FadeIn(stack))            # stack.plane(2) is channel 2's NumberGrid
    """

    def __init__(self, values: Sequence | np.ndarray, role: str = "input", cell_size: float = 0.4,
                 layout: str = "oblique", name: str | None = None, pads: tuple[int, int, int, int] | None = None,
                 shape: tuple[int, ...] | None = None, depth: float | None = None, gap: float = 0.3,
                 show_numbers: bool | None = None, hide_values: bool = False, channel_names: Sequence[str] | None = None,
                 theme: Theme | None = None):
        super().__init__()
        self.theme = theme or current_theme()
        self.values = np.asarray(values)
        if self.values.ndim != 3:
            raise ValueError(f"values must be (C, H, W), got shape {self.values.shape}.")
        if layout not in ("oblique", "column"):
            raise ValueError(f"layout={layout!r} is unknown: use 'oblique' or 'column'.")
        self.role, self.layout, self.cell_size = role, layout, cell_size
        self.shape = tuple(shape) if shape is not None else self.values.shape
        c = self.values.shape[0]
        # In a block only the front plane's numbers could be read: the planes behind carry none.
        numbers = [show_numbers if layout == "column" or i == 0 else False for i in range(c)]
        self.planes = VGroup(*(self._plane(self.values[i], pads, numbers[i], hide_values) for i in range(c)))
        self.channel_labels = VGroup()
        if layout == "oblique":
            self._stack_oblique(depth)
        else:
            self._stack_column(gap, channel_names)
        self.badge = ShapeBadge(self.shape, role=role, theme=self.theme, font_size=24)
        parts = [Text(name, font=self.theme.font, color=self.theme.text, font_size=26)] if name else []
        self.label = VGroup(*parts, self.badge).arrange(RIGHT, buff=0.15)
        self.label.next_to(VGroup(self.planes, self.channel_labels), UP, buff=0.2)
        self.add(self.label)

    def _plane(self, values: np.ndarray, pads, show_numbers, hide_values) -> NumberGrid:
        if pads is not None:
            grid = padded_grid(values, pads, role=self.role, cell_size=self.cell_size, show_numbers=show_numbers,
                               theme=self.theme)
        else:
            grid = NumberGrid(values, role=self.role, cell_size=self.cell_size, show_numbers=show_numbers,
                              hide_values=hide_values, theme=self.theme)
        if self.layout == "oblique":  # an opaque sheet under the cells hides the planes behind
            sheet = Rectangle(width=grid.cells.width, height=grid.cells.height, stroke_width=0,
                              fill_color=self.theme.background, fill_opacity=1).move_to(grid.cells)
            grid.add_to_back(sheet)
        return grid

    def _stack_oblique(self, depth: float | None) -> None:
        c = len(self.planes)
        front = self.planes[0].cells
        if depth is None:  # the whole depth about half the plane's width, a plane at least 1/3 cell apart
            depth = max(self.cell_size / 3, min(0.7 * self.cell_size, 0.5 * front.width / max(c - 1, 1)))
        self.depth = depth
        for i, plane in enumerate(self.planes):
            plane.shift(DEPTH_DIRECTION * depth * i)
        # The back plane is drawn first: submobjects in reverse channel order.
        self.add(*reversed(self.planes.submobjects))
        if c > 1:
            self.add_to_back(self._sides(depth * (c - 1)))

    def _sides(self, total: float) -> VGroup:
        """The block's top and right faces joining the front plane to the back one (thin outlines)."""
        front = self.planes[0].cells
        ul, ur, dr = front.get_corner(UP + LEFT), front.get_corner(UP + RIGHT), front.get_corner(DOWN + RIGHT)
        back = DEPTH_DIRECTION * total
        style = {"stroke_color": self.theme.role_color(self.role), "stroke_width": 1.5, "stroke_opacity": 0.6,
                 "fill_color": self.theme.role_color(self.role), "fill_opacity": 0.06}
        return VGroup(Polygon(ul, ur, ur + back, ul + back, **style), Polygon(ur, dr, dr + back, ur + back, **style))

    def _stack_column(self, gap: float, names: Sequence[str] | None) -> None:
        self.planes.arrange(DOWN, buff=gap)
        self.add(self.planes)
        if names is None:
            names = [f"ch {i}" for i in range(len(self.planes))]
        for plane, text in zip(self.planes, names):
            label = Text(text, font=self.theme.font, color=self.theme.muted, font_size=20)
            self.channel_labels.add(label.next_to(plane.cells, LEFT, buff=0.12))
        self.add(self.channel_labels)

    def plane(self, c: int) -> NumberGrid:
        """Channel ``c``'s grid."""
        return self.planes[c]

    def cell(self, c: int, r: int, col: int):
        """The square of channel ``c`` at row ``r``, column ``col``."""
        return self.planes[c].cell(r, col)
