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
from .components import Caption, FormulaPanel, KernelWindow, NumberGrid, fit_cell_size, format_number, padded_grid
from .params import Param, ParamError

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
    return Text(text, font=theme.font, color=theme.text, font_size=34).to_edge(UP, buff=0.3)


def _formulas(size: tuple[int, int], params: Mapping[str, Any], theme) -> VGroup:
    """The output-size formula with numbers (one panel, or one per axis when the axes differ)."""
    fh, fw = explain_transposed(size, (params["kernel_shape"]), params["stride"], params["padding"],
                                params["dilation"], params["output_padding"])
    panels = [FormulaPanel(fh, title="output size", theme=theme, font_size=28)]
    if fw.text != fh.text:
        panels = [FormulaPanel(fh, title="output height", theme=theme, font_size=28),
                  FormulaPanel(fw, title="output width", theme=theme, font_size=28)]
    return VGroup(*panels).arrange(RIGHT, buff=0.3)


def _transposed_check(x: np.ndarray, w: np.ndarray, params: Mapping[str, Any]) -> TransposedConvTrace:
    return conv_transpose2d_trace(x, w, params["stride"], params["padding"], params["output_padding"],
                                  params["dilation"])


def _layer_params(default_stride: int = 1) -> tuple[Param, ...]:
    return (
        Param("stride", "int", default_stride, "stride s: spacing of the stamps"),
        Param("padding", "int", 0, "padding p: rows/cols cropped from each border of the result"),
        Param("output_padding", "int", 0, "extra rows/cols on the bottom/right (smaller than stride or dilation)"),
        Param("dilation", "int", 1, "dilation d: spacing of the kernel taps"),
    )


