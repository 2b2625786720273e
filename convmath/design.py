"""The calculator run backwards: which layers take one size to another, and which layer brings it back.

``design_layers(32, 16)`` lists every kernel / stride / padding / dilation (within stated bounds) whose
convolution takes 32 to 16, in PyTorch and in Keras, each with the transposed layer of the same numbers that
brings 16 back to exactly 32 (the ``output_padding`` it needs, or Keras' inferred size). Asked upwards
(``design_layers(16, 32)``), it lists transposed layers and, for each, the convolution that undoes it: the
encoder layer a decoder layer mirrors. Every size comes from :mod:`convmath.arithmetic`.

>>> d = design_layers((32, 32), (16, 16))
>>> row = d.choices["torch"][2]
>>> row.layer
'nn.Conv2d(C_in, C_out, kernel_size=3, stride=2, padding=1)'
>>> row.back
'nn.ConvTranspose2d(C_in, C_out, kernel_size=3, stride=2, padding=1, output_padding=1)'
>>> d.choices["keras"][4].back
'keras.layers.Conv2DTranspose(filters, kernel_size=3, strides=2, padding="same")'
"""

from __future__ import annotations

import textwrap
from bisect import bisect_left
from dataclasses import asdict, dataclass
from itertools import product
from math import prod
from typing import Callable, Sequence

from .arithmetic import (
    axis_params,
    conv_input_sizes,
    conv_output_size,
    output_padding_for,
    transposed_output_size,
)
from .explain import layer_code
from .validate import ConvArithmeticError, as_int, spatial_sizes

__all__ = ["Bound", "BOUNDS", "SIZE_BOUND", "LIMIT_BOUND", "FRAMEWORKS", "KERAS_PADDINGS", "Choice", "Design",
           "design_layers"]

FRAMEWORKS = ("torch", "keras")
KERAS_PADDINGS = ("valid", "same")  # 'causal' is for sequences (Conv1D only), not for resizing
MAX_CHOICES = 2_000  # per framework: per-axis choices multiplied across axes (about 0.5 ms each to write out)
WIDTH = 120  # the text table's width (layer lines wrap inside their parentheses to fit)
TITLES = {"torch": "PyTorch", "keras": "Keras"}


@dataclass(frozen=True)
class Bound:
    """One bound of the search: its default and the range a user may give (``reason`` says why)."""

    name: str
    low: int
    high: int
    help: str
    reason: str
    default: int | None = None

    @property
    def flag(self) -> str:
        """The command-line option: ``max_kernel`` -> ``--max-kernel``."""
        return "--" + self.name.replace("_", "-")

    def parse(self, text: str) -> int:
        """A command-line option's text as an int in range, else one sentence naming the option."""
        try:
            number = int(text)
        except ValueError:
            raise ConvArithmeticError(f"{self.flag}={text!r} is not an integer: {self.flag} must be an integer "
                                      f"from {self.low} to {self.high}.") from None
        return self.check(number, self.flag)

    def check(self, value: object, name: str | None = None) -> int:
        """``value`` as an int within ``low..high``, else one sentence naming ``name`` (default: the bound)."""
        name = name or self.name
        allowed = f"an integer from {self.low} to {self.high}"
        number = as_int(name, value, self.low, allowed)
        if number > self.high:
            raise ConvArithmeticError(f"{name}={number} is too large: {name} must be {allowed} ({self.reason}).")
        return number


BOUNDS = (
    Bound("max_kernel", 1, 32, "largest kernel size tried on each axis",
          "beyond 32 a kernel is not designed by hand and the table stops being readable", default=7),
    Bound("max_stride", 1, 32, "largest stride tried on each axis",
          "larger strides only repeat the single-window answers", default=8),
    Bound("max_dilation", 1, 8, "largest dilation tried on each axis (1: no dilation)",
          "beyond 8 the dilated kernel spans more than a 32-wide kernel", default=1),
)
SIZE_BOUND = Bound("size", 1, 65_536, "a spatial size", "larger than any axis a conv layer is designed for")
LIMIT_BOUND = Bound("limit", 0, 10_000, "choices printed per framework (0: all; --json always lists all)",
                    "a longer table is not read", default=10)


