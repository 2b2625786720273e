"""Recording a real ``nn.Module``'s forward pass: every step a tensor takes, modules and functional ops alike.

Two real mechanisms record it: forward hooks on every module, and a ``TorchFunctionMode`` that sees every torch
function and tensor method (``flatten``, ``view``, ``cat``, ``+``, ``F.interpolate`` ...). Built-in ``torch.nn``
layers without children are one step (their inner ``F.*`` call is not repeated); a user's own modules are
transparent, so their functional ops show. Each step knows the steps its input tensors came from (``reads``), so
skip connections, ``cat`` and ``add`` are followed, and every size-changing step carries convmath's prediction.
A forward that raises keeps the steps before it and records the op that raised (:class:`FailedCall`).

>>> from convmath.models import build_model
>>> steps = shape_trace(build_model("vae"), (1, 1, 8, 8))
>>> [s.op for s in steps][:4]
['Conv2d', 'ReLU', 'Conv2d', 'ReLU']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from ..explain import Formula
from ..validate import ConvArithmeticError
from .predict import pairs, predict

__all__ = ["Step", "FailedCall", "Recording", "shape_trace", "record_forward", "plain", "Shape", "KERAS_NAMES",
           "keras_name", "first_line", "tensors_in"]

Shape = tuple[int, ...]
# torch parameter names -> the names Keras layers use for the same thing
KERAS_NAMES = {"kernel_size": ("pool_size",), "stride": ("strides",), "dilation": ("dilation_rate",),
               "out_channels": ("filters",)}


def keras_name(step_params: dict, name: str) -> str:
    """The name a Keras layer with these parameters uses for the torch parameter ``name``."""
    return next((k for k in KERAS_NAMES.get(name, ()) if k in step_params), name)

# Positional parameter names of functional ops (torch.nn.functional / torch signatures), the tensor first.
_ARGS = {
    **{f"conv{n}d": ("input", "weight", "bias", "stride", "padding", "dilation", "groups") for n in (1, 2, 3)},
    **{f"conv_transpose{n}d": ("input", "weight", "bias", "stride", "padding", "output_padding", "groups",
                               "dilation") for n in (1, 2, 3)},
    **{f"max_pool{n}d": ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode") for n in (1, 2, 3)},
    **{f"avg_pool{n}d": ("input", "kernel_size", "stride", "padding", "ceil_mode") for n in (1, 2, 3)},
    **{f"adaptive_{k}_pool{n}d": ("input", "output_size") for k in ("max", "avg") for n in (1, 2, 3)},
    "interpolate": ("input", "size", "scale_factor", "mode", "align_corners"),
    "pixel_shuffle": ("input", "upscale_factor"), "pixel_unshuffle": ("input", "downscale_factor"),
    "flatten": ("input", "start_dim", "end_dim"), "linear": ("input", "weight", "bias"),
    "pad": ("input", "pad", "mode", "value"),
    "cat": ("tensors", "dim"), "concat": ("tensors", "dim"), "stack": ("tensors", "dim"),
}
_FUNCTION_NAMES = {"__add__": "add", "__radd__": "add", "__iadd__": "add", "__sub__": "sub", "__rsub__": "sub",
                   "__mul__": "mul", "__rmul__": "mul", "__truediv__": "div", "__rtruediv__": "div",
                   "__matmul__": "matmul", "__pow__": "pow", "__neg__": "neg", "__getitem__": "getitem",
                   "concat": "cat", "concatenate": "cat"}


@dataclass(frozen=True)
class Step:
    """One step of the trace. ``where`` is the module path (``""`` for the root model); ``reads`` the index of
    the step each input tensor came from (-1: a model input, or a tensor made outside any step)."""

    index: int
    kind: str  # "module" or "function"
    op: str  # "Conv2d", "MaxPool2d", "interpolate", "cat", "view" ...
    where: str
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    params: dict[str, Any] = field(default_factory=dict)
    formulas: tuple[Formula, ...] = ()  # size-changing steps: one per predicted axis
    predicted: Shape | None = None  # convmath's sizes of the output's spatial axes
    reads: tuple[int, ...] = ()
    convention: str = "torch"  # "keras": a Keras layer, its parameters named as Keras names them
    channels_last: bool = False  # the spatial axes come before the channel axis (Keras' default)

    @property
    def output(self) -> Shape:
        return self.outputs[0]

    @property
    def is_conv(self) -> bool:
        return ("in_channels" in self.params or "filters" in self.params) and "kernel_size" in self.params

    @property
    def transposed(self) -> bool:
        return "output_padding" in self.params

    @property
    def agrees(self) -> bool:
        """convmath's predicted size equals the real output's (True for steps without a prediction)."""
        return self.predicted is None or self.predicted == self.spatial(self.output)

    def spatial(self, shape: Shape) -> Shape:
        """The axes of a tensor shape that this step predicts (the last ones, or the ones before the channel
        axis when channels come last; batched or not)."""
        end = len(shape) - 1 if self.channels_last else len(shape)
        return shape[end - len(self.predicted or ()):end]

    def param(self, name: str, default: Any = None) -> Any:
        """A parameter by its torch name (kernel_size, stride, padding, dilation, output_padding), also for a
        Keras layer, whose names differ (pool_size, strides, dilation_rate)."""
        for key in (name, *KERAS_NAMES.get(name, ())) if self.convention == "keras" else (name,):
            if key in self.params:
                return self.params[key]
        return default


@dataclass(frozen=True)
class FailedCall:
    """The op whose call raised: its name, module path, input shapes, the steps its inputs came from, its
    parameters and the error's first line."""

    op: str
    where: str
    inputs: tuple[Shape, ...]
    reads: tuple[int, ...]
    params: dict[str, Any]
    error: str


