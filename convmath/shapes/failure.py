"""A forward that fails on a shape, explained in convmath's terms: which layer made the size that does not fit,
and the value that makes it fit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from .fixes import UP_OPS, fix_for, fix_text, resizes
from .mirror import label, times
from .record import FailedCall, Shape, Step

__all__ = ["Failure", "explain_failure"]

_JOIN = {"cat", "stack", "add", "sub", "mul", "div"}


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


def _join_failure(steps: Sequence[Step], f: FailedCall) -> Failure | None:
    shapes = f.inputs
    if len(shapes) < 2 or len({len(s) for s in shapes}) != 1:
        return None
    cat_dim = f.params.get("dim", 0) % len(shapes[0]) if f.op in ("cat", "stack") else None
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
        n = len(maker.spatial(maker.output))
        target = tuple(shapes[other][len(shapes[other]) - n:])  # every spatial axis as the other input has it
        fix = fix_for(maker, maker.spatial(maker.inputs[0]), target)
        if fix:
            where = steps[f.reads[other]] if f.reads[other] >= 0 else None
            source = f", the size of {label(where)} (step {where.index})" if where else ""
            message = (f"{head}: step {maker.index} ({label(maker)}) made the {sizes[j]} from "
                       f"{times(maker.spatial(maker.inputs[0]))}; {fix_text(fix)} gives {sizes[other]}{source}.")
            return Failure(f.op, f.where, f.inputs, f.reads, f.error, message, fix, maker.index, maker.where)
    named = [f"step {m.index} ({label(m)}) made {sizes[j]}" for m, j in makers if m is not None]
    return Failure(f.op, f.where, f.inputs, f.reads, f.error, f"{head}: {'; '.join(named) or f.error}.")


def _linear_failure(steps: Sequence[Step], f: FailedCall) -> Failure | None:
    if "in_features" not in f.params or not f.inputs or f.inputs[0][-1] == f.params["in_features"]:
        return None
    got, want = f.inputs[0][-1], f.params["in_features"]
    origin = ""
    source = steps[f.reads[0]] if f.reads and f.reads[0] >= 0 else None
    if source is not None and source.inputs and math.prod(source.inputs[0][1:]) == got:
        parts = source.inputs[0][1:]
        origin = (f" = {'·'.join(map(str, parts))}, the flattened {times(parts)} from step {source.index} "
                  f"({label(source)})")
    message = (f"{label_call(f)} has in_features={want} but gets {got}{origin}: set in_features={got} "
               f"(or change the layers before it so they give {want}).")
    return Failure(f.op, f.where, f.inputs, f.reads, f.error, message, {"in_features": got}, None, f.where)


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
                   f"{label_call(f)} refuses input {times(shape)}: {f.error}")


def explain_failure(steps: Sequence[Step], failed: FailedCall) -> Failure:
    """The explanation of the call that raised, with a fix where convmath finds one."""
    found = None
    if failed.op in _JOIN:
        found = _join_failure(steps, failed)
    elif failed.op in ("Linear", "linear"):
        found = _linear_failure(steps, failed)
    elif "in_channels" in failed.params:
        found = _conv_failure(failed)
    if found is None:
        where = f" ({failed.where})" if failed.where else ""
        found = Failure(failed.op, failed.where, failed.inputs, failed.reads, failed.error,
                        f"{failed.op}{where} failed on input {', '.join(times(s) for s in failed.inputs) or '?'}: "
                        f"{failed.error}")
    return found
