"""`convmath`: output sizes, the formula with your numbers, the layer that does it, and a self-check.

Each subcommand is one small ``add_<name>`` function that builds its parser and points it at its
``cmd_<name>`` handler; to add a subcommand, write both and list the ``add_`` function in ``COMMANDS``.

Error messages name what the user typed, not Python keywords: convmath builds every message through
:func:`convmath.validate.term`, and :func:`main` runs the handler under :func:`cli_term`, which words a
parameter by its flag (``-p same``, ``--keras``) or its noun ("the input size") from ``WORDS``. A subcommand
with flags or a positional of its own adds them with ``parser.set_defaults(words={"scale_factor": "--scale"})``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial
from typing import Any, Callable, Mapping, Sequence

from .ambiguity import output_ambiguity
from .arithmetic import ConvArithmeticError, conv_output_size, transposed_output_size
from .explain import Formula, explain_conv, explain_transposed, layer_code
from .textview import ambiguity_text
from .validate import NO_VALUE, PadPair, python_term, term, worded_as

__all__ = ["main", "build_parser", "COMMANDS", "add_layer_options", "layer_args", "parse_size", "emit", "WORDS",
           "cli_term", "cli_value"]

# How messages name convmath's parameters on the command line: a flag, or what a positional size is.
WORDS: dict[str, str] = {
    "kernel": "-k", "stride": "-s", "padding": "-p", "dilation": "-d", "output_padding": "--output-padding",
    "input": "--input", "input_shape": "--input-shape", "i": "the input size", "o": "the output size", "target": "the wanted size",
}


def cli_value(value: Any, in_tuple: bool = False) -> str:
    """A value as it is typed here: 3, 3,5 (per axis), same, 0:1 (before:after), none.

    >>> cli_value(((0, 1), (1, 1))), cli_value((3, 5)), cli_value(PadPair((0, 1))), cli_value(None)
    ('0:1,1:1', '3,5', '0:1', 'none')
    """
    if isinstance(value, PadPair) or in_tuple and isinstance(value, (tuple, list)):
        return ":".join(cli_value(v) for v in value)
    if isinstance(value, (tuple, list)):
        return ",".join(cli_value(v, in_tuple=True) for v in value)
    return "none" if value is None else str(value)


def cli_term(words: Mapping[str, str], name: str, value: Any = NO_VALUE) -> str:
    """A parameter as the command line names it (``-p same``, ``--keras``, "the input size 28"); a name
    without a word keeps its Python form."""
    if name == "convention" and value == "keras":
        return "--keras"
    word = words.get(name)
    if word is None:
        return python_term(name, value)
    return word if value is NO_VALUE else f"{word} {cli_value(value)}"


class CliParser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one sentence on stderr and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message}.", file=sys.stderr)
        raise SystemExit(2)


def _int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConvArithmeticError(
            f"{term(name, text)} is not an integer: give an int like 3 or one per axis like 3,5."
        ) from None


def parse_size(name: str, text: str) -> int | tuple[int, ...]:
    """'28' -> 28, '28,32' -> (28, 32)."""
    parts = text.split(",")
    return _int(name, parts[0]) if len(parts) == 1 else tuple(_int(name, p) for p in parts)


def parse_padding(text: str, dims: int):
    """'1', '1,2', 'same' / 'valid' / 'full' / 'causal', or 'before:after' pairs ('0:1' or '0:1,1:1')."""
    if text.lower() in ("same", "valid", "full", "causal"):
        return text
    items = []
    for part in text.split(","):
        before, sep, after = part.partition(":")
        items.append((_int("padding", before), _int("padding", after)) if sep else _int("padding", part))
    if len(items) == 1:
        item = items[0]
        return tuple([item] * dims) if isinstance(item, tuple) else item
    return tuple(items)


def parse_output_padding(text: str | None, convention: str):
    """None (not given) -> the op's default: 0 for PyTorch, None (inferred) for Keras; 'none' -> None."""
    if text is None:
        return None if convention == "keras" else 0
    return None if text.lower() == "none" else parse_size("output_padding", text)


