"""Shape assertions for users' own test suites: ``assert_shapes`` fails with convmath's explanation, and
``pin_shapes`` keeps a model's traced shapes in a text file so a change shows as a readable diff.

>>> from torch import nn
>>> assert_shapes(nn.Conv2d(1, 4, 3, stride=2, padding=1), (1, 1, 28, 28), output=(1, 4, 14, 14))
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Sequence

__all__ = ["assert_shapes", "pin_shapes", "shape_lines"]


def shape_lines(model, *input_shapes: Sequence[int]) -> list[str]:
    """One line per traced step: index, where, op, input shapes → output shapes."""
    from .shapes import trace_model

    trace = trace_model(model, *input_shapes)
    lines = [f"{s.index} {s.where or '(model)'} {s.op}: {', '.join('×'.join(map(str, x)) for x in s.inputs)} → "
             f"{', '.join('×'.join(map(str, x)) for x in s.outputs)}" for s in trace.steps]
    if trace.failure is not None:
        lines.append(f"FAILED: {trace.failure.message}")
    return lines


def assert_shapes(model, input_shape: Sequence[int], output: Sequence[int] | None = None) -> None:
    """Trace ``model`` on ``input_shape``; raise AssertionError with convmath's explanation if it fails, has a
    shape problem (mismatch, batch), or does not give ``output``."""
    from .shapes import trace_model

    trace = trace_model(model, input_shape)
    if trace.failure is not None:
        raise AssertionError(trace.failure.message)
    if trace.mismatches:
        raise AssertionError("\n".join(m.message for m in trace.mismatches))
    if output is not None and trace.outputs[0] != tuple(output):
        raise AssertionError(f"the model gives {'×'.join(map(str, trace.outputs[0]))}, not "
                             f"{'×'.join(map(str, output))}, for input {'×'.join(map(str, input_shape))}.")


def pin_shapes(model, input_shape: Sequence[int], path: str | Path, *, update: bool = False) -> None:
    """Compare the model's traced shapes with the file ``path`` (written when missing or ``update``); raise
    AssertionError with a unified diff when they differ."""
    path = Path(path)
    lines = shape_lines(model, input_shape)
    if update or not path.exists():
        path.write_text("\n".join(lines) + "\n")
        return
    pinned = path.read_text().splitlines()
    if pinned != lines:
        diff = difflib.unified_diff(pinned, lines, str(path), "traced now", lineterm="")
        raise AssertionError("traced shapes differ from the pinned ones:\n" + "\n".join(diff))
