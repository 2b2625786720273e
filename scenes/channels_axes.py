"""Convolution along one axis and along three: a sequence with channels, and a small volume.

``Conv1DSequence``: time runs left to right, one row per channel; the kernel slides with stride and dilation,
causal padding puts d(k − 1) zeros before the sequence; then a stack of dilated causal convs and how far back
each layer's output reaches. ``Conv3DVolume``: a D×H×W volume as its depth slices, a k×k×k kernel sliding in
depth too, the output volume and the size formula per axis. Every number comes from convmath.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, Create, FadeIn, FadeOut, Line, MarkupText, Text, VGroup, config

from convmath import conv1d_trace, conv3d_trace, explain_conv, stack_inputs, stack_reach
from convmath.trace import ConvNdTrace

from .base import ConvvizScene
from .components import (Caption, FormulaPanel, KernelWindow, NumberGrid, format_number, padded_grid,
                         readable_cell, shape_text, swap_caption)
from .params import SEED, Param, ParamError, channel_params, drawn_values, random_tensor
from .theme import current_theme

__all__ = ["Conv1DSequence", "Conv3DVolume"]

MAX_DOTS = 32  # the dilated stack draws one dot per step
NAME_WIDTH = 1.3  # Conv3DVolume's row names, left of the rows: "input" over "4×4×4"
SLICE_GAP = 0.15  # between depth slices
ROWS_TOP, ROWS_BOTTOM = 3.25, -2.3  # Conv3DVolume's rows: under the header, over the formula panels


def _fit(line: VGroup) -> VGroup:
    if line.width > config.frame_width - 1:
        line.scale_to_fit_width(config.frame_width - 1)
    return line.to_edge(DOWN, buff=0.35)


def _sum_line(label: str, values: np.ndarray, result: float, color: str, theme) -> VGroup:
    """``label: a + b + … = result`` with the result in the output colour."""
    terms = " + ".join(f"({format_number(v)})" if v < 0 else format_number(v) for v in values)
    head = f"{label}: {terms}" if terms else label
    text = f'{head} = <span foreground="{color}">{format_number(result)}</span>'
    return _fit(MarkupText(text, font=theme.font, color=theme.text, font_size=30))


class SlidingTraceScene(ConvvizScene):
    """A scene over one convmath trace of its parameters (``trace_for``): the drawing is built, introduced, the
    window slides over it, and the scene's own last beat (``last``) ends it."""

    @classmethod
    def trace_for(cls, p: Mapping[str, Any]) -> ConvNdTrace:
        raise NotImplementedError

    def construct(self) -> None:
        self.trace = self.trace_for(self.params)
        self.build()
        self.intro()
        self.slide()
        self.last()


