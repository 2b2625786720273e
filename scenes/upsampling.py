"""Going up in resolution, part two: the checkerboard of a transposed conv, and the other ways up.

Every count, value and size comes from convmath.resample (the scenes draw, they do not compute).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, Group, Text, VGroup, config

from convmath import stamp_cells, stamp_counts, upsampling
from convmath.resample import METHODS, Checkerboard, Upsampling, checkerboard

from .base import ConvvizScene
from .components import scene_title, Caption, DigitImage, NumberGrid, fit_cell_size, shape_text
from .params import Param, ParamError

__all__ = ["CheckerboardArtifacts", "UpsamplingMethods", "row_grid"]

SMALL = "the counts stay readable up to about 22 cells across"
SLOT = 4.75  # x of the left and right columns of the 2-D beats (the middle one is at 0)


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
        self.add(scene_title("Why transposed convolutions draw checkerboards", self.theme))
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
        self.play(FadeIn(out), FadeOut(caption), run_time=0.8)
        caption = Caption(self._counts_caption(counts), theme=t)
        self.play(FadeIn(caption), run_time=0.4)
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
        cell = fit_cell_size(rows + 1, cols, 4.3, 5.0, largest=0.55)
        grid = NumberGrid(board.counts, role="output", cell_size=cell, theme=t,
                          label=f"stamps per cell {shape_text(board.counts.shape)}")
        grid.move_to([-SLOT, -0.25, 0])
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
        image = DigitImage(board.transposed_image, role="output", size=3.4, theme=t, font_size=22,
                           label=f"ConvTranspose2d output {shape_text(board.transposed.shape)}")
        image.align_to(counts_grid.cells, UP).set_x(0)
        k, s = self.params["kernel"], self.params["stride"]
        caption = Caption("A real layer, random weights, constant input: the pattern of the counts." if k % s else
                          "Even counts, yet each cell sums other weights: random weights still draw a grid.",
                          theme=t)
        self.play(FadeIn(image), FadeIn(caption), run_time=1)
        self.shown.update(transposed=board.transposed)
        self.wait(2)
        self.remove(caption)
        return image

    def resize_convolution(self, board: Checkerboard, counts_grid: NumberGrid, image: DigitImage) -> None:
        """Nearest upsampling then a conv, same weights, same size: no checkerboard."""
        t, s, k = self.theme, self.params["stride"], self.params["kernel"]
        self.beat("resize-convolution")
        resized = DigitImage(board.resized_image, role="output", size=3.4, theme=t, font_size=22,
                             label=f"nearest ×{s}, then {k}×{k} conv\n{shape_text(board.resized.shape)}")
        resized.align_to(image, UP).set_x(SLOT)
        caption = Caption("The fix: resize (nearest), then convolve. Same size, same weights, no checkerboard.",
                          theme=t)
        self.play(FadeIn(resized), FadeIn(caption), run_time=1)
        self.shown.update(resized=board.resized, resize_padding=board.resize_padding)
        self.wait(3)


TENT = [[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]]  # bilinear's weights as a stride-2 kernel
METHOD_LABELS = {"nearest": "nearest", "bilinear": "bilinear, align_corners=False",
                 "bilinear_aligned": "bilinear, align_corners=True", "transposed": "ConvTranspose2d",
                 "pixel_shuffle": "PixelShuffle"}
IMAGE_LABELS = {"nearest": "nearest", "bilinear": "bilinear\nalign_corners\n= False",
                "bilinear_aligned": "bilinear\nalign_corners\n= True", "transposed": "ConvTranspose2d",
                "pixel_shuffle": "PixelShuffle"}
LEFT_X, RIGHT_X = -4.4, 2.3  # the input column and the output area


def _signed(value: float, decimals: int = 4) -> str:
    """A number with at most ``decimals`` decimals and a true minus sign."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if not float(value).is_integer() else str(int(value))
    return text.replace("-", "−")


