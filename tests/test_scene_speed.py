"""scenes/speed.py: restacking what moves changes no pixel (overlapping pairs keep their order), images
composited in place match Manim's own drawing, paths traced at once are Manim's paths, glyphs filled as one path
differ from Manim's only in antialiased edge pixels, and frames held for a wait encode to the same video."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from functools import partial

from manim import (Arrow, Camera, Circle, DashedVMobject, FadeIn, ImageMobject, MarkupText, Square, Text, Transform,
                   VMobject, tempconfig)
from manim.animation.animation import prepare_animation

from scenes.components import NumberGrid
from scenes.speed import (display_image_in_place, display_vmobjects, restack_moving, set_path,
                          write_frame_once)

COLORS = ("#1F6FEB", "#D9480F", "#1A7F37", "#C2185B", "#8250DF")


def _squares(layout: list[tuple[float, float, float]]) -> list[Square]:
    return [Square(side, fill_color=COLORS[i % 5], fill_opacity=0.6, stroke_width=6).move_to([x, y, 0])
            for i, (x, y, side) in enumerate(layout)]


def test_a_moving_square_goes_last_and_the_others_keep_their_order():
    a, b, c = _squares([(-4, 0, 1), (0, 0, 1), (4, 0, 1)])
    assert restack_moving([a, b, c], [prepare_animation(a.animate.shift([0, 1, 0]))]) == [b, c, a]


def test_a_later_square_it_overlaps_moves_along_in_order():
    a, b, c = _squares([(-4, 0, 1), (-3.6, 0, 1), (4, 0, 1)])
    assert restack_moving([a, b, c], [prepare_animation(a.animate.shift([0, 1, 0]))]) == [c, a, b]


def test_where_a_transform_goes_counts_too():
    a, b, c = _squares([(-4, 0, 1), (4, 0, 1), (0, 3, 1)])
    target = Square(1).move_to([4, 0, 0])
    assert restack_moving([a, b, c], [Transform(a, target)]) == [c, a, b]


def test_nothing_listed_moves_nothing_changes():
    a, b = _squares([(-4, 0, 1), (4, 0, 1)])
    new = Square(1)
    assert restack_moving([a, b], [FadeIn(new)]) == [a, b]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-6, 6), st.floats(-3, 3), st.floats(0.3, 3)), min_size=2, max_size=7),
       st.data())
def test_restacking_changes_no_pixel_before_or_after_the_move(layout, data):
    squares = _squares(layout)
    movers = data.draw(st.lists(st.sampled_from(range(len(squares))), min_size=1, max_size=3, unique=True))
    shifts = [data.draw(st.tuples(st.floats(-3, 3), st.floats(-2, 2))) for _ in movers]
    animations = [prepare_animation(squares[i].animate.shift([dx, dy, 0])) for i, (dx, dy) in zip(movers, shifts)]
    order = restack_moving(squares, animations)
    assert sorted(map(id, order)) == sorted(map(id, squares))
    np.testing.assert_array_equal(_drawn(order), _drawn(squares))
    for animation in animations:  # the end of the move, as the last frame draws it
        animation.begin()
        animation.finish()
    np.testing.assert_array_equal(_drawn(order), _drawn(squares))


def test_images_composited_in_place_match_manims_drawing():
    rgba = np.zeros((8, 8, 4), dtype=np.uint8)
    rgba[..., 0] = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    rgba[..., 3] = np.tile(np.linspace(0, 255, 8).astype(np.uint8), (8, 1))
    image = ImageMobject(rgba).scale_to_fit_height(3).rotate(0.3).shift([-5.5, 1, 0])  # partly off the frame
    with tempconfig({"pixel_height": 120, "pixel_width": 214}):
        camera = Camera()
        camera.background_color = "#336699"
        camera.reset()
        manims = camera.pixel_array.copy()
        camera.display_image_mobject(image, manims)
        ours = camera.pixel_array.copy()
        display_image_in_place(camera, image, ours)
    assert np.abs(manims.astype(int) - ours.astype(int)).max() <= 1
    assert (manims != camera.pixel_array).any()  # the image was drawn


def _drawn(mobjects: list, fast_path: bool = False, batched: bool = False, size: tuple[int, int] = (120, 214)):
    """The pixels of ``mobjects`` drawn by Manim's camera, with our path tracing and/or fill batching."""
    with tempconfig({"pixel_height": size[0], "pixel_width": size[1]}):
        camera = Camera()
        if fast_path:
            camera.set_cairo_context_path = partial(set_path, camera)
        if batched:
            camera.display_multiple_non_background_colored_vmobjects = partial(display_vmobjects, camera)
        camera.capture_mobjects(mobjects)
        return camera.pixel_array.copy()


