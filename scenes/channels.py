"""Channels as tensors: a multi-channel convolution number by number, and groups / depthwise convolutions.

``MultiChannelConv``: a C_in×H×W input, C_out filters of C_in×k×k; the window on every input channel at once,
each channel's sum, the sum over channels plus the bias landing in the output cell, one output plane per filter.
``GroupedConv``: groups = 1, g and C_in (depthwise), which input channels each filter sees, weights and
multiply-adds; depthwise-separable = depthwise then 1×1, and its saving. Every number comes from convmath.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arrow, Create, FadeIn, FadeOut, MarkupText, Rectangle, Text,
                   TransformFromCopy, VGroup, config)

from convmath import conv_counts, explain_conv, group_channels, separable_counts
from convmath.trace import ConvTrace, conv2d_trace

from .base import ConvvizScene
from .components import Caption, FormulaPanel, KernelWindow, TensorStack, format_number, shape_text, swap_caption
from .params import SEED, Param, ParamError, channel_params, drawn_values, random_tensor

__all__ = ["MultiChannelConv", "GroupedConv"]

TOP = 3.15          # top of the drawing area (under the header)
BOTTOM = -2.45      # bottom of the drawing area (the strip under it holds sums and captions)
MIN_CELL = 0.32     # smaller cells drop their numbers: refused instead, the numbers are the point here


def _factor(value: float) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith("−") else text


def _span(text: str, color: str) -> str:
    return f'<span foreground="{color}">{text}</span>'


class MultiChannelConv(ConvvizScene):
    """C_in×H×W input, C_out filters of C_in×k×k: every channel's window at once, the sums, the bias, each plane."""

    SUMMARY = "a C_in×H×W input and C_out filters: per-channel sums, the bias, one output plane per filter"
    PARAMS = (
        *channel_params(3, 2, 4, 4, "as number grids"),
        Param("size", "int", 5, "input height and width", low=1, high=9, reason="the grids must stay readable"),
        Param("kernel", "int", 3, "kernel height and width k", low=1, high=5, reason="the filters are drawn in full"),
        Param("stride", "int", 2, "step of the window", low=1, high=4, reason="the steps are drawn one by one"),
        Param("padding", "padding", 1, "zeros around each channel: 1, same, valid", low=0, high=3,
              reason="the padded grids must stay readable"),
        Param("dilation", "int", 1, "spacing of the kernel taps", low=1, high=3, reason="the taps must fit the grid"),
        Param("bias", "bool", True, "add one bias per filter"),
        Param("bias_values", "ints", None, "the biases (one per filter); none: random 0 or 1", low=-9, high=9,
              max_side=4, reason="one small number per filter"),
        drawn_values("input", "input values C_in×H×W (they set c_in and size); none: random 0..2 from seed", 9),
        drawn_values("weights", "filters C_out×C_in×k×k (they set c_out, c_in, kernel); none: random −1..1", 5),
        SEED,
    )
    SIZED_BY = {"input": ("c_in", "size", "size"), "weights": ("c_out", "c_in", "kernel", "kernel")}
    PRESETS = {
        "cs231n": {"c_in": 3, "c_out": 2, "size": 5, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1,
                   "bias": True, "bias_values": (1, 0), "seed": 231},
        "one_channel": {"c_in": 1, "c_out": 1, "size": 4, "kernel": 3, "stride": 1, "padding": 0},
        "rgb_same": {"c_in": 3, "c_out": 1, "size": 4, "kernel": 3, "stride": 1, "padding": "same"},
    }
    FULL_CELLS = 2   # output cells of the first filter shown with every channel's sum

    @classmethod
    def arrays(cls, p: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(input, weights, biases): given, or seeded random small ints as in CS231n's demo."""
        c_in, c_out, k, seed = p["c_in"], p["c_out"], p["kernel"], p["seed"]
        x = random_tensor(p["input"], (c_in, p["size"], p["size"]), "input", seed, 0, 2)
        w = random_tensor(p["weights"], (c_out, c_in, k, k), "weights", seed + 1, -1, 1)
        if not p["bias"]:
            if p["bias_values"] is not None:
                raise ParamError("bias_values is given but bias=false: set bias=true or drop bias_values.")
            return x, w, None
        b = p["bias_values"]
        if b is None:
            return x, w, np.random.default_rng(seed + 2).integers(0, 2, size=c_out)
        if len(b) != c_out:
            raise ParamError(f"bias_values has {len(b)} values: give one per filter ({c_out}).")
        return x, w, np.array(b)

    @classmethod
    def trace_for(cls, p: Mapping[str, Any]) -> ConvTrace:
        x, w, b = cls.arrays(p)
        return conv2d_trace(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"], bias=b)

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        trace = cls.trace_for(params)
        cell = cls.cell_size(trace)
        if cell < MIN_CELL:
            raise ParamError(f"{params['c_in']} channels of {shape_text(trace.padded.shape[1:])} (padded) and "
                             f"{params['c_out']} filters do not fit the frame with readable numbers: use fewer "
                             f"channels or filters, a smaller size or less padding.")

    @staticmethod
    def cell_size(trace: ConvTrace) -> float:
        """One cell size for every grid: input planes side by side on top, one row of filter slices per filter
        under them, the output planes in a column on the right."""
        c_in, hp, wp = trace.padded.shape
        c_out, _, k, _ = trace.w.shape
        oh, ow = trace.output.shape[1:]
        width = (config.frame_width - 1.0 - 1.4 - 0.5 * (c_in - 1) - 1.2) / (c_in * wp + ow)
        height = (TOP - BOTTOM - 0.55 - 0.3 * c_out) / (hp + c_out * k)
        column = (TOP - BOTTOM - 0.5 - 0.55 * (c_out - 1)) / (c_out * oh)
        return min(0.55, width, height, column)

    # --- layout -------------------------------------------------------------------------------------

    def build(self) -> None:
        """The detailed layout: input planes on top, filter slices under them, output planes on the right."""
        t, tr = self.theme, self.trace_for(self.params)
        self.trace = tr
        c_in, c_out = tr.x.shape[0], tr.w.shape[0]
        cell = self.cell_size(tr)
        self.inputs = VGroup(*(TensorStack(tr.padded[i][None], role="input", cell_size=cell, layout="column",
                                           pads=tr.pads, channel_names=[""], theme=t) for i in range(c_in)))
        for i, stack in enumerate(self.inputs):
            stack.remove(stack.label)
            stack.add(Text(f"channel {i}", font=t.font, color=t.muted, font_size=22).next_to(stack.planes, UP, 0.12))
        self.inputs.arrange(RIGHT, buff=0.5, aligned_edge=UP).to_edge(LEFT, buff=1.9).align_to([0, TOP, 0], UP)
        self.filters = VGroup()
        for o in range(c_out):
            row = VGroup(*(TensorStack(tr.w[o, i][None], role="kernel", cell_size=cell, layout="column",
                                       channel_names=[""], theme=t).planes[0] for i in range(c_in)))
            top = (self.inputs.get_bottom()[1] - 0.3) if o == 0 else (self.filters[-1].get_bottom()[1] - 0.3)
            for i, plane in enumerate(row):
                plane.align_to(self.inputs[i].planes, LEFT).align_to([0, top, 0], UP)
            self.filters.add(row)
        self.filter_names = VGroup(*(self._filter_name(o) for o in range(c_out)))
        self.outputs = TensorStack(tr.output, role="output", cell_size=cell, layout="column", name="output",
                                   gap=0.55, channel_names=[f"{o}" for o in range(c_out)], hide_values=True, theme=t)
        self.outputs.to_edge(RIGHT, buff=0.5).align_to([0, TOP, 0], UP)
        for plane in self.outputs.planes:
            for square in plane.cells:
                square.set_fill(opacity=0).set_stroke(opacity=0.35)
        self.windows = VGroup(*(KernelWindow(self.inputs[i].planes[0], tr.w.shape[2], tr.w.shape[3],
                                             dilation=tr.dilation, theme=t) for i in range(c_in)))
        self.sums = VGroup()

    def _filter_name(self, o: int) -> VGroup:
        t = self.theme
        lines = [Text(f"filter {o}", font=t.font, color=t.kernel, font_size=24)]
        if self.trace.bias is not None:
            lines.append(Text(f"bias {format_number(self.trace.bias[o])}", font=t.font, color=t.text, font_size=22))
        name = VGroup(*lines).arrange(DOWN, aligned_edge=RIGHT, buff=0.08)
        return name.next_to(self.filters[o], LEFT, buff=0.3)

    # --- beats --------------------------------------------------------------------------------------

    def construct(self) -> None:
        self.build()
        self.shapes()
        self.layout()
        self.first_filter()
        self.other_filters()
        self.summary()

    def shapes(self) -> None:
        """The three tensors as blocks with their shapes: where C_out comes from."""
        self.beat("shapes")
        t, tr, p = self.theme, self.trace, self.params
        c_in, c_out, k = tr.x.shape[0], tr.w.shape[0], tr.w.shape[2]
        blocks = VGroup(
            TensorStack(tr.x, role="input", cell_size=0.45, name="input", theme=t),
            TensorStack(tr.w[0], role="kernel", cell_size=0.45, name=f"{c_out} × filter",
                        shape=tr.w.shape[1:], theme=t),
            TensorStack(tr.output, role="output", cell_size=0.45, name="output", hide_values=True, theme=t),
        ).arrange(RIGHT, buff=1.6)
        blocks.scale_to_fit_width(min(blocks.width, config.frame_width - 1.5)).move_to([0, 0.3, 0])
        arrows = VGroup(*(Arrow(a.get_right(), b.get_left(), buff=0.25, color=t.muted, stroke_width=4)
                          for a, b in zip(blocks[:-1], blocks[1:])))
        self.shown["shapes"] = [shape_text(tr.x.shape), shape_text(tr.w.shape[1:]), shape_text(tr.output.shape)]
        text = (f"{c_in} channels in, {c_out} filters of {c_in}×{k}×{k}: "
                f"{c_out} output channel{'s' if c_out > 1 else ''}, one per filter.")
        caption = Caption(text, theme=t)
        header = Text(f"stride {p['stride']}  ·  padding {p['padding']}  ·  dilation {p['dilation']}",
                      font=t.font, color=t.muted, font_size=26).to_edge(UP, buff=0.25)
        self.header = header
        self.play(FadeIn(header), FadeIn(blocks[0]), run_time=0.8)
        self.play(FadeIn(blocks[1]), Create(arrows[0]), run_time=0.8)
        self.play(FadeIn(blocks[2]), Create(arrows[1]), FadeIn(caption), run_time=0.8)
        self.wait(2.0)
        self.play(FadeOut(blocks), FadeOut(arrows), FadeOut(caption), run_time=0.6)

    def layout(self) -> None:
        """Every channel as a grid, every filter as one k×k slice per input channel."""
        self.beat("channels")
        t, tr = self.theme, self.trace
        text = (f"Each filter has one {tr.w.shape[2]}×{tr.w.shape[3]} slice per input channel"
                + (f"; padding makes each channel {shape_text(tr.padded.shape[1:])}." if any(tr.pads) else "."))
        self.caption = Caption(text, theme=t)
        self.add(self.inputs, self.filters, self.filter_names, self.outputs)
        self.play(FadeIn(self.inputs), FadeIn(self.filters), FadeIn(self.filter_names), FadeIn(self.outputs),
                  FadeIn(self.caption), run_time=1.0)
        self.wait(1.5)
        self.shown["filter_rows"] = len(self.filters)

    def focus(self, o: int) -> Rectangle:
        """A frame around filter o's row, wide enough for the channel sums written right of each slice."""
        row = VGroup(self.filters[o], self.filter_names[o])
        right = max(self.filters[o].get_right()[0] + 1.0, self.inputs.get_right()[0] + 0.1)
        box = Rectangle(width=right - row.get_left()[0] + 0.15, height=row.height + 0.2, color=self.theme.kernel,
                        stroke_width=3)
        return box.move_to([(row.get_left()[0] - 0.15 + right) / 2, row.get_center()[1], 0])

    def move_windows(self, r: int, c: int) -> list:
        rows, cols = self.trace.window(r, c)
        return [w.animate.move_to(w.target_for(int(rows[0]), int(cols[0]))) for w in self.windows]

    def channel_sum(self, o: int, i: int, r: int, c: int) -> Text:
        """``= 3`` to the right of filter o's slice for channel i: the products of that channel, summed."""
        value = self.trace.channel_sums[o, i, r, c]
        text = Text(f"= {format_number(value)}", font=self.theme.font, color=self.theme.text, font_size=24)
        return text.next_to(self.filters[o][i], RIGHT, buff=0.12)

    def products_line(self, o: int, i: int, r: int, c: int) -> MarkupText | None:
        """``channel i: a·b + … = s`` for small kernels (None when the line would not fit)."""
        tr, t = self.trace, self.theme
        rows, cols = tr.window(r, c)
        window = tr.padded[i][np.ix_(rows, cols)]
        if window.size > 9:
            return None
        terms = " + ".join(f"{_span(_factor(a), t.input)}·{_span(_factor(b), t.kernel)}"
                           for a, b in zip(window.ravel(), tr.w[o, i].ravel()))
        line = MarkupText(f"channel {i}:  {terms} = {format_number(tr.channel_sums[o, i, r, c])}", font=t.font,
                          color=t.text, font_size=28)
        if line.width > config.frame_width - 1:
            line.scale_to_fit_width(config.frame_width - 1)
        return line.to_edge(DOWN, buff=0.35)

    def total_line(self, o: int, r: int, c: int) -> MarkupText:
        """``3 + (−2) + 1 + bias 1 = 3``: the channel sums and the bias adding up to the output cell."""
        tr, t = self.trace, self.theme
        parts = [_factor(v) for v in tr.channel_sums[o, :, r, c]]
        if tr.bias is not None:
            parts.append(f"bias {_factor(tr.bias[o])}")
        value = format_number(tr.output[o, r, c])
        text = f"{' + '.join(parts)} = {_span(value, t.output)}"
        line = MarkupText(f"sum over channels: {text}", font=t.font, color=t.text, font_size=30)
        if line.width > config.frame_width - 1:
            line.scale_to_fit_width(config.frame_width - 1)
        line.number = line[-len(value):]  # the result's glyphs (the last ones: one per character)
        return line.to_edge(DOWN, buff=0.35)

    def reveal(self, o: int, r: int, c: int) -> list:
        plane = self.outputs.plane(o)
        cell = plane.cell(r, c)
        anims = [cell.animate.set_fill(opacity=self.theme.cell_fill_opacity).set_stroke(opacity=1)]
        if plane.show_numbers:
            anims.append(FadeIn(plane.reveal(r, c), scale=1.3))
        return anims

    def full_cell(self, o: int, r: int, c: int, products: bool) -> None:
        """Every channel's sum beside its filter slice (products written out for the first cell), then the total."""
        old = [FadeOut(m) for m in (self.caption, *self.sums) if m in self.mobjects]
        self.play(*self.move_windows(r, c), *old, run_time=0.6)
        self.sums = VGroup()
        line = None
        for i in range(self.trace.x.shape[0]):
            total = self.channel_sum(o, i, r, c)
            new = self.products_line(o, i, r, c) if products else None
            anims = [FadeIn(total)] + ([swap_caption(line, new)] if new is not None else [])
            self.play(self.windows[i].animate.set_stroke(width=8), *anims, run_time=0.5)
            self.play(self.windows[i].animate.set_stroke(width=max(3.0, 9 * self.windows[i].grid.cell_size)),
                      run_time=0.2)
            self.wait(1.0 if new is not None else 0.3)
            self.sums.add(total)
            line = new if new is not None else line
        self.caption = self.total_line(o, r, c)
        self.play(swap_caption(line, self.caption), run_time=0.5)
        plane = self.outputs.plane(o)
        shown = plane.numbers.get((r, c)) is not None
        source = [TransformFromCopy(self.caption.number, plane.reveal(r, c))] if shown else []
        self.play(*source, *(a for a in self.reveal(o, r, c)[:1]), run_time=0.8)
        self.wait(1.2)

    def fast_cells(self, o: int, cells: list[tuple[int, int]]) -> None:
        for r, c in cells:
            self.play(*self.move_windows(r, c), *self.reveal(o, r, c), run_time=0.3)

    def first_filter(self) -> None:
        """Filter 0: the windows on every channel at once, each channel's sum, the bias, the output cell."""
        self.beat("one output cell")
        tr = self.trace
        oh, ow = tr.output.shape[1:]
        cells = [(r, c) for r in range(oh) for c in range(ow)]
        self.box = self.focus(0)
        rows, cols = tr.window(0, 0)
        for w in self.windows:
            w.move_to_cell(int(rows[0]), int(cols[0]))
        self.play(Create(self.box), *(Create(w) for w in self.windows), run_time=0.8)
        shown = []
        for n, (r, c) in enumerate(cells[: self.FULL_CELLS]):
            self.full_cell(0, r, c, products=n == 0)
            shown.append({"cell": (r, c), "channel_sums": tr.channel_sums[0, :, r, c].tolist(),
                          "bias": None if tr.bias is None else tr.bias[0].item(), "output": tr.output[0, r, c].item()})
        self.shown["cells"] = shown
        self.beat("the rest of filter 0")
        self.play(*(FadeOut(m) for m in (self.caption, *self.sums)), run_time=0.3)
        self.sums = VGroup()
        self.caption = Caption("… the same for every window position: filter 0 fills output channel 0.",
                               theme=self.theme)
        self.play(FadeIn(self.caption), run_time=0.4)
        self.fast_cells(0, cells[self.FULL_CELLS:])

    def other_filters(self) -> None:
        """Each further filter slides over the same input and fills its own output plane."""
        tr = self.trace
        oh, ow = tr.output.shape[1:]
        cells = [(r, c) for r in range(oh) for c in range(ow)]
        for o in range(1, tr.w.shape[0]):
            self.beat(f"filter {o}")
            caption = Caption(f"Filter {o} sees the same {tr.x.shape[0]} channels and fills output channel {o}.",
                              theme=self.theme)
            box = self.focus(o)
            self.play(swap_caption(self.caption, caption), self.box.animate.become(box),
                      *self.move_windows(0, 0), run_time=0.6)
            self.caption = caption
            self.fast_cells(o, cells)
        self.shown["output"] = tr.output.copy()
        self.shown["output_numbers"] = np.stack([plane.shown_values() for plane in self.outputs.planes])

    def summary(self) -> None:
        """The layer's size and cost (conv_counts) and the output-size formula (explain_conv)."""
        self.beat("counts")
        t, tr, p = self.theme, self.trace, self.params
        c_out, c_in, k, _ = tr.w.shape
        counts = conv_counts(c_in, c_out, k, tr.x.shape[1:], p["stride"], p["padding"], p["dilation"],
                             bias=tr.bias is not None)
        formula = explain_conv(tr.x.shape[1], k, p["stride"], p["padding"], p["dilation"])
        outputs = int(np.prod(counts.output))
        lines = [f"weights {c_out}×{c_in}×{k}×{k} = {counts.weights}", f"biases {counts.biases}",
                 f"multiply-adds {counts.weights} × {outputs} output cells = {counts.multiply_adds}"]
        room = config.frame_width - 0.8
        text = Text("  ·  ".join(lines), font=t.font, color=t.text, font_size=26)
        text.scale_to_fit_width(min(text.width, room))
        panel = FormulaPanel(formula, title="output height and width:", theme=t, latex=False, inline=True,
                             font_size=30)
        block = VGroup(text, panel).arrange(DOWN, buff=0.15)
        block.scale_to_fit_height(min(block.height, 1.3))
        block.scale_to_fit_width(min(block.width, room)).to_edge(DOWN, buff=0.2)
        self.shown["counts"] = counts
        self.shown["count_lines"] = lines
        self.shown["formula"] = panel.text
        self.play(FadeOut(self.caption), FadeOut(self.box), *(FadeOut(w) for w in self.windows), run_time=0.4)
        self.play(FadeIn(block), run_time=0.8)
        self.wait(3.0)


def _count(n: int) -> str:
    """1234567 as '1 234 567' (thin spaces: no comma to confuse with a list)."""
    return f"{n:,}".replace(",", "\u2009")


class GroupedConv(ConvvizScene):
    """groups = 1, g, C_in: which input channels each filter sees; depthwise-separable and its saving."""

    SUMMARY = "groups = 1, g and C_in (depthwise): which channels each filter sees, weights, multiply-adds, the " \
              "depthwise-separable saving"
    PARAMS = (
        *channel_params(4, 8, 12, 12, "as a line of the table"),
        Param("groups", "int", 2, "the middle case g (must divide c_in and c_out)", low=1, high=12,
              reason="at most one group per channel"),
        Param("kernel", "int", 3, "kernel height and width k", low=1, high=7, reason="a small conv layer"),
        Param("size", "int", 8, "input height and width, for the multiply-adds", low=1, high=512,
              reason="an image size"),
        Param("padding", "padding", "same", "zeros around the input (same keeps the size)", low=0, high=3,
              reason="at most the kernel's reach"),
    )
    PRESETS = {
        "mobilenet": {"c_in": 8, "c_out": 8, "groups": 4, "kernel": 3, "size": 56, "padding": 1},
        "resnext": {"c_in": 8, "c_out": 8, "groups": 2, "kernel": 3, "size": 14, "padding": 1},
    }

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        cls.counts(params, params["groups"])
        separable_counts(params["c_in"], params["c_out"], params["kernel"], (params["size"],) * 2,
                         padding=params["padding"])

    @staticmethod
    def counts(p: Mapping[str, Any], groups: int, c_out: int | None = None):
        return conv_counts(p["c_in"], p["c_out"] if c_out is None else c_out, p["kernel"], (p["size"],) * 2,
                           padding=p["padding"], groups=groups, bias=False)

    def construct(self) -> None:
        t, p = self.theme, self.params
        self.header = Text(f"{p['c_in']} input channels  ·  kernel {p['kernel']}×{p['kernel']}  ·  input "
                           f"{p['size']}×{p['size']}", font=t.font, color=t.muted, font_size=26).to_edge(UP, 0.25)
        self.add(self.header)
        self.shown["panels"] = []
        cases = [(1, p["c_out"], "groups = 1"), (p["groups"], p["c_out"], f"groups = {p['groups']}"),
                 (p["c_in"], p["c_in"], f"groups = {p['c_in']}: depthwise")]
        width = (config.frame_width - 1.0) / 3
        self.panels = VGroup()
        for n, (g, c_out, title) in enumerate(cases):
            self.beat(title)
            panel = self.panel(g, c_out, title, width)
            panel.move_to([-config.frame_width / 2 + 0.5 + width * (n + 0.5), 0, 0]).align_to([0, 3.1, 0], UP)
            self.play(FadeIn(panel), run_time=0.8)
            self.wait(2.0)
            self.panels.add(panel)
        self.caption = Caption("Each filter sees only its group's channels: fewer weights, fewer multiply-adds.",
                               theme=t)
        self.play(FadeIn(self.caption), run_time=0.5)
        self.wait(2.0)
        self.separable()

    def panel(self, groups: int, c_out: int, title: str, width: float) -> VGroup:
        """A c_out × c_in table: row o is filter o, a filled cell the input channel it sees, coloured by group;
        under it the weights and multiply-adds (conv_counts)."""
        t, p = self.theme, self.params
        seen = group_channels(p["c_in"], c_out, groups)
        counts = self.counts(p, groups, c_out)
        cell = min(0.45, (width - 1.2) / p["c_in"], 3.6 / c_out)
        table = VGroup()
        for o, channels in enumerate(seen):
            for c in range(p["c_in"]):
                color = t.classes[(c * groups // p["c_in"]) % len(t.classes)]
                square = Rectangle(width=cell, height=cell, stroke_color=color if c in channels else t.muted,
                                   stroke_width=2 if c in channels else 1, stroke_opacity=1 if c in channels else 0.4,
                                   fill_color=color, fill_opacity=0.75 if c in channels else 0)
                table.add(square.move_to([c * cell, -o * cell, 0]))
        heading = Text(title, font=t.font, color=t.text, font_size=28)
        top = Text("input channels →", font=t.font, color=t.input, font_size=20)
        side = Text("filters ↓", font=t.font, color=t.kernel, font_size=20)
        lines = [f"{c_out} filters of {p['c_in'] // groups}×{p['kernel']}×{p['kernel']}",
                 f"weights {_count(counts.weights)}", f"multiply-adds {_count(counts.multiply_adds)}"]
        numbers = VGroup(*(Text(line, font=t.font, color=t.text, font_size=22) for line in lines))
        numbers.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        top.next_to(table, UP, buff=0.12)
        side.rotate(np.pi / 2).next_to(table, LEFT, buff=0.12)
        group = VGroup(heading, VGroup(top, side, table), numbers).arrange(DOWN, buff=0.3)
        if group.width > width - 0.1:
            group.scale_to_fit_width(width - 0.1)
        self.shown["panels"].append({"groups": groups, "c_out": c_out, "sees": [tuple(r) for r in seen],
                                     "weights": counts.weights, "multiply_adds": counts.multiply_adds})
        return group

    def separable(self) -> None:
        """Depthwise then 1×1 pointwise against one standard conv: the counts and their ratio."""
        self.beat("depthwise-separable")
        t, p = self.theme, self.params
        s = separable_counts(p["c_in"], p["c_out"], p["kernel"], (p["size"],) * 2, padding=p["padding"])
        k = p["kernel"]
        rows = [
            ("depthwise", f"{k}×{k}, groups = {p['c_in']}", s.depthwise),
            ("pointwise", f"1×1, {p['c_in']} → {p['c_out']}", s.pointwise),
            ("standard", f"{k}×{k}, {p['c_in']} → {p['c_out']}", s.standard),
        ]
        table = VGroup()
        for name, what, c in rows:
            color = t.muted if name == "standard" else t.kernel
            table.add(Text(name, font=t.font, color=color, font_size=28), Text(what, font=t.font, color=t.text,
                                                                                font_size=28),
                      Text(f"{_count(c.weights)} weights", font=t.font, color=t.text, font_size=28),
                      Text(f"{_count(c.multiply_adds)} multiply-adds", font=t.font, color=t.text, font_size=28))
        table.arrange_in_grid(rows=3, cols=4, buff=(0.5, 0.3), col_alignments="llrr")
        ratio = s.weight_ratio
        line = (f"depthwise + pointwise = {ratio.numerator}/{ratio.denominator} ≈ {float(ratio):.2f} of the standard "
                f"conv ({float(s.weight_saving):.1f}× fewer weights) = 1/C_out + 1/k²")
        summary = Text(line, font=t.font, color=t.output, font_size=28)
        block = VGroup(Text("Depthwise-separable: a depthwise conv, then a 1×1 conv mixing the channels",
                            font=t.font, color=t.text, font_size=30), table, summary).arrange(DOWN, buff=0.5)
        if block.width > config.frame_width - 1:
            block.scale_to_fit_width(config.frame_width - 1)
        block.move_to([0, -0.2, 0])
        self.shown["separable"] = s
        self.shown["separable_text"] = line
        self.play(FadeOut(self.panels), FadeOut(self.caption), run_time=0.5)
        self.play(FadeIn(block[0]), FadeIn(table[:8]), run_time=0.8)
        self.wait(1.5)
        self.play(FadeIn(table[8:]), run_time=0.6)
        self.wait(1.0)
        self.play(FadeIn(summary), run_time=0.6)
        self.wait(3.0)
