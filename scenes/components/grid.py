"""A labelled grid of numbers: the input, kernel and output maps every scene draws."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from manim import DOWN, UP, DashedVMobject, Rectangle, Square, Text, VGroup

from ..theme import MIN_FONT_SIZE, Theme, current_theme

__all__ = ["NumberGrid", "format_number", "number_font_size", "readable_cell", "fit_cell_size", "MIN_READABLE", "MINUS"]

MIN_READABLE = 0.32  # the smallest cell side (Manim units) that shows its number

# Cell kinds: a real value, a padding cell (dashed, grey), an inserted zero (hollow), an empty cell.
KINDS = ("value", "pad", "zero", "empty")


MINUS = "\u2212"  # the true minus sign: as wide as a digit's plus, unlike the hyphen
FILL = 0.8  # the widest number of a grid takes at most this share of a cell's width


def format_number(value: float) -> str:
    """An int as an int, anything else with at most two decimals, negatives with a true minus ('0.5', '−1.25')."""
    if float(value).is_integer():
        text = str(int(value))
    else:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


@lru_cache(maxsize=512)
def _number_text(text: str, font: str, font_size: float, color: str) -> Text:
    """One Text per distinct number and style; grids copy it (copying is ~20× faster than typesetting)."""
    return Text(text, font=font, font_size=font_size, color=color)


def number_font_size(values: np.ndarray | Sequence[float], cell_size: float, font: str) -> float:
    """One font size for every number of a grid: 44 per unit of cell side, smaller (for all of them alike) when
    the widest number would not fit the cell."""
    base = round(44 * cell_size, 3)
    texts = sorted({format_number(v) for v in np.ravel(np.asarray(values, dtype=float))}, key=len, reverse=True)
    longest = [text for text in texts if len(text) >= len(texts[0]) - 1][:32] if texts else []  # the widest are
    widest = max((_number_text(text, font, base, "#000000").width for text in longest), default=0.0)  # among them
    return base if widest <= FILL * cell_size else round(base * FILL * cell_size / widest, 3)


def fit_cell_size(rows: int, cols: int, max_width: float, max_height: float, largest: float = 0.8) -> float:
    """The largest cell side (at most ``largest``) so a rows×cols grid fits the box."""
    return min(largest, max_width / max(cols, 1), max_height / max(rows, 1))


def readable_cell(values: np.ndarray | Sequence[float], font: str, font_size: float = MIN_FONT_SIZE) -> float:
    """The smallest cell side at which a grid of ``values`` shows its numbers at ``font_size`` or more (by default
    the readability floor)."""
    at_one = number_font_size(values, 1.0, font)  # the font size grows with the cell side
    return max(MIN_READABLE, font_size / at_one)


class NumberGrid(VGroup):
    """Cells with values, coloured by role, an optional label above.

    ``kinds`` marks cells as 'value', 'pad' (dashed padding), 'zero' (hollow inserted zero) or 'empty'.
    Numbers are hidden when cells get too small to read (or with ``show_numbers=False``); the layout stays.
    All numbers of a grid have one size (``font_size``, by default the largest at which the widest one fits).

    Example::

        grid = NumberGrid([[2, 1], [0, 3]], role="input", label="input 2×2")
        self.play(FadeIn(grid))
    """

    def __init__(
        self,
        values: Sequence[Sequence[float]] | np.ndarray,
        role: str = "input",
        label: str | None = None,
        cell_size: float = 0.6,
        kinds: np.ndarray | None = None,
        show_numbers: bool | None = None,
        hide_values: bool = False,
        theme: Theme | None = None,
        min_readable: float = MIN_READABLE,
        font_size: float | None = None,
    ):
        super().__init__()
        self.theme = theme or current_theme()
        self.values = np.asarray(values)
        if self.values.ndim != 2:
            raise ValueError(f"values must be 2-D, got shape {self.values.shape}.")
        self.rows, self.cols = self.values.shape
        self.kinds = np.full(self.values.shape, "value", dtype=object) if kinds is None else np.asarray(kinds)
        self.role = role
        self.cell_size = cell_size
        # One size for every number of the grid (``font_size`` shares one with the numbers of another); numbers
        # that would fall under the readability floor are not drawn.
        self.font_size = font_size or number_font_size(self.values[self.kinds != "empty"], cell_size,
                                                       self.theme.font)
        readable = cell_size >= min_readable and self.font_size >= MIN_FONT_SIZE
        self.show_numbers = readable if show_numbers is None else show_numbers
        color = self.theme.role_color(role)
        self.cells = VGroup()
        self.numbers: dict[tuple[int, int], Text] = {}
        self.number_group = VGroup()
        for r in range(self.rows):
            for c in range(self.cols):
                cell = self._make_cell(self.kinds[r, c], color)
                cell.move_to([c * cell_size, -r * cell_size, 0])
                self.cells.add(cell)
        self.add(self.cells)
        if self.show_numbers:
            for r in range(self.rows):
                for c in range(self.cols):
                    if self.kinds[r, c] == "empty":
                        continue
                    text = self._make_number(self.values[r, c], self.kinds[r, c])
                    text.move_to(self.cell(r, c))
                    self.numbers[(r, c)] = text
                    if not hide_values:
                        self.number_group.add(text)
            self.add(self.number_group)
        self.label: Text | None = None
        if label:
            self.label = Text(label, font=self.theme.font, color=self.theme.text,
                              font_size=max(22, min(30, 48 * cell_size)))
            self.label.next_to(self.cells, UP, buff=0.18)
            self.add(self.label)

    def _make_cell(self, kind: str, color: str):
        t, s = self.theme, self.cell_size
        if kind == "pad":
            return DashedVMobject(Square(s, stroke_color=t.padding, stroke_width=2), num_dashes=8)
        if kind == "zero":
            return Square(s, stroke_color=t.inserted, stroke_width=2, fill_opacity=0)
        if kind == "empty":
            return Square(s, stroke_color=t.muted, stroke_width=1, stroke_opacity=0.35, fill_opacity=0)
        return Square(s, stroke_color=color, stroke_width=2.5, fill_color=color, fill_opacity=t.cell_fill_opacity)

    def _make_number(self, value: float, kind: str) -> Text:
        faint = kind in ("pad", "zero")
        color = self.theme.muted if faint else self.theme.text
        return _number_text(format_number(value), self.theme.font, self.font_size, color).copy()

    def cell(self, r: int, c: int) -> Square:
        """The square at row ``r``, column ``c``."""
        return self.cells[r * self.cols + c]

    def number(self, r: int, c: int) -> Text | None:
        """The number drawn in cell (r, c), or None where numbers are hidden."""
        return self.numbers.get((r, c))

    def reveal(self, r: int, c: int) -> Text:
        """Add a hidden number to the grid and return it (to animate: ``Write(grid.reveal(r, c))``)."""
        text = self.numbers[(r, c)]
        if text not in self.number_group:
            # Hidden numbers are not drawn (not in the family): place one where the cell is now.
            cell = self.cell(r, c)
            text.scale(cell.width / self.cell_size).move_to(cell)
            self.number_group.add(text)
        return text

    def region(self, r0: int, c0: int, r1: int, c1: int, color: str | None = None, buff: float = 0.0) -> Rectangle:
        """A rectangle around rows r0..r1 and columns c0..c1 (inclusive)."""
        s = self.cell_size
        rect = Rectangle(width=(c1 - c0 + 1) * s + 2 * buff, height=(r1 - r0 + 1) * s + 2 * buff,
                         stroke_color=color or self.theme.highlight, stroke_width=5)
        top_left, bottom_right = self.cell(r0, c0).get_corner(UP + [-1, 0, 0]), self.cell(r1, c1).get_corner(DOWN + [1, 0, 0])
        rect.move_to((top_left + bottom_right) / 2)
        return rect

    def shown_values(self) -> np.ndarray:
        """The values whose numbers are on screen now (NaN where none is): what tests assert."""
        shown = np.full(self.values.shape, np.nan)
        visible = {id(m) for m in self.number_group}
        for (r, c), text in self.numbers.items():
            if id(text) in visible:
                shown[r, c] = self.values[r, c]
        return shown
