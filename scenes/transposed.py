"""Transposed convolution three ways: scatter (stamps), direct conv (zeros inserted, flipped kernel), matrix Cᵀ.

Every number comes from convmath's traces (``conv_transpose2d_trace``, ``conv2d_trace``, ``conv_matrix``).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Rotate,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
    config,
)

from convmath import (
    TransposedConvTrace,
    conv2d_trace,
    conv_matrix,
    conv_output_size,
    conv_transpose2d_trace,
    explain_transposed,
    output_padding_for,
)

from .base import ConvvizScene
from .components import (Caption, FormulaPanel, KernelWindow, NumberGrid, fit_cell_size, format_number,
                         number_font_size, padded_grid, scene_title)
from .params import Param, ParamError
from .theme import MIN_FONT_SIZE

__all__ = ["TransposedConvScatter", "TransposedConvAsConv", "TransposedConvMatrix"]

D2L_X = np.array([[0, 1], [2, 3]])
D2L_K = np.array([[0, 1], [2, 3]])
LECTURE_INPUT = np.array([[2, 1, 0, 3], [0, 0, 1, 2], [3, 1, 2, 0], [0, 2, 2, 1]])
LECTURE_KERNEL = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])

# Dumoulin & Visin's animated cases (i, k, s, p), read backwards: a conv maps i to o, the transposed conv o to i.
CONV_ARITHMETIC = {
    "no_padding_no_strides": (4, 3, 1, 0),
    "arbitrary_padding_no_strides": (5, 4, 1, 2),
    "same_padding_no_strides": (5, 3, 1, 1),
    "full_padding_no_strides": (5, 3, 1, 2),
    "no_padding_strides": (5, 3, 2, 0),
    "padding_strides": (5, 3, 2, 1),
    "padding_strides_odd": (6, 3, 2, 1),
}


def _transposed_preset(i: int, k: int, s: int, p: int) -> dict[str, int]:
    o = conv_output_size(i, k, s, p)
    return {"size": o, "kernel": k, "stride": s, "padding": p, "output_padding": output_padding_for(i, o, k, s, p)}


def _label(name: str, shape: tuple[int, ...]) -> str:
    return f"{name} {'×'.join(str(n) for n in shape)}"


def _title(text: str, theme) -> Text:
    return scene_title(text, theme, font_size=34)


def _formulas(tr: TransposedConvTrace, theme) -> VGroup:
    """The output-size formula of ``tr`` with numbers (one panel, or one per axis when the axes differ)."""
    fh, fw = explain_transposed(tr.x.shape, tr.w.shape, tr.stride, tr.padding, tr.dilation, tr.output_padding)
    panels = [FormulaPanel(fh, title="output size", theme=theme, latex=False, font_size=36)]
    if fw.text != fh.text:
        panels = [FormulaPanel(fh, title="output height", theme=theme, latex=False, font_size=36),
                  FormulaPanel(fw, title="output width", theme=theme, latex=False, font_size=36)]
    return VGroup(*panels).arrange(RIGHT, buff=0.3)


def _transposed_check(x: np.ndarray, w: np.ndarray, params: Mapping[str, Any]) -> TransposedConvTrace:
    return conv_transpose2d_trace(x, w, params["stride"], params["padding"], params["output_padding"],
                                  params["dilation"])


DRAWN = "the result is drawn cell by cell"


def _require_values(scene: str, params: Mapping[str, Any]) -> None:
    """``input`` and ``weights`` given (these scenes have no random values to fall back on)."""
    for name in ("input", "weights"):
        if params[name] is None:
            raise ParamError(f"{name}=none is not allowed: {scene} needs its values, rows like [[1,2],[3,4]].")


def _layer_params(default_stride: int = 1) -> tuple[Param, ...]:
    return (
        Param("stride", "int", default_stride, "stride s: spacing of the stamps", low=1, high=4, reason=DRAWN),
        Param("padding", "int", 0, "padding p: rows/cols cropped from each border of the result", low=0, high=4,
              reason=DRAWN),
        Param("output_padding", "int", 0, "extra rows/cols on the bottom/right (smaller than stride or dilation)",
              low=0, high=3, reason="smaller than the stride or dilation, at most 4"),
        Param("dilation", "int", 1, "dilation d: spacing of the kernel taps", low=1, high=4, reason=DRAWN),
    )


class TransposedConvScatter(ConvvizScene):
    """Each input cell scales the kernel; the stamps are added into the output (spaced by the stride,
    overlaps summed), then padding crops the border."""

    PARAMS = (
        Param("input", "matrix", D2L_X, "the input values (d2l's 2×2 by default)", max_side=4,
              low=-99, high=99, reason="each value is written in its cell"),
        Param("weights", "matrix", D2L_K, "the kernel values", max_side=4, low=-99, high=99, reason="each value is written in its cell"),
        *_layer_params(),
    )
    PRESETS = {"stride_2": {"stride": 2}, "padding_1": {"padding": 1}, "stride_2_padding_1": {"stride": 2, "padding": 1}}
    SUMMARY = "transposed conv as scatter: each input cell times the kernel, added into the output"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        _require_values(cls.__name__, params)
        if params["input"].size > 16:
            raise ParamError(f"input has {params['input'].size} cells: the scatter view stamps each one, "
                             "use at most 16 (e.g. 4×4).")
        _transposed_check(params["input"], params["weights"], params)

    def construct(self) -> None:
        t, p = self.theme, self.params
        tr = _transposed_check(p["input"], p["weights"], p)
        h, w = tr.x.shape
        kh, kw = tr.w.shape
        dw = tr.dilation[1]
        title = _title("Transposed convolution: scatter the stamps", t)
        self.add(title)
        self.beat("the input and the kernel")
        span_w = (kw - 1) * dw + 1
        cropped = tr.full.shape != tr.output.shape
        formulas = _formulas(tr, t).to_edge(DOWN, buff=0.95)
        cols = max(w, kw) + span_w + tr.full.shape[1] + (tr.output.shape[1] if cropped else 0)
        cell = fit_cell_size(max(tr.full.shape[0], h + kh + 1.5), cols, config.frame_width - 4.5, 4.0, largest=1.0)
        while True:  # shrink the cells until the row (labels and the stamp slot included) fits the frame
            x_grid = NumberGrid(tr.x, role="input", label=_label("input", tr.x.shape), cell_size=cell, theme=t)
            k_grid = NumberGrid(tr.w, role="kernel", label=_label("kernel", tr.w.shape), cell_size=cell, theme=t)
            left = VGroup(x_grid, k_grid).arrange(DOWN, buff=0.5)
            canvas = NumberGrid(np.zeros(tr.full.shape), role="output", cell_size=cell, show_numbers=False,
                                theme=t, label=_label("sum of stamps" if cropped else "output", tr.full.shape))
            out_grid = NumberGrid(tr.output, role="output", label=_label("output", tr.output.shape), cell_size=cell,
                                  theme=t)
            rest = VGroup(canvas, out_grid).arrange(RIGHT, buff=0.8) if cropped else VGroup(canvas)
            row = VGroup(left, rest).arrange(RIGHT, buff=span_w * cell + 1.6)
            if row.width <= config.frame_width - 0.6 and row.height <= title.get_bottom()[1] - formulas.get_top()[1] - 0.6:
                break
            cell *= 0.9
        row.next_to(title, DOWN, buff=0.35).set_x(0)
        slot = np.array([(left.get_right()[0] + rest.get_left()[0]) / 2, k_grid.cells.get_center()[1], 0])
        self.play(FadeIn(x_grid), FadeIn(k_grid), FadeIn(canvas),
                  self.recaption("Each input cell scales the whole kernel and adds it into the output."), run_time=1)
        self.wait(1)

        self.beat("each cell stamps the kernel")
        numbers: dict[tuple[int, int], Text] = {}
        running = np.zeros_like(tr.x)
        partials = {}
        for r in range(h):
            for c in range(w):
                running[r, c] = tr.x[r, c]
                partials[r, c] = conv_transpose2d_trace(running, tr.w, tr.stride, 0, tr.output_padding,
                                                        tr.dilation).full
        # One number size on the canvas for every running sum and stamp it shows.
        self.number_size = number_font_size(np.concatenate([*(a.ravel() for a in partials.values()),
                                                            tr.stamps.ravel()]), canvas.cell_size, t.font)
        self.canvas_numbers = self.number_size >= MIN_FONT_SIZE  # too many digits for the cells: the stamps only
        fast = h * w > 4
        for (r, c), partial in partials.items():
            self._stamp(tr, r, c, partial, x_grid, slot, canvas, numbers, fast)
        self.shown["full"] = tr.full
        self.shown["stamps_shown"] = h * w

        self.beat("the stamps added up")
        self.bring_to_front(self.caption)  # Manim redraws from the first moving mobject on: keep the grids static
        if cropped:
            ph, pw = tr.padding
            oh, ow = tr.output.shape
            keep = canvas.region(ph, pw, ph + oh - 1, pw + ow - 1, color=t.output)
            dropped = [numbers[rc] for rc in numbers if not (ph <= rc[0] < ph + oh and pw <= rc[1] < pw + ow)]
            text = f"padding={ph} crops {ph} row and column from each border" if ph == pw else "padding crops the border"
            self.play(Create(keep), *(n.animate.set_opacity(0.25) for n in dropped),
                      self.recaption(f"{text}: output {oh}×{ow}."), run_time=1)
            self.play(FadeIn(out_grid), run_time=1)
        else:
            self.play(self.recaption("Overlapping stamps add up: the sum is the output."), run_time=0.8)
        self.play(FadeIn(formulas), run_time=0.8)
        self.shown.update(output=tr.output, output_shape=tr.output.shape, canvas_shape=tr.full.shape,
                          formulas=[f.text for f in formulas])
        self.wait(3)

    def _stamp(self, tr: TransposedConvTrace, r: int, c: int, partial: np.ndarray, x_grid: NumberGrid,
               slot: np.ndarray, canvas: NumberGrid, numbers: dict, fast: bool) -> None:
        """Light up input cell (r, c), scale the kernel by it, and add the stamp into the canvas."""
        t = self.theme
        kh, kw = tr.w.shape
        dh, dw = tr.dilation
        span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
        values = np.zeros(span, dtype=tr.stamps.dtype)
        kinds = np.full(span, "empty", dtype=object)
        values[::dh, ::dw] = tr.stamps[r, c]
        kinds[::dh, ::dw] = "value"
        stamp = NumberGrid(values, role="kernel", cell_size=canvas.cell_size, kinds=kinds, theme=t,
                           font_size=self.number_size)
        stamp.move_to(slot)
        mark = x_grid.region(r, c, r, c)
        times = Text(f"{format_number(tr.x[r, c])} × kernel", font=t.font, color=t.highlight, font_size=26)
        times.next_to(stamp, UP, buff=0.15)
        run = 0.5 if fast else 0.8
        self.play(Create(mark), FadeIn(stamp), FadeIn(times), run_time=run)
        r0, c0 = tr.stamp_origin(r, c)
        covered = [(r0 + i, c0 + j) for i in range(0, span[0], dh) for j in range(0, span[1], dw)]
        target = stamp.copy().shift(canvas.cell(r0, c0).get_center() - stamp.cell(0, 0).get_center())
        hide = [numbers[rc].animate.set_opacity(0) for rc in covered if rc in numbers]
        self.play(Transform(stamp, target), *hide, run_time=run)
        updates = []
        for rc in covered if self.canvas_numbers else ():
            number = Text(format_number(partial[rc]), font=t.font, color=t.text, font_size=self.number_size)
            number.move_to(canvas.cell(*rc))
            if rc in numbers:
                updates.append(Transform(numbers[rc], number))
            else:
                numbers[rc] = number
                updates.append(FadeIn(number))
        self.play(FadeOut(stamp), FadeOut(mark), FadeOut(times), *updates, run_time=run)


class TransposedConvAsConv(ConvvizScene):
    """The same transposed conv as a direct convolution: zeros inserted between the input cells, a border
    of d(k−1)−p zeros (plus output_padding on the bottom/right), the kernel flipped, stride 1."""

    PARAMS = (
        Param("size", "int", 2, "input size of the transposed conv (square)", low=1, high=8,
              reason="the grid must stay readable"),
        Param("kernel", "int", 3, "kernel size k", low=1, high=5, reason="the flipped kernel is drawn"),
        *_layer_params(),
        Param("input", "matrix", None, "input values (default 1, 3, 2, 1, ... shifted by one each row)", max_side=8,
              low=-99, high=99, reason="each value is written in its cell"),
        Param("weights", "matrix", None, "kernel values (default 1, 2, 3, 4, 0, 1, ... row by row)", max_side=5,
              low=-99, high=99, reason="each value is written in its cell"),
    )
    PRESETS = {f"{name}_transposed": _transposed_preset(*case) for name, case in CONV_ARITHMETIC.items()}
    SUMMARY = "transposed conv as a direct conv: zeros inserted, border padding, flipped kernel, stride 1"

    @classmethod
    def arrays(cls, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The input and kernel values: given, or small patterns (1, 3, 2, ... shifted per row; 1, 2, 3, 4, 0, ...)."""
        n, k = params["size"], params["kernel"]
        x = params["input"] if params["input"] is not None else np.add.outer(np.arange(n), 2 * np.arange(n)) % 3 + 1
        w = params["weights"] if params["weights"] is not None else np.arange(1, k * k + 1).reshape(k, k) % 5
        return x, w

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        x, w = cls.arrays(params)
        tr = _transposed_check(x, w, params)
        if max(tr.direct.padded.shape) > 14:
            raise ParamError(f"the direct view would be {tr.direct.padded.shape[0]}×{tr.direct.padded.shape[1]} "
                             "cells: use a smaller size, stride or kernel (at most 14 cells across).")

    def construct(self) -> None:
        x, w = self.arrays(self.params)
        self.tr = _transposed_check(x, w, self.params)
        self.add(_title("Transposed convolution as a direct convolution", self.theme))
        self.inputs()
        self.zeros_and_padding()
        self.flip_kernel()
        self.slide()
        self.same_result()

    def layout(self) -> None:
        """Input, kernel (and its flip), the direct view and the output, shrunk until they fit side by side."""
        t, tr = self.theme, self.tr
        d = tr.direct
        rows, cols = d.padded.shape
        ow = tr.output.shape[1]
        cell = fit_cell_size(rows + 1, cols + ow + tr.x.shape[1], config.frame_width - 3.0, 5.2, largest=0.7)
        while True:  # shrink the cells until input, direct view and output (labels included) fit side by side
            small = min(cell, 4.4 / (tr.x.shape[0] + tr.w.shape[0] + 1.5))  # the left column may be smaller
            self.x_grid = NumberGrid(tr.x, role="input", label=_label("input", tr.x.shape), cell_size=small, theme=t)
            self.k_grid = NumberGrid(tr.w, role="kernel", label=_label("kernel", tr.w.shape), cell_size=small, theme=t)
            self.flipped = NumberGrid(d.w, role="kernel", label=_label("flipped", d.w.shape), cell_size=small, theme=t)
            self.big = padded_grid(d.padded, d.pads, inserted=tr.inserted, role="input", cell_size=cell, theme=t,
                                   label=_label("zeros inserted + padding", d.padded.shape))
            self.out_grid = NumberGrid(d.output, role="output", label=_label("output", d.output.shape),
                                       cell_size=cell, show_numbers=True, hide_values=True, theme=t)
            self.left_col = VGroup(self.x_grid, self.k_grid).arrange(DOWN, buff=0.6)
            row = VGroup(self.left_col, self.big, self.out_grid).arrange(RIGHT, buff=0.7, aligned_edge=UP)
            if row.width <= config.frame_width - 0.6 and row.height <= 5.6:
                break
            cell *= 0.9
        row.move_to(DOWN * 0.15)
        self.flipped.move_to(self.k_grid)

    def inputs(self) -> None:
        tr = self.tr
        self.beat("the input and the kernel")
        self.layout()
        self.caption = Caption(f"ConvTranspose2d(k={tr.w.shape[0]}, s={tr.stride[0]}, p={tr.padding[0]}"
                               + (f", output_padding={tr.output_padding[0]}" if any(tr.output_padding) else "")
                               + ") computed as an ordinary convolution.", theme=self.theme)
        self.play(FadeIn(self.x_grid), FadeIn(self.k_grid), FadeIn(self.caption), run_time=1)
        self.wait(1)

    def zeros_and_padding(self) -> None:
        tr, big = self.tr, self.big
        d = tr.direct
        self.beat("zeros between the cells, a border of zeros")
        rows, cols = d.padded.shape
        value_cells = [(r, c) for r in range(rows) for c in range(cols) if big.kinds[r, c] == "value"]
        top = d.pads[0]
        between = "s − 1 zeros (hollow) between input cells" if tr.inserted.any() else "no zeros inserted"
        border = f"border d(k−1) − p = {top}" if len(set(d.pads)) == 1 else (
            f"border d(k−1) − p = {top}, plus output_padding {tr.output_padding[0]} on the bottom/right")
        text = f"Stride {tr.stride[0]}: {between}; {border}."
        moved = [(self.x_grid.number(r, c), big.number(*cell))
                 for (r, c), cell in zip(np.ndindex(*tr.x.shape), value_cells)] if len(value_cells) == tr.x.size else []
        copies = [src.copy() for src, _ in moved]
        fixed = VGroup(*(n for rc, n in big.numbers.items() if not moved or big.kinds[rc] != "value"))
        self.play(FadeIn(big.cells), FadeIn(big.label), FadeIn(fixed),
                  *(Transform(copy, dst) for copy, (_, dst) in zip(copies, moved)),
                  self.recaption(text), run_time=1)  # the whole direct view moves: short,
        self.remove(big.cells, big.label, fixed, *copies)
        self.add(big)
        self.wait(2)  # and the time given back as a (frozen, cheap) wait

    def flip_kernel(self) -> None:
        self.beat("the kernel flipped")
        # What moves is kept last in the scene: Manim redraws every mobject from the first moving one on,
        # and the direct view (its dashed border) is the costliest thing to redraw.
        self.bring_to_front(self.k_grid, self.caption)
        self.play(Rotate(VGroup(self.k_grid.cells, self.k_grid.number_group), PI), run_time=1)
        self.play(Transform(self.k_grid, self.flipped),
                  self.recaption("The kernel is flipped (rotated 180°); the stride becomes 1."), run_time=0.8)
        self.wait(1)

    def slide(self) -> None:
        d, out_grid = self.tr.direct, self.out_grid
        oh, ow = self.tr.output.shape
        self.beat("a stride-1 convolution")
        window = KernelWindow(self.big, *d.w.shape, dilation=d.dilation, theme=self.theme)
        window.move_to_cell(*(int(i[0]) for i in d.window(0, 0)))
        self.bring_to_front(self.caption)
        self.play(Create(window), FadeIn(out_grid.cells), FadeIn(out_grid.label),
                  self.recaption("Slide the flipped kernel with stride 1: each window gives one output cell."),
                  run_time=0.6)
        self.bring_to_front(window)  # the output grid under it stays static while it slides
        for c in range(ow):  # the first row one window at a time, then a row per step
            rr, cc = d.window(0, c)
            self.play(window.animate.move_to(window.target_for(int(rr[0]), int(cc[0]))),
                      Write(out_grid.reveal(0, c)), run_time=0.4)
        for r in range(1, oh):
            rr, cc = d.window(r, ow - 1)
            self.play(window.animate.move_to(window.target_for(int(rr[0]), int(cc[0]))),
                      Write(VGroup(*(out_grid.reveal(r, c) for c in range(ow)))), run_time=0.8)
        self.play(FadeOut(window), run_time=0.4)

    def same_result(self) -> None:
        tr, out_grid = self.tr, self.out_grid
        d = tr.direct
        self.beat("the same result")
        formulas = _formulas(tr, self.theme)
        self.play(FadeOut(self.left_col), FadeOut(self.big), out_grid.animate.move_to(LEFT * 3), run_time=0.5)
        formulas.next_to(out_grid, RIGHT, buff=0.8)
        if formulas.get_right()[0] > config.frame_width / 2 - 0.3:
            formulas.scale_to_fit_width(config.frame_width / 2 - 0.3 - formulas.get_left()[0])
        self.bring_to_front(self.caption)
        self.play(FadeIn(formulas),
                  self.recaption("The same output as scattering the stamps: torch's conv_transpose2d."), run_time=0.8)
        self.shown.update(output=out_grid.shown_values(), output_shape=d.output.shape, direct_padded=d.padded,
                          inserted=tr.inserted, flipped=d.w, pads=d.pads, formulas=[f.text for f in formulas])
        self.wait(3.5)


