"""How big and how costly a conv layer is: weights, biases, multiply-adds; depthwise-separable savings; the reach
of a stack of (dilated) convolutions.

Counts follow ``torch.nn.Conv*d``: the weight is (C_out, C_in/groups, *k), the bias (C_out,); one multiply-add
per weight per output position (the bias add is not counted).

>>> c = conv_counts(3, 2, 3, (5, 5), stride=2, padding=1)
>>> c.output, c.weights, c.biases, c.multiply_adds
((3, 3), 54, 2, 486)
>>> separable_counts(32, 64, 3, (16, 16)).weight_ratio
Fraction(73, 576)
>>> stack_reach(2, (1, 2, 4, 8))
(2, 4, 8, 16)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd, isqrt, prod

from .arithmetic import conv_output_size
from .validate import ConvArithmeticError, as_int, spatial_sizes, term

__all__ = ["ConvCounts", "SeparableCounts", "conv_counts", "separable_counts", "group_channels", "stack_reach",
           "stack_inputs"]


@dataclass(frozen=True)
class ConvCounts:
    """One conv layer's sizes, the counts derived from them: ``weights`` = C_out·(C_in/groups)·∏k, ``biases`` =
    C_out (0 without bias), ``multiply_adds`` = weights · ∏output (one per weight per output position)."""

    c_in: int
    c_out: int
    groups: int
    kernel: tuple[int, ...]
    output: tuple[int, ...]
    bias: bool = True

    @property
    def weights(self) -> int:
        return self.c_out * (self.c_in // self.groups) * prod(self.kernel)

    @property
    def biases(self) -> int:
        return self.c_out if self.bias else 0

    @property
    def multiply_adds(self) -> int:
        return self.weights * prod(self.output)

    @property
    def params(self) -> int:
        """Weights plus biases: what ``sum(p.numel() for p in layer.parameters())`` gives."""
        return self.weights + self.biases

    @property
    def per_output(self) -> int:
        """Multiply-adds for one output value: (C_in/groups)·∏k."""
        return (self.c_in // self.groups) * prod(self.kernel)


@dataclass(frozen=True)
class SeparableCounts:
    """A depthwise k×k conv (groups = C_in) then a 1×1 pointwise conv, against one standard conv."""

    depthwise: ConvCounts
    pointwise: ConvCounts
    standard: ConvCounts

    @property
    def weight_ratio(self) -> Fraction:
        """Separable weights over standard weights (biases excluded): 1/C_out + 1/∏k."""
        return Fraction(self.depthwise.weights + self.pointwise.weights, self.standard.weights)

    @property
    def weight_saving(self) -> Fraction:
        """How many times fewer weights than the standard conv: the inverse of ``weight_ratio``."""
        return 1 / self.weight_ratio

    @property
    def multiply_add_ratio(self) -> Fraction:
        """Separable multiply-adds over standard multiply-adds."""
        return Fraction(self.depthwise.multiply_adds + self.pointwise.multiply_adds, self.standard.multiply_adds)


def _channels(c_in, c_out, groups) -> tuple[int, int, int]:
    c_in = as_int("c_in", c_in, 1, "a positive integer (input channels)")
    c_out = as_int("c_out", c_out, 1, "a positive integer (output channels)")
    g = as_int("groups", groups, 1, "a positive integer that divides c_in and c_out")
    for name, c in (("c_in", c_in), ("c_out", c_out)):
        if c % g:
            common = gcd(c_in, c_out)
            small = sorted({d for n in range(1, isqrt(common) + 1) if common % n == 0 for d in (n, common // n)})
            raise ConvArithmeticError(f"{term('groups', g)} does not divide {term(name, c)}: groups must divide both "
                                      f"channel counts (use one of {', '.join(map(str, small))}).")
    return c_in, c_out, g


def group_channels(c_in, c_out, groups=1) -> tuple[range, ...]:
    """The input channels each filter sees, one range per output channel (filter o is in group o // (C_out/g)).

    >>> group_channels(4, 4, 2)
    (range(0, 2), range(0, 2), range(2, 4), range(2, 4))
    """
    c_in, c_out, g = _channels(c_in, c_out, groups)
    per_in, per_out = c_in // g, c_out // g
    return tuple(range((o // per_out) * per_in, (o // per_out + 1) * per_in) for o in range(c_out))


def conv_counts(c_in, c_out, kernel, input_size, stride=1, padding=0, dilation=1, groups=1, bias=True) -> ConvCounts:
    """Weights, biases and multiply-adds of ``nn.Conv*d(c_in, c_out, kernel, stride, padding, dilation, groups,
    bias)`` on an input of spatial size ``input_size`` (an int for 1-D, a tuple per axis otherwise).

    >>> conv_counts(4, 4, 3, (8, 8), padding=1, groups=4, bias=False).multiply_adds
    2304
    """
    c_in, c_out, g = _channels(c_in, c_out, groups)
    sizes, _ = spatial_sizes("input_size", input_size, "a positive integer (the input size)")
    out = conv_output_size(sizes, kernel, stride, padding, dilation)
    ks = tuple(kernel) if isinstance(kernel, (tuple, list)) else (kernel,) * len(sizes)
    return ConvCounts(c_in, c_out, g, tuple(ks), tuple(out), bool(bias))


def separable_counts(c_in, c_out, kernel, input_size, stride=1, padding=0, dilation=1, bias=False) -> SeparableCounts:
    """A depthwise-separable conv (depthwise ``kernel`` conv, groups = c_in, then a 1×1 conv to c_out) against a
    standard conv with the same kernel, stride, padding and dilation.

    >>> s = separable_counts(3, 8, 3, (5, 5), padding=1)
    >>> s.depthwise.weights, s.pointwise.weights, s.standard.weights
    (27, 24, 216)
    """
    standard = conv_counts(c_in, c_out, kernel, input_size, stride, padding, dilation, 1, bias)
    depthwise = conv_counts(c_in, c_in, kernel, input_size, stride, padding, dilation, c_in, bias)
    pointwise = conv_counts(c_in, c_out, 1, depthwise.output if len(depthwise.output) > 1 else depthwise.output[0],
                            bias=bias)
    return SeparableCounts(depthwise, pointwise, standard)


def stack_reach(kernel, dilations, strides=1) -> tuple[int, ...]:
    """How many consecutive inputs one output of each layer of a 1-D conv stack depends on (its receptive field):
    r_l = r_(l−1) + d_l·(k − 1)·j_(l−1), with the jump j_l = j_(l−1)·s_l. With causal padding these are the
    current step and the r − 1 before it.

    >>> stack_reach(3, (1, 2), strides=(2, 1))
    (3, 11)
    """
    k = as_int("kernel", kernel, 1, "a positive integer")
    ds = tuple(dilations) if isinstance(dilations, (tuple, list)) else (dilations,)
    ss = tuple(strides) if isinstance(strides, (tuple, list)) else (strides,) * len(ds)
    if not ds or len(ss) != len(ds):
        raise ConvArithmeticError(f"{term('dilations', ds)} and {term('strides', ss)} must list one value per layer, "
                                  "at least one layer.")
    reach, jump, out = 1, 1, []
    for d, s in zip(ds, ss):
        d = as_int("dilation", d, 1, "a positive integer")
        s = as_int("stride", s, 1, "a positive integer")
        reach += d * (k - 1) * jump
        jump *= s
        out.append(reach)
    return tuple(out)


def stack_inputs(kernel, dilations, length) -> tuple[tuple[int, ...], ...]:
    """For a stack of causal 1-D convs (stride 1) on a sequence of ``length`` steps: the positions of each layer
    that the last output depends on, from the input (layer 0) to the top layer (its last step alone).

    >>> stack_inputs(2, (1, 2), 6)
    ((2, 3, 4, 5), (3, 5), (5,))
    """
    k = as_int("kernel", kernel, 1, "a positive integer")
    n = as_int("length", length, 1, "a positive integer")
    ds = [as_int("dilation", d, 1, "a positive integer")
          for d in (dilations if isinstance(dilations, (tuple, list)) else (dilations,))]
    layers = [{n - 1}]
    for d in reversed(ds):
        layers.append({t - j * d for t in layers[-1] for j in range(k) if t - j * d >= 0})
    return tuple(tuple(sorted(cells)) for cells in reversed(layers))
