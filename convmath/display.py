"""convmath's answers as notebook displays: a shape trace as an HTML table, a size with its formula in LaTeX.

Everything here reads the dict forms the command prints with ``--json`` (``convmath trace --json``,
``convmath conv --json``), so a notebook shows exactly what the command computed; the command's own text
output is untouched. Formulas are written as LaTeX for the notebook's MathJax; where no MathJax typesets
them (Colab's output frames, an HTML export read offline) a small script swaps in the plain-text formula.

>>> view = conv_view(5, 3, stride=2, padding=1)
>>> view.output, view.formulas[0][0]
((3, 3), 'o = ⌊(i + 2p − k)/s⌋ + 1 = ⌊(5 + 2·1 − 3)/2⌋ + 1 = ⌊4/2⌋ + 1 = 3')
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from html import escape
from typing import Any, Mapping, Sequence

from .arithmetic import conv_output_size, transposed_output_size
from .explain import Formula, explain_conv, explain_transposed, layer_code

__all__ = ["TraceView", "SizeView", "conv_view", "transposed_view", "formula_latex", "formula_html"]

# Backgrounds that read on light and dark notebook themes alike (translucent over the page).
COLORS = {"mismatch": "rgba(230, 140, 0, 0.22)", "wrong": "rgba(220, 40, 40, 0.20)",
          "failure": "rgba(220, 40, 40, 0.14)", "rule": "rgba(128, 128, 128, 0.45)",
          "head": "rgba(128, 128, 128, 0.14)"}
SHORT = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d", "output_padding": "a"}
PARAM_CHARS = 40  # a longer parameter text is cut in the table (the whole text is its tooltip)

# Shows the plain-text formulas when nothing has typeset the LaTeX about two seconds after the output appears.
_FALLBACK = """<script>(function () {{
  var root = document.getElementById("{id}"), tries = 0;
  function check() {{
    if (!root || root.querySelector("mjx-container, .MathJax, .MathJax_CHTML, .MathJax_SVG, .katex")) return;
    if (++tries < 8) {{ setTimeout(check, 250); return; }}
    root.querySelectorAll(".convmath-tex").forEach(function (e) {{ e.style.display = "none"; }});
    root.querySelectorAll(".convmath-plain").forEach(function (e) {{ e.style.display = "inline"; }});
  }}
  setTimeout(check, 250);
}})();</script>"""


def _times(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def _math(latex: str, text: str) -> str:
    """A formula as LaTeX for MathJax, with its plain text hidden beside it (the fallback)."""
    return (f'<span class="convmath-tex">\\({escape(latex)}\\)</span>'
            f'<span class="convmath-plain" style="display:none">{escape(text)}</span>')


def _wrap(kind: str, body: str) -> str:
    """``body`` in a div with a stable id, followed by the LaTeX fallback script."""
    ident = f"convmath-{kind}-" + hashlib.sha256(body.encode()).hexdigest()[:12]
    return f'<div class="convmath-{kind}" id="{ident}">{body}{_FALLBACK.format(id=ident)}</div>'


def formula_latex(formula: Formula) -> str:
    """One axis's formula as display LaTeX: ``$$o = … = 3$$`` (IPython's text/latex for a Formula)."""
    return f"$${formula.latex_symbolic} = {formula.latex}$$"


def formula_html(formula: Formula) -> str:
    """One axis's formula as HTML (LaTeX with its plain-text fallback)."""
    return _wrap("formula", _math(f"{formula.latex_symbolic} = {formula.latex}", formula.text))


