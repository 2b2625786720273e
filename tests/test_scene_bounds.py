"""Nothing leaves the frame, in every scene: its defaults, each preset, and each numeric parameter at the largest
value it accepts (one at a time, the others at their defaults), run beat by beat as a 480p render draws them
(dry-run). Parameters that pick a trained model (seed, beta, data) keep their defaults: each value trains one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from manim import config
from test_scene_readability import CASES as READABILITY_CASES
from test_scene_readability import run_looking

from convmath import ConvArithmeticError
from scenes import catalog
from scenes.params import NUMERIC_KINDS, ParamError

pytestmark = pytest.mark.render
MODEL_KEYS = {"seed", "beta", "betas", "data"}  # a new value trains a new model
PER_VALUE = ("int", "float", "size", "padding")


def _accepted(name: str, preset: str | None, overrides: dict[str, Any]) -> bool:
    try:
        catalog.scene_class(name).resolve(preset, overrides)
    except (ParamError, ConvArithmeticError):
        return False
    return True


def _cases() -> list[tuple[str, str | None, dict[str, Any]]]:
    cases = []
    for name in catalog.available_scenes():
        cls = catalog.scene_class(name)
        cases += [(name, None, {})] + [(name, preset, {}) for preset in cls.PRESETS]
        cases += [(name, None, {p.name: p.high}) for p in cls.PARAMS
                  if p.kind in PER_VALUE and p.kind in NUMERIC_KINDS and p.high is not None and p.name not in MODEL_KEYS
                  and p.high != p.default]
    seen = {(n, p, tuple(sorted(o))) for n, p, o in READABILITY_CASES if not o}
    return [c for c in cases if (c[0], c[1], tuple(sorted(c[2]))) not in seen and _accepted(*c)]


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1] or ''}-{'-'.join(f'{k}={v}' for k, v in c[2].items()) or 'defaults'}")
def test_nothing_drawn_leaves_the_frame(case):
    looked = run_looking(*case)
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    outside = set()
    for kind, _, text, m in looked:
        points = m.get_all_points()
        low, high = points.min(axis=0), points.max(axis=0)
        if low[0] < -half_w or high[0] > half_w or low[1] < -half_h or high[1] > half_h:
            outside.add((kind, str(text)[:40], tuple(np.round([low[0], low[1], high[0], high[1]], 2))))
    assert not outside, sorted(outside)[:6]
