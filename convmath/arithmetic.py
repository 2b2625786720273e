"""Output sizes of convolutions and transposed convolutions, and the inverse (ambiguity) questions.

Two conventions are mirrored exactly, refusals included:

- ``"torch"``: ``torch.nn.Conv*d`` / ``ConvTranspose*d``.
- ``"keras"``: Keras 3 ``Conv*D`` / ``Conv*DTranspose``.

Every public function takes one spatial size (an int) or one per axis (a tuple); each parameter is then
an int or a per-axis tuple, and the result has the same form as the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

from .validate import (CONVENTIONS, ConvArithmeticError, PadPair, as_int, check_convention, per_axis, spatial_sizes,
                       term)

__all__ = [
    "ConvArithmeticError",
    "AxisParams",
    "conv_output_size",
    "transposed_output_size",
    "conv_input_sizes",
    "output_padding_for",
    "axis_params",
    "conv_axis_size",
    "transposed_axis_size",
    "output_paddings",
    "reachable_sizes",
    "keras_transposed_pad",
    "transposed_as_conv",
    "CONVENTIONS",
    "PADDING_STRINGS",
]

PADDING_STRINGS = ("valid", "same", "full", "causal")  # 'causal': Keras Conv1D only

Size = Union[int, Sequence[int]]
Padding = Union[int, str, Sequence]


@dataclass(frozen=True)
class AxisParams:
    """One spatial axis of a validated configuration; ``padding`` is an int, a (before, after) pair or a string."""

    kernel: int
    stride: int
    padding: int | tuple[int, int] | str
    dilation: int
    convention: str

    @property
    def effective_kernel(self) -> int:
        """k̂ = d(k − 1) + 1, the span of the dilated kernel."""
        return self.dilation * (self.kernel - 1) + 1

    def conv_pads(self, i: int) -> tuple[int, int]:
        """Zero rows/cols added (before, after) by the conv for input size ``i``."""
        p = self.padding
        if isinstance(p, tuple):
            return p
        if isinstance(p, int):
            return (p, p)
        span = self.effective_kernel - 1
        if p == "valid":
            return (0, 0)
        if p == "full":
            return (span, span)
        if p == "causal":
            return (span, 0)
        # "same"
        if self.convention == "torch":
            total = span
        else:
            o = -(-i // self.stride)
            total = max((o - 1) * self.stride + span + 1 - i, 0)
        return (total // 2, total - total // 2)


def _padding_per_axis(padding, n: int, is_tuple: bool, size_name: str) -> list:
    """Padding per axis: an int, a (before, after) pair or a string."""
    if isinstance(padding, (list, tuple)) and not is_tuple:
        if len(padding) != 2:
            raise ConvArithmeticError(
                f"{term('padding', tuple(padding))} is not allowed for a single axis: give one int, "
                "a (before, after) pair or 'valid'/'same'/'full'."
            )
        return [tuple(padding)]
    if isinstance(padding, (list, tuple)) and any(isinstance(v, str) for v in padding):
        raise ConvArithmeticError(
            f"{term('padding', tuple(padding))} mixes strings into per-axis values: 'valid', 'same' and 'full' "
            "apply to every axis, so give one of them alone."
        )
    return per_axis("padding", padding, n, is_tuple, size_name)


def _normalise_padding(p, convention: str, transposed: bool):
    if isinstance(p, str) and convention == "keras":
        p = p.lower()  # Keras takes 'SAME' and 'Valid' too
    if isinstance(p, str):
        if p not in PADDING_STRINGS:
            raise ConvArithmeticError(
                f"{term('padding', p)} is unknown: use an int, a (before, after) pair, 'valid', 'same' or 'full' "
                "('causal' with Keras Conv1D)."
            )
        if p == "causal" and (convention != "keras" or transposed):
            raise ConvArithmeticError(
                f"{term('padding', 'causal')} exists only for Keras Conv1D: with PyTorch or a transposed conv, pad the "
                "start by d(k-1) instead, e.g. padding=(d(k-1), 0)."
            )
        if transposed and convention == "torch":
            raise ConvArithmeticError(
                f"{term('padding', p)} is not supported by PyTorch's ConvTranspose: padding must be a "
                f"non-negative int (use {term('padding', 0)} for 'valid', or {term('convention', 'keras')})."
            )
        if convention == "keras" and p == "full":
            raise ConvArithmeticError(
                f"{term('padding', 'full')} is not supported by Keras conv layers: use 'valid' or 'same'."
            )
        return p
    if convention == "keras":
        raise ConvArithmeticError(
            f"{term('padding', PadPair(p) if isinstance(p, tuple) else p)} is not supported by Keras conv layers: "
            "use 'valid' or 'same' "
            "(explicit zeros come from a ZeroPadding layer before a 'valid' conv)."
        )
    if isinstance(p, tuple):
        if transposed:
            raise ConvArithmeticError(
                f"{term('padding', PadPair(p))} is not supported by PyTorch's ConvTranspose: padding must be one "
                "non-negative int per axis."
            )
        allowed = "a non-negative integer"
        return (as_int("padding", p[0], 0, allowed), as_int("padding", p[1], 0, allowed))
    return as_int("padding", p, 0, "a non-negative integer, a (before, after) pair, 'valid', 'same' or 'full'")


def axis_params(
    n: int,
    is_tuple: bool,
    kernel,
    stride,
    padding,
    dilation,
    convention: str,
    *,
    transposed: bool = False,
    size_name: str = "i",
) -> list[AxisParams]:
    """Validate the layer parameters (the parts that do not depend on the input size), one per axis."""
    check_convention(convention)
    kernels = per_axis("kernel", kernel, n, is_tuple, size_name)
    strides = per_axis("stride", stride, n, is_tuple, size_name)
    dilations = per_axis("dilation", dilation, n, is_tuple, size_name)
    paddings = _padding_per_axis(padding, n, is_tuple, size_name)
    if n > 1 and "causal" in (p.lower() for p in paddings if isinstance(p, str)):
        raise ConvArithmeticError(
            f"{term('padding', 'causal')} exists only for Keras Conv1D, but {term(size_name)} has {n} axes: "
            "use 'valid' or 'same'."
        )
    axes = []
    for k, s, p, d in zip(kernels, strides, paddings, dilations):
        k = as_int("kernel", k, 1, "a positive integer (1, 2, 3, ...)")
        s = as_int("stride", s, 1, "a positive integer (1, 2, 3, ...)")
        d = as_int("dilation", d, 1, "a positive integer (1, 2, 3, ...)")
        p = _normalise_padding(p, convention, transposed)
        axes.append(AxisParams(k, s, p, d, convention))
    _check_combinations(axes, convention, padding, stride, dilation)
    return axes


def _check_combinations(axes: list[AxisParams], convention: str, padding, stride, dilation) -> None:
    strided = any(a.stride > 1 for a in axes)
    if convention == "torch" and strided and any(a.padding == "same" for a in axes):
        s = next(a.stride for a in axes if a.stride > 1)
        fix = [(a.effective_kernel - 1) // 2 for a in axes]
        fix_text = fix[0] if len(set(fix)) == 1 else tuple(fix)
        raise ConvArithmeticError(
            f"{term('padding', 'same')} is not supported by PyTorch for {term('stride', s)}: it needs stride 1 "
            f"(use {term('padding', fix_text)} with the stride, or {term('convention', 'keras')})."
        )
    if convention == "keras" and strided and any(a.dilation > 1 for a in axes):
        raise ConvArithmeticError(
            f"{term('stride', stride)} with {term('dilation', dilation)} is not supported by Keras: "
            "strides > 1 cannot be combined with dilation_rate > 1 (use one or the other)."
        )


def _form(values: list, is_tuple: bool):
    return tuple(values) if is_tuple else values[0]


def conv_axis_size(i: int, a: AxisParams) -> int:
    """The conv output size on one validated axis (raises if the padded input is smaller than the kernel)."""
    before, after = a.conv_pads(i)
    padded = i + before + after
    k_hat = a.effective_kernel
    if a.convention == "keras" and a.padding == "same":
        return -(-i // a.stride)
    if padded < k_hat:
        pad_text = "" if (before, after) == (0, 0) else f" with padding {before}+{after}"
        raise ConvArithmeticError(
            f"input size {i} is too small for kernel {a.kernel} (dilation {a.dilation}, span {k_hat})"
            f"{pad_text}: the padded input ({padded}) must be at least {k_hat}; "
            f"use an input of at least {k_hat - before - after} or more padding."
        )
    return (padded - k_hat) // a.stride + 1


def conv_output_size(i: Size, kernel, stride=1, padding: Padding = 0, dilation=1, *, convention: str = "torch"):
    """Output size of ``Conv*d`` (torch) or ``Conv*D`` (keras) for input size ``i``.

    >>> conv_output_size(28, 3, stride=2, padding=1)
    14
    >>> conv_output_size((5, 6), 3, stride=2, padding="same", convention="keras")
    (3, 3)
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention)
    return _form([conv_axis_size(n, a) for n, a in zip(sizes, axes)], is_tuple)


