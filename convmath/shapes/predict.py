"""convmath's prediction for one traced op: the sizes it should produce and the formula, from its parameters.

Every function takes the op's parameters (named as the torch module's attributes) and its input shapes and
returns ``(formulas, predicted)``: one :class:`~convmath.explain.Formula` per predicted axis and the predicted
sizes of the output's last axes, or ``((), None)`` when the op does not change sizes.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from ..explain import (Formula, explain_adaptive_pool, explain_border, explain_conv, explain_pixel_shuffle,
                       explain_pool, explain_transposed, explain_upsample)

__all__ = ["predict", "PREDICTORS", "spatial_dims", "pairs"]

Shape = tuple[int, ...]
Prediction = tuple[tuple[Formula, ...], "Shape | None"]


def pairs(value: Any, n: int) -> tuple:
    """``value`` as one entry per axis."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def spatial_dims(op: str, x: Shape) -> int:
    """Spatial axes of an op named like ``MaxPool2d`` / ``max_pool2d`` (its digit), else the input's rank − 2."""
    digits = [c for c in op if c.isdigit()]
    return int(digits[-1]) if digits and op.rstrip("d").rstrip("D")[-1:].isdigit() else max(len(x) - 2, 1)


def _values(formulas) -> tuple[tuple[Formula, ...], Shape]:
    formulas = tuple(formulas) if isinstance(formulas, tuple) else (formulas,)
    return formulas, tuple(f.value for f in formulas)


def _conv(op: str, p: dict, x: Shape) -> Prediction:
    n = len(p["kernel_size"])
    size = tuple(x[-n:])
    kernel, stride, dilation = (pairs(p[k], n) for k in ("kernel_size", "stride", "dilation"))
    padding = p["padding"] if isinstance(p["padding"], str) else pairs(p["padding"], n)
    if "output_padding" in p:
        return _values(explain_transposed(size, kernel, stride, padding, dilation, pairs(p["output_padding"], n)))
    return _values(explain_conv(size, kernel, stride, padding, dilation))


def _pool(op: str, p: dict, x: Shape) -> Prediction:
    n = spatial_dims(op, x)
    size = tuple(x[-n:])
    stride = p.get("stride") or p["kernel_size"]
    kind = "avg" if "avg" in op.lower() else "max"
    return _values(explain_pool(size, pairs(p["kernel_size"], n), pairs(stride, n), pairs(p.get("padding", 0), n),
                                pairs(p.get("dilation", 1), n), bool(p.get("ceil_mode", False)), kind=kind))


def _adaptive(op: str, p: dict, x: Shape) -> Prediction:
    n = spatial_dims(op, x)
    return _values(explain_adaptive_pool(tuple(x[-n:]), pairs(p["output_size"], n)))


def _upsample(op: str, p: dict, x: Shape) -> Prediction:
    n = max(len(x) - 2, 1)
    size, scale = p.get("size"), p.get("scale_factor")
    return _values(explain_upsample(tuple(x[-n:]), size=None if size is None else pairs(size, n),
                                    scale_factor=None if scale is None else pairs(scale, n)))


def _shuffle(op: str, p: dict, x: Shape) -> Prediction:
    inverse = "unshuffle" in op.lower()
    factor = p["downscale_factor" if inverse else "upscale_factor"]
    return _values(explain_pixel_shuffle(x[-3], tuple(x[-2:]), factor, inverse=inverse))


def _linear(op: str, p: dict, x: Shape) -> Prediction:
    o = p["out_features"]
    formula = Formula("out = out_features", f"{o}", r"\mathrm{out} = \mathrm{out\_features}", f"{o}", o,
                      f"in_features {p['in_features']} must equal the input's last axis, {x[-1]}")
    return (formula,), (o,)


def _flatten(op: str, p: dict, x: Shape) -> Prediction:
    start, end = p.get("start_dim", 1 if op == "Flatten" else 0), p.get("end_dim", -1)
    start, end = start % len(x), end % len(x)
    sizes = x[start:end + 1]
    o = math.prod(sizes)
    text, latex = "·".join(map(str, sizes)), r" \cdot ".join(map(str, sizes))
    formula = Formula("o = product of the flattened axes", f"{text} = {o}", r"o = \prod_a n_a", f"{latex} = {o}", o)
    return (formula,), (o,) + tuple(x[end + 1:]) if end + 1 < len(x) else (o,)


def _pad(op: str, p: dict, x: Shape) -> Prediction:
    """nn.ZeroPad / ConstantPad / ReflectionPad / ReplicationPad / CircularPad, F.pad: (before, after) pairs from
    the last axis backwards; negative amounts crop."""
    pad = p.get("padding", p.get("pad"))
    pad = pairs(pad, 2 * spatial_dims(op, x)) if isinstance(pad, int) else list(pad)
    n = len(pad) // 2
    before = tuple(pad[2 * (n - 1 - a)] for a in range(n))
    after = tuple(pad[2 * (n - 1 - a) + 1] for a in range(n))
    return _values(explain_border(tuple(x[-n:]), before, after))


PREDICTORS: dict[str, Callable[[str, dict, Shape], Prediction]] = {
    **{f"{k}Pool{n}d": _pool for k in ("Max", "Avg") for n in (1, 2, 3)},
    **{f"{k}_pool{n}d": _pool for k in ("max", "avg") for n in (1, 2, 3)},
    **{f"Adaptive{k}Pool{n}d": _adaptive for k in ("Max", "Avg") for n in (1, 2, 3)},
    **{f"adaptive_{k}_pool{n}d": _adaptive for k in ("max", "avg") for n in (1, 2, 3)},
    "Upsample": _upsample, "UpsamplingNearest2d": _upsample, "UpsamplingBilinear2d": _upsample,
    "interpolate": _upsample, "upsample": _upsample,
    "PixelShuffle": _shuffle, "PixelUnshuffle": _shuffle, "pixel_shuffle": _shuffle, "pixel_unshuffle": _shuffle,
    **{f"{k}Pad{n}d": _pad for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
       for n in (1, 2, 3)},
    "pad": _pad, "Linear": _linear, "linear": _linear, "Flatten": _flatten, "flatten": _flatten,
}


def predict(op: str, params: dict, inputs: Sequence[Shape]) -> Prediction:
    """convmath's formulas and predicted trailing sizes for the op, or ``((), None)``."""
    if not inputs:
        return (), None
    if "in_channels" in params and "kernel_size" in params:
        return _conv(op, params, inputs[0])
    predictor = PREDICTORS.get(op)
    if predictor is None:
        return (), None
    try:
        if op in ("Linear", "linear") and "in_features" not in params:
            return (), None
        return predictor(op, params, inputs[0])
    except (KeyError, TypeError, ValueError):
        return (), None  # parameters convmath cannot read (e.g. a tensor-valued size): no prediction
