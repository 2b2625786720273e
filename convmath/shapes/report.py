"""The trace of a model as a whole: the steps, the mirror and batch checks, a failure explained; as a table
(fits 120 columns) or JSON (``convmath trace --json``, a contract), and the model loading behind the command."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from torch import nn

from ..validate import ConvArithmeticError
from .failure import Failure, explain_failure
from .keras_build import FailedBuild, build_watched
from .keras_layers import is_keras_model, keras_input_shapes
from .mirror import Mismatch, check_batch, check_mirror, times
from .record import Shape, Step, plain, record_forward
from .views import explain_build_refusal
from .whole import check_output

__all__ = ["Trace", "trace_model", "format_table", "trace_json", "parse_shape", "load_model", "trace_command"]

WIDTH = 120


@dataclass(frozen=True)
class Trace:
    """Steps, shape problems of a model that runs (``mismatches``), and the failure of one that does not."""

    steps: list[Step]
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    mismatches: list[Mismatch]
    failure: Failure | None

    @property
    def clean(self) -> bool:
        return not self.mismatches and self.failure is None


def trace_model(model: nn.Module, *input_shapes: Sequence[int]) -> Trace:
    """Trace ``model`` on zeros of each input shape; check the result, or explain the failure."""
    shapes = tuple(tuple(int(n) for n in s) for s in input_shapes)
    recording = record_forward(model, shapes)
    if recording.failed is not None:
        return Trace(recording.steps, shapes, (), [], explain_failure(recording.steps, recording.failed))
    mismatches = check_mirror(recording.steps) + check_batch(recording.steps, shapes, recording.outputs)
    mismatches += check_output(recording.steps, shapes, recording.outputs, mismatches)
    return Trace(recording.steps, shapes, recording.outputs, mismatches, None)


def _compact(values):
    return values[0] if isinstance(values, (tuple, list)) and len(set(values)) == 1 and values else values


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _params_text(step: Step) -> str:
    p = step.params
    short = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d", "output_padding": "a",
             "scale_factor": "×", "ceil_mode": "ceil", "upscale_factor": "r", "downscale_factor": "r",
             "pool_size": "k", "strides": "s", "dilation_rate": "d"}
    if step.convention == "keras":  # defaults and channel counts left out, as for torch
        p = {k: v for k, v in p.items() if k not in ("filters", "data_format", "groups") and
             not (k == "dilation_rate" and set(_as_tuple(v)) == {1}) and not (k == "interpolation" and
                                                                              v == "nearest")}
        if step.op.startswith("UpSampling"):
            short = short | {"size": "×"}
    if "in_features" in p:
        return f"{p['in_features']}→{p['out_features']}"
    parts = []
    for k, v in p.items():
        if k in ("in_channels", "out_channels", "return_indices", "count_include_pad", "divisor_override",
                 "align_corners", "recompute_scale_factor", "antialias") or v is None or v is False:
            continue
        v = _compact(v)
        parts.append(f"{short.get(k, k)}={v}" if k != "args" else ", ".join(map(str, v if isinstance(v, list)
                                                                              else [v])))
    return " ".join(parts)


def _formula_text(step: Step) -> str:
    if not step.formulas:
        return ""
    texts = [f.substituted for f in step.formulas]
    text = texts[0] if len(set(texts)) == 1 else "; ".join(texts)
    return text if step.agrees else f"{text}  ≠ real {times(step.spatial(step.output))}!"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def format_table(trace: Trace) -> str:
    """A plain-text table: #, where, op, input → output, parameters, convmath's formula; then the problems."""
    rows = [("#", "where", "op", "input", "output", "params", "convmath")]
    for s in trace.steps:
        rows.append((str(s.index), _cut(s.where or "(model)", 18), _cut(s.op, 18),
                     _cut(", ".join(times(x) for x in s.inputs), 24), _cut(", ".join(times(x) for x in s.outputs), 16),
                     _cut(_params_text(s), 22), _formula_text(s)))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]) - 1)]
    used = sum(widths) + 2 * len(widths)
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths)) + "  " + _cut(r[-1], WIDTH - used)
             for r in rows]
    lines.insert(1, "-" * min(WIDTH, max(len(line) for line in lines)))
    predicted = [s for s in trace.steps if s.predicted is not None]
    if trace.steps and trace.failure is None:
        lines.append(f"input {', '.join(times(x) for x in trace.inputs)} → output "
                     f"{', '.join(times(x) for x in trace.outputs)}; {len(predicted)} size-changing steps, convmath "
                     f"agrees on {sum(s.agrees for s in predicted)}.")
    lines += [f"{'MISMATCH' if m.kind == 'mirror' else m.kind.upper()}: {m.message}" for m in trace.mismatches]
    if trace.failure is not None:
        lines.append(f"FAILED after step {len(trace.steps) - 1}: {trace.failure.message}")
    return "\n".join(line.rstrip() for line in lines)


def _step_dict(s: Step) -> dict:
    d = {"index": s.index, "kind": s.kind, "op": s.op, "where": s.where, "inputs": [list(x) for x in s.inputs],
         "outputs": [list(x) for x in s.outputs], "params": {k: plain(v) for k, v in s.params.items()},
         "reads": list(s.reads)}
    if s.predicted is not None:
        d |= {"predicted": list(s.predicted), "agrees": s.agrees,
              "formulas": [{"text": f.text, "latex": f"{f.latex_symbolic} = {f.latex}"} for f in s.formulas]}
    return d


