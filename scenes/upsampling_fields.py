"""Pooling and unpooling (the maximum remembered, put back; two input sizes, one output), and receptive fields
through a stack of layers. Every value, index, size and lit cell comes from convmath."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, MoveToTarget, FadeIn, FadeOut, Square, Text, Transform, VGroup, config

from convmath import ConvArithmeticError, Layer, layers_from_model, projective_field, receptive_field, receptive_table
from convmath.models import build_model
from convmath.resample import MaxPoolTrace, max_pool2d_trace, max_unpool2d, unpool_code

from .base import ConvvizScene
from .components import Caption, CodePanel, NumberGrid, fit_cell_size, shape_text
from .params import Param, ParamError
from .upsampling import title_text

__all__ = ["PoolingUnpooling", "ReceptiveField", "stack_layers"]

POOL_INPUT = np.array([[1, 3, 2, 0, 4], [5, 0, 1, 6, 2], [2, 7, 3, 1, 0], [0, 4, 8, 2, 5], [3, 1, 0, 6, 9]])
KIND_CODES = ("conv", "pool", "transposed")  # the first number of a layers row


def _lit(grid: NumberGrid, mask: np.ndarray, color: str) -> VGroup:
    """Filled squares over the cells of ``grid`` where ``mask`` is true."""
    squares = VGroup()
    for r, c in np.argwhere(mask.reshape(grid.rows, grid.cols)):
        squares.add(Square(grid.cell_size, stroke_width=0, fill_color=color, fill_opacity=0.55).move_to(grid.cell(r, c)))
    return squares


class PoolingUnpooling(ConvvizScene):
    """Max-pool windows stepping (stride, padding, ceil_mode), each maximum and its position remembered,
    MaxUnpool2d putting the values back; two input sizes pooled to the same output, output_size choosing."""

    PARAMS = (
        Param("input", "matrix", POOL_INPUT, "the input values (5×5 by default)", low=-99, high=99, max_side=8,
              reason="drawn up to 8×8 with its numbers"),
        Param("kernel", "int", 2, "pool window size k", low=1, high=4, reason="windows drawn one by one"),
        Param("stride", "int", 2, "stride s", low=1, high=4, reason="windows drawn one by one"),
        Param("padding", "int", 0, "padding p (at most half the kernel)", low=0, high=2, reason="half of kernel 4"),
        Param("ceil_mode", "bool", False, "keep a last window that runs past the edge"),
        Param("output_size", "size", None, "the size MaxUnpool2d gives back (default: the input's own)", low=1,
              high=12, max_side=2, reason="one of the sizes the pool maps to its output"),
    )
    PRESETS = {"facts_5x5": {}, "ceil_mode": {"kernel": 2, "stride": 2, "ceil_mode": True},
               "overlapping": {"kernel": 3, "stride": 2, "padding": 1}}
    SUMMARY = "max pool windows and indices, MaxUnpool2d putting values back, output_size choosing the size"

    @classmethod
    def trace(cls, params: Mapping[str, Any]) -> tuple[MaxPoolTrace, tuple[int, int]]:
        p = params
        tr = max_pool2d_trace(p["input"], p["kernel"], p["stride"], p["padding"], p["ceil_mode"])
        size = p["output_size"] if p["output_size"] is not None else tr.x.shape
        size = tuple(size) if isinstance(size, tuple) else (size, size)
        if len(size) != 2 or size[0] not in tr.inputs[0] or size[1] not in tr.inputs[1]:
            raise ParamError(f"output_size={p['output_size']!r} is not allowed: this pool maps heights "
                             f"{tr.inputs[0].start}..{tr.inputs[0].stop - 1} and widths {tr.inputs[1].start}.."
                             f"{tr.inputs[1].stop - 1} to {shape_text(tr.output.shape)}; give one of those.")
        return tr, size

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        tr, size = cls.trace(params)
        max_unpool2d(tr.output, tr.indices, tr.kernel, tr.stride, tr.padding, size)

    def construct(self) -> None:
        tr, size = self.trace(self.params)
        self.add(title_text("Max pooling remembers where; unpooling puts it back", self.theme))
        x_grid, out_grid = self.windows(tr)
        self.two_sizes(tr, size, x_grid, out_grid)
        self.unpool(tr, size, out_grid)

    def windows(self, tr: MaxPoolTrace) -> tuple[NumberGrid, NumberGrid]:
        """Each window lights its maximum; the value and its position go to the output."""
        t = self.theme
        self.beat("windows")
        cell = fit_cell_size(8, 14, 11.0, 4.8, largest=0.6)
        x_grid = NumberGrid(tr.x, role="input", label=f"input {shape_text(tr.x.shape)}", cell_size=cell, theme=t)
        out_grid = NumberGrid(tr.output, role="output", label=f"max {shape_text(tr.output.shape)}", cell_size=cell,
                              theme=t, hide_values=True)
        VGroup(x_grid, out_grid).arrange(RIGHT, buff=1.5, aligned_edge=UP).move_to(DOWN * 0.3)
        caption = Caption(f"MaxPool2d(kernel {tr.kernel[0]}, stride {tr.stride[0]}, padding {tr.padding[0]}"
                          f"{', ceil_mode' if self.params['ceil_mode'] else ''}): the largest value of each window.",
                          theme=t)
        self.play(FadeIn(x_grid), FadeIn(out_grid), FadeIn(caption), run_time=0.8)
        h, w = tr.x.shape
        for r in range(tr.output.shape[0]):
            for c in range(tr.output.shape[1]):
                rows, cols = tr.rows[r], tr.cols[c]
                box = x_grid.region(max(rows[0], 0), max(cols[0], 0), min(rows[-1], h - 1), min(cols[-1], w - 1),
                                    color=t.kernel)
                best = x_grid.region(*tr.argmax(r, c), *tr.argmax(r, c), color=t.highlight)
                self.play(Create(box), Create(best), FadeIn(out_grid.reveal(r, c)), run_time=0.4)
                self.remove(box, best)
        self.shown.update(output=tr.output, indices=tr.indices)
        self.remove(caption)
        return x_grid, out_grid

    def two_sizes(self, tr: MaxPoolTrace, size: tuple[int, int], x_grid: NumberGrid, out_grid: NumberGrid) -> None:
        """Every input size in the ambiguity set pools to the same output: the code with the real shapes."""
        t = self.theme
        self.beat("two sizes, one output")
        heights = ", ".join(str(n) for n in tr.inputs[0])
        caption = Caption(f"Heights {heights} all pool to {tr.output.shape[0]}: the output forgets which.", theme=t)
        code = unpool_code(tr, size)
        panels = VGroup(*(VGroup(Text(name, font=t.font, color=t.muted, font_size=22),
                                 CodePanel(text, theme=t, font_size=18)).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
                          for name, text in code.items())).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        room = config.frame_width - 1.4 - out_grid.width
        panels.scale(min(1.0, 4.6 / panels.height, room / panels.width))
        self.play(FadeOut(x_grid), FadeIn(caption), run_time=0.6)
        out_grid.generate_target()
        VGroup(out_grid.target, panels).arrange(RIGHT, buff=0.6).move_to(DOWN * 0.3)
        self.play(MoveToTarget(out_grid), FadeIn(panels), run_time=0.8)
        self.shown.update(inputs=tr.inputs, code=code)
        self.wait(3)
        self.play(FadeOut(panels), FadeOut(caption), run_time=0.5)

    def unpool(self, tr: MaxPoolTrace, size: tuple[int, int], out_grid: NumberGrid) -> None:
        """MaxUnpool2d: zeros, each value back at its index; output_size picks the size."""
        t, p = self.theme, self.params
        self.beat("unpool")
        try:
            default = max_unpool2d(tr.output, tr.indices, tr.kernel, tr.stride, tr.padding)
        except ConvArithmeticError:  # an index beyond the default size: torch refuses it too
            default = None
        chosen = max_unpool2d(tr.output, tr.indices, tr.kernel, tr.stride, tr.padding, size)
        cell = fit_cell_size(9, 2 * 8 + 2, 9.0, 4.6, largest=0.5)
        grids = [NumberGrid(chosen, role="output", cell_size=cell, theme=t,
                            label=f"output_size={shape_text(size)}: {shape_text(chosen.shape)}")]
        if default is not None and default.shape != chosen.shape:
            grids.insert(0, NumberGrid(default, role="output", label=f"no output_size: {shape_text(default.shape)}",
                                       cell_size=cell, theme=t))
        row = VGroup(*grids).arrange(RIGHT, buff=0.8, aligned_edge=UP)
        self.play(FadeOut(out_grid), run_time=0.4)
        row.move_to(DOWN * 0.3)
        if default is None:
            words = f"each maximum back at its index; without output_size an index would not fit, torch refuses"
        elif default.shape == chosen.shape:
            words = "each maximum goes back where it was, zeros elsewhere"
        else:
            words = f"without output_size the smaller size comes back; output_size picks {shape_text(size)}"
        caption = Caption(f"Unpooling: {words}.", theme=t)
        self.play(*(FadeIn(g) for g in grids), FadeIn(caption), run_time=1)
        self.shown.update(unpooled=default, unpooled_chosen=chosen, output_size=size)
        self.wait(3)


def stack_layers(params: Mapping[str, Any]) -> list[Layer]:
    """The stack: the rows of ``layers`` ([kind, kernel, stride, padding], kind 0 conv, 1 pool, 2 transposed),
    or the built-in autoencoder's encoder layers read off the model."""
    rows = params["layers"]
    if rows is None:
        return layers_from_model(build_model("ae").encoder)
    if rows.shape[1] != 4:
        raise ParamError(f"layers has {rows.shape[1]} columns: give rows of [kind, kernel, stride, padding] "
                         "(kind 0 conv, 1 pool, 2 transposed).")
    if rows.dtype.kind != "i" or rows[:, 0].min() < 0 or rows[:, 0].max() > 2 or rows[:, 1:3].min() < 1:
        raise ParamError("layers rows must be whole numbers [kind 0/1/2, kernel ≥ 1, stride ≥ 1, padding ≥ 0].")
    return [Layer(KIND_CODES[kind], int(k), int(s), int(p)) for kind, k, s, p in rows]