def _shapes() -> list:
    """Closed and open paths, holes, dashes, tips, glyphs, a path with non-finite points."""
    broken = VMobject().set_points_as_corners([[0, 0, 0], [1, 1, 0], [2, 0, 0]])
    broken.points[2] = [np.nan, 0, 0]
    open_curve = VMobject(stroke_width=8).set_points_smoothly([[-6, -3, 0], [-5, -1, 0], [-4, -3, 0]])
    return [Text("Ag8 −3.25", font_size=60).shift([-3, 2, 0]), DashedVMobject(Circle(1.2), num_dashes=9),
            Arrow([-6, 0, 0], [-2, -2, 0]), NumberGrid([[1, -2], [30, 4]], cell_size=0.8).shift([3, -1, 0]),
            open_curve, broken, Square(0.01).shift([6, 3, 0])]


def test_paths_traced_at_once_are_manims_paths():
    np.testing.assert_array_equal(_drawn(_shapes(), fast_path=True, size=(360, 640)), _drawn(_shapes(), size=(360, 640)))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-7, 7), st.floats(-4, 4)), min_size=2, max_size=9), st.booleans(),
       st.integers(0, 8))
def test_any_polyline_or_curve_traces_as_manim_traces_it(corners, smooth, stroke):
    points = [[x, y, 0] for x, y in corners]
    path = VMobject(stroke_width=stroke, fill_color="#1F6FEB", fill_opacity=0.5)
    path.set_points_smoothly(points) if smooth else path.set_points_as_corners(points)
    np.testing.assert_array_equal(_drawn([path], fast_path=True), _drawn([path]))


def test_stroked_shapes_are_drawn_one_by_one_as_manim_draws_them():
    shapes = _squares([(-3, 0, 2), (-2, 0.5, 2), (2, 0, 1)])
    np.testing.assert_array_equal(_drawn(shapes, batched=True), _drawn(shapes))


def test_fill_only_shapes_apart_filled_at_once_are_the_same_drawn():
    squares = [Square(0.8, stroke_width=0, fill_color="#D9480F", fill_opacity=0.7).move_to([x, 0, 0])
               for x in (-4, -2, 0, 2, 4)]
    np.testing.assert_array_equal(_drawn(squares, batched=True), _drawn(squares))


def test_glyphs_filled_at_once_differ_only_at_antialiased_edges():
    texts = [Text("The window slides over every channel: 3 + (−2) + 1 = 2", font_size=30).shift([0, 1, 0]),
             MarkupText('a·<span foreground="#D9480F">b</span> + c', font_size=40).shift([0, -1, 0])]
    ours = _drawn(texts, fast_path=True, batched=True, size=(540, 960)).astype(int)
    manims = _drawn(texts, size=(540, 960)).astype(int)
    diff = np.abs(ours - manims).max(axis=2)
    assert (manims != _drawn([], size=(540, 960))).any()  # the texts were drawn
    assert diff.max() <= 32 and (diff > 0).mean() < 0.002


def _segment(tmp_path, name: str, frames: list[tuple[np.ndarray, int]], ours: bool) -> bytes:
    """An x264 segment of ``frames`` ((pixels, repeat) pairs) written by Manim's encoder, or with ours."""
    from fractions import Fraction

    from manim._config.video_encoder import VideoEncoderSpec
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    spec = VideoEncoderSpec("mp4", "libx264", "yuv420p", 64, 48, Fraction(60), (("preset", "veryfast"),))
    encoder = VideoSegmentEncoder(target=tmp_path / name, spec=spec)
    for pixels, repeat in frames:
        if ours:
            write_frame_once(encoder, pixels.copy(), repeat=repeat)
        else:
            encoder.write_frame(pixels.copy(), repeat=repeat)
    encoder.finish()
    return (tmp_path / name).read_bytes()


def test_frames_converted_once_encode_to_the_same_video(tmp_path):
    rng = np.random.default_rng(0)
    frames = [(rng.integers(0, 256, (48, 64, 4), dtype=np.uint8), repeat) for repeat in (1, 5, 1, 1, 12, 2)]
    assert _segment(tmp_path, "ours.mp4", frames, True) == _segment(tmp_path, "manims.mp4", frames, False)