def _padding_limit(a: AxisParams) -> int:
    """output_padding must stay below this (torch: stride or dilation; keras: stride)."""
    return max(a.stride, a.dilation) if a.convention == "torch" else a.stride


def output_paddings(output_padding, sizes: tuple[int, ...], is_tuple: bool, axes: list[AxisParams]) -> list:
    """output_padding per axis, each checked against its limit (None per axis: Keras infers the size)."""
    if output_padding is None:
        if axes[0].convention == "torch":
            raise ConvArithmeticError(
                f"{term('output_padding', None)} is only meaningful for Keras (inferred size): PyTorch needs an int "
                "(0 by default)."
            )
        return [None] * len(sizes)
    values = per_axis("output_padding", output_padding, len(sizes), is_tuple, "i")
    out = []
    for v, n, a in zip(values, sizes, axes):
        v = as_int("output_padding", v, 0, "a non-negative integer")
        if v >= _padding_limit(a):
            raise ConvArithmeticError(_output_padding_message(v, a, n))
        out.append(v)
    return out


def _output_padding_message(v: int, a: AxisParams, i: int) -> str:
    if a.convention == "torch":
        head = f"{term('output_padding', v)} must be smaller than stride ({a.stride}) or dilation ({a.dilation})"
    else:
        head = f"{term('output_padding', v)} must be smaller than stride ({a.stride}) in Keras"
    return f"{head}; {_reachable_text(i, a)}."


