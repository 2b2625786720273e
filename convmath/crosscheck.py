"""The same shape questions answered by the real ops: PyTorch functional convs and Keras 3 layers.

Each ``torch_*`` / ``keras_*`` function runs the real op on a tiny zero tensor (batch 1, 1 channel) and
returns an :class:`Outcome`: the spatial output size, or the refusal message. Sizes are per-axis tuples;
kernel, stride, dilation and output_padding are an int or one per axis; padding is an int, a string, or
one entry per axis (an int or a ``(before, after)`` pair). ``verify`` sweeps random configurations and
compares convmath with them. Keras is imported lazily (``KERAS_BACKEND=torch`` unless already set).
"""

from __future__ import annotations

import os
import random
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterator

from .arithmetic import ConvArithmeticError, conv_output_size, transposed_output_size
from .pooling import pool_output_size, upsample_output_size

__all__ = [
    "Outcome",
    "Config",
    "Report",
    "torch_conv",
    "torch_transposed",
    "keras_conv",
    "keras_transposed",
    "keras_available",
    "UpsampleConfig",
    "torch_pool",
    "torch_upsample",
    "keras_pool",
    "keras_upsample",
    "random_pool_config",
    "random_upsample_config",
    "one_torch_thread",
    "convmath_outcome",
    "real_outcome",
    "random_config",
    "verify",
]


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch on one thread inside the block: on tiny tensors, thread hand-offs cost more than the convs
    (a sweep runs about 5x faster than with 2 threads)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@dataclass(frozen=True)
class Outcome:
    """The spatial output size, or ``size=None`` and the refusal message."""

    size: tuple[int, ...] | None
    error: str = ""

    @property
    def refused(self) -> bool:
        return self.size is None

    def __str__(self) -> str:
        return f"refused ({self.error})" if self.refused else str(self.size)

    def agrees(self, other: "Outcome") -> bool:
        """Same size, or both refuse (the messages may differ)."""
        return self.size == other.size


def _result(shape) -> Outcome:
    """A real output shape; an empty one (a zero-size axis) counts as a refusal: torch's native kernels raise
    "Output size is too small" there, only its oneDNN path and Keras hand back an empty tensor."""
    size = tuple(int(n) for n in shape)
    return Outcome(None, f"empty output {size}") if 0 in size else Outcome(size)


def _refusal(error: Exception) -> Outcome:
    return Outcome(None, f"{type(error).__name__}: {' '.join(str(error).split())}"[:300])


def _torch_args(i: tuple, kernel, padding, dilation, transposed: bool):
    """Zero input and weight, and padding mapped onto what torch takes: 'full' is the int d(k-1) per axis;
    for a conv, (before, after) pairs become an ``F.pad`` (returned separately, last axis first)."""
    import torch

    n = len(i)
    kernels = tuple(kernel) if isinstance(kernel, (tuple, list)) else (kernel,) * n
    dilations = tuple(dilation) if isinstance(dilation, (tuple, list)) else (dilation,) * n
    pad_first = None
    if padding == "full" and not transposed:
        padding = tuple(d * (k - 1) for k, d in zip(kernels, dilations))
    elif not transposed and isinstance(padding, (tuple, list)) and any(
            isinstance(p, (tuple, list)) for p in padding):
        pairs = [tuple(p) if isinstance(p, (tuple, list)) else (p, p) for p in padding]
        pad_first = tuple(v for pair in reversed(pairs) for v in pair)
        padding = 0
    x = torch.zeros((1, 1, *i))
    w = torch.zeros((1, 1, *kernels))
    return x, w, padding, pad_first


def _conv_fn(n: int, transposed: bool):
    import torch.nn.functional as F

    table = {
        False: {1: F.conv1d, 2: F.conv2d, 3: F.conv3d},
        True: {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d},
    }
    return table[transposed][n]


