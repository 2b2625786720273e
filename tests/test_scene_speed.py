"""scenes/speed.py: restacking what moves changes no pixel (overlapping pairs keep their order), and images
composited in place match Manim's own drawing."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from manim import Camera, FadeIn, ImageMobject, Square, Transform, tempconfig
from manim.animation.animation import prepare_animation

from scenes.speed import display_image_in_place, restack_moving

COLORS = ("#1F6FEB", "#D9480F", "#1A7F37", "#C2185B", "#8250DF")


def _squares(layout: list[tuple[float, float, float]]) -> list[Square]:
    return [Square(side, fill_color=COLORS[i % 5], fill_opacity=0.6, stroke_width=6).move_to([x, y, 0])
            for i, (x, y, side) in enumerate(layout)]


def _pixels(mobjects: list) -> np.ndarray:
    with tempconfig({"pixel_height": 120, "pixel_width": 214}):
        camera = Camera()
        camera.capture_mobjects(mobjects)
        return camera.pixel_array.copy()


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
    np.testing.assert_array_equal(_pixels(order), _pixels(squares))
    for animation in animations:  # the end of the move, as the last frame draws it
        animation.begin()
        animation.finish()
    np.testing.assert_array_equal(_pixels(order), _pixels(squares))


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
