"""The output-size ambiguity: every input size a conv maps to one output size, and how to get each one back.

A strided conv maps several input sizes to one output size; the transposed conv returns the smallest and
output_padding picks the others. :func:`output_ambiguity` answers for both frameworks at once: the caller's
convention with the padding it gave, and the other framework with the padding that means the same there (the
same input sizes give the same output, and come back with the same output_padding), or why it has none.
Each answer carries complete layer lines (kernel, stride, padding, dilation, output_padding) whose shape
comments are what the real layer gives, and a runnable program.

The result is the same for every caller: its refusal texts quote the frameworks' Python keywords. Only the
errors raised for invalid arguments follow the caller's wording (:func:`convmath.validate.term`).

>>> a = output_ambiguity((3, 3), 3, stride=2, padding=1)
>>> a.given.axes[0].inputs, a.given.axes[0].output_paddings, a.keras.padding
((5, 6), {5: 0, 6: 1}, 'same')
>>> a.torch.layers[1]
'nn.ConvTranspose2d(C_in, C_out, kernel_size=3, stride=2, padding=1, output_padding=1)  # (N, C_in, 3, 3) -> (N, C_out, 6, 6)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .arithmetic import (
    AxisParams,
    Padding,
    Size,
    axis_params,
    conv_input_sizes,
    output_padding_for,
    reachable_sizes,
    transposed_output_size,
)
from .explain import layer_code
from .validate import CONVENTIONS, ConvArithmeticError, fmt_value, python_term, spatial_sizes, term, worded_as

__all__ = ["Recovery", "AxisAmbiguity", "FrameworkAmbiguity", "OutputAmbiguity", "axis_ambiguity",
           "output_ambiguity", "FRAMEWORK_NAMES", "MAX_SIZES"]

FRAMEWORK_NAMES = {"torch": "PyTorch", "keras": "Keras"}
MAX_SIZES = 1024  # input sizes listed per axis (a conv with stride s maps s of them to each output size)
KERAS_PADDINGS = ("valid", "same")


@dataclass(frozen=True)
class Recovery:
    """One input size of the set and the output_padding that makes the transposed conv give it back
    (``None``: no output_padding does, ``refusal`` says why)."""

    input: int
    output_padding: int | None
    refusal: str = ""

    def to_json(self) -> dict:
        data: dict[str, Any] = {"input": self.input, "output_padding": self.output_padding}
        if self.refusal:
            data["refusal"] = self.refusal
        return data


@dataclass(frozen=True)
class AxisAmbiguity:
    """One spatial axis: the input sizes the conv maps to ``output``, and the transposed conv's way back."""

    output: int
    inputs: tuple[int, ...]              # every input size the conv maps to `output` (may be empty)
    transposed_padding: int | str | None  # the transposed conv's padding that mirrors the conv (None: none does)
    transposed: tuple[Recovery, ...]     # one per input size, in order
    inferred: int | None = None          # Keras: the size with output_padding=None

    @property
    def output_paddings(self) -> dict[int, int | None]:
        """Input size -> the output_padding that gives it back."""
        return {r.input: r.output_padding for r in self.transposed}

    def same_as(self, other: AxisAmbiguity) -> bool:
        """The same input sizes, each given back with the same output_padding."""
        return self.inputs == other.inputs and self.output_paddings == other.output_paddings

    def to_json(self) -> dict:
        data = {"output": self.output, "inputs": list(self.inputs), "transposed_padding": self.transposed_padding,
                "transposed": [r.to_json() for r in self.transposed]}
        if self.inferred is not None:
            data["inferred"] = self.inferred
        return data