def torch_conv(i: tuple, kernel, stride=1, padding=0, dilation=1) -> Outcome:
    """``torch.nn.functional.conv{1,2,3}d`` on zeros; asymmetric pairs go through ``F.pad`` first."""
    import torch
    import torch.nn.functional as F

    try:
        with torch.no_grad():
            x, w, padding, pad_first = _torch_args(i, kernel, padding, dilation, transposed=False)
            if pad_first is not None:
                x = F.pad(x, pad_first)
            y = _conv_fn(len(i), False)(x, w, stride=stride, padding=padding, dilation=dilation)
    except Exception as error:  # noqa: BLE001 - any refusal of the real op is an answer
        return _refusal(error)
    return _result(y.shape[2:])


def torch_transposed(i: tuple, kernel, stride=1, padding=0, dilation=1, output_padding=0) -> Outcome:
    """``torch.nn.functional.conv_transpose{1,2,3}d`` on zeros."""
    import torch

    try:
        with torch.no_grad():
            x, w, padding, _ = _torch_args(i, kernel, padding, dilation, transposed=True)
            y = _conv_fn(len(i), True)(x, w, stride=stride, padding=padding, output_padding=output_padding,
                                       dilation=dilation)
    except Exception as error:  # noqa: BLE001
        return _refusal(error)
    return _result(y.shape[2:])


@lru_cache(maxsize=1)
def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def keras_available() -> bool:
    try:
        _keras()
    except ImportError:
        return False
    return True


def _hashable(value):
    return tuple(_hashable(v) for v in value) if isinstance(value, (tuple, list)) else value


@lru_cache(maxsize=4096)
def _keras_layer(n: int, transposed: bool, kernel, stride, padding, dilation, output_padding):
    """One layer per configuration, reused for every input size (building layers dominates the cost)."""
    layers = _keras().layers
    kwargs = dict(kernel_size=kernel, strides=stride, padding=padding, dilation_rate=dilation)
    if transposed:
        cls = {1: layers.Conv1DTranspose, 2: layers.Conv2DTranspose, 3: layers.Conv3DTranspose}[n]
        return cls(1, output_padding=output_padding, **kwargs)
    return {1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}[n](1, **kwargs)


def _keras_run(i: tuple, transposed: bool, kernel, stride, padding, dilation, output_padding) -> Outcome:
    import numpy as np

    try:
        key = (kernel, stride, padding, dilation, output_padding)
        layer = _keras_layer(len(i), transposed, *(_hashable(v) for v in key))
        y = layer(np.zeros((1, *i, 1), dtype="float32"))
    except Exception as error:  # noqa: BLE001
        return _refusal(error)
    return _result(y.shape[1:-1])


def keras_conv(i: tuple, kernel, stride=1, padding="valid", dilation=1) -> Outcome:
    """Keras 3 ``Conv{1,2,3}D`` (channels last) called on zeros."""
    return _keras_run(i, False, kernel, stride, padding, dilation, None)


def keras_transposed(i: tuple, kernel, stride=1, padding="valid", dilation=1, output_padding=None) -> Outcome:
    """Keras 3 ``Conv{1,2,3}DTranspose`` (channels last) called on zeros."""
    return _keras_run(i, True, kernel, stride, padding, dilation, output_padding)


@dataclass(frozen=True)
class Config:
    """One question: the op ("conv", "transposed", or a pooling "max" / "avg"), the convention, and its numbers
    (sizes per axis; a pool's stride None means its kernel)."""

    op: str
    convention: str
    i: tuple[int, ...]
    kernel: object
    stride: object
    padding: object
    dilation: object = 1
    output_padding: object = 0
    ceil_mode: bool = False

    @property
    def pool(self) -> bool:
        return self.op in ("max", "avg")

    def __str__(self) -> str:
        extra = (f", output_padding={self.output_padding!r}" if self.op == "transposed"
                 else f", ceil_mode={self.ceil_mode}" if self.pool else "")
        return (f"{self.convention} {self.op}{' pool' if self.pool else ''} i={self.i}, kernel={self.kernel!r}, "
                f"stride={self.stride!r}, padding={self.padding!r}, dilation={self.dilation!r}{extra}")


