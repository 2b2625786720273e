"""A test-only scene that renders in about a second: lecture, slides and gallery tests use it.

Tests register it in the catalog with ``register_tiny(monkeypatch)``; the lecture's worker processes
import it from here by module name.
"""

from __future__ import annotations

from typing import Any, Mapping

from manim import DOWN, FadeIn, Square, Text

from convmath import conv_output_size
from scenes import catalog
from scenes.base import ConvvizScene
from scenes.params import Param

__all__ = ["TinyBeats", "register_tiny"]


class TinyBeats(ConvvizScene):
    """``beats`` short beats, each a square fading in; ``fail`` raises at render time."""

    PARAMS = (
        Param("beats", "int", 2, "how many beats", low=1, high=60, reason="each beat takes 0.4 s"),
        Param("kernel", "int", 3, "a kernel size convmath checks against a 4-wide input", low=1, high=9,
              reason="convmath refuses more than the input"),
        Param("fail", "bool", False, "raise while rendering"),
    )
    PRESETS = {"three": {"beats": 3}}
    SUMMARY = "Test only: a square per beat."

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        conv_output_size(4, params["kernel"])

    def construct(self) -> None:
        for n in range(self.params["beats"]):
            self.beat(f"beat {n + 1}")
            square = Square(color=self.theme.input)
            label = Text(f"beat {n + 1}", color=self.theme.text).next_to(square, DOWN)
            self.play(FadeIn(square), FadeIn(label), run_time=0.4)
            self.remove(*self.mobjects)
        if self.params["fail"]:
            raise RuntimeError("TinyBeats was asked to fail")


def register_tiny(monkeypatch) -> None:
    """Make ``TinyBeats`` a catalog scene for the duration of a test."""
    monkeypatch.setitem(catalog.SCENES, "TinyBeats", __name__)
