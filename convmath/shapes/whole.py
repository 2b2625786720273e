"""The whole-model check of an autoencoder-shaped model (one that goes down and back up): its output's spatial
size should be its input's. Said even when every up step mirrors its partner (a down step nothing undoes, an
unpadded conv ...), with the layer to change: a value found by replaying the chain with convmath's formulas.
"""

from __future__ import annotations

from typing import Sequence

from .fixes import fix_for, fix_text, is_down, is_up, resizes
from .mirror import Mismatch, label, times, unpaired_downs
from .record import Shape, Step
from .replay import chain_to, replay

__all__ = ["check_output", "spatial_axes"]


def spatial_axes(shape: Shape, channels_last: bool) -> Shape:
    """The spatial sizes of a batched tensor shape (N, C, *S) or, channels last, (N, *S, C)."""
    return tuple(shape[1:-1]) if channels_last else tuple(shape[2:])


def _with_spatial(shape: Shape, sizes: Shape, channels_last: bool) -> Shape:
    return (shape[0], *sizes, shape[-1]) if channels_last else (*shape[:2], *sizes)


def _targets(step: Step, want: Shape) -> list[Shape]:
    """Sizes to try for ``step``'s output: the size it was given (so it keeps it), then sizes around its output
    (nearest first)."""
    now = step.spatial(step.output)
    near = sorted(range(1, 2 * max(now + want) + 4), key=lambda v: (abs(v - now[0]), v))
    return [step.spatial(step.inputs[0])] + [(v,) * len(now) for v in near]


def _output_fix(chain: Sequence[Step], candidates: Sequence[Step], want: Shape, last: bool):
    """(step, fix) for the first candidate whose fix makes the chain end at spatial size ``want``."""
    for step in candidates:
        k = chain.index(step)
        given = step.spatial(step.inputs[0])
        for target in _targets(step, want):
            fix = fix_for(step, given, target) if len(target) == len(given) else None
            if not fix:
                continue
            out = replay(chain[k + 1:], _with_spatial(step.output, target, last))
            if out is not None and spatial_axes(out, last) == want:
                return step, fix
    return None, None


def check_output(steps: Sequence[Step], inputs: Sequence[Shape], outputs: Sequence[Shape],
                 found: Sequence[Mismatch]) -> list[Mismatch]:
    """An "output" mismatch if an autoencoder-shaped model's output size differs from its input's and no mirror
    mismatch already says why; the fix is checked by replaying the chain from the input to the output."""
    if any(m.kind == "mirror" for m in found) or not (inputs and outputs and steps):
        return []
    if not (any(is_down(s) for s in steps) and any(is_up(s) for s in steps)):
        return []
    last = any(s.convention == "keras" for s in steps)
    have, want = spatial_axes(outputs[0], last), spatial_axes(inputs[0], last)
    if len(outputs[0]) != len(inputs[0]) or have == want:
        return []
    end = next(s for s in reversed(steps) if s.outputs and s.output == outputs[0])
    chain = chain_to(steps, end.index) or []
    lonely = [s for s in unpaired_downs(steps) if s in chain]
    candidates = lonely + [s for s in chain if resizes(s) and s not in lonely]
    step, fix = _output_fix(chain, candidates, want, last)
    head = f"the output is {times(have)} for a {times(want)} input, in a model that goes down and back up"
    if step is None:
        named = "; ".join(f"step {s.index} ({label(s)}) takes {times(s.spatial(s.inputs[0]))} to "
                          f"{times(s.spatial(s.output))} and no step undoes it" for s in lonely)
        return [Mismatch(end, want, have, None, f"{head}{': ' + named if named else ''}.", {}, "output")]
    why = " and no step undoes it" if step in lonely else ""
    message = (f"{head}: step {step.index} ({label(step)}) takes {times(step.spatial(step.inputs[0]))} to "
               f"{times(step.spatial(step.output))}{why}; {fix_text(fix)} there gives a {times(want)} output.")
    op = fix.get("output_padding")
    return [Mismatch(step, want, have, None if op is None else tuple(op if isinstance(op, tuple) else
                                                                     (op,) * len(want)), message, fix, "output")]
