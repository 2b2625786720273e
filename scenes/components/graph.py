"""A small computation graph: nodes with a name and a value, forward edges, backward (gradient) edges."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Circle, DashedLine, RoundedRectangle, Text, VGroup

from ..theme import Theme, current_theme

__all__ = ["GraphNode", "forward_edge", "gradient_edge"]


class GraphNode(VGroup):
    """A node of a computation graph: a box (or a circle for an operator) in its role colour, a name, a value.

    ``role=None`` draws a muted box: a constant (e.g. a random sample) rather than a tensor we learn.
    The value, if any, is a second line inside the box.

    Example::

        mu = GraphNode("μ", value="(0.42, −1.30)")
        plus = GraphNode("+", op=True)
    """

    def __init__(self, name: str, role: str | None = "latent", value: str | None = None, op: bool = False,
                 theme: Theme | None = None, font_size: float = 30):
        super().__init__()
        self.theme = t = theme or current_theme()
        self.name = name
        color = t.muted if op or role is None else t.role_color(role)
        self.label = Text(name, font=t.font, color=t.text, font_size=font_size)
        self.value: Text | None = None
        content = VGroup(self.label)
        if value is not None:
            self.value = Text(value, font=t.font, color=t.text, font_size=0.8 * font_size)
            content.add(self.value)
            content.arrange(DOWN, buff=0.12)
        if op:
            self.shape = Circle(radius=0.38, stroke_color=color, stroke_width=3)
        else:
            self.shape = RoundedRectangle(corner_radius=0.12, width=max(1.1, content.width + 0.4),
                                          height=content.height + 0.4, stroke_color=color, stroke_width=3,
                                          fill_color=color, fill_opacity=t.cell_fill_opacity)
        content.move_to(self.shape)
        self.add(self.shape, content)


def _ends(a: GraphNode, b: GraphNode) -> tuple[np.ndarray, np.ndarray]:
    """Points on the borders of ``a`` and ``b`` facing each other (sides for mostly horizontal edges)."""
    d = b.shape.get_center() - a.shape.get_center()
    if abs(d[0]) >= abs(d[1]):
        out, into = (RIGHT, LEFT) if d[0] > 0 else (LEFT, RIGHT)
    else:
        out, into = (UP, DOWN) if d[1] > 0 else (DOWN, UP)
    return a.shape.get_critical_point(out), b.shape.get_critical_point(into)


def forward_edge(a: GraphNode, b: GraphNode, theme: Theme | None = None) -> Arrow:
    """The forward arrow from node ``a`` to node ``b``."""
    t = theme or current_theme()
    start, end = _ends(a, b)
    return Arrow(start, end, buff=0.06, stroke_color=t.muted, stroke_width=3, tip_length=0.18)


def gradient_edge(a: GraphNode, b: GraphNode, theme: Theme | None = None, offset: float = 0.2) -> DashedLine:
    """The gradient flowing back from ``a`` to ``b``: a dashed arrow in the highlight colour beside the edge b → a."""
    t = theme or current_theme()
    end, start = _ends(b, a)
    direction = (end - start) / max(np.linalg.norm(end - start), 1e-9)
    shift = offset * np.array([-direction[1], direction[0], 0.0])
    line = DashedLine(start + shift, end + shift, buff=0.1, color=t.highlight, stroke_width=4, dash_length=0.12)
    line.add_tip(tip_length=0.18)
    return line