@dataclass(frozen=True)
class FrameworkAmbiguity:
    """One framework's answer: its conv padding, the axes, complete layer lines and a runnable program."""

    convention: str
    padding: Any                     # the conv's padding in this framework; None if it has no equivalent
    axes: tuple[AxisAmbiguity, ...]  # empty if it has no equivalent
    layers: tuple[str, ...]          # the transposed layer for each input size (Keras: and the inferred one)
    program: str                     # runnable lines, each shape they print in a comment
    refusal: str = ""                # why this framework refuses the padding as given, or has no equivalent

    @property
    def name(self) -> str:
        """'PyTorch' or 'Keras'."""
        return FRAMEWORK_NAMES[self.convention]

    def to_json(self) -> dict:
        data: dict[str, Any] = {"padding": self.padding}
        if self.axes:
            data.update(axes=[ax.to_json() for ax in self.axes], layers=list(self.layers), program=self.program)
        if self.refusal:
            data["refusal"] = self.refusal
        return data


@dataclass(frozen=True)
class OutputAmbiguity:
    """The ambiguity of one conv's output size, answered by both frameworks (see :func:`output_ambiguity`)."""

    output: tuple[int, ...]
    kernel: Any
    stride: Any
    padding: Any
    dilation: Any
    convention: str
    torch: FrameworkAmbiguity
    keras: FrameworkAmbiguity

    @property
    def given(self) -> FrameworkAmbiguity:
        """The answer in the caller's convention, with the padding it gave."""
        return self.torch if self.convention == "torch" else self.keras

    @property
    def other(self) -> FrameworkAmbiguity:
        """The other framework's answer: the padding that means the same there, or its refusal."""
        return self.keras if self.convention == "torch" else self.torch

    def to_json(self) -> dict:
        """The caller's answer at the top level, the other framework's under its convention name."""
        given = self.given.to_json()
        data = {"convention": self.convention, "output": list(self.output), "kernel": self.kernel,
                "stride": self.stride, "padding": self.padding, "dilation": self.dilation}
        data.update((k, v) for k, v in given.items() if k != "padding")
        data[self.other.convention] = self.other.to_json()
        return data


def _one_or_tuple(values: Sequence) -> Any:
    return values[0] if len(set(values)) == 1 else tuple(values)


def _transposed_padding(a: AxisParams) -> int | str | None:
    """The transposed conv's padding that mirrors the conv on this axis: Keras takes the conv's string;
    PyTorch's ConvTranspose pads both sides alike, so it mirrors the conv only when the conv does."""
    if a.convention == "keras":
        return a.padding
    before, after = a.conv_pads(1)  # PyTorch's pads do not depend on the input size
    return before if before == after else None


def _sizes_text(sizes: Sequence[int]) -> str:
    return ", ".join(str(n) for n in sizes) if sizes else "no size"


def _range_text(sizes: range) -> str:
    """'4', '4 or 5', '4..9', or 'no size'."""
    if len(sizes) <= 2:
        return " or ".join(str(n) for n in sizes) or "no size"
    return f"{sizes.start}..{sizes.stop - 1}"


def _recovery(i: int, o: int, a: AxisParams, up: int | str | None) -> Recovery:
    """How the transposed conv of ``o`` gives back input size ``i`` (``up``: its padding)."""
    if up is None:
        before, after = a.conv_pads(1)
        return Recovery(i, None, f"the conv pads {before} before and {after} after, and PyTorch's ConvTranspose "
                                 "pads both sides alike, so no ConvTranspose mirrors it.")
    try:
        return Recovery(i, output_padding_for(i, o, a.kernel, a.stride, up, a.dilation, convention=a.convention))
    except ConvArithmeticError:
        pass
    try:
        t = axis_params(1, False, a.kernel, a.stride, up, a.dilation, a.convention, transposed=True)[0]
        reachable = _range_text(reachable_sizes(o, t))
    except ConvArithmeticError as error:
        return Recovery(i, None, str(error))
    return Recovery(i, None, f"the transposed conv of {o} with padding={fmt_value(up)} gives only "
                             f"{reachable} (whatever the output_padding), not {i}.")