@dataclass
class Recording:
    """The steps of one forward pass, and the call that raised (None if it ran through)."""

    steps: list[Step]
    failed: FailedCall | None = None
    outputs: tuple[Shape, ...] = ()
    values: list[tuple[torch.Tensor, ...]] = field(default_factory=list)  # each step's outputs, when kept


def tensors_in(value) -> list[torch.Tensor]:
    """The tensors in a value (tensor, tuple/list of tensors, dict values), in order."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in tensors_in(item)]
    if isinstance(value, dict):
        return tensors_in(list(value.values()))
    return []


def plain(value):
    """A JSON-friendly parameter value (tensors are summarised by their shape)."""
    if isinstance(value, torch.Tensor):
        return f"tensor{list(value.shape)}"
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return repr(value)


def _module_params(module: nn.Module) -> dict[str, Any]:
    """The layer's parameters as fields: conv and linear sizes, else the attributes torch lists in
    ``__constants__`` (kernel_size, stride, scale_factor, start_dim ...)."""
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
    names = [n for n in getattr(type(module), "__constants__", []) if n not in ("name", "inplace")]
    return {n: getattr(module, n) for n in names if hasattr(module, n)}


def _conv_weight_params(name: str, bound: dict) -> dict[str, Any]:
    """An F.conv*d / F.conv_transpose*d call's parameters, named like the module's."""
    transposed = "transpose" in name
    weight, groups, padding = bound["weight"], bound.get("groups", 1), bound.get("padding", 0)
    n = weight.dim() - 2
    # weight layout: conv (out, in / groups, *kernel); transposed conv (in, out / groups, *kernel)
    first, second = weight.shape[0], weight.shape[1] * groups
    params = {"in_channels": first if transposed else second, "out_channels": second if transposed else first,
              "kernel_size": tuple(weight.shape[2:]), "stride": pairs(bound.get("stride", 1), n),
              "padding": padding if isinstance(padding, str) else pairs(padding, n),
              "dilation": pairs(bound.get("dilation", 1), n)}
    if transposed:
        params["output_padding"] = pairs(bound.get("output_padding", 0), n)
    return params


def _function_params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Named parameters of a known functional op; other ops: their non-tensor arguments."""
    names = _ARGS.get(name)
    if names is None:
        rest = [plain(a) for a in args[1:] if not isinstance(a, torch.Tensor)]
        return ({"args": rest} if rest else {}) | {k: plain(v) for k, v in kwargs.items()}
    bound = dict(zip(names, args)) | kwargs
    if name.startswith("conv"):
        return _conv_weight_params(name, bound)
    if name == "linear":
        return {"in_features": bound["weight"].shape[-1], "out_features": bound["weight"].shape[0]}
    return {k: plain(v) for k, v in bound.items() if k not in ("input", "tensors", "weight", "bias")}