def reachable_sizes(i: int, a: AxisParams) -> range:
    """The sizes (at least 1) the transposed conv of size ``i`` gives on axis ``a`` with some output_padding."""
    low = _transposed_size(i, a, 0)
    return range(max(low, 1), low + _padding_limit(a))


def _reachable_text(i: int, a: AxisParams) -> str:
    sizes, low = reachable_sizes(i, a), _transposed_size(i, a, 0)
    if not sizes:
        return f"no size is reachable from {term('i', i)} with {term('output_padding')} 0..{_padding_limit(a) - 1}"
    if len(sizes) == 1:
        return f"only size {sizes.start} is reachable, with {term('output_padding')} {sizes.start - low}"
    pads = f"{sizes.start - low}..{sizes.stop - 1 - low}"
    return f"sizes {sizes.start}..{sizes.stop - 1} are reachable with {term('output_padding')} {pads}"


def keras_transposed_pad(a: AxisParams) -> int:
    """The zeros Keras's Conv*DTranspose crops per side once output_padding is given: 0 ('valid'), k̂ // 2 ('same')."""
    return {"valid": 0, "same": a.effective_kernel // 2}[a.padding]


def _transposed_size(i: int, a: AxisParams, op: int | None) -> int:
    """The transposed conv's size formula, possibly below 1 (then the op refuses)."""
    k_hat, s = a.effective_kernel, a.stride
    if a.convention == "keras":
        if op is None:
            return i * s + max(k_hat - s, 0) if a.padding == "valid" else i * s
        return (i - 1) * s + k_hat - 2 * keras_transposed_pad(a) + op
    return (i - 1) * s - 2 * a.padding + k_hat - 1 + op + 1


def transposed_axis_size(i: int, a: AxisParams, op: int | None) -> int:
    """The transposed-conv output size on one validated axis (raises if it would be below 1)."""
    o = _transposed_size(i, a, op)
    if o < 1:
        raise ConvArithmeticError(
            f"{term('padding', a.padding)} crops too much: the transposed conv of size {i} with kernel "
            f"{a.kernel}, stride {a.stride}, dilation {a.dilation} would give size {o}; "
            "use less padding or a larger input."
        )
    return o


def transposed_as_conv(i: int, a: AxisParams, op: int) -> tuple[int, int, int]:
    """The direct convolution equal to PyTorch's transposed conv of size ``i`` on one axis, as (zero-inserted
    size (i − 1)·s + 1, border before d(k − 1) − p, border after d(k − 1) − p + output_padding); a negative
    border crops. Convolving that with the flipped kernel, stride 1, gives the transposed conv.

    >>> transposed_as_conv(3, axis_params(1, False, 3, 2, 1, 1, "torch", transposed=True)[0], 1)
    (5, 1, 2)
    """
    border = a.effective_kernel - 1 - a.padding
    return (i - 1) * a.stride + 1, border, border + op


def transposed_output_size(
    i: Size,
    kernel,
    stride=1,
    padding: Padding = 0,
    dilation=1,
    output_padding=0,
    *,
    convention: str = "torch",
):
    """Output size of ``ConvTranspose*d`` (torch) or ``Conv*DTranspose`` (keras) for input size ``i``.

    With ``convention="keras"``, ``output_padding=None`` means Keras infers the size.

    >>> transposed_output_size(14, 3, stride=2, padding=1, output_padding=1)
    28
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention, transposed=True)
    ops = output_paddings(output_padding, sizes, is_tuple, axes)
    return _form([transposed_axis_size(n, a, op) for n, a, op in zip(sizes, axes, ops)], is_tuple)


def _input_range(o: int, a: AxisParams) -> range:
    s, k_hat = a.stride, a.effective_kernel
    if a.padding == "same":
        if a.convention == "torch":
            return range(o, o + 1)
        return range((o - 1) * s + 1, o * s + 1)
    before, after = a.conv_pads(1)  # int, pair, 'valid', 'full', 'causal' pads do not depend on the input size
    low = (o - 1) * s + k_hat - before - after
    high = low + s  # exclusive
    return range(max(low, 1), max(high, 1))


def conv_input_sizes(o: Size, kernel, stride=1, padding: Padding = 0, dilation=1, *, convention: str = "torch"):
    """Every input size that the conv maps to output size ``o`` (the ambiguity set); empty if none.

    >>> list(conv_input_sizes(3, 3, stride=2, padding=1))
    [5, 6]
    """
    sizes, is_tuple = spatial_sizes("o", o, "a positive integer (the output size)")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention, size_name="o")
    return _form([_input_range(n, a) for n, a in zip(sizes, axes)], is_tuple)


def output_padding_for(
    target: Size, i: Size, kernel, stride=1, padding: Padding = 0, dilation=1, *, convention: str = "torch"
):
    """The output_padding that makes the transposed conv of size ``i`` produce ``target``.

    >>> output_padding_for(6, 3, 3, stride=2, padding=1)
    1
    """
    targets, t_tuple = spatial_sizes("target", target, "a positive integer (the wanted output size)")
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    if t_tuple != is_tuple or len(targets) != len(sizes):
        raise ConvArithmeticError(
            f"{term('target', target)} and {term('i', i)} must have the same form: both ints or tuples of one length."
        )
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention, transposed=True)
    result = []
    for t, n, a in zip(targets, sizes, axes):
        if t not in reachable_sizes(n, a):
            raise ConvArithmeticError(
                f"{term('target', t)} cannot be reached from {term('i', n)}: {_reachable_text(n, a)}.")
        result.append(t - _transposed_size(n, a, 0))
    return _form(result, is_tuple)
