"""ConvolutionNumbers and ConvArithmetic: what they show equals real torch convolutions and the arithmetic."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import render_dry
from hypothesis import given, settings
from hypothesis import strategies as st

from convmath import ConvArithmeticError, conv_output_size
from scenes.convolution import LECTURE_INPUT, LECTURE_KERNEL, ConvArithmetic, ConvolutionNumbers
from scenes.params import ParamError
from scenes.render import render_scene

# Dumoulin & Visin's animated cases (FACTS.md): preset -> (i, k, s, p, d, o).
DUMOULIN_VISIN = {
    "no_padding_no_strides": (4, 3, 1, 0, 1, 2),
    "arbitrary_padding_no_strides": (5, 4, 1, 2, 1, 6),
    "same_padding_no_strides": (5, 3, 1, 1, 1, 5),
    "full_padding_no_strides": (5, 3, 1, 2, 1, 7),
    "no_padding_strides": (5, 3, 2, 0, 1, 2),
    "padding_strides": (5, 3, 2, 1, 1, 3),
    "padding_strides_odd": (6, 3, 2, 1, 1, 3),
    "dilation": (7, 3, 1, 0, 2, 3),
}


KERNEL_5X5 = "[[1,0,-1,0,1],[0,2,0,2,0],[-1,0,3,0,-1],[0,2,0,2,0],[1,0,-1,0,1]]"


@cache
def rendered(name: str, preset: str | None = None):
    """Each scene/preset is rendered (dry-run) once per test process."""
    return render_dry(name, preset)


def torch_conv(x: np.ndarray, w: np.ndarray, stride, padding, dilation) -> np.ndarray:
    """The real op; asymmetric ((top, bottom), (left, right)) padding goes through F.pad first."""
    xt = torch.tensor(np.asarray(x, dtype=np.float64))[None, None]
    wt = torch.tensor(np.asarray(w, dtype=np.float64))[None, None]
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        (top, bottom), (left, right) = padding
        xt, padding = F.pad(xt, (left, right, top, bottom)), 0
    return F.conv2d(xt, wt, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()


def untouched(padded: int, out: int, k: int, s: int, d: int) -> tuple[int, ...]:
    """Padded indices no tap reaches: every index minus {o·s + j·d}."""
    touched = {o * s + j * d for o in range(out) for j in range(k)}
    return tuple(i for i in range(padded) if i not in touched)


def check_shown(scene) -> None:
    """The scene's output grid, badges, formula and uncovered rows against torch and the arithmetic."""
    p, shown = scene.params, scene.shown
    x, w = type(scene).arrays(p)
    expected = torch_conv(x, w, p["stride"], p["padding"], p["dilation"])
    np.testing.assert_allclose(shown["output"], expected)
    assert shown["output_shape"] == expected.shape
    assert shown["badges"] == {"input": x.shape, "kernel": w.shape, "output": expected.shape}
    assert shown["badges"]["output"] == conv_output_size(x.shape, w.shape, p["stride"], p["padding"], p["dilation"])
    assert shown["labels"][2] == f"output {expected.shape[0]}×{expected.shape[1]}"
    if not np.isnan(shown["output_numbers"]).all():  # numbers on screen: all of them, equal to torch
        np.testing.assert_allclose(shown["output_numbers"], expected)
    assert tuple(shown["formula_values"]) in (expected.shape, expected.shape[:1])
    assert shown["steps"] == expected.size


def test_convolution_numbers_lecture_defaults_match_torch():
    scene = rendered("ConvolutionNumbers", "lecture")
    assert ConvolutionNumbers.PRESETS["lecture"] == {}  # the preset is the defaults
    check_shown(scene)
    np.testing.assert_array_equal(scene.shown["output"], torch_conv(LECTURE_INPUT, LECTURE_KERNEL, 1, 0, 1))
    assert not np.isnan(scene.shown["output_numbers"]).any()
    assert scene.shown["formula"][0].endswith("= 2")
    assert scene.renderer.time < 60


@pytest.mark.parametrize("preset", list(ConvolutionNumbers.PRESETS))
def test_convolution_numbers_presets(preset):
    check_shown(rendered("ConvolutionNumbers", preset))