def add_layer_options(parser: argparse.ArgumentParser, size_help: str) -> None:
    """The size and layer parameters shared by conv, transpose and ambiguity."""
    parser.add_argument("size", help=size_help + " (one int, or one per axis: 28,32)")
    parser.add_argument("-k", "--kernel", required=True, help="kernel size: 3 or 3,5")
    parser.add_argument("-s", "--stride", default="1", help="stride (default 1)")
    parser.add_argument("-p", "--padding",
                        help="int, per axis 1,2, before:after 0:1, or valid / same / full / causal (Keras 1-D) "
                             "(default 0; 'valid' with --keras)")
    parser.add_argument("-d", "--dilation", default="1", help="dilation (default 1)")
    parser.add_argument("--dims", type=int, choices=[1, 2, 3],
                        help="spatial axes for a single-int size (default 2; a tuple size sets it)")
    parser.add_argument("--keras", action="store_true", help="Keras 3 semantics instead of PyTorch")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def layer_args(args: argparse.Namespace) -> dict:
    """size (a per-axis tuple), kernel, stride, padding, dilation and convention from the shared options."""
    size = parse_size("size", args.size)
    if isinstance(size, tuple):
        if args.dims is not None and args.dims != len(size):
            raise ConvArithmeticError(
                f"--dims={args.dims} does not match {term('size', args.size)}, which has {len(size)} axes: "
                "drop --dims."
            )
    else:
        size = (size,) * (args.dims or 2)
    return {
        "size": size,
        "kernel": parse_size("kernel", args.kernel),
        "stride": parse_size("stride", args.stride),
        "padding": parse_padding(args.padding or ("valid" if args.keras else "0"), len(size)),
        "dilation": parse_size("dilation", args.dilation),
        "convention": "keras" if args.keras else "torch",
    }


def _times(sizes: Sequence[int]) -> str:
    return "×".join(str(n) for n in sizes)


def _formula_lines(formulas: Sequence[Formula]) -> list[str]:
    if len({f.text for f in formulas}) == 1:
        prefix = "every axis: " if len(formulas) > 1 else ""
        return [f"  {prefix}{formulas[0].text}"]
    return [f"  axis {n}: {f.text}" for n, f in enumerate(formulas)]


def _formula_json(formulas: Sequence[Formula]) -> list[dict]:
    return [{"text": f.text, "latex": f"{f.latex_symbolic} = {f.latex}", "value": f.value} for f in formulas]


def _torch_view(size, kernel, stride, padding, dilation, output_padding, transposed: bool) -> str:
    """What PyTorch does with the same numbers (shown under --keras), or its refusal in PyTorch's own words."""
    if transposed and padding == "valid":
        padding = 0
    if output_padding is None:
        output_padding = 0
    try:
        with worded_as(python_term):
            return layer_code(size, kernel, stride, padding, dilation, output_padding, transposed=transposed)
    except ConvArithmeticError as error:
        return f"refuses the same numbers: {error}"


def emit(args: argparse.Namespace, data: dict, lines: list[str]) -> None:
    """Print ``data`` as JSON with --json, else the human-readable ``lines``."""
    print(json.dumps(data, ensure_ascii=False) if args.json else "\n".join(lines))


def _size_command(args: argparse.Namespace, transposed: bool) -> int:
    p = layer_args(args)
    size, conv = p["size"], p["convention"]
    layer = (p["kernel"], p["stride"], p["padding"], p["dilation"])
    op = None
    if transposed:
        op = parse_output_padding(args.output_padding, conv)
        out = transposed_output_size(size, *layer, output_padding=op, convention=conv)
        formulas = explain_transposed(size, *layer, output_padding=op, convention=conv)
    else:
        out = conv_output_size(size, *layer, convention=conv)
        formulas = explain_conv(size, *layer, convention=conv)
    code = layer_code(size, *layer, output_padding=op, transposed=transposed, convention=conv)
    name = f"{'transposed ' if transposed else ''}conv, {len(size)}-D, {'Keras' if conv == 'keras' else 'PyTorch'}"
    lines = [f"output size: {_times(out)}   (input {_times(size)}; {name})", *_formula_lines(formulas)]
    data = {"command": args.command, "convention": conv, "input": list(size), "output": list(out),
            "kernel": layer[0], "stride": layer[1], "padding": layer[2], "dilation": layer[3],
            "formulas": _formula_json(formulas)}
    if transposed:
        data["output_padding"] = op
    if conv == "keras":
        torch_line = _torch_view(size, *layer, op, transposed)
        lines += [f"Keras:   {code}", f"PyTorch: {torch_line}"]
        data.update(keras=code, pytorch=torch_line)
    else:
        lines.append(f"PyTorch: {code}")
        data["pytorch"] = code
    emit(args, data, lines)
    return 0


def cmd_conv(args: argparse.Namespace) -> int:
    return _size_command(args, transposed=False)


