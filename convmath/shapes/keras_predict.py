"""convmath's prediction for one Keras 3 layer: its shape parameters (Keras' names) and the sizes and formulas
with Keras' conventions (``padding="same"`` is ⌈i/s⌉, ``output_padding=None`` is inferred, ``UpSampling`` is
i·n), on the spatial axes of channels-last (or channels-first) tensors.

>>> formulas, predicted = keras_predict("Conv2D", {"kernel_size": (3, 3), "strides": (2, 2), "padding": "same",
...                                                "dilation_rate": (1, 1)}, [(1, 7, 7, 8)], True)
>>> predicted, formulas[0].substituted
((4, 4), '⌈7/2⌉ = 4')
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Sequence

from ..explain import Formula, explain_conv, explain_pool, explain_transposed, explain_upsample
from .predict import pairs

__all__ = ["keras_predict", "keras_params", "KERAS_SHAPE_KEYS", "spatial_of"]

Shape = tuple[int, ...]
Prediction = tuple[tuple[Formula, ...], "Shape | None"]

# The configuration keys that decide a Keras layer's output shape (the rest: initialisers, activations ...).
KERAS_SHAPE_KEYS = ("filters", "kernel_size", "strides", "padding", "output_padding", "dilation_rate", "groups",
                    "depth_multiplier", "pool_size", "size", "interpolation", "units", "target_shape", "axis",
                    "cropping", "data_format", "dims", "n", "keepdims")


def keras_params(layer: Any) -> dict[str, Any]:
    """A Keras layer's shape parameters from its ``get_config()`` (none if it has no usable config)."""
    try:
        config = layer.get_config()
    except Exception:  # a user's layer without get_config: no parameters shown
        return {}
    return {k: config[k] for k in KERAS_SHAPE_KEYS if k in config}


def spatial_of(shape: Shape, n: int, channels_last: bool) -> Shape:
    """The ``n`` spatial axes of a batched tensor shape."""
    end = len(shape) - 1 if channels_last else len(shape)
    return tuple(shape[end - n:end])


def _values(formulas) -> tuple[tuple[Formula, ...], Shape]:
    formulas = tuple(formulas) if isinstance(formulas, tuple) else (formulas,)
    return formulas, tuple(f.value for f in formulas)


def _conv(n: int, p: dict, size: Shape) -> Prediction:
    k, s, d = (pairs(p.get(key, 1), n) for key in ("kernel_size", "strides", "dilation_rate"))
    return _values(explain_conv(size, k, s, p.get("padding", "valid"), d, convention="keras"))


def _transposed(n: int, p: dict, size: Shape) -> Prediction:
    k, s, d = (pairs(p.get(key, 1), n) for key in ("kernel_size", "strides", "dilation_rate"))
    a = p.get("output_padding")
    return _values(explain_transposed(size, k, s, p.get("padding", "valid"), d, None if a is None else pairs(a, n),
                                      convention="keras"))


def _pool(n: int, p: dict, size: Shape, kind: str) -> Prediction:
    k = pairs(p["pool_size"], n)
    s = pairs(p.get("strides") or p["pool_size"], n)
    return _values(explain_pool(size, k, s, p.get("padding", "valid"), kind=kind, convention="keras"))


def _upsample(n: int, p: dict, size: Shape) -> Prediction:
    return _values(explain_upsample(size, size=pairs(p["size"], n), convention="keras"))


def _border(n: int, p: dict, size: Shape, sign: int) -> Prediction:
    """ZeroPadding (sign +1) or Cropping (sign −1): o = i ± (before + after) per axis."""
    amounts = p["padding" if sign > 0 else "cropping"]
    amounts = [amounts] * n if isinstance(amounts, int) else list(amounts)
    if n == 1 and len(amounts) == 2 and all(isinstance(a, int) for a in amounts):
        amounts = [tuple(amounts)]
    formulas = []
    for i, amount in zip(size, amounts):
        b, e = pairs(amount, 2)
        o, op = i + sign * (b + e), "+" if sign > 0 else "−"
        formulas.append(Formula(f"o = i {op} before {op} after", f"{i} {op} {b} {op} {e} = {o}",
                                rf"o = i {'+' if sign > 0 else '-'} b {'+' if sign > 0 else '-'} e",
                                f"{i} {'+' if sign > 0 else '-'} {b} {'+' if sign > 0 else '-'} {e} = {o}", o))
    return _values(tuple(formulas))


