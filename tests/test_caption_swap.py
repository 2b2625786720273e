"""Captions change cleanly: at every moment inside every animation (8 per animation, as a render interpolates
them), at most one caption is visible and no two different texts at the caption's place are drawn over each
other, so the old one has left before the new one arrives. The scenes that need no trained model (the VAE and
autoencoder scenes change captions through the same scenes/components/panels.py swap_caption)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from manim import AnimationGroup, FadeIn, FadeOut, Mobject, config
from test_scene_readability import TEXTS, run_looking

import scenes.channels_axes
import scenes.modelflow
from scenes.components import Caption

pytestmark = pytest.mark.render
STRIP = 1.0  # height of the caption's place at the bottom of the frame (Manim units)

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


def _opacity(mobject: Any) -> float:
    return max((part.get_fill_opacity() for part in mobject.family_members_with_points()), default=0.0)


def _shown(mobject: Any) -> bool:
    return _opacity(mobject) > 0.01


def _box(mobject: Any) -> np.ndarray:
    points = mobject.get_all_points()
    return np.concatenate([points.min(axis=0)[:2], points.max(axis=0)[:2]])


def visible_captions(scene: Any) -> list[str]:
    """The text of every caption on screen now that a viewer can see (any glyph not fully transparent)."""
    return [m.text for m in dict.fromkeys(scene.get_mobject_family_members()) if isinstance(m, Caption) and _shown(m)]


def crossing_texts(scene: Any) -> list[tuple[str, str]]:
    """Pairs of different visible texts at the caption's place (the frame's bottom strip) drawn over each other
    while one of them fades: captions, and any other text there (products, sums, formulas) that a caption replaces
    or is replaced by. (A number flying out of a line, both opaque, is a move, not a cross-fade.)"""
    members = list(dict.fromkeys(scene.get_mobject_family_members()))
    in_captions = {id(part) for m in members if isinstance(m, Caption) for part in m.get_family()[1:]}
    strip = -config.frame_height / 2 + STRIP
    units = [m for m in members if (isinstance(m, Caption) or (isinstance(m, TEXTS) and id(m) not in in_captions))
             and len(m.get_all_points()) and _shown(m) and _box(m)[1] < strip]
    pairs = []
    for n, a in enumerate(units):
        for b in units[n + 1:]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = _box(a), _box(b)
            fading = min(_opacity(a), _opacity(b)) < 0.99
            if fading and a.text != b.text and ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                pairs.append((a.text, b.text))
    return pairs


def overlapping_captions(name: str, preset: str | None, overrides: dict[str, Any]) -> tuple[list, int]:
    """Every moment inside an animation with two or more captions visible, and how many moments showed one."""
    overlaps, single = [], []

    def during(scene: Any) -> None:
        shown = visible_captions(scene)
        if len(shown) > 1:
            overlaps.append(shown)
        elif shown:
            single.append(shown[0])
        overlaps.extend(crossing_texts(scene))

    run_looking(name, preset, overrides, during=during)
    return overlaps, len(single)


@pytest.mark.parametrize("name, preset, overrides", CASES, ids=lambda c: c if isinstance(c, str) else None)
def test_no_two_captions_are_visible_at_once(name, preset, overrides):
    overlaps, single = overlapping_captions(name, preset, overrides)
    assert single, f"{name} never showed a caption: the check looked at nothing"
    assert not overlaps, f"{name}: {len(overlaps)} moments with texts over each other, first {str(overlaps[0])[:300]}"


def _cross_fade(old: Any, new: Any) -> Any:
    """The old way: FadeOut and FadeIn played together."""
    leaving = [] if old is None else [old] if isinstance(old, Mobject) else list(old)
    return AnimationGroup(*(FadeOut(m) for m in leaving), FadeIn(new))


@pytest.mark.parametrize("module, name, preset", [(scenes.modelflow, "ModelFlow", "unet"),
                                                  (scenes.channels_axes, "Conv1DSequence", None)])
def test_a_cross_fade_is_caught(monkeypatch, module, name, preset):
    """Halfway through a cross-fade both texts show: the check above must see it, between two captions
    (ModelFlow) and between a caption and a sum line (Conv1DSequence)."""
    monkeypatch.setattr(module, "swap_caption", _cross_fade)
    overlaps, _ = overlapping_captions(name, preset, {})
    assert overlaps