def cmd_transpose(args: argparse.Namespace) -> int:
    if not args.explain:
        return _size_command(args, transposed=True)
    from .textview import explain_transpose, parse_grid

    if args.keras:
        raise ConvArithmeticError("--explain shows PyTorch's ConvTranspose2d: drop --keras.")
    w = parse_grid("kernel", args.kernel) if args.kernel.lstrip().startswith("[") else None
    x = parse_grid("input", args.input) if args.input else None
    if w is not None:
        args.kernel = ",".join(str(n) for n in w.shape)
    p = layer_args(args)
    text, data = explain_transpose(p["size"], p["kernel"], p["stride"], p["padding"],
                                   parse_output_padding(args.output_padding, "torch"), p["dilation"],
                                   x=x, w=w, seed=args.seed)
    if not args.json:
        _size_command(args, transposed=True)
        print()
    emit(args, data, [text])
    return 0


def cmd_ambiguity(args: argparse.Namespace) -> int:
    p = layer_args(args)
    a = output_ambiguity(p["size"], p["kernel"], p["stride"], p["padding"], p["dilation"], convention=p["convention"])
    emit(args, {"command": "ambiguity", **a.to_json()}, [ambiguity_text(a)])
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .crosscheck import verify

    report = verify(args.samples, seed=args.seed, keras=not args.no_keras)
    print(report.summary())
    for line in report.mismatch_lines():
        print(line)
    return 1 if report.mismatches else 0


def _pool_code(args: argparse.Namespace, p: dict, size, out) -> str:
    """The layer that does it, with its shapes as a comment."""
    n, keras = len(size), p["convention"] == "keras"
    kind = ("Max" if not args.avg else "Average") if keras else ("Max" if not args.avg else "Avg")
    named = [("stride" if not keras else "strides", p["stride"]), ("padding", p["padding"])]
    if keras:
        head = f"keras.layers.{kind}Pooling{n}D(pool_size={cli_value(p['kernel'])}"
        defaults = {"strides": None, "padding": "valid"}
    else:
        head = f"nn.{kind}Pool{n}d(kernel_size={cli_value(p['kernel'])}"
        named += [("dilation", p["dilation"]), ("ceil_mode", args.ceil)]
        defaults = {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False}
    extra = "".join(f", {k}={v!r}" if isinstance(v, (str, bool)) else f", {k}={v}" for k, v in named
                    if v != defaults[k])
    shape = (lambda dims: f"(N, {', '.join(map(str, dims))}, C)") if keras else \
        (lambda dims: f"(N, C, {', '.join(map(str, dims))})")
    return f"{head}{extra})  # {shape(size)} -> {shape(out)}"


def cmd_pool(args: argparse.Namespace) -> int:
    from .explain import explain_pool
    from .pooling import pool_input_sizes, pool_output_size

    stride, args.stride = args.stride, args.stride or "1"
    p = layer_args(args)
    p["stride"] = None if stride is None else parse_size("stride", stride)
    size, conv, kind = p["size"], p["convention"], "avg" if args.avg else "max"
    layer = (p["kernel"], p["stride"], p["padding"], p["dilation"], args.ceil)
    out = pool_output_size(size, *layer, kind=kind, convention=conv)
    formulas = explain_pool(size, *layer, kind=kind, convention=conv)
    inputs = pool_input_sizes(out, *layer, kind=kind, convention=conv)
    code = _pool_code(args, p, size, out)
    name = f"{kind} pool, {len(size)}-D, {'Keras' if conv == 'keras' else 'PyTorch'}"
    spans = [f"{r.start}..{r.stop - 1}" if len(r) > 1 else str(r.start) for r in inputs]
    spans_text = f"{spans[0]} on every axis" if len(set(spans)) == 1 else f"{', '.join(spans)} per axis"
    unpool = "" if conv == "keras" else " (MaxUnpool's output_size picks one)"
    lines = [f"output size: {_times(out)}   (input {_times(size)}; {name})", *_formula_lines(formulas),
             f"inputs pooled to {_times(out)}: {spans_text}{unpool}",
             f"{'Keras:  ' if conv == 'keras' else 'PyTorch:'} {code}"]
    data = {"command": "pool", "convention": conv, "kind": kind, "input": list(size), "output": list(out),
            "kernel": p["kernel"], "stride": p["stride"], "padding": p["padding"], "dilation": p["dilation"],
            "ceil_mode": args.ceil, "formulas": _formula_json(formulas),
            "inputs": [[r.start, r.stop - 1] for r in inputs], "layer": code}
    emit(args, data, lines)
    return 0


