"""Shape trace of a real ``nn.Module``: every step a tensor takes, modules and functional ops alike.

Two real mechanisms record the forward pass: forward hooks on every module, and a ``TorchFunctionMode``
that sees every torch function and tensor method (``flatten``, ``view``, ``chunk``, ``exp``, ``+``, ``*``,
``F.conv2d`` ...). Built-in ``torch.nn`` layers without children are recorded as one step (their inner
``F.*`` call is not repeated); a user's own modules are transparent, so their functional ops show.
Every conv step carries convmath's formula and predicted size, next to the size the op really produced.

>>> from convmath.models import build_model
>>> steps = shape_trace(build_model("vae"), (1, 1, 8, 8))
>>> [s.op for s in steps][:4]
['Conv2d', 'ReLU', 'Conv2d', 'ReLU']
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .arithmetic import ConvArithmeticError, output_padding_for
from .explain import Formula, explain_conv, explain_transposed

__all__ = ["Step", "Mismatch", "shape_trace", "check_mirror", "load_model", "format_table", "trace_json",
           "parse_shape", "trace_command"]

Shape = tuple[int, ...]

# Positional parameter names of the functional convs (torch.nn.functional signatures).
_CONV_ARGS = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
_TRANSPOSED_ARGS = ("input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation")
_CONV_FUNCTIONS = {f"conv{n}d" for n in (1, 2, 3)} | {f"conv_transpose{n}d" for n in (1, 2, 3)}
_FUNCTION_NAMES = {"__add__": "add", "__radd__": "add", "__sub__": "sub", "__rsub__": "sub", "__mul__": "mul",
                   "__rmul__": "mul", "__truediv__": "div", "__rtruediv__": "div", "__matmul__": "matmul",
                   "__pow__": "pow", "__neg__": "neg", "__getitem__": "getitem"}


@dataclass(frozen=True)
class Step:
    """One step of the trace. ``where`` is the module path (``""`` for the root model)."""

    index: int
    kind: str  # "module" or "function"
    op: str  # "Conv2d", "flatten", "exp", "mul" ...
    where: str
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    params: dict[str, Any] = field(default_factory=dict)
    formulas: tuple[Formula, ...] = ()  # conv steps: one per spatial axis
    predicted: Shape | None = None  # conv steps: convmath's spatial output size

    @property
    def output(self) -> Shape:
        return self.outputs[0]

    @property
    def is_conv(self) -> bool:
        return self.predicted is not None

    @property
    def transposed(self) -> bool:
        return "output_padding" in self.params

    @property
    def agrees(self) -> bool:
        """convmath's predicted size equals the real output's spatial size (True for non-conv steps)."""
        return self.predicted is None or self.predicted == self.spatial(self.output)

    def spatial(self, shape: Shape) -> Shape:
        """The spatial axes of a conv step's tensor shape (the last ones; batched or not)."""
        return shape[len(shape) - len(self.predicted or ()):]


@dataclass(frozen=True)
class Mismatch:
    """A transposed conv that does not return the size its mirrored encoder conv took in."""

    step: Step
    expected: Shape
    actual: Shape
    output_padding: tuple[int, ...] | None  # the fix, or None if output_padding cannot reach it
    message: str


def _shapes(value) -> tuple[Shape, ...]:
    """Shapes of the tensors in a value (tensor, tuple/list of tensors, dict values)."""
    if isinstance(value, torch.Tensor):
        return (tuple(value.shape),)
    if isinstance(value, (tuple, list)):
        return tuple(s for item in value for s in _shapes(item))
    if isinstance(value, dict):
        return _shapes(list(value.values()))
    return ()


def _plain(value):
    """A JSON-friendly parameter value (tensors are summarised by their shape)."""
    if isinstance(value, torch.Tensor):
        return f"tensor{list(value.shape)}"
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return repr(value)


