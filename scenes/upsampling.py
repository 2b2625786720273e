"""Going up in resolution, part two: the checkerboard of a transposed conv, and the other ways up.

Every count, value and size comes from convmath.resample (the scenes draw, they do not compute).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, Group, Text, Transform, VGroup, config

from convmath import stamp_cells, stamp_counts
from convmath.resample import Checkerboard, checkerboard

from .base import ConvvizScene
from .components import Caption, DigitImage, NumberGrid, fit_cell_size, shape_text
from .params import Param

__all__ = ["CheckerboardArtifacts", "title_text", "row_grid"]

SMALL = "the counts stay readable up to about 22 cells across"


def title_text(text: str, theme) -> Text:
    """The scene title, top of the frame."""
    return Text(text, font=theme.font, color=theme.text, font_size=34).to_edge(UP, buff=0.3)


def row_grid(values, role: str, cell: float, theme, label: str | None = None, kinds=None) -> NumberGrid:
    """A one-row number grid (a 1-D array drawn as cells)."""
    return NumberGrid(np.asarray(values)[None, :], role=role, label=label, cell_size=cell, theme=theme, kinds=kinds)


class CheckerboardArtifacts(ConvvizScene):
    """How many kernel stamps of a transposed conv land on each output cell: uneven when the kernel is not a
    multiple of the stride (1, 1, 2, 1, 2 … in 1-D; 1, 2 and 4 in 2-D), even inside when it is; a real
    ConvTranspose2d on a constant image shows the pattern, the resize-convolution beside it does not."""

    PARAMS = (
        Param("size", "int", 4, "input size n (an n×n image of ones)", low=2, high=6, reason=SMALL),
        Param("kernel", "int", 3, "kernel size k", low=1, high=5, reason=SMALL),
        Param("stride", "int", 2, "stride s: spacing of the stamps", low=1, high=3, reason=SMALL),
        Param("padding", "int", 0, "padding p: cells cropped from each border", low=0, high=2,
              reason="a small crop keeps the pattern visible"),
        Param("output_padding", "int", 0, "extra cells on the bottom/right (smaller than the stride)", low=0,
              high=2, reason="below the largest stride"),
        Param("seed", "int", 0, "seed of the random weights of the real layer", low=0, high=9999,
              reason="any seed draws the same pattern"),
    )
    PRESETS = {
        "k3_s2": {"kernel": 3, "stride": 2},
        "k4_s2": {"kernel": 4, "stride": 2, "padding": 1},
        "resize_conv": {"kernel": 3, "stride": 2, "padding": 1, "output_padding": 1},
    }
    SUMMARY = "checkerboard: overlap counts of transposed-conv stamps, a real layer's pattern, resize-convolution"

    @classmethod
    def board(cls, params: Mapping[str, Any]) -> Checkerboard:
        p = params
        return checkerboard(p["size"], p["kernel"], p["stride"], p["padding"], p["output_padding"], p["seed"])

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        cls.board(params)

    def construct(self) -> None:
        board = self.board(self.params)
        self.add(title_text("Why transposed convolutions draw checkerboards", self.theme))
        self.one_dimension()
        counts_grid = self.two_dimensions(board)
        image = self.real_layer(board, counts_grid)
        self.resize_convolution(board, counts_grid, image)

    def _layer_text(self) -> str:
        p = self.params
        extra = "".join(f", {k.replace('_', ' ')} {p[k]}" for k in ("padding", "output_padding") if p[k])
        return f"kernel {p['kernel']}, stride {p['stride']}{extra}"

    def one_dimension(self) -> None:
        """1-D: each input cell's stamp covers k output cells; the counts add up underneath."""
        t, p = self.theme, self.params
        self.beat("one dimension")
        n = p["size"]
        cells = stamp_cells(n, p["kernel"], p["stride"], p["padding"], p["output_padding"])
        counts = stamp_counts(n, p["kernel"], p["stride"], p["padding"], p["output_padding"])
        width = len(counts)
        cell = fit_cell_size(n + 3, width + n + 1, config.frame_width - 2.0, 4.6, largest=0.6)
        source = row_grid(np.ones(n, dtype=int), "input", cell, t, label=f"input {n}")
        out = row_grid(counts, "output", cell, t, label=f"stamps per output cell ({width})")
        stamps = VGroup(*(row_grid(np.ones(len(c), dtype=int), "kernel", cell, t) for c in cells))
        ruler = row_grid(np.zeros(width, dtype=int), "output", cell, t, kinds=np.full((1, width), "empty"))
        column = VGroup(ruler, out).arrange(DOWN, buff=0.25 + n * cell * 1.05)
        VGroup(source, column).arrange(RIGHT, buff=0.8, aligned_edge=UP).move_to(DOWN * 0.2)
        for i, (stamp, where) in enumerate(zip(stamps, cells)):
            if len(where):
                stamp.move_to(ruler.cell(0, int(where[0])), aligned_edge=LEFT).shift(DOWN * (i + 1) * cell * 1.05)
        caption = Caption(f"{self._layer_text()}: each input cell adds a stamp of {p['kernel']} ones.", theme=t)
        self.play(FadeIn(source), FadeIn(ruler), FadeIn(caption), run_time=0.8)
        for i, stamp in enumerate(stamps):
            mark = source.region(0, i, 0, i)
            self.play(Create(mark), FadeIn(stamp, shift=DOWN * 0.2), run_time=0.35)
            self.remove(mark)
        self.play(FadeIn(out), Transform(caption, Caption(self._counts_caption(counts), theme=t)), run_time=1)
        self.shown.update(counts_1d=counts, stamps_1d=[c.tolist() for c in cells])
        self.wait(2)
        self.play(*(FadeOut(m) for m in (source, ruler, stamps, out, caption)), run_time=0.6)

    def _counts_caption(self, counts: np.ndarray) -> str:
        shown = ", ".join(str(int(c)) for c in counts[:7]) + (", …" if len(counts) > 7 else "")
        k, s = self.params["kernel"], self.params["stride"]
        if k % s:
            return f"Overlaps {shown}: kernel {k} is not a multiple of stride {s}, uneven."
        return f"Overlaps {shown}: kernel {k} is a multiple of stride {s}, even inside the border."

    def two_dimensions(self, board: Checkerboard) -> NumberGrid:
        """2-D: the counts multiply, row count times column count."""
        t = self.theme
        self.beat("two dimensions")
        rows, cols = board.counts.shape
        cell = fit_cell_size(rows + 1, cols, 4.4, 5.0, largest=0.55)
        grid = NumberGrid(board.counts, role="output", cell_size=cell, theme=t,
                          label=f"stamps per cell {shape_text(board.counts.shape)}")
        grid.move_to(LEFT * 4.3 + DOWN * 0.25)
        levels = ", ".join(str(v) for v in board.count_levels)
        caption = Caption(f"In 2-D the counts multiply: cells of {levels} stamps.", theme=t)
        self.play(FadeIn(grid), FadeIn(caption), run_time=1)
        self.shown.update(counts_2d=board.counts, count_levels=board.count_levels)
        self.wait(2)
        self.remove(caption)
        return grid

    def real_layer(self, board: Checkerboard, counts_grid: NumberGrid) -> DigitImage:
        """A real ConvTranspose2d with random weights on a constant image: the counts show through."""
        t = self.theme
        self.beat("a real layer")
        image = DigitImage(board.transposed_image, role="output", size=3.4, theme=t,
                           label=f"ConvTranspose2d output {shape_text(board.transposed.shape)}")
        image.next_to(counts_grid, RIGHT, buff=0.6).align_to(counts_grid.cells, UP)
        caption = Caption("A real layer, random weights, constant input: the pattern of the counts.", theme=t)
        self.play(FadeIn(image), FadeIn(caption), run_time=1)
        self.shown.update(transposed=board.transposed)
        self.wait(2)
        self.remove(caption)
        return image

    def resize_convolution(self, board: Checkerboard, counts_grid: NumberGrid, image: DigitImage) -> None:
        """Nearest upsampling then a conv, same weights, same size: no checkerboard."""
        t, s, k = self.theme, self.params["stride"], self.params["kernel"]
        self.beat("resize-convolution")
        resized = DigitImage(board.resized_image, role="output", size=3.4, theme=t,
                             label=f"nearest ×{s}, then {k}×{k} conv {shape_text(board.resized.shape)}")
        resized.next_to(image, RIGHT, buff=0.5).align_to(image, UP)
        row = Group(counts_grid, image, resized)
        if row.width > config.frame_width - 0.6:
            row.scale_to_fit_width(config.frame_width - 0.6)
        row.set_x(0)
        caption = Caption("The fix: resize (nearest), then convolve. Same size, same weights, no checkerboard.",
                          theme=t)
        self.play(FadeIn(resized), FadeIn(caption), run_time=1)
        self.shown.update(resized=board.resized, resize_padding=board.resize_padding)
        self.wait(3)