@dataclass(frozen=True)
class Choice:
    """One layer and the layer that brings its output back, with per-axis numbers.

    ``layer`` takes ``size`` to ``target`` (a conv downwards, a transposed conv upwards); ``back`` takes
    ``target`` back to exactly ``size`` with the same kernel, stride, padding and dilation, or is ``None``
    (``back_note`` says what it gives instead). ``output_padding`` is the transposed layer's (``None``: Keras
    infers the size).
    """

    framework: str
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    output_padding: tuple[int, ...] | None
    layer: str
    back: str | None
    layer_note: str
    back_note: str


@dataclass(frozen=True)
class Design:
    """Every choice within ``bounds`` that takes ``size`` to ``target``, per framework, smallest kernels first."""

    size: tuple[int, ...]
    target: tuple[int, ...]
    upsampling: bool
    bounds: dict[str, int]
    choices: dict[str, list[Choice]]
    hints: dict[str, list[dict]]  # per framework without choices: {"bound", "value", "choices"} that would find some

    def to_dict(self) -> dict:
        """The JSON form (``convmath design --json``)."""
        return {"command": "design", "size": list(self.size), "target": list(self.target),
                "direction": "up" if self.upsampling else "down", "bounds": dict(self.bounds),
                "padding_bound": "0..d(k-1) for PyTorch; 'valid' or 'same' for Keras",
                **{fw: [asdict(c) for c in rows] for fw, rows in self.choices.items()}, "hints": self.hints}

    def lines(self, limit: int = LIMIT_BOUND.default) -> list[str]:
        """The readable table: at most ``limit`` choices per framework (0: all), every line within 120 columns."""
        limit = LIMIT_BOUND.check(limit)
        lines = _heading(self)
        for fw, rows in self.choices.items():
            lines += ["", *_framework_lines(self, fw, rows, limit)]
        return lines


def _sizes(name: str, value: object) -> tuple[int, ...]:
    sizes, _ = spatial_sizes(name, value, f"a positive integer up to {SIZE_BOUND.high}")
    return tuple(SIZE_BOUND.check(n, name) for n in sizes)


def _pair(size: object, target: object) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Both sizes per axis; a single int stands for every axis of the other."""
    a, b = _sizes("size", size), _sizes("target", target)
    if len(a) == 1 and len(b) > 1:
        a = a * len(b)
    elif len(b) == 1 and len(a) > 1:
        b = b * len(a)
    if len(a) != len(b):
        raise ConvArithmeticError(f"size={_times(a)} and target={_times(b)} have {len(a)} and {len(b)} axes: "
                                  "give both with the same number of axes, or one of them as a single int.")
    return a, b


def _direction(size: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """True when upsampling (transposed layers first); refuses axes that go opposite ways."""
    down, up = any(s > t for s, t in zip(size, target)), any(s < t for s, t in zip(size, target))
    if down and up:
        raise ConvArithmeticError(
            f"size={_times(size)} and target={_times(target)} shrink one axis and grow another: one layer does not "
            f"do both, so design each axis on its own (e.g. convmath design {size[0]} {target[0]} --dims 1)."
        )
    return up


def _size_or_zero(compute: Callable[[], int]) -> int:
    """A size the arithmetic computes, or 0 where the real op refuses (too small an input, too much cropping)."""
    try:
        return compute()
    except ConvArithmeticError:
        return 0


def _first(values: range, test: Callable[[int], bool]) -> int:
    """The index of the first value in ``values`` that passes ``test`` (which fails, then passes, along them)."""
    return bisect_left(values, True, key=test)


def _span(k: int, d: int) -> int:
    """d(k - 1): full padding, the most this search tries (more only adds windows that see nothing but zeros)."""
    return axis_params(1, False, k, 1, 0, d, "torch")[0].effective_kernel - 1


def _conv(size: int, k: int, s: int, p: int, d: int) -> int:
    """PyTorch's conv size on one axis, 0 where the input is too small for the kernel."""
    return _size_or_zero(lambda: conv_output_size(size, k, s, p, d))


def _transposed(size: int, k: int, s: int, p: int, d: int) -> int:
    """PyTorch's transposed-conv size with output_padding 0 on one axis, 0 where padding crops everything."""
    return _size_or_zero(lambda: transposed_output_size(size, k, s, p, d))


