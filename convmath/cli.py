"""`convmath`: output sizes, the formula with your numbers, the layer that does it, and a self-check.

Each subcommand is one small ``add_<name>`` function that builds its parser and points it at its
``cmd_<name>`` handler; to add a subcommand, write both and list the ``add_`` function in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from .arithmetic import (
    ConvArithmeticError,
    conv_input_sizes,
    conv_output_size,
    output_padding_for,
    transposed_output_size,
)
from .explain import Formula, explain_conv, explain_transposed, layer_code

__all__ = ["main", "build_parser", "COMMANDS", "add_layer_options", "layer_args", "parse_size", "emit"]


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
            f"{name}={text!r} is not an integer: give an int like 3 or one per axis like 3,5."
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
                f"--dims={args.dims} does not match size={args.size}, which has {len(size)} axes: drop --dims."
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
    """What PyTorch does with the same numbers (shown under --keras), or its refusal."""
    if transposed and padding == "valid":
        padding = 0
    if output_padding is None:
        output_padding = 0
    try:
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


def _axis_ambiguity(o: int, kernel, stride, padding, dilation, convention: str) -> dict:
    """The input sizes that give ``o`` on one axis, and the output_padding that returns each."""
    inputs = conv_input_sizes(o, kernel, stride, padding, dilation, convention=convention)
    # PyTorch's ConvTranspose takes ints only: 'valid' is 0, 'full' is d(k-1), 'same' is d(k-1)/2 when even.
    span = dilation * (kernel - 1)
    up_padding = padding
    if convention == "torch" and (padding in ("valid", "full") or padding == "same" and span % 2 == 0):
        up_padding = {"valid": 0, "full": span, "same": span // 2}[padding]
    rows = []
    for i in inputs:
        try:
            op = output_padding_for(i, o, kernel, stride, up_padding, dilation, convention=convention)
            rows.append({"input": i, "output_padding": op})
        except ConvArithmeticError as error:
            rows.append({"input": i, "output_padding": None, "refusal": str(error)})
    axis = {"output": o, "inputs": list(inputs), "transposed_padding": up_padding, "transposed": rows}
    if convention == "keras":
        axis["inferred"] = transposed_output_size(o, kernel, stride, padding, dilation, None, convention="keras")
    return axis


def _per_axis_value(value, n: int, axis: int):
    return value[axis] if isinstance(value, tuple) and len(value) == n else value


def _other_padding(padding, convention: str):
    """The same padding in the other framework, or None if it has no equivalent there."""
    if convention == "torch":  # Keras takes only strings
        return "valid" if padding in (0, "valid") else "same" if padding == "same" else None
    return 0 if padding == "valid" else "same" if padding == "same" else None


def _ambiguity_axes(p: dict, convention: str, padding) -> list[dict]:
    n = len(p["size"])
    # Validate the whole layer first (per-axis lengths, combinations), then answer axis by axis.
    conv_input_sizes(p["size"], p["kernel"], p["stride"], padding, p["dilation"], convention=convention)
    return [
        _axis_ambiguity(o, _per_axis_value(p["kernel"], n, a), _per_axis_value(p["stride"], n, a),
                        _per_axis_value(padding, n, a), _per_axis_value(p["dilation"], n, a), convention)
        for a, o in enumerate(p["size"])
    ]


def _ambiguity_lines(axes: list[dict], convention: str) -> list[str]:
    n = len(axes)
    transposed = f"Conv{n}DTranspose" if convention == "keras" else f"ConvTranspose{n}d"
    lines = []
    unique = [axes[0]] if all(ax == axes[0] for ax in axes) else axes
    for a, ax in enumerate(unique):
        where = "" if n == 1 else "every axis: " if len(unique) == 1 else f"axis {a}: "
        inputs = ax["inputs"]
        if not inputs:
            lines.append(f"{where}no input size gives output {ax['output']}.")
            continue
        listed = ", ".join(str(i) for i in inputs)
        count = f"{len(inputs)} input sizes give" if len(inputs) > 1 else "1 input size gives"
        lines.append(f"{where}{count} output {ax['output']}: {listed}")
        up = f"{transposed}(padding={ax['transposed_padding']!r})"
        for row in ax["transposed"]:
            if row["output_padding"] is None:
                lines.append(f"  input {row['input']}: no {transposed} gives it back: {row['refusal']}")
            else:
                lines.append(f"  input {row['input']}: {up} of {ax['output']} needs "
                             f"output_padding={row['output_padding']}")
        if convention == "keras":
            lines.append(f"  Keras output_padding=None infers {ax['inferred']}")
    return lines


def _distinct(values) -> str:
    return ", ".join(dict.fromkeys(repr(v) for v in values))


def cmd_ambiguity(args: argparse.Namespace) -> int:
    p = layer_args(args)
    conv = p["convention"]
    axes = _ambiguity_axes(p, conv, p["padding"])
    lines = _ambiguity_lines(axes, conv)
    data = {"command": "ambiguity", "convention": conv, "output": list(p["size"]), "axes": axes}
    # The other framework's view of the same numbers.
    other = "torch" if conv == "keras" else "keras"
    title = "PyTorch" if other == "torch" else "Keras"
    padding = _other_padding(p["padding"], conv)
    if padding is None:
        note = f"padding={p['padding']!r} has no {title} equivalent"
        lines += ["", f"{title}: {note}."]
        data[other] = {"refusal": note}
    else:
        try:
            other_axes = _ambiguity_axes(p, other, padding)
            same = [(ax["inputs"], ax["transposed"]) for ax in other_axes] == [
                (ax["inputs"], ax["transposed"]) for ax in axes]
            if same:
                up = _distinct(ax["transposed_padding"] for ax in other_axes)
                line = (f"{title} (padding={padding!r}, transposed padding={up}): "
                        "the same input sizes and output_padding")
                if other == "keras":
                    line += f"; output_padding=None infers {_distinct(ax['inferred'] for ax in other_axes)}"
                lines += ["", line + "."]
            else:
                lines += ["", f"{title} (padding={padding!r}):", *_ambiguity_lines(other_axes, other)]
            data[other] = {"padding": padding, "axes": other_axes}
        except ConvArithmeticError as error:
            lines += ["", f"{title} (padding={padding!r}) refuses the same numbers: {error}"]
            data[other] = {"padding": padding, "refusal": str(error)}
    emit(args, data, lines)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .crosscheck import verify

    report = verify(args.samples, seed=args.seed, keras=not args.no_keras)
    print(report.summary())
    for line in report.mismatch_lines():
        print(line)
    return 1 if report.mismatches else 0


def add_conv(sub) -> None:
    p = sub.add_parser("conv", help="output size of a convolution")
    add_layer_options(p, "input size")
    p.set_defaults(func=cmd_conv)


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
    p.set_defaults(func=cmd_transpose)


def add_ambiguity(sub) -> None:
    p = sub.add_parser("ambiguity", help="every input size a conv maps to this output size")
    add_layer_options(p, "output size")
    p.set_defaults(func=cmd_ambiguity)


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

    text, status = trace_command(args.model, args.input_shape, args.json)
    print(text)
    return status


def add_trace(sub) -> None:
    p = sub.add_parser("trace", help="every tensor shape through a real model, functional ops included")
    p.add_argument("model", help="ae, vae (built-in) or package.module:factory (returns an nn.Module)")
    p.add_argument("--input-shape", help="N,C,H,W like 1,1,28,28 (built-ins default to 1,1,8,8)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_trace)


COMMANDS: list[Callable] = [add_conv, add_transpose, add_ambiguity, add_design, add_verify, add_trace]


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="convmath", description="Convolution arithmetic that agrees with PyTorch and Keras.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CliParser)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConvArithmeticError as error:
        print(f"convmath {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
