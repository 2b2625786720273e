"""Validators shared by convmath's modules: one error type, one sentence per refusal.

Every message names the parameter, the value the user gave and what is allowed, so a command can print it
as it is (``convmath: kernel=0 is not allowed: kernel must be a positive integer (1, 2, 3, ...).``).

>>> as_int("stride", 2, 1, "a positive integer")
2
>>> spatial_sizes("i", (28, 32), "a positive integer")
((28, 32), True)
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

__all__ = ["ConvArithmeticError", "CONVENTIONS", "fmt_value", "as_int", "check_convention", "spatial_sizes",
           "per_axis"]

CONVENTIONS = ("torch", "keras")


class ConvArithmeticError(ValueError):
    """A parameter the real op would refuse; the message names it, its value and what is allowed."""


def fmt_value(value: Any) -> str:
    """A value as the user would write it: strings quoted, everything else plain."""
    return repr(value) if isinstance(value, str) else str(value)


def as_int(name: str, value: Any, minimum: int, allowed: str) -> int:
    """``value`` as a Python int at least ``minimum``, else an error naming the parameter."""
    if isinstance(value, bool):
        raise ConvArithmeticError(f"{name}={value!r} is not a size: {name} must be {allowed}.")
    try:
        number = operator.index(value)
    except TypeError:
        raise ConvArithmeticError(f"{name}={fmt_value(value)} is not an integer: {name} must be {allowed}.") from None
    if number < minimum:
        raise ConvArithmeticError(f"{name}={number} is not allowed: {name} must be {allowed}.")
    return number


def check_convention(convention: str) -> str:
    """'torch' or 'keras', else an error."""
    if convention not in CONVENTIONS:
        raise ConvArithmeticError(f"convention={convention!r} is unknown: use 'torch' or 'keras'.")
    return convention


def spatial_sizes(name: str, size: Any, allowed: str, minimum: int = 1) -> tuple[tuple[int, ...], bool]:
    """The per-axis sizes (1 to 3 axes) and whether the caller gave a tuple."""
    if isinstance(size, (str, bytes)):
        raise ConvArithmeticError(f"{name}={size!r} is not a size: {name} must be {allowed}.")
    if isinstance(size, Sequence):
        if not 1 <= len(size) <= 3:
            raise ConvArithmeticError(
                f"{name}={tuple(size)} has {len(size)} axes: convolutions have 1, 2 or 3 spatial axes."
            )
        return tuple(as_int(name, s, minimum, allowed) for s in size), True
    return (as_int(name, size, minimum, allowed),), False


def per_axis(name: str, value: Any, n: int, is_tuple: bool, size_name: str) -> list:
    """``value`` repeated for ``n`` axes, or its per-axis entries (their count checked against the size)."""
    if isinstance(value, (list, tuple)):
        if not is_tuple:
            raise ConvArithmeticError(
                f"{name}={tuple(value)} gives one value per axis but {size_name} is a single size: "
                f"give {size_name} as a {len(value)}-tuple, or {name} as one int."
            )
        if len(value) != n:
            raise ConvArithmeticError(
                f"{name}={tuple(value)} has {len(value)} entries but {size_name} has {n} axes: "
                f"give {n} entries or one int."
            )
        return list(value)
    return [value] * n
