"""Render speed-ups every scene shares (ConvvizScene applies them): the same pixels, less work per frame.

- :func:`restack_moving`: before each play, what the animations move goes to the end of the scene's list. Manim
  redraws on every frame the first moving mobject and everything listed after it; at the end, that is only what
  moves. A mobject listed after a moving one whose bounds overlap it moves along with it, so no overlapping pair
  changes its stacking: the frames stay the same.
- :func:`drop_svg_sources` (from components): glyphs forget their parsed SVG source, so the copy each animation
  makes is cheap.
- :func:`display_image_in_place`: images are composited onto the pixels they cover, not through a frame-sized
  transparent layer.
- :func:`use_fast_paths`: the camera traces each vmobject's path from plain floats, all its curves at once (the
  same path as Manim's), and fills consecutive fill-only vmobjects of one colour (a text's glyphs) as one path.
- :func:`use_frames_converted_once`: a frame held for a wait is converted for the encoder once, not per repeat.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Any, Iterable, Sequence

import av
import numpy as np
from manim import AnimationGroup, Mobject
from PIL import Image

from .components.images import drop_svg_sources

__all__ = ["restack_moving", "drop_svg_sources", "display_image_in_place", "use_image_in_place",
           "use_fast_paths", "trace_paths", "set_path", "display_vmobjects", "use_frames_converted_once",
           "write_frame_once", "MARGIN"]

MARGIN = 0.15  # Manim units added around a moving mobject's bounds (Indicate grows it, strokes are wide)


def _leaves(animations: Iterable[Any]) -> list[Any]:
    """The animations inside ``animations``, groups opened (LaggedStart, AnimationGroup, Succession)."""
    found = []
    for animation in animations:
        if isinstance(animation, AnimationGroup):
            found += _leaves(animation.animations)
        found.append(animation)
    return found


def _bounds(mobject: Mobject) -> np.ndarray | None:
    """(x0, y0, x1, y1) of a mobject with points, widened by MARGIN; None if it has none."""
    points = [m.points for m in mobject.get_family() if len(getattr(m, "points", ())) > 0]
    if not points:
        return None
    stacked = np.concatenate(points)
    low, high = stacked.min(axis=0), stacked.max(axis=0)
    return np.array([low[0] - MARGIN, low[1] - MARGIN, high[0] + MARGIN, high[1] + MARGIN])


def _union(boxes: Sequence[np.ndarray | None]) -> np.ndarray | None:
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    stacked = np.array(real)
    return np.array([*stacked[:, :2].min(axis=0), *stacked[:, 2:].max(axis=0)])


def _overlap(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is not None and b is not None and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def restack_moving(mobjects: list[Mobject], animations: Sequence[Any]) -> list[Mobject]:
    """``mobjects`` reordered so that those the animations move (and the later ones they overlap) come last, in
    their own order; the others keep theirs. Returns the list unchanged when nothing listed moves."""
    leaves = _leaves(animations)
    inside = {id(member) for a in leaves if (m := getattr(a, "mobject", None)) is not None for member in m.get_family()}
    moving = [top for top in mobjects if any(id(member) in inside for member in top.get_family())]
    if not moving:
        return mobjects
    targets = [(t, {id(x) for x in a.mobject.get_family()}) for a in leaves
               if (t := getattr(a, "target_mobject", None)) is not None and getattr(a, "mobject", None) is not None]
    moving_ids = {id(top) for top in moving}
    first = next(i for i, top in enumerate(mobjects) if id(top) in moving_ids)
    block: dict[int, np.ndarray | None] = {}
    for top in mobjects[first:]:
        box = _bounds(top)
        if id(top) in moving_ids:
            family = {id(member) for member in top.get_family()}
            box = _union([box, *(_bounds(t) for t, members in targets if members & family)])
        elif not any(_overlap(box, other) for other in block.values()):
            continue
        block[id(top)] = box
    return [m for m in mobjects if id(m) not in block] + [m for m in mobjects if id(m) in block]


def use_image_in_place(renderer: Any) -> None:
    """Make the Cairo camera of ``renderer`` draw images with :func:`display_image_in_place` (if it has one)."""
    camera = getattr(renderer, "camera", None)
    if camera is not None and hasattr(camera, "display_image_mobject"):
        camera.display_image_mobject = partial(display_image_in_place, camera)


def display_image_in_place(camera: Any, image_mobject: Any, pixel_array: np.ndarray) -> None:
    """Manim's Cairo ``Camera.display_image_mobject`` (same perspective transform, same resampling), except
    that the transformed image is composited onto the pixels it covers instead of being pasted into a
    transparent frame-sized image that is then composited over the whole frame. Same pixels: compositing a
    transparent pixel leaves the frame unchanged; at 1080p it is 3 frame-sized copies less per image and frame.
    """
    sub_image = Image.fromarray(image_mobject.get_pixel_array(), mode="RGBA")
    original = np.array([[0, 0], [sub_image.width, 0], [0, sub_image.height], [sub_image.width, sub_image.height]])
    target = camera.points_to_subpixel_coords(image_mobject, image_mobject.points)
    int_target = target.astype(np.int64)
    shift = int_target.min(axis=0)
    target, int_target = target - shift, int_target - shift
    size = tuple(int(v) for v in int_target.max(axis=0))
    coefficients = _perspective(target, original)
    if coefficients is None:
        return
    sub_image = sub_image.transform(size=size, method=Image.Transform.PERSPECTIVE, data=coefficients,
                                    resample=image_mobject.resampling_algorithm)
    height_px, width_px = pixel_array.shape[:2]
    x0, y0 = max(int(shift[0]), 0), max(int(shift[1]), 0)
    x1, y1 = min(int(shift[0]) + size[0], width_px), min(int(shift[1]) + size[1], height_px)
    if x1 <= x0 or y1 <= y0:
        return
    piece = sub_image.crop((x0 - int(shift[0]), y0 - int(shift[1]), x1 - int(shift[0]), y1 - int(shift[1])))
    region = Image.fromarray(np.ascontiguousarray(pixel_array[y0:y1, x0:x1]), mode="RGBA")
    pixel_array[y0:y1, x0:x1] = np.asarray(Image.alpha_composite(region, piece), dtype=np.uint8)


def _perspective(target: np.ndarray, original: np.ndarray) -> np.ndarray | None:
    """PIL's perspective coefficients mapping the image corners to ``target`` (Manim's rule); None when the
    image is too thin to draw (Manim skips it too)."""
    vertices = [target[i] for i in (0, 1, 3, 2)]
    sides = np.array([vertices[(i + 1) % 4] - vertices[i] for i in range(4)])
    lengths = np.linalg.norm(sides, axis=1)
    longest = int(np.argmax(lengths))
    if lengths[longest] == 0:
        return None
    other = sides[(longest - 1) % 4]  # manim measures the height against the previous side twice
    height = abs(float(sides[longest][0] * other[1] - sides[longest][1] * other[0])) / lengths[longest]
    if height < 0.5:
        return None
    rows = []
    for (x, y), (X, Y) in zip(target, original):
        rows.append([x, y, 1, 0, 0, 0, -X * x, -X * y])
        rows.append([0, 0, 0, x, y, 1, -Y * x, -Y * y])
    try:
        return np.linalg.solve(np.array(rows, dtype=np.float64), original.reshape(8).astype(np.float64))
    except np.linalg.LinAlgError:
        return None


# --- drawing paths ----------------------------------------------------------------------------------------------

RTOL = 1.0e-5  # np.isclose's default, as Manim compares anchors


def use_fast_paths(renderer: Any) -> None:
    """Make the Cairo camera of ``renderer`` (if it has one) trace paths with :func:`trace_paths` and fill runs of
    fill-only vmobjects of one colour at once (:func:`display_vmobjects`)."""
    camera = getattr(renderer, "camera", None)
    if camera is not None and hasattr(camera, "set_cairo_context_path"):
        camera.set_cairo_context_path = partial(set_path, camera)
        camera.display_multiple_non_background_colored_vmobjects = partial(display_vmobjects, camera)


def _anchors_close(a: np.ndarray, b: np.ndarray, atol: float) -> np.ndarray:
    """Row by row, whether points ``a`` and ``b`` (N×2) are equal as Manim's VMobject judges anchors (isclose
    against ``b``, NaN never close, infinities close only to themselves)."""
    with np.errstate(invalid="ignore"):
        diffs = np.abs(a - b)
        close = (diffs <= atol + RTOL * np.abs(b)) & np.isfinite(diffs)
        close |= a == b
    return close.all(axis=1)


def trace_paths(ctx: Any, points: np.ndarray, firsts: np.ndarray, atol: float) -> None:
    """Add to ``ctx``'s path the cubic curves of ``points`` (N×3, N a multiple of 4): a new subpath where a curve
    does not start at the previous one's end or where a vmobject starts (``firsts``: indices of those curves),
    closed when it ends where it started. The same path as Manim's ``Camera.set_cairo_context_path`` draws for
    each vmobject, computed for all curves at once and emitted from plain floats."""
    curves = points[:, :2].reshape(-1, 8)
    starts, ends = curves[:, 0:2], curves[:, 6:8]
    split = np.ones(len(curves), dtype=bool)
    split[1:] = ~_anchors_close(ends[:-1], starts[1:], atol)
    split[firsts] = True
    heads = np.flatnonzero(split)
    tails = np.append(heads[1:], len(curves)) - 1
    closes = np.zeros(len(curves), dtype=bool)
    closes[tails] = _anchors_close(starts[heads], ends[tails], atol)
    new_sub_path, move_to, curve_to, close_path = ctx.new_sub_path, ctx.move_to, ctx.curve_to, ctx.close_path
    flat = curves.ravel().tolist()  # one list of floats: a list per curve would keep the garbage collector busy
    columns = (flat[k::8] for k in range(8))
    for x0, y0, x1, y1, x2, y2, x3, y3, head, close in zip(*columns, split.tolist(), closes.tolist()):
        if head:
            new_sub_path()
            move_to(x0, y0)
        curve_to(x1, y1, x2, y2, x3, y3)
        if close:
            close_path()


def _traceable(camera: Any, vmobject: Any) -> np.ndarray | None:
    """The vmobject's points as the camera draws them, when :func:`trace_paths` can (whole cubic curves)."""
    points = camera.transform_points_pre_display(vmobject, vmobject.points)
    if len(points) % 4 or vmobject.n_points_per_cubic_curve != 4:
        return None
    return points