def _reaches(size: int, target: int, k: int, s: int, p: int, d: int) -> bool:
    """True when some output_padding PyTorch allows takes the transposed conv of ``size`` to ``target``."""
    return bool(_size_or_zero(lambda: output_padding_for(target, size, k, s, p, d) + 1))


def _run(pads: range, works: Callable[[int], bool]) -> list[int]:
    """The paddings from the start of ``pads`` that work, up to the first that does not."""
    found = []
    for p in pads:
        if not works(p):
            break
        found.append(p)
    return found


def _torch_axis(size: int, target: int, k: int, s: int, d: int, up: bool) -> list[int]:
    """The paddings 0..d(k-1) with which (k, s, d) takes ``size`` to ``target`` on one PyTorch axis.

    Sizes move one way as padding grows (a conv's up, a transposed conv's down), so the paddings that work are
    one run: a bisection finds its start."""
    pads = range(_span(k, d) + 1)
    if up:
        if _transposed(size, k, s, 0, d) < target and not _reaches(size, target, k, s, 0, d):
            return []  # even the least padding falls short
        low = _first(pads, lambda p: _transposed(size, k, s, p, d) <= target)
        return _run(pads[low:], lambda p: _reaches(size, target, k, s, p, d))
    if _conv(size, k, s, 0, d) > target:
        return []  # even without padding the output is too large
    low = _first(pads, lambda p: _conv(size, k, s, p, d) >= target)
    return _run(pads[low:], lambda p: _conv(size, k, s, p, d) == target)


def _torch_stride_done(size: int, target: int, k: int, s: int, d: int, up: bool) -> bool:
    """True when no stride from ``s`` up can work (sizes move one way as the stride grows)."""
    span = _span(k, d)
    if up:  # the smallest transposed size (most padding) already too large
        return _transposed(size, k, s, span, d) > target
    return _conv(size, k, s, span, d) < target  # the largest conv size (most padding) already too small


def _keras_axis_works(size: int, target: int, k: int, s: int, pad: str, d: int, up: bool) -> bool:
    if up:
        inferred = _size_or_zero(lambda: transposed_output_size(size, k, s, pad, d, None, convention="keras"))
        return inferred == target or bool(_size_or_zero(
            lambda: output_padding_for(target, size, k, s, pad, d, convention="keras") + 1))
    return _size_or_zero(lambda: conv_output_size(size, k, s, pad, d, convention="keras")) == target


def _axis_choices(framework: str, size: int, target: int, bounds: dict[str, int], up: bool) -> list[tuple]:
    """Every (kernel, stride, padding, dilation) within the bounds that works on one axis; the search stops
    once it has found more than MAX_CHOICES (the caller refuses that many)."""
    found: list[tuple] = []
    for k, d in product(range(1, bounds["max_kernel"] + 1), range(1, bounds["max_dilation"] + 1)):
        for s in range(1, bounds["max_stride"] + 1):
            if len(found) > MAX_CHOICES:
                return found
            if framework == "keras":
                found += [(k, s, pad, d) for pad in KERAS_PADDINGS if _keras_axis_works(size, target, k, s, pad, d, up)]
                continue
            if _torch_stride_done(size, target, k, s, d, up):
                break
            found += [(k, s, p, d) for p in _torch_axis(size, target, k, s, d, up)]
    return found


def _combined(framework: str, size: tuple[int, ...], target: tuple[int, ...], bounds: dict[str, int],
              up: bool) -> list[tuple[tuple, ...]]:
    """Per-axis choices combined into layers with one kernel size and one dilation on every axis (square
    kernels); stride and padding may differ per axis, but Keras takes one padding string for every axis."""
    questions = list(dict.fromkeys(zip(size, target)))
    per_question = [_axis_choices(framework, i, o, bounds, up) for i, o in questions]
    groups = [{} for _ in questions]  # per question: (kernel, dilation) -> its choices
    for group, options in zip(groups, per_question):
        for option in options:
            group.setdefault((option[0], option[3]), []).append(option)
    shared = [key for key in groups[0] if all(key in g for g in groups)]
    count = sum(prod(len(g[key]) for g in groups) for key in shared)
    if count > MAX_CHOICES or any(len(options) > MAX_CHOICES for options in per_question):
        raise ConvArithmeticError(
            f"size={_times(size)} and target={_times(target)} have more than {MAX_CHOICES} {TITLES[framework]} "
            "choices within these bounds, too many to list: lower --max-kernel, --max-stride or --max-dilation."
        )
    layers = []
    for key in shared:
        for picks in product(*(g[key] for g in groups)):
            by_question = dict(zip(questions, picks))
            axes = [by_question[q] for q in zip(size, target)]
            if framework == "keras" and len({a[2] for a in axes}) > 1:
                continue
            layers.append(tuple(zip(*axes)))  # (kernels, strides, paddings, dilations), one entry per axis
    return layers