def _pairs(value, n: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _conv_formulas(x: Shape, params: dict) -> tuple[tuple[Formula, ...], Shape]:
    """convmath's formula per spatial axis and its predicted size, for a conv with torch's parameters."""
    n = len(params["kernel_size"])
    size = tuple(x[-n:])
    kernel, stride, dilation = (_pairs(params[k], n) for k in ("kernel_size", "stride", "dilation"))
    padding = params["padding"] if isinstance(params["padding"], str) else _pairs(params["padding"], n)
    if "output_padding" in params:
        formulas = explain_transposed(size, kernel, stride, padding, dilation, _pairs(params["output_padding"], n))
    else:
        formulas = explain_conv(size, kernel, stride, padding, dilation)
    return formulas, tuple(f.value for f in formulas)


def _module_params(module: nn.Module) -> dict[str, Any]:
    if isinstance(module, nn.modules.conv._ConvNd):
        params = {"in_channels": module.in_channels, "out_channels": module.out_channels,
                  "kernel_size": module.kernel_size, "stride": module.stride, "padding": module.padding,
                  "dilation": module.dilation}
        if module.transposed:
            params["output_padding"] = module.output_padding
        if module.groups != 1:
            params["groups"] = module.groups
        return params
    if isinstance(module, nn.Linear):
        return {"in_features": module.in_features, "out_features": module.out_features}
    extra = module.extra_repr()
    return {"args": extra} if extra else {}


def _functional_conv_params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The parameters of an F.conv*d / F.conv_transpose*d call, named like the module's."""
    transposed = "transpose" in name
    bound = dict(zip(_TRANSPOSED_ARGS if transposed else _CONV_ARGS, args)) | kwargs
    weight, groups, padding = bound["weight"], bound.get("groups", 1), bound.get("padding", 0)
    n = weight.dim() - 2
    # weight layout: conv (out, in / groups, *kernel); transposed conv (in, out / groups, *kernel)
    first, second = weight.shape[0], weight.shape[1] * groups
    params = {"in_channels": first if transposed else second, "out_channels": second if transposed else first,
              "kernel_size": tuple(weight.shape[2:]), "stride": _pairs(bound.get("stride", 1), n),
              "padding": padding if isinstance(padding, str) else _pairs(padding, n),
              "dilation": _pairs(bound.get("dilation", 1), n)}
    if transposed:
        params["output_padding"] = _pairs(bound.get("output_padding", 0), n)
    return params


def _function_params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Conv calls: named parameters; other ops: their non-tensor arguments (tensors are the inputs)."""
    if name in _CONV_FUNCTIONS:
        return _functional_conv_params(name, args, kwargs)
    rest = [_plain(a) for a in args[1:] if not isinstance(a, torch.Tensor)]
    params = {"args": rest} if rest else {}
    return params | {k: _plain(v) for k, v in kwargs.items()}


def _opaque(module: nn.Module) -> bool:
    """A built-in torch.nn layer with no children: one step, its inner F.* calls hidden."""
    return type(module).__module__.startswith("torch.nn.") and not any(True for _ in module.children())


class _Recorder(TorchFunctionMode):
    """Records functional ops outside opaque modules, and opaque modules through their hooks."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.steps: list[Step] = []
        self.path: list[str] = []  # module names currently running
        self.opaque_depth = 0
        self.names = {module: name for name, module in model.named_modules()}

    def _add(self, kind: str, op: str, inputs, outputs, params: dict) -> None:
        in_shapes, out_shapes = _shapes(inputs), _shapes(outputs)
        formulas, predicted = (), None
        if "kernel_size" in params and in_shapes:
            formulas, predicted = _conv_formulas(in_shapes[0], params)
        where = self.path[-1] if self.path else ""
        self.steps.append(Step(len(self.steps), kind, op, where, in_shapes, out_shapes, params, formulas, predicted))

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        if self.opaque_depth == 0 and _shapes(result) and _shapes((args, kwargs)):
            name = getattr(func, "__name__", str(func))
            name = _FUNCTION_NAMES.get(name, name)
            self._add("function", name, [a for a in args if isinstance(a, torch.Tensor)] or args, result,
                      _function_params(name, args, kwargs))
        return result

    def pre_hook(self, module: nn.Module, args) -> None:
        self.path.append(self.names[module])
        self.opaque_depth += _opaque(module)

    def post_hook(self, module: nn.Module, args, output) -> None:
        self.path.pop()
        if _opaque(module):
            self.opaque_depth -= 1
            if self.opaque_depth == 0:
                self.path.append(self.names[module])
                self._add("module", type(module).__name__, args, output, _module_params(module))
                self.path.pop()


def shape_trace(model: nn.Module, input_shape: Sequence[int]) -> list[Step]:
    """Run ``model`` once on zeros of ``input_shape`` (no grad, eval mode, RNG untouched) and record each step.

    Raises ConvArithmeticError if the model refuses that input shape.
    """
    shape = tuple(int(n) for n in input_shape)
    if not shape or min(shape) < 1:
        raise ConvArithmeticError(f"input_shape={shape} is not allowed: give positive sizes like 1,1,28,28.")
    recorder = _Recorder(model)
    handles = []
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(recorder.pre_hook))
        handles.append(module.register_forward_hook(recorder.post_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.random.fork_rng(), torch.no_grad(), recorder:
            model(torch.zeros(shape))
    except ConvArithmeticError:
        raise
    except Exception as error:  # the user's model refusing the shape: one sentence, no traceback
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ConvArithmeticError(f"input_shape={shape} is refused by the model: {first}") from None
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return recorder.steps


def check_mirror(steps: Sequence[Step]) -> list[Mismatch]:
    """Transposed convs that do not give back the size their mirrored conv took in, with the output_padding fix.

    Only resizing layers pair up: the encoder's convs (before the first transposed conv) that change the
    spatial size, and the transposed convs that change it or have a stride. The last transposed conv mirrors
    the first such conv, the one before it the second, and so on. Each fix is computed for the input size the
    transposed conv gets once the decoder mirrors the encoder.
    """
    first_up = next((s.index for s in steps if s.is_conv and s.transposed), len(steps))
    convs = [s for s in steps[:first_up] if s.is_conv and s.spatial(s.inputs[0]) != s.predicted]
    transposed = [s for s in steps if s.is_conv and s.transposed
                  and (s.spatial(s.inputs[0]) != s.predicted or max(_pairs(s.params["stride"], 1)) > 1)]
    mismatches = []
    for conv, tconv in zip(convs, reversed(transposed)):
        expected, actual = conv.spatial(conv.inputs[0]), tconv.spatial(tconv.output)
        if expected == actual:
            continue
        p = tconv.params
        head = (f"step {tconv.index} ({_label(tconv)}) gives {_times(actual)} but mirrors step {conv.index} "
                f"({_label(conv)}), which took {_times(expected)}")
        try:
            fix = output_padding_for(expected, conv.spatial(conv.output), p["kernel_size"], p["stride"],
                                     p["padding"], p["dilation"])
            message = f"{head}: set output_padding={_compact(fix)}."
        except ConvArithmeticError as error:
            fix = None
            message = f"{head}, and output_padding cannot fix it: {error} Change its padding, kernel or stride."
        mismatches.append(Mismatch(tconv, expected, actual, fix, message))
    return sorted(mismatches, key=lambda m: m.step.index)


def _label(step: Step) -> str:
    return f"{step.op} {step.where}" if step.where else step.op


def _times(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def _compact(values: Sequence[int]):
    return values[0] if len(set(values)) == 1 else tuple(values)


def _params_text(step: Step) -> str:
    p = step.params
    if step.is_conv:
        keys = ("kernel_size", "stride", "padding", "dilation", "output_padding")
        short = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d", "output_padding": "a"}
        return " ".join(f"{short[k]}={_compact(p[k]) if isinstance(p[k], tuple) else p[k]}" for k in keys if k in p)
    if "in_features" in p:
        return f"{p['in_features']}→{p['out_features']}"
    return ", ".join(", ".join(map(str, v)) if k == "args" and isinstance(v, list) else str(v) if k == "args"
                     else f"{k}={v}" for k, v in p.items())


def _formula_text(step: Step) -> str:
    if not step.formulas:
        return ""
    texts = [f.substituted for f in step.formulas]
    text = texts[0] if len(set(texts)) == 1 else "; ".join(texts)
    return text if step.agrees else f"{text}  ≠ real {_times(step.spatial(step.output))}!"


def format_table(steps: Sequence[Step], mismatches: Sequence[Mismatch] = ()) -> str:
    """A plain-text table: #, where, op, input → output, parameters, convmath's formula."""
    rows = [("#", "where", "op", "input", "output", "params", "convmath")]
    for s in steps:
        rows.append((str(s.index), s.where or "(model)", s.op, ", ".join(_times(x) for x in s.inputs),
                     ", ".join(_times(x) for x in s.outputs), _params_text(s), _formula_text(s)))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths)) + "  " + r[-1] for r in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    if steps:
        lines.append(f"input {_times(steps[0].inputs[0])} → output {_times(steps[-1].output)}; "
                     f"{sum(s.is_conv for s in steps)} conv steps, convmath agrees on "
                     f"{sum(s.is_conv and s.agrees for s in steps)}.")
    lines += [f"MISMATCH: {m.message}" for m in mismatches]
    return "\n".join(line.rstrip() for line in lines)


def trace_json(steps: Sequence[Step], mismatches: Sequence[Mismatch] = ()) -> str:
    """The trace as JSON: steps (with formulas) and mismatches."""
    def step_dict(s: Step) -> dict:
        d = {"index": s.index, "kind": s.kind, "op": s.op, "where": s.where, "inputs": [list(x) for x in s.inputs],
             "outputs": [list(x) for x in s.outputs], "params": {k: _plain(v) for k, v in s.params.items()}}
        if s.is_conv:
            d |= {"predicted": list(s.predicted), "agrees": s.agrees,
                  "formulas": [{"text": f.text, "latex": f"{f.latex_symbolic} = {f.latex}"} for f in s.formulas]}
        return d

    return json.dumps({
        "steps": [step_dict(s) for s in steps],
        "mismatches": [{"step": m.step.index, "expected": list(m.expected), "actual": list(m.actual),
                        "output_padding": None if m.output_padding is None else list(m.output_padding),
                        "message": m.message} for m in mismatches],
    }, ensure_ascii=False)


def parse_shape(text: str) -> tuple[int, ...]:
    """'1,1,28,28' -> (1, 1, 28, 28)."""
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ConvArithmeticError(f"input_shape={text!r} is not a shape: give integers like 1,1,28,28.") from None
    if min(shape) < 1:
        raise ConvArithmeticError(f"input_shape={text!r} is not allowed: every size must be positive.")
    return shape


def load_model(target: str, input_shape: Sequence[int] | None = None) -> tuple[nn.Module, tuple[int, ...]]:
    """The model named by ``target`` and the input shape to trace it with.

    ``"ae"`` / ``"vae"``: the built-in models (untrained: shapes only), sized for ``input_shape``
    (default 1,1,8,8, the digits). ``"package.module:factory"``: ``factory()`` must return an nn.Module;
    ``input_shape`` is then required.
    """
    from .models import KINDS, build_model

    if target in KINDS:
        shape = tuple(input_shape) if input_shape else (1, 1, 8, 8)
        if len(shape) != 4 or shape[1] != 1:
            raise ConvArithmeticError(
                f"input_shape={shape} does not fit the built-in {target}: give N,1,H,W like 1,1,28,28."
            )
        return build_model(target, shape[2:]), shape
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ConvArithmeticError(f"model={target!r} is unknown: use 'ae', 'vae' or 'package.module:factory'.")
    if not input_shape:
        raise ConvArithmeticError(f"model={target!r} needs --input-shape, e.g. --input-shape 1,1,28,28.")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # so `convmath trace mymodel:build` finds ./mymodel.py
    try:
        factory: Callable = getattr(importlib.import_module(module_name), attr)
    except Exception as error:
        raise ConvArithmeticError(f"model={target!r} cannot be loaded: {error}.") from None
    try:
        model = factory if isinstance(factory, nn.Module) else factory()
    except Exception as error:
        raise ConvArithmeticError(f"model={target!r}: calling {attr}() failed: {error}.") from None
    if not isinstance(model, nn.Module):
        raise ConvArithmeticError(f"model={target!r} gave a {type(model).__name__}, not a torch.nn.Module.")
    return model, tuple(input_shape)


def trace_command(target: str, input_shape: str | None = None, as_json: bool = False) -> tuple[str, int]:
    """What `convmath trace` prints, and its exit status (1 if the decoder does not mirror the encoder)."""
    model, shape = load_model(target, parse_shape(input_shape) if input_shape else None)
    steps = shape_trace(model, shape)
    mismatches = check_mirror(steps)
    text = trace_json(steps, mismatches) if as_json else format_table(steps, mismatches)
    return text, 1 if mismatches else 0