def _opaque(module: nn.Module) -> bool:
    """A built-in torch.nn layer with no children: one step, its inner F.* calls hidden."""
    return type(module).__module__.startswith("torch.nn.") and not any(True for _ in module.children())


class _Recorder(TorchFunctionMode):
    """Records functional ops outside opaque modules, opaque modules through their hooks, and the call that
    raised; remembers which step made each tensor."""

    def __init__(self, model: nn.Module, keep: bool = False):
        super().__init__()
        self.keep = keep
        self.copying = False  # True while kept outputs are copied (those calls are not steps)
        self.values: list[tuple[torch.Tensor, ...]] = []
        self.steps: list[Step] = []
        self.path: list[str] = []  # module names currently running
        self.opaque: list[nn.Module] = []
        self.names = {module: name for name, module in model.named_modules()}
        self.made_by: dict[int, tuple[torch.Tensor, int]] = {}  # id(tensor) -> (tensor kept alive, step)
        self.failed: FailedCall | None = None
        self.outer_args: Any = ()  # the arguments of the outermost opaque module running

    def _reads(self, inputs) -> tuple[int, ...]:
        return tuple(self.made_by.get(id(t), (None, -1))[1] for t in tensors_in(inputs))

    def _add(self, kind: str, op: str, inputs, outputs, params: dict) -> None:
        in_shapes = tuple(tuple(t.shape) for t in tensors_in(inputs))
        out_tensors = tensors_in(outputs)
        formulas, predicted = predict(op, params, in_shapes)
        where = self.path[-1] if self.path else ""
        index = len(self.steps)
        self.steps.append(Step(index, kind, op, where, in_shapes, tuple(tuple(t.shape) for t in out_tensors),
                               params, formulas, predicted, self._reads(inputs)))
        for t in out_tensors:
            self.made_by[id(t)] = (t, index)
        if self.keep:  # copies: a later in-place op (ReLU(inplace=True)) must not change what was recorded
            self.copying = True
            self.values.append(tuple(t.detach().clone() for t in out_tensors))
            self.copying = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", str(func))
        name = _FUNCTION_NAMES.get(name, name)
        try:
            result = func(*args, **kwargs)
        except Exception as error:
            if self.failed is None:
                self._fail(name, args, kwargs, error)
            raise
        if not self.opaque and not self.copying and tensors_in(result) and tensors_in((args, kwargs)):
            self._add("function", name, [a for a in args if isinstance(a, (torch.Tensor, list, tuple))] or args,
                      result, _function_params(name, args, kwargs))
        return result

    def _fail(self, name: str, args: tuple, kwargs: dict, error: Exception) -> None:
        """Remember the innermost call that raised: the opaque module around it if any, else the function."""
        first = first_line(error)
        if self.opaque:
            module = self.opaque[0]
            inputs = self.outer_args
            self.failed = FailedCall(type(module).__name__, self.names[module], tuple(tuple(t.shape) for t in
                                     tensors_in(inputs)), self._reads(inputs), _module_params(module), first)
            return
        tensors = [a for a in args if isinstance(a, (torch.Tensor, list, tuple))]
        self.failed = FailedCall(name, self.path[-1] if self.path else "", tuple(tuple(t.shape) for t in
                                 tensors_in(tensors)), self._reads(tensors), _function_params(name, args, kwargs),
                                 first)

    def pre_hook(self, module: nn.Module, args) -> None:
        self.path.append(self.names[module])
        if _opaque(module):
            if not self.opaque:
                self.outer_args = args
            self.opaque.append(module)

    def post_hook(self, module: nn.Module, args, output) -> None:
        self.path.pop()
        if _opaque(module):
            self.opaque.pop()
            if not self.opaque:
                self.path.append(self.names[module])
                self._add("module", type(module).__name__, args, output, _module_params(module))
                self.path.pop()

    def unwind(self) -> None:
        """After a raise, hooks did not run: forget the modules that were running."""
        self.path.clear()
        self.opaque.clear()


