"""Recording a Keras 3 model (torch backend) as its layers: Conv2D, MaxPooling2D, UpSampling2D, Concatenate ...

Keras runs every layer through ``Layer.__call__`` and every graph operation (``x + y`` in a functional model)
through ``Operation.__call__``; for the one forward pass both are wrapped, and the outermost built-in layer is
one step (the backend ops inside it are not recorded), while models and a user's layers that hold layers are
transparent. Steps are channels-last as the layers see them, with Keras' parameter names and formulas. A layer
that raises (its input check, its build or its call) is the failure, with the steps before it kept. The run
Keras makes to build a layer that has no ``build()`` (a subclassed model) is not recorded: each step shows once.
A model whose factory failed while it built the graph is recorded through :mod:`.keras_build`.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import torch

from ..validate import ConvArithmeticError
from .keras_predict import keras_params, keras_predict
from .record import FailedCall, Recording, Step, first_line, tensors_in

__all__ = ["is_keras_model", "record_keras", "keras_input_shapes", "opaque_layer", "patched", "call_patches"]


def is_keras_model(model: Any) -> bool:
    """A Keras 3 model or layer (any class from the ``keras`` package in its bases), or a Keras model whose build
    failed (:class:`.keras_build.FailedBuild`)."""
    from .keras_build import FailedBuild

    return isinstance(model, FailedBuild) or any(c.__module__.split(".")[0] == "keras" for c in type(model).__mro__)


def _check_backend() -> None:
    import keras

    if keras.backend.backend() != "torch":
        raise ConvArithmeticError(f"KERAS_BACKEND={keras.backend.backend()!r} is not supported: set "
                                  "KERAS_BACKEND=torch before Keras is imported (convmath traces Keras on torch).")


def keras_input_shapes(model: Any) -> list[tuple[int, ...]] | None:
    """The model's declared input shapes with batch 1, or None if an axis other than the batch is not fixed."""
    try:
        inputs = list(model.inputs)
    except (AttributeError, ValueError):
        return None
    shapes = [(1, *tuple(x.shape)[1:]) for x in inputs]
    return shapes if shapes and all(n is not None for s in shapes for n in s) else None


def opaque_layer(layer: Any) -> bool:
    """One step: a built-in Keras layer that is not a model, or any layer that holds no layers."""
    from keras import Model

    builtin = type(layer).__module__.split(".")[0] == "keras" and not isinstance(layer, Model)
    return builtin or not getattr(layer, "_layers", [])


def _built_size(layer: Any) -> dict[str, int]:
    """``{"input_dim": n}`` for a built Dense (the input size its kernel was made for), else {}."""
    kernel = getattr(layer, "kernel", None) if type(layer).__name__ == "Dense" and layer.built else None
    return {"input_dim": int(kernel.shape[0])} if kernel is not None and len(kernel.shape) == 2 else {}


class _KerasRecorder:
    """Records the outermost opaque layer calls and graph operations; remembers which step made each tensor."""

    def __init__(self, model: Any, keep: bool = False):
        self.model = model
        self.keep = keep
        self.values: list[tuple[torch.Tensor, ...]] = []
        self.steps: list[Step] = []
        self.path: list[str] = []
        self.inside = 0  # opaque layers currently running
        self.muted = 0  # inside Keras' build-by-running (not steps)
        self.made_by: dict[int, tuple[torch.Tensor, int]] = {}
        self.failed: FailedCall | None = None

    def _reads(self, inputs) -> tuple[int, ...]:
        return tuple(self.made_by.get(id(t), (None, -1))[1] for t in tensors_in(inputs))

    def _where(self, layer: Any) -> str:
        return "/".join([*self.path, layer.name])

    def _add(self, layer: Any, inputs, outputs) -> None:
        op = type(layer).__name__
        params = keras_params(layer)
        flat = op in ("Dense", "Flatten", "Reshape") or (op.startswith("Global") and not params.get("keepdims"))
        channels_last = params.get("data_format", "channels_last") == "channels_last" and not flat
        in_shapes = tuple(tuple(t.shape) for t in tensors_in(inputs))
        formulas, predicted = keras_predict(op, params, in_shapes, channels_last)
        index = len(self.steps)
        out = tensors_in(outputs)
        self.steps.append(Step(index, "layer", op, self._where(layer), in_shapes, tuple(tuple(t.shape) for t in out),
                               params, formulas, predicted, self._reads(inputs), "keras", channels_last))
        for t in out:
            self.made_by[id(t)] = (t, index)
        if self.keep:
            self.values.append(tuple(t.detach().clone() for t in out))

    def call(self, original, layer: Any, args: tuple, kwargs: dict):
        """Run one layer or operation call, recording it if it is the outermost opaque one."""
        if self.inside or self.muted:
            return original(layer, *args, **kwargs)
        opaque = opaque_layer(layer)
        nested = not opaque and layer is not self.model
        self.inside += opaque
        self.path += [layer.name] if nested else []
        try:
            result = original(layer, *args, **kwargs)
        except Exception as error:
            if opaque and self.failed is None:
                self.failed = FailedCall(type(layer).__name__, self._where(layer), tuple(
                    tuple(t.shape) for t in tensors_in(args)), self._reads(args), keras_params(layer) |
                    _built_size(layer), first_line(error))
            raise
        finally:
            self.inside -= opaque
            self.path = self.path[:-1] if nested else self.path
        if opaque:
            self._add(layer, args, result)
        return result