class ReceptiveField(ConvvizScene):
    """A stack of layers drawn as grids; one output cell picked and its receptive field lit in every layer below,
    with the size, jump and start per layer; through transposed layers, the projective field of an input cell."""

    PARAMS = (
        Param("layers", "matrix", None, "rows [kind, kernel, stride, padding], kind 0 conv, 1 pool, 2 transposed; "
              "none for the built-in autoencoder's encoder", low=0, high=5, max_side=4,
              reason="four layers of small kernels fit the frame"),
        Param("input_size", "int", 8, "input height and width (8: the digits)", low=2, high=16,
              reason="grids drawn side by side"),
        Param("cell", "ints", None, "the output cell (row, col) whose field is lit; none for the last one",
              low=0, high=31, max_side=2, reason="a cell of the last layer"),
    )
    PRESETS = {"autoencoder": {}, "conv_pool": {"layers": "[[0,3,1,1],[1,2,2,0],[0,3,1,1],[1,2,2,0]]",
                                                "input_size": 12},
               "decoder": {"layers": "[[2,3,2,1],[2,3,2,1]]", "input_size": 3}}
    SUMMARY = "an output cell's receptive field lit in every layer below; projective field through transposed convs"

    @classmethod
    def field(cls, params: Mapping[str, Any]):
        layers = stack_layers(params)
        n = params["input_size"]
        last = receptive_field(layers, (n, n), (0, 0)).sizes[-1]
        cell = params["cell"] if params["cell"] is not None else (last[0] - 1, last[1] - 1)
        if len(cell) != 2:
            raise ParamError(f"cell={','.join(map(str, cell))} is not allowed: give a row and a column like 1,1.")
        if max(last) > 40 or n * (len(layers) + 1) > 64:
            raise ParamError(f"the stack grows to {shape_text(last)} cells: use fewer or smaller upsampling layers.")
        return layers, receptive_field(layers, (n, n), tuple(cell)), receptive_table(layers, n)

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        cls.field(params)

    def construct(self) -> None:
        layers, field, table = self.field(self.params)
        self.add(title_text("Which input cells does one output cell see?", self.theme))
        grids = self.stack(layers, field)
        self.light(field, grids)
        self.numbers(table, grids)
        if any(layer.kind == "transposed" for layer in layers):
            self.projective(layers, grids)

    def stack(self, layers, field) -> list[NumberGrid]:
        """The input and every layer's output as grids, left to right."""
        t = self.theme
        self.beat("the stack")
        labels = ["input"] + [layer.describe() for layer in layers]
        room = config.frame_width - 1.0
        for _ in range(3):  # shrink the cells until the row with its labels fits the frame
            grids = self._grids(labels, field.sizes, room)
            row = VGroup(*grids).arrange(RIGHT, buff=0.6, aligned_edge=DOWN).move_to(UP * 0.55)
            if row.width <= config.frame_width - 1.0:
                break
            room -= row.width - (config.frame_width - 1.0)
        caption = Caption("Each layer's output, from the input (left) to the last layer (right).", theme=t)
        self.play(*(FadeIn(g) for g in grids), FadeIn(caption), run_time=1)
        self.shown.update(sizes=field.sizes)
        self.wait(1)
        self.remove(caption)
        return grids

    def _grids(self, labels: list[str], sizes, room: float) -> list[NumberGrid]:
        """One grid per layer output, cells sized so their widths, 0.6 gaps and labels fill ``room``."""
        n = len(sizes)
        cell = fit_cell_size(max(s[0] for s in sizes), sum(s[1] for s in sizes), room - 0.6 * (n - 1) - 0.8 * n,
                             4.2, largest=0.5)
        grids = [NumberGrid(np.zeros(s), role="input" if i == 0 else "output", cell_size=cell, theme=self.theme,
                            show_numbers=False, label=f"{name}\n{shape_text(s)}")
                 for i, (name, s) in enumerate(zip(labels, sizes))]
        for g in grids:
            if g.label is not None and g.label.width > max(g.cells.width + 0.8, 1.9):
                g.label.scale_to_fit_width(max(g.cells.width + 0.8, 1.9))
        return grids

    def light(self, field, grids: list[NumberGrid]) -> None:
        """The chosen cell, then the cells it depends on, layer by layer down to the input."""
        t = self.theme
        self.beat("receptive field")
        caption = Caption(f"Output cell {field.cell}: the cells it depends on, layer by layer.", theme=t)
        self.play(FadeIn(_lit(grids[-1], field.cells[-1], t.highlight)), FadeIn(caption), run_time=0.6)
        for l in range(len(grids) - 2, -1, -1):
            self.play(FadeIn(_lit(grids[l], field.cells[l], t.highlight)), run_time=0.6)
        self.shown.update(lit=[c.copy() for c in field.cells])
        self.wait(1)
        self.remove(caption)

    def numbers(self, table, grids: list[NumberGrid]) -> None:
        """Size, jump and start per layer (Araujo et al.), under each grid."""
        t = self.theme
        self.beat("size, jump, start")
        texts = VGroup()
        for row, grid in zip(table, grids):
            size = f"field {row.field}" if row.field is not None else "field varies"
            line = Text(f"{size}\njump {row.jump}\nstart {row.start}", font=t.font, color=t.text, font_size=20,
                        line_spacing=0.8)
            texts.add(line.next_to(grid, DOWN, buff=0.25))
        caption = Caption("Field size r, jump j between neighbours, start u of cell 0 (in input cells).", theme=t)
        self.play(FadeIn(texts), FadeIn(caption), run_time=0.8)
        self.shown.update(table=[(r.size, r.jump, r.start, r.field) for r in table])
        self.wait(3)
        self.remove(caption)

    def projective(self, layers, grids: list[NumberGrid]) -> None:
        """Through transposed layers: the cells one input cell reaches (its projective field)."""
        t = self.theme
        self.beat("projective field")
        reach = projective_field(layers, grids[0].values.shape, (0, 0))
        lit = VGroup(*(_lit(g, m, t.latent) for g, m in zip(grids, reach.cells)))
        caption = Caption("Forward instead: input cell (0, 0) reaches these cells (its projective field).", theme=t)
        self.play(FadeIn(lit), FadeIn(caption), run_time=1)
        self.shown.update(reached=[c.copy() for c in reach.cells])
        self.wait(2)