@dataclass(frozen=True)
class UpsampleConfig:
    """An upsampling question: torch interpolate (scale_factor or size) or Keras UpSampling (size = factor)."""

    convention: str
    i: tuple[int, ...]
    scale_factor: object = None
    size: object = None

    def __str__(self) -> str:
        return f"{self.convention} upsample i={self.i}, scale_factor={self.scale_factor!r}, size={self.size!r}"


def torch_pool(c: Config) -> Outcome:
    """``F.max_pool{1,2,3}d`` / ``F.avg_pool{1,2,3}d`` on zeros."""
    import torch
    import torch.nn.functional as F

    n = len(c.i)
    try:
        with torch.no_grad():
            x = torch.zeros((1, 1, *c.i))
            if c.op == "max":
                fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[n]
                y = fn(x, c.kernel, c.stride, c.padding, c.dilation, ceil_mode=c.ceil_mode)
            else:
                fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[n]
                y = fn(x, c.kernel, c.stride, c.padding, ceil_mode=c.ceil_mode)
    except Exception as error:  # noqa: BLE001
        return _refusal(error)
    return _result(y.shape[2:])


def torch_upsample(c: UpsampleConfig) -> Outcome:
    """``F.interpolate`` (nearest) on zeros."""
    import torch
    import torch.nn.functional as F

    try:
        y = F.interpolate(torch.zeros((1, 1, *c.i)), size=c.size, scale_factor=c.scale_factor)
    except Exception as error:  # noqa: BLE001
        return _refusal(error)
    return _result(y.shape[2:])


@lru_cache(maxsize=1024)
def _keras_pool_layer(n: int, kind: str, kernel, stride, padding):
    layers = _keras().layers
    table = {"max": (layers.MaxPooling1D, layers.MaxPooling2D, layers.MaxPooling3D),
             "avg": (layers.AveragePooling1D, layers.AveragePooling2D, layers.AveragePooling3D)}
    return table[kind][n - 1](kernel, strides=stride, padding=padding)


def keras_pool(c: Config) -> Outcome:
    """Keras 3 ``MaxPooling{1,2,3}D`` / ``AveragePooling{1,2,3}D`` (channels last) on zeros."""
    import numpy as np

    try:
        layer = _keras_pool_layer(len(c.i), c.op, _hashable(c.kernel), _hashable(c.stride), c.padding)
        y = layer(np.zeros((1, *c.i, 1), dtype="float32"))
    except Exception as error:  # noqa: BLE001
        return _refusal(error)
    return _result(y.shape[1:-1])


def keras_upsample(c: UpsampleConfig) -> Outcome:
    """Keras 3 ``UpSampling{1,2,3}D(size)`` on zeros."""
    import numpy as np

    layers = _keras().layers
    size = c.size[0] if len(c.i) == 1 and isinstance(c.size, tuple) else c.size  # UpSampling1D takes an int
    try:
        layer = (layers.UpSampling1D, layers.UpSampling2D, layers.UpSampling3D)[len(c.i) - 1](size)
        y = layer(np.zeros((1, *c.i, 1), dtype="float32"))
    except Exception as error:  # noqa: BLE001
        return _refusal(error)
    return _result(y.shape[1:-1])


def _convmath_size(c: Config | UpsampleConfig) -> tuple[int, ...]:
    if isinstance(c, UpsampleConfig):
        return upsample_output_size(c.i, scale_factor=c.scale_factor, size=c.size, convention=c.convention)
    if c.pool:
        return pool_output_size(c.i, c.kernel, c.stride, c.padding, c.dilation, c.ceil_mode, kind=c.op,
                                convention=c.convention)
    if c.op == "transposed":
        return transposed_output_size(c.i, c.kernel, c.stride, c.padding, c.dilation, c.output_padding,
                                      convention=c.convention)
    return conv_output_size(c.i, c.kernel, c.stride, c.padding, c.dilation, convention=c.convention)


def convmath_outcome(c: Config | UpsampleConfig) -> Outcome:
    """convmath's answer to the same question."""
    try:
        size = _convmath_size(c)
    except ConvArithmeticError as error:
        return Outcome(None, str(error))
    return Outcome(tuple(size))