def set_path(camera: Any, ctx: Any, vmobject: Any) -> Any:
    """Manim's ``Camera.set_cairo_context_path`` (the same path), traced by :func:`trace_paths`."""
    points = _traceable(camera, vmobject)
    if points is None:
        return type(camera).set_cairo_context_path(camera, ctx, vmobject)
    ctx.new_path()
    if len(points):
        trace_paths(ctx, points, np.zeros(1, dtype=int), vmobject.tolerance_for_point_equality)
    return camera


def _fill_only(camera: Any, vmobject: Any) -> tuple | None:
    """What a fill-only vmobject (no stroke, one fill colour, whole curves) is filled with; None for others."""
    if vmobject.get_stroke_width(True) or vmobject.get_stroke_width() or len(vmobject.points) % 4:
        return None
    rgbas = camera.get_fill_rgbas(vmobject)
    if len(rgbas) != 1:
        return None
    return (*rgbas[0].tolist(), vmobject.tolerance_for_point_equality)


def display_vmobjects(camera: Any, vmobjects: Iterable[Any], pixel_array: np.ndarray) -> None:
    """Manim's ``display_multiple_non_background_colored_vmobjects``, except that consecutive fill-only vmobjects
    of one colour (a text's glyphs) are filled as one path: one fill instead of one per glyph. The same pixels
    wherever they do not overlap (glyphs do not); stroked vmobjects are drawn one by one as Manim does."""
    ctx = camera.get_cairo_context(pixel_array)
    run: list[Any] = []
    key = None
    for vmobject in vmobjects:
        this = _fill_only(camera, vmobject)
        if this is not None and this == key:
            run.append(vmobject)
            continue
        _fill_run(camera, ctx, run, key)
        run, key = [vmobject], this
        if this is None:
            camera.display_vectorized(vmobject, ctx)
            run = []
    _fill_run(camera, ctx, run, key)


