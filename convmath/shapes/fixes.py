"""Concrete fixes for a layer that makes the wrong size: the parameter values that make it produce a target.

A fix never repeats a value the layer already has; where output_padding cannot reach the target, padding,
dilation, kernel or stride values that can are searched (smallest change first).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from ..arithmetic import transposed_output_size
from ..pooling import pool_output_size
from ..validate import ConvArithmeticError
from .predict import pairs
from .record import Shape, Step

__all__ = ["fix_for", "fix_text", "UP_OPS", "is_up", "is_down", "resizes"]

UP_OPS = {"Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "interpolate", "upsample", "PixelShuffle",
          "pixel_shuffle"}
_FLAT = {"Linear", "linear", "Flatten", "flatten"}


def resizes(step: Step) -> bool:
    """A step with a spatial prediction (not Linear / flatten)."""
    return step.predicted is not None and step.op not in _FLAT and bool(step.inputs)


def _sized(step: Step) -> bool:
    """An interpolate / Upsample / adaptive pool told the size to give: it matches by construction."""
    return step.params.get("size") is not None or "adaptive" in step.op.lower()


def is_down(step: Step) -> bool:
    """A step that shrinks the spatial size: a strided conv, a pool, pixel unshuffle, a downscaling interpolate."""
    if not resizes(step) or step.transposed or _sized(step):
        return False
    i, o = step.spatial(step.inputs[0]), step.spatial(step.output)
    return len(i) == len(o) and any(a > b for a, b in zip(i, o))


def is_up(step: Step) -> bool:
    """A transposed conv (strided or growing), an upsample / interpolate that grows, pixel shuffle."""
    if not resizes(step) or _sized(step) or not (step.transposed or step.op in UP_OPS):
        return False
    i, o = step.spatial(step.inputs[0]), step.spatial(step.output)
    strided = step.transposed and max(pairs(step.params["stride"], len(i))) > 1
    return strided or any(b > a for a, b in zip(i, o))


def _transposed_axis_fix(i: int, target: int, k: int, s: int, p: int, d: int, a: int) -> dict[str, int] | None:
    """The smallest change of one transposed-conv axis (output_padding, then padding, kernel, stride,
    dilation, each with a fitting output_padding) that turns size ``i`` into ``target``; {} if it already does."""
    def size(k_, s_, p_, d_, a_) -> int | None:
        try:
            return transposed_output_size(i, k_, s_, p_, d_, a_)
        except ConvArithmeticError:
            return None

    if size(k, s, p, d, a) == target:
        return {}
    limit = lambda s_, d_: max(s_, d_)  # noqa: E731 - output_padding < stride or dilation
    for a_ in range(limit(s, d)):
        if size(k, s, p, d, a_) == target:
            return {"output_padding": a_}
    searches = [("padding", range(0, 2 * k + 2)), ("kernel_size", range(1, 2 * s + 6)), ("stride", range(1, 6)),
                ("dilation", range(1, 6))]
    for name, values in searches:
        for v in values:
            k_, s_, p_, d_ = (v if name == n else old for n, old in
                              (("kernel_size", k), ("stride", s), ("padding", p), ("dilation", d)))
            for a_ in range(limit(s_, d_)):
                if size(k_, s_, p_, d_, a_) == target:
                    return {name: v} | ({"output_padding": a_} if a_ != a else {})
    return None


def _compact(values: Sequence[Any]):
    return values[0] if len(set(values)) == 1 else tuple(values)


def _transposed_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    p, n = step.params, len(i)
    axes = [_transposed_axis_fix(i[x], target[x], *(pairs(p[k], n)[x] for k in
                                 ("kernel_size", "stride", "padding", "dilation", "output_padding")))
            for x in range(n)]
    if any(a is None for a in axes):
        return None
    names = {name for a in axes for name in a}
    key = {"kernel_size": 0, "stride": 1, "padding": 2, "dilation": 3, "output_padding": 4}
    return {name: _compact([a.get(name, pairs(p[name], n)[x]) for x, a in enumerate(axes)])
            for name in sorted(names, key=key.get)}


def _pool_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    p, n = step.params, len(i)
    kind = "avg" if "avg" in step.op.lower() else "max"
    kernel, stride = p["kernel_size"], p.get("stride") or p["kernel_size"]
    for ceil in (bool(p.get("ceil_mode")), not p.get("ceil_mode")):
        for pad in range(0, max(pairs(kernel, n)) // 2 + 1):
            try:
                size = pool_output_size(i, pairs(kernel, n), pairs(stride, n), pad, pairs(p.get("dilation", 1), n),
                                        ceil, kind=kind)
            except ConvArithmeticError:
                continue
            if size == target:
                change = {"padding": pad} if pad != _compact(pairs(p.get("padding", 0), n)) else {}
                return change | ({"ceil_mode": ceil} if ceil != bool(p.get("ceil_mode")) else {})
    return None


def _upsample_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    if "size" in step.params and step.params.get("size") is not None:
        return {"size": _compact(target)}
    factors = [t / n for n, t in zip(i, target)]
    if all(math.floor(n * f) == t for n, f, t in zip(i, factors, target)):
        return {"scale_factor": _compact([int(f) if f.is_integer() else f for f in factors])}
    return {"size": _compact(target)}


def fix_for(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    """Parameter values that make ``step``, fed spatial size ``i``, produce ``target``: {} if it already does,
    None if no searched change can."""
    if step.transposed:
        return _transposed_fix(step, i, target)
    if "pool" in step.op.lower() and "adaptive" not in step.op.lower():
        return _pool_fix(step, i, target)
    if step.op in UP_OPS and "shuffle" not in step.op.lower():
        return _upsample_fix(step, i, target)
    return None


def fix_text(fix: dict[str, Any]) -> str:
    """``output_padding=1`` / ``padding=0, output_padding=1``."""
    return ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in fix.items())