def even_numbers(grid: NumberGrid) -> NumberGrid:
    """One number size per grid: every number shrunk to the height of the most shrunk one (long numbers like
    2.25 are shrunk to fit their cell; the others follow)."""
    texts = list(grid.numbers.values())
    if texts:
        height = min(t.height for t in texts if t.height > 0) if any(t.height > 0 for t in texts) else 0
        for text in texts:
            if text.height > height > 0:
                text.scale(height / text.height)
    return grid


class UpsamplingMethods(ConvvizScene):
    """One small input made larger five ways: nearest, bilinear (align_corners False, then True), a transposed
    conv and pixel shuffle; each output's numbers and size, and one output cell's weights on the input."""

    PARAMS = (
        Param("input", "matrix", np.array([[1, 2, 0], [3, 4, 1], [0, 2, 5]]), "the input (3×3 by default)",
              low=-9, high=9, max_side=4, reason="outputs up to 12×12 keep their numbers readable"),
        Param("factor", "int", 2, "how many times larger (scale_factor, stride, upscale_factor)", low=2, high=3,
              reason="outputs up to 12×12 keep their numbers readable"),
        Param("kernel", "matrix", np.array(TENT), "the transposed conv's weights (default: bilinear's tent)",
              low=-9, high=9, max_side=4, reason="a small kernel, drawn with its numbers"),
        Param("cell", "ints", (1, 2), "the output cell (row, col) whose weights on the input are shown", low=0,
              high=11, max_side=2, reason="a cell of the (at most 12×12) output"),
    )
    PRESETS = {"lecture": {}, "corner": {"cell": "5,5"},
               "ones_factor3": {"factor": 3, "input": "[[1,2],[3,4]]", "kernel": "[[1,1,1],[1,1,1],[1,1,1]]",
                                "cell": "4,1"}}
    SUMMARY = "nearest, bilinear (align_corners both ways), transposed conv, pixel shuffle on one input"

    @classmethod
    def ways_up(cls, params: Mapping[str, Any]) -> Upsampling:
        return upsampling(params["input"], params["factor"], params["kernel"])

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        cell = tuple(params["cell"])
        if len(cell) != 2:
            raise ParamError(f"cell={','.join(map(str, cell))} is not allowed: give a row and a column like 1,2.")
        cls.ways_up(params).weights("nearest", *cell)

    def construct(self) -> None:
        u = self.ways_up(self.params)
        self.shown.update(outputs={}, sizes={}, weights={}, formulas={})
        self.add(scene_title("Other ways up in resolution", self.theme))
        self.x_grid = self.the_input(u)
        self.out_grid: NumberGrid | None = None
        self.marks, self.extra = VGroup(), VGroup()
        self.nearest(u)
        self.bilinear(u)
        self.bilinear_aligned(u)
        self.transposed(u)
        self.pixel_shuffle(u)
        self.side_by_side(u)

    def the_input(self, u: Upsampling) -> NumberGrid:
        """The small input every method starts from."""
        t = self.theme
        self.beat("the input")
        cell = fit_cell_size(*u.x.shape, 3.2, 2.2, largest=0.6)
        grid = NumberGrid(u.x, role="input", label=f"input {shape_text(u.x.shape)}", cell_size=cell, theme=t)
        grid.move_to([LEFT_X, 0, 0]).align_to([0, 2.9, 0], UP)
        caption = Caption(f"One {shape_text(u.x.shape)} input, made {u.factor}× larger five ways.", theme=t)
        self.play(FadeIn(grid), FadeIn(caption), run_time=0.8)
        self.wait(1)
        self.play(FadeOut(caption), run_time=0.4)
        return grid

    def _formula(self, u: Upsampling, name: str) -> str:
        """y[r, c] written out: the input cells it weighs, each weight times its value, the result."""
        r, c = self.params["cell"]
        w = u.weights(name, r, c)
        cells = np.argwhere(w != 0)
        terms = [(_signed(w[i, j]), _signed(u.x[i, j])) for i, j in cells]
        parts = [x if k == "1" else f"{k}·({x})" if x.startswith("−") else f"{k}·{x}" for k, x in terms]
        value = _signed(u.outputs[name][r, c], 2)
        if name != "pixel_shuffle" and len(cells) == 1 and w[tuple(cells[0])] == 1:  # a copy (always for nearest)
            return f"y[{r}, {c}] = x[{cells[0][0]}, {cells[0][1]}] = {value}"
        f = u.factor
        where = f"channel {u.sources[0, r, c]} at ({r // f}, {c // f}): " if name == "pixel_shuffle" else ""
        return f"y[{r}, {c}] = {where}{' + '.join(parts) or '0'} = {value}"

    def _show(self, u: Upsampling, name: str, caption: str, label: str | None = None,
              sources: VGroup | None = None) -> None:
        """Swap in ``name``'s output with its size; light one output cell and the input cells it weighs (or, with
        ``sources``, the one cell of the channel grid it comes from)."""
        t, (r, c) = self.theme, self.params["cell"]
        out, size = u.outputs[name], u.sizes[name]
        cell = fit_cell_size(out.shape[0] + 1, out.shape[1], 7.6, 5.4, largest=0.75)
        grid = even_numbers(NumberGrid(out, role="output", cell_size=cell, theme=t,
                                       label=f"{label or METHOD_LABELS[name]}: {shape_text(size)}"))
        grid.label.scale(min(1.0, 7.6 / grid.label.width)).next_to(grid.cells, UP, buff=0.18)
        grid.move_to([RIGHT_X, 0, 0]).align_to([0, 3.0, 0], UP)
        w = u.weights(name, r, c)
        formula = self._formula(u, name)
        if sources is None:
            lit = [self.x_grid.region(i, j, i, j, color=t.highlight) for i, j in np.argwhere(w != 0)]
        else:
            lit = [sources[u.sources[0, r, c]].region(r // u.factor, c // u.factor, r // u.factor, c // u.factor,
                                                      color=t.highlight)]
        line = Text(formula, font=t.font, color=t.text, font_size=26)
        line.scale(min(1.0, (config.frame_width - 1.0) / line.width)).to_edge(DOWN, buff=0.95)
        marks = VGroup(grid.region(r, c, r, c, color=t.highlight), *lit, line)
        old = [m for m in (self.out_grid, self.marks) if m is not None and len(m)]
        if old:
            self.play(*(FadeOut(m) for m in old), run_time=0.4)
        self.play(FadeIn(grid), FadeIn(Caption(caption, theme=t)), run_time=0.8)
        self.play(Create(marks), run_time=0.8)
        self.out_grid, self.marks = grid, marks
        self.shown["outputs"][name] = grid.shown_values()
        self.shown["sizes"][name] = size
        self.shown["weights"][name] = w
        self.shown["formulas"][name] = formula
        self.wait(2)
        self.remove(*(m for m in self.mobjects if isinstance(m, Caption)))

    def nearest(self, u: Upsampling) -> None:
        """Nearest: every output cell copies one input cell."""
        self.beat("nearest")
        self._show(u, "nearest", f"Nearest: each cell copied into a {u.factor}×{u.factor} block. "
                                 f"Size ⌊n·{u.factor}⌋ = {u.sizes['nearest'][0]}.")

    def bilinear(self, u: Upsampling) -> None:
        """Bilinear, align_corners=False: cell centres, clamped at the border."""
        self.beat("bilinear")
        self._show(u, "bilinear", "Bilinear: a weighted mix of the nearest input cells, centre to centre.")

    def bilinear_aligned(self, u: Upsampling) -> None:
        """Bilinear, align_corners=True: the corner cells line up, the weights change."""
        self.beat("bilinear, align_corners=True")
        self._show(u, "bilinear_aligned", "align_corners=True: corner pinned to corner; other weights, same size.")

    def transposed(self, u: Upsampling) -> None:
        """A transposed conv: each input cell stamps the kernel; the kernel is learned (here: fixed)."""
        t, tr = self.theme, u.transposed
        self.beat("transposed convolution")
        cell = fit_cell_size(tr.w.shape[0] + 1, tr.w.shape[1], 3.6, 2.6, largest=0.6)
        kernel = even_numbers(NumberGrid(tr.w, role="kernel", cell_size=cell, theme=t,
                                         label=f"kernel, padding {tr.padding[0]}\noutput_padding "
                                               f"{tr.output_padding[0]}"))
        kernel.label.scale(min(1.0, 4.4 / kernel.label.width)).next_to(kernel.cells, UP, buff=0.15)
        kernel.next_to(self.x_grid, DOWN, buff=0.45).set_x(LEFT_X)
        self.play(FadeIn(kernel), run_time=0.6)
        label = f"ConvTranspose2d, stride {u.factor}"
        self._show(u, "transposed", "Transposed conv: each input cell stamps the kernel, overlaps add. "
                                    "A layer learns its kernel.", label=label)
        self.play(FadeOut(kernel), run_time=0.4)

    def pixel_shuffle(self, u: Upsampling) -> None:
        """Pixel shuffle: factor² channels (a 1×1 conv here) rearranged, channel i·r + j to offset (i, j)."""
        t, f = self.theme, u.factor
        self.beat("pixel shuffle")
        h, w = u.x.shape
        cell = fit_cell_size(f * (h + 1), f * (w + 1), 5.2, 5.0, largest=0.6)
        grids = VGroup(*(even_numbers(NumberGrid(ch, role="latent", cell_size=cell, theme=t,
                                                 label=f"ch {i} = {_signed(k)}·x"))
                         for i, (ch, k) in enumerate(zip(u.channels, u.channel_weights))))
        grids.arrange_in_grid(f, f, buff=(0.3, 0.2))
        grids.scale(min(1.0, 5.0 / grids.width, 5.3 / grids.height))
        grids.move_to([LEFT_X, 0, 0]).align_to([0, 3.0, 0], UP)
        self.play(FadeOut(self.x_grid), FadeOut(self.marks), FadeIn(grids), run_time=0.6)
        self.marks = VGroup()
        self._show(u, "pixel_shuffle", f"Pixel shuffle: channel i·{f} + j fills offset (i, j) "
                                       f"of each {f}×{f} block.", sources=grids)
        self.shown["channels"] = u.channels
        self.play(FadeOut(grids), run_time=0.4)

    def side_by_side(self, u: Upsampling) -> None:
        """All five as images (each scaled to its own range), with their sizes."""
        t = self.theme
        self.beat("side by side")
        source = DigitImage(u.image(), role="input", size=1.2, theme=t, font_size=18,
                            label=f"{shape_text(u.x.shape)} input").move_to([-6.2, 0, 0]).align_to([0, 1.6, 0], UP)
        images = Group(*(DigitImage(u.image(name), role="output", size=1.8, theme=t, font_size=18,
                                    label=f"{IMAGE_LABELS[name]}\n{shape_text(u.sizes[name])}")
                         for name in METHODS))
        slot = (config.frame_width - 2.2) / len(images)
        for i, image in enumerate(images):
            image.move_to([-config.frame_width / 2 + 1.8 + slot * (i + 0.5), 0, 0]).align_to([0, 1.6, 0], UP)
        images.add(source)
        self.play(FadeOut(self.out_grid), FadeOut(self.marks), run_time=0.5)
        self.play(FadeIn(images),
                  FadeIn(Caption("Same size, five different images: the choice of way up is a modelling choice.",
                                 theme=t)), run_time=1)
        self.shown["images"] = {name: u.image(name) for name in METHODS}
        self.wait(3)
