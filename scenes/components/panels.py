"""Text-like components: formula panel, shape badge, code panel, caption."""

from __future__ import annotations

from typing import Any, Sequence

from manim import (DOWN, LEFT, RIGHT, UP, Animation, AnimationGroup, FadeIn, FadeOut, MathTex, Mobject,
                   RoundedRectangle, Succession, Text, VGroup, VMobject, config)

from convmath import Formula

from ..theme import Theme, current_theme

__all__ = ["FormulaPanel", "ShapeBadge", "CodePanel", "Caption", "swap_caption", "shape_text", "scene_title",
           "keep_inside", "one_path", "TextPath", "EDGE_MARGIN"]


def shape_text(shape: tuple[int, ...]) -> str:
    """``(5, 6)`` as ``'5×6'``."""
    return "×".join(str(int(n)) for n in shape)


EDGE_MARGIN = 0.2  # Manim units between anything drawn and the frame's edge


def keep_inside(mobject, margin: float = EDGE_MARGIN):
    """Shift ``mobject`` (no resizing) so it stays ``margin`` inside the frame's left and right edges; returns it."""
    edge = config.frame_width / 2 - margin
    mobject.shift(RIGHT * (max(0.0, -edge - mobject.get_left()[0]) - max(0.0, mobject.get_right()[0] - edge)))
    return mobject


class TextPath(VMobject):
    """A Text's glyphs as one path (:func:`one_path` makes it) that still says what it reads and how large:
    ``font_size`` follows its scale as a Text's does (the readability test reads it)."""

    def __init__(self, text: Text):
        super().__init__()
        self.text = text.text
        self._initial_height = text.height
        self._font_size = float(text.font_size) if self._initial_height else 0.0  # a blank text has no size

    @property
    def font_size(self) -> float:
        return self._font_size * self.height / self._initial_height if self._initial_height else 0.0


def one_path(mobject: VMobject) -> VMobject:
    """The parts of ``mobject`` (a Text's glyphs, a dashed curve's dashes) as one VMobject with a subpath per
    part, styled like the first: drawn the same, but one mobject to copy, interpolate and draw per frame instead
    of one per glyph or dash (what makes a frame cheap when captions and labels change). A Text becomes a
    :class:`TextPath`."""
    parts = mobject.family_members_with_points()
    merged = TextPath(mobject) if isinstance(mobject, Text) else VMobject()
    for part in parts:
        merged.append_vectorized_mobject(part)
    if parts:
        first = parts[0]
        merged.set_fill(first.get_fill_color(), first.get_fill_opacity())
        merged.set_stroke(first.get_stroke_color(), first.get_stroke_width(), first.get_stroke_opacity())
    return merged


def scene_title(text: str, theme: Theme | None = None, font_size: float = 36) -> Text:
    """The scene's title line at the top of the frame (drawn fully transparent when the theme leaves titles out:
    the layout stays, a slide's own title shows instead)."""
    theme = theme or current_theme()
    title = Text(text, font=theme.font, color=theme.text, font_size=font_size).to_edge(UP, buff=0.3)
    return title if theme.titles else title.set_opacity(0)


def _box(content: VGroup, color: str, theme: Theme, buff: float = 0.2) -> RoundedRectangle:
    box = RoundedRectangle(corner_radius=0.12, width=content.width + 2 * buff, height=content.height + 2 * buff,
                           stroke_color=color, stroke_width=2, fill_color=theme.background,
                           fill_opacity=theme.panel_opacity)
    return box.move_to(content)


class FormulaPanel(VGroup):
    """The symbolic formula above the same formula with the numbers in, from a ``convmath.Formula``.

    ``inline=True`` puts the title and both formulas on one line (a compact panel for the bottom of the frame).

    Example::

        panel = FormulaPanel(explain_conv(5, 3, stride=2, padding=1), title="output size")
        self.play(FadeIn(panel))   # panel.value == 3
    """

    def __init__(self, formula: Formula, title: str | None = None, theme: Theme | None = None,
                 latex: bool = True, font_size: float = 34, inline: bool = False):
        super().__init__()
        self.theme = theme or current_theme()
        self.formula = formula
        self.value = formula.value
        self.text = formula.text
        t = self.theme
        if latex:
            symbolic = MathTex(formula.latex_symbolic, color=t.text, font_size=font_size)
            substituted = MathTex("=" + formula.latex, color=t.output, font_size=font_size)
        else:
            symbolic = Text(formula.symbolic, font=t.font, color=t.text, font_size=0.75 * font_size)
            substituted = Text("= " + formula.substituted, font=t.font, color=t.output, font_size=0.75 * font_size)
        lines = VGroup(symbolic, substituted)
        title_text = Text(title, font=t.font, color=t.muted, font_size=0.65 * font_size) if title else None
        if inline:
            row = VGroup(*([title_text] if title_text else []), symbolic, substituted).arrange(RIGHT, buff=0.2)
            lines = VGroup(row)
        else:
            if title_text:
                lines.add_to_back(title_text)
            lines.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        if formula.note:
            lines.add(Text(formula.note, font=t.font, color=t.muted, font_size=0.6 * font_size))
            lines.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        max_width = config.frame_width - 1.0
        self.fit_scale = min(1.0, max_width / lines.width)  # < 1 when shrunk to fit the frame
        lines.scale(self.fit_scale)
        self.lines = lines
        self.add(_box(lines, t.muted, t), lines)


