"""OutputPaddingAmbiguity: one conv maps several input sizes to one output size; output_padding picks one back.

Every size, pad, value and code comment comes from convmath (the scene draws, it does not compute).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from manim import DOWN, RIGHT, UP, Arrow, Create, FadeIn, FadeOut, Text, Transform, VGroup, config

from convmath import ConvArithmeticError, ConvTrace, conv2d_trace, explain_conv, explain_transposed
from convmath import output_ambiguity
from convmath.arithmetic import axis_params

from .base import ConvvizScene
from .components import (EDGE_MARGIN, Caption, CodePanel, FormulaPanel, KernelWindow, NumberGrid, fit_cell_size,
                         padded_grid, scene_title)
from .params import Param, ParamError

__all__ = ["OutputPaddingAmbiguity", "Ambiguity", "ambiguity"]

FORMULA_SIZE = 36  # formula panels in the text's sans font (its lines at 0.75 of this, like the captions' 27)
LECTURE_INPUT = [[2, 1, 0, 3], [0, 0, 1, 2], [3, 1, 2, 0], [0, 2, 2, 1]]
LECTURE_KERNEL = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


@dataclass(frozen=True)
class Ambiguity:
    """Everything the scene shows, from convmath: colliding sizes, their convs, the transposed sizes, the code."""

    sizes: list[int]                  # every input size the conv maps to `output`
    output: int
    traces: dict[int, ConvTrace]      # conv of each shown input size (zeros unless values were given)
    output_paddings: dict[int, int]   # input size -> output_padding that gives it back
    transposed: dict[int, int]        # output_padding -> transposed output size
    inferred: int | None              # Keras with output_padding=None
    code: dict[str, str]              # "PyTorch" / "Keras" -> runnable lines (a framework without an equivalent: none)
    has_values: bool


def _layer(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: params[k] for k in ("kernel", "stride", "padding", "dilation")}


def _pads(i: int, params: Mapping[str, Any]) -> tuple[int, int]:
    """(before, after) zeros the conv adds to an input of size i (convmath's rule for the convention)."""
    axis = axis_params(1, False, params["kernel"], params["stride"], params["padding"], params["dilation"],
                       params["convention"])[0]
    return axis.conv_pads(i)


def _check_values(params: Mapping[str, Any], sizes: list[int]) -> None:
    """input and weights: both or neither; input the largest colliding size, weights kernel×kernel."""
    x, w, k = params["input"], params["weights"], params["kernel"]
    if (x is None) != (w is None):
        raise ParamError("input and weights go together: give both (numbers shown) or neither (shapes only).")
    if x is not None:
        if x.shape != (sizes[-1], sizes[-1]):
            raise ParamError(f"input has shape {x.shape[0]}×{x.shape[1]}: it must be the largest colliding size, "
                             f"{sizes[-1]}×{sizes[-1]}.")
        if w.shape != (k, k):
            raise ParamError(f"weights has shape {w.shape[0]}×{w.shape[1]}: it must be kernel×kernel, {k}×{k}.")


MAX_SIDE = 16  # the largest colliding input drawn
DRAWN = "every colliding input is drawn"


def ambiguity(params: Mapping[str, Any]) -> Ambiguity:
    """Gather the scene's numbers from convmath; raises ConvArithmeticError / ParamError on bad values."""
    o, k, s, d, conv = params["output"], params["kernel"], params["stride"], params["dilation"], params["convention"]
    found = output_ambiguity((o, o), **_layer(params), convention=conv)
    axis = found.given.axes[0]
    sizes = list(axis.inputs)
    if sizes and sizes[-1] > MAX_SIDE:
        raise ParamError(f"the largest colliding input would be {sizes[-1]}×{sizes[-1]}: the scene draws up to "
                         f"{MAX_SIDE}×{MAX_SIDE}; use a smaller output, kernel, stride or dilation.")
    if not sizes:
        raise ParamError(f"output={o} is not produced by this conv from any input size: try a larger output.")
    if len(sizes) < 2:
        raise ParamError(f"stride={s} maps only input size {sizes[0]} to output {o}, so there is no ambiguity: "
                         "use stride 2 or more.")
    refused = next((r for r in axis.transposed if r.output_padding is None), None)
    if refused is not None:
        raise ConvArithmeticError(f"input size {refused.input} cannot be given back: {refused.refusal}")
    ops = axis.output_paddings
    transposed = {ops[i]: i for i in sorted(sizes, key=ops.get)}
    _check_values(params, sizes)
    x, w = params["input"], params["weights"]
    traces = {}
    for i in (sizes[0], sizes[-1]):
        pads = _pads(i, params)
        values = x if (x is not None and i == sizes[-1]) else np.zeros((i, i), dtype=int)
        kernel = w if w is not None else np.ones((k, k), dtype=int)
        traces[i] = conv2d_trace(values, kernel, stride=s, padding=(pads, pads), dilation=d)
    code = {view.name: view.program for view in (found.torch, found.keras) if view.program}
    return Ambiguity(sizes, o, traces, ops, transposed, axis.inferred, code, x is not None)


def _sizes_text(sizes: list[int]) -> str:
    return ", ".join(f"{i}×{i}" for i in sizes)


class OutputPaddingAmbiguity(ConvvizScene):
    """Two (or s) input sizes collide on one output size; the transposed conv returns the smallest and
    output_padding gives back the others, in PyTorch and Keras code with the real shapes."""

    PARAMS = (
        Param("kernel", "int", 3, "kernel size k", low=1, high=7, reason=DRAWN),
        Param("stride", "int", 2, "stride s (2 or more: stride 1 has no ambiguity)", low=1, high=3,
              reason="every colliding input is drawn side by side"),
        Param("padding", "padding", 1, "padding p: an int (torch) or 'same' / 'valid' (keras)", low=0, high=4,
              max_side=1, reason=DRAWN),
        Param("dilation", "int", 1, "dilation d", low=1, high=3, reason=DRAWN),
        Param("output", "int", 3, "the conv's output size o (square)", low=1, high=6, reason=DRAWN),
        Param("convention", "str", "torch", "whose layers: torch or keras", choices=("torch", "keras")),
        Param("input", "matrix", None, "values of the largest colliding input (with weights: numbers shown)",
              max_side=MAX_SIDE, low=-99, high=99, reason="each value is written in its cell"),
        Param("weights", "matrix", None, "kernel values, kernel×kernel (with input)", max_side=7,
              low=-99, high=99, reason="each value is written in its cell"),
    )
    PRESETS = {
        "stride_3": {"stride": 3, "output": 3},
        "keras_same": {"convention": "keras", "padding": "same"},
        "lecture_keras_same": {"convention": "keras", "padding": "same", "output": 2,
                               "input": LECTURE_INPUT, "weights": LECTURE_KERNEL},
    }
    SUMMARY = "several input sizes give one output size; output_padding picks which one the transposed conv returns"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        ambiguity(params)

    def construct(self) -> None:
        a = ambiguity(self.params)
        t = self.theme
        self.shown.update(sizes=list(a.sizes), output_shape=(a.output, a.output), output_paddings=dict(a.output_paddings),
                          transposed=dict(a.transposed), inferred=a.inferred, formulas=[])
        title = scene_title("Specifying output size", t)
        self.add(title)
        inputs, out_grid = self.collide(a)
        self.uncovered(a, inputs)
        self.remove(*[m for m in self.mobjects if m is not title and m is not out_grid])
        picture = self.transposed_beat(a, out_grid)
        self.code_beats(a)
        self.summary(a, title, picture)

    # -- beat 1: the collision ------------------------------------------------------------------------------
    def collide(self, a: Ambiguity) -> tuple[list[NumberGrid], NumberGrid]:
        t, p = self.theme, self.params
        self.beat("several inputs, one output size")
        small, large = a.sizes[0], a.sizes[-1]
        ts, tl = a.traces[small], a.traces[large]
        cols = ts.padded.shape[1] + tl.padded.shape[1] + a.output
        rows = max(tl.padded.shape[0], ts.padded.shape[0])
        cell = fit_cell_size(rows, cols, config.frame_width - 5.0, 3.3, largest=0.65)
        while True:  # shrink the cells until the row (labels included) fits the frame
            grids = []
            for i, tr in ((small, ts), (large, tl)):
                top, bottom, left, right = tr.pads
                pad_text = f"padding {top}" if len({top, bottom, left, right}) == 1 else f"padding {top}+{bottom}"
                grids.append(padded_grid(tr.padded, tr.pads, role="input", label=f"input {i}×{i}\n{pad_text}",
                                         cell_size=cell, show_numbers=a.has_values and i == large, theme=t))
            out = NumberGrid(tl.output, role="output", label=f"output {a.output}×{a.output}", cell_size=cell,
                             show_numbers=a.has_values, theme=t)
            row = VGroup(grids[0], out, grids[1]).arrange(RIGHT, buff=1.6)
            if row.width <= config.frame_width - 0.6:
                break
            cell *= 0.9
        row.move_to(UP * 1.1)
        arrows = VGroup(Arrow(grids[0].cells.get_right(), out.cells.get_left(), color=t.muted, buff=0.15),
                        Arrow(grids[1].cells.get_left(), out.cells.get_right(), color=t.muted, buff=0.15))
        conv_label = Text("conv", font=t.font, color=t.kernel, font_size=26)
        arrow_labels = VGroup(*(conv_label.copy().next_to(ar, UP, buff=0.08) for ar in arrows))
        formulas = VGroup()
        for i in (small, large):
            f = explain_conv(i, **_layer(p), convention=p["convention"])
            self.shown["formulas"].append(f.text)
            formulas.add(FormulaPanel(f, theme=t, latex=False, font_size=FORMULA_SIZE))
        # Side by side under the row, the small input's on the left like its grid; shrunk only to fit the frame.
        formulas.arrange(RIGHT, buff=0.4, aligned_edge=UP)
        if formulas.width > config.frame_width - 2 * EDGE_MARGIN:
            formulas.scale_to_fit_width(config.frame_width - 2 * EDGE_MARGIN)
        formulas.next_to(row, DOWN, buff=0.25).set_x(0)
        listed = Caption(f"Input sizes {_sizes_text(a.sizes)} all give {a.output}×{a.output}.", theme=t)
        self.play(FadeIn(grids[0]), FadeIn(grids[1]), run_time=1)
        self.play(Create(arrows), FadeIn(arrow_labels), FadeIn(out), run_time=1.2)
        self.play(FadeIn(formulas), FadeIn(listed), run_time=1)
        self.wait(2.5)
        self.shown.update(input_shapes=[(small, small), (large, large)], pads={small: ts.pads, large: tl.pads},
                          output=tl.output if a.has_values else None,
                          padded=tl.padded if a.has_values else None)
        self.caption = listed
        self.formulas = formulas
        return grids, out

    # -- beat 2: what the windows never touch ---------------------------------------------------------------
    def uncovered(self, a: Ambiguity, grids: list[NumberGrid]) -> None:
        t = self.theme
        self.beat("the rows no window covers")
        large = a.sizes[-1]
        tr, grid = a.traces[large], grids[1]
        kh, kw = tr.w.shape
        window = KernelWindow(grid, kh, kw, dilation=tr.dilation, theme=t)
        first_rows, first_cols = tr.window(0, 0)
        window.move_to_cell(first_rows[0], first_cols[0])
        self.play(FadeOut(self.formulas), Create(window), run_time=0.6)
        oh, ow = tr.output.shape
        for r in range(oh):
            for c in range(ow):
                if (r, c) == (0, 0):
                    continue
                rows, cols = tr.window(r, c)
                self.play(window.animate.move_to(window.target_for(rows[0], cols[0])), run_time=0.3)
        rows, cols = tr.uncovered_rows, tr.uncovered_cols
        self.shown["uncovered"] = {large: (rows, cols)}
        last_r, last_c = grid.rows - 1, grid.cols - 1
        if rows or cols:
            marks = VGroup(*(grid.region(r, 0, r, last_c) for r in rows), *(grid.region(0, c, last_r, c) for c in cols))
            note = Text("no window covers this", font=t.font, color=t.highlight, font_size=24)
            text = f"No window covers the highlighted row and column: {_sizes_text(a.sizes)} all give {a.output}×{a.output}."
        else:
            top, bottom, left, right = tr.pads
            marks = VGroup(*(grid.region(r, 0, r, last_c) for r in range(last_r - bottom + 1, last_r + 1)),
                           *(grid.region(0, c, last_r, c) for c in range(last_c - right + 1, last_c + 1)))
            note = Text("padding added", font=t.font, color=t.highlight, font_size=24)
            small = a.sizes[0]
            ps = a.traces[small].pads
            text = f"'same' pads {small}×{small} by {ps[0]}+{ps[1]}, {large}×{large} by {top}+{bottom}: both give {a.output}×{a.output}."
        note.next_to(grid, DOWN, buff=0.2)
        self.play(FadeOut(window), Create(marks), FadeIn(note), self.recaption(text), run_time=1.2)
        self.wait(3)

    # -- beat 3: the transposed conv and output_padding ---------------------------------------------------------
    def transposed_beat(self, a: Ambiguity, out_grid: NumberGrid) -> VGroup:
        """The transposed conv without and with output_padding; returns its picture (grids, arrows, labels)."""
        t, p = self.theme, self.params
        self.beat("back up: output_padding chooses")
        o = a.output
        op_small, op_large = a.output_paddings[a.sizes[0]], a.output_paddings[a.sizes[-1]]
        n_small, n_large = a.transposed[op_small], a.transposed[op_large]
        layer = "ConvTranspose2d" if p["convention"] == "torch" else "Conv2DTranspose"
        heads = [Text(layer, font=t.mono_font, color=t.kernel, font_size=22),
                 Text(f"output_padding={op_large}", font=t.mono_font, color=t.highlight, font_size=22)]
        gap = max(h.width for h in heads) + 0.3
        cell = fit_cell_size(n_large, n_small + n_large + o, config.frame_width - 1.0 - 2 * gap, 3.1, largest=0.55)
        y = NumberGrid(np.zeros((o, o)), role="input", label=f"input {o}×{o}", cell_size=cell,
                       show_numbers=False, theme=t)
        g0 = NumberGrid(np.zeros((n_small, n_small)), role="output", label=f"output {n_small}×{n_small}",
                        cell_size=cell, show_numbers=False, theme=t)
        g1 = NumberGrid(np.zeros((n_large, n_large)), role="output", label=f"output {n_large}×{n_large}",
                        cell_size=cell, show_numbers=False, theme=t)
        VGroup(y, g0, g1).arrange(RIGHT, buff=gap, aligned_edge=UP).move_to(UP * 1.0)
        arrows = VGroup(Arrow(y.cells.get_right(), [g0.cells.get_left()[0], y.cells.get_right()[1], 0],
                              color=t.muted, buff=0.1),
                        Arrow([g0.cells.get_right()[0], y.cells.get_right()[1], 0],
                              [g1.cells.get_left()[0], y.cells.get_right()[1], 0], color=t.highlight, buff=0.1))
        for head, arrow in zip(heads, arrows):
            head.next_to(arrow, UP, buff=0.1)
        added = VGroup(*(g1.region(r, 0, r, n_large - 1) for r in range(n_small, n_large)),
                       *(g1.region(0, c, n_large - 1, c) for c in range(n_small, n_large)))
        label = Text("output_padding", font=t.mono_font, color=t.highlight, font_size=24)
        label.next_to(g1.cells, DOWN, buff=0.15)
        formulas = VGroup()
        for op in (op_small, op_large):
            f = explain_transposed(o, **_layer(p), output_padding=op, convention=p["convention"])
            self.shown["formulas"].append(f.text)
            formulas.add(FormulaPanel(f, theme=t, latex=False, font_size=FORMULA_SIZE))
        formulas.arrange(RIGHT, buff=0.5).to_edge(DOWN, buff=0.9)
        if formulas.width > config.frame_width - 0.6:
            formulas.scale_to_fit_width(config.frame_width - 0.6)
        self.play(Transform(out_grid, y), run_time=1)
        self.play(Create(arrows[0]), FadeIn(heads[0]), FadeIn(g0), FadeIn(formulas[0]), self.recaption(
            f"The transposed conv of {o}×{o} returns {n_small}×{n_small} (output_padding={op_small})."), run_time=1.2)
        self.wait(2.5)
        self.play(Create(arrows[1]), FadeIn(heads[1]), FadeIn(g1), FadeIn(formulas[1]), run_time=1.2)
        self.play(Create(added), FadeIn(label), self.recaption(
            f"output_padding={op_large} adds the highlighted rows and columns: {n_large}×{n_large} again."), run_time=1)
        extra = []
        if a.inferred is not None:
            extra.append(f"output_padding=None (inferred): {a.inferred}×{a.inferred}")
        if len(a.sizes) > 2:
            extra.append("   ".join(f"output_padding={a.output_paddings[i]} → {i}×{i}" for i in a.sizes))
        if extra:
            note = Text("\n".join(extra), font=t.font, color=t.text, font_size=24, line_spacing=0.8)
            note.next_to(formulas, UP, buff=0.2)
            self.play(FadeIn(note), run_time=0.6)
        self.shown.update(transposed_shapes=[(n_small, n_small), (n_large, n_large)])
        self.wait(3.5)
        return VGroup(y, g0, g1, arrows, heads[0], heads[1], added, label)

    # -- beats 4-5: the code ---------------------------------------------------------------------------------------
    def code_beats(self, a: Ambiguity) -> None:
        t = self.theme
        code = dict(a.code)
        self.shown["code"] = code
        for name, text in code.items():
            self.beat(name)
            heading = scene_title(name, t, font_size=34)
            panel = CodePanel(text, theme=t, font_size=30).next_to(heading, DOWN, buff=0.35)
            self.clear()
            self.add(heading, panel)
            self.wait(6)

    # -- beat 6: the summary (the scene's last frame: its poster) -------------------------------------------------
    def summary(self, a: Ambiguity, title: Text, picture: VGroup) -> None:
        """The transposed grids (output_padding rows/columns highlighted, sizes labelled) above the code of the
        scene's convention, smaller: the last frame shows the point of the scene, not only code."""
        t = self.theme
        self.beat("every size at a glance")
        name = "PyTorch" if self.params["convention"] == "torch" else "Keras"
        if name not in self.shown["code"]:  # the layer has no equivalent in that framework
            name = next(iter(self.shown["code"]))
        picture = picture.copy()
        picture.scale_to_fit_height(min(picture.height, 2.9)).next_to(title, DOWN, buff=0.35).set_x(0)
        heading = Text(name, font=t.font, color=t.text, font_size=24)
        panel = CodePanel(self.shown["code"][name], theme=t, font_size=24)
        code = VGroup(heading, panel).arrange(DOWN, buff=0.12)
        room = picture.get_bottom()[1] - 0.3 - (-config.frame_height / 2 + 0.2)
        if code.height > room:
            code.scale_to_fit_height(room)
        code.next_to(picture, DOWN, buff=0.3)
        self.clear()
        self.add(title)
        self.play(FadeIn(picture), FadeIn(code), run_time=1)
        self.shown["summary_code"] = name
        self.wait(4)
