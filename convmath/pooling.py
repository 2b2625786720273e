"""Output sizes of pooling, adaptive pooling, upsampling and pixel (un)shuffling, and the inverse of pooling.

Two conventions are mirrored exactly, refusals included:

- ``"torch"``: ``nn.MaxPool*d`` / ``nn.AvgPool*d`` (``kind="avg"``), ``F.interpolate`` / ``nn.Upsample``,
  ``nn.AdaptiveAvgPool*d`` / ``nn.AdaptiveMaxPool*d``, ``nn.PixelShuffle`` / ``nn.PixelUnshuffle``.
- ``"keras"``: Keras 3 ``MaxPooling*D`` / ``AveragePooling*D`` and ``UpSampling*D``.

Sizes are an int (one spatial axis) or a per-axis tuple; each parameter is then an int or a per-axis tuple,
and the result has the same form as the size (as in :mod:`convmath.arithmetic`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, Sequence, Union

from .validate import ConvArithmeticError, as_int, check_convention, fmt_value, per_axis, spatial_sizes, term

__all__ = [
    "PoolAxis",
    "POOL_KINDS",
    "pool_axes",
    "pool_axis_size",
    "pool_output_size",
    "pool_input_sizes",
    "keras_same_pads",
    "upsample_output_size",
    "upsample_factors",
    "adaptive_pool_output_size",
    "adaptive_pool_windows",
    "pixel_shuffle_shape",
    "pixel_unshuffle_shape",
]

POOL_KINDS = ("max", "avg")
Size = Union[int, Sequence[int]]
_POSITIVE = "a positive integer (1, 2, 3, ...)"


@dataclass(frozen=True)
class PoolAxis:
    """One spatial axis of a validated pooling layer; ``padding`` is an int (torch) or 'valid' / 'same' (keras)."""

    kernel: int
    stride: int
    padding: int | str
    dilation: int
    ceil_mode: bool
    convention: str
    kind: str

    @property
    def effective_kernel(self) -> int:
        """k̂ = d(k − 1) + 1, the span of the (dilated) window."""
        return self.dilation * (self.kernel - 1) + 1


def _kind(kind: str) -> str:
    if kind not in POOL_KINDS:
        raise ConvArithmeticError(f"{term('kind', kind)} is unknown: use 'max' or 'avg'.")
    return kind


def _keras_padding(padding: Any) -> str:
    text = padding.lower() if isinstance(padding, str) else padding
    if text not in ("valid", "same"):
        raise ConvArithmeticError(
            f"{term('padding', padding)} is not supported by Keras pooling layers: use 'valid' or 'same'.")
    return text


def _torch_padding(padding: Any, kernel: int) -> int:
    if isinstance(padding, str):
        raise ConvArithmeticError(
            f"{term('padding', padding)} is not supported by PyTorch's pooling layers: give an int, at most half "
            f"the kernel (0..{kernel // 2} here).")
    p = as_int("padding", padding, 0, "a non-negative integer")
    if 2 * p > kernel:
        raise ConvArithmeticError(
            f"{term('padding', p)} is more than half of {term('kernel', kernel)}: PyTorch's pooling allows "
            f"0..{kernel // 2}.")
    return p


def _keras_refusals(dilation: Any, ceil_mode: bool) -> None:
    if any(d != 1 for d in (dilation if isinstance(dilation, (tuple, list)) else (dilation,))):
        raise ConvArithmeticError(f"{term('dilation', dilation)} is not supported by Keras pooling layers: "
                                  "they have no dilation (use 1).")
    if ceil_mode:
        raise ConvArithmeticError(f"{term('ceil_mode', True)} is not supported by Keras pooling layers: "
                                  "use padding='same' for a ceiling.")


def pool_axes(n: int, is_tuple: bool, kernel, stride, padding, dilation, ceil_mode: bool, convention: str,
              kind: str = "max", *, size_name: str = "i") -> list[PoolAxis]:
    """Validate the pooling parameters (the parts that do not depend on the input size), one per axis."""
    check_convention(convention)
    _kind(kind)
    if convention == "keras":
        _keras_refusals(dilation, ceil_mode)
    elif kind == "avg" and any(d != 1 for d in (dilation if isinstance(dilation, (tuple, list)) else (dilation,))):
        raise ConvArithmeticError(f"{term('dilation', dilation)} is not supported by PyTorch's AvgPool: "
                                  "only MaxPool has dilation (use 1).")
    kernels = per_axis("kernel", kernel, n, is_tuple, size_name)
    strides = per_axis("stride", kernel if stride is None else stride, n, is_tuple, size_name)
    paddings = [padding] * n if isinstance(padding, str) else per_axis("padding", padding, n, is_tuple, size_name)
    dilations = per_axis("dilation", dilation, n, is_tuple, size_name)
    axes = []
    for k, s, p, d in zip(kernels, strides, paddings, dilations):
        k = as_int("kernel", k, 1, _POSITIVE)
        s = as_int("stride", s, 1, _POSITIVE + " or None (the kernel)")
        d = as_int("dilation", d, 1, _POSITIVE)
        p = _keras_padding(p) if convention == "keras" else _torch_padding(p, k)
        axes.append(PoolAxis(k, s, p, d, bool(ceil_mode), convention, kind))
    return axes


def _raw_size(i: int, a: PoolAxis) -> int:
    """The pooled size before the empty-output check (may be below 1)."""
    if a.convention == "keras":
        if a.padding == "same":
            return -(-i // a.stride)
        return (i - a.kernel) // a.stride + 1
    span = i + 2 * a.padding - a.effective_kernel
    if not a.ceil_mode:
        return span // a.stride + 1
    o = -(-span // a.stride) + 1
    if (o - 1) * a.stride >= i + a.padding:
        o -= 1  # the last window would start in the right padding: PyTorch drops it
    return o


def pool_axis_size(i: int, a: PoolAxis, n_axes: int = 1) -> int:
    """The pooled size on one validated axis (raises if the window does not fit, as the real layer does)."""
    if a.convention == "torch" and a.kind == "avg" and n_axes == 3 and i < a.kernel:
        raise ConvArithmeticError(
            f"input size {i} is smaller than {term('kernel', a.kernel)}: PyTorch's AvgPool3d needs every input "
            f"axis at least as large as the kernel, whatever the padding.")
    o = _raw_size(i, a)
    if o < 1:
        pad = f" with {term('padding', a.padding)}" if a.padding else ""
        raise ConvArithmeticError(
            f"input size {i} is too small for {term('kernel', a.kernel)}{pad} (window span "
            f"{a.effective_kernel}): the pooled size would be {o}; use an input of at least "
            f"{_smallest_input(a, n_axes)}.")
    return o


def _smallest_input(a: PoolAxis, n_axes: int) -> int:
    i = 1
    while _raw_size(i, a) < 1 or (a.kind == "avg" and n_axes == 3 and a.convention == "torch" and i < a.kernel):
        i += 1
    return i


def _form(values: list, is_tuple: bool):
    return tuple(values) if is_tuple else values[0]


def pool_output_size(i: Size, kernel, stride=None, padding=0, dilation=1, ceil_mode: bool = False, *,
                     kind: str = "max", convention: str = "torch"):
    """Output size of ``MaxPool*d`` / ``AvgPool*d`` (torch; ``kind="avg"``) or ``MaxPooling*D`` /
    ``AveragePooling*D`` (keras, padding 'valid' or 'same'); ``stride=None`` means the kernel.

    >>> pool_output_size(5, 2, stride=3, padding=1, ceil_mode=True)
    2
    >>> pool_output_size((7, 8), 2, padding="same", convention="keras")
    (4, 4)
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    if convention == "keras" and padding == 0:
        padding = "valid"  # Keras' default
    axes = pool_axes(len(sizes), is_tuple, kernel, stride, padding, dilation, ceil_mode, convention, kind)
    out = [pool_axis_size(n, a, len(sizes)) for n, a in zip(sizes, axes)]
    _keras_avg3d_check(sizes, axes)
    return _form(out, is_tuple)


