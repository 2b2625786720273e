"""Jupyter and Colab: scenes play inline, traces and sizes show as tables and formulas.

In a notebook::

    from scenes.notebook import show, trace
    show("ConvArithmetic", input_size=6, stride=2, padding=1)   # an embedded video: plays when the file is shared
    trace(my_model, (1, 1, 28, 28))                             # the shape trace as a table with formulas

    %load_ext scenes.notebook
    %convviz render ConvArithmetic --set stride=2                # the command's syntax; -q l unless you give -q
    %convviz trace my_model --input-shape 1,1,28,28             # a name from the notebook, or module:factory
    %convmath conv 5 -k 3 -s 2                                   # the size, its formula in LaTeX, the layer

Everything goes through the commands' own validation; a bad value stops the cell with the command's one
sentence (:class:`NotebookError`), not a traceback.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import io
import json
import shlex
import sys
import tempfile
import types
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from convmath import ConvArithmeticError
from convmath import cli as convmath_cli
from convmath.display import SizeView, TraceView, formula_latex
from convmath.explain import Formula

from . import cli as convviz_cli
from .catalog import scene_class
from .params import ParamError
from .render import check_options, render_scene

__all__ = ["show", "trace", "convviz_magic", "convmath_magic", "NotebookError", "Video", "Output",
           "load_ipython_extension", "MODELS_MODULE"]

NOTEBOOK_QUALITY = "l"  # 480p15: quick to render, small to embed
MODELS_MODULE = "convviz_notebook_models"  # where a notebook's own models are put for `convmath trace`
MIME = {".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime", ".gif": "image/gif",
        ".png": "image/png"}


class NotebookError(ValueError):
    """A value the commands refuse, shown in a notebook as its one sentence (IPython's ``_render_traceback_``)."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{self}\x1b[0m"]


@contextlib.contextmanager
def _one_sentence(prog: str) -> Iterator[None]:
    """Turn the commands' user errors into a NotebookError with the command's sentence."""
    try:
        yield
    except (ParamError, ConvArithmeticError) as error:
        raise NotebookError(f"{prog}: {error}") from None


class Video:
    """A rendered scene embedded in the notebook (base64), so the saved .ipynb plays it anywhere."""

    def __init__(self, data: bytes, suffix: str = ".mp4", name: str = "") -> None:
        self.data, self.suffix, self.name = data, suffix, name

    def __repr__(self) -> str:
        return f"<convviz video {self.name or self.suffix}: {len(self.data) // 1024} KiB>"

    def _repr_html_(self) -> str:
        source = f"data:{MIME[self.suffix]};base64,{base64.b64encode(self.data).decode('ascii')}"
        if self.suffix in (".gif", ".png"):
            return f'<img src="{source}" alt="{escape(self.name)}" style="max-width:100%">'
        return (f'<video controls loop playsinline style="max-width:100%" title="{escape(self.name)}">'
                f'<source src="{source}" type="{MIME[self.suffix]}"></video>')


def show(scene: str, preset: str | None = None, quality: str = NOTEBOOK_QUALITY, *, theme: str = "light",
         **params: Any) -> Video:
    """Render ``scene`` with your numbers and return it as an inline video.

    ``params`` are the scene's parameters as Python values or as you would write them after ``--set``
    (``stride=2``, ``input=[[1, 2], [3, 4]]``, ``padding="same"``); they are checked exactly as the command
    checks them. ``quality``: l (480p15, the default here), m, h, p or k.
    """
    with _one_sentence("convviz"):
        values = scene_class(scene).resolve(preset, params)
        check_options(quality, "mp4", theme, False)
        with tempfile.TemporaryDirectory(prefix="convviz-notebook-") as folder:
            path = render_scene(scene, values, Path(folder) / scene, quality=quality, theme=theme)
            return Video(path.read_bytes(), path.suffix, scene)


class Output:
    """A command's printed text, shown as is (``%convviz list``, ``%convmath ambiguity`` ...)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _run(main: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str, str]:
    """Run a command's ``main`` in this process: (status, stdout, stderr); argparse's exits become a status."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    return status, out.getvalue(), err.getvalue()


def _refuse(stderr: str, fallback: str) -> NotebookError:
    """The command's sentence from its stderr: argparse's ``error:`` line without the usage above it."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if ": error: " in line]
    return NotebookError(errors[-1] if errors else " ".join(lines) or fallback)


def _model_target(model: Any, name: str = "model") -> str:
    """A `convmath trace` target for a model object or factory from the notebook: it is put in a module."""
    module = sys.modules.setdefault(MODELS_MODULE, types.ModuleType(MODELS_MODULE))
    factory = model if inspect.isfunction(model) or inspect.isclass(model) else (lambda: model)
    attr = name if name.isidentifier() else "model"
    setattr(module, attr, factory)
    return f"{MODELS_MODULE}:{attr}"


def _trace_argv(argv: list[str], namespace: Mapping[str, Any]) -> list[str]:
    """``trace NAME ...`` with NAME a variable of the notebook: the target rewritten to where it was put."""
    if len(argv) > 1 and ":" not in argv[1] and argv[1] in namespace:
        argv = [argv[0], _model_target(namespace[argv[1]], argv[1]), *argv[2:]]
    return argv


def _trace_view(argv: list[str]) -> TraceView | Output:
    """Run `convmath trace ... --json` and read its JSON into a table; a usage error as one sentence."""
    status, out, err = _run(convmath_cli.main, [*argv, "--json"])
    err = err.replace(f"{MODELS_MODULE}:", "")  # the notebook's own name, as the user typed it
    try:
        data = json.loads(out)
    except ValueError:
        raise _refuse(err, f"convmath trace: exit status {status}.") from None
    if status == 2 and not data.get("steps"):  # a usage error, whether said on stderr or in the JSON
        said = data.get("error") or data.get("failure") or ""
        raise _refuse(err or (said if isinstance(said, str) else json.dumps(said)), "convmath trace: exit status 2.")
    return TraceView(data)


def trace(model: Any, input_shape: str | Sequence[int] | None = None) -> TraceView:
    """The shape trace of ``model`` as a table: an ``nn.Module`` (or Keras model), a factory, ``"ae"`` /
    ``"vae"``, or ``"module:factory"``; ``input_shape`` like ``(1, 1, 28, 28)`` or ``"1,1,28,28"``."""
    target = model if isinstance(model, str) else _model_target(model)
    argv = ["trace", target]
    if input_shape is not None:
        shape = input_shape if isinstance(input_shape, str) else ",".join(str(int(n)) for n in input_shape)
        argv += ["--input-shape", shape]
    return _trace_view(argv)


def _split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as error:
        raise NotebookError(f"cannot read the line {line!r}: {error}.") from None


def convmath_magic(line: str, namespace: Mapping[str, Any] | None = None) -> Any:
    """``%convmath conv 5 -k 3``: sizes with their formula in LaTeX, traces as tables, other answers as text."""
    argv = _split(line)
    if argv[:1] == ["trace"] and "--json" not in argv and "-h" not in argv and "--help" not in argv:
        return _trace_view(_trace_argv(argv, namespace or {}))
    sized = argv[:1] in (["conv"], ["transpose"]) and not {"--json", "--explain", "-h", "--help"} & set(argv)
    status, out, err = _run(convmath_cli.main, [*argv, "--json"] if sized else argv)
    if status == 2 or (status != 0 and not out):
        raise _refuse(err, f"convmath exited with status {status}.")
    return SizeView.from_json(out) if sized else Output(out.rstrip("\n"))


def _has_quality(argv: Sequence[str]) -> bool:
    """-q h, -qh, --quality h or --quality=h given."""
    return any(a in ("-q", "--quality") or a.startswith("--quality=") or (a.startswith("-q") and len(a) > 2)
               for a in argv)


def convviz_magic(line: str, namespace: Mapping[str, Any] | None = None) -> Any:
    """``%convviz render Scene --set key=value``: the command, rendered at -q l unless told, shown inline;
    ``%convviz trace ...`` is ``convmath trace``; ``%convviz list`` (and the others) print their text."""
    argv = _split(line)
    if argv[:1] == ["trace"]:
        return convmath_magic(line, namespace)
    if argv[:1] == ["render"] and not _has_quality(argv):
        argv += ["-q", NOTEBOOK_QUALITY]
    status, out, err = _run(convviz_cli.main, argv)
    if status != 0:
        raise _refuse(err, f"convviz exited with status {status}.")
    printed = out.strip().splitlines()
    if argv[:1] == ["render"] and printed and "--check" not in argv:
        path = Path(printed[-1])
        if path.suffix in MIME and path.is_file():
            return Video(path.read_bytes(), path.suffix, path.name)
    return Output(out.rstrip("\n"))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext scenes.notebook``: the %convviz and %convmath magics, and LaTeX for convmath's formulas."""
    namespace = ipython.user_ns

    def convviz(line: str) -> Any:
        return convviz_magic(line, namespace)

    def convmath(line: str) -> Any:
        return convmath_magic(line, namespace)

    convviz.__doc__, convmath.__doc__ = convviz_magic.__doc__, convmath_magic.__doc__
    ipython.register_magic_function(convviz, "line", "convviz")
    ipython.register_magic_function(convmath, "line", "convmath")
    ipython.display_formatter.formatters["text/latex"].for_type(Formula, formula_latex)