def _formula_lines(formulas: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(label, text, latex) per line: one line when every axis has the same formula ("every axis: "), else one
    per axis ("axis 0: "), as the command prints them."""
    if len({latex for _, latex in formulas}) <= 1:
        return [("every axis: " if len(formulas) > 1 else "", *formulas[0])] if formulas else []
    return [(f"axis {n}: ", text, latex) for n, (text, latex) in enumerate(formulas)]


def _value_text(value: Any) -> str:
    """A parameter value, compact: (3, 3) -> 3, [1, 2] -> 1,2."""
    if isinstance(value, (list, tuple)):
        if value and len({json.dumps(v) for v in value}) == 1 and not isinstance(value[0], (list, tuple)):
            return str(value[0])
        return ",".join(_value_text(v) for v in value)
    return str(value)


def _params_text(params: Mapping[str, Any]) -> str:
    """A step's parameters in a few characters: 'k=3 s=2 p=1 d=1', '1568→64', '-1, 32, 7, 7'."""
    if "in_features" in params and "out_features" in params:
        return f"{params['in_features']}→{params['out_features']}"
    parts = []
    for key, value in params.items():
        if key in ("in_channels", "out_channels"):
            continue
        if key == "args":
            parts.append(", ".join(map(str, value)) if isinstance(value, list) else str(value))
        else:
            parts.append(f"{SHORT.get(key, key)}={_value_text(value)}")
    return " ".join(parts)


@dataclass(frozen=True)
class TraceView:
    """A shape trace (the dict ``convmath trace --json`` prints) shown as an HTML table in a notebook.

    One row per step: where, op, input and output shapes, parameters, convmath's formula with the numbers in.
    Rows convmath disagrees with, and decoders that do not mirror their encoders, are highlighted and
    explained under the table with their fix; a forward that failed shows its explanation last.
    """

    data: Mapping[str, Any]

    @classmethod
    def from_json(cls, text: str) -> "TraceView":
        return cls(json.loads(text))

    @property
    def steps(self) -> list[Mapping[str, Any]]:
        return list(self.data.get("steps", []))

    @property
    def mismatches(self) -> list[Mapping[str, Any]]:
        return list(self.data.get("mismatches", []))

    @property
    def failure(self) -> Any:
        return self.data.get("failure")

    @property
    def ok(self) -> bool:
        """No mismatch, no failure, and convmath agrees with every step."""
        return not self.mismatches and not self.failure and all(s.get("agrees", True) for s in self.steps)

    def summary(self) -> str:
        """'input 1×1×28×28 → output 1×1×25×25; 4 conv steps, convmath agrees on 4; 2 mismatches'."""
        steps = self.steps
        if not steps:
            return "no steps were recorded"
        checked = [s for s in steps if "predicted" in s]
        text = (f"input {_times(steps[0]['inputs'][0])} → output {_times(steps[-1]['outputs'][0])}; "
                f"{len(checked)} steps with a formula, convmath agrees on {sum(bool(s.get('agrees')) for s in checked)}")
        if self.mismatches:
            text += f"; {len(self.mismatches)} mismatch{'es' if len(self.mismatches) > 1 else ''}"
        if self.failure:
            text += "; the forward failed"
        return text if not self.ok else text + "; no shape problem"

    def messages(self) -> list[tuple[str, str]]:
        """(kind, sentence) for each mismatch and the failure: what the table highlights, in words."""
        found = [("mismatch", str(m.get("message", ""))) for m in self.mismatches]
        if self.failure:
            found.append(("failure", _failure_text(self.failure)))
        return found

    def __repr__(self) -> str:
        lines = [f"shape trace: {self.summary()}"]
        lines += [f"{kind.upper()}: {text}" for kind, text in self.messages()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _wrap("trace", _trace_table(self) + _trace_notes(self))


def _failure_text(failure: Any) -> str:
    """A failure's explanation: its message and fix when it is a dict, the text itself otherwise."""
    if not isinstance(failure, Mapping):
        return str(failure)
    parts = [str(failure[key]) for key in ("message", "explanation", "fix") if failure.get(key)]
    return " ".join(parts) if parts else json.dumps(failure, ensure_ascii=False)


def _row_state(step: Mapping[str, Any], flagged: set[int]) -> tuple[str, str]:
    """(background, mark) of a step's row: convmath disagrees, a mismatch, or nothing."""
    if step.get("agrees") is False:
        return COLORS["wrong"], "≠"
    if step.get("index") in flagged:
        return COLORS["mismatch"], "⚠"
    return "", "✓" if step.get("agrees") else ""


def _trace_row(step: Mapping[str, Any], flagged: set[int]) -> str:
    background, mark = _row_state(step, flagged)
    style = f' style="background:{background}"' if background else ""
    params = _params_text(step.get("params", {}))
    shown = params if len(params) <= PARAM_CHARS else params[: PARAM_CHARS - 1] + "…"
    formulas = [(f.get("text", ""), f.get("latex", "")) for f in step.get("formulas", [])]
    lines = _formula_lines(formulas)
    formula = "<br>".join(f"{escape(label if len(lines) > 1 else '')}{_math(latex, text)}" for label, text, latex in lines)
    cells = [str(step.get("index", "")), escape(step.get("where") or "(model)"), escape(str(step.get("op", ""))),
             escape(", ".join(_times(s) for s in step.get("inputs", []))),
             escape(", ".join(_times(s) for s in step.get("outputs", []))),
             f'<span title="{escape(params)}">{escape(shown)}</span>', formula, mark]
    tds = "".join(f'<td style="{_CELL}{_ALIGN[n]}">{cell}</td>' for n, cell in enumerate(cells))
    return f'<tr class="convmath-step"{style} data-index="{escape(str(step.get("index", "")))}">{tds}</tr>'


_CELL = "padding:3px 8px;border-bottom:1px solid rgba(128,128,128,0.25);vertical-align:middle;white-space:nowrap;"
_ALIGN = ["text-align:right;", "text-align:left;", "text-align:left;", "text-align:right;", "text-align:right;",
          "text-align:left;", "text-align:left;white-space:normal;min-width:16em;", "text-align:center;"]
_HEADS = ("#", "where", "op", "input", "output", "parameters", "convmath's formula", "")


def _trace_table(view: TraceView) -> str:
    flagged = {m.get("step") for m in view.mismatches}
    heads = "".join(f'<th style="{_CELL}{_ALIGN[n]}background:{COLORS["head"]}">{escape(h)}</th>'
                    for n, h in enumerate(_HEADS))
    rows = "".join(_trace_row(s, flagged) for s in view.steps)
    caption = f'<caption style="caption-side:bottom;text-align:left;padding:4px 8px">{escape(view.summary())}</caption>'
    return (f'<table class="convmath-trace" style="border-collapse:collapse;font-size:13px;margin:4px 0">'
            f"{caption}<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>")


def _trace_notes(view: TraceView) -> str:
    notes = []
    for kind, text in view.messages():
        color = COLORS["mismatch" if kind == "mismatch" else "failure"]
        notes.append(f'<div class="convmath-{kind}" style="background:{color};padding:6px 10px;margin:4px 0;'
                     f'border-left:4px solid {COLORS["rule"]}"><b>{kind}:</b> {escape(text)}</div>')
    return "".join(notes)


@dataclass(frozen=True)
class SizeView:
    """An output size with its formula (one per axis) and the layer that gives it, for a notebook.

    Shows as HTML (LaTeX formulas) or as LaTeX alone; ``SizeView.from_json`` reads what
    ``convmath conv --json`` / ``convmath transpose --json`` print.
    """

    title: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    formulas: tuple[tuple[str, str], ...]  # (text, latex) per axis
    code: tuple[tuple[str, str], ...] = ()  # (framework, code line)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> "SizeView":
        if isinstance(data, str):
            data = json.loads(data)
        kind = "transposed conv" if data.get("command") == "transpose" else "conv"
        framework = "Keras" if data.get("convention") == "keras" else "PyTorch"
        size = tuple(data["input"])
        code = tuple((name, data[key]) for name, key in (("Keras", "keras"), ("PyTorch", "pytorch")) if key in data)
        return cls(f"{kind}, {len(size)}-D, {framework}", size, tuple(data["output"]),
                   tuple((f["text"], f["latex"]) for f in data.get("formulas", [])), code)

    def __repr__(self) -> str:
        lines = [f"output size: {_times(self.output)}   (input {_times(self.input)}; {self.title})"]
        lines += [f"  {label}{text}" for label, text, _ in _formula_lines(self.formulas)]
        lines += [f"{name}: {line}" for name, line in self.code]
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        lines = [rf"\text{{{label}}}{latex}" if label else latex for label, _, latex in _formula_lines(self.formulas)]
        if len(lines) == 1:
            return f"$${lines[0]}$$"
        return r"$$\begin{gathered}" + r" \\ ".join(lines) + r"\end{gathered}$$"

    def _repr_html_(self) -> str:
        head = (f'<div style="font-size:15px"><b>output size {escape(_times(self.output))}</b> '
                f"(input {escape(_times(self.input))}; {escape(self.title)})</div>")
        formulas = "".join(f'<div style="margin:6px 0 6px 12px">{escape(label)}{_math(latex, text)}</div>'
                           for label, text, latex in _formula_lines(self.formulas))
        code = "".join(f'<div><code>{escape(name)}: {escape(line)}</code></div>' for name, line in self.code)
        return _wrap("size", head + formulas + code)


def _formula_pairs(formulas: Formula | tuple[Formula, ...]) -> tuple[tuple[str, str], ...]:
    items = formulas if isinstance(formulas, tuple) else (formulas,)
    return tuple((f.text, f"{f.latex_symbolic} = {f.latex}") for f in items)


def _as_axes(i: int | tuple[int, ...]) -> tuple[int, ...]:
    return tuple(i) if isinstance(i, (tuple, list)) else (i, i)


def conv_view(i, kernel, stride=1, padding=0, dilation=1, *, convention: str = "torch") -> SizeView:
    """The conv's output size, formula and layer for a notebook; an int ``i`` means a square 2-D input."""
    size = _as_axes(i)
    out = conv_output_size(size, kernel, stride, padding, dilation, convention=convention)
    formulas = _formula_pairs(explain_conv(size, kernel, stride, padding, dilation, convention=convention))
    framework = "Keras" if convention == "keras" else "PyTorch"
    code = layer_code(size, kernel, stride, padding, dilation, convention=convention)
    return SizeView(f"conv, {len(size)}-D, {framework}", size, tuple(out), formulas, ((framework, code),))


def transposed_view(i, kernel, stride=1, padding=0, dilation=1, output_padding=0, *,
                    convention: str = "torch") -> SizeView:
    """The transposed conv's output size, formula and layer (``output_padding=None``: Keras infers it)."""
    size = _as_axes(i)
    layer = (kernel, stride, padding, dilation)
    out = transposed_output_size(size, *layer, output_padding=output_padding, convention=convention)
    formulas = _formula_pairs(explain_transposed(size, *layer, output_padding=output_padding, convention=convention))
    framework = "Keras" if convention == "keras" else "PyTorch"
    code = layer_code(size, *layer, output_padding=output_padding, transposed=True, convention=convention)
    return SizeView(f"transposed conv, {len(size)}-D, {framework}", size, tuple(out), formulas, ((framework, code),))