def _upsample_size(args: argparse.Namespace) -> tuple:
    size = parse_size("i", args.size)
    if isinstance(size, tuple):
        return size
    return (size,) * (args.dims or 2)


def _scale(text: str):
    parts = []
    for part in text.split(","):
        try:
            value = float(part)
            parts.append(int(value) if value.is_integer() else value)
        except ValueError:
            raise ConvArithmeticError(f"{term('scale_factor', part)} is not a number: give 2, 0.5 or one per "
                                      "axis like 2,3.") from None
    return parts[0] if len(parts) == 1 else tuple(parts)


def cmd_upsample(args: argparse.Namespace) -> int:
    from .explain import explain_upsample
    from .pooling import upsample_output_size

    size, conv = _upsample_size(args), "keras" if args.keras else "torch"
    kwargs = {"scale_factor": None if args.scale is None else _scale(args.scale),
              "size": None if args.to is None else parse_size("size", args.to)}
    if conv == "keras" and kwargs["size"] is None and kwargs["scale_factor"] is not None:
        kwargs = {"size": parse_size("scale_factor", args.scale), "scale_factor": None}  # Keras: an int factor
    out = upsample_output_size(size, convention=conv, **kwargs)
    formulas = explain_upsample(size, convention=conv, **kwargs)
    n = len(size)
    if conv == "keras":
        code = f"keras.layers.UpSampling{n}D(size={cli_value(kwargs['size'])})"
    else:
        arg = f"scale_factor={kwargs['scale_factor']}" if kwargs["size"] is None else f"size={kwargs['size']}"
        code = f"nn.Upsample({arg})  # or F.interpolate(x, {arg})"
    lines = [f"output size: {_times(out)}   (input {_times(size)}; upsample, {n}-D, "
             f"{'Keras' if conv == 'keras' else 'PyTorch'})", *_formula_lines(formulas),
             f"{'Keras:  ' if conv == 'keras' else 'PyTorch:'} {code}"]
    data = {"command": "upsample", "convention": conv, "input": list(size), "output": list(out), **kwargs,
            "formulas": _formula_json(formulas), "layer": code}
    emit(args, data, lines)
    return 0


def add_pool(sub) -> None:
    p = sub.add_parser("pool", help="output size of max / average pooling, and every input size pooled to it")
    add_layer_options(p, "input size")
    p.set_defaults(stride=None)
    p.add_argument("--avg", action="store_true", help="average pooling (default: max)")
    p.add_argument("--ceil", action="store_true", help="PyTorch ceil_mode=True")
    p.set_defaults(func=cmd_pool, words={"size": "the input size", "ceil_mode": "--ceil", "kind": "--avg"})


def add_upsample(sub) -> None:
    p = sub.add_parser("upsample", help="output size of nn.Upsample / F.interpolate or Keras UpSampling")
    p.add_argument("size", help="input size (one int, or one per axis: 28,32)")
    p.add_argument("--scale", help="scale factor: 2, 1.5 or one per axis 2,3 (Keras: the integer size=)")
    p.add_argument("--to", help="PyTorch size=: the output size wanted, 56 or 56,64 (Keras: the integer factor)")
    p.add_argument("--dims", type=int, choices=[1, 2, 3], help="spatial axes for a single-int size (default 2)")
    p.add_argument("--keras", action="store_true", help="Keras 3 UpSampling*D instead of PyTorch")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_upsample, words={"size": "--to", "scale_factor": "--scale", "i": "the input size"})


def add_conv(sub) -> None:
    p = sub.add_parser("conv", help="output size of a convolution")
    add_layer_options(p, "input size")
    p.set_defaults(func=cmd_conv, words={"size": "the input size"})


def add_transpose(sub) -> None:
    p = sub.add_parser("transpose", help="output size of a transposed convolution")
    add_layer_options(p, "input size")
    p.add_argument("-a", "--output-padding", dest="output_padding",
                   help="output_padding: 1 or 0,1 (PyTorch default 0; Keras default none = inferred)")
    p.add_argument("--explain", action="store_true",
                   help="print a small 2-D example three ways: scatter, direct conv, matrix "
                        "(-k may then be a grid like '[[0,1],[2,3]]')")
    p.add_argument("--input", help="with --explain: the input grid, e.g. '[[0,1],[2,3]]' (default: random 0..3)")
    p.add_argument("--seed", type=int, default=0, help="with --explain: seed of the random grids (default 0)")
    p.set_defaults(func=cmd_transpose, words={"size": "the input size"})


