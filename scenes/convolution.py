"""Convolution on screen: the window slides, products are summed, the output fills in.

``ConvolutionNumbers`` writes out every product (the lecture's 4×4 input and 3×3 kernel by default);
``ConvArithmetic`` shows any (i, k, s, p, d): the padding ring, the stride, dilation holes and the
padded rows/cols no window covers. Every number and size on screen comes from convmath.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    Line,
    MarkupText,
    Square,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    config,
)

from convmath import conv_output_size, explain_conv
from convmath.trace import ConvTrace, conv2d_trace

from .base import ConvvizScene
from .components import (
    Caption,
    FormulaPanel,
    KernelWindow,
    NumberGrid,
    ShapeBadge,
    fit_cell_size,
    format_number,
    MINUS,
    keep_inside,
    padded_grid,
    readable_cell,
    shape_text,
    swap_caption,
)
from .params import Param, ParamError

__all__ = ["ConvolutionNumbers", "ConvArithmetic", "LECTURE_INPUT", "LECTURE_KERNEL"]

# The lecture's example (lecture/image-generation-day1.txt): inputs, not results.
LECTURE_INPUT = [[2, 1, 0, 3], [0, 0, 1, 2], [3, 1, 2, 0], [0, 2, 2, 1]]
LECTURE_KERNEL = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]

# Frame regions (Manim units; the frame is 14.22 × 8).
GRID_TOP = 2.55
GRID_HEIGHT = 4.6
BOTTOM_HEIGHT = 1.7  # the strip under the grids: products, caption, formula
FAST_STEP_TIME = 0.25
NUMBER_CELL = 0.5  # a small output's cells beside an input too large for numbers (larger if its numbers need it)
NUMBER_SIZE = 20  # kernel and output cells grow (room allowing) until their numbers are at least this size


def _size_pair(value: int | tuple[int, ...]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[-1])


def _matrix(params: Mapping[str, Any], name: str, size_name: str, rng: np.random.Generator,
            low: int, high: int, fallback: int | None) -> np.ndarray:
    """The ``name`` matrix (its shape is its size), or seeded random ints in [low, high) of ``size_name`` (or of
    ``fallback`` when that is none too)."""
    given, size = params[name], params[size_name]
    if given is not None:
        given = np.asarray(given)
        if size is not None and _size_pair(size) != given.shape:
            raise ParamError(
                f"{size_name}={_fmt_param(size)} contradicts {name}, which is {shape_text(given.shape)}: leave "
                f"{size_name} out (the {name} sets it), or set {name}=none for a random "
                f"{shape_text(_size_pair(size))} {name}."
            )
        return given
    size = fallback if size is None else size
    if size is None:
        raise ParamError(f"{name}=none needs {size_name}: give {size_name} like 5 or 5,6, or give {name}.")
    return rng.integers(low, high, size=_size_pair(size))


def _fmt_param(value: Any) -> str:
    """A parameter as the user wrote it: ``2``, ``2, 1`` or ``(1, 0), (2, 1)``."""
    if isinstance(value, tuple):
        return ", ".join(f"({_fmt_param(v)})" if isinstance(v, tuple) else _fmt_param(v) for v in value)
    return str(value)


def _factor(value: float) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith(MINUS) else text


def _span(text: str, color: str) -> str:
    return f'<span foreground="{color}">{text}</span>'


class _WindowScene(ConvvizScene):
    """A kernel window sliding over a padded input while the output grid fills in (shared by both scenes)."""

    FULL_STEPS: ClassVar[int] = 12     # output cells animated in full
    FAST_STEPS: ClassVar[int] = 36     # then this many quickly; the rest fill in at once
    MAX_PADDED: ClassVar[int] = 32     # largest padded side drawn
    MAX_KERNEL: ClassVar[int] = 12
    RANDOM_SIZES: ClassVar[tuple[int | None, int | None]] = (None, None)  # input and kernel sizes when none given

    @classmethod
    def arrays(cls, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The input and kernel the scene shows: given, or seeded random small ints."""
        rng = np.random.default_rng(params["seed"])
        x = _matrix(params, "input", "input_size", rng, 0, 4, cls.RANDOM_SIZES[0])
        w = _matrix(params, "kernel", "kernel_size", rng, -1, 3, cls.RANDOM_SIZES[1])
        return x, w

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        trace = cls.trace_for(params)  # convmath refuses what the real op would
        if max(trace.w.shape) > cls.MAX_KERNEL:
            raise ParamError(f"kernel is {shape_text(trace.w.shape)}: {cls.__name__} draws kernels up to "
                             f"{cls.MAX_KERNEL}×{cls.MAX_KERNEL}.")
        padded = trace.padded.shape
        if max(padded) > cls.MAX_PADDED:
            raise ParamError(f"the padded input is {shape_text(padded)}: {cls.__name__} draws up to "
                             f"{cls.MAX_PADDED}×{cls.MAX_PADDED}; use a smaller input_size or padding.")

    @classmethod
    def trace_for(cls, params: Mapping[str, Any]) -> ConvTrace:
        x, w = cls.arrays(params)
        return conv2d_trace(x, w, stride=params["stride"], padding=params["padding"], dilation=params["dilation"])

    # --- layout -------------------------------------------------------------------------------------

    def build(self) -> None:
        """Create the grids, labels and window from the trace (nothing added to the scene yet)."""
        p, t = self.params, self.theme
        self.trace = trace = self.trace_for(p)
        x, w = trace.x, trace.w
        self.out_shape = conv_output_size(x.shape, w.shape, p["stride"], p["padding"], p["dilation"])
        hp, wp = trace.padded.shape
        oh, ow = self.out_shape
        kh, kw = w.shape
        # Widths: input, kernel and output share the frame; one cell size for input and output if it fits and
        # shows numbers; a small output beside an input too large for numbers gets cells its numbers fit in.
        in_cell = fit_cell_size(hp, wp, 5.6, GRID_HEIGHT, largest=0.9)
        out_fit = fit_cell_size(oh, ow, 4.2, GRID_HEIGHT, largest=0.9)
        out_cell = min(in_cell, out_fit)
        if out_cell < readable_cell(trace.output, t.font, NUMBER_SIZE):
            out_cell = min(max(NUMBER_CELL, readable_cell(trace.output, t.font, NUMBER_SIZE)), out_fit)
        # The kernel's cells match the input's, but never so small that its numbers get small (when room allows).
        k_cell = min(fit_cell_size(kh, kw, 2.4, GRID_HEIGHT * 0.6, largest=0.9),
                     max(in_cell, 0.45, readable_cell(w, t.font, NUMBER_SIZE)))
        self.input_grid = padded_grid(trace.padded, trace.pads, cell_size=in_cell, theme=t)
        self.kernel_grid = NumberGrid(w, role="kernel", cell_size=k_cell, theme=t)
        self.output_grid = NumberGrid(trace.output, role="output", cell_size=out_cell, hide_values=True, theme=t)
        for cell in self.output_grid.cells:
            cell.set_fill(opacity=0).set_stroke(opacity=0.35)
        self.input_grid.to_edge(LEFT, buff=0.6).align_to([0, GRID_TOP, 0], UP)
        self.output_grid.to_edge(RIGHT, buff=0.6).align_to([0, GRID_TOP, 0], UP)
        free_left, free_right = self.input_grid.get_right()[0], self.output_grid.get_left()[0]
        self.kernel_grid.move_to([(free_left + free_right) / 2, 0, 0]).align_to([0, GRID_TOP, 0], UP)
        self.badges: list[ShapeBadge] = []
        self.labels = VGroup(
            self._label("input", x.shape, self.input_grid),
            self._label("kernel", w.shape, self.kernel_grid),
            self._label("output", self.out_shape, self.output_grid),
        )
        self.shown["labels"] = [f"input {shape_text(x.shape)}", f"kernel {shape_text(w.shape)}",
                                f"output {shape_text(self.out_shape)}"]
        self.shown["badges"] = {badge.role: badge.shape for badge in self.badges}
        self.shown["output_shape"] = self.out_shape
        self.extras = VGroup()
        if any(trace.pads):
            note = Text(f"padded {shape_text((hp, wp))}", font=t.font, color=t.padding, font_size=24)
            self.extras.add(note.next_to(self.input_grid, DOWN, buff=0.15))
            self.shown["padded_shape"] = (hp, wp)
        self.header = Text(
            f"stride {_fmt_param(p['stride'])}  ·  padding {_fmt_param(p['padding'])}  ·  "
            f"dilation {_fmt_param(p['dilation'])}", font=t.font, color=t.muted, font_size=28,
        ).to_edge(UP, buff=0.25)
        self.window = KernelWindow(self.input_grid, kh, kw, dilation=trace.dilation, theme=t)
        # The current output cell, outlined in the kernel colour, and the link window -> kernel -> that cell:
        # it runs between the grids (from the window's height to the kernel, from the kernel to the cursor's
        # row), so it never crosses a number and nothing static has to be redrawn under it.
        self.cursor = Square(out_cell, stroke_color=t.kernel, stroke_width=max(3.0, 9 * out_cell), fill_opacity=0)
        # No updater: a scene with updaters redraws every frame of every wait.
        gap = 0.1
        self._link_ends = (self.input_grid.get_right()[0] + gap, self.kernel_grid.get_left() + [-gap, 0, 0],
                           self.kernel_grid.get_right() + [gap, 0, 0], self.output_grid.get_left()[0] - gap)
        self.link = self.link_for(self.window_origin(0, 0), (0, 0))

    def link_for(self, origin: tuple[int, int], out: tuple[int, int]) -> VGroup:
        """The two link segments for the window on padded cell ``origin`` and the cursor on output cell ``out``."""
        input_x, kernel_left, kernel_right, output_x = self._link_ends
        style = {"stroke_color": self.theme.kernel, "stroke_width": 3, "stroke_opacity": 0.7}
        kh, kw = self.trace.w.shape
        dh, dw = self.trace.dilation
        window_y = (self.input_grid.cell(*origin).get_y()
                    + self.input_grid.cell(origin[0] + (kh - 1) * dh, origin[1]).get_y()) / 2
        return VGroup(Line([input_x, window_y, 0], kernel_left, **style),
                      Line(kernel_right, [output_x, self.output_grid.cell(*out).get_y(), 0], **style))

    def _label(self, name: str, shape: tuple[int, ...], grid: NumberGrid) -> VGroup:
        badge = ShapeBadge(shape, role=grid.role, theme=self.theme)
        self.badges.append(badge)
        text = Text(name, font=self.theme.font, color=self.theme.text, font_size=28)
        return keep_inside(VGroup(text, badge).arrange(RIGHT, buff=0.15).next_to(grid, UP, buff=0.2))

    def window_origin(self, r: int, c: int) -> tuple[int, int]:
        """The padded-input cell under the window's top-left tap for output cell (r, c) (from the trace)."""
        rows, cols = self.trace.window(r, c)
        return int(rows[0]), int(cols[0])

    # --- beats ----------------------------------------------------------------------------------------

    def intro(self, caption: str) -> None:
        self.beat("the input and the kernel")
        self.caption = Caption(caption, theme=self.theme)
        # Static parts are added, not faded in: fading a big grid costs more than the whole slide. What
        # moves (window, cursor, link) is added last, so Manim redraws only that on each frame.
        self.add(self.header, self.input_grid, self.labels[0], self.extras, self.caption)
        self.wait(0.8)
        self.window.move_to_cell(*self.window_origin(0, 0))
        self.cursor.move_to(self.output_grid.cell(0, 0))
        self.play(FadeIn(self.kernel_grid), FadeIn(self.labels[1]), FadeIn(self.output_grid), FadeIn(self.labels[2]),
                  Create(self.window), Create(self.cursor), FadeIn(self.link), run_time=1.0)

    def fill_cell(self, r: int, c: int) -> list:
        """Animations that colour output cell (r, c) and write its number (if numbers are shown)."""
        cell = self.output_grid.cell(r, c)
        anims = [cell.animate.set_fill(opacity=self.theme.cell_fill_opacity).set_stroke(opacity=1)]
        if self.output_grid.show_numbers:
            anims.append(FadeIn(self.output_grid.reveal(r, c), scale=1.4))
        return anims

    def slide(self) -> None:
        """Visit every output cell: the first few in full, then quickly, then the rest at once."""
        self.beat("the window slides")
        oh, ow = self.out_shape
        cells = [(r, c) for r in range(oh) for c in range(ow)]
        full = self.full_steps()
        fast = full + self.FAST_STEPS
        for n, (r, c) in enumerate(cells[:fast]):
            move = self.move_window(r, c)
            if n < full:
                self.full_step(r, c, move)
            else:
                if n == full:
                    caption = Caption("… and so on for every output cell.", theme=self.theme)
                    self.play(swap_caption(self.bottom(), caption), run_time=0.4)
                    self.caption = caption
                    self.pointer_to_front()
                self.play(*move, *self.fill_cell(r, c), run_time=FAST_STEP_TIME)
        rest = cells[fast:]
        if rest:
            self.play(*self.move_window(*rest[-1]),
                      LaggedStart(*(AnimationGroup(*self.fill_cell(r, c)) for r, c in rest), lag_ratio=0.05),
                      run_time=2.0)
        self.shown["output"] = self.output_grid.values.copy()
        self.shown["output_numbers"] = self.output_grid.shown_values()
        self.shown["steps"] = len(cells)
        self.shown["window_origins"] = [self.window_origin(r, c) for r, c in cells]

    def full_steps(self) -> int:
        """How many output cells are animated in full before the quick ones."""
        return self.FULL_STEPS

    def pointer_to_front(self) -> None:
        """Keep window, cursor and link last in the scene: Manim redraws from the first moving mobject on."""
        self.bring_to_front(self.window, self.cursor, self.link)

    def move_window(self, r: int, c: int) -> list:
        """Animations taking the window to output cell (r, c)'s position and the cursor to that cell."""
        origin = self.window_origin(r, c)
        return [self.window.animate.move_to(self.window.target_for(*origin)),
                self.cursor.animate.move_to(self.output_grid.cell(r, c)),
                Transform(self.link, self.link_for(origin, (r, c)))]

    def full_step(self, r: int, c: int, move: list) -> None:
        self.play(*move, run_time=0.6)
        self.play(*self.fill_cell(r, c), run_time=0.5)

    def show_uncovered(self) -> None:
        """Highlight the padded rows/cols no kernel tap touches, and name them (from the trace)."""
        rows, cols = self.trace.uncovered_rows, self.trace.uncovered_cols
        self.shown["uncovered_rows"], self.shown["uncovered_cols"] = rows, cols
        if not rows and not cols:
            return
        self.beat("what no window covers")
        g, t = self.input_grid, self.theme
        hp, wp = self.trace.padded.shape
        marks = VGroup(*(g.region(r, 0, r, wp - 1, color=t.highlight) for r in rows),
                       *(g.region(0, c, hp - 1, c, color=t.highlight) for c in cols))
        parts = []
        if rows:
            parts.append(f"row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}")
        if cols:
            parts.append(f"col{'s' if len(cols) > 1 else ''} {', '.join(map(str, cols))}")
        text = f"Never under a kernel tap: padded {' and '.join(parts)} (0-based)."
        self.shown["uncovered_text"] = text
        caption = Caption(text, theme=t)
        self.play(FadeOut(self.window), FadeOut(self.link), FadeOut(self.cursor), Create(marks),
                  swap_caption(self.bottom(), caption), run_time=1.0)
        self.wait(1.5)
        self.play(FadeOut(marks), run_time=0.4)
        self.caption = caption

    def show_formula(self) -> None:
        """The output-size formula per axis with the numbers in (one panel when both axes agree)."""
        self.beat("the output size")
        p, t = self.params, self.theme
        formulas = explain_conv(self.trace.x.shape, self.trace.w.shape, p["stride"], p["padding"], p["dilation"])
        titled = ([(formulas[0], "output size:")] if formulas[0].text == formulas[1].text
                  else list(zip(formulas, ("output rows:", "output cols:"))))

        def make(font_size: float) -> VGroup:
            return VGroup(*(FormulaPanel(f, title=title, theme=t, latex=False, inline=True, font_size=font_size)
                            for f, title in titled)).arrange(DOWN, buff=0.1, aligned_edge=LEFT)

        panels = make(34)
        if len(panels) > 1 and len({panel.fit_scale for panel in panels}) > 1:  # one font size for both axes
            panels = make(34 * min(panel.fit_scale for panel in panels))
        panels.scale_to_fit_height(min(panels.height, BOTTOM_HEIGHT))
        panels.to_edge(DOWN, buff=0.25)
        self.shown["formula"] = [panel.text for panel in panels]
        self.shown["formula_values"] = tuple(panel.value for panel in panels)
        pointer = [FadeOut(m) for m in (self.window, self.link, self.cursor) if m in self.mobjects]
        if len(self.extras) and self.extras.get_bottom()[1] < panels.get_top()[1]:
            pointer.append(FadeOut(self.extras))  # the "padded" note makes room for the formula
        self.play(*pointer, swap_caption(self.bottom(), panels, shift=UP * 0.2), run_time=0.8)
        self.wait(2.0)

    def bottom(self) -> list:
        """Whatever occupies the bottom strip now (caption, products)."""
        return [m for m in (self.caption, getattr(self, "products", None)) if m in self.mobjects]

    def clear_bottom(self) -> list:
        """Fade-outs for whatever occupies the bottom strip now."""
        return [FadeOut(m) for m in self.bottom()]


