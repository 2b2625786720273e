"""A forward that fails on a shape, explained in convmath's terms: which layer made the size that does not fit,
and the value that makes it fit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..arithmetic import conv_output_size
from ..validate import ConvArithmeticError
from .fixes import UP_OPS, fix_for, fix_text, resizes
from .keras_predict import spatial_of
from .mirror import label, times
from .record import FailedCall, Shape, Step
from .replay import chain_to, fitting_input
from .views import explain_reshape, explain_view

__all__ = ["Failure", "explain_failure", "shuffle_channels"]

_JOIN = {"cat", "stack", "add", "sub", "mul", "div", "Concatenate", "Add", "Subtract", "Multiply", "Average",
         "Maximum", "Minimum"}


@dataclass(frozen=True)
class Failure:
    """The op that raised, the explanation, and the fix: ``fix`` set on step ``fix_step`` (at ``fix_where``)."""

    op: str
    where: str
    inputs: tuple[Shape, ...]
    reads: tuple[int, ...]
    error: str
    message: str
    fix: dict[str, Any] = field(default_factory=dict)
    fix_step: int | None = None
    fix_where: str | None = None


def _maker(steps: Sequence[Step], index: int, axis: int) -> Step | None:
    """The step that made the size on ``axis`` (negative, from the end) of step ``index``'s output: walk back
    through steps that keep it."""
    while index >= 0:
        s = steps[index]
        if resizes(s) and len(s.inputs[0]) == len(s.output) and s.inputs[0][axis] != s.output[axis]:
            return s
        if not s.reads:
            return None
        index = s.reads[0]
    return None


def _feeding_fix(steps: Sequence[Step], maker: Step, target: Shape, axis: int) -> str:
    """The other way: the step before ``maker`` that set its input size, changed so that ``maker`` as it is gives
    ``target`` (square sizes only); "" if there is none."""
    upstream = _maker(steps, maker.reads[0], axis) if maker.reads and maker.reads[0] >= 0 else None
    if upstream is None or len(set(target)) != 1:
        return ""
    n = len(target)
    for v in range(1, 2 * target[0] + 2):
        if fix_for(maker, (v,) * n, target) == {}:
            fix = fix_for(upstream, upstream.spatial(upstream.inputs[0]), (v,) * n)
            if fix:
                return (f"; or step {upstream.index} ({label(upstream)}): {fix_text(fix)} gives {v}, which step "
                        f"{maker.index} turns into {target[0]}")
    return ""


def _join_failure(steps: Sequence[Step], f: FailedCall) -> Failure | None:
    shapes = f.inputs
    if len(shapes) < 2 or len({len(s) for s in shapes}) != 1:
        return None
    cat_dim = f.params.get("dim", f.params.get("axis", 0)) % len(shapes[0]) \
        if f.op in ("cat", "stack", "Concatenate") else None
    axis = next((x for x in range(len(shapes[0])) if x != cat_dim and len({s[x] for s in shapes}) > 1), None)
    if axis is None:
        return None
    neg = axis - len(shapes[0])
    sizes = [s[axis] for s in shapes]
    head = (f"{f.op} ({f.where or 'model'}) gets sizes {' and '.join(map(str, sizes))} on axis {axis} "
            f"(shapes {', '.join(times(s) for s in shapes)})")
    makers = [(_maker(steps, r, neg) if r >= 0 else None, j) for j, r in enumerate(f.reads)]
    order = sorted(makers, key=lambda m: not (m[0] is not None and (m[0].transposed or m[0].op in UP_OPS)))
    for maker, j in order:
        if maker is None:
            continue
        other = next(k for k in range(len(sizes)) if sizes[k] != sizes[j])
        target = maker.spatial(shapes[other])  # every spatial axis as the other input has it
        fix = fix_for(maker, maker.spatial(maker.inputs[0]), target)
        if fix:
            where = steps[f.reads[other]] if f.reads[other] >= 0 else None
            source = f", the size of {label(where)} (step {where.index})" if where else ""
            message = (f"{head}: step {maker.index} ({label(maker)}) made the {sizes[j]} from "
                       f"{times(maker.spatial(maker.inputs[0]))}; {fix_text(fix)} gives {sizes[other]}{source}"
                       f"{_feeding_fix(steps, maker, target, neg)}.")
            return Failure(f.op, f.where, f.inputs, f.reads, f.error, message, fix, maker.index, maker.where)
    named = [f"step {m.index} ({label(m)}) made {sizes[j]}" for m, j in makers if m is not None]
    return Failure(f.op, f.where, f.inputs, f.reads, f.error, f"{head}: {'; '.join(named) or f.error}.")


def _linear_failure(steps: Sequence[Step], f: FailedCall) -> Failure | None:
    """A Linear (``in_features``) or a built Keras Dense (``input_dim``, the size it was built for) fed another
    flattened size: which steps made it, the parameter that takes it, and the model input that gives what the
    layer wants."""
    key = "in_features" if "in_features" in f.params else "input_dim"
    if key not in f.params or not f.inputs or f.inputs[0][-1] == f.params[key]:
        return None
    got, want = f.inputs[0][-1], f.params[key]
    origin = ""
    source = steps[f.reads[0]] if f.reads and f.reads[0] >= 0 else None
    if source is not None and source.inputs and math.prod(source.inputs[0][1:]) == got:
        parts = source.inputs[0][1:]
        origin = (f" = {'·'.join(map(str, parts))}, the flattened {times(parts)} from step {source.index} "
                  f"({label(source)})")
    fits = fitting_input(steps, source.index, want) if source is not None else None
    fit = f"; an input of {times(fits)} gives {want}" if fits else ""
    if key == "in_features":
        message = (f"{label_call(f)} has in_features={want} but gets {got}{origin}: set in_features={got} "
                   f"(or change the layers before it so they give {want}{fit}).")
        return Failure(f.op, f.where, f.inputs, f.reads, f.error, message, {"in_features": got}, None, f.where)
    chain = chain_to(steps, source.index) if source is not None else None
    build = f" (keras.Input({chain[0].inputs[0][1:]}))" if chain else ""
    message = (f"{label_call(f)} was built for {want} inputs but gets {got}{origin}: Keras sizes a Dense when the "
               f"model is built, so build the model for this input{build}, or change the layers before it so "
               f"they give {want}{fit}.")
    return Failure(f.op, f.where, f.inputs, f.reads, f.error, message)


def label_call(f: FailedCall) -> str:
    return f"{f.op} {f.where}" if f.where else f.op


def _conv_failure(f: FailedCall) -> Failure | None:
    p = f.params
    if "in_channels" not in p or not f.inputs:
        return None
    shape = f.inputs[0]
    if len(shape) > len(p["kernel_size"]) and shape[-len(p["kernel_size"]) - 1] != p["in_channels"]:
        got = shape[-len(p["kernel_size"]) - 1]
        return Failure(f.op, f.where, f.inputs, f.reads, f.error,
                       f"{label_call(f)} has in_channels={p['in_channels']} but gets {got} channels "
                       f"(input {times(shape)}): set in_channels={got}.", {"in_channels": got}, None, f.where)
    return Failure(f.op, f.where, f.inputs, f.reads, f.error,
                   f"{label_call(f)} refuses input {times(shape)}: {_conv_refusal(p, shape) or f.error}")


def _keras_conv_failure(f: FailedCall) -> Failure | None:
    """A Keras conv (Conv2D ...) that refuses its input's spatial size: convmath's sentence, Keras' convention."""
    p = f.params
    if "Transpose" in f.op or p.get("padding", "valid") not in ("valid", "same") or not f.inputs:
        return None
    n, shape = len(p["kernel_size"]), f.inputs[0]
    spatial = spatial_of(shape, n, p.get("data_format", "channels_last") == "channels_last")
    try:
        conv_output_size(spatial, p["kernel_size"], p.get("strides", 1), p.get("padding", "valid"),
                         p.get("dilation_rate", 1), convention="keras")
    except ConvArithmeticError as error:
        head = f"{label_call(f)} refuses input {times(shape)}: {str(error).rstrip('.')}"
        if p.get("padding", "valid") == "same":
            return Failure(f.op, f.where, f.inputs, f.reads, f.error, f"{head}.")
        same = conv_output_size(spatial, p["kernel_size"], p.get("strides", 1), "same", convention="keras")
        return Failure(f.op, f.where, f.inputs, f.reads, f.error, f"{head}; padding='same' gives {times(same)}.",
                       {"padding": "same"}, None, f.where)
    return None


