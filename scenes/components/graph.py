"""A small computation graph: nodes with a name and a value, forward edges, backward (gradient) edges."""

from __future__ import annotations

from manim import DOWN, Arrow, Circle, CurvedArrow, RoundedRectangle, Text, VGroup

from ..theme import Theme, current_theme

__all__ = ["GraphNode", "forward_edge", "gradient_edge"]


class GraphNode(VGroup):
    """A node of a computation graph: a box (or a circle for an operator) in its role colour, a name, a value.

    Example::

        mu = GraphNode("μ", role="latent", value="0.42, -1.30")
        plus = GraphNode("+", op=True)
    """

    def __init__(self, name: str, role: str = "latent", value: str | None = None, op: bool = False,
                 theme: Theme | None = None, font_size: float = 30):
        super().__init__()
        self.theme = t = theme or current_theme()
        self.name = name
        color = t.muted if op else t.role_color(role)
        self.label = Text(name, font=t.font, color=t.text, font_size=font_size)
        if op:
            self.shape = Circle(radius=0.38, stroke_color=color, stroke_width=3)
        else:
            self.shape = RoundedRectangle(corner_radius=0.12, width=max(1.1, self.label.width + 0.4), height=0.8,
                                          stroke_color=color, stroke_width=3, fill_color=color,
                                          fill_opacity=t.cell_fill_opacity)
        self.label.move_to(self.shape)
        self.add(self.shape, self.label)
        self.value: Text | None = None
        if value is not None:
            self.value = Text(value, font=t.font, color=t.text, font_size=22).next_to(self.shape, DOWN, buff=0.1)
            self.add(self.value)


def forward_edge(a: GraphNode, b: GraphNode, theme: Theme | None = None) -> Arrow:
    """The forward arrow from node ``a`` to node ``b``."""
    t = theme or current_theme()
    return Arrow(a.shape.get_center(), b.shape.get_center(), buff=0.45, stroke_color=t.muted, stroke_width=3,
                 tip_length=0.18)


def gradient_edge(a: GraphNode, b: GraphNode, theme: Theme | None = None, angle: float = 0.6) -> CurvedArrow:
    """A curved backward arrow (the gradient) from ``a`` back to ``b``, in the highlight colour."""
    t = theme or current_theme()
    start = a.shape.get_critical_point(DOWN)
    end = b.shape.get_critical_point(DOWN)
    return CurvedArrow(start, end, angle=-abs(angle), color=t.highlight, stroke_width=4, tip_length=0.18)