def _params(input_default, kernel_default, random_sizes: tuple[int | None, int | None], side: int,
            kernel: int) -> tuple[Param, ...]:
    """The parameters both window scenes share; ``random_sizes``: the random input's and kernel's sizes when
    neither the matrix nor its size is given; ``side`` and ``kernel``: the largest padded input and kernel drawn."""
    drawn = f"drawn up to {side}×{side} with padding"
    size_help = "size of a random {0} when {0}=none ({1}{2}); a given {0} sets it"
    return (
        Param("input", "matrix", input_default, "input values, rows like [[1,2],[3,4]]; none: random from input_size",
              max_side=side, low=-99, high=99, reason="each value is written in its cell"),
        Param("kernel", "matrix", kernel_default, "kernel values; none: random from kernel_size",
              max_side=kernel, low=-99, high=99, reason="each value is written in its cell"),
        Param("input_size", "size", None, size_help.format("input", "5 or 5,6", _default_text(random_sizes[0])),
              low=1, high=side, max_side=2, reason=drawn),
        Param("kernel_size", "size", None, size_help.format("kernel", "3 or 3,2", _default_text(random_sizes[1])),
              low=1, high=kernel, max_side=2, reason=f"kernels are drawn up to {kernel}×{kernel}"),
        Param("stride", "size", 1, "step of the window (2 or 2,1)", low=1, high=side, max_side=2, reason=drawn),
        Param("padding", "padding", 0, "zeros around the input: 1, 1,2, [[top,bottom],[left,right]], same, full",
              low=0, high=side, max_side=2, reason=drawn),
        Param("dilation", "size", 1, "spacing of the kernel taps (2 or 2,1)", low=1, high=side, max_side=2,
              reason=drawn),
        Param("seed", "int", 0, "seed of the random input/kernel", low=0, high=2**32 - 1,
              reason="numpy's seed range"),
    )


