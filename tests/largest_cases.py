"""Each scene's largest accepted case: what tests/test_scene_largest.py renders and benchmarks/largest.py times.

"Largest" is found, never listed by hand, so a new scene or a changed bound is covered without an edit:

1. Start from the defaults. Take the numeric parameters in their declared order (kinds int, size, padding,
   float, ints with a declared ``high``; not those that pick a trained model, :data:`MODEL_KEYS`, nor those whose
   value is none or a word). Raise each one to the highest value the scene still accepts with the ones already
   raised: ``resolve`` refusing (ParamError / ConvArithmeticError) means too high; a binary search from its
   ``high`` down to its current value. A size, padding or list raised to ``v`` has ``v`` in every entry.
2. A raise is kept only if it does not make the case lighter: a larger stride or dilation shortens a conv
   scene, and "largest" means the heaviest render. The weight of a case is :func:`weight`: the seconds of
   animation of a dry run times the mobjects on screen during each one (what a real render draws, frame after
   frame).
3. Every preset, as it is, is a candidate too; the heaviest case wins (the defaults first on a tie).

Deterministic: the same catalogue gives the same cases. Not a proof of the worst case: the binary search assumes
that a refused value refuses every larger one, and raising in declared order finds a local maximum (an early
raise can block a later, heavier one; presets are weighed as they are, not raised).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from conftest import dry_scene
from manim.animation.animation import Wait

from convmath import ConvArithmeticError
from scenes.catalog import scene_class
from scenes.params import Param, ParamError, value_text

__all__ = ["MODEL_KEYS", "RAISED_KINDS", "Case", "largest_case", "weight"]

MODEL_KEYS = frozenset({"seed", "beta", "betas", "data", "latent_dim"})  # a new value trains a new model
RAISED_KINDS = ("int", "float", "size", "padding", "ints")


class Case(NamedTuple):
    """A scene, an optional preset and the overrides on top of it (parsed values)."""

    scene: str
    preset: str | None
    overrides: dict[str, Any]

    def label(self) -> str:
        """'preset p, a=1 b=2' as a table or a test id shows it."""
        sets = " ".join(f"{k}={value_text(v)}" for k, v in self.overrides.items())
        return ", ".join(part for part in (f"preset {self.preset}" if self.preset else "", sets) if part) or "defaults"

    def argv(self) -> list[str]:
        """The `convviz render` arguments that select this case."""
        args = [self.scene] + (["--preset", self.preset] if self.preset else [])
        for key, value in self.overrides.items():
            args += ["--set", f"{key}={value_text(value)}"]
        return args


def accepted(case: Case) -> bool:
    """Whether the scene accepts the case (its own checks and convmath's)."""
    try:
        scene_class(case.scene).resolve(case.preset, case.overrides)
    except (ParamError, ConvArithmeticError):
        return False
    return True


def weight(case: Case) -> float:
    """Mobject-seconds of animation: over the animations of a dry run at 480p15, the run time times the number
    of mobjects (families counted) on screen. Frozen waits count their seconds only (a render copies one frame)."""
    total = 0.0
    with dry_scene(case.scene, case.preset, **case.overrides) as scene:
        play = scene.play

        def weighing_play(*animations: Any, **kwargs: Any) -> None:
            nonlocal total
            start = scene.renderer.time
            play(*animations, **kwargs)
            seconds = scene.renderer.time - start
            waiting = all(isinstance(a, Wait) for a in animations)
            total += seconds * (1 if waiting else sum(len(m.get_family()) for m in scene.mobjects))

        scene.play = weighing_play
        scene.render()
    return total


def _raised(current: Any, value: float) -> Any:
    """``current`` with every entry at ``value``."""
    if isinstance(current, tuple):
        return tuple(value for _ in current)
    return value


def _top(value: Any) -> float:
    return max(value) if isinstance(value, tuple) else value


def _highest(case: Case, param: Param, current: Any) -> Any:
    """The highest accepted value of ``param`` from ``current`` up to its ``high`` (binary search)."""
    def accepts(v: float) -> bool:
        return accepted(case._replace(overrides={**case.overrides, param.name: _raised(current, v)}))

    if param.kind == "float":
        return _raised(current, param.high) if accepts(param.high) else current
    low, high = int(_top(current)), int(param.high)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if accepts(middle) else (low, middle - 1)
    return _raised(current, low) if low != _top(current) else current


def _raisable(param: Param, value: Any) -> bool:
    """A numeric value (or a flat tuple of them) below its parameter's ``high``, not one that picks a model."""
    entries = value if isinstance(value, tuple) else (value,)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in entries)
    return (param.kind in RAISED_KINDS and param.high is not None and param.name not in MODEL_KEYS and numbers
            and _top(value) < param.high)


def largest_case(scene: str) -> Case:
    """The heaviest accepted case of ``scene`` (see the module's docstring for what that means)."""
    cls = scene_class(scene)
    values = cls.resolve(None)
    best, best_weight = Case(scene, None, {}), weight(Case(scene, None, {}))
    for param in cls.PARAMS:
        if not _raisable(param, values[param.name]):
            continue
        value = _highest(best, param, values[param.name])
        if value == values[param.name]:
            continue
        tried = best._replace(overrides={**best.overrides, param.name: value})
        tried_weight = weight(tried)
        if tried_weight >= best_weight:
            best, best_weight = tried, tried_weight
    for preset in cls.PRESETS:
        tried = Case(scene, preset, {})
        tried_weight = weight(tried)
        if tried_weight > best_weight:
            best, best_weight = tried, tried_weight
    return best