def keras_same_pads(i: int, a: PoolAxis) -> tuple[int, int]:
    """The zeros Keras adds (before, after) for padding='same': total (⌈i/s⌉ − 1)·s + k − i (k − 1 for
    stride 1), the extra one after."""
    total = a.kernel - 1 if a.stride == 1 else max(0, (-(-i // a.stride) - 1) * a.stride + a.kernel - i)
    return total // 2, total - total // 2


def _keras_avg3d_check(sizes: Sequence[int], axes: list[PoolAxis]) -> None:
    """Keras' AveragePooling3D 'same' (torch backend) hands even padding to torch's avg_pool3d, which needs every
    unpadded axis at least the pool size; uneven padding is applied first, and then it fits."""
    a = axes[0]
    if not (a.convention == "keras" and a.kind == "avg" and len(axes) == 3 and a.padding == "same"):
        return
    if all(b == e for b, e in (keras_same_pads(n, x) for n, x in zip(sizes, axes))):
        for n, x in zip(sizes, axes):
            if n < x.kernel:
                raise ConvArithmeticError(
                    f"input size {n} is smaller than {term('kernel', x.kernel)}: Keras' AveragePooling3D with "
                    "padding='same' (torch backend) needs every axis at least the pool size when the padding is "
                    "even on every axis.")


def _inputs_for(o: int, a: PoolAxis, n_axes: int) -> range:
    """Every input size pooled to ``o`` on one axis: the size grows by at most one per input step, so the
    sizes form one run, found by scanning a window of width about 2·stride around the formula's inverse."""
    if a.convention == "keras" and a.padding == "same":
        guess = (o - 1) * a.stride + 1
    elif a.convention == "keras":
        guess = (o - 1) * a.stride + a.kernel
    else:
        guess = (o - 1) * a.stride + a.effective_kernel - 2 * a.padding
    found = [i for i in range(max(1, guess - 2 * a.stride - 2), max(1, guess + 2 * a.stride + 2))
             if _accepts(i, a, n_axes) and _raw_size(i, a) == o]
    return range(found[0], found[-1] + 1) if found else range(0)


def _accepts(i: int, a: PoolAxis, n_axes: int) -> bool:
    try:
        pool_axis_size(i, a, n_axes)
    except ConvArithmeticError:
        return False
    return True


def pool_input_sizes(o: Size, kernel, stride=None, padding=0, dilation=1, ceil_mode: bool = False, *,
                     kind: str = "max", convention: str = "torch"):
    """Every input size that the pooling layer maps to ``o`` (the ambiguity ``MaxUnpool``'s ``output_size``
    resolves); an empty range if none.

    >>> list(pool_input_sizes(2, 2))
    [4, 5]
    """
    sizes, is_tuple = spatial_sizes("o", o, "a positive integer (the output size)")
    if convention == "keras" and padding == 0:
        padding = "valid"
    axes = pool_axes(len(sizes), is_tuple, kernel, stride, padding, dilation, ceil_mode, convention, kind,
                     size_name="o")
    return _form([_inputs_for(n, a, len(sizes)) for n, a in zip(sizes, axes)], is_tuple)


def _factor(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ConvArithmeticError(
            f"{term('scale_factor', value)} is not allowed: {term('scale_factor')} must be a positive number "
            "(2, 0.5, ...) or one per axis.")
    return float(value)


def upsample_factors(n: int, is_tuple: bool, scale_factor=None, size=None, convention: str = "torch") -> list:
    """Per axis: ('scale', factor) or ('size', output size) for torch; ('size', integer factor) for keras."""
    check_convention(convention)
    if convention == "keras":
        if scale_factor is not None:
            raise ConvArithmeticError(f"{term('scale_factor', scale_factor)} is not a Keras UpSampling argument: "
                                      f"give {term('size')}, the integer factor per axis.")
        if size is None:
            size = 2  # Keras' default
        return [("size", as_int("size", s, 1, "a positive integer factor")) for s in
                per_axis("size", size, n, is_tuple, "i")]
    if (size is None) == (scale_factor is None):
        both = "both" if size is not None else "neither"
        raise ConvArithmeticError(f"{term('size')} and {term('scale_factor')}: {both} given; PyTorch's "
                                  "interpolate takes exactly one of them.")
    if size is not None:
        return [("size", as_int("size", s, 1, "a positive integer (the output size)"))
                for s in per_axis("size", size, n, is_tuple, "i")]
    return [("scale", _factor(f)) for f in per_axis("scale_factor", scale_factor, n, is_tuple, "i")]


def upsample_output_size(i: Size, *, scale_factor=None, size=None, convention: str = "torch"):
    """Output size of ``F.interpolate`` / ``nn.Upsample`` (torch: ⌊i·scale_factor⌋, or ``size``) or Keras
    ``UpSampling*D(size=n)`` (i·n; Keras' ``size`` is the integer factor, 2 by default).

    >>> upsample_output_size(7, scale_factor=1.5), upsample_output_size((7, 4), size=(2, 3), convention="keras")
    (10, (14, 12))
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    factors = upsample_factors(len(sizes), is_tuple, scale_factor, size, convention)
    out = []
    for n, (how, value) in zip(sizes, factors):
        if how == "size":
            out.append(n * value if convention == "keras" else value)
            continue
        o = math.floor(n * value)
        if o < 1:
            raise ConvArithmeticError(
                f"{term('scale_factor', value)} shrinks input size {n} to ⌊{n}·{fmt_value(value)}⌋ = {o}: "
                f"use a factor of at least {fmt_value(1 / n)}.")
        out.append(o)
    return _form(out, is_tuple)


def adaptive_pool_output_size(i: Size, output_size):
    """Output size of ``nn.AdaptiveAvgPool*d`` / ``AdaptiveMaxPool*d``: ``output_size``, where a None entry
    keeps that axis' input size.

    >>> adaptive_pool_output_size((5, 9), (None, 3))
    (5, 3)
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    targets = per_axis("output_size", output_size, len(sizes), is_tuple, "i")
    return _form([n if t is None else as_int("output_size", t, 1, "a positive integer or None (keep the size)")
                  for n, t in zip(sizes, targets)], is_tuple)


def adaptive_pool_windows(i: int, o: int) -> list[tuple[int, int]]:
    """The input cells [start, end) each of the ``o`` outputs of an adaptive pool covers on an axis of size
    ``i``: start ⌊j·i/o⌋, end ⌈(j+1)·i/o⌉.

    >>> adaptive_pool_windows(5, 3)
    [(0, 2), (1, 4), (3, 5)]
    """
    i = as_int("i", i, 1, "a positive integer (the input size)")
    o = as_int("o", o, 1, "a positive integer (the output size)")
    return [(j * i // o, -(-(j + 1) * i // o)) for j in range(o)]


def _shuffle_args(channels, size, factor, name: str) -> tuple[int, tuple[int, ...], bool, int]:
    c = as_int("channels", channels, 1, "a positive integer")
    r = as_int(name, factor, 1, "a positive integer")
    sizes, is_tuple = spatial_sizes("i", size, "a positive integer (the input size)")
    if is_tuple and len(sizes) != 2:
        raise ConvArithmeticError(f"{term('i', tuple(sizes))} has {len(sizes)} axes: PixelShuffle and "
                                  "PixelUnshuffle work on (H, W), 2 axes.")
    return c, sizes, is_tuple, r


def pixel_shuffle_shape(channels: int, size: Size, upscale_factor: int):
    """(channels, size) after ``nn.PixelShuffle(r)``: (C/r², i·r); C must be divisible by r².

    >>> pixel_shuffle_shape(12, (4, 5), 2)
    (3, (8, 10))
    """
    c, sizes, is_tuple, r = _shuffle_args(channels, size, upscale_factor, "upscale_factor")
    if c % (r * r):
        raise ConvArithmeticError(
            f"{term('channels', c)} is not divisible by {term('upscale_factor', r)} squared ({r * r}): "
            f"PixelShuffle needs a multiple of {r * r} channels (e.g. {max(r * r, c - c % (r * r))}).")
    return c // (r * r), _form([n * r for n in sizes], is_tuple)


def pixel_unshuffle_shape(channels: int, size: Size, downscale_factor: int):
    """(channels, size) after ``nn.PixelUnshuffle(r)``: (C·r², i/r); every spatial size divisible by r.

    >>> pixel_unshuffle_shape(3, (8, 10), 2)
    (12, (4, 5))
    """
    c, sizes, is_tuple, r = _shuffle_args(channels, size, downscale_factor, "downscale_factor")
    for n in sizes:
        if n % r:
            raise ConvArithmeticError(
                f"input size {n} is not divisible by {term('downscale_factor', r)}: PixelUnshuffle needs sizes "
                f"that are multiples of {r} (e.g. {max(r, n - n % r)}).")
    return c * r * r, _form([n // r for n in sizes], is_tuple)
