"""Readable from the back row, and inside the frame: in every beat of every scene (the end state of each
animation, as a 480p render draws it) no visible text is smaller than theme.MIN_FONT_SIZE and nothing drawn
leaves the frame. Every scene runs with its defaults, each preset, and each numeric parameter at the largest value
it accepts (one at a time, the others at their defaults), plus the hand-picked cases below; each case runs once and
both checks read the same look. Parameters that pick a trained model (largest_cases.MODEL_KEYS) keep their defaults:
each value trains one. No text is exempt: numbers in grids, labels and captions are all information."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from conftest import MEDIA
from largest_cases import MODEL_KEYS, Case, accepted  # MODEL_KEYS: a new value of these trains a new model
from manim import MathTex, SingleStringMathTex, Tex, Text, MarkupText, config, tempconfig

from scenes import catalog
from scenes.components import TextPath
from scenes.params import NUMERIC_KINDS
from scenes.theme import MIN_FONT_SIZE, glyph_pixels

pytestmark = pytest.mark.render

PER_VALUE = ("int", "float", "size", "padding")
NEGATIVE_INPUT = "[[-12,5,3,0],[7,-14,2,9],[1,1,1,-3],[4,0,-2,8]]"
NEGATIVE_KERNEL = "[[1,-2,0],[-1,3,1],[2,0,-1]]"
PICKED = [  # beyond defaults, presets and largest values: negatives, wide numbers, large grids
    ("ConvolutionNumbers", None, {"input": NEGATIVE_INPUT, "kernel": NEGATIVE_KERNEL}),
    ("ConvolutionNumbers", None, {"input": "none", "input_size": 8, "kernel": "none", "kernel_size": 5,
                                  "padding": 1}),
    ("ConvArithmetic", None, {"input_size": 12, "kernel_size": 5, "stride": 3, "padding": 2}),
    ("ConvArithmetic", None, {"input_size": 28, "kernel_size": 5, "stride": 1, "padding": 2}),
    ("TransposedConvScatter", None, {"input": "[[1,-2,3,4],[5,6,-7,8],[9,10,11,-12],[13,14,15,16]]",
                                     "weights": "[[1,2,3],[4,-5,6],[7,8,9]]", "stride": 2}),  # the largest
    ("TransposedConvAsConv", None, {"size": 5, "kernel": 3, "stride": 2}),  # a 13×13 direct view (14 allowed)
    ("OutputPaddingAmbiguity", None, {"kernel": 5, "stride": 2, "padding": 0, "output": 6}),  # inputs 15, 16
    ("TransposedConvScatter", "stride_2_padding_1", {"input": "[[-12,5],[7,-14]]"}),
]
TEXTS = (Text, MarkupText, MathTex, SingleStringMathTex, Tex, TextPath)


def _cases() -> list[tuple[str, str | None, dict[str, Any]]]:
    cases = list(PICKED)
    for name in catalog.available_scenes():
        cls = catalog.scene_class(name)
        cases += [(name, None, {})] + [(name, preset, {}) for preset in cls.PRESETS]
        cases += [(name, None, {p.name: p.high}) for p in cls.PARAMS
                  if p.kind in PER_VALUE and p.kind in NUMERIC_KINDS and p.high is not None and p.name not in MODEL_KEYS
                  and p.high != p.default]
    unique = {(n, p, tuple(sorted(o.items(), key=str))): (n, p, o) for n, p, o in cases}
    return [case for case in unique.values() if accepted(Case(*case))]


def _case_id(case: tuple[str, str | None, dict[str, Any]]) -> str:
    name, preset, overrides = case
    values = "-".join(f"{k}={v}" if len(str(v)) <= 12 else k for k, v in overrides.items())
    return f"{name}-{preset or ''}-{values or 'defaults'}"


CASES = _cases()


def _visible(mobject: Any) -> bool:
    return any(m.get_fill_opacity() > 0 or m.get_stroke_opacity() > 0 for m in mobject.get_family()
               if len(m.points))


def _look(scene: Any, seen: list) -> None:
    """Record (font size, text, mobject) of every visible text on screen now, and every visible mobject."""
    for top in scene.mobjects:
        for m in top.get_family():
            if isinstance(m, TEXTS) and len(m.get_all_points()) and _visible(m):
                seen.append(("text", float(m.font_size), getattr(m, "text", getattr(m, "tex_string", "")), m))
            elif len(m.points) and _visible(m):
                seen.append(("mobject", None, type(m).__name__, m))


def run_looking(name: str, preset: str | None, overrides: dict[str, Any],
                during: Callable[[Any], None] | None = None, moments: int = 8) -> list:
    """Run the scene at 480p (animations jump to their end, as in dry-run) looking at the screen after each step.
    ``during(scene)``, when given, also looks at ``moments`` moments inside every animation (as a render draws
    them: each animation interpolated to that time)."""
    cls = catalog.scene_class(name)
    params = cls.resolve(preset, overrides)
    seen: list = []
    settings = {"dry_run": True, "quality": "low_quality", "disable_caching": True, "progress_bar": "none",
                "verbosity": "WARNING", "media_dir": MEDIA}  # not ./media: a fresh clone has no media/texts
    with tempconfig(settings):
        scene = cls(params, skip_animations=True)
        scene.renderer.update_frame = lambda *a, **k: None
        play, wait = scene.play, scene.wait

        def looking_play(*args, **kwargs):
            play(*args, **kwargs)
            _look(scene, seen)

        def looking_wait(*args, **kwargs):
            wait(*args, **kwargs)
            _look(scene, seen)

        scene.play, scene.wait = looking_play, looking_wait
        if during is not None:
            update = scene.update_to_time

            def stepping(t: float) -> None:
                for k in range(1, moments):
                    update(t * k / moments)
                    during(scene)
                update(t)

            scene.update_to_time = stepping
        scene.render()
        assert config.pixel_height == 480
    return seen


@pytest.fixture(scope="module", params=CASES, ids=_case_id)
def looked(request):
    """Each case runs once; pytest groups the tests below by case."""
    return run_looking(*request.param)


def test_no_text_under_the_readability_floor(looked):
    small = {(round(size, 1), str(text)[:40]) for kind, size, text, _ in looked
             if kind == "text" and size < MIN_FONT_SIZE - 0.05}
    assert not small, (f"text under font size {MIN_FONT_SIZE} ({glyph_pixels(MIN_FONT_SIZE, 480):.1f} px at 480p): "
                       f"{sorted(small)[:8]}")


def test_nothing_drawn_leaves_the_frame(looked):
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    outside = set()
    for kind, _, text, m in looked:
        points = m.get_all_points()
        low, high = points.min(axis=0), points.max(axis=0)
        if low[0] < -half_w or high[0] > half_w or low[1] < -half_h or high[1] > half_h:
            outside.add((kind, str(text)[:40], tuple(np.round([low[0], low[1], high[0], high[1]], 2))))
    assert not outside, sorted(outside)[:6]


def test_the_floor_catches_a_small_text():
    assert Text("0", font_size=MIN_FONT_SIZE - 2).font_size < MIN_FONT_SIZE - 0.05
    assert glyph_pixels(MIN_FONT_SIZE, 720) >= 12


def test_the_floor_sees_text_merged_into_one_path():
    """Labels drawn as one path (components.one_path, as ModelFlow's) keep their text and their scaled size."""
    from scenes.components import one_path

    label = one_path(Text("Conv2d", font_size=20)).scale(0.5)
    assert isinstance(label, TEXTS) and label.text == "Conv2d"
    assert abs(label.font_size - 10) < 0.05


@pytest.mark.parametrize("height, width", [(720, 1280), (480, 854)])
def test_the_floor_is_what_a_rendered_frame_shows(height, width):
    """Digits at MIN_FONT_SIZE drawn by Manim's camera into a real frame: their ink is as tall as
    theme.glyph_pixels says (the conversion every check above relies on), and at 720p at least 13 px."""
    from manim import BLACK, WHITE, Camera

    from scenes.theme import LIGHT

    with tempconfig({"pixel_height": height, "pixel_width": width, "media_dir": MEDIA}):
        camera = Camera(background_color=WHITE)
        camera.capture_mobject(Text("0123456789", font=LIGHT.font, color=BLACK, font_size=MIN_FONT_SIZE))
        ink = np.asarray(camera.get_image().convert("L")) < 160
    rows = np.flatnonzero(ink.any(axis=1))
    measured = rows.max() - rows.min() + 1
    assert abs(measured - glyph_pixels(MIN_FONT_SIZE, height)) <= 1.5
    assert height != 720 or measured >= 13