_SPATIAL: dict[str, Callable[[int, dict, Shape], Prediction]] = {
    r"(Separable|Depthwise)?Conv(\d)D": _conv,
    r"Conv(\d)DTranspose": _transposed,
    r"MaxPooling(\d)D": lambda n, p, x: _pool(n, p, x, "max"),
    r"AveragePooling(\d)D": lambda n, p, x: _pool(n, p, x, "avg"),
    r"UpSampling(\d)D": _upsample,
    r"ZeroPadding(\d)D": lambda n, p, x: _border(n, p, x, 1),
    r"Cropping(\d)D": lambda n, p, x: _border(n, p, x, -1),
}


def _flat(op: str, p: dict, x: Shape) -> Prediction:
    if op == "Dense":
        o = p["units"]
        return (Formula("out = units", f"{o}", r"\mathrm{out} = \mathrm{units}", f"{o}", o),), (o,)
    sizes = x[1:]
    o = math.prod(sizes)
    latex = r" \cdot ".join(map(str, sizes))
    formula = Formula("o = product of the non-batch axes", f"{'·'.join(map(str, sizes))} = {o}",
                      r"o = \prod_a n_a", f"{latex} = {o}", o)
    return (formula,), (o,)


def _global(op: str, p: dict, x: Shape, channels_last: bool) -> Prediction:
    """GlobalAveragePooling*D / GlobalMaxPooling*D: the spatial axes pooled to 1 (``keepdims``) or removed, the
    channels kept."""
    n = int(re.search(r"(\d)D$", op).group(1))
    if p.get("keepdims"):
        return (Formula("o = 1", "1", "o = 1", "1", 1),) * n, (1,) * n
    c = x[-1] if channels_last else x[1]
    return (Formula("out = channels", f"C = {c}", r"\mathrm{out} = C", f"C = {c}", c,
                    f"the {'×'.join(map(str, spatial_of(x, n, channels_last)))} axes pooled away"),), (c,)


def _reshape(p: dict, x: Shape) -> Prediction:
    """Reshape(target_shape): the values per sample kept; a -1 takes what the others leave."""
    values = math.prod(x[1:])
    target = list(p["target_shape"])
    if -1 in target:
        target[target.index(-1)] = values // math.prod(n for n in target if n != -1)
    if math.prod(target) != values:
        return (), None
    shown = "·".join(map(str, target))
    text = f"{'·'.join(map(str, x[1:]))} = {shown} = {values}"
    dot = r" \cdot "
    latex = f"{dot.join(map(str, x[1:]))} = {dot.join(map(str, target))}"
    return tuple(Formula("values per sample kept", text, r"\prod i = \prod o", latex, n) for n in target), \
        tuple(target)


def keras_predict(op: str, params: dict, inputs: Sequence[Shape], channels_last: bool) -> Prediction:
    """convmath's formulas and predicted spatial sizes for a Keras layer, or ``((), None)``."""
    if not inputs:
        return (), None
    try:
        if op in ("Dense", "Flatten"):
            return _flat(op, params, inputs[0])
        if op == "Reshape":
            return _reshape(params, inputs[0])
        if re.fullmatch(r"Global(Average|Max)Pooling\dD", op):
            return _global(op, params, inputs[0], params.get("data_format", "channels_last") == "channels_last")
        for pattern, predictor in _SPATIAL.items():
            match = re.fullmatch(pattern, op)
            if match:
                n = int(match.groups()[-1])
                return predictor(n, params, spatial_of(inputs[0], n, channels_last))
    except (KeyError, TypeError, ValueError):
        return (), None  # parameters convmath cannot read: no prediction
    return (), None