def trace_json(trace: Trace) -> str:
    """The trace as JSON: steps (with predictions and formulas), mismatches, failure (null if none)."""
    f = trace.failure
    failure = None if f is None else {
        "op": f.op, "where": f.where, "inputs": [list(x) for x in f.inputs], "reads": list(f.reads),
        "error": f.error, "message": f.message, "fix": {k: plain(v) for k, v in f.fix.items()},
        "fix_step": f.fix_step, "fix_where": f.fix_where}
    return json.dumps({
        "steps": [_step_dict(s) for s in trace.steps],
        "inputs": [list(x) for x in trace.inputs], "outputs": [list(x) for x in trace.outputs],
        "mismatches": [{"step": m.step.index, "where": m.step.where, "kind": m.kind, "expected": list(m.expected),
                        "actual": list(m.actual),
                        "output_padding": None if m.output_padding is None else list(m.output_padding),
                        "fix": {k: plain(v) for k, v in m.fix.items()}, "after": list(m.after),
                        "message": m.message} for m in trace.mismatches],
        "failure": failure,
        "convention": trace.steps[0].convention if trace.steps else "torch",
    }, ensure_ascii=False)


def parse_shape(text: str) -> tuple[int, ...]:
    """'1,1,28,28' -> (1, 1, 28, 28)."""
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ConvArithmeticError(f"--input-shape {text} is not a shape: give integers like 1,1,28,28.") from None
    if min(shape) < 1:
        raise ConvArithmeticError(f"--input-shape {text} is not allowed: every size must be positive.")
    return shape


def _import_target(target: str, module_name: str) -> Any:
    """The module named ``module_name`` (importable from the current folder) or the file ``module_name``."""
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise ConvArithmeticError(f"model={target!r}: there is no file {module_name}.")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.parent.resolve()))
        spec.loader.exec_module(module)
        return module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # so `convmath trace mymodel:build` finds ./mymodel.py
    return importlib.import_module(module_name)


def _factory(target: str) -> Callable:
    module_name, sep, attr = target.rpartition(":")
    if not sep or not module_name or not attr:
        raise ConvArithmeticError(f"model={target!r} is unknown: use 'ae', 'vae', 'cvae', 'package.module:factory' or "
                                  "'path/to/file.py:factory'.")
    try:
        module = _import_target(target, module_name)
    except ConvArithmeticError:
        raise
    except Exception as error:
        raise ConvArithmeticError(f"model={target!r} cannot be loaded: {type(error).__name__}: {error}."
                                  f"{_keras_hint(error)}") from None
    if not hasattr(module, attr):
        raise ConvArithmeticError(f"model={target!r}: {module_name} has no {attr}.")
    return getattr(module, attr)


def _keras_hint(error: Exception) -> str:
    missing = isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] == "keras"
    return " Install Keras 3 with: pip install 'convviz[keras]' (convmath runs it on torch)." if missing else ""


def _call_factory(target: str) -> Any:
    """The factory's model (Keras targets run on the torch backend unless KERAS_BACKEND says otherwise); a
    :class:`.keras_build.FailedBuild` when a Keras layer refused its inputs while the factory built the model."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    factory = _factory(target)
    try:
        model = factory if isinstance(factory, nn.Module) else build_watched(factory)
    except Exception as error:
        raise ConvArithmeticError(f"model={target!r}: calling {target.rpartition(':')[2]}() failed: "
                                  f"{type(error).__name__}: {explain_build_refusal(error).rstrip('.')}."
                                  f"{_keras_hint(error)}") from None
    if not isinstance(model, (nn.Module, FailedBuild)):
        backend = " (Keras models need KERAS_BACKEND=torch)" if is_keras_model(model) else ""
        raise ConvArithmeticError(f"model={target!r} gave a {type(model).__name__}, not a torch.nn.Module or "
                                  f"a Keras 3 model{backend}.")
    return model


def load_model(target: str, input_shape: Sequence[int] | None = None) -> tuple[nn.Module | FailedBuild,
                                                                             tuple[int, ...]]:
    """The model named by ``target`` and the input shape to trace it with.

    ``"ae"`` / ``"vae"``: the built-in models (untrained: shapes only), sized for ``input_shape`` (default
    1,1,8,8). ``"module:factory"`` or ``"path/to/file.py:factory"``: ``factory()`` must return an nn.Module or
    a Keras 3 model (torch backend); ``input_shape`` is required unless a Keras model declares its input shape.
    A Keras factory whose layer refuses while it builds gives a :class:`.keras_build.FailedBuild`, which traces
    like a model whose forward fails.
    """
    from ..models import KINDS, build_model

    if target in KINDS:
        shape = tuple(input_shape) if input_shape else (1, 1, 8, 8)
        if len(shape) != 4 or shape[1] != 1:
            raise ConvArithmeticError(f"input_shape={shape} does not fit the built-in {target}: give N,1,H,W "
                                      "like 1,1,28,28.")
        return build_model(target, shape[2:]), shape
    model = _call_factory(target)
    if input_shape:
        return model, tuple(input_shape)
    declared = keras_input_shapes(model) if is_keras_model(model) else None
    if not declared:
        raise ConvArithmeticError(f"model={target!r} needs --input-shape, e.g. --input-shape 1,1,28,28"
                                  f"{' (channels last for Keras: 1,28,28,1)' if is_keras_model(model) else ''}.")
    return model, declared[0]


def trace_command(target: str, input_shapes: Sequence[str] | str | None = None,
                  as_json: bool = False) -> tuple[str, int]:
    """What `convmath trace` prints, and its exit status: 0 clean, 1 a shape problem (explained)."""
    if isinstance(input_shapes, str):
        input_shapes = [input_shapes]
    shapes = [parse_shape(s) for s in input_shapes or ()]
    model, first = load_model(target, shapes[0] if shapes else None)
    if not shapes and is_keras_model(model):
        shapes = keras_input_shapes(model) or [first]
    trace = trace_model(model, first, *shapes[1:])
    return (trace_json(trace) if as_json else format_table(trace)), 0 if trace.clean else 1