class TransposedConvScatter(ConvvizScene):
    """Each input cell scales the kernel; the stamps are added into the output (spaced by the stride,
    overlaps summed), then padding crops the border."""

    PARAMS = (
        Param("input", "matrix", D2L_X, "the input values (d2l's 2×2 by default)"),
        Param("weights", "matrix", D2L_K, "the kernel values"),
        *_layer_params(),
    )
    PRESETS = {"stride_2": {"stride": 2}, "padding_1": {"padding": 1}, "stride_2_padding_1": {"stride": 2, "padding": 1}}
    SUMMARY = "transposed conv as scatter: each input cell times the kernel, added into the output"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        if params["input"].size > 16:
            raise ParamError(f"input has {params['input'].size} cells: the scatter view stamps each one, "
                             "use at most 16 (e.g. 4×4).")
        _transposed_check(params["input"], params["weights"], params)

    def construct(self) -> None:
        t, p = self.theme, self.params
        tr = _transposed_check(p["input"], p["weights"], p)
        h, w = tr.x.shape
        kh, kw = tr.w.shape
        dh, dw = tr.dilation
        self.add(_title("Transposed convolution: scatter the stamps", t))
        self.beat("inputs")
        cell = fit_cell_size(max(tr.full.shape[0], h + kh + 1), tr.full.shape[1] + max(w, kw) + tr.output.shape[1],
                             config.frame_width - 4.5, 4.6, largest=0.8)
        x_grid = NumberGrid(tr.x, role="input", label=_label("input", tr.x.shape), cell_size=cell, theme=t)
        k_grid = NumberGrid(tr.w, role="kernel", label=_label("kernel", tr.w.shape), cell_size=cell, theme=t)
        left = VGroup(x_grid, k_grid).arrange(DOWN, buff=0.6)
        cropped = tr.full.shape != tr.output.shape
        canvas = NumberGrid(np.zeros(tr.full.shape), role="output", cell_size=cell, show_numbers=False, theme=t,
                            label=_label("sum of stamps" if cropped else "output", tr.full.shape))
        out_grid = NumberGrid(tr.output, role="output", label=_label("output", tr.output.shape), cell_size=cell,
                              theme=t)
        parts = [left, canvas, out_grid] if cropped else [left, canvas]
        VGroup(*parts).arrange(RIGHT, buff=1.0).move_to(DOWN * 0.1)
        caption = Caption("Each input cell scales the whole kernel and adds it into the output.", theme=t)
        self.play(FadeIn(x_grid), FadeIn(k_grid), FadeIn(canvas), FadeIn(caption), run_time=1)
        self.wait(1)

        self.beat("stamps")
        numbers: dict[tuple[int, int], Text] = {}
        running = np.zeros_like(tr.x)
        fast = h * w > 4
        for r in range(h):
            for c in range(w):
                running[r, c] = tr.x[r, c]
                partial = conv_transpose2d_trace(running, tr.w, tr.stride, 0, tr.output_padding, tr.dilation).full
                self._stamp(tr, r, c, partial, x_grid, k_grid, canvas, numbers, fast)
        self.shown["full"] = tr.full
        self.shown["stamps_shown"] = h * w

        self.beat("result")
        formulas = _formulas(tr.x.shape, {**p, "kernel_shape": tr.w.shape}, t)
        if cropped:
            ph, pw = tr.padding
            oh, ow = tr.output.shape
            keep = canvas.region(ph, pw, ph + oh - 1, pw + ow - 1, color=t.output)
            dropped = [numbers[rc] for rc in numbers if not (ph <= rc[0] < ph + oh and pw <= rc[1] < pw + ow)]
            text = (f"padding={ph} crops {ph} row(s)/col(s) from each border" if ph == pw
                    else f"padding={tr.padding} crops the border")
            self.play(Create(keep), *(n.animate.set_opacity(0.25) for n in dropped),
                      Transform(caption, Caption(text + f": output {_label('', tr.output.shape).strip()}.", theme=t)),
                      run_time=1)
            self.play(FadeIn(out_grid), run_time=1)
        else:
            self.play(Transform(caption, Caption(f"The sum of the stamps is the output, "
                                                 f"{_label('', tr.output.shape).strip()}.", theme=t)), run_time=0.8)
        formulas.next_to(left, DOWN, buff=0.2).to_edge(DOWN, buff=0.9)
        if formulas.width > config.frame_width - 0.6:
            formulas.scale_to_fit_width(config.frame_width - 0.6)
        self.play(FadeIn(formulas), FadeOut(k_grid), run_time=0.8)
        self.shown.update(output=tr.output, output_shape=tr.output.shape, canvas_shape=tr.full.shape,
                          formulas=[f.text for f in formulas])
        self.wait(3)

    def _stamp(self, tr: TransposedConvTrace, r: int, c: int, partial: np.ndarray, x_grid: NumberGrid,
               k_grid: NumberGrid, canvas: NumberGrid, numbers: dict, fast: bool) -> None:
        """Light up input cell (r, c), scale the kernel by it, and add the stamp into the canvas."""
        t = self.theme
        kh, kw = tr.w.shape
        dh, dw = tr.dilation
        span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
        values = np.zeros(span, dtype=tr.stamps.dtype)
        kinds = np.full(span, "empty", dtype=object)
        values[::dh, ::dw] = tr.stamps[r, c]
        kinds[::dh, ::dw] = "value"
        stamp = NumberGrid(values, role="kernel", cell_size=canvas.cell_size, kinds=kinds, theme=t)
        stamp.move_to(k_grid.cells)
        mark = x_grid.region(r, c, r, c)
        times = Text(f"{format_number(tr.x[r, c])} × kernel", font=t.font, color=t.highlight, font_size=26)
        times.next_to(k_grid, DOWN, buff=0.15)
        run = 0.5 if fast else 0.8
        self.play(Create(mark), FadeIn(stamp), FadeIn(times), run_time=run)
        r0, c0 = tr.stamp_origin(r, c)
        target = stamp.copy()
        shift = canvas.cell(r0, c0).get_center() - stamp.cell(0, 0).get_center()
        target.shift(shift)
        self.play(Transform(stamp, target), run_time=run)
        updates = []
        for i in range(0, span[0], dh):
            for j in range(0, span[1], dw):
                cell = (r0 + i, c0 + j)
                number = Text(format_number(partial[cell]), font=t.font, color=t.text,
                              font_size=44 * canvas.cell_size)
                if number.width > 0.8 * canvas.cell_size:
                    number.scale_to_fit_width(0.8 * canvas.cell_size)
                number.move_to(canvas.cell(*cell))
                if cell in numbers:
                    updates.append(Transform(numbers[cell], number))
                else:
                    numbers[cell] = number
                    updates.append(FadeIn(number))
        self.play(FadeOut(stamp), FadeOut(mark), FadeOut(times), *updates, run_time=run)


