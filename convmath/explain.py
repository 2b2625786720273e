"""The output-size formula with the user's numbers substituted, as plain text and LaTeX."""

from __future__ import annotations

from dataclasses import dataclass

from .arithmetic import (
    AxisParams,
    Padding,
    Size,
    axis_params,
    conv_axis_size,
    conv_output_size,
    keras_transposed_pad,
    output_paddings,
    transposed_axis_size,
    transposed_output_size,
)
from .pooling import (PoolAxis, adaptive_pool_output_size, pixel_shuffle_shape, pixel_unshuffle_shape,
                      pool_axes, pool_axis_size, upsample_factors, upsample_output_size)
from .validate import ConvArithmeticError, fmt_value, spatial_sizes

__all__ = ["Formula", "explain_border", "explain_conv", "explain_transposed", "explain_pool", "explain_upsample",
           "explain_adaptive_pool", "explain_pixel_shuffle", "layer_code"]


@dataclass(frozen=True)
class Formula:
    """One axis's formula: symbolic, substituted, and the value (what the real op returns)."""

    symbolic: str
    substituted: str
    latex_symbolic: str
    latex: str
    value: int
    note: str = ""

    @property
    def text(self) -> str:
        """``symbolic = substituted`` on one line, with the note if any."""
        line = f"{self.symbolic} = {self.substituted}"
        return f"{line}   ({self.note})" if self.note else line


def _khat(a: AxisParams, sign: str) -> tuple[str, str, str, str]:
    """The term ``± k̂`` (k̂ = d(k − 1) + 1) as (text, latex, text with numbers, latex with numbers)."""
    minus = sign == "-"
    t, l = ("−", "-") if minus else ("+", "+")
    if a.dilation == 1:
        return f"{t} k", f"{l} k", f"{t} {a.kernel}", f"{l} {a.kernel}"
    return (f"{t} d(k−1) {t} 1", f"{l} d(k-1) {l} 1",
            f"{t} {a.dilation}·({a.kernel}−1) {t} 1", rf"{l} {a.dilation}\cdot({a.kernel}-1) {l} 1")


def _conv_formula(i: int, a: AxisParams) -> Formula:
    o = conv_axis_size(i, a)
    s = a.stride
    k_t, k_l, k_n, k_nl = _khat(a, "-")
    if a.convention == "keras" and a.padding in ("same", "causal"):
        return Formula("o = ⌈i/s⌉", f"⌈{i}/{s}⌉ = {o}", r"o = \left\lceil \frac{i}{s} \right\rceil",
                       rf"\left\lceil \frac{{{i}}}{{{s}}} \right\rceil = {o}", o, f"Keras padding='{a.padding}'")
    before, after = a.conv_pads(i)
    if a.convention == "keras":  # 'valid'
        num = i - a.effective_kernel + 1
        return Formula(
            f"o = ⌈(i {k_t} + 1)/s⌉", f"⌈({i} {k_n} + 1)/{s}⌉ = ⌈{num}/{s}⌉ = {o}",
            rf"o = \left\lceil \frac{{i {k_l} + 1}}{{s}} \right\rceil",
            rf"\left\lceil \frac{{{i} {k_nl} + 1}}{{{s}}} \right\rceil = {o}", o, "Keras padding='valid'")
    num = i + before + after - a.effective_kernel
    if before == after:
        pad_t, pad_l, pad_n = "2p", "2p", f"2·{before}"
        pad_nl = rf"2\cdot{before}"
    else:
        pad_t, pad_l = "p₁ + p₂", "p_1 + p_2"
        pad_n = pad_nl = f"{before} + {after}"
    note = {"same": "padding='same'", "valid": "padding='valid'", "full": "padding='full'"}.get(
        a.padding if isinstance(a.padding, str) else "", "")
    return Formula(
        f"o = ⌊(i + {pad_t} {k_t})/s⌋ + 1",
        f"⌊({i} + {pad_n} {k_n})/{s}⌋ + 1 = ⌊{num}/{s}⌋ + 1 = {o}",
        rf"o = \left\lfloor \frac{{i + {pad_l} {k_l}}}{{s}} \right\rfloor + 1",
        rf"\left\lfloor \frac{{{i} + {pad_nl} {k_nl}}}{{{s}}} \right\rfloor + 1 = {o}", o, note)