@pytest.mark.parametrize("preset", list(DUMOULIN_VISIN))
def test_conv_arithmetic_presets_are_the_paper_cases(preset):
    i, k, s, p, d, o = DUMOULIN_VISIN[preset]
    scene = rendered("ConvArithmetic", preset)
    check_shown(scene)
    assert scene.shown["output_shape"] == (o, o)
    padded = i + 2 * p
    if p:
        assert scene.shown["padded_shape"] == (padded, padded)
    assert scene.shown["uncovered_rows"] == untouched(padded, o, k, s, d)
    assert scene.shown["uncovered_cols"] == untouched(padded, o, k, s, d)
    assert scene.renderer.time < 60


def test_conv_arithmetic_presets_cover_the_paper():
    assert set(ConvArithmetic.PRESETS) == set(DUMOULIN_VISIN)


def test_padding_strides_odd_names_the_bottom_row_and_right_column():
    # The paper's caption: the bottom row and right column of the padded input are not covered.
    scene = rendered("ConvArithmetic", "padding_strides_odd")
    assert scene.shown["uncovered_rows"] == (7,) and scene.shown["uncovered_cols"] == (7,)
    assert "row 7" in scene.shown["uncovered_text"] and "col 7" in scene.shown["uncovered_text"]


def test_conv_arithmetic_non_square_asymmetric():
    scene = render_dry("ConvArithmetic", input_size="6,7", kernel_size="3,2", stride="2,1",
                       padding="[[1,0],[2,1]]", dilation="1,2", seed=3)
    check_shown(scene)
    assert len(scene.shown["formula"]) == 2  # rows and cols differ: one formula each
    assert scene.shown["uncovered_rows"] == untouched(6 + 1, scene.shown["output_shape"][0], 3, 2, 1)


def test_conv_arithmetic_large_input_drops_numbers_keeps_length():
    scene = render_dry("ConvArithmetic", input_size=20)
    check_shown(scene)
    assert np.isnan(scene.shown["output_numbers"]).all()
    assert scene.renderer.time < 60


def test_window_origins_step_by_the_stride():
    scene = rendered("ConvArithmetic", "padding_strides")
    origins = scene.shown["window_origins"]
    assert origins == [(2 * r, 2 * c) for r in range(3) for c in range(3)]


@pytest.mark.parametrize("overrides", [{}, {"input_size": 9, "stride": 2, "padding": 1}, {"kernel_size": "none"},
                                       {"kernel_size": "5,5", "dilation": 2, "input_size": "12,10"}])