def axis_ambiguity(o: int, kernel: int, stride: int = 1, padding: Padding = 0, dilation: int = 1, *,
                   convention: str = "torch") -> AxisAmbiguity:
    """The ambiguity on one axis: input sizes, the mirroring transposed padding, output_padding per size.

    >>> axis_ambiguity(14, 3, 2, "same", convention="keras").output_paddings
    {27: 0, 28: 1}
    """
    found = conv_input_sizes(o, kernel, stride, padding, dilation, convention=convention)
    if len(found) > MAX_SIZES:
        raise ConvArithmeticError(f"{term('stride', stride)} gives {len(found)} input sizes for output {o}: "
                                  f"at most {MAX_SIZES} are listed, use a smaller stride.")
    inputs = tuple(found)
    a = axis_params(1, False, kernel, stride, padding, dilation, convention)[0]
    up = _transposed_padding(a)
    with worded_as(python_term):
        rows = tuple(_recovery(i, o, a, up) for i in inputs)
    inferred = (transposed_output_size(o, kernel, stride, a.padding, dilation, None, convention="keras")
                if convention == "keras" else None)
    return AxisAmbiguity(o, inputs, up, rows, inferred)


def _axes_of(output: tuple[int, ...], params: list[AxisParams], paddings: Sequence, convention: str):
    return tuple(axis_ambiguity(o, a.kernel, a.stride, p, a.dilation, convention=convention)
                 for o, a, p in zip(output, params, paddings))


def _no_equivalent(padding, convention: str, why: str) -> str:
    return f"{python_term('padding', padding)} has no {FRAMEWORK_NAMES[convention]} equivalent: {why}"


def _keras_equivalent(output, params: list[AxisParams], layer: tuple, given: Sequence[AxisAmbiguity], padding):
    """The Keras padding string that does what the PyTorch conv does on every axis, with its axes; else
    (None, (), why): Keras's refusal if it refuses every padding, or that no padding matches."""
    kernel, stride, dilation = layer
    refusals = []
    for candidate in KERAS_PADDINGS:
        try:
            conv_input_sizes(output, kernel, stride, candidate, dilation, convention="keras")
            axes = _axes_of(output, params, [candidate] * len(output), "keras")
        except ConvArithmeticError as error:
            refusals.append(str(error))
            continue
        if all(x.same_as(g) for x, g in zip(axes, given)):
            return candidate, axes, ""
    if len(refusals) == len(KERAS_PADDINGS):
        return None, (), refusals[0]
    return None, (), _no_equivalent(padding, "keras", "neither 'valid' nor 'same' " + _mismatch_text(given))


def _torch_equivalent(output, params: list[AxisParams], given: Sequence[AxisAmbiguity], padding):
    """The int padding per axis that does what the Keras conv does, with its axes; else (None, (), why).
    The candidates are the zeros Keras adds before or after the smallest and the largest input of the set."""
    axes = []
    for o, a, g in zip(output, params, given):
        candidates = sorted({n for i in (g.inputs[0], g.inputs[-1]) for n in a.conv_pads(i)})
        same_inputs = [p for p in candidates
                       if tuple(conv_input_sizes(o, a.kernel, a.stride, p, a.dilation)) == g.inputs]
        matches = (axis for axis in (axis_ambiguity(o, a.kernel, a.stride, p, a.dilation, convention="torch")
                                     for p in same_inputs) if axis.same_as(g))
        found = next(matches, None)
        if found is None:
            return None, (), _no_equivalent(padding, "torch", "no int padding " + _mismatch_text([g]))
        axes.append(found)
    return _one_or_tuple([ax.transposed_padding for ax in axes]), tuple(axes), ""


def _mismatch_text(given: Sequence[AxisAmbiguity]) -> str:
    g = next((g for g in given if g.inputs), given[0])
    return f"maps exactly {_sizes_text(g.inputs)} to {g.output} and gives them back with the same output_padding."