def _code(line: str) -> str:
    """``layer_code``'s layer without its shape comment (the table's heading gives the shapes once)."""
    return line.partition("  # ")[0]


def _times(sizes: Sequence[int]) -> str:
    return "×".join(str(n) for n in sizes)


def _ranges(ranges: Sequence[range]) -> str:
    parts = [f"{r.start}..{r.stop - 1}" if len(r) > 1 else str(r.start) for r in ranges]
    return parts[0] if len(set(parts)) == 1 else " × ".join(parts)


def _conv_note(frm: tuple, to: tuple, layer: tuple, ambiguous: bool, convention: str) -> str:
    """What a student should know about the conv from ``frm`` to ``to``: when the way back needs an
    output_padding, the other inputs this conv also takes to ``to``; and whether the stride skips inputs."""
    kernel, stride, padding, dilation = layer
    notes = []
    if ambiguous:
        inputs = conv_input_sizes(to, kernel, stride, padding, dilation, convention=convention)
        notes.append(f"inputs {_ranges(inputs)} all give {_times(to) if len(set(to)) > 1 else to[0]}")
    axes = axis_params(len(frm), True, kernel, stride, padding, dilation, convention)
    if any(a.stride > a.effective_kernel for a in axes):
        notes.append("stride > kernel: skips inputs")
    return "; ".join(notes)


def _transposed_note(frm: tuple, layer: tuple, op, convention: str) -> str:
    """What the transposed layer gives without output_padding (PyTorch's default 0, Keras' inferred size),
    when that is not the size wanted, and whether its stamps overlap unevenly."""
    kernel, stride, padding, dilation = layer
    notes = []
    if convention == "keras" and op is not None:
        inferred = transposed_output_size(frm, kernel, stride, padding, dilation, None, convention="keras")
        notes.append(f"inferred size would be {_times(inferred)}")
    elif convention == "torch" and any(op):
        plain = _size_or_zero(lambda: transposed_output_size(frm, *layer))
        notes.append(f"without output_padding: {_times(plain) if plain else 'refused (size below 1)'}")
    if any(s > 1 and d == 1 and k % s for k, s, d in zip(kernel, stride, dilation)):
        notes.append("k % s ≠ 0: checkerboard risk")
    return "; ".join(notes)


def _transposed_padding(frm: tuple, to: tuple, layer: tuple, convention: str):
    """output_padding that takes ``frm`` to ``to``: None when Keras infers ``to`` (preferred), else the value."""
    if convention == "keras":
        inferred = _size_or_zero(lambda: transposed_output_size(frm, *layer, None, convention="keras"))
        if inferred == to:
            return None
    return output_padding_for(to, frm, *layer, convention=convention)


def _needs_padding(op, convention: str) -> bool:
    """True when the transposed layer needs an output_padding other than its default (0, or Keras' None)."""
    return op is not None if convention == "keras" else any(op)