def test_a_given_kernel_sets_its_size(overrides):
    """A 5×5 kernel alone (kernel_size left out, none, or agreeing): the scene shows torch's output size for it."""
    scene = render_dry("ConvArithmetic", kernel=KERNEL_5X5, **overrides)
    p = scene.params
    i = ConvArithmetic.RANDOM_SIZES[0] if p["input_size"] is None else p["input_size"]
    x = torch.zeros(1, 1, *((i, i) if isinstance(i, int) else i))
    w = torch.tensor(np.array(json.loads(KERNEL_5X5)), dtype=torch.float32)[None, None]
    expected = F.conv2d(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"]).shape[2:]
    assert scene.shown["output_shape"] == tuple(expected)
    assert scene.shown["badges"]["kernel"] == (5, 5)
    check_shown(scene)


def test_random_matrices_from_sizes_and_seed():
    a = ConvolutionNumbers.resolve("random_5x5")
    x1, w1 = ConvolutionNumbers.arrays(a)
    x2, _ = ConvolutionNumbers.arrays(ConvolutionNumbers.resolve("random_5x5", {"seed": 2}))
    assert x1.shape == (5, 5) and w1.shape == (3, 3)
    assert not np.array_equal(x1, x2)
    np.testing.assert_array_equal(x1, ConvolutionNumbers.arrays(a)[0])


@pytest.mark.parametrize("scene, overrides, error, words", [
    (ConvArithmetic, {"stride": 0}, ParamError, "stride=0"),
    (ConvArithmetic, {"input_size": 2, "kernel_size": 3}, ConvArithmeticError, "too small"),
    (ConvArithmetic, {"padding": "same", "stride": 2}, ConvArithmeticError, "padding='same'"),
    (ConvArithmetic, {"input_size": 40}, ParamError, "32×32"),
    (ConvolutionNumbers, {"input_size": 6}, ParamError, "input=none"),
    (ConvolutionNumbers, {"kernel": None}, ParamError, "kernel_size"),
    (ConvolutionNumbers, {"input": "[[1,2],[3"}, ParamError, "input="),
    (ConvolutionNumbers, {"strides": 2}, ParamError, "'strides'"),
    (ConvArithmetic, {"kernel": KERNEL_5X5, "kernel_size": 3}, ParamError,
     "kernel_size=3 contradicts kernel, which is 5×5"),
    (ConvArithmetic, {"input": "[[1,2],[3,4]]", "input_size": "2,3"}, ParamError, "input_size=2, 3 contradicts input"),
    (ConvolutionNumbers, {"kernel": KERNEL_5X5, "kernel_size": 4}, ParamError, "kernel_size=4 contradicts kernel"),
])
def test_bad_parameters_one_sentence(scene, overrides, error, words):
    with pytest.raises(error) as info:
        scene.resolve(None, overrides)
    message = str(info.value)
    assert words in message and "\n" not in message and message.endswith(".")


@pytest.mark.render
def test_real_render_png(tmp_path):
    path = render_scene("ConvArithmetic", ConvArithmetic.resolve("padding_strides_odd"), tmp_path / "frame",
                        quality="l", fmt="png")
    assert path.suffix == ".png" and path.stat().st_size > 10_000
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@settings(max_examples=6, deadline=None)
@given(i=st.tuples(st.integers(1, 9), st.integers(1, 9)), k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2), seed=st.integers(0, 99))
def test_any_parameters_show_what_torch_computes(i, k, s, p, d, seed):
    overrides = {"input_size": f"{i[0]},{i[1]}", "kernel_size": f"{k[0]},{k[1]}", "stride": s, "padding": p,
                 "dilation": d, "seed": seed}
    try:
        ConvArithmetic.resolve(None, overrides)
    except ConvArithmeticError:
        span = [d * (kk - 1) + 1 for kk in k]
        assert any(ii + 2 * p < sp for ii, sp in zip(i, span))  # refused only when torch would refuse
        return
    scene = render_dry("ConvArithmetic", **overrides)
    check_shown(scene)
    out = scene.shown["output_shape"]
    assert scene.shown["uncovered_rows"] == untouched(i[0] + 2 * p, out[0], k[0], s, d)
    assert scene.shown["uncovered_cols"] == untouched(i[1] + 2 * p, out[1], k[1], s, d)


@pytest.mark.parametrize("products", [0, 2, 16])
def test_convolution_numbers_writes_out_the_products_of_the_first_n_windows(products):
    """products=N: the first N windows (row by row) write out window × kernel; each sum is torch's output there."""
    scene = render_dry("ConvolutionNumbers", "lecture_padded", products=products)
    expected = torch_conv(LECTURE_INPUT, LECTURE_KERNEL, 1, 1, 1)
    written = scene.shown.get("products", [])
    assert [cell for cell, _, _ in written] == [divmod(n, expected.shape[1]) for n in range(products)]
    for (r, c), text, total in written:
        assert total == expected[r, c] and text.endswith(f"= {int(expected[r, c])}".replace("-", "−"))
    check_shown(scene)


def test_negative_numbers_use_a_true_minus_and_one_size_per_grid():
    scene = render_dry("ConvolutionNumbers", input="[[-12,5,3,0],[7,-14,2,9],[1,1,1,-3],[4,0,-2,8]]",
                       kernel="[[1,-2,0],[-1,3,1],[2,0,-1]]")
    for grid in (scene.input_grid, scene.kernel_grid, scene.output_grid):
        texts = [grid.number(r, c) for r in range(grid.rows) for c in range(grid.cols)]
        assert len({round(t.font_size, 3) for t in texts}) == 1  # −14 is not shrunk below its neighbours
        assert not any("-" in t.text for t in texts)
        assert any("−" in t.text for t in texts if t is not None) or grid is scene.output_grid
    np.testing.assert_allclose(scene.shown["output"],
                               torch_conv(np.array([[-12, 5, 3, 0], [7, -14, 2, 9], [1, 1, 1, -3], [4, 0, -2, 8]]),
                                          np.array([[1, -2, 0], [-1, 3, 1], [2, 0, -1]]), 1, 0, 1))
