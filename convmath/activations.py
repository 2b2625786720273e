"""A real input flowing through a user's model: the trace grouped into blocks, and each block's real activations.

A *block* is a step that changes the tensor's shape (a conv, a pool, an upsample, a flatten ...) or joins
tensors from different steps (``cat``, ``add`` of a skip connection), together with the shape-preserving
steps that follow it in a chain (activations, norms, dropout, an interpolate to the same size): those are
*folded* into it and listed. Block 0 is the model's input. Each block knows the blocks it reads (``sources``),
so skip connections are edges from a block to a later one. The activations are the real outputs of each
block's last step on a real input (a built-in digit resized to the input size, the user's ``.npy``, or a
seeded normal sample for a latent code), recorded by the same forward pass as the trace. Torch models and
Keras 3 models (torch backend; their tensors channels last, as the layers see them) alike.

>>> flow = model_flow("examples/unet.py:build", (1, 1, 28, 28))  # doctest: +SKIP
>>> [b.op for b in flow.blocks][:4]  # doctest: +SKIP
['input', 'Conv2d', 'MaxPool2d', 'Conv2d']
"""

from __future__ import annotations

import random
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .shapes import Failure, Step, explain_failure, load_model, record_forward
from .shapes.keras_layers import is_keras_model
from .shapes.mirror import times
from .validate import ConvArithmeticError

__all__ = ["Block", "Flow", "model_flow", "flow_of", "flow_input", "group_blocks", "thumbnails", "layer_text",
           "formula_lines", "MAX_ELEMENTS"]

MAX_ELEMENTS = 4_000_000  # an input larger than this is refused (the forward keeps a copy of every step)
JOINS = ("cat", "concat", "stack", "add", "sub", "mul", "div")
_SHORT = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d", "output_padding": "a",
          "scale_factor": "×", "upscale_factor": "r", "downscale_factor": "r", "output_size": "out", "size": "size",
          "dim": "dim", "start_dim": "from", "groups": "g",
          # Keras' names for the same parameters
          "pool_size": "k", "strides": "s", "dilation_rate": "d", "units": "units", "target_shape": "to"}
_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "output_padding": 0, "groups": 1, "strides": 1,
             "dilation_rate": 1}


@dataclass(frozen=True)
class Block:
    """One drawn block: its steps (the first changes the shape, the rest are folded), the blocks it reads,
    its output shape and the activation of its last step (batch item 0; the channel axis last when
    ``channels_last``, as a Keras layer gives it)."""

    index: int
    steps: tuple[Step, ...]
    sources: tuple[int, ...]
    shape: tuple[int, ...]
    activation: np.ndarray = field(repr=False)
    channels_last: bool = False

    @property
    def step(self) -> Step | None:
        """The step that makes the block (None for the input block)."""
        return self.steps[0] if self.steps else None

    @property
    def op(self) -> str:
        return self.step.op if self.step else "input"

    @property
    def folded(self) -> tuple[str, ...]:
        """The shape-preserving ops folded into the block, in order."""
        return tuple(s.op for s in self.steps[1:])


@dataclass(frozen=True)
class Flow:
    """The blocks of one forward pass on a real input, the input's description, and the failure if it raised."""

    target: str
    input_shape: tuple[int, ...]
    input_text: str
    blocks: list[Block]
    steps: list[Step]
    failure: Failure | None

    @property
    def output(self) -> Block:
        return self.blocks[-1]

    @property
    def failure_sources(self) -> tuple[int, ...]:
        """The blocks the failing call read (empty without a failure)."""
        if self.failure is None:
            return ()
        block_of = {-1: 0} | {s.index: b.index for b in self.blocks for s in b.steps}
        return tuple(dict.fromkeys(block_of[r] for r in self.failure.reads if r in block_of))


def _digit(shape: tuple[int, ...], image: int, channels_last: bool) -> tuple[torch.Tensor, str]:
    """Built-in digit ``image`` resized (bilinear) to the two spatial axes (the last two, or the two before the
    channel axis when ``channels_last``), repeated on the other axes."""
    from .models import load_images

    images, _ = load_images(None)
    if not 0 <= image < len(images):
        raise ConvArithmeticError(f"image={image} is outside the built-in digits: use 0 to {len(images) - 1}.")
    digit = torch.from_numpy(images[image]).float()[None, None]
    spatial = _spatial(shape, channels_last)
    resized = F.interpolate(digit, size=spatial, mode="bilinear", align_corners=False)[0, 0]
    text = f"digit #{image}, 8×8 resized to {times(spatial)} (bilinear)"
    return (resized[..., None] if channels_last else resized).expand(shape).clone(), text