class TransposedConvAsConv(ConvvizScene):
    """The same transposed conv as a direct convolution: zeros inserted between the input cells, a border
    of d(k−1)−p zeros (plus output_padding on the bottom/right), the kernel flipped, stride 1."""

    PARAMS = (
        Param("size", "int", 2, "input size of the transposed conv (square)"),
        Param("kernel", "int", 3, "kernel size k"),
        *_layer_params(),
        Param("input", "matrix", None, "input values (default 1, 2, 3, ... row by row)"),
        Param("weights", "matrix", None, "kernel values (default 1, 2, 3, ... row by row)"),
    )
    PRESETS = {f"{name}_transposed": _transposed_preset(*case) for name, case in CONV_ARITHMETIC.items()}
    SUMMARY = "transposed conv as a direct conv: zeros inserted, border padding, flipped kernel, stride 1"

    @classmethod
    def arrays(cls, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The input and kernel values: given, or the counting numbers 1, 2, 3, ... of the sizes asked."""
        n, k = params["size"], params["kernel"]
        x = params["input"] if params["input"] is not None else np.arange(1, n * n + 1).reshape(n, n)
        w = params["weights"] if params["weights"] is not None else np.arange(1, k * k + 1).reshape(k, k)
        return x, w

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        x, w = cls.arrays(params)
        if params["input"] is None and not 1 <= params["size"] <= 8:
            raise ParamError(f"size={params['size']} is not allowed: use 1 to 8 (the grid must stay readable).")
        if params["weights"] is None and not 1 <= params["kernel"] <= 5:
            raise ParamError(f"kernel={params['kernel']} is not allowed: use 1 to 5.")
        tr = _transposed_check(x, w, params)
        if max(tr.direct.padded.shape) > 14:
            raise ParamError(f"the direct view would be {tr.direct.padded.shape[0]}×{tr.direct.padded.shape[1]} "
                             "cells: use a smaller size, stride or kernel (at most 14 cells across).")

    def construct(self) -> None:
        t, p = self.theme, self.params
        x, w = self.arrays(p)
        tr = _transposed_check(x, w, p)
        d = tr.direct
        self.add(_title("Transposed convolution as a direct convolution", t))
        self.beat("inputs")
        rows, cols = d.padded.shape
        oh, ow = tr.output.shape
        cell = fit_cell_size(rows, cols + ow + 3, config.frame_width - 3.5, 5.0, largest=0.7)
        x_grid = NumberGrid(tr.x, role="input", label=_label("input", tr.x.shape), cell_size=cell, theme=t)
        k_grid = NumberGrid(tr.w, role="kernel", label=_label("kernel", tr.w.shape), cell_size=cell, theme=t)
        VGroup(x_grid, k_grid).arrange(DOWN, buff=0.6).to_edge(LEFT, buff=0.6)
        caption = Caption(f"ConvTranspose2d(k={tr.w.shape[0]}, s={tr.stride[0]}, p={tr.padding[0]}"
                          + (f", output_padding={tr.output_padding[0]}" if any(tr.output_padding) else "")
                          + ") computed as an ordinary convolution.", theme=t)
        self.play(FadeIn(x_grid), FadeIn(k_grid), FadeIn(caption), run_time=1)
        self.wait(1)

        self.beat("zeros and padding")
        big = padded_grid(d.padded, d.pads, inserted=tr.inserted, role="input", cell_size=cell, theme=t,
                          label=_label("zeros inserted + padding", d.padded.shape))
        out_grid = NumberGrid(d.output, role="output", label=_label("output", d.output.shape), cell_size=cell,
                              show_numbers=True, hide_values=True, theme=t)
        VGroup(big, out_grid).arrange(RIGHT, buff=0.8).next_to(x_grid, RIGHT, buff=0.8).align_to(x_grid, UP)
        value_cells = [(r, c) for r in range(rows) for c in range(cols) if big.kinds[r, c] == "value"]
        top, bottom, left, right = d.pads
        border = d.pads[0] if len(set(d.pads)) == 1 else d.pads
        text = (f"{tr.stride[0] - 1} zero(s) between input cells, border {border}"
                + (" (+ output_padding bottom/right)" if any(tr.output_padding) else "") + ".")
        moved = [(x_grid.number(r, c), big.number(*cell))
                 for (r, c), cell in zip(np.ndindex(*tr.x.shape), value_cells)] if len(value_cells) == x.size else []
        copies = [src.copy() for src, _ in moved]
        fixed = VGroup(*(n for rc, n in big.numbers.items() if not moved or big.kinds[rc] != "value"))
        self.play(FadeIn(big.cells), FadeIn(big.label), FadeIn(fixed),
                  *(Transform(copy, dst) for copy, (_, dst) in zip(copies, moved)),
                  Transform(caption, Caption(text, theme=t)), run_time=1.5)
        self.remove(*copies)
        self.add(big)
        self.wait(1.5)

        self.beat("flip the kernel")
        flipped = NumberGrid(d.w, role="kernel", label=_label("kernel flipped", d.w.shape), cell_size=cell,
                             theme=t).move_to(k_grid, aligned_edge=UP)
        self.play(Rotate(VGroup(k_grid.cells, k_grid.number_group), PI), run_time=1)
        self.play(Transform(k_grid, flipped),
                  Transform(caption, Caption("The kernel is flipped (rotated 180°); the stride becomes 1.",
                                             theme=t)), run_time=0.8)
        self.wait(1)

        self.beat("slide")
        window = KernelWindow(big, *d.w.shape, dilation=d.dilation, theme=t)
        window.move_to_cell(*(int(i[0]) for i in d.window(0, 0)))
        self.play(Create(window), FadeIn(out_grid.cells), FadeIn(out_grid.label), run_time=0.6)
        step = min(0.4, 10 / (oh * ow))
        for r in range(oh):
            for c in range(ow):
                rr, cc = d.window(r, c)
                self.play(window.animate.move_to(window.target_for(int(rr[0]), int(cc[0]))),
                          Write(out_grid.reveal(r, c)), run_time=step)
        self.play(FadeOut(window), run_time=0.4)

        self.beat("same result")
        formulas = _formulas(tr.x.shape, {**p, "kernel_shape": tr.w.shape}, t)
        formulas.to_edge(DOWN, buff=0.9).to_edge(RIGHT, buff=0.4)
        self.play(FadeIn(formulas), Transform(caption, Caption(
            "The same output as scattering the stamps: torch's conv_transpose2d.", theme=t)), run_time=1)
        self.shown.update(output=out_grid.shown_values(), output_shape=d.output.shape, direct_padded=d.padded,
                          inserted=tr.inserted, flipped=d.w, pads=d.pads, formulas=[f.text for f in formulas])
        self.wait(3)


class TransposedConvMatrix(ConvvizScene):
    """A small conv as y = C x with the unrolled matrix C, then x' = Cᵀ y: same shape as x, not x."""

    PARAMS = (
        Param("input", "matrix", LECTURE_INPUT, "the conv's input x (the lecture's 4×4 by default)"),
        Param("weights", "matrix", LECTURE_KERNEL, "the kernel (the lecture's 3×3 by default)"),
        Param("stride", "int", 1, "stride s"),
        Param("padding", "int", 0, "padding p"),
    )
    PRESETS = {"stride_2_padding_1": {"stride": 2, "padding": 1}}
    SUMMARY = "conv as y = Cx with the unrolled matrix C; the transposed conv is Cᵀy"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
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
        t = self.theme
        C, conv, back = self.traces(self.params)
        n_out, n_in = C.shape
        title = _title("Convolution as a matrix: y = C x", t)
        self.add(title)
        self.beat("y = Cx")
        cell = fit_cell_size(n_out + 3, n_in + 3, config.frame_width - 1.5, 4.2, largest=0.6)
        kinds = np.where(C == 0, "zero", "value")
        c_grid = NumberGrid(C, role="kernel", kinds=kinds, cell_size=cell, theme=t)
        c_label = Text(_label("C", C.shape), font=t.font, color=t.kernel, font_size=30)
        x_row = NumberGrid(conv.x.reshape(1, -1), role="input", cell_size=cell, theme=t)
        y_col = NumberGrid(conv.output.reshape(-1, 1), role="output", cell_size=cell, theme=t)
        x_row.next_to(c_grid, UP, buff=0.25)
        y_col.next_to(c_grid, RIGHT, buff=0.6)
        x_label = Text(f"xᵀ ({_label('x', conv.x.shape)} flattened: 1×{n_in})", font=t.font, color=t.input,
                       font_size=26).next_to(x_row, UP, buff=0.15)
        y_label = Text(f"y {n_out}×1", font=t.font, color=t.output, font_size=26).next_to(y_col, UP, buff=0.15)
        c_label.next_to(c_grid, LEFT, buff=0.25)
        VGroup(c_grid, x_row, y_col, x_label, y_label, c_label).move_to(DOWN * 0.2)
        x_small = NumberGrid(conv.x, role="input", label=_label("x", conv.x.shape), cell_size=0.5, theme=t)
        caption = Caption(f"Each row of C holds the kernel where one window sits; zeros (faint) elsewhere.", theme=t)
        self.play(FadeIn(x_row), FadeIn(x_label), FadeIn(c_grid), FadeIn(c_label), FadeIn(caption), run_time=1.2)
        for r in range(n_out):
            row_mark = c_grid.region(r, 0, r, n_in - 1, color=t.highlight)
            self.play(Create(row_mark), FadeIn(y_col.cell(r, 0)), Write(y_col.number(r, 0)),
                      run_time=0.5)
            self.play(FadeOut(row_mark), run_time=0.2)
        self.play(FadeIn(y_col), FadeIn(y_label), Transform(caption, Caption(
            f"y = C x: {_label('', C.shape).strip()} times {n_in}×1 gives {n_out}×1, the conv's "
            f"{_label('', conv.output.shape).strip()} output.", theme=t)), run_time=1)
        self.wait(2)

        self.beat("x' = Cᵀy")
        ct_grid = NumberGrid(C.T, role="kernel", kinds=kinds.T, cell_size=min(cell, 6.0 / n_in), theme=t)
        cell_t = ct_grid.cell_size
        y_row = NumberGrid(conv.output.reshape(1, -1), role="output", cell_size=cell_t, theme=t)
        x_col = NumberGrid(back.output.reshape(-1, 1), role="input", cell_size=cell_t, theme=t, hide_values=True)
        y_row.next_to(ct_grid, UP, buff=0.2)
        x_col.next_to(ct_grid, RIGHT, buff=0.5)
        ct_label = Text(_label("Cᵀ", C.T.shape), font=t.font, color=t.kernel, font_size=30)
        ct_label.next_to(ct_grid, LEFT, buff=0.25)
        yt_label = Text(f"yᵀ 1×{n_out}", font=t.font, color=t.output, font_size=26).next_to(y_row, UP, buff=0.1)
        xt_label = Text(f"x' {n_in}×1", font=t.font, color=t.input, font_size=26).next_to(x_col, UP, buff=0.1)
        group = VGroup(ct_grid, y_row, x_col, ct_label, yt_label, xt_label)
        group.move_to(DOWN * 0.3).to_edge(LEFT, buff=1.0)
        if group.height > config.frame_height - 1.6:
            group.scale_to_fit_height(config.frame_height - 1.6).move_to(DOWN * 0.3).to_edge(LEFT, buff=1.0)
        self.play(FadeOut(x_row), FadeOut(x_label), FadeOut(y_col), FadeOut(y_label), run_time=0.6)
        scale = cell_t / cell
        moves = []
        for r in range(n_out):
            for c in range(n_in):
                moves.append(c_grid.cell(r, c).animate.scale(scale).move_to(ct_grid.cell(c, r)))
                if c_grid.number(r, c) is not None:
                    moves.append(c_grid.number(r, c).animate.scale(scale).move_to(ct_grid.cell(c, r)))
        self.play(*moves, Transform(c_label, ct_label), Transform(title, _title("Transposed convolution: x' = Cᵀ y", t)),
                  Transform(caption, Caption("Transpose C: row i becomes column i.", theme=t)), run_time=1.5)
        self.remove(c_grid)
        self.add(ct_grid)
        self.play(FadeIn(y_row), FadeIn(yt_label), FadeIn(x_col.cells), FadeIn(xt_label), run_time=0.8)
        self.play(Write(VGroup(*(x_col.reveal(r, 0) for r in range(n_in)))), run_time=1.2)
        self.wait(1)

        self.beat("x' is not x")
        x_back = NumberGrid(back.output, role="input", label=_label("x' = Cᵀy", back.output.shape), cell_size=0.5,
                            theme=t)
        pair = VGroup(x_small, x_back).arrange(RIGHT, buff=0.8).to_edge(RIGHT, buff=0.6).shift(DOWN * 0.2)
        self.play(FadeIn(pair), Transform(caption, Caption(
            f"x' has the shape of x ({_label('', conv.x.shape).strip()}) but not its values: "
            "Cᵀ is not the inverse.", theme=t)), run_time=1)
        self.shown.update(matrix=C, matrix_shape=C.shape, transposed_shape=C.T.shape, x=conv.x, y=conv.output,
                          x_back=back.output, x_back_shown=x_back.shown_values(),
                          column_shown=x_col.shown_values().ravel())
        self.wait(3)