def first_line(error: BaseException) -> str:
    """An exception's message, first line (its type's name if empty); for an error Keras wrapped
    ("Exception encountered when calling ..."), the message of the error it wraps."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Exception encountered when calling") and len(lines) > 1:
        lines = lines[1:]
    return re.sub(r"\x1b\[[0-9;]*m", "", lines[0]) if lines else type(error).__name__


def _input_tensors(shapes: Sequence[Sequence[int]]) -> list[torch.Tensor]:
    checked = []
    for shape in shapes:
        shape = tuple(int(n) for n in shape)
        if not shape or min(shape) < 1:
            raise ConvArithmeticError(f"input_shape={shape} is not allowed: give positive sizes like 1,1,28,28.")
        checked.append(torch.zeros(shape))
    return checked


def record_forward(model: nn.Module, input_shapes: Sequence[Sequence[int]],
                   values: Sequence[torch.Tensor] | None = None) -> Recording:
    """Run ``model`` once on zeros of each input shape (no grad, eval mode, RNG untouched) and record each step;
    a forward that raises keeps the steps before it and the call that raised. A Keras 3 model (torch backend)
    is recorded as its layers (:mod:`.keras_layers`).

    ``values``: real input tensors (one per shape, of that shape) to run instead of zeros; the recording then
    keeps a copy of every step's outputs in ``Recording.values`` (what :mod:`convmath.activations` shows;
    torch models only for now)."""
    inputs = _input_tensors(input_shapes)
    if values is not None:
        if [tuple(v.shape) for v in values] != [tuple(t.shape) for t in inputs]:
            raise ConvArithmeticError(f"values of shapes {[tuple(v.shape) for v in values]} do not match "
                                      f"input_shapes {[tuple(t.shape) for t in inputs]}.")
        inputs = [v.detach().clone() for v in values]
    from .keras_layers import is_keras_model, record_keras

    if is_keras_model(model):
        return record_keras(model, inputs)
    recorder = _Recorder(model, keep=values is not None)
    handles = []
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(recorder.pre_hook))
        handles.append(module.register_forward_hook(recorder.post_hook))
    was_training = model.training
    model.eval()
    outputs: tuple[Shape, ...] = ()
    try:
        with torch.random.fork_rng(), torch.no_grad(), recorder:
            outputs = tuple(tuple(t.shape) for t in tensors_in(model(*inputs)))
    except Exception as error:  # the user's model refusing the shape: kept as the failure
        recorder.unwind()
        if recorder.failed is None:
            recorder.failed = FailedCall(type(error).__name__, "", (), (), {}, first_line(error))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return Recording(recorder.steps, recorder.failed, outputs, recorder.values)


def shape_trace(model: nn.Module, input_shape: Sequence[int]) -> list[Step]:
    """The steps of ``model`` run once on zeros of ``input_shape``.

    Raises ConvArithmeticError if the model refuses that input shape (``convmath.shapes.trace_model`` keeps
    the steps before the failure and explains it).
    """
    recording = record_forward(model, [input_shape])
    if recording.failed is not None:
        shape = tuple(int(n) for n in input_shape)
        raise ConvArithmeticError(f"input_shape={shape} is refused by the model: {recording.failed.error}")
    return recording.steps