def real_outcome(c: Config | UpsampleConfig) -> Outcome:
    """The real op's answer: torch for ``convention="torch"``, keras for ``"keras"``."""
    if isinstance(c, UpsampleConfig):
        return torch_upsample(c) if c.convention == "torch" else keras_upsample(c)
    if c.pool:
        return torch_pool(c) if c.convention == "torch" else keras_pool(c)
    args = (c.i, c.kernel, c.stride, c.padding, c.dilation)
    if c.convention == "torch":
        return torch_transposed(*args, c.output_padding) if c.op == "transposed" else torch_conv(*args)
    return keras_transposed(*args, c.output_padding) if c.op == "transposed" else keras_conv(*args)


def _value(rng: random.Random, low: int, high: int, bad: int) -> int:
    """Mostly in [low, high]; 3 % of the time an invalid ``bad`` value."""
    return bad if rng.random() < 0.03 else rng.randint(low, high)


def _per_axis(rng: random.Random, n: int, low: int, high: int, bad: int):
    if rng.random() < 0.5:
        return _value(rng, low, high, bad)
    return tuple(_value(rng, low, high, bad) for _ in range(n))


def _padding(rng: random.Random, n: int, convention: str, transposed: bool):
    strings = ("valid", "same")
    if convention == "keras":
        # Mostly what Keras takes; sometimes what it must refuse.
        if rng.random() < 0.9:
            return rng.choice(strings + ("causal",) if n == 1 and not transposed else strings)
        return rng.choice(["full", "causal", 1, 0])  # refused (causal: only for Conv1D)
    roll = rng.random()
    if roll < (0.8 if transposed else 0.55):
        return _per_axis(rng, n, 0, 4, -1)
    if roll < (0.9 if transposed else 0.8):
        return rng.choice(strings + ("full",))
    return tuple((rng.randint(0, 3), rng.randint(0, 3)) if rng.random() < 0.7 else rng.randint(0, 3)
                 for _ in range(n))


def random_config(rng: random.Random, conventions: tuple[str, ...] = ("torch", "keras")) -> Config:
    """A random question: 1-3 axes, conv or transposed, valid and invalid values mixed (i up to 12)."""
    n = rng.randint(1, 3)
    convention = rng.choice(conventions)
    transposed = rng.random() < 0.5
    padding = _padding(rng, n, convention, transposed)
    # i=0 only without (before, after) pairs: F.pad would turn a refused empty input into a padded one.
    pairs = isinstance(padding, tuple) and any(isinstance(p, tuple) for p in padding)
    i = tuple(_value(rng, 1, 12, 1 if pairs else 0) for _ in range(n))
    kernel = _per_axis(rng, n, 1, 5, 0)
    stride = _per_axis(rng, n, 1, 4, 0)
    dilation = _per_axis(rng, n, 1, 3, 0) if rng.random() < 0.3 else 1
    if convention == "keras" and dilation != 1 and rng.random() < 0.5:
        stride = 1  # Keras refuses strides > 1 with dilation > 1: keep half of these configurations valid
    output_padding = 0
    if transposed:
        if convention == "keras" and rng.random() < 0.4:
            output_padding = None
        else:
            output_padding = _per_axis(rng, n, 0, 2, -1)
    return Config("transposed" if transposed else "conv", convention, i, kernel, stride, padding, dilation,
                  output_padding)


def random_pool_config(rng: random.Random, conventions: tuple[str, ...] = ("torch", "keras")) -> Config:
    """A random pooling question: 1-3 axes, max or avg, valid and invalid values mixed (i up to 12)."""
    n, convention, kind = rng.randint(1, 3), rng.choice(conventions), rng.choice(("max", "avg"))
    i = tuple(_value(rng, 1, 12, 0) for _ in range(n))
    kernel = _per_axis(rng, n, 1, 5, 0)
    stride = None if rng.random() < 0.3 else _per_axis(rng, n, 1, 4, 0)
    if convention == "keras":
        return Config(kind, convention, i, kernel, stride, rng.choice(("valid", "same")))
    padding = _per_axis(rng, n, 0, 3, -1)
    dilation = _per_axis(rng, n, 1, 3, 0) if kind == "max" and rng.random() < 0.3 else 1
    return Config(kind, convention, i, kernel, stride, padding, dilation, ceil_mode=rng.random() < 0.5)


