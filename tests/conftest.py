"""Shared helpers for scene tests: render a scene in Manim's dry-run mode and look at what it showed.

Use from any test file::

    from conftest import render_dry
    scene = render_dry("ConvArithmetic", "padding_strides", stride=3)
    scene.shown["output_shape"]
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from manim import config, tempconfig

os.environ.setdefault("KERAS_BACKEND", "torch")

from convmath.crosscheck import one_torch_thread  # noqa: E402
from scenes.base import ConvvizScene  # noqa: E402
from scenes.catalog import scene_class  # noqa: E402
from scenes.theme import LIGHT, Theme  # noqa: E402

# One media folder per test process: LaTeX compiled once is reused by later scenes.
MEDIA = tempfile.mkdtemp(prefix="convviz-test-media-")
config.media_dir = MEDIA  # also for mobjects made outside tempconfig: never the shared ./media of a checkout


def _no_frame(*args: Any, **kwargs: Any) -> None:
    """Stands in for the renderer's frame drawing in dry runs."""


@contextmanager
def dry_scene(scene_name: str, preset: str | None = None, theme: Theme = LIGHT,
              **overrides: Any) -> Iterator[ConvvizScene]:
    """The scene ``scene_name`` with its parameters resolved (defaults, preset, overrides), set up for a dry run:
    call its ``render()`` inside the ``with`` block (after wrapping what you want to watch)."""
    cls = scene_class(scene_name)
    params = cls.resolve(preset, overrides)
    settings = {"dry_run": True, "quality": "low_quality", "media_dir": MEDIA, "disable_caching": True,
                "progress_bar": "none", "verbosity": "WARNING"}
    with tempconfig(settings):
        scene = cls(params, theme=theme, skip_animations=True)
        scene.renderer.update_frame = _no_frame  # Manim still draws 2 frames per play when skipping
        yield scene


def render_dry(scene_name: str, preset: str | None = None, theme: Theme = LIGHT, **overrides: Any) -> ConvvizScene:
    """Resolve ``scene_name``'s parameters (defaults, preset, overrides), run it in dry-run, return the scene.

    Nothing is written and no frame is drawn (animations jump to their end state, as with ``manim -s``);
    the returned scene's ``.shown`` holds what it showed and ``.renderer.time`` its length in seconds.
    """
    with dry_scene(scene_name, preset, theme, **overrides) as scene:
        scene.render()
    return scene


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory):
    """A fresh model cache for the session ($CONVVIZ_CACHE): tests never read or write the user's cache."""
    folder = tmp_path_factory.getbasetemp() / "convviz-model-cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONVVIZ_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def one_thread():
    """Torch on one thread for a test module: tiny tensors run faster (see convmath.crosscheck.one_torch_thread).
    Use with ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    with one_torch_thread():
        yield


@pytest.fixture
def dry_render():
    """The :func:`render_dry` helper as a fixture."""
    return render_dry
