"""The shared components: what they keep, where they put things, what they refuse."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from manim import config

from convmath import conv_output_size, explain_conv
from scenes.components import (Caption, CodePanel, FormulaPanel, KernelWindow, LatentVector, NumberGrid, ShapeBadge,
                               scene_title, shape_text)
from scenes.theme import DARK, LIGHT, MIN_FONT_SIZE, overlay_theme


def test_formula_panel_keeps_the_convmath_value_and_text():
    formula = explain_conv(5, 3, stride=2, padding=1)
    panel = FormulaPanel(formula, title="output size", latex=False)
    assert panel.value == conv_output_size(5, 3, stride=2, padding=1) == 3
    assert panel.text == formula.text
    assert panel.width <= config.frame_width


def test_formula_panel_latex_renders():
    panel = FormulaPanel(explain_conv(7, 3, dilation=2))
    assert panel.value == 3 and len(panel.lines) == 2


def test_shape_badge_keeps_the_shape_and_role_colour():
    badge = ShapeBadge((5, 6), role="input", theme=DARK)
    assert badge.shape == (5, 6)
    assert shape_text(badge.shape) == "5×6"
    assert badge[0].get_stroke_color().to_hex().lower() == DARK.input.lower()
    with pytest.raises(ValueError, match="role='bogus'"):
        ShapeBadge((2, 2), role="bogus")


def test_code_panel_keeps_code_and_fits_frame():
    code = "y = nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)(x)  # " + "x" * 120
    panel = CodePanel(code + "\nprint(y.shape)")
    assert panel.code.endswith("print(y.shape)")
    assert len(panel.lines) == 2
    assert panel.width <= config.frame_width


def test_caption_sits_at_the_bottom():
    caption = Caption("The window slides by the stride.")
    assert caption.get_bottom()[1] < -config.frame_height / 2 + 0.6
    assert caption.text == "The window slides by the stride."


@settings(max_examples=25, deadline=None)
@given(kh=st.integers(1, 4), kw=st.integers(1, 4), dh=st.integers(1, 3), dw=st.integers(1, 3),
       r=st.integers(0, 3), c=st.integers(0, 3))
def test_kernel_window_taps_land_on_the_dilated_cells(kh, kw, dh, dw, r, c):
    rows, cols = r + (kh - 1) * dh + 1, c + (kw - 1) * dw + 1
    grid = NumberGrid(np.zeros((rows, cols)), cell_size=0.3, show_numbers=False, theme=LIGHT)
    window = KernelWindow(grid, kh, kw, dilation=(dh, dw)).move_to_cell(r, c)
    assert len(window.taps) == kh * kw
    for i in range(kh):
        for j in range(kw):
            np.testing.assert_allclose(window.tap(i, j).get_center(), grid.cell(r + i * dh, c + j * dw).get_center(),
                                       atol=1e-6)


def test_kernel_window_target_does_not_move_it():
    grid = NumberGrid(np.zeros((5, 5)), cell_size=0.5)
    window = KernelWindow(grid, 3, 3, dilation=2)
    before = window.get_center().copy()
    window.target_for(0, 0)
    np.testing.assert_allclose(window.get_center(), before)


def test_kernel_window_has_gaps_when_dilated():
    grid = NumberGrid(np.zeros((5, 5)), cell_size=0.5)
    window = KernelWindow(grid, 2, 2, dilation=2).move_to_cell(0, 0)
    gap = window.tap(0, 1).get_left()[0] - window.tap(0, 0).get_right()[0]
    assert gap > grid.cell_size * 0.9


def test_hidden_numbers_are_revealed_where_the_cell_is_now():
    grid = NumberGrid([[1, 2], [3, 4]], role="output", cell_size=0.6, hide_values=True)
    assert np.isnan(grid.shown_values()).all()
    drawn = len(grid.get_family())
    grid.shift([2, 1, 0]).scale(0.5)
    text = grid.reveal(1, 0)
    np.testing.assert_allclose(text.get_center(), grid.cell(1, 0).get_center(), atol=1e-6)
    assert text.height < grid.cell(1, 0).height
    assert len(grid.get_family()) > drawn  # only now part of what is drawn
    shown = grid.shown_values()
    assert shown[1, 0] == 3 and np.isnan(shown[0, 0])


def test_formula_panel_shrinks_only_to_fit():
    short = FormulaPanel(explain_conv(5, 3), latex=False, inline=True)
    long = FormulaPanel(explain_conv((6, 7), (3, 2), (2, 1), ((1, 0), (2, 1)), (1, 2))[1], title="output cols:",
                        latex=False, inline=True, font_size=48)
    assert short.fit_scale == 1.0
    assert long.fit_scale < 1.0 and long.width <= config.frame_width


def test_grid_numbers_have_one_size_and_a_true_minus():
    grid = NumberGrid([[-14, 5], [7, -2.5]], cell_size=0.8)
    texts = [grid.number(r, c) for r in range(2) for c in range(2)]
    assert len({round(t.font_size, 3) for t in texts}) == 1
    assert [t.text for t in texts] == ["−14", "5", "7", "−2.5"]
    assert max(t.width for t in texts) <= 0.8 * 0.8 + 1e-6  # the widest fits the cell; all share its size
    single = NumberGrid([[1, 5], [7, 2]], cell_size=0.8)
    assert single.font_size == pytest.approx(44 * 0.8) and grid.font_size < single.font_size


def test_grid_hides_numbers_that_would_be_under_the_readability_floor():
    assert NumberGrid([[1, 2]], cell_size=0.33).show_numbers
    crowded = NumberGrid([[-1234.5, 2]], cell_size=0.33)
    assert crowded.font_size < MIN_FONT_SIZE and not crowded.show_numbers and not crowded.numbers


def test_latent_vector_values_share_one_size_and_a_true_minus():
    vector = LatentVector([0.5, -12.25, 3.0])
    texts = [cell[1] for cell in vector.cells]
    assert [t.text for t in texts] == ["0.50", "−12.25", "3.00"]
    assert len({round(t.font_size, 3) for t in texts}) == 1


def test_an_overlay_leaves_title_and_caption_out_and_panels_see_through():
    """--no-title / --no-caption: drawn fully transparent (the layout stays); --transparent: panel fill 0."""
    looks = overlay_theme(LIGHT, transparent=True, titles=False, captions=False)
    assert all(m.get_fill_opacity() == 0 for m in scene_title("Title", looks).family_members_with_points())
    assert all(m.get_fill_opacity() == 0 for m in Caption("A caption.", theme=looks).family_members_with_points())
    panel = FormulaPanel(explain_conv(5, 3), theme=looks, latex=False)
    assert max(m.get_fill_opacity() for m in panel.submobjects if m.__class__.__name__ == "RoundedRectangle") == 0
    shown = scene_title("Title", LIGHT)
    assert min(m.get_fill_opacity() for m in shown.family_members_with_points()) == 1
    assert FormulaPanel(explain_conv(5, 3), theme=LIGHT, latex=False).submobjects[0].get_fill_opacity() > 0.5