def _transposed_formula(i: int, a: AxisParams, op: int | None) -> Formula:
    o = transposed_axis_size(i, a, op)
    s = a.stride
    k_t, k_l, k_n, k_nl = _khat(a, "+")
    if a.convention == "keras":
        if op is None and a.padding == "same":
            return Formula("o = i·s", f"{i}·{s} = {o}", r"o = i \cdot s", rf"{i} \cdot {s} = {o}", o,
                           "Keras padding='same', output_padding=None: inferred")
        if op is None:
            return Formula(
                f"o = i·s + max({k_t[2:]} − s, 0)", f"{i}·{s} + max({k_n[2:]} − {s}, 0) = {o}",
                rf"o = i \cdot s + \max({k_l[2:]} - s, 0)", rf"{i} \cdot {s} + \max({k_nl[2:]} - {s}, 0) = {o}", o,
                "Keras padding='valid', output_padding=None: inferred")
        pad = keras_transposed_pad(a)
        return Formula(
            f"o = (i − 1)·s {k_t} − 2·pad + a", f"({i} − 1)·{s} {k_n} − 2·{pad} + {op} = {o}",
            rf"o = (i - 1)\cdot s {k_l} - 2\cdot \mathrm{{pad}} + a",
            rf"({i} - 1)\cdot {s} {k_nl} - 2\cdot {pad} + {op} = {o}", o,
            f"Keras padding='{a.padding}': pad = {pad}")
    p = a.padding
    return Formula(
        f"o = (i − 1)·s − 2p {k_t} + a", f"({i} − 1)·{s} − 2·{p} {k_n} + {op} = {o}",
        rf"o = (i - 1)\cdot s - 2p {k_l} + a",
        rf"({i} - 1)\cdot {s} - 2\cdot {p} {k_nl} + {op} = {o}", o)


def explain_conv(i: Size, kernel, stride=1, padding: Padding = 0, dilation=1, *, convention: str = "torch"):
    """The conv output-size formula with numbers in: a ``Formula`` for an int ``i``, a tuple for a tuple.

    >>> explain_conv(5, 3, stride=2, padding=1).text
    'o = ⌊(i + 2p − k)/s⌋ + 1 = ⌊(5 + 2·1 − 3)/2⌋ + 1 = ⌊4/2⌋ + 1 = 3'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention)
    formulas = [_conv_formula(n, a) for n, a in zip(sizes, axes)]
    return tuple(formulas) if is_tuple else formulas[0]


def explain_transposed(
    i: Size, kernel, stride=1, padding: Padding = 0, dilation=1, output_padding=0, *, convention: str = "torch"
):
    """The transposed-conv output-size formula with numbers in (same form rules as ``explain_conv``).

    >>> explain_transposed(3, 3, stride=2, padding=1, output_padding=1).substituted
    '(3 − 1)·2 − 2·1 + 3 + 1 = 6'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention, transposed=True)
    ops = output_paddings(output_padding, sizes, is_tuple, axes)
    formulas = [_transposed_formula(n, a, op) for n, a, op in zip(sizes, axes, ops)]
    return tuple(formulas) if is_tuple else formulas[0]


