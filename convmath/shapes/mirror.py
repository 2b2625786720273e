"""Whole-model checks on a trace: decoders that do not mirror their encoders, and batch sizes that change.

Each up-sampling step (a transposed conv, an upsample / interpolate that grows, pixel shuffle) is paired along
the graph with the down-sampling step it undoes: among the down steps it reads from (directly or not) and not
yet paired, the one whose output size equals the up step's input size, else the most recent one. The up step
should give back that down step's input size. Fixes are computed together, in order: each assumes the ones
before it are applied (the up step is fed the size its partner produced), and says which it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .fixes import fix_for, fix_text, is_down, is_up
from .record import Shape, Step

__all__ = ["Mismatch", "check_mirror", "check_batch", "ancestors", "label", "times", "unpaired_downs"]


@dataclass(frozen=True)
class Mismatch:
    """A shape problem of a model that runs: ``kind`` "mirror" (an up step that does not give back its partner's
    input size), "batch" (a step that changes the batch size) or "output" (the model's output size)."""

    step: Step
    expected: Shape
    actual: Shape
    output_padding: tuple[int, ...] | None  # the output_padding of the fix, if it sets one
    message: str
    fix: dict[str, Any] = field(default_factory=dict)
    kind: str = "mirror"
    after: tuple[int, ...] = ()  # steps whose fixes this one assumes


def label(step: Step) -> str:
    return f"{step.op} {step.where}" if step.where else step.op


def times(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def ancestors(steps: Sequence[Step]) -> list[set[int]]:
    """For each step, every step it reads from, directly or not."""
    found: list[set[int]] = []
    for s in steps:
        seen: set[int] = set()
        for r in s.reads:
            if r >= 0:
                seen |= {r} | found[r]
        found.append(seen)
    return found


def _resolved_later(up: Step, expected: Shape, steps: Sequence[Step], above: list[set[int]]) -> int | None:
    """A later interpolate / Upsample with an explicit size, fed by ``up``, that gives ``expected``."""
    for s in steps[up.index + 1:]:
        if up.index in above[s.index] and "size" in s.params and s.params.get("size") is not None \
                and s.predicted is not None and s.spatial(s.output) == expected:
            return s.index
    return None


def _pair(up: Step, downs: list[Step], above: list[set[int]]) -> Step | None:
    mine = [d for d in downs if d.index in above[up.index]]
    if not mine:
        return None
    exact = [d for d in mine if d.spatial(d.output) == up.spatial(up.inputs[0])]
    return (exact or mine)[-1]


def unpaired_downs(steps: Sequence[Step]) -> list[Step]:
    """The down-sampling steps no up step undoes (paired as :func:`check_mirror` pairs them)."""
    above = ancestors(steps)
    downs = [s for s in steps if is_down(s)]
    for up in (s for s in steps if is_up(s)):
        partner = _pair(up, downs, above)
        if partner is not None:
            downs.remove(partner)
    return downs


def check_mirror(steps: Sequence[Step]) -> list[Mismatch]:
    """Up steps that do not give back the size their partner down step took in, each with the fix that does."""
    above = ancestors(steps)
    downs = [s for s in steps if is_down(s)]
    skipped: set[int] = set()
    mismatches: list[Mismatch] = []
    for up in (s for s in steps if is_up(s) and s.index not in skipped):
        partner = _pair(up, downs, above)
        if partner is None:
            continue
        downs.remove(partner)
        expected, actual = partner.spatial(partner.inputs[0]), up.spatial(up.output)
        later = _resolved_later(up, expected, steps, above)
        if later is not None:
            skipped.add(later)
            continue
        fed = partner.spatial(partner.output)
        fix = fix_for(up, fed, expected)
        if expected == actual and not fix:
            continue
        if fix == {}:
            continue  # right once the steps before it give the mirrored size: their fixes say so
        mismatches.append(_mirror_mismatch(up, partner, expected, actual, fed, fix, mismatches, above))
    return mismatches


def _mirror_mismatch(up: Step, partner: Step, expected: Shape, actual: Shape, fed: Shape, fix, earlier,
                     above) -> Mismatch:
    head = (f"step {up.index} ({label(up)}) gives {times(actual)} but undoes step {partner.index} "
            f"({label(partner)}), which took {times(expected)}")
    after = tuple(m.step.index for m in earlier if m.step.index in above[up.index])
    needs = f" (fed {times(fed)}, once step {', '.join(map(str, after))} is fixed)" if after else ""
    if fix is None:
        message = f"{head}: no output_padding, padding, kernel, stride or dilation change reaches it{needs}."
        return Mismatch(up, expected, actual, None, message, {}, "mirror", after)
    message = f"{head}: set {fix_text(fix)}{needs}."
    op = fix.get("output_padding")
    op_tuple = None if op is None else (op if isinstance(op, tuple) else (op,) * len(expected))
    return Mismatch(up, expected, actual, op_tuple, message, fix, "mirror", after)


def check_batch(steps: Sequence[Step], input_shapes: Sequence[Shape], outputs: Sequence[Shape]) -> list[Mismatch]:
    """view / reshape steps that change the batch size, and a model output whose batch differs from the input's."""
    from .views import explain_view  # views reads mirror's label and times

    found = []
    for s in steps:
        merges = s.op in ("view", "reshape") or (s.op == "flatten" and s.params.get("start_dim", 0) == 0)
        if merges and s.inputs and len(s.inputs[0]) > 1 and s.output[0] != s.inputs[0][0]:
            n, m = s.inputs[0][0], s.output[0]
            explained = explain_view(steps, s.op, s.where, s.inputs[0], s.reads, s.params)
            why = f" {explained[0]}" if explained else ""
            found.append(Mismatch(s, (n,), (m,), None, (
                f"step {s.index} ({label(s)}) turns a batch of {n} into {m}: its shape {times(s.inputs[0])} → "
                f"{times(s.output)} mixes samples; keep the batch axis, e.g. x.view(x.size(0), -1) or "
                f"x.flatten(1), and size the next layer for the rest.{why}"), explained[1] if explained else {},
                "batch"))
    if not found and input_shapes and outputs and steps and len(outputs[0]) > 1 \
            and outputs[0][0] != input_shapes[0][0]:
        found.append(Mismatch(steps[-1], (input_shapes[0][0],), (outputs[0][0],), None,
                              f"the model's output has batch {outputs[0][0]} for an input batch of "
                              f"{input_shapes[0][0]}.", {}, "batch"))
    return found