class Conv1DSequence(SlidingTraceScene):
    """A sequence with channels; the kernel slides in time (stride, dilation, causal padding); a dilated stack."""

    SUMMARY = "a sequence with channels: the kernel slides in time, causal padding, a stack of dilated convs"
    PARAMS = (
        Param("length", "int", 10, "sequence length", low=1, high=16, reason="one cell per step"),
        Param("padding", "padding", "causal", "causal (Keras: zeros before only), same, valid or an int",
              low=0, high=8, reason="the padded row must fit the frame"),
        *channel_params(2, 1, 3, 2, "as a row"),
        Param("kernel", "int", 3, "kernel length k", low=1, high=5, reason="the taps are drawn"),
        Param("stride", "int", 1, "step of the window", low=1, high=3, reason="the steps are drawn one by one"),
        Param("dilation", "int", 1, "spacing of the taps", low=1, high=4, reason="the taps must fit the row"),
        drawn_values("input", "values c_in×length (they set c_in and length); none: random 0..3 from seed", 16),
        drawn_values("weights", "filters c_out×c_in×k (they set c_out, c_in, kernel); none: random −1..2", 5),
        SEED,
        Param("stack_kernel", "int", 2, "kernel of every layer of the dilated stack", low=1, high=3,
              reason="a WaveNet-like stack"),
        Param("dilations", "ints", (1, 2, 4, 8), "dilation of each stacked layer", low=1, high=16, max_side=5,
              reason="one row of dots per layer"),
    )
    SIZED_BY = {"input": ("c_in", "length"), "weights": ("c_out", "c_in", "kernel")}
    PRESETS = {
        "wavenet": {"c_in": 1, "length": 12, "kernel": 2, "dilation": 1, "padding": "causal",
                    "stack_kernel": 2, "dilations": (1, 2, 4, 8)},
        "dilated": {"c_in": 2, "length": 12, "kernel": 3, "dilation": 2, "padding": "causal"},
        "strided_same": {"c_in": 2, "length": 9, "kernel": 3, "stride": 2, "padding": 1},
    }
    FULL_STEPS = 3

    @classmethod
    def trace_for(cls, p: Mapping[str, Any]) -> ConvNdTrace:
        x = random_tensor(p["input"], (p["c_in"], p["length"]), "input", p["seed"], 0, 3)
        w = random_tensor(p["weights"], (p["c_out"], p["c_in"], p["kernel"]), "weights", p["seed"] + 1, -1, 2)
        return conv1d_trace(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"])

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        trace = cls.trace_for(params)
        if trace.padded.shape[1] > 24:
            raise ParamError(f"the padded sequence has {trace.padded.shape[1]} steps: Conv1DSequence draws up to "
                             f"24; use a shorter length or less padding.")
        reach = stack_reach(params["stack_kernel"], params["dilations"])[-1]
        if reach > MAX_DOTS:
            raise ParamError(f"the dilated stack reaches {reach} steps: Conv1DSequence draws up to {MAX_DOTS}; "
                             f"use smaller dilations or fewer layers.")

    def build(self) -> None:
        t, tr = self.theme, self.trace
        c_in, lp = tr.padded.shape
        cell = min(0.6, (config.frame_width - 3.0) / lp)
        before, after = tr.pads[0]
        self.rows = VGroup(*(padded_grid(tr.padded[i][None], (0, 0, before, after), cell_size=cell, theme=t)
                             for i in range(c_in))).arrange(DOWN, buff=0.15)
        self.rows.move_to([0.8, 1.7, 0])
        self.row_names = VGroup(*(Text(f"channel {i}", font=t.font, color=t.muted, font_size=22)
                                  .next_to(row, LEFT, buff=0.2) for i, row in enumerate(self.rows)))
        self.outputs = VGroup(*(NumberGrid(tr.output[o][None], role="output", cell_size=cell, hide_values=True,
                                           theme=t) for o in range(tr.output.shape[0]))).arrange(DOWN, buff=0.15)
        self.outputs.next_to(self.rows, DOWN, buff=0.8).align_to(self.rows[0].cell(0, before), LEFT)
        for grid in self.outputs:
            for square in grid.cells:
                square.set_fill(opacity=0).set_stroke(opacity=0.35)
        self.out_names = VGroup(*(Text(f"output {o}", font=t.font, color=t.muted, font_size=22)
                                  .next_to(grid, LEFT, buff=0.2) for o, grid in enumerate(self.outputs)))
        self.time_label = Text("time →", font=t.font, color=t.muted, font_size=22).next_to(self.rows, UP, buff=0.15)
        self.windows = VGroup(*(KernelWindow(row, 1, tr.w.shape[2], dilation=(1, tr.dilation[0]), theme=t)
                                for row in self.rows))
        filters = VGroup(*(NumberGrid(tr.w[o], role="kernel", cell_size=min(cell, 0.5), theme=t)
                           for o in range(tr.w.shape[0]))).arrange(RIGHT, buff=0.4)
        label = Text(f"filter{'s' if tr.w.shape[0] > 1 else ''} {shape_text(tr.w.shape)}", font=t.font,
                     color=t.kernel, font_size=22)
        self.filters = VGroup(label, filters).arrange(DOWN, buff=0.12).next_to(self.outputs, DOWN, buff=0.45)
        p = self.params
        self.header = Text(f"input {shape_text(tr.x.shape)}  ·  kernel {tr.w.shape[2]}  ·  stride {p['stride']}  ·  "
                           f"dilation {p['dilation']}  ·  padding {p['padding']}", font=t.font, color=t.muted,
                           font_size=26).to_edge(UP, buff=0.25)

    def intro(self) -> None:
        self.beat("sequence")
        t, tr = self.theme, self.trace
        before, after = tr.pads[0]
        if self.params["padding"] == "causal":
            text = f"Causal: {before} zero{'s' if before != 1 else ''} before the sequence, none after; " \
                   f"output t sees steps up to t."
        else:
            text = f"Padding: {before} zero{'s' if before != 1 else ''} before, {after} after; one row per channel."
        self.caption = Caption(text, theme=t)
        self.shown["pads"] = tr.pads[0]
        self.shown["caption"] = text
        self.add(self.header, self.rows, self.row_names, self.time_label, self.outputs, self.out_names, self.filters)
        self.play(FadeIn(self.caption), run_time=0.6)
        self.wait(2.0)

    def move(self, j: int) -> list:
        start = int(self.trace.window(j)[0][0])
        return [w.animate.move_to(w.target_for(0, start)) for w in self.windows]

    def reveal(self, j: int) -> list:
        anims = []
        for o, grid in enumerate(self.outputs):
            anims.append(grid.cell(0, j).animate.set_fill(opacity=self.theme.cell_fill_opacity).set_stroke(opacity=1))
            if grid.show_numbers:
                anims.append(FadeIn(grid.reveal(0, j), scale=1.3))
        return anims

    def slide(self) -> None:
        """The window on every channel at once; each channel's sum, summed into the output step."""
        self.beat("slide")
        tr = self.trace
        steps = tr.output.shape[1]
        start = int(tr.window(0)[0][0])
        for w in self.windows:
            w.move_to_cell(0, start)
        self.play(*(Create(w) for w in self.windows), run_time=0.6)
        lines = []
        for j in range(steps):
            if j < self.FULL_STEPS:
                line = _sum_line(f"output 0, step {j}", tr.channel_sums[0, :, j], tr.output[0, j],
                                 self.theme.output, self.theme)
                self.play(*self.move(j), swap_caption(self.caption, line), run_time=0.6)
                self.play(*self.reveal(j), run_time=0.5)
                self.wait(1.0)
                self.caption = line
                lines.append({"step": j, "channel_sums": tr.channel_sums[0, :, j].tolist(),
                              "output": tr.output[0, j].item()})
            else:
                self.play(*self.move(j), *self.reveal(j), run_time=0.3)
        self.shown["output"] = tr.output.copy()
        self.shown["output_numbers"] = np.stack([g.shown_values()[0] for g in self.outputs])
        self.shown["steps_written"] = lines
        self.shown["window_starts"] = [int(tr.window(j)[0][0]) for j in range(steps)]

    def last(self) -> None:
        """The dilated stack: stacked causal convs with growing dilation, the steps the last output depends on,
        layer by layer."""
        self.beat("dilated stack")
        t, p = self.theme, self.params
        k, dilations = p["stack_kernel"], p["dilations"]
        reach = stack_reach(k, dilations)
        length = max(reach[-1], min(16, MAX_DOTS))
        cells = stack_inputs(k, dilations, length)
        self.play(*(FadeOut(m) for m in self.mobjects if m is not self.header), run_time=0.5)
        step = min(0.38, (config.frame_width - 4.5) / length)
        gap = min(1.0, 5.0 / len(cells))
        dots = [VGroup(*(Circle(radius=step * 0.3, color=t.muted, stroke_width=1.5).move_to([i * step, n * gap, 0])
                         for i in range(length))) for n in range(len(cells))]
        diagram = VGroup(*dots).move_to([-0.8, -0.1, 0])
        names = VGroup(Text("input", font=t.font, color=t.input, font_size=22).next_to(dots[0], LEFT, buff=0.25))
        notes = VGroup()
        for n, d in enumerate(dilations, start=1):
            names.add(Text(f"dilation {d}", font=t.font, color=t.kernel, font_size=22).next_to(dots[n], LEFT, 0.25))
            notes.add(Text(f"reaches {reach[n - 1]} steps", font=t.font, color=t.text, font_size=22)
                      .next_to(dots[n], RIGHT, buff=0.25))
        whole = VGroup(diagram, names, notes)
        if whole.width > config.frame_width - 0.5:  # a long reach: the labels each side would leave the frame
            whole.scale_to_fit_width(config.frame_width - 0.5)
        whole.set_x(0)
        self.add(diagram, names)
        self.play(FadeIn(diagram), FadeIn(names), run_time=0.6)
        for n in range(len(cells) - 1, 0, -1):
            links = VGroup(*(Line(dots[n][a].get_center(), dots[n - 1][b].get_center(), color=t.kernel,
                                  stroke_width=2) for a, b in self.links(k, dilations[n - 1], length, cells[n])))
            lit = VGroup(*(dots[n - 1][b].copy().set_fill(t.input if n == 1 else t.kernel, 0.8) for b in cells[n - 1]))
            top = [dots[n][a].animate.set_fill(t.output if n == len(cells) - 1 else t.kernel, 0.8) for a in cells[n]]
            self.play(*top, Create(links), FadeIn(lit), FadeIn(notes[n - 1]), run_time=0.8)
        caption = Caption(f"{len(dilations)} layers of kernel {k}: the last output depends on {reach[-1]} input "
                          f"steps, ending at its own.", theme=t)
        self.play(FadeIn(caption), run_time=0.5)
        self.wait(3.0)
        self.shown["reach"] = reach
        self.shown["stack_cells"] = cells

    @staticmethod
    def links(k: int, d: int, length: int, upper: tuple[int, ...]) -> list[tuple[int, int]]:
        """(upper step, lower step) for each tap of a causal conv of kernel k, dilation d, inside the sequence."""
        trace = conv1d_trace(np.zeros(length), np.zeros(k), padding="causal", dilation=d)
        before = trace.pads[0][0]
        return [(a, int(b) - before) for a in upper for b in trace.window(a)[0] if b >= before]


class Conv3DVolume(SlidingTraceScene):
    """A D×H×W volume as depth slices; a k×k×k kernel slides in depth too; the output volume; the formula."""

    SUMMARY = "a D×H×W volume and a k×k×k kernel sliding in depth too; the output volume and the formula per axis"
    PARAMS = (
        Param("size", "size", 4, "depth, height, width of the volume (4 or 3,4,4)", low=1, high=6,
              reason="every slice is drawn"),
        Param("kernel", "size", 2, "kernel size (2 or 2,3,3)", low=1, high=4, reason="every kernel slice is drawn"),
        Param("stride", "size", 1, "step in each axis", low=1, high=3, reason="the steps are drawn"),
        Param("padding", "padding", 0, "zeros around the volume: 1, 1,0,0, same, valid", low=0, high=2,
              reason="the padded slices must fit"),
        Param("dilation", "size", 1, "spacing of the taps", low=1, high=2, reason="the taps must fit"),
        drawn_values("input", "volume D×H×W (it sets size); none: random 0..2 from seed", 6),
        drawn_values("weights", "kernel kd×kh×kw (it sets kernel); none: random −1..1 from seed", 4),
        SEED,
    )
    SIZED_BY = {"input": ("size", "size", "size"), "weights": ("kernel", "kernel", "kernel")}
    PRESETS = {
        "cube": {"size": 4, "kernel": 2, "stride": 1, "padding": 0},
        "strided_padded": {"size": 4, "kernel": 3, "stride": 2, "padding": 1},
        "thin_depth": {"size": (2, 4, 4), "kernel": (2, 3, 3), "stride": 1, "padding": 0},
    }
    FULL_STEPS = 2
    FAST_STEPS = 14

    @staticmethod
    def _three(value) -> tuple[int, int, int]:
        return (value,) * 3 if isinstance(value, int) else tuple(value)

    @classmethod
    def trace_for(cls, p: Mapping[str, Any]) -> ConvNdTrace:
        size, kernel = p["size"], p["kernel"]
        for name, value in (("size", size), ("kernel", kernel)):
            if not isinstance(value, int) and len(value) != 3:
                raise ParamError(f"{name}={','.join(map(str, value))} is not allowed: give one number or three "
                                 f"(depth, height, width).")
        x = random_tensor(p["input"], cls._three(size), "input", p["seed"], 0, 2)
        w = random_tensor(p["weights"], cls._three(kernel), "weights", p["seed"] + 1, -1, 1)
        return conv3d_trace(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"])

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        trace = cls.trace_for(params)
        if trace.padded.shape[0] * trace.padded.shape[2] > 48:
            raise ParamError(f"the padded volume is {shape_text(trace.padded.shape)}: Conv3DVolume draws its depth "
                             f"slices side by side, at most 48 cells across; use a smaller size or less padding.")
        font = current_theme().font
        for name, volume, side in zip(("padded input", "kernel", "output"), (trace.padded, trace.w, trace.output),
                                      cls.cell_sizes(trace)):
            if side < readable_cell(volume, font):
                raise ParamError(f"the {name} is {shape_text(volume.shape)}: with the input "
                                 f"{shape_text(trace.padded.shape)} (padded), kernel {shape_text(trace.w.shape)} and "
                                 f"output {shape_text(trace.output.shape)} on one frame its numbers would be too small "
                                 f"to read; use a smaller size, less padding or smaller values.")

    def slices(self, volume: np.ndarray, role: str, cell: float, padded: bool, top: float) -> VGroup:
        """A row of depth slices, each a number grid with its depth above."""
        t, tr = self.theme, self.trace
        grids = VGroup()
        (front, back), (pt, pb), (pl, pr) = tr.pads if padded else ((0, 0),) * 3
        for z, plane in enumerate(volume):
            name = f"depth {z}"
            if padded:
                is_pad = z < front or z >= volume.shape[0] - back
                pads = (plane.shape[0], 0, 0, 0) if is_pad else (pt, pb, pl, pr)
                grid = padded_grid(plane, pads, role=role, cell_size=cell, theme=t)
                name = "padding" if is_pad else f"depth {z - front}"
            else:
                grid = NumberGrid(plane, role=role, cell_size=cell, hide_values=role == "output", theme=t)
            grid.add(Text(name, font=t.font, color=t.muted, font_size=20).next_to(grid.cells, UP, 0.1))
            grids.add(grid)
        grids.arrange(RIGHT, buff=SLICE_GAP, aligned_edge=UP).align_to([0, top, 0], UP)
        return grids.set_x(NAME_WIDTH / 2)

    @staticmethod
    def cell_sizes(tr: ConvNdTrace) -> tuple[float, ...]:
        """Cell sides of the input, kernel and output rows: each row as wide as fits; when the three are too tall
        the rows shrink alike, but none under the side its numbers need while another can give (a row that still
        does not fit shrinks under it: check() refuses that)."""
        volumes = (tr.padded, tr.w, tr.output)
        sides = [min(0.5, (config.frame_width - 0.5 - NAME_WIDTH - SLICE_GAP * (v.shape[0] - 1)) /
                     (v.shape[0] * v.shape[2])) for v in volumes]
        floors = [min(side, 1.01 * readable_cell(v, current_theme().font)) for side, v in zip(sides, volumes)]
        rows = [v.shape[1] for v in volumes]
        room = ROWS_TOP - ROWS_BOTTOM - 3 * 0.4 - 2 * 0.25  # less a "depth z" line over each row and the gaps
        for _ in range(3):
            free = [i for i in range(3) if sides[i] > floors[i] + 1e-9]
            fixed = sum(sides[i] * rows[i] for i in range(3) if i not in free)
            flexible = sum(sides[i] * rows[i] for i in free)
            if fixed + flexible <= room or not free:
                break
            scale = max(0.0, room - fixed) / flexible
            sides = [max(floors[i], sides[i] * scale) if i in free else sides[i] for i in range(3)]
        total = sum(side * row for side, row in zip(sides, rows))
        return tuple(float(side * min(1.0, room / total)) for side in sides)

    def build(self) -> None:
        t, tr = self.theme, self.trace
        cells = self.cell_sizes(tr)
        self.volume = self.slices(tr.padded, "input", cells[0], True, ROWS_TOP)
        self.kernel = self.slices(tr.w, "kernel", cells[1], False, self.volume.get_bottom()[1] - 0.25)
        self.output = self.slices(tr.output, "output", cells[2], False, self.kernel.get_bottom()[1] - 0.25)
        for grid in self.output:
            for square in grid.cells:
                square.set_fill(opacity=0).set_stroke(opacity=0.35)
        self.names = VGroup(*(Text(f"{name}\n{shape_text(shape)}", font=t.font, color=t.role_color(role),
                                   font_size=24).next_to(row, LEFT, buff=0.25)
                              for name, shape, role, row in (("input", tr.x.shape, "input", self.volume),
                                                             ("kernel", tr.w.shape, "kernel", self.kernel),
                                                             ("output", tr.output.shape, "output", self.output))))
        kd, kh, kw = tr.w.shape
        self.windows = VGroup(*(KernelWindow(self.volume[0], kh, kw, dilation=tr.dilation[1:], theme=t)
                                for _ in range(kd)))
        p = self.params
        self.header = Text(f"stride {p['stride']}  ·  padding {p['padding']}  ·  dilation {p['dilation']}",
                           font=t.font, color=t.muted, font_size=26).to_edge(UP, buff=0.2)

    def intro(self) -> None:
        self.beat("volume")
        tr = self.trace
        self.caption = Caption(f"A {shape_text(tr.x.shape)} volume, drawn as its {tr.x.shape[0]} depth slices; "
                               f"the kernel has {tr.w.shape[0]} slices too.", theme=self.theme)
        self.add(self.header, self.volume, self.kernel, self.output, self.names)
        self.play(FadeIn(self.caption), run_time=0.6)
        self.wait(2.0)

    def targets(self, cell: tuple[int, int, int]) -> list:
        """The kd windows onto the input slices the output cell reads (from the trace)."""
        zs, ys, xs = self.trace.window(*cell)
        return [w.animate.move_to(self.volume[int(z)].cell(int(ys[0]), int(xs[0])).get_center()
                                  + (w.get_center() - w.tap(0, 0).get_center())) for w, z in zip(self.windows, zs)]

    def reveal(self, cell: tuple[int, int, int]) -> list:
        z, r, c = cell
        grid = self.output[z]
        anims = [grid.cell(r, c).animate.set_fill(opacity=self.theme.cell_fill_opacity).set_stroke(opacity=1)]
        if grid.show_numbers:
            anims.append(FadeIn(grid.reveal(r, c), scale=1.3))
        return anims

    def slide(self) -> None:
        """Every output cell: a window on kd input slices at once, the sum of its k×k×k products."""
        self.beat("slide")
        tr = self.trace
        cells = [tuple(int(i) for i in idx) for idx in np.ndindex(*tr.output.shape)]
        zs, ys, xs = tr.window(*cells[0])
        for w, z in zip(self.windows, zs):
            w.move_to(self.volume[int(z)].cell(int(ys[0]), int(xs[0])).get_center()
                      + (w.get_center() - w.tap(0, 0).get_center()))
        self.play(*(Create(w) for w in self.windows), run_time=0.6)
        for n, cell in enumerate(cells[: self.FULL_STEPS + self.FAST_STEPS]):
            if n < self.FULL_STEPS:
                label = f"output depth {cell[0]}, row {cell[1]}, col {cell[2]}"
                products = tr.products[cell]
                if products.size <= 12:
                    line = _sum_line(label, products.ravel(), tr.output[cell], self.theme.output, self.theme)
                else:  # 27 terms do not fit a line: the count and the sum
                    line = _sum_line(f"{label}: the {products.size} products under the "
                                     f"{shape_text(products.shape)} window, summed", [], tr.output[cell],
                                     self.theme.output, self.theme)
                self.play(*self.targets(cell), swap_caption(self.caption, line), run_time=0.6)
                self.play(*self.reveal(cell), run_time=0.5)
                self.wait(1.2)
                self.caption = line
            else:
                if n == self.FULL_STEPS:
                    caption = Caption("… every position in depth, height and width.", theme=self.theme)
                    self.play(swap_caption(self.caption, caption), run_time=0.3)
                    self.caption = caption
                self.play(*self.targets(cell), *self.reveal(cell), run_time=0.25)
        rest = cells[self.FULL_STEPS + self.FAST_STEPS:]
        if rest:
            self.play(*self.targets(rest[-1]), *(a for cell in rest for a in self.reveal(cell)), run_time=1.5)
        self.shown["output"] = tr.output.copy()
        self.shown["output_numbers"] = np.stack([g.shown_values() for g in self.output])
        self.shown["steps"] = len(cells)

    def last(self) -> None:
        """The formula: the output size per axis (explain_conv on the three axes)."""
        self.beat("output size")
        t, tr, p = self.theme, self.trace, self.params
        formulas = explain_conv(tr.x.shape, tr.w.shape, p["stride"], p["padding"], p["dilation"])
        axes: dict[str, list[str]] = {}  # one panel per distinct formula, naming its axes
        for axis, f in zip(("depth", "height", "width"), formulas):
            axes.setdefault(f.text, []).append(axis)
        titled = [(next(f for f in formulas if f.text == text), ", ".join(names) + ":") for text, names in axes.items()]
        panels = VGroup(*(FormulaPanel(f, title=title, theme=t, latex=False, inline=True, font_size=28)
                          for f, title in titled)).arrange(DOWN, buff=0.08, aligned_edge=LEFT)
        panels.scale_to_fit_height(min(panels.height, 1.5)).to_edge(DOWN, buff=0.2)
        self.shown["formula"] = [panel.text for panel in panels]
        self.shown["formula_values"] = tuple(panel.value for panel in panels)
        self.shown["formula_axes"] = [tuple(names) for names in axes.values()]
        self.play(*(FadeOut(w) for w in self.windows), swap_caption(self.caption, panels), run_time=0.8)
        self.wait(3.0)
