"""Concrete fixes for a layer that makes the wrong size: the parameter values that make it produce a target.

A fix never repeats a value the layer already has; where output_padding cannot reach the target, padding,
dilation, kernel or stride values that can are searched (smallest change first).
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

from ..arithmetic import conv_output_size, transposed_output_size
from ..pooling import pool_output_size
from ..validate import ConvArithmeticError
from .predict import pairs
from .record import Shape, Step, keras_name

__all__ = ["fix_for", "fix_text", "UP_OPS", "is_up", "is_down", "resizes"]

UP_OPS = {"Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "interpolate", "upsample", "PixelShuffle",
          "pixel_shuffle", "UpSampling1D", "UpSampling2D", "UpSampling3D"}
_FLAT = {"Linear", "linear", "Flatten", "flatten", "Dense"}
# layers that add or remove a border (Keras, torch): neither down nor up steps
_BORDER = ("ZeroPadding", "Cropping", "ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad",
           "pad")


def resizes(step: Step) -> bool:
    """A step with a spatial prediction (not Linear / flatten)."""
    return step.predicted is not None and step.op not in _FLAT and bool(step.inputs)


def _sized(step: Step) -> bool:
    """An interpolate / Upsample / adaptive pool told the size to give: it matches by construction (a Keras
    UpSampling's ``size`` is a factor)."""
    told = step.convention == "torch" and step.params.get("size") is not None
    return told or "adaptive" in step.op.lower()


def _resampling(step: Step) -> bool:
    return resizes(step) and not _sized(step) and not step.op.startswith(_BORDER)


def is_down(step: Step) -> bool:
    """A step that shrinks the spatial size: a strided conv, a pool, pixel unshuffle, a downscaling interpolate."""
    if not _resampling(step) or step.transposed:
        return False
    i, o = step.spatial(step.inputs[0]), step.spatial(step.output)
    return len(i) == len(o) and any(a > b for a, b in zip(i, o))


def is_up(step: Step) -> bool:
    """A transposed conv (strided or growing), an upsample / interpolate that grows, pixel shuffle."""
    if not _resampling(step) or not (step.transposed or step.op in UP_OPS):
        return False
    i, o = step.spatial(step.inputs[0]), step.spatial(step.output)
    strided = step.transposed and max(pairs(step.param("stride", 1), len(i))) > 1
    return strided or any(b > a for a, b in zip(i, o))


def _transposed_axis_fix(i: int, target: int, axis: tuple, convention: str) -> dict[str, Any] | None:
    """The smallest change of one transposed-conv axis ``(k, s, p, d, a)`` (output_padding, then padding,
    kernel, stride, dilation, each with a fitting output_padding) that turns size ``i`` into ``target``; {} if
    it already does."""
    k, s, p, d, a = axis

    def size(k_, s_, p_, d_, a_) -> int | None:
        try:
            return transposed_output_size(i, k_, s_, p_, d_, a_, convention=convention)
        except ConvArithmeticError:
            return None

    if size(k, s, p, d, a) == target:
        return {}
    limit = (lambda s_, d_: max(s_, d_)) if convention == "torch" else (lambda s_, d_: s_)
    for a_ in range(limit(s, d)):
        if size(k, s, p, d, a_) == target:
            return {"output_padding": a_}
    paddings = range(0, 2 * k + 2) if convention == "torch" else ("same", "valid")
    searches = [("padding", paddings), ("kernel_size", range(1, 2 * s + 6)), ("stride", range(1, 6)),
                ("dilation", range(1, 6))]
    for name, v, (k_, s_, p_, d_) in _single_changes((k, s, p, d), searches):
        for a_ in (a, *range(limit(s_, d_))):  # the layer's own output_padding first
            if size(k_, s_, p_, d_, a_) == target:
                return {name: v} | ({"output_padding": a_} if a_ != a else {})
    return None


def _conv_axis_fix(i: int, target: int, axis: tuple, convention: str) -> dict[str, Any] | None:
    """The smallest change of one conv axis ``(k, s, p, d)``, trying padding, then kernel, stride and dilation,
    that turns size ``i`` into ``target``; {} if it already does."""
    k, s, p, d = axis

    def size(k_, s_, p_, d_) -> int | None:
        try:
            return conv_output_size(i, k_, s_, p_, d_, convention=convention)
        except ConvArithmeticError:
            return None

    if size(k, s, p, d) == target:
        return {}
    paddings = range(0, 2 * k + 2) if convention == "torch" else ("same", "valid")
    searches = [("padding", paddings), ("kernel_size", range(1, 2 * k + 4)), ("stride", range(1, 6)),
                ("dilation", range(1, 6))]
    for name, v, changed in _single_changes((k, s, p, d), searches):
        if size(*changed) == target:
            return {name: v}
    return None


def _single_changes(axis: tuple, searches: list[tuple[str, Any]]) -> Iterator[tuple[str, Any, tuple]]:
    """``axis`` (k, s, p, d) with one number changed at a time, in ``searches`` order: (name, value, new axis)."""
    names = ("kernel_size", "stride", "padding", "dilation")
    for name, values in searches:
        for v in values:
            yield name, v, tuple(v if name == n else old for n, old in zip(names, axis))


def _conv_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    n = len(i)
    k, s, d = (pairs(step.param(name, 1), n) for name in ("kernel_size", "stride", "dilation"))
    p = step.param("padding", 0)
    now = list(zip(k, s, (p,) * n if isinstance(p, str) else pairs(p, n), d))
    axes = [_conv_axis_fix(i[x], target[x], now[x], step.convention) for x in range(n)]
    if any(a is None for a in axes):
        return None
    changed = {name for a in axes for name in a}
    return _named(step, {name: _compact([a.get(name, now[x][j]) for x, a in enumerate(axes)])
                         for j, name in enumerate(_TRANSPOSED[:4]) if name in changed})


def _compact(values: Sequence[Any]):
    return values[0] if len(set(values)) == 1 else tuple(values)


def _named(step: Step, fix: dict[str, Any]) -> dict[str, Any]:
    """The fix with the layer's own parameter names (Keras: strides, dilation_rate, pool_size)."""
    return {keras_name(step.params, k): v for k, v in fix.items()} if step.convention == "keras" else fix


_TRANSPOSED = ("kernel_size", "stride", "padding", "dilation", "output_padding")


def _transposed_axes(step: Step, n: int) -> list[tuple]:
    """Per axis ``(k, s, p, d, a)`` of a transposed conv; Keras' padding string and output_padding None kept."""
    k, s, d = (pairs(step.param(name, 1), n) for name in ("kernel_size", "stride", "dilation"))
    p = step.param("padding", 0)
    a = step.param("output_padding", 0 if step.convention == "torch" else None)
    return list(zip(k, s, (p,) * n if isinstance(p, str) else pairs(p, n), d, (None,) * n if a is None
                    else pairs(a, n)))


def _transposed_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    now = _transposed_axes(step, len(i))
    axes = [_transposed_axis_fix(i[x], target[x], now[x], step.convention) for x in range(len(i))]
    if any(a is None for a in axes):
        return None
    changed = {name for a in axes for name in a}
    return _named(step, {name: _compact([a.get(name, now[x][j]) for x, a in enumerate(axes)])
                         for j, name in enumerate(_TRANSPOSED) if name in changed})


def _pool_sizes(step: Step, i: Shape):
    """(change, size) for each padding / ceil_mode the pool could use, its own first."""
    n, kind = len(i), "avg" if "avg" in step.op.lower() else "max"
    kernel = pairs(step.param("kernel_size"), n)
    stride = pairs(step.param("stride") or kernel, n)
    if step.convention == "keras":
        for pad in sorted(("valid", "same"), key=lambda v: v != step.params.get("padding", "valid")):
            yield ({"padding": pad} if pad != step.params.get("padding", "valid") else {}), \
                (kernel, stride, pad, 1, False, "keras", kind)
        return
    ceil_now = bool(step.params.get("ceil_mode"))
    for ceil in (ceil_now, not ceil_now):
        for pad in range(0, max(kernel) // 2 + 1):
            change = {"padding": pad} if pad != _compact(pairs(step.params.get("padding", 0), n)) else {}
            yield change | ({"ceil_mode": ceil} if ceil != ceil_now else {}), \
                (kernel, stride, pad, pairs(step.params.get("dilation", 1), n), ceil, "torch", kind)


def _pool_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    for change, (kernel, stride, pad, dilation, ceil, convention, kind) in _pool_sizes(step, i):
        try:
            size = pool_output_size(i, kernel, stride, pad, dilation, ceil, kind=kind, convention=convention)
        except ConvArithmeticError:
            continue
        if size == target:
            return change
    return None


def _upsample_fix(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    factors = [t / n for n, t in zip(i, target)]
    if step.convention == "keras":  # UpSampling*D: whole factors only
        return {"size": _compact([int(f) for f in factors])} if all(f.is_integer() for f in factors) else None
    if "size" in step.params and step.params.get("size") is not None:
        return {"size": _compact(target)}
    if all(math.floor(n * f) == t for n, f, t in zip(i, factors, target)):
        return {"scale_factor": _compact([int(f) if f.is_integer() else f for f in factors])}
    return {"size": _compact(target)}


def fix_for(step: Step, i: Shape, target: Shape) -> dict[str, Any] | None:
    """Parameter values that make ``step``, fed spatial size ``i``, produce ``target``: {} if it already does,
    None if no searched change can."""
    if step.transposed:
        return _transposed_fix(step, i, target)
    if step.is_conv:
        return _conv_fix(step, i, target)
    if "pool" in step.op.lower() and "adaptive" not in step.op.lower():
        return _pool_fix(step, i, target)
    if step.op in UP_OPS and "shuffle" not in step.op.lower():
        return _without_current(step, _upsample_fix(step, i, target), len(i))
    return None


def _without_current(step: Step, fix: dict[str, Any] | None, n: int) -> dict[str, Any] | None:
    """The fix without the values the layer already has (a fix never repeats one)."""
    if fix is None:
        return None
    return {k: v for k, v in fix.items() if step.params.get(k) is None or _compact(pairs(step.params[k], n)) != v}


def fix_text(fix: dict[str, Any]) -> str:
    """``output_padding=1`` / ``padding=0, output_padding=1``."""
    return ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in fix.items())