def random_upsample_config(rng: random.Random, conventions: tuple[str, ...] = ("torch", "keras")) -> UpsampleConfig:
    """A random upsampling question: a factor (float or int, sometimes one that shrinks to 0) or a size."""
    n, convention = rng.randint(1, 3), rng.choice(conventions)
    i = tuple(rng.randint(1, 12) for _ in range(n))
    if convention == "keras":
        return UpsampleConfig(convention, i, size=_per_axis(rng, n, 1, 4, 0))
    if rng.random() < 0.5:
        return UpsampleConfig(convention, i, size=_per_axis(rng, n, 1, 16, 0))
    factor = rng.choice([rng.randint(1, 4), round(rng.uniform(0.05, 3.5), 2)])
    return UpsampleConfig(convention, i, scale_factor=factor)


@dataclass
class Report:
    """What ``verify`` checked and every disagreement (config, convmath's answer, the real op's answer)."""

    checked: dict[str, int] = field(default_factory=lambda: {"torch": 0, "keras": 0})
    refused: dict[str, int] = field(default_factory=lambda: {"torch": 0, "keras": 0})
    mismatches: list[tuple[Config | UpsampleConfig, Outcome, Outcome]] = field(default_factory=list)
    ops: dict[str, int] = field(default_factory=lambda: {"conv": 0, "pool": 0, "upsample": 0})
    keras_status: str = "checked"  # or "not installed", "not requested"
    versions: dict[str, str] = field(default_factory=dict)  # e.g. {"torch": "2.13.0", "keras": "3.15.1 on torch"}

    def summary(self) -> str:
        total = sum(self.checked.values())
        parts = [f"{self.checked[name]} against {name} {self.versions.get(name, '')}".rstrip()
                 + f" ({self.refused[name]} refused by both)"
                 for name in ("torch", "keras") if name == "torch" or self.keras_status == "checked"]
        if self.keras_status != "checked":
            parts.append(f"keras {self.keras_status}")
        ops = ", ".join(f"{n} {op}" for op, n in self.ops.items())
        return f"checked {total} configurations ({ops}): {'; '.join(parts)}; {len(self.mismatches)} mismatches"

    def mismatch_lines(self) -> list[str]:
        return [f"MISMATCH {c}: convmath {mine}, real op {real}" for c, mine, real in self.mismatches]


def verify(samples: int = 2000, seed: int = 0, *, keras: bool = True) -> Report:
    """Compare convmath with the installed torch (and keras) on ``samples`` random configurations."""
    use_keras = keras and keras_available()
    report = Report(keras_status="checked" if use_keras else "not installed" if keras else "not requested")
    import torch

    report.versions["torch"] = torch.__version__
    if use_keras:
        report.versions["keras"] = f"{_keras().__version__} on {_keras().backend.backend()}"
    rng = random.Random(seed)
    conventions = ("torch", "keras") if use_keras else ("torch",)
    configs: list[Config | UpsampleConfig] = []
    while len(configs) < samples:
        roll = rng.random()
        layer = (random_config(rng, conventions) if roll < 0.6 else random_pool_config(rng, conventions)
                 if roll < 0.85 else random_upsample_config(rng, conventions))
        # The same layer at a few input sizes: Keras layers are built once per layer configuration.
        configs += [layer] + [replace(layer, i=tuple(rng.randint(1, 12) for _ in layer.i)) for _ in range(3)]
    with one_torch_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. torch's note on padding='same' with an even kernel
        outcomes = [(c, convmath_outcome(c), real_outcome(c)) for c in configs[:samples]]
    for c, mine, real in outcomes:
        report.checked[c.convention] += 1
        report.ops["upsample" if isinstance(c, UpsampleConfig) else "pool" if c.pool else "conv"] += 1
        if not mine.agrees(real):
            report.mismatches.append((c, mine, real))
        elif mine.refused:
            report.refused[c.convention] += 1
    return report