def _spatial(shape: tuple[int, ...], channels_last: bool) -> tuple[int, ...]:
    return shape[-3:-1] if channels_last else shape[-2:]


def flow_input(shape: Sequence[int], path: str = "", image: int = 0, seed: int = 0,
               channels_last: bool = False) -> tuple[torch.Tensor, str]:
    """The real input for ``shape`` and a sentence saying what it is.

    ``path``: a ``.npy`` of exactly ``shape`` (or ``shape`` without its batch axis). Otherwise an image model
    (at least two spatial axes of 4 or more; channels last for a Keras model) gets built-in digit ``image``;
    anything else (a latent code such as DCGAN's 1×100×1×1) a normal sample N(0, 1) drawn with ``seed``.
    """
    shape = tuple(int(n) for n in shape)
    if not shape or min(shape) < 1 or int(np.prod(shape)) > MAX_ELEMENTS:
        raise ConvArithmeticError(f"input_shape={shape} is not allowed: give positive sizes with at most "
                                  f"{MAX_ELEMENTS:,} numbers in all.")
    if path:
        return _user_input(path, shape), f"{Path(path).name}, {times(shape)}"
    if len(shape) >= 4 and min(_spatial(shape, channels_last)) >= 4:
        return _digit(shape, image, channels_last)
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator), f"a random sample from N(0, 1), seed {seed}"


def _user_input(path: str, shape: tuple[int, ...]) -> torch.Tensor:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ConvArithmeticError(f"input={path!r} cannot be read as .npy ({error}).") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise ConvArithmeticError(f"input={path!r} is not an array of numbers: save one with numpy.save.")
    if array.shape not in (shape, shape[1:]):
        raise ConvArithmeticError(f"input={path!r} has shape {times(array.shape) or 'scalar'}: it must be "
                                  f"{times(shape)} (input_shape) or {times(shape[1:])}.")
    values = torch.from_numpy(array.astype(np.float32)).reshape(shape)
    if not torch.isfinite(values).all():
        raise ConvArithmeticError(f"input={path!r} holds a value that is not finite: give finite numbers.")
    return values


def _own_block(step: Step) -> bool:
    """A step drawn as its own block: it changes the shape, or it is a conv (a layer with weights and a formula)."""
    return not step.inputs or step.output != step.inputs[0] or step.is_conv


def _reads(step: Step, input_shape: tuple[int, ...]) -> list[int]:
    """The steps a step reads, in order, once each; -1 (the model input) only for a tensor of the input's shape
    (other outside tensors, such as a parameter multiplied in, are not edges)."""
    found: list[int] = []
    for r, shape in zip(step.reads, step.inputs):
        if (r >= 0 or shape == input_shape) and r not in found:
            found.append(r)
    return found


def group_blocks(steps: Sequence[Step], input_shape: tuple[int, ...]) -> list[list[int]]:
    """Step indices per block (block 0, the input, has none), and each step's block, in one pass.

    A step starts a new block when it changes the shape, is a conv, reads more than one step, or reads a step
    that is not the last of its block (a branch); otherwise it is folded into the block it reads.
    """
    groups: list[list[int]] = [[]]
    block_of = {-1: 0}
    for step in steps:
        reads = _reads(step, input_shape)
        if len(reads) == 1 and not _own_block(step):
            home = block_of[reads[0]]
            last = groups[home][-1] if groups[home] else -1
            if last == reads[0]:
                groups[home].append(step.index)
                block_of[step.index] = home
                continue
        groups.append([step.index])
        block_of[step.index] = len(groups) - 1
    return groups


