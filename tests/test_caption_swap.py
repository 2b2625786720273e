"""Captions change cleanly: at every moment inside every animation (8 per animation, as a render interpolates
them), at most one caption is visible, so the old one has left before the new one arrives. Scenes that need no
trained model (those are covered by the same component, scenes/components/panels.py swap_caption)."""

from __future__ import annotations

from typing import Any

import pytest
from manim import AnimationGroup, FadeIn, FadeOut
from test_scene_readability import run_looking

import scenes.modelflow
from scenes.components import Caption

pytestmark = pytest.mark.render

CASES = [
    ("ModelFlow", "unet", {}),
    ("ModelFlow", "unet_broken", {}),
    ("TransposedConvScatter", None, {}),
    ("TransposedConvAsConv", None, {}),
    ("TransposedConvMatrix", None, {}),
    ("OutputPaddingAmbiguity", None, {}),
    ("ConvolutionNumbers", None, {"products": 1}),
    ("MultiChannelConv", None, {}),
    ("GroupedConv", None, {}),
    ("Conv1DSequence", None, {}),
    ("Conv3DVolume", None, {}),
]


def visible_captions(scene: Any) -> list[str]:
    """The text of every caption on screen now that a viewer can see (any glyph not fully transparent)."""
    return [m.text for m in dict.fromkeys(scene.get_mobject_family_members())
            if isinstance(m, Caption) and any(part.get_fill_opacity() > 0.01
                                              for part in m.family_members_with_points())]


def overlapping_captions(name: str, preset: str | None, overrides: dict[str, Any]) -> tuple[list, int]:
    """Every moment inside an animation with two or more captions visible, and how many moments showed one."""
    overlaps, single = [], []

    def during(scene: Any) -> None:
        shown = visible_captions(scene)
        if len(shown) > 1:
            overlaps.append(shown)
        elif shown:
            single.append(shown[0])

    run_looking(name, preset, overrides, during=during)
    return overlaps, len(single)


@pytest.mark.parametrize("name, preset, overrides", CASES, ids=lambda c: c if isinstance(c, str) else None)
def test_no_two_captions_are_visible_at_once(name, preset, overrides):
    overlaps, single = overlapping_captions(name, preset, overrides)
    assert single, f"{name} never showed a caption: the check looked at nothing"
    assert not overlaps, f"{name}: {len(overlaps)} moments with captions over each other, first {overlaps[0]}"


def test_a_cross_fade_of_two_captions_is_caught(monkeypatch):
    """The old way, FadeOut and FadeIn played together, shows both halfway: the check above must see it."""
    monkeypatch.setattr(scenes.modelflow, "swap_caption",
                        lambda old, new: AnimationGroup(FadeOut(old), FadeIn(new)) if old else FadeIn(new))
    overlaps, _ = overlapping_captions("ModelFlow", "unet", {})
    assert overlaps and all(len(shown) == 2 for shown in overlaps)