def _pool_formula(i: int, a: PoolAxis, n_axes: int) -> Formula:
    o = pool_axis_size(i, a, n_axes)
    s = a.stride
    if a.convention == "keras" and a.padding == "same":
        return Formula("o = ⌈i/s⌉", f"⌈{i}/{s}⌉ = {o}", r"o = \left\lceil \frac{i}{s} \right\rceil",
                       rf"\left\lceil \frac{{{i}}}{{{s}}} \right\rceil = {o}", o, "Keras padding='same'")
    if a.convention == "keras":
        return Formula("o = ⌊(i − k)/s⌋ + 1", f"⌊({i} − {a.kernel})/{s}⌋ + 1 = {o}",
                       r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1",
                       rf"\left\lfloor \frac{{{i} - {a.kernel}}}{{{s}}} \right\rfloor + 1 = {o}", o,
                       "Keras padding='valid'")
    k_t, k_l, k_n, k_nl = _khat(AxisParams(a.kernel, s, a.padding, a.dilation, "torch"), "-")
    p = a.padding
    if not a.ceil_mode:
        return Formula(f"o = ⌊(i + 2p {k_t})/s⌋ + 1", f"⌊({i} + 2·{p} {k_n})/{s}⌋ + 1 = {o}",
                       rf"o = \left\lfloor \frac{{i + 2p {k_l}}}{{s}} \right\rfloor + 1",
                       rf"\left\lfloor \frac{{{i} + 2\cdot{p} {k_nl}}}{{{s}}} \right\rfloor + 1 = {o}", o)
    ceil = -(-(i + 2 * p - a.effective_kernel) // s) + 1
    note = "ceil_mode" if ceil == o else f"ceil_mode: the last window would start in the padding, so {ceil} − 1"
    return Formula(f"o = ⌈(i + 2p {k_t})/s⌉ + 1", f"⌈({i} + 2·{p} {k_n})/{s}⌉ + 1 = {o}",
                   rf"o = \left\lceil \frac{{i + 2p {k_l}}}{{s}} \right\rceil + 1",
                   rf"\left\lceil \frac{{{i} + 2\cdot{p} {k_nl}}}{{{s}}} \right\rceil + 1 = {o}", o, note)


def explain_pool(i: Size, kernel, stride=None, padding=0, dilation=1, ceil_mode: bool = False, *,
                 kind: str = "max", convention: str = "torch"):
    """The pooling output-size formula with numbers in (same form rules as ``explain_conv``).

    >>> explain_pool(5, 2, stride=3, padding=1, ceil_mode=True).substituted
    '⌈(5 + 2·1 − 2)/3⌉ + 1 = 2'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    if convention == "keras" and padding == 0:
        padding = "valid"
    axes = pool_axes(len(sizes), is_tuple, kernel, stride, padding, dilation, ceil_mode, convention, kind)
    formulas = [_pool_formula(n, a, len(sizes)) for n, a in zip(sizes, axes)]
    return tuple(formulas) if is_tuple else formulas[0]


def explain_upsample(i: Size, *, scale_factor=None, size=None, convention: str = "torch"):
    """The upsampling formula with numbers in: ⌊i·f⌋ (torch scale_factor), the size given (torch size), or
    i·n (Keras UpSampling size=n).

    >>> explain_upsample(7, scale_factor=1.5).text
    'o = ⌊i·f⌋ = ⌊7·1.5⌋ = 10'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    factors = upsample_factors(len(sizes), is_tuple, scale_factor, size, convention)
    outs = upsample_output_size(sizes, scale_factor=scale_factor, size=size, convention=convention)
    formulas = []
    for n, (how, v), o in zip(sizes, factors, outs):
        if convention == "keras":
            formulas.append(Formula("o = i·n", f"{n}·{v} = {o}", r"o = i \cdot n", rf"{n} \cdot {v} = {o}", o,
                                    f"Keras UpSampling size={v}"))
        elif how == "size":
            formulas.append(Formula("o = size", f"{o}", r"o = \mathrm{size}", f"{o}", o, "size given"))
        else:
            f = fmt_value(v).removesuffix(".0") if float(v).is_integer() else fmt_value(v)
            formulas.append(Formula("o = ⌊i·f⌋", f"⌊{n}·{f}⌋ = {o}", r"o = \lfloor i \cdot f \rfloor",
                                    rf"\lfloor {n} \cdot {f} \rfloor = {o}", o))
    return tuple(formulas) if is_tuple else formulas[0]


def explain_adaptive_pool(i: Size, output_size):
    """The adaptive-pool size (the size asked for, or the input's where None), windows ⌊j·i/o⌋..⌈(j+1)·i/o⌉.

    >>> explain_adaptive_pool(5, 3).text
    'o = output_size = 3   (window j covers ⌊j·5/3⌋ .. ⌈(j+1)·5/3⌉)'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    outs = adaptive_pool_output_size(sizes, output_size if is_tuple or output_size is None else (output_size,))
    formulas = [Formula("o = output_size", f"{o}", r"o = \mathrm{output\_size}", f"{o}", o,
                        f"window j covers ⌊j·{n}/{o}⌋ .. ⌈(j+1)·{n}/{o}⌉") for n, o in zip(sizes, outs)]
    return tuple(formulas) if is_tuple else formulas[0]


def explain_pixel_shuffle(channels: int, i: Size, factor: int, *, inverse: bool = False):
    """PixelShuffle (o = i·r, channels C/r²) or PixelUnshuffle (``inverse``: o = i/r, channels C·r²).

    >>> explain_pixel_shuffle(12, 4, 2).text
    'o = i·r = 4·2 = 8   (channels 12/2² = 3)'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    shape = pixel_unshuffle_shape if inverse else pixel_shuffle_shape
    c_out, outs = shape(channels, sizes if is_tuple else sizes[0], factor)
    outs = outs if is_tuple else (outs,)
    if inverse:
        formulas = [Formula("o = i/r", f"{n}/{factor} = {o}", r"o = i / r", rf"{n} / {factor} = {o}", o,
                            f"channels {channels}·{factor}² = {c_out}") for n, o in zip(sizes, outs)]
    else:
        formulas = [Formula("o = i·r", f"{n}·{factor} = {o}", r"o = i \cdot r", rf"{n} \cdot {factor} = {o}", o,
                            f"channels {channels}/{factor}² = {c_out}") for n, o in zip(sizes, outs)]
    return tuple(formulas) if is_tuple else formulas[0]


def _arg(values: list) -> str:
    """One value if every axis agrees, else the per-axis tuple."""
    return str(values[0]) if len(set(values)) == 1 else str(tuple(values))


def _shape(batch_first: str, sizes, channels: str, channels_last: bool) -> str:
    dims = ", ".join(str(n) for n in sizes)
    return f"({batch_first}, {dims}, {channels})" if channels_last else f"({batch_first}, {channels}, {dims})"


def _torch_code(n: int, axes: list[AxisParams], ops: list, transposed: bool) -> str:
    """The PyTorch module; asymmetric padding goes into an nn.ZeroPad*d in front."""
    args = ["C_in", "C_out", f"kernel_size={_arg([a.kernel for a in axes])}"]
    if any(a.stride != 1 for a in axes):
        args.append(f"stride={_arg([a.stride for a in axes])}")
    pads = [a.padding for a in axes]
    zero_pad = ""
    if any(isinstance(p, tuple) for p in pads):
        pairs = [p if isinstance(p, tuple) else (p, p) for p in pads]
        flat = tuple(v for pair in reversed(pairs) for v in pair)  # nn.ZeroPad*d: last axis first
        zero_pad = f"nn.ZeroPad{n}d({flat})"
    elif pads[0] in ("same", "valid"):
        args.append(f"padding='{pads[0]}'")
    elif pads[0] == "full":
        args.append(f"padding={_arg([a.effective_kernel - 1 for a in axes])}")
    elif any(p != 0 for p in pads):
        args.append(f"padding={_arg(pads)}")
    if transposed and any(op for op in ops):
        args.append(f"output_padding={_arg(ops)}")
    if any(a.dilation != 1 for a in axes):
        args.append(f"dilation={_arg([a.dilation for a in axes])}")
    layer = f"nn.{'ConvTranspose' if transposed else 'Conv'}{n}d({', '.join(args)})"
    return f"nn.Sequential({zero_pad}, {layer})" if zero_pad else layer


def _keras_code(n: int, axes: list[AxisParams], ops: list, transposed: bool) -> str:
    args = ["filters", f"kernel_size={_arg([a.kernel for a in axes])}"]
    if any(a.stride != 1 for a in axes):
        args.append(f"strides={_arg([a.stride for a in axes])}")
    args.append(f'padding="{axes[0].padding}"')
    if transposed and ops[0] is not None:
        args.append(f"output_padding={_arg(ops)}")
    if any(a.dilation != 1 for a in axes):
        args.append(f"dilation_rate={_arg([a.dilation for a in axes])}")
    return f"keras.layers.Conv{n}D{'Transpose' if transposed else ''}({', '.join(args)})"


def layer_code(
    i: Size,
    kernel,
    stride=1,
    padding: Padding = 0,
    dilation=1,
    output_padding=0,
    *,
    transposed: bool = False,
    convention: str = "torch",
) -> str:
    """The PyTorch module (or Keras layer) that does this, with its input and output shapes as a comment.

    An int ``i`` means one spatial axis (``Conv1d``); give ``(28, 28)`` for ``Conv2d``.

    >>> layer_code((28, 28), 3, stride=2, padding=1)
    'nn.Conv2d(C_in, C_out, kernel_size=3, stride=2, padding=1)  # (N, C_in, 28, 28) -> (N, C_out, 14, 14)'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    axes = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention, transposed=transposed)
    if transposed:
        ops = output_paddings(output_padding, sizes, is_tuple, axes)
        out = transposed_output_size(i, kernel, stride, padding, dilation, output_padding, convention=convention)
    else:
        ops = [0] * len(sizes)
        out = conv_output_size(i, kernel, stride, padding, dilation, convention=convention)
    outs = out if is_tuple else (out,)
    n = len(sizes)
    if convention == "keras":
        code = _keras_code(n, axes, ops, transposed)
        return f"{code}  # {_shape('N', sizes, 'C', True)} -> {_shape('N', outs, 'filters', True)}"
    code = _torch_code(n, axes, ops, transposed)
    return f"{code}  # {_shape('N', sizes, 'C_in', False)} -> {_shape('N', outs, 'C_out', False)}"


def explain_border(i: Size, before, after):
    """A padding (positive amounts) or cropping (negative torch pads, or Keras' Cropping as negatives) layer:
    o = i + before + after per axis; ``before`` / ``after`` an int or one per axis.

    >>> explain_border(28, 2, 2).text
    'o = i + before + after = 28 + 2 + 2 = 32'
    >>> explain_border((7, 8), -1, (0, -1))[1].substituted
    '8 − 1 − 1 = 6'
    """
    sizes, is_tuple = spatial_sizes("i", i, "a positive integer (the input size)")
    n = len(sizes)
    b_all = tuple(before) if isinstance(before, (tuple, list)) else (before,) * n
    e_all = tuple(after) if isinstance(after, (tuple, list)) else (after,) * n
    formulas = []
    for size, b, e in zip(sizes, b_all, e_all):
        o = size + b + e
        if o < 1:
            raise ConvArithmeticError(f"padding ({b}, {e}) is not allowed on an input of size {size}: the output "
                                      f"would be {o}; crop less than the input.")
        terms = f"{size} {'+' if b >= 0 else '−'} {abs(b)} {'+' if e >= 0 else '−'} {abs(e)}"
        latex = terms.replace("−", "-")
        formulas.append(Formula("o = i + before + after", f"{terms} = {o}", r"o = i + b + e", f"{latex} = {o}", o))
    return tuple(formulas) if is_tuple else formulas[0]