def _sources(steps: Sequence[Step], groups: list[list[int]], input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    block_of = {-1: 0} | {i: b for b, group in enumerate(groups) for i in group}
    sources = [()]
    for group in groups[1:]:
        sources.append(tuple(dict.fromkeys(block_of[r] for r in _reads(steps[group[0]], input_shape))))
    return sources


def flow_of(model: torch.nn.Module, values: torch.Tensor, target: str = "model", input_text: str = "") -> Flow:
    """The flow of ``values`` through ``model``: the trace's steps, grouped into blocks, each with its real
    activation (batch item 0 of the block's last step's output); a failing forward stops at its failure."""
    shape = tuple(values.shape)
    recording = record_forward(model, [shape], values=[values])  # leaves the RNG untouched
    steps = recording.steps
    groups = group_blocks(steps, shape)
    sources = _sources(steps, groups, shape)
    keras = is_keras_model(model)
    blocks = []
    for b, group in enumerate(groups):
        tensor = recording.values[group[-1]][0] if group else values
        last = steps[group[-1]].channels_last if group else keras
        blocks.append(Block(b, tuple(steps[i] for i in group), sources[b], tuple(tensor.shape),
                            tensor[0].detach().cpu().numpy().astype(np.float64), last))
    failure = None if recording.failed is None else explain_failure(steps, recording.failed)
    return Flow(target, shape, input_text, blocks, steps, failure)


def model_flow(target: str, input_shape: Sequence[int], path: str = "", image: int = 0, seed: int = 0) -> Flow:
    """Load ``target`` (``module:factory`` or ``path/file.py:factory``; its weights made with seed ``seed``),
    make the real input (see :func:`flow_input`; channels last for a Keras model) and run it through (see
    :func:`flow_of`).

    Raises ConvArithmeticError (one sentence naming the target) if the target cannot be loaded or built.
    """
    flow_input(input_shape, path, image, seed)  # bad input refused before the user's code runs
    with seeded(seed):
        model, shape = load_model(target, tuple(int(n) for n in input_shape))
    values, text = flow_input(shape, path, image, seed, channels_last=is_keras_model(model))
    return flow_of(model, values, target, text)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Torch, Python and NumPy random numbers (and Keras' global seed generator, which draws its seed from
    Python's) seeded with ``seed`` inside, restored after: a model's weights are the same on every build."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            random.seed(seed)
            np.random.seed(seed)
            if "keras" in sys.modules:  # resets Keras' global seed generator too (made from Python's seed)
                sys.modules["keras"].utils.set_random_seed(seed)
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def thumbnails(activation: np.ndarray, count: int, channels_last: bool = False) -> tuple[list[np.ndarray], int]:
    """Up to ``count`` grey images of an activation (no batch axis) scaled to [0, 1] each (min to max; a
    constant map is 0), and how many channels are left out.

    C×H×W: the first channels; C×D×H×W: their middle depth slice; C×L: each channel as a 1×L row; a vector
    (or C×1×1): one 1×F row. ``channels_last``: the channel axis is the last (H×W×C, as Keras gives it).
    """
    a = np.asarray(activation, dtype=np.float64)
    if channels_last and a.ndim >= 2:
        a = np.moveaxis(a, -1, 0)
    if a.ndim >= 2 and all(n == 1 for n in a.shape[1:]):  # C×1×1: a vector (a latent code)
        a = a.reshape(-1)
    if a.ndim <= 1:
        maps, channels = [a.reshape(1, -1)], 1
    else:
        channels = a.shape[0]
        picked = a[:count]
        if picked.ndim == 2:  # C×L: one row per channel
            maps = [c[None, :] for c in picked]
        elif picked.ndim == 4:  # C×D×H×W: the middle depth slice
            maps = list(picked[:, picked.shape[1] // 2])
        else:
            maps = [c.reshape(-1, c.shape[-1]) for c in picked]
    shown = []
    for m in maps:
        low, high = float(m.min()), float(m.max())
        shown.append((m - low) / (high - low) if high > low else np.zeros_like(m))
    channels = 1 if a.ndim == 1 else a.shape[0]
    return shown, max(channels - len(shown), 0)


def _compact(value) -> str:
    if isinstance(value, (tuple, list)):
        values = list(value)
        if values and len(set(map(str, values))) == 1:
            return _compact(values[0])
        return "×".join(_compact(v) for v in values)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def layer_text(step: Step | None) -> tuple[str, str]:
    """(op, parameters) as a block shows them: ``("Conv2d", "k=3 s=2 p=1")``; defaults left out."""
    if step is None:
        return "input", ""
    p = step.params
    if "in_features" in p:
        return step.op, f"{p['in_features']}→{p['out_features']}"
    parts = []
    for name, value in p.items():
        if name not in _SHORT or value is None or value is False:
            continue
        if (name in _DEFAULTS and _compact(value) == str(_DEFAULTS[name])) or value == "valid":
            continue
        parts.append(f"{_SHORT[name]}={_compact(value)}")
    if p.get("ceil_mode"):
        parts.append("ceil")
    return step.op, " ".join(parts)


def formula_lines(step: Step | None) -> tuple[str, ...]:
    """The step's size formula with its numbers, one line (or one per axis when the axes differ)."""
    if step is None or not step.formulas:
        return ()
    texts = [f.text for f in step.formulas]
    if len(set(texts)) == 1:
        axes = "each axis: " if len(texts) > 1 else ""
        return (axes + texts[0],)
    names = ("D", "H", "W")[-len(texts):] if len(texts) <= 3 else [str(i) for i in range(len(texts))]
    return tuple(f"{n}: {t}" for n, t in zip(names, texts))
