"""A Keras model whose factory raises while it builds the functional graph: Keras checks shapes when a layer is
first called on symbolic tensors, so a U-Net whose ``Concatenate`` inputs do not meet fails inside the user's
own factory, before any model exists.

While the factory runs, ``Layer.__call__``, ``Operation.__call__`` and ``Operation.symbolic_call`` (``x + y`` on
symbolic tensors) are wrapped (restored afterwards); the outermost built-in layer or graph operation whose call
raised is kept with its symbolic inputs. The graph up to those inputs is a valid model (:class:`FailedBuild`'s
``partial``); calling it and then the failing layer again on real tensors gives the same trace as a forward
that fails: the steps before the layer, and the layer's refusal with its input shapes and config, explained by
:mod:`.failure` like any other failure.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable

from .keras_layers import call_patches, opaque_layer, patched

__all__ = ["FailedBuild", "build_watched"]


@dataclass
class FailedBuild:
    """The model up to the layer that refused (``partial``: its outputs are the layer's inputs), the layer and
    the call that raised (``args`` / ``kwargs`` hold the symbolic tensors), and the error. Calling it runs the
    partial model and then the layer on the real outputs (which raises again, as the layer refuses them)."""

    partial: Any
    layer: Any
    args: tuple
    kwargs: dict
    error: BaseException

    @property
    def inputs(self) -> list:
        return self.partial.inputs

    def __call__(self, inputs: Any) -> Any:
        from keras import tree
        from keras.src.backend.common.keras_tensor import KerasTensor

        outputs = self.partial(inputs)
        real = iter(outputs if isinstance(outputs, list) else [outputs])
        args, kwargs = tree.map_structure(lambda v: next(real) if isinstance(v, KerasTensor) else v,
                                          (self.args, self.kwargs))
        self.layer(*args, **kwargs)
        raise self.error  # the layer accepted the real tensors: the build still failed


class _BuildWatch:
    """Keeps the outermost built-in layer (or graph operation) call that raised while the factory ran, and the
    order in which the factory first fed each symbolic tensor to a layer."""

    def __init__(self):
        self.inside = 0
        self.failed: tuple[Any, tuple, dict, BaseException] | None = None
        self.order: dict[int, int] = {}  # id(symbolic tensor) -> when it was first fed to a layer

    def call(self, original: Callable, layer: Any, args: tuple, kwargs: dict) -> Any:
        opaque = opaque_layer(layer)
        if not self.inside:
            for t in _symbolic((args, kwargs)):
                self.order.setdefault(id(t), len(self.order))
        self.inside += opaque
        try:
            return original(layer, *args, **kwargs)
        except Exception as error:
            if opaque and self.inside == 1:
                self.failed = (layer, args, kwargs, error)
            raise
        finally:
            self.inside -= opaque


def _symbolic(value: Any) -> list:
    """The Keras symbolic tensors in a nested structure, in order."""
    from keras import tree
    from keras.src.backend.common.keras_tensor import KerasTensor

    return [v for v in tree.flatten(value) if isinstance(v, KerasTensor)]


def _graph_inputs(tensors: list) -> list | None:
    """The ``keras.Input`` tensors that ``tensors`` are computed from; None if one of them is not part of a
    functional graph."""
    from keras.src.layers.core.input_layer import InputLayer

    found, stack, seen = [], list(tensors), set()
    while stack:
        t = stack.pop()
        history = getattr(t, "_keras_history", None)
        if history is None:
            return None
        if id(t) in seen:
            continue
        seen.add(id(t))
        operation = history.operation
        if isinstance(operation, InputLayer):
            found.append(t)
        else:
            stack.extend(operation._inbound_nodes[history.node_index].input_tensors)
    return found


def _failed_build(watch: _BuildWatch, error: BaseException) -> FailedBuild | None:
    """The model up to the symbolic inputs of the layer that raised ``error``, or None if no layer did, or its
    inputs have unknown sizes or do not come from ``keras.Input`` tensors."""
    import keras

    if watch.failed is None or (watch.failed[3] is not error and str(watch.failed[3]) != str(error)):
        return None
    layer, args, kwargs, _ = watch.failed
    tensors = _symbolic((args, kwargs))
    if not tensors or any(n is None for t in tensors for n in t.shape[1:]):
        return None  # a size known only when the model runs (keras.Input((None, None, 1))): nothing to trace
    inputs = _graph_inputs(tensors)
    if not inputs:
        return None
    inputs.sort(key=lambda t: watch.order.get(id(t), len(watch.order)))
    try:
        partial = keras.Model(inputs, tensors)
    except Exception:  # not a graph Keras can make a model of: the factory's error stands
        return None
    return FailedBuild(partial, layer, args, kwargs, error)


def build_watched(factory: Callable[[], Any]) -> Any:
    """``factory()``; if Keras is loaded and a Keras layer refuses its inputs while the model is built, a
    :class:`FailedBuild` instead of the error (any other error propagates)."""
    if "keras" not in sys.modules:
        return factory()
    from keras.src.ops.operation import Operation

    watch = _BuildWatch()

    def on_symbolic(original: Callable) -> Callable:  # `x + y` on symbolic tensors: keras.ops calls only this
        return lambda op, *args, **kwargs: watch.call(original, op, args, kwargs)

    try:
        with patched([*call_patches(watch), (Operation, "symbolic_call", on_symbolic)]):
            return factory()
    except Exception as error:
        failed = _failed_build(watch, error)
        if failed is None:
            raise
        return failed