def add_ambiguity(sub) -> None:
    p = sub.add_parser("ambiguity", help="every input size a conv maps to this output size")
    add_layer_options(p, "output size")
    p.set_defaults(func=cmd_ambiguity, words={"size": "the output size"})


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def add_verify(sub) -> None:
    p = sub.add_parser("verify", help="check convmath against the installed torch (and keras)")
    p.add_argument("--samples", type=_positive, default=2000, help="random configurations (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--no-keras", action="store_true", help="check against torch only")
    p.set_defaults(func=cmd_verify)


def _design_sizes(args: argparse.Namespace) -> tuple:
    """size and target per axis: single ints on --dims axes (default 2), tuples as given."""
    size, target = parse_size("size", args.size), parse_size("target", args.target)
    axes = {len(v) for v in (size, target) if isinstance(v, tuple)}
    if not axes:
        n = args.dims or 2
        return (size,) * n, (target,) * n
    if args.dims is not None and axes != {args.dims}:
        given = args.size if isinstance(size, tuple) else args.target
        raise ConvArithmeticError(f"--dims={args.dims} does not match {given}, which has {max(axes)} axes: "
                                  "drop --dims.")
    return size, target


def cmd_design(args: argparse.Namespace) -> int:
    from .design import BOUNDS, LIMIT_BOUND, design_layers

    size, target = _design_sizes(args)
    bounds = {b.name: b.parse(getattr(args, b.name)) for b in BOUNDS}
    limit = LIMIT_BOUND.parse(args.limit)
    frameworks = ["torch", "keras"] if args.framework == "both" else [args.framework]
    design = design_layers(size, target, frameworks=frameworks, **bounds)
    emit(args, design.to_dict(), design.lines(limit))
    return 0 if any(design.choices.values()) else 1


def add_design(sub) -> None:
    from .design import BOUNDS, LIMIT_BOUND

    p = sub.add_parser("design", help="the layers that take one size to another, and the layer that brings it back")
    p.add_argument("size", help="the input size: 32, or one per axis: 32,28")
    p.add_argument("target", help="the size wanted: 16 (convs), or larger (transposed convs); one per axis: 16,14")
    for bound in (*BOUNDS, LIMIT_BOUND):
        p.add_argument(bound.flag, dest=bound.name, default=str(bound.default),
                       help=f"{bound.help} (default {bound.default}, at most {bound.high})")
    p.add_argument("--framework", choices=["both", "torch", "keras"], default="both",
                   help="PyTorch, Keras or both (default both)")
    p.add_argument("--dims", type=int, choices=[1, 2, 3],
                   help="spatial axes for single-int sizes (default 2; per-axis sizes set it)")
    p.add_argument("--json", action="store_true", help="machine-readable output, every choice")
    p.set_defaults(func=cmd_design)


def cmd_trace(args: argparse.Namespace) -> int:
    from .shapes import trace_command

    try:
        text, status = trace_command(args.model, args.input_shape, args.json)
    except ConvArithmeticError as error:
        if not args.json:
            raise
        print(json.dumps({"error": str(error)}, ensure_ascii=False))  # --json: JSON on stdout whatever happens
        print(f"convmath trace: {error}", file=sys.stderr)
        return 2
    print(text)
    return status


def add_trace(sub) -> None:
    p = sub.add_parser("trace", help="every tensor shape through a real model; shape bugs explained with the fix "
                                     "(exit 0 clean, 1 shape problem, 2 usage error)")
    p.add_argument("model", help="ae, vae (built-in), package.module:factory or path/to/file.py:factory "
                                 "(returns an nn.Module)")
    p.add_argument("--input-shape", action="append", help="N,C,H,W like 1,1,28,28 (built-ins default to 1,1,8,8); "
                                                          "repeat it for a model with several inputs")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_trace)


COMMANDS: list[Callable] = [add_conv, add_transpose, add_ambiguity, add_pool, add_upsample, add_design, add_verify,
                            add_trace]


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="convmath", description="Convolution arithmetic that agrees with PyTorch and Keras.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CliParser)
    for add in COMMANDS:
        add(sub)
    return parser


def reader_gone() -> int:
    """The reader of stdout went away (``convmath ... | head``): stop quietly, as ``cat`` does. Later writes,
    Python's own flush at exit included, go to /dev/null. Returns the status to exit with (1)."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    words = {**WORDS, **getattr(args, "words", {})}
    try:
        with worded_as(partial(cli_term, words)):
            return args.func(args)
    except ConvArithmeticError as error:
        print(f"convmath {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return reader_gone()


if __name__ == "__main__":
    raise SystemExit(main())