def _default_text(size: int | None) -> str:
    return "" if size is None else f"; none: {size}"


class ConvolutionNumbers(_WindowScene):
    """The lecture's example: the window slides, each product is written out, the sum lands in the output."""

    SUMMARY = "the window slides, every product is written out and summed into the output cell"
    PARAMS = _params(LECTURE_INPUT, LECTURE_KERNEL, (None, None), side=10, kernel=5) + (
        Param("products", "int", 4, "how many windows write out their products (the first N; the rest step "
              "quickly); 0 for none", low=0, high=25,
              reason="each written-out window is about 3.5 s of video; 25 is every window of a 5×5 output"),
    )
    PRESETS = {
        "lecture": {},
        "lecture_padded": {"padding": 1},
        "lecture_stride2_padded": {"stride": 2, "padding": 1},
        "random_5x5": {"input": None, "input_size": 5, "seed": 1},
    }
    FAST_STEPS = 12
    MAX_PADDED = 10
    MAX_KERNEL = 5

    def construct(self) -> None:
        self.build()
        self.products = VGroup()
        self.intro("Output cell = sum of window × kernel, element by element.")
        self.slide()
        self.show_uncovered()
        self.show_formula()

    def full_steps(self) -> int:
        return self.params["products"]

    def products_text(self, r: int, c: int) -> VGroup:
        """``a·b + ...`` per kernel row (window values in the input colour, kernel in the kernel colour) ``= sum``."""
        t, tr = self.theme, self.trace
        rows, cols = tr.window(r, c)
        window = tr.padded[np.ix_(rows, cols)]
        lines = []
        for i in range(tr.w.shape[0]):
            terms = [f"{_span(_factor(window[i, j]), t.input)}·{_span(_factor(tr.w[i, j]), t.kernel)}"
                     for j in range(tr.w.shape[1])]
            lines.append(("+ " if i else "") + " + ".join(terms))
        body = VGroup(*(MarkupText(line, font=t.font, color=t.text, font_size=36) for line in lines))
        body.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        number = Text(format_number(tr.output[r, c]), font=t.font, color=t.output, font_size=44)
        total = VGroup(Text("=", font=t.font, color=t.text, font_size=44), number).arrange(RIGHT, buff=0.15)
        total.next_to(body, RIGHT, buff=0.3).align_to(body, DOWN)
        group = VGroup(body, total)
        if group.height > BOTTOM_HEIGHT:
            group.scale_to_fit_height(BOTTOM_HEIGHT)
        if group.width > config.frame_width - 1:
            group.scale_to_fit_width(config.frame_width - 1)
        group.to_edge(DOWN, buff=0.3)
        group.number = number
        group.text = " ".join(lines) + f" = {format_number(tr.output[r, c])}"  # markup included
        return group

    def full_step(self, r: int, c: int, move: list) -> None:
        new = self.products_text(r, c)
        self.shown.setdefault("products", []).append(((r, c), new.text, float(self.trace.output[r, c])))
        self.play(*move, *self.clear_bottom(), run_time=0.6)
        self.play(FadeIn(new), run_time=0.7)
        self.products = new
        self.pointer_to_front()
        cell = self.output_grid.cell(r, c)
        self.play(TransformFromCopy(new.number, self.output_grid.reveal(r, c)),
                  cell.animate.set_fill(opacity=self.theme.cell_fill_opacity).set_stroke(opacity=1), run_time=0.7)
        self.wait(1.0)


class ConvArithmetic(_WindowScene):
    """Any (i, k, s, p, d): padding ring, stride steps, dilation holes, the output filling in, uncovered rows."""

    SUMMARY = "any input/kernel/stride/padding/dilation: the window steps, the output fills, uncovered rows shown"
    RANDOM_SIZES = (5, 3)
    PARAMS = _params(None, None, RANDOM_SIZES, side=32, kernel=12)
    PRESETS = {
        "no_padding_no_strides": {"input_size": 4, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1},
        "arbitrary_padding_no_strides": {"input_size": 5, "kernel_size": 4, "stride": 1, "padding": 2, "dilation": 1},
        "same_padding_no_strides": {"input_size": 5, "kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1},
        "full_padding_no_strides": {"input_size": 5, "kernel_size": 3, "stride": 1, "padding": 2, "dilation": 1},
        "no_padding_strides": {"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 0, "dilation": 1},
        "padding_strides": {"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
        "padding_strides_odd": {"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
        "dilation": {"input_size": 7, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 2},
    }

    def construct(self) -> None:
        self.build()
        self.intro("The window steps by the stride: one output cell per position.")
        self.slide()
        self.show_uncovered()
        self.show_formula()