class TransposedConvMatrix(ConvvizScene):
    """A small conv as y = C x with the unrolled matrix C, then x' = Cᵀ y: same shape as x, not x."""

    PARAMS = (
        Param("input", "matrix", LECTURE_INPUT, "the conv's input x (the lecture's 4×4 by default)", max_side=16,
              low=-99, high=99, reason="each value is written in its cell"),
        Param("weights", "matrix", LECTURE_KERNEL, "the kernel (the lecture's 3×3 by default)", max_side=4,
              low=-99, high=99, reason="each value is written in its cell"),
        Param("stride", "int", 1, "stride s", low=1, high=4, reason="C is drawn entry by entry"),
        Param("padding", "int", 0, "padding p", low=0, high=3, reason="C is drawn entry by entry"),
    )
    PRESETS = {"stride_2_padding_1": {"stride": 2, "padding": 1}}
    SUMMARY = "conv as y = Cx with the unrolled matrix C; the transposed conv is Cᵀy"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        _require_values(cls.__name__, params)
        x = params["input"]
        if x.size > 16:
            raise ParamError(f"input has {x.size} cells: the matrix C gets one column per cell, use at most 16.")
        cls.traces(params)

    @classmethod
    def traces(cls, params: Mapping[str, Any]):
        """The matrix C, the conv y = Cx, and the transposed conv of y that comes back to x's shape."""
        x, w, s, p = params["input"], params["weights"], params["stride"], params["padding"]
        conv = conv2d_trace(x, w, stride=s, padding=p)
        if conv.output.size > 9:
            raise ParamError(f"the conv output has {conv.output.size} cells: C gets one row per output cell, "
                             "use at most 9 (a smaller input or a larger stride).")
        a = output_padding_for(x.shape, conv.output.shape, w.shape, s, p)
        back = conv_transpose2d_trace(conv.output, w, stride=s, padding=p, output_padding=a)
        return conv_matrix(x.shape, w, stride=s, padding=p), conv, back

    def construct(self) -> None:
        self.C, self.conv, self.back = self.traces(self.params)
        self.title = _title("Convolution as a matrix: y = C x", self.theme)
        self.add(self.title)
        self.conv_as_matrix()
        self.transposed_matrix()
        self.not_the_inverse()

    def conv_as_matrix(self) -> None:
        """Beat y = Cx: x flattened over C, one row of C per output cell, y filling in."""
        t, C, conv = self.theme, self.C, self.conv
        n_out, n_in = C.shape
        self.beat("y = Cx")
        self.cell = cell = fit_cell_size(n_out + 3, n_in + 3, config.frame_width - 1.5, 4.2, largest=0.6)
        self.kinds = np.where(C == 0, "zero", "value")
        self.c_grid = c_grid = NumberGrid(C, role="kernel", kinds=self.kinds, cell_size=cell, theme=t)
        self.c_label = c_label = Text(_label("C", C.shape), font=t.font, color=t.kernel, font_size=30)
        self.x_row = x_row = NumberGrid(conv.x.reshape(1, -1), role="input", cell_size=cell, theme=t)
        self.y_col = y_col = NumberGrid(conv.output.reshape(-1, 1), role="output", cell_size=cell, theme=t)
        x_row.next_to(c_grid, UP, buff=0.25)
        y_col.next_to(c_grid, RIGHT, buff=0.6)
        self.x_label = Text(f"xᵀ ({_label('x', conv.x.shape)} flattened: 1×{n_in})", font=t.font, color=t.input,
                            font_size=26).next_to(x_row, UP, buff=0.15)
        self.y_label = Text(f"y {n_out}×1", font=t.font, color=t.output, font_size=26).next_to(y_col, UP, buff=0.15)
        c_label.next_to(c_grid, LEFT, buff=0.25)
        VGroup(c_grid, x_row, y_col, self.x_label, self.y_label, c_label).move_to(DOWN * 0.2)
        self.caption = Caption("Each row of C holds the kernel where one window sits; zeros (faint) elsewhere.",
                               theme=t)
        # Heavy bulk animations (all of C's cells and numbers) are kept short; the time goes to frozen waits.
        self.play(FadeIn(x_row), FadeIn(self.x_label), FadeIn(c_grid), FadeIn(c_label), FadeIn(self.caption),
                  run_time=0.8)
        self.wait(0.4)
        for r in range(n_out):
            row_mark = c_grid.region(r, 0, r, n_in - 1, color=t.highlight)
            self.play(Create(row_mark), FadeIn(y_col.cell(r, 0)), Write(y_col.number(r, 0)),
                      run_time=0.5)
            self.play(FadeOut(row_mark), run_time=0.2)
        self.bring_to_front(self.caption)
        self.play(FadeIn(y_col), FadeIn(self.y_label), self.recaption(
            f"y = C x: {_label('', C.shape).strip()} times {n_in}×1 gives {n_out}×1, the conv's "
            f"{_label('', conv.output.shape).strip()} output."), run_time=1)
        self.wait(2)

    def transposed_matrix(self) -> None:
        """Beat x' = Cᵀy: C's cells move to Cᵀ, y as a row above it, x' a column beside it."""
        t, C, conv, cell = self.theme, self.C, self.conv, self.cell
        n_out, n_in = C.shape
        self.beat("x' = Cᵀy")
        room = self.title.get_bottom()[1] - 0.3 - (-config.frame_height / 2 + 0.9)
        cell_t = min(cell, room / (n_in + 1.4))
        ct_grid = NumberGrid(C.T, role="kernel", kinds=self.kinds.T, cell_size=cell_t, theme=t)
        y_row = NumberGrid(conv.output.reshape(1, -1), role="output", cell_size=cell_t, theme=t)
        self.x_col = x_col = NumberGrid(np.zeros((n_in, 1)), role="input", cell_size=cell_t, show_numbers=False,
                                        theme=t)
        y_row.next_to(ct_grid, UP, buff=0.15)
        x_col.next_to(ct_grid, RIGHT, buff=0.4)
        ct_label = Text(_label("Cᵀ", C.T.shape), font=t.font, color=t.kernel, font_size=30)
        ct_label.next_to(ct_grid, LEFT, buff=0.25)
        yt_label = Text(f"yᵀ 1×{n_out}", font=t.font, color=t.output, font_size=26).next_to(y_row, LEFT, buff=0.25)
        self.xt_label = Text(f"x' {n_in}×1", font=t.font, color=t.input, font_size=26).next_to(x_col, RIGHT,
                                                                                                buff=0.25)
        group = VGroup(ct_grid, y_row, x_col, ct_label, yt_label, self.xt_label)
        group.next_to(self.title, DOWN, buff=0.3).to_edge(LEFT, buff=1.2)
        self.bring_to_front(self.x_row, self.x_label, self.y_col, self.y_label)  # C stays static while they fade
        self.play(FadeOut(self.x_row), FadeOut(self.x_label), FadeOut(self.y_col), FadeOut(self.y_label),
                  run_time=0.6)
        scale = cell_t / cell
        transposed = self.c_grid.copy()  # every cell (r, c) of C, with its number, moved to (c, r) of Cᵀ
        for r in range(n_out):
            for c in range(n_in):
                transposed.cell(r, c).scale(scale).move_to(ct_grid.cell(c, r))
                if transposed.number(r, c) is not None:
                    transposed.number(r, c).scale(scale).move_to(ct_grid.cell(c, r))
        self.play(Transform(self.c_grid, transposed), Transform(self.c_label, ct_label),
                  Transform(self.title, _title("Transposed convolution: x' = Cᵀ y", t)),
                  self.recaption("Transpose C: row i becomes column i."), run_time=1)
        self.remove(self.c_grid)
        self.add(ct_grid)
        self.wait(0.5)
        self.play(FadeIn(y_row), FadeIn(yt_label), run_time=0.6)
        self.play(FadeIn(x_col), FadeIn(self.xt_label), self.recaption(
            f"x' = Cᵀ y: {_label('', C.T.shape).strip()} times {n_out}×1 gives {n_in}×1."), run_time=0.8)
        self.wait(1.5)

    def not_the_inverse(self) -> None:
        """Beat x' is not x: Cᵀy beside x, same shape, other values."""
        t, C, conv, back = self.theme, self.C, self.conv, self.back
        self.beat("x' is not x")
        x_small = NumberGrid(conv.x, role="input", label=_label("x", conv.x.shape), cell_size=0.75, theme=t)
        x_back = NumberGrid(back.output, role="input", label=_label("x' = Cᵀy", back.output.shape), cell_size=0.75,
                            theme=t)
        pair = VGroup(x_small, x_back).arrange(RIGHT, buff=0.8).next_to(self.xt_label, RIGHT, buff=0.8)
        if pair.get_right()[0] > config.frame_width / 2 - 0.3:
            pair.shift(LEFT * (pair.get_right()[0] - config.frame_width / 2 + 0.3))
        self.play(TransformFromCopy(self.x_col, x_back.cells), FadeIn(x_back.label), FadeIn(x_back.number_group),
                  FadeIn(x_small), run_time=0.8)
        self.wait(0.4)
        self.bring_to_front(self.caption)
        self.play(self.recaption(f"x' has the shape of x ({_label('', conv.x.shape).strip()}) but not its values: "
                                 "Cᵀ is not the inverse."), run_time=1)
        self.shown.update(matrix=C, matrix_shape=C.shape, transposed_shape=C.T.shape, x=conv.x, y=conv.output,
                          x_back=back.output, x_back_shown=x_back.shown_values())
        self.wait(3)
