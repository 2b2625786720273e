"""The base class of every convviz scene: parameters in, theme applied, what is shown recorded."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from manim import Scene

from .params import Param, resolve_params
from .theme import Theme, current_theme

__all__ = ["ConvvizScene"]


class ConvvizScene(Scene):
    """A lecture scene driven by named parameters.

    Subclasses declare ``PARAMS`` (a tuple of :class:`Param`), ``PRESETS`` (name -> partial parameters),
    ``SUMMARY`` (one line for ``convviz list``), optionally ``GALLERY`` (presets that each get a gallery preview
    instead of the defaults' one) and may override :meth:`check` to let convmath refuse bad
    values before anything renders. In ``construct`` they read ``self.params``, draw with ``self.theme``,
    mark each beat with :meth:`beat`, and record what the viewer sees in ``self.shown`` (tests assert it).

    Example::

        scene = ConvolutionNumbers(ConvolutionNumbers.resolve("lecture", {"stride": 2}))
        scene.render()
    """

    PARAMS: ClassVar[tuple[Param, ...]] = ()
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {}
    SUMMARY: ClassVar[str] = ""
    GALLERY: ClassVar[tuple[str, ...]] = ()  # names in PRESETS; empty: one preview, default parameters

    def __init__(self, params: Mapping[str, Any] | None = None, theme: Theme | None = None, **kwargs: Any):
        self.params: dict[str, Any] = dict(params) if params is not None else self.resolve()
        self.theme: Theme = theme or current_theme()
        self.shown: dict[str, Any] = {}
        super().__init__(**kwargs)

    @classmethod
    def resolve(cls, preset: str | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults, preset and overrides parsed and checked (raises ParamError / ConvArithmeticError)."""
        values = resolve_params(cls.__name__, cls.PARAMS, cls.PRESETS, preset, overrides)
        cls.check(values)
        return values

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        """Refuse parameter values the scene cannot show; convmath's errors pass through as they are."""

    def setup(self) -> None:
        self.camera.background_color = self.theme.background

    def beat(self, name: str) -> None:
        """Start a conceptual beat: a section in the video and a pause in the slides."""
        self.next_section(name)
