"""A network drawn from its trace: one block per layer (box sized by spatial size and channels, log scale), the
op and its parameters above, the shape below, folded layers listed, feature maps as small grey images; blocks in
rows that read left to right; arrows between consecutive blocks, dashed arcs for skip connections.

Example::

    specs = [BlockSpec("input", "", (1, 1, 28, 28)), BlockSpec("Conv2d", "k=3 p=1", (1, 8, 28, 28), ("ReLU",),
             sources=(0,))]
    net = NetworkDiagram(specs)
    self.add(net)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from manim import (DOWN, LEFT, RESAMPLING_ALGORITHMS, RIGHT, UP, Arrow, CubicBezier, DashedVMobject, Group,
                   ImageMobject, ManimColor, Rectangle, RoundedRectangle, Text, VGroup, VMobject)
from manim.utils.color import color_to_int_rgb

from convmath.activations import Flow, layer_text, thumbnails

from ..theme import MIN_FONT_SIZE, Theme, current_theme
from .panels import one_path, shape_text

__all__ = ["BlockSpec", "NetworkBlock", "FeatureMaps", "NetworkDiagram", "block_box_size", "block_specs"]

ROW_GAP = 0.9  # between one row's images and the next row's labels (skip arcs cross it)
MAX_PER_ROW = 7


@dataclass(frozen=True)
class BlockSpec:
    """What one block shows (every value from convmath): op, parameters, output shape, folded ops, feature maps
    (2-D arrays in [0, 1]) and how many more channels there are, the blocks it reads; ``channels_last``: the
    shape's channel axis is its last (a Keras layer's), not the one after the batch."""

    op: str
    params: str
    shape: tuple[int, ...]
    folded: tuple[str, ...] = ()
    images: tuple[np.ndarray, ...] = field(default=(), repr=False)
    more: int = 0
    sources: tuple[int, ...] = ()
    failed: bool = False
    channels_last: bool = False


def block_specs(flow: Flow, channels: int) -> list[BlockSpec]:
    """What each block of a convmath flow shows (its first ``channels`` feature maps); a failing forward adds
    the block of the call that raised."""
    specs = []
    for block in flow.blocks:
        op, params = layer_text(block.step)
        images, more = thumbnails(block.activation, channels, block.channels_last)
        specs.append(BlockSpec(op, params, block.shape, block.folded, tuple(images), more, block.sources,
                               channels_last=block.channels_last))
    if flow.failure is not None:
        specs.append(BlockSpec(flow.failure.op, flow.failure.where, (), sources=flow.failure_sources, failed=True))
    return specs


def block_box_size(shape: Sequence[int], channels_last: bool = False) -> tuple[float, float]:
    """(width, height) of a block's box: width grows with log2(channels), height with log2(spatial size), so
    3×64×64 and 512×4×4 both fit; a vector (N, F) is a thin bar growing with log2(F). ``channels_last``: the
    channels are the last axis (N, H, W, C)."""
    if len(shape) <= 2:
        return 0.16, 0.3 + 0.09 * math.log2(max(shape[-1], 1)) if shape else 0.3
    channels, spatial = (shape[-1], max(shape[1:-1])) if channels_last else (shape[1], max(shape[2:]))
    return 0.14 + 0.09 * math.log2(max(channels, 1)), min(0.32 + 0.21 * math.log2(max(spatial, 1)), 1.9)


def _label(text: str, color, theme: Theme, font_size: float, **style) -> VMobject:
    return one_path(Text(text, font=theme.font, color=color, font_size=font_size, **style))


class FeatureMaps(Group):
    """Small grey images side by side (ink = value, crisp pixels), "+N" after them when channels are left out."""

    def __init__(self, images: Sequence[np.ndarray], more: int = 0, size: float = 0.42, theme: Theme | None = None,
                 font_size: float = 16):
        super().__init__()
        t = theme or current_theme()
        self.images = [np.asarray(a, dtype=float) for a in images]
        ink = np.array(color_to_int_rgb(ManimColor(t.text)), dtype=np.uint8)
        self.tiles = Group()
        for image in self.images:
            rows, cols = image.shape
            rgba = np.zeros((rows, cols, 4), dtype=np.uint8)
            rgba[..., :3] = ink
            rgba[..., 3] = np.round(255 * np.clip(image, 0, 1)).astype(np.uint8)
            pixels = ImageMobject(rgba, scale_to_resolution=max(rows, 1))
            pixels.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
            width, height = (2.2 * size, 0.14) if rows == 1 else (size * cols / max(rows, cols),
                                                                   size * rows / max(rows, cols))
            pixels.stretch_to_fit_width(width).stretch_to_fit_height(height)
            frame = Rectangle(width=width, height=height, stroke_color=t.muted, stroke_width=1).move_to(pixels)
            self.tiles.add(Group(pixels, frame))
        self.tiles.arrange(RIGHT if self.images and self.images[0].shape[0] > 1 else DOWN, buff=0.06)
        self.add(self.tiles)
        self.more_label: VMobject | None = None
        if more:
            self.more_label = _label(f"+{more}", t.muted, t, font_size)
            self.more_label.next_to(self.tiles, RIGHT, buff=0.06)
            self.add(self.more_label)
        self.scale_factor = 1.0

    def resize(self, factor: float) -> None:
        """The tiles ``factor`` times their size as made; the "+N" label keeps its font size."""
        self.tiles.scale(factor / self.scale_factor, about_edge=LEFT)
        self.scale_factor = factor
        if self.more_label is not None:
            self.more_label.next_to(self.tiles, RIGHT, buff=0.06)


# The labels a block shows, most first: when a diagram cannot hold them at the readability floor it drops the
# parameters and folded layers (the bottom panel of a scene names them as the tensor passes), then every label.
DETAILS = (("op", "params", "shape", "folded"), ("op", "shape"), ())
GAP = 0.3         # between the widest parts of neighbouring blocks in a row
MIN_SCALE = 0.45  # boxes and feature maps drawn smaller than this share of their size are not worth a diagram
MAX_SCALE = 1.25
MAX_ROWS = 3
FOLDED_LINE = 16  # characters of the folded layers' line, wrapped after a comma beyond


class NetworkBlock(VGroup):
    """A block: the op (and parameters) above a box sized by :func:`block_box_size`, the shape and folded ops
    below. ``failed`` draws the box dashed in the highlight colour (the layer whose call raised). ``labels``:
    which of op, params, shape, folded are drawn (the others stay blank). The box can be resized; the labels keep
    their font size."""

    def __init__(self, spec: BlockSpec, role: str = "input", theme: Theme | None = None, font_size: float = 16,
                 labels: Sequence[str] = DETAILS[0]):
        super().__init__()
        t = self.theme = theme or current_theme()
        self.spec = spec
        color = t.highlight if spec.failed else t.role_color(role)
        width, height = block_box_size(spec.shape, spec.channels_last) if spec.shape else (0.5, 0.5)
        box = RoundedRectangle(corner_radius=0.05, width=width, height=height, stroke_color=color, stroke_width=3,
                               fill_color=color, fill_opacity=0 if spec.failed else t.cell_fill_opacity)
        self.box = one_path(DashedVMobject(box, num_dashes=24)) if spec.failed else box
        self.scale_factor = 1.0
        shown = "✗ fails" if spec.failed else shape_text(spec.shape)
        folded = "+ " + ", ".join(spec.folded) if spec.folded else ""
        if len(folded) > FOLDED_LINE:  # one line would make the block wider than its op
            folded = "+ " + ",\n".join(spec.folded)
        texts = {"op": spec.op, "params": spec.params, "shape": shown, "folded": folded}
        texts = {key: text if key in labels and text else " " for key, text in texts.items()}
        self.op_label = _label(texts["op"], t.text, t, font_size)
        self.params_label = _label(texts["params"], t.muted, t, 0.9 * font_size)
        self.shape_label = _label(texts["shape"], color, t, 0.95 * font_size, weight="BOLD")
        self.folded_label = _label(texts["folded"], t.muted, t, 0.9 * font_size)
        self.add(self.op_label, self.params_label, self.box, self.shape_label, self.folded_label)

    def resize(self, factor: float) -> None:
        """The box ``factor`` times its size as made."""
        self.box.scale(factor / self.scale_factor)
        self.scale_factor = factor

    def label_bottom(self) -> float:
        """The y of the lowest label under the box (an empty label has no height and no place)."""
        lowest = [m for m in (self.folded_label, self.shape_label) if m.has_points()]
        return lowest[0].get_bottom()[1] if lowest else self.box.get_bottom()[1]

    def width_with(self, maps: Group) -> float:
        """The width the block takes in its row: its widest label, box or feature maps."""
        return max(m.width for m in (self.op_label, self.params_label, self.shape_label, self.folded_label,
                                     self.box, maps) if m.has_points() or m is maps)

    def place(self, x: float, box_y: float, top: float, bottom: float) -> None:
        """Put the box's centre at (x, box_y), the labels at the row's ``top`` and ``bottom`` lines."""
        self.box.move_to([x, box_y, 0])
        self.op_label.move_to([x, top, 0], aligned_edge=UP)
        self.params_label.next_to(self.op_label, DOWN, buff=0.06)
        self.shape_label.move_to([x, bottom, 0], aligned_edge=UP)
        self.folded_label.next_to(self.shape_label, DOWN, buff=0.05)


class NetworkDiagram(Group):
    """Blocks in rows (left to right), arrows between consecutive blocks that read each other, dashed arcs for
    every other read (skip connections), feature maps under each block (not added: the scene shows them as the
    tensor arrives). Fitted into ``width`` × ``height`` around ``center``: the boxes and feature maps are scaled
    (and the rows chosen) to fit, the labels keep ``font_size`` and never fall under the readability floor; when
    even the smallest boxes leave no room for them, the diagram drops the least needed labels (:data:`DETAILS`).

    ``.blocks``, ``.maps`` (one FeatureMaps per block), ``.arrows`` (block index -> arrow into it) and ``.arcs``
    ((source, block) -> arc) are what a scene animates; ``.labels`` says which labels are drawn.
    """

    def __init__(self, specs: Sequence[BlockSpec], width: float = 13.2, height: float = 5.8,
                 center: Sequence[float] = (0, 0, 0), theme: Theme | None = None, font_size: float = 16,
                 map_size: float = 0.42):
        super().__init__()
        self.theme = theme or current_theme()
        self.specs = list(specs)
        self.font_size = max(font_size, MIN_FONT_SIZE / 0.9)  # the smallest label is 0.9 of it
        for labels in DETAILS:
            self._make(labels, map_size)
            if self._fit(width, height, MIN_SCALE if labels else 0.05):
                break
        self.arrows: dict[int, VMobject] = {}
        self.arcs: dict[tuple[int, int], VMobject] = {}
        self._edges()
        self.add(*self.arrows.values(), *self.arcs.values(), *self.blocks)
        every = Group(*self.blocks, *self.maps, *self.arrows.values(), *self.arcs.values())
        every.shift(np.array(center, dtype=float) - every.get_center())

    def _make(self, labels: Sequence[str], map_size: float) -> None:
        t, n = self.theme, len(self.specs)
        self.labels = tuple(labels)
        roles = ["input"] + ["output"] * (n - 1)
        self.blocks = [NetworkBlock(s, roles[i], t, self.font_size, labels) for i, s in enumerate(self.specs)]
        self.maps = [FeatureMaps(s.images, s.more if labels else 0, map_size, t, 0.9 * self.font_size)
                     for s in self.specs]

    def _fit(self, width: float, height: float, smallest: float) -> bool:
        """Lay the blocks out in the fewest rows (MAX_PER_ROW blocks a row or fewer, at most MAX_ROWS rows unless
        that is too few) where boxes and maps at ``smallest`` or more of their size fit the box, as large as fits;
        False if no row count fits."""
        n = len(self.specs)
        fewest = math.ceil(n / MAX_PER_ROW)
        for rows in range(fewest, max(fewest, MAX_ROWS) + 1):
            self.per_row = math.ceil(n / rows)
            self.rows = [list(range(r * self.per_row, min(n, (r + 1) * self.per_row))) for r in range(rows)]
            if not self._fits(smallest, width, height):
                continue
            low, high = smallest, MAX_SCALE
            if self._fits(high, width, height):
                return True
            for _ in range(8):  # bisection: the size grows with the scale
                middle = (low + high) / 2
                low, high = (middle, high) if self._fits(middle, width, height) else (low, middle)
            self._fits(low, width, height)
            return True
        return False

    def _fits(self, scale: float, width: float, height: float) -> bool:
        """Lay out at ``scale`` and say whether it fits (the arcs over a row take their lanes above it)."""
        self._layout(scale)
        every = Group(*self.blocks, *self.maps)
        arcs = [self.row_of(i) for i, spec in enumerate(self.specs) for s in spec.sources
                if s != i - 1 and self.row_of(s) == self.row_of(i)]
        lanes = max((arcs.count(row) for row in arcs), default=0)
        above = 0.6 + 0.2 * (lanes - 1) if lanes else 0.0
        return every.width <= width and every.height + above <= height

    def _layout(self, scale: float) -> None:
        self.row_gap = ROW_GAP * min(scale, 1.0)
        for block, maps in zip(self.blocks, self.maps):
            block.resize(scale)
            maps.resize(scale)
        y = 0.0
        for row in self.rows:
            blocks = [self.blocks[i] for i in row]
            label_h = max(b.op_label.height + b.params_label.height for b in blocks) + 0.12
            box_h = max(b.box.height for b in blocks)
            top, box_y = y, y - label_h - 0.1 - box_h / 2
            bottom = box_y - box_h / 2 - 0.1
            x = 0.0
            for i in row:
                w = self.blocks[i].width_with(self.maps[i])
                self.blocks[i].place(x + w / 2, box_y, top, bottom)
                x += w + GAP
            under = min(b.label_bottom() for b in blocks) - 0.1
            for i in row:
                self.maps[i].move_to([self.blocks[i].box.get_x(), under, 0], aligned_edge=UP)
            y = min(m.get_bottom()[1] for m in (self.maps[i] for i in row)) - self.row_gap

    def row_of(self, i: int) -> int:
        return i // self.per_row

    def _edges(self) -> None:
        for i, spec in enumerate(self.specs):
            for source in spec.sources:
                if source == i - 1:
                    self.arrows[i] = self._arrow(i - 1, i)
                else:
                    self.arcs[(source, i)] = self._arc(source, i)

    def _arrow(self, a: int, b: int) -> VMobject:
        t, start, end = self.theme, self.blocks[a].box, self.blocks[b].box
        if self.row_of(a) == self.row_of(b):
            return Arrow(start.get_right(), end.get_left(), buff=0.08, stroke_color=t.muted, stroke_width=3,
                         tip_length=0.14, max_tip_length_to_length_ratio=0.4)
        gap_y = min(self.maps[i].get_bottom()[1] for i in self.rows[self.row_of(a)]) - self.row_gap / 2
        labels = self.blocks[b].op_label, self.blocks[b].params_label  # the line passes beside the labels
        out_labels = self.blocks[a].shape_label, self.blocks[a].op_label, self.blocks[a].params_label
        x_out = max([start.get_right()[0] + 0.2, *(m.get_right()[0] + 0.1 for m in out_labels if m.has_points())])
        x_in = min([end.get_left()[0] - 0.2, *(m.get_left()[0] - 0.1 for m in labels if m.has_points())])
        path = VMobject(stroke_color=t.muted, stroke_width=3)
        path.set_points_as_corners([start.get_right() + RIGHT * 0.05, [x_out, start.get_y(), 0], [x_out, gap_y, 0],
                                    [x_in, gap_y, 0], [x_in, end.get_y(), 0]])
        tip = Arrow([x_in, end.get_y(), 0], end.get_left(), buff=0.02, stroke_color=t.muted, stroke_width=3,
                    tip_length=0.14, max_tip_length_to_length_ratio=0.6)
        return VGroup(path, tip)

    def _arc(self, a: int, b: int) -> VMobject:
        """A dashed curve from block ``a`` to block ``b``: over the labels within a row, down across rows."""
        t = self.theme
        if self.row_of(a) == self.row_of(b):
            lane = sum(1 for (s, d) in getattr(self, "arcs", {}) if self.row_of(d) == self.row_of(b))
            start = self.blocks[a].op_label.get_top() + UP * 0.06
            end = self.blocks[b].op_label.get_top() + UP * 0.06
            lift = UP * (0.55 + 0.2 * lane)
            curve = CubicBezier(start, start + lift, end + lift, end)
        else:
            start = self.maps[a].get_bottom() + DOWN * 0.04
            end = self.blocks[b].op_label.get_top() + UP * 0.04
            curve = CubicBezier(start, start + DOWN * 0.9, end + UP * 0.9, end)
        curve.set_stroke(t.latent, width=3)
        dashed = one_path(DashedVMobject(curve, num_dashes=max(8, int(curve.get_arc_length() / 0.15))))
        tip = Arrow(end + UP * 0.25, end, buff=0, stroke_color=t.latent, stroke_width=3, tip_length=0.14,
                    max_tip_length_to_length_ratio=0.9)
        return VGroup(dashed, tip)
