"""The base class of every convviz scene: parameters in, theme applied, what is shown recorded, the render
speed-ups of scenes/speed.py applied."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from manim import Animation, Scene
from manim.animation.animation import prepare_animation

from .components import Caption, swap_caption
from .params import Param, resolve_params, sizes_from_values
from .speed import (drop_svg_sources, restack_moving, use_fast_paths, use_frames_converted_once,
                    use_image_in_place)
from .theme import Theme, current_theme

__all__ = ["ConvvizScene"]


class ConvvizScene(Scene):
    """A lecture scene driven by named parameters.

    Subclasses declare ``PARAMS`` (a tuple of :class:`Param`), ``PRESETS`` (name -> partial parameters),
    ``SUMMARY`` (one line for ``convviz list``), optionally ``SIZED_BY`` (the sizes a given tensor sets, one name
    per axis) and ``GALLERY`` (presets that each get a gallery preview instead of the defaults' one), and may
    override :meth:`check` to let convmath refuse bad values before anything renders. In ``construct`` they read
    ``self.params``, draw with ``self.theme``, mark each beat with :meth:`beat`, and record what the viewer sees in
    ``self.shown`` (tests assert it).

    Example::

        scene = ConvolutionNumbers(ConvolutionNumbers.resolve("lecture", {"stride": 2}))
        scene.render()
    """

    PARAMS: ClassVar[tuple[Param, ...]] = ()
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {}
    SUMMARY: ClassVar[str] = ""
    GALLERY: ClassVar[tuple[str, ...]] = ()  # names in PRESETS; empty: one preview, default parameters
    SIZED_BY: ClassVar[dict[str, tuple[str, ...]]] = {}  # given values set sizes: {"input": ("c_in", "size", "size")}

    def __init__(self, params: Mapping[str, Any] | None = None, theme: Theme | None = None, **kwargs: Any):
        self.params: dict[str, Any] = dict(params) if params is not None else self.resolve()
        self.theme: Theme = theme or current_theme()
        self.shown: dict[str, Any] = {}
        super().__init__(**kwargs)

    @classmethod
    def resolve(cls, preset: str | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults, preset and overrides parsed and checked (raises ParamError / ConvArithmeticError)."""
        values = resolve_params(cls.__name__, cls.PARAMS, cls.PRESETS, preset, overrides)
        sizes_from_values(values, cls.PARAMS, cls.SIZED_BY, set(overrides or {}))
        cls.check(values)
        return values

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        """Refuse parameter values the scene cannot show; convmath's errors pass through as they are."""

    def setup(self) -> None:
        self.camera.background_color = self.theme.background
        use_image_in_place(self.renderer)
        use_fast_paths(self.renderer)
        use_frames_converted_once(self.renderer)

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Manim's ``play``, with what moves restacked last and glyph sources dropped (scenes/speed.py): the
        same frames, drawn faster."""
        animations = [prepare_animation(a) for a in args]  # what Manim's play does first (builders built)
        drop_svg_sources(*self.mobjects, *(a.mobject for a in animations))
        self.mobjects = restack_moving(self.mobjects, animations)
        super().play(*animations, **kwargs)

    def recaption(self, text: str) -> Animation:
        """The animation that replaces ``self.caption`` (if any) by a :class:`Caption` saying ``text``: the old
        one leaves before the new one arrives (:func:`swap_caption`). ``self.caption`` is the new one from now on.

        Example::

            self.play(FadeIn(grid), self.recaption("Each window gives one output cell."), run_time=1)
        """
        old, self.caption = getattr(self, "caption", None), Caption(text, theme=self.theme)
        return swap_caption(old, self.caption)

    def beat(self, name: str) -> None:
        """Start a conceptual beat: a section in the video and a pause in the slides. ``name`` is what a student
        reads on the slide ("the window slides"), so write it in words, never a code name."""
        self.next_section(name)