def _choice(framework: str, size: tuple, target: tuple, layer: tuple, up: bool) -> Choice | None:
    """The row for one layer, or None if the combined axes are refused (e.g. Keras: a stride on one axis and a
    dilation on another, or output_padding inferred on one axis and given on another)."""
    padding = layer[2][0] if framework == "keras" else layer[2]  # Keras: one string for every axis
    layer = (layer[0], layer[1], padding, layer[3])
    small, large = (size, target) if up else (target, size)  # the transposed layer goes small -> large
    try:
        op = _transposed_padding(small, large, layer, framework)
        transposed = _code(layer_code(small, *layer, output_padding=op, transposed=True, convention=framework))
        returned = _size_or_zero(lambda: conv_output_size(large, *layer, convention=framework))
        conv = _code(layer_code(large, *layer, convention=framework)) if returned == small else None
    except ConvArithmeticError:
        return None
    transposed_note = _transposed_note(small, layer, op, framework)
    if conv is None:
        assert up, f"{framework} conv {layer} does not take {size} to {target}"  # the search found it: it does
        gives = f"gives {_times(returned)}" if returned else "refuses it"
        conv_note = f"the conv with the same numbers {gives}, not {_times(small)}"
    else:
        conv_note = _conv_note(large, small, layer, _needs_padding(op, framework), framework)
    there, there_note, back, back_note = ((transposed, transposed_note, conv, conv_note) if up else
                                          (conv, conv_note, transposed, transposed_note))
    return Choice(framework, layer[0], layer[1], padding, layer[3], op, there, back, there_note, back_note)


def _order(c: Choice) -> tuple:
    """Smallest kernels first (square before mixed), then dilation, stride and padding."""
    padding = [KERAS_PADDINGS.index(c.padding)] if isinstance(c.padding, str) else list(c.padding)
    return (max(c.kernel), len(set(c.kernel)), c.kernel, max(c.dilation), c.dilation, max(c.stride), c.stride,
            padding)


def design_layers(size, target, *, frameworks: Sequence[str] = FRAMEWORKS, **bounds: int) -> Design:
    """Every layer within the bounds that takes ``size`` to ``target``, and the layer that brings it back.

    ``size`` and ``target`` are ints (one axis: ``Conv1d``) or per-axis tuples; a single int stands for every
    axis of the other. Bounds (keywords): ``max_kernel`` (default 7), ``max_stride`` (8), ``max_dilation`` (1);
    PyTorch padding goes from 0 to full padding d(k-1), Keras padding is 'valid' or 'same'. One kernel size and
    dilation serve every axis; stride and padding may differ per axis.

    >>> d = design_layers(8, 4, frameworks=["torch"], max_kernel=3)
    >>> [(c.kernel[0], c.stride[0], c.padding[0], c.output_padding[0]) for c in d.choices["torch"]]
    [(1, 2, 0, 1), (2, 2, 0, 0), (3, 2, 1, 1), (3, 3, 2, 0)]
    """
    size, target = _pair(size, target)
    up = _direction(size, target)
    known = {b.name: b for b in BOUNDS}
    for name in bounds:
        if name not in known:
            raise ConvArithmeticError(f"{name} is not a bound: use {', '.join(known)}.")
    limits = {name: b.check(bounds.get(name, b.default)) for name, b in known.items()}
    if isinstance(frameworks, str) or not frameworks or any(fw not in FRAMEWORKS for fw in frameworks):
        raise ConvArithmeticError(f"frameworks={frameworks!r} is not allowed: give a list of 'torch' and/or 'keras'.")
    choices = {fw: _search(fw, size, target, limits, up) for fw in dict.fromkeys(frameworks)}
    hints = {fw: _hints(fw, size, target, limits, up) for fw, rows in choices.items() if not rows}
    return Design(size, target, up, limits, choices, hints)


def _search(framework: str, size: tuple, target: tuple, limits: dict[str, int], up: bool) -> list[Choice]:
    rows = [_choice(framework, size, target, layer, up) for layer in _combined(framework, size, target, limits, up)]
    return sorted((c for c in rows if c is not None), key=_order)


def _hints(framework: str, size: tuple, target: tuple, limits: dict[str, int], up: bool) -> list[dict]:
    """When nothing fits: each bound raised alone (up to its largest allowed value) that finds choices, to the
    smallest value that does, and how many it finds."""
    hints = []
    for b in BOUNDS:
        if limits[b.name] == b.high:
            continue
        try:
            rows = _search(framework, size, target, {**limits, b.name: b.high}, up)
        except ConvArithmeticError:  # too many per-axis combinations to list
            continue
        needed = [max(getattr(c, b.name.removeprefix("max_"))) for c in rows]
        if needed:
            hints.append({"bound": b.name, "value": min(needed), "choices": needed.count(min(needed))})
    return hints


