"""A ``view`` / ``reshape`` whose target shape does not fit the values each sample has: the shape that fits
(keeping the batch axis and the target's channel sizes), and the layer before it that could give the values
the target needs instead.

>>> view_shape_fit(6272, [-1, 128, 8, 8])
(-1, 128, 7, 7)
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

from .mirror import label
from .record import Shape, Step, first_line

__all__ = ["view_target", "view_shape_fit", "explain_view", "explain_reshape", "explain_build_refusal"]


def view_target(params: dict[str, Any]) -> list[int] | None:
    """The target shape of a recorded ``view`` / ``reshape`` call (``x.view(-1, 128, 8, 8)`` or
    ``x.view((-1, 128, 8, 8))``), or None if it is not a list of ints."""
    args = params.get("args", params.get("shape"))
    if isinstance(args, list) and len(args) == 1 and isinstance(args[0], list):
        args = args[0]
    if not isinstance(args, list) or not args or not all(isinstance(n, int) for n in args):
        return None
    return list(args)


def view_shape_fit(per_sample: int, target: Sequence[int]) -> tuple[int, ...] | None:
    """The target shape with its trailing equal sizes (the spatial side of ``-1, 128, 8, 8``) changed so that
    the non-batch axes hold ``per_sample`` values; None if no whole side fits."""
    rest = list(target[1:])
    if not rest or -1 in rest:
        return None
    run = 1
    while run < len(rest) and rest[-run - 1] == rest[-1] and len(rest) - run - 1 >= 1:
        run += 1
    kept = math.prod(rest[:len(rest) - run])
    if per_sample % kept:
        return None
    side = round((per_sample // kept) ** (1 / run))
    for s in (side - 1, side, side + 1):
        if s > 0 and kept * s ** run == per_sample:
            return (target[0], *rest[:len(rest) - run], *(s,) * run)
    return None


def _producer(steps: Sequence[Step], reads: Sequence[int], per_sample: int) -> Step | None:
    """The Linear / Dense that made the values the view reshapes (its out_features equal the values per
    sample), if the view reads one directly."""
    source = steps[reads[0]] if reads and reads[0] >= 0 else None
    if source is not None and source.params.get("out_features", source.params.get("units")) == per_sample:
        return source
    return None


def explain_view(steps: Sequence[Step], op: str, where: str, shape: Shape, reads: Sequence[int],
                 params: dict[str, Any]) -> tuple[str, dict[str, Any], int | None, str | None] | None:
    """(message, fix, fix step, fix where) for a view of an input ``shape`` whose target does not fit the
    values per sample; the fix is the target shape that fits (``{"shape": (-1, 128, 7, 7)}``), else the
    out_features of the Linear before it. None if the target is not readable or fits."""
    target = view_target(params)
    if target is None or len(shape) < 2:
        return None
    per_sample = math.prod(shape[1:])
    wanted = math.prod(n for n in target[1:] if n != -1)
    if -1 in target[1:] or wanted == per_sample:
        return None
    call = f"{op}({', '.join(map(str, target))})" + (f" in {where}" if where else "")
    source = _producer(steps, reads, per_sample)
    origin = f" (from step {source.index}, {label(source)})" if source else ""
    head = (f"{call} gets {per_sample} values per sample{origin} but needs {wanted} = "
            f"{'·'.join(str(n) for n in target[1:])}")
    fit = view_shape_fit(per_sample, target)
    options = []
    if fit is not None:
        keep = ", ".join(map(str, fit[1:]))
        options.append(f"{op}({', '.join(map(str, fit))}) fits ({op}(x.size(0), {keep}) also keeps the batch)")
    key = "units" if source is not None and source.convention == "keras" else "out_features"
    if source is not None:
        options.append(f"{'or ' if options else ''}set {key}={wanted} on step {source.index} ({label(source)})")
    if not options:
        return f"{head}.", {}, None, None
    if fit is not None:
        return f"{head}: {', '.join(options)}.", {"shape": fit}, None, where
    return f"{head}: {options[0]}.", {key: wanted}, source.index, source.where


def explain_reshape(steps: Sequence[Step], where: str, shape: Shape, reads: Sequence[int],
                    params: dict[str, Any]) -> tuple[str, dict[str, Any], int | None, str | None] | None:
    """(message, fix, fix step, fix where) for a Keras ``Reshape(target_shape)`` fed ``shape``, whose target
    does not hold the values per sample: the ``target_shape`` that fits, else the ``units`` of the Dense before
    it. None if the target has a -1 or fits."""
    target = params.get("target_shape")
    if not isinstance(target, (list, tuple)) or -1 in target or len(shape) < 2:
        return None
    per_sample, wanted = math.prod(shape[1:]), math.prod(target)
    if wanted == per_sample:
        return None
    source = _producer(steps, reads, per_sample)
    origin = f" (from step {source.index}, {label(source)})" if source else ""
    head = (f"Reshape {where} gets {per_sample} values per sample{origin} but target_shape={tuple(target)} needs "
            f"{wanted} = {'·'.join(map(str, target))}")
    fit = view_shape_fit(per_sample, [-1, *target])
    units = f"set units={wanted} on step {source.index} ({label(source)})" if source else ""
    if fit is not None:
        return (f"{head}: target_shape={fit[1:]} fits{', or ' + units if units else ''}.",
                {"target_shape": fit[1:]}, None, where)
    if source is not None:
        return f"{head}: {units}.", {"units": wanted}, source.index, source.where
    return f"{head}.", {}, None, None


def explain_build_refusal(error: BaseException) -> str:
    """One sentence for a shape error Keras raised while a model was built (in the factory, before any trace):
    the layer that refused and, for a Reshape whose target does not hold the values, the target that fits."""
    text = str(error)
    layer = re.search(r"calling (\w+)\.call\(\)", text)
    refused = f"{layer.group(1)} refused its input while the model was built: " if layer else ""
    reshape = re.search(r"input_shape=\(([\d, ]+)\), target_shape=\(([\d, -]+)\)", text)
    if not reshape:
        unsized = re.search(r"fully-defined.*variable path='([\w/]+)/kernel'", text)
        hint = (f" ({unsized.group(1)} needs a fixed input size: declare the spatial sizes in keras.Input, or pool "
                "them away with a GlobalAveragePooling layer before it)") if unsized else ""
        return f"{refused}{first_line(error)}{hint}"
    values = math.prod(int(n) for n in reshape.group(1).replace(" ", "").split(",") if n)
    target = [int(n) for n in reshape.group(2).replace(" ", "").split(",") if n]
    wanted = math.prod(target)
    fit = view_shape_fit(values, [-1, *target])
    fits = f"target_shape={fit[1:]} fits, or " if fit else ""
    return (f"{refused}{values} values per sample cannot be reshaped to {tuple(target)}, which needs {wanted} = "
            f"{'·'.join(map(str, target))}: {fits}make the layer before it give {wanted}")