def _literal_refusal(output, layer: tuple, padding, convention: str) -> str:
    """What ``convention`` says to the conv and its transposed conv with ``padding`` as written ('' if it takes it)."""
    kernel, stride, dilation = layer
    try:
        conv_input_sizes(output, kernel, stride, padding, dilation, convention=convention)
        axis_params(len(output), True, kernel, stride, padding, dilation, convention, transposed=True)
    except ConvArithmeticError as error:
        return str(error)
    return ""


def _arg(values: Sequence) -> str:
    """One value if every axis agrees, else the per-axis tuple."""
    return str(_one_or_tuple(list(values)))


def _shape(*dims: int) -> str:
    return "(" + ", ".join(str(n) for n in dims) + ("," if len(dims) == 1 else "") + ")"


def _commented(lines: list[tuple[str, str]]) -> str:
    """Code lines with their ``# comment`` aligned in one column."""
    width = max(len(code) for code, comment in lines if comment)
    return "\n".join(f"{code.ljust(width)}  # {comment}" if comment else code for code, comment in lines)


def _row_ops(axes: Sequence[AxisAmbiguity], j: int) -> list[int | None]:
    """The output_padding per axis that gives back the j-th input size of each axis (the last one past its end)."""
    return [ax.transposed[min(j, len(ax.transposed) - 1)].output_padding for ax in axes]


def _layers(view_axes, layer: tuple, convention: str) -> tuple[str, ...]:
    """One complete transposed layer line per input size (per axis, the j-th size), Keras's inferred one last."""
    output = tuple(ax.output for ax in view_axes)
    if not all(ax.transposed for ax in view_axes):
        return ()
    kernel, stride, dilation = layer
    padding = _one_or_tuple([ax.transposed_padding for ax in view_axes])
    rows = [_row_ops(view_axes, j) for j in range(max(len(ax.transposed) for ax in view_axes))]
    if convention == "keras":
        rows.append(None)
    return tuple(layer_code(output, kernel, stride, padding, dilation, ops if ops is None else tuple(ops),
                            transposed=True, convention=convention)
                 for ops in rows if ops is None or None not in ops)


def _torch_program(view_axes, params: list[AxisParams]) -> str:
    """PyTorch lines: ConvTranspose without output_padding, forward(output_size=) and with output_padding."""
    o = [ax.output for ax in view_axes]
    k, s, d = ([getattr(a, f) for a in params] for f in ("kernel", "stride", "dilation"))
    p = [ax.transposed_padding for ax in view_axes]
    args = f"1, 1, {_arg(k)}, stride={_arg(s)}, padding={_arg(p)}" + (f", dilation={_arg(d)}" if max(d) > 1 else "")
    call = f"up = nn.ConvTranspose{len(o)}d("
    lines = [("import torch", ""), ("from torch import nn", ""),
             (f"y = torch.zeros(1, 1, {', '.join(map(str, o))})", "")]
    large = [ax.inputs[-1] for ax in view_axes]
    try:
        n0 = transposed_output_size(tuple(o), tuple(k), tuple(s), tuple(p), tuple(d), 0)
    except ConvArithmeticError:  # output_padding 0 crops everything: only output_padding gives a size
        n0 = None
    if n0 is not None:
        lines += [(f"{call}{args})", ""), ("up(y).shape", _shape(1, 1, *n0))]
        if all(0 <= n - m < step for n, m, step in zip(large, n0, s)):  # output_size=: up to s − 1 more
            lines.append((f"up(y, output_size={_shape(*large)}).shape", _shape(1, 1, *large)))
    ops = _row_ops(view_axes, max(len(ax.transposed) for ax in view_axes) - 1)
    if None not in ops:
        lines += [(f"{call}{args}, output_padding={_arg(ops)})", ""), ("up(y).shape", _shape(1, 1, *large))]
    return _commented(lines)