Patch = tuple[Any, str, Callable[[Callable], Callable]]  # (owner, attribute, wrap(original) -> replacement)


@contextmanager
def patched(patches: Sequence[Patch]) -> Iterator[None]:
    """Each ``owner.attribute`` replaced by ``wrap(original)`` inside; the originals restored after, also on error."""
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    try:
        for (owner, name, wrap), (_, _, original) in zip(patches, originals):
            setattr(owner, name, wrap(original))
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def call_patches(recorder: Any) -> list[Patch]:
    """``Layer.__call__`` and ``Operation.__call__`` sent through ``recorder.call(original, layer, args, kwargs)``
    (a layer's own ``Operation.__call__``, inside its ``Layer.__call__``, is not sent twice)."""
    from keras.src.layers.layer import Layer
    from keras.src.ops.operation import Operation

    def on_layer(original: Callable) -> Callable:
        return lambda layer, *args, **kwargs: recorder.call(original, layer, args, kwargs)

    def on_operation(original: Callable) -> Callable:
        def call(op, *args, **kwargs):
            if isinstance(op, Layer):
                return original(op, *args, **kwargs)
            return recorder.call(original, op, args, kwargs)
        return call

    return [(Layer, "__call__", on_layer), (Operation, "__call__", on_operation)]


def _muted(recorder: _KerasRecorder) -> Patch:
    """Keras builds a layer without a ``build()`` (a subclassed model) by running its ``call`` once more through
    ``backend.compute_output_spec``: those calls are not steps."""
    from keras.src import backend

    def wrap(original: Callable) -> Callable:
        def quiet(*args, **kwargs):
            recorder.muted += 1
            try:
                return original(*args, **kwargs)
            finally:
                recorder.muted -= 1
        return quiet

    return backend, "compute_output_spec", wrap


def record_keras(model: Any, inputs: Sequence[torch.Tensor], keep: bool = False) -> Recording:
    """Run the Keras model once on the input tensors (channels-last as Keras expects) and record its layers; a
    forward that raises keeps the steps before it and the layer that raised. ``keep``: also keep a copy of
    every step's outputs (``Recording.values``)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    _check_backend()
    from .keras_build import FailedBuild

    recorder = _KerasRecorder(model.partial if isinstance(model, FailedBuild) else model, keep)
    outputs: tuple[tuple[int, ...], ...] = ()
    try:
        with patched([*call_patches(recorder), _muted(recorder)]), torch.random.fork_rng(), torch.no_grad():
            result = model(inputs[0] if len(inputs) == 1 else list(inputs))
        outputs = tuple(tuple(t.shape) for t in tensors_in(result))
    except Exception as error:  # the model refusing the shape: kept as the failure
        if recorder.failed is None:
            recorder.failed = FailedCall(type(error).__name__, "", (), (), {}, first_line(error))
    return Recording(recorder.steps, recorder.failed, outputs, recorder.values)
