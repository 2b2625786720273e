"""Replaying a traced chain of steps on another input size with convmath's formulas: which model input would
give a layer the size it wants (the input a Linear / Dense fed the wrong flattened size was built for).
"""

from __future__ import annotations

import math
from typing import Sequence

from ..validate import ConvArithmeticError
from .keras_predict import keras_predict
from .predict import predict
from .record import Shape, Step

__all__ = ["chain_to", "replay", "fitting_input"]


def chain_to(steps: Sequence[Step], index: int) -> list[Step] | None:
    """The steps from the model's input to step ``index``, each reading the one before; None if the path
    starts anywhere else or passes a step that reads several tensors."""
    chain = []
    while index >= 0:
        step = steps[index]
        if len(step.reads) != 1:
            return None
        chain.append(step)
        index = step.reads[0]
    return chain[::-1] if chain else None


def _step_on(step: Step, shape: Shape) -> Shape | None:
    """The output shape ``step`` would give for input ``shape``: its formula, or the input if it keeps sizes."""
    if step.predicted is None:
        return shape if step.inputs[0] == step.output else None
    try:
        if step.convention == "keras":
            _, predicted = keras_predict(step.op, step.params, [shape], step.channels_last)
        else:
            _, predicted = predict(step.op, step.params, [shape])
    except ConvArithmeticError:  # the input is too small for a kernel on the way
        return None
    if predicted is None:
        return None
    if step.op in ("Flatten", "flatten"):  # the flattened axes take the new shape's product
        return (shape[0], *predicted) if len(step.output) == 1 + len(predicted) else None
    if len(step.output) != len(step.inputs[0]):
        return None
    out = list(step.output)
    end = len(out) - 1 if step.channels_last else len(out)
    out[end - len(predicted):end] = predicted
    return (shape[0], *out[1:])


def replay(chain: Sequence[Step], shape: Shape) -> Shape | None:
    """The chain's output shape for a model input of ``shape``, by convmath's formulas; None if a step refuses."""
    for step in chain:
        shape = _step_on(step, shape)
        if shape is None:
            return None
    return shape


def fitting_input(steps: Sequence[Step], index: int, want: int) -> Shape | None:
    """The model input (square spatial axes, closest to the traced one) for which step ``index`` gives
    ``want`` values per sample; None if the chain cannot be replayed or no size up to four times the traced
    one fits."""
    chain = chain_to(steps, index)
    if chain is None:
        return None
    first = chain[0]
    shape = first.inputs[0]
    axes = range(1, len(shape) - 1) if first.channels_last else range(2, len(shape))
    sides = {shape[a] for a in axes}
    if len(sides) != 1:
        return None
    side = sides.pop()
    for v in sorted(range(1, 4 * side + 8), key=lambda v: (abs(v - side), v)):
        candidate = tuple(v if a in axes else n for a, n in enumerate(shape))
        out = replay(chain, candidate)
        if out is not None and math.prod(out[1:]) == want:
            return candidate
    return None