def _fill_run(camera: Any, ctx: Any, run: list[Any], key: tuple | None) -> None:
    """Fill the vmobjects of ``run`` (fill-only, filled with ``key``) as one path."""
    if len(run) < 2:
        for vmobject in run:
            camera.display_vectorized(vmobject, ctx)
        return
    drawn = (camera.transform_points_pre_display(v, v.points) for v in run)
    points = [p for p in drawn if len(p) % 4 == 0]  # a vmobject with non-finite points comes back as one point
    sizes = np.array([len(p) // 4 for p in points])
    ctx.new_path()
    if sizes.sum():
        firsts = (np.cumsum(sizes) - sizes)[sizes > 0]
        trace_paths(ctx, np.concatenate(points), firsts, key[-1])
    camera.set_cairo_context_color(ctx, np.array([key[:4]]), run[0])
    ctx.fill_preserve()


# --- encoding ---------------------------------------------------------------------------------------------------


def use_frames_converted_once(renderer: Any) -> None:
    """Make the video segments ``renderer`` writes (Manim's ``VideoSegmentEncoder``, where it has one) encode with
    :func:`write_frame_once`."""
    writer = getattr(renderer, "file_writer", None)
    create = getattr(writer, "_create_segment_encoder", None)
    if create is None:
        return

    def create_converting_once(target: Any) -> Any:
        encoder = create(target)
        if all(hasattr(encoder, name) for name in ("_stream", "_container", "_next_pts", "spec")):
            encoder.write_frame = partial(write_frame_once, encoder)
        return encoder

    writer._create_segment_encoder = create_converting_once


def write_frame_once(encoder: Any, pixels: np.ndarray, *, repeat: int = 1) -> None:
    """Manim's ``VideoSegmentEncoder.write_frame`` (the same frames, the same encoder), except that a frame shown
    ``repeat`` times (a wait) is converted to the encoder's pixel format once, not once per repeat, and the RGBA
    pixels are read in place instead of copied (Manim hands the array over)."""
    if repeat < 1 or pixels.dtype != np.uint8 or not pixels.flags.c_contiguous:
        return type(encoder).write_frame(encoder, pixels, repeat=repeat)
    stream = encoder._stream
    rgba = av.VideoFrame.from_numpy_buffer(pixels, format="rgba")
    frame = rgba.reformat(width=stream.width, height=stream.height, format=stream.pix_fmt)
    time_base = Fraction(encoder.spec.frame_rate.denominator, encoder.spec.frame_rate.numerator)
    for _ in range(repeat):
        frame.pts = encoder._next_pts
        frame.time_base = time_base
        encoder._next_pts += 1
        for packet in stream.encode(frame):
            encoder._container.mux(packet)