def _conv_refusal(p: dict, shape: Shape) -> str | None:
    """convmath's sentence for a conv that refuses its input's spatial size (a kernel larger than the padded
    input ...), or None if convmath accepts it."""
    n = len(p["kernel_size"])
    try:
        conv_output_size(tuple(shape[-n:]), p["kernel_size"], p.get("stride", 1), p.get("padding", 0),
                         p.get("dilation", 1))
    except ConvArithmeticError as error:
        return str(error)
    return None


def _channel_maker(steps: Sequence[Step], index: int) -> Step | None:
    """The conv that set the channel count of step ``index``'s output: walk back through steps that keep it."""
    while index >= 0:
        s = steps[index]
        if "out_channels" in s.params or "filters" in s.params:
            return s
        if not s.reads or not s.inputs or s.inputs[0][1:2] != s.output[1:2]:
            return None
        index = s.reads[0]
    return None


def shuffle_channels(got: int, r: int) -> int:
    """The channel count a PixelShuffle(r) fed ``got`` channels most likely wanted: c·r² for the c in
    ``got = c·r`` (r written for r²), else the next multiple of r².

    >>> shuffle_channels(6, 2), shuffle_channels(10, 3)
    (12, 18)
    """
    return got * r if got % r == 0 else -(-got // (r * r)) * r * r


def _shuffle_failure(steps: Sequence[Step], f: FailedCall) -> Failure | None:
    r = f.params.get("upscale_factor")
    if not isinstance(r, int) or len(f.inputs[0]) < 3 or f.inputs[0][-3] % (r * r) == 0:
        return None
    got = f.inputs[0][-3]
    want = shuffle_channels(got, r)
    head = (f"{label_call(f)} (r={r}) gets {got} channels, not a multiple of r² = {r * r}: it needs c·{r * r} "
            f"channels to give c")
    maker = _channel_maker(steps, f.reads[0]) if f.reads else None
    if maker is None:
        return Failure(f.op, f.where, f.inputs, f.reads, f.error, f"{head}; give it {want} to get {want // (r * r)}.")
    key = "filters" if maker.convention == "keras" else "out_channels"
    c = want // (r * r)
    message = (f"{head}: step {maker.index} ({label(maker)}) made the {got}; {key}={want} = {c}·{r}² gives {c} "
               f"channel{'s' if c > 1 else ''} after the shuffle.")
    return Failure(f.op, f.where, f.inputs, f.reads, f.error, message, {key: want}, maker.index, maker.where)


def _view_failure(steps: Sequence[Step], f: FailedCall) -> Failure | None:
    """A torch ``view`` / ``reshape`` or a Keras ``Reshape`` whose target does not hold the values."""
    if f.op == "Reshape":
        explained = explain_reshape(steps, f.where, f.inputs[0], f.reads, f.params)
    else:
        explained = explain_view(steps, f.op, f.where, f.inputs[0], f.reads, f.params)
    if explained is None:
        return None
    message, fix, fix_step, fix_where = explained
    return Failure(f.op, f.where, f.inputs, f.reads, f.error, message, fix, fix_step, fix_where)


def explain_failure(steps: Sequence[Step], failed: FailedCall) -> Failure:
    """The explanation of the call that raised, with a fix where convmath finds one."""
    found = None
    if failed.op in _JOIN:
        found = _join_failure(steps, failed)
    elif failed.op in ("Linear", "linear", "Dense"):
        found = _linear_failure(steps, failed)
    elif "in_channels" in failed.params:
        found = _conv_failure(failed)
    elif "filters" in failed.params and "kernel_size" in failed.params:
        found = _keras_conv_failure(failed)
    elif failed.op in ("PixelShuffle", "pixel_shuffle") and failed.inputs:
        found = _shuffle_failure(steps, failed)
    elif failed.op in ("view", "reshape", "Reshape") and failed.inputs:
        found = _view_failure(steps, failed)
    if found is None:
        where = f" ({failed.where})" if failed.where else ""
        found = Failure(failed.op, failed.where, failed.inputs, failed.reads, failed.error,
                        f"{failed.op}{where} failed on input {', '.join(times(s) for s in failed.inputs) or '?'}: "
                        f"{failed.error}")
    return found