def _keras_program(view_axes, params: list[AxisParams]) -> str:
    """Keras lines: Conv*DTranspose with the size inferred, then with output_padding for the smallest and largest."""
    o = [ax.output for ax in view_axes]
    k, s, d = ([getattr(a, f) for a in params] for f in ("kernel", "stride", "dilation"))
    p = view_axes[0].transposed_padding
    args = f'1, {_arg(k)}, strides={_arg(s)}, padding="{p}"' + (f", dilation_rate={_arg(d)}" if max(d) > 1 else "")
    call = f"up = layers.Conv{len(o)}DTranspose("
    lines = [("from keras import layers, ops", ""), (f"y = ops.zeros({_shape(1, *o, 1)})", ""),
             (f"{call}{args})", ""), ("up(y).shape", _shape(1, *(ax.inferred for ax in view_axes), 1) + "  inferred")]
    last = max(len(ax.transposed) for ax in view_axes) - 1
    for j in dict.fromkeys((0, last)):
        ops = _row_ops(view_axes, j)
        if None not in ops:
            sizes = [ax.transposed[min(j, len(ax.transposed) - 1)].input for ax in view_axes]
            lines += [(f"{call}{args}, output_padding={_arg(ops)})", ""), ("up(y).shape", _shape(1, *sizes, 1))]
    return _commented(lines)


PROGRAMS: dict[str, Callable] = {"torch": _torch_program, "keras": _keras_program}


def _framework(convention: str, padding, axes: tuple, params: list[AxisParams], layer: tuple,
               refusal: str) -> FrameworkAmbiguity:
    """The answer of one framework, with its layer lines and program when every axis has input sizes."""
    if not axes or not all(ax.inputs and ax.transposed_padding is not None for ax in axes):
        return FrameworkAmbiguity(convention, padding, axes, (), "", refusal)
    program = PROGRAMS[convention](axes, params)
    return FrameworkAmbiguity(convention, padding, axes, _layers(axes, layer, convention), program, refusal)


def output_ambiguity(o: Size, kernel, stride=1, padding: Padding = 0, dilation=1, *,
                     convention: str = "torch") -> OutputAmbiguity:
    """Every input size the conv maps to output size ``o``, how each comes back, in PyTorch and in Keras.

    ``o`` is one size (one axis) or one per axis; the layer parameters follow :func:`conv_input_sizes`.
    Raises ``ConvArithmeticError`` if the conv itself is refused in ``convention``.

    >>> a = output_ambiguity(14, 3, stride=2, padding="same", convention="keras")
    >>> a.given.axes[0].inputs, a.torch.padding, a.torch.refusal[:48]
    ((27, 28), 1, "padding='same' is not supported by PyTorch for s")
    """
    conv_input_sizes(o, kernel, stride, padding, dilation, convention=convention)  # the conv itself, or raise
    sizes, is_tuple = spatial_sizes("o", o, "a positive integer (the output size)")
    params = axis_params(len(sizes), is_tuple, kernel, stride, padding, dilation, convention, size_name="o")
    layer = (kernel, stride, dilation)
    given = _axes_of(sizes, params, [a.padding for a in params], convention)
    other = next(c for c in CONVENTIONS if c != convention)
    with worded_as(python_term):
        refusal = _literal_refusal(sizes, layer, padding, other)
        if not all(ax.inputs for ax in given):
            equivalent, other_axes = None, ()
            why = _no_equivalent(padding, other, f"no input size gives output {'×'.join(map(str, sizes))}.")
        elif other == "keras":
            equivalent, other_axes, why = _keras_equivalent(sizes, params, layer, given, padding)
        else:
            equivalent, other_axes, why = _torch_equivalent(sizes, params, given, padding)
        refusal = refusal if equivalent is not None else why
    views = {convention: _framework(convention, padding, given, params, layer, ""),
             other: _framework(other, equivalent, other_axes, params, layer, refusal)}
    return OutputAmbiguity(sizes, kernel, stride, padding, dilation, convention, views["torch"], views["keras"])