class ShapeBadge(VGroup):
    """A small rounded label like ``5×5`` in the colour of its role.

    Example::

        badge = ShapeBadge((3, 3), role="output").next_to(grid, DOWN)
    """

    def __init__(self, shape: tuple[int, ...], role: str = "output", theme: Theme | None = None,
                 font_size: float = 26):
        super().__init__()
        self.theme = theme or current_theme()
        self.shape = tuple(int(n) for n in shape)
        self.role = role
        color = self.theme.role_color(role)
        label = Text(shape_text(self.shape), font=self.theme.font, color=color, font_size=font_size)
        box = RoundedRectangle(corner_radius=0.15, width=label.width + 0.3, height=label.height + 0.2,
                               stroke_color=color, stroke_width=2.5, fill_color=color,
                               fill_opacity=self.theme.cell_fill_opacity).move_to(label)
        self.add(box, label)


class CodePanel(VGroup):
    """Monospace lines of code in a rounded box (the PyTorch or Keras line that does what is shown).

    Example::

        CodePanel("nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)")
    """

    def __init__(self, code: str, theme: Theme | None = None, font_size: float = 28):
        super().__init__()
        self.theme = theme or current_theme()
        self.code = code
        t = self.theme
        lines = VGroup(*(Text(line or " ", font=t.mono_font, color=t.text, font_size=font_size)
                         for line in code.splitlines()))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        max_width = config.frame_width - 1.0
        if lines.width > max_width:
            lines.scale_to_fit_width(max_width)
        self.lines = lines
        self.add(_box(lines, t.muted, t), lines)


class Caption(VGroup):
    """The explanation at the bottom of the frame: one line, or a few (``text`` a list of lines), shrunk only to
    fit the frame's width. Replace it with :func:`swap_caption`, never by cross-fading two captions in one place.

    ``color`` defaults to the theme's text colour; ``merged=True`` draws each line as one path (cheaper per
    frame for long captions that change often; the lines are then no longer ``Text``); ``always=True`` keeps it
    when the theme leaves captions out (for content such as formulas, not narration).

    Example::

        caption = Caption("The window slides by the stride.")
        self.play(FadeIn(caption))
        new = Caption("Each product is summed.")
        self.play(swap_caption(caption, new))
        caption = new
    """

    def __init__(self, text: str | Sequence[str], theme: Theme | None = None, font_size: float = 30,
                 color: str | None = None, merged: bool = False, always: bool = False):
        super().__init__()
        self.theme = theme or current_theme()
        lines = [text] if isinstance(text, str) else list(text)
        self.text = "\n".join(lines)
        for line in lines:
            drawn = Text(line, font=self.theme.font, color=color or self.theme.text, font_size=font_size)
            self.add(one_path(drawn) if merged else drawn)
        self.arrange(DOWN, buff=0.08)
        max_width = config.frame_width - 1.0
        if self.width > max_width:
            self.scale_to_fit_width(max_width)
        if not (self.theme.captions or always):
            self.set_opacity(0)
        self.to_edge(DOWN, buff=0.3)


def swap_caption(old: Mobject | Sequence[Mobject] | None, new: Mobject, **fade_in: Any) -> Animation:
    """``old`` (the caption or whatever holds the caption's place now: one mobject, several, or None) fades out,
    then ``new`` fades in at its place (``fade_in``: FadeIn's options, e.g. ``shift``). Each takes half of the
    play's run time (1 s unless the play sets one), so no frame shows two texts over each other (a cross-fade
    reads as neither). Play it with the beat's other animations; ``old`` leaves the scene at the end."""
    leaving = [] if old is None else [old] if isinstance(old, Mobject) else list(old)
    if not leaving:
        return FadeIn(new, **fade_in)
    return Succession(AnimationGroup(*(FadeOut(m) for m in leaving)), FadeIn(new, **fade_in), run_time=1.0)
