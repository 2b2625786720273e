"""Mobjects for the autoencoder scenes: digit images, a latent scatter plot, layer blocks, a Gaussian."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import (DOWN, LEFT, RESAMPLING_ALGORITHMS, RIGHT, UP, Arrow, Circle, Dot, Ellipse, Group, ImageMobject, Line,
                   ManimColor, Rectangle, RoundedRectangle, Text, VGroup, VMobject)
from manim.utils.color import color_to_int_rgb

from ..theme import Theme, current_theme
from .grid import MINUS
from .panels import shape_text

__all__ = ["DigitImage", "LatentPlot", "LayerBlock", "GaussianRings", "LatentVector", "flow_arrow", "drop_svg_sources"]


class DigitImage(Group):
    """An image with values in [0, 1], crisp (nearest-neighbour pixels): ink opacity = pixel value, a frame in the
    role colour, an optional label below. ``.image`` keeps the array (tests compare it with the model's output).

    Example::

        digit = DigitImage(images[0], role="input", label="input 8×8")
    """

    def __init__(self, image: np.ndarray, role: str = "input", label: str | None = None, size: float = 1.6,
                 theme: Theme | None = None, font_size: float = 24):
        super().__init__()
        self.theme = theme or current_theme()
        self.image = np.asarray(image, dtype=float)
        if self.image.ndim != 2:
            raise ValueError(f"image must be 2-D (H, W), got shape {self.image.shape}.")
        rows, cols = self.image.shape
        rgba = np.zeros((rows, cols, 4), dtype=np.uint8)
        rgba[..., :3] = np.array(color_to_int_rgb(ManimColor(self.theme.text)), dtype=np.uint8)
        rgba[..., 3] = np.round(255 * np.clip(self.image, 0.0, 1.0)).astype(np.uint8)
        self.pixels = ImageMobject(rgba, scale_to_resolution=rows)
        self.pixels.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.pixels.stretch_to_fit_width(size * cols / max(rows, cols))
        self.pixels.stretch_to_fit_height(size * rows / max(rows, cols))
        self.frame = Rectangle(width=self.pixels.width, height=self.pixels.height,
                               stroke_color=self.theme.role_color(role), stroke_width=4).move_to(self.pixels)
        self.add(self.pixels, self.frame)
        self.label: Text | None = None
        if label:
            self.label = Text(label, font=self.theme.font, color=self.theme.text, font_size=font_size)
            self.label.next_to(self.frame, DOWN, buff=0.12)
            self.add(self.label)


class LatentPlot(VGroup):
    """A 2-D latent plane with points coloured by class, axis names and an optional class legend.

    The ranges come from the caller (so several plots can share them); ``to_point(z)`` maps latent
    coordinates to the screen. ``.codes`` and ``.labels`` keep what is drawn.

    Example::

        plot = LatentPlot(codes, labels, x_range=(-4, 4), y_range=(-4, 4), width=5, height=5)
        marker = Dot(plot.to_point(z))
    """

    def __init__(self, codes: np.ndarray, labels: np.ndarray | None, x_range: tuple[float, float],
                 y_range: tuple[float, float], width: float = 5.0, height: float = 5.0, legend: bool = True,
                 title: str | None = None, dot_radius: float = 0.035, dot_color: str | None = None,
                 theme: Theme | None = None):
        super().__init__()
        self.theme = theme or current_theme()
        self.codes = np.asarray(codes, dtype=float)
        if self.codes.ndim != 2 or self.codes.shape[1] != 2:
            raise ValueError(f"codes must be (N, 2) to plot, got shape {self.codes.shape}.")
        self.labels = None if labels is None else np.asarray(labels, dtype=int)
        if self.labels is not None and np.all(self.labels < 0):  # a user's data without labels
            self.labels = None
        self.x_range, self.y_range = tuple(map(float, x_range)), tuple(map(float, y_range))
        self.width_, self.height_ = width, height
        t = self.theme
        self.box = Rectangle(width=width, height=height, stroke_color=t.muted, stroke_width=2)
        self.axes = VGroup()
        if self.x_range[0] < 0 < self.x_range[1]:
            self.axes.add(Line(self.to_point((0, self.y_range[0])), self.to_point((0, self.y_range[1])),
                               stroke_color=t.muted, stroke_width=1.5, stroke_opacity=0.6))
        if self.y_range[0] < 0 < self.y_range[1]:
            self.axes.add(Line(self.to_point((self.x_range[0], 0)), self.to_point((self.x_range[1], 0)),
                               stroke_color=t.muted, stroke_width=1.5, stroke_opacity=0.6))
        self.axis_names = VGroup(
            Text("z₁", font=t.font, color=t.muted, font_size=24).next_to(self.box, DOWN, buff=0.08),
            Text("z₂", font=t.font, color=t.muted, font_size=24).next_to(self.box, LEFT, buff=0.08),
        )
        self.inside = self.contains(self.codes)
        classes = self.labels if self.labels is not None else np.zeros(len(self.codes), dtype=int)
        self.dots = VGroup()
        for c in np.unique(classes):
            color = (dot_color or t.muted) if self.labels is None else t.classes[int(c) % len(t.classes)]
            where = self.inside & (classes == c)
            self.dots.add(_dot_cloud([self.to_point(z) for z in self.codes[where]], dot_radius, color))
        self.add(self.box, self.axes, self.axis_names, self.dots)
        self.title: Text | None = None
        if title:
            self.title = Text(title, font=t.font, color=t.text, font_size=28).next_to(self.box, UP, buff=0.15)
            self.add(self.title)
        self.legend = VGroup()
        if legend and self.labels is not None:
            for c in np.unique(self.labels):
                entry = VGroup(Dot(radius=0.09, fill_color=t.classes[int(c) % len(t.classes)], stroke_width=0),
                               Text(str(c), font=t.font, color=t.text, font_size=24)).arrange(RIGHT, buff=0.1)
                self.legend.add(entry)
            self.legend.arrange(DOWN, aligned_edge=LEFT, buff=0.08).next_to(self.box, RIGHT, buff=0.15)
            self.add(self.legend)

    @staticmethod
    def ranges_for(*point_sets: np.ndarray, margin: float = 0.08,
                   quantile: float = 0.0) -> tuple[tuple[float, float], tuple[float, float]]:
        """Equal-scale (z₁, z₂) ranges holding the points of every set (between the ``quantile`` and
        1 − ``quantile`` of each axis: the few outliers beyond are left off the plot), with a margin."""
        points = np.concatenate([np.asarray(p, dtype=float).reshape(-1, 2) for p in point_sets])
        low, high = np.quantile(points, quantile, axis=0), np.quantile(points, 1 - quantile, axis=0)
        centre, half = (low + high) / 2, max(float(np.max(high - low)) / 2, 1e-6) * (1 + margin)
        return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)

    def contains(self, points: np.ndarray) -> np.ndarray:
        """A boolean mask: which latent points fall inside the plot's ranges (only those are drawn)."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)

    def to_point(self, z: Sequence[float]) -> np.ndarray:
        """The screen position of latent point ``z`` = (z₁, z₂) (follows the plot when it moves)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        fx = (float(z[0]) - x0) / (x1 - x0) - 0.5
        fy = (float(z[1]) - y0) / (y1 - y0) - 0.5
        return self.box.get_center() + np.array([fx * self.box.width, fy * self.box.height, 0.0])

    def scale_x(self) -> float:
        """Screen units per latent unit along z₁."""
        return self.box.width / (self.x_range[1] - self.x_range[0])

    def scale_y(self) -> float:
        """Screen units per latent unit along z₂."""
        return self.box.height / (self.y_range[1] - self.y_range[0])


def _dot_cloud(centres: Sequence[np.ndarray], radius: float, color: str) -> VMobject:
    """Many filled dots as one mobject (one subpath per dot): cheap to draw, copy and animate.

    Each dot is a circle of 4 cubic curves (a Dot has 8): the shape differs by < 0.03 % of the radius, and
    a frame that animates 1797 dots draws half the curves."""
    template = Circle(radius=radius, num_components=5).points
    cloud = VMobject(fill_color=color, fill_opacity=0.75, stroke_width=0)
    if len(centres):
        cloud.set_points(np.concatenate([template + centre for centre in centres]))
    return cloud


class GaussianRings(VGroup):
    """An axis-aligned Gaussian N(μ, diag σ²) on a LatentPlot: filled rings at 1σ and 2σ, μ as a dot (``center``).

    Example::

        rings = GaussianRings(plot, mu=(0.3, -1.2), sigma=(0.5, 0.8))
    """

    def __init__(self, plot: LatentPlot, mu: Sequence[float], sigma: Sequence[float], levels: Sequence[float] = (1, 2),
                 center: bool = True, theme: Theme | None = None):
        super().__init__()
        t = theme or plot.theme
        self.mu, self.sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
        where = plot.to_point(self.mu)
        for k in sorted(levels, reverse=True):
            ring = Ellipse(width=2 * k * self.sigma[0] * plot.scale_x(), height=2 * k * self.sigma[1] * plot.scale_y(),
                           stroke_color=t.latent, stroke_width=3, fill_color=t.latent, fill_opacity=0.12 / k)
            self.add(ring.move_to(where))
        if center:
            self.add(Dot(where, radius=0.07, fill_color=t.latent, stroke_color=t.background, stroke_width=2))


class LayerBlock(VGroup):
    """One layer of a network: a box whose height follows the feature-map size, the op above, the shape below.

    Example::

        block = LayerBlock("Conv2d 3×3 s2", (16, 4, 4), role="input", height=1.2, note="output_padding 1")

    ``note``, if given, goes under the shape in the highlight colour.
    """

    def __init__(self, op: str, shape: Sequence[int], role: str = "input", height: float = 1.0, width: float = 0.55,
                 theme: Theme | None = None, font_size: float = 22, note: str | None = None):
        super().__init__()
        self.theme = t = theme or current_theme()
        self.op, self.shape = op, tuple(int(n) for n in shape)
        color = t.role_color(role)
        self.box = RoundedRectangle(corner_radius=0.08, width=width, height=height, stroke_color=color,
                                    stroke_width=3, fill_color=color, fill_opacity=t.cell_fill_opacity)
        self.op_label = Text(op, font=t.font, color=t.text, font_size=font_size, line_spacing=0.8)
        self.op_label.next_to(self.box, UP, buff=0.2)
        self.shape_label = Text(shape_text(self.shape), font=t.font, color=color, font_size=font_size, weight="BOLD")
        self.shape_label.next_to(self.box, DOWN, buff=0.12)
        self.add(self.box, self.op_label, self.shape_label)
        self.note_label: Text | None = None
        if note:
            self.note_label = Text(note, font=t.font, color=t.highlight, font_size=font_size)
            self.note_label.next_to(self.shape_label, DOWN, buff=0.08)
            self.add(self.note_label)


class LatentVector(VGroup):
    """A latent vector as a column of cells with its values (the bottleneck), in the latent colour.

    Example::

        code = LatentVector([0.42, -1.3], label="z")
    """

    def __init__(self, values: Sequence[float], label: str | None = None, cell: float = 0.55,
                 theme: Theme | None = None, font_size: float = 22, digits: int = 2):
        super().__init__()
        self.theme = t = theme or current_theme()
        self.values = np.asarray(values, dtype=float)
        self.cells = VGroup()
        texts = [Text(f"{v:.{digits}f}".replace("-", MINUS), font=t.font, color=t.text, font_size=font_size)
                 for v in self.values]
        fit = min([1.0] + [0.9 * cell * 2.1 / text.width for text in texts if text.width > 0])  # one size for all
        for text in texts:
            box = Rectangle(width=cell * 2.1, height=cell, stroke_color=t.latent, stroke_width=3,
                            fill_color=t.latent, fill_opacity=t.cell_fill_opacity)
            self.cells.add(VGroup(box, text.scale(fit).move_to(box)))
        self.cells.arrange(DOWN, buff=0)
        self.add(self.cells)
        self.label: Text | None = None
        if label:
            self.label = Text(label, font=t.font, color=t.latent, font_size=font_size + 4).next_to(self.cells, UP, 0.12)
            self.add(self.label)


def flow_arrow(start, end, theme: Theme | None = None) -> Arrow:
    """A muted arrow between two mobjects (left to right)."""
    t = theme or current_theme()
    return Arrow(start.get_right(), end.get_left(), buff=0.12, stroke_color=t.muted, stroke_width=3,
                 max_tip_length_to_length_ratio=0.3, tip_length=0.15)


def drop_svg_sources(*mobjects) -> None:
    """Forget the parsed SVG path each glyph of a Text / MathTex keeps after its points are built.

    Manim copies a mobject (deepcopy) at the start of nearly every animation; a glyph's svgelements path is
    a tree of hundreds of Python objects, about 90 % of the copying time. The points, colours and
    everything drawn stay as they are; only the source the points were made from is dropped.
    """
    for mobject in mobjects:
        for member in mobject.get_family():
            if getattr(member, "path_obj", None) is not None:
                member.path_obj = None