def _heading(d: Design) -> list[str]:
    frm, to = _times(d.size), _times(d.target)
    b = d.bounds
    if d.upsampling:
        what = (f"{frm} → {to}: transposed layers, each with the conv of the same numbers that takes {to} back "
                f"to {frm} (the encoder layer this decoder layer mirrors).")
    else:
        what = (f"{frm} → {to}: convolutions, each with the transposed layer of the same numbers that brings {to} "
                f"back to exactly {frm}.")
    searched = (f"Searched per axis: kernel ≤ {b['max_kernel']}, stride ≤ {b['max_stride']}, dilation ≤ "
                f"{b['max_dilation']}; PyTorch padding 0..d(k−1) (more adds windows of zeros only), Keras 'valid' "
                "and 'same'.")
    legend = "Columns: k kernel, s stride, p padding, d dilation, a output_padding (none: Keras infers the size)."
    return [*textwrap.wrap(what, WIDTH), *textwrap.wrap(searched, WIDTH), legend]


def _value(values: tuple | str | None) -> str:
    if values is None:
        return "none"
    if isinstance(values, str):
        return values
    return str(values[0]) if len(set(values)) == 1 else ",".join(str(v) for v in values)


def _wrap_call(code: str, width: int) -> list[str]:
    """A layer call broken after the commas between its arguments (never inside a tuple) to fit ``width``."""
    pieces, depth, start = [], 0, 0
    for n, char in enumerate(code):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 1:
            pieces.append(code[start:n + 1])
            start = n + 2
    pieces.append(code[start:])
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append("    " + piece)
    return lines


def _code_lines(code: str | None, note: str, indent: str) -> list[str]:
    """A layer line (wrapped inside its parentheses to fit) and its note as a Python comment."""
    if code is None:
        return [f"{indent}# {note}"]
    lines = [indent + line for line in _wrap_call(code, WIDTH - len(indent))]
    comment = f"  # {note}" if note else ""
    if len(lines[-1]) + len(comment) <= WIDTH:
        lines[-1] += comment
    else:
        lines += textwrap.wrap(f"# {note}", WIDTH - len(indent), initial_indent=indent,
                               subsequent_indent=indent + "# ")
    return lines


def _framework_lines(d: Design, fw: str, rows: list[Choice], limit: int) -> list[str]:
    title = TITLES[fw]
    if not rows:
        flags = {b.name: b.flag for b in BOUNDS}
        found = [f"{flags[h['bound']]} {h['value']} finds {h['choices']} choice" + "s" * (h["choices"] != 1)
                 for h in d.hints.get(fw, [])]
        tail = ("; ".join(found) if found else
                "nor with any one bound at its largest (" + ", ".join(f"{b.flag} {b.high}" for b in BOUNDS) + ")")
        return textwrap.wrap(f"{title}: no choice within these bounds; {tail}.", WIDTH)
    shown = rows if limit == 0 else rows[:limit]
    table = [[_value(c.kernel), _value(c.stride), _value(c.padding), _value(c.dilation), _value(c.output_padding)]
             for c in shown]
    widths = [max(len(h), *(len(r[n]) for r in table)) for n, h in enumerate("kspda")]
    if fw == "keras":
        widths[2] = max(widths[2], len("valid"))
    indent = " " * (sum(widths) + 2 * len(widths) + 1)
    count = f"{len(rows)} choice{'s' if len(rows) != 1 else ''}"
    lines = [f"{title}: {count}, smallest kernels first" + ("" if len(shown) == len(rows) else
                                                          f" (the first {len(shown)})") + ":",
             " " + "  ".join(h.rjust(w) for h, w in zip("kspda", widths))]
    for c, cells in zip(shown, table):
        there = _code_lines(c.layer, c.layer_note, indent)
        there[0] = " " + "  ".join(v.rjust(w) for v, w in zip(cells, widths)) + "  " + there[0][len(indent):]
        lines += there + _code_lines(c.back, c.back_note, indent)
    if len(shown) < len(rows):
        lines.append(f"... and {len(rows) - len(shown)} more: --limit 0 lists them all (--json always does).")
    return lines
