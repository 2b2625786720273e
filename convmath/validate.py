"""Validators shared by convmath's modules: one error type, one sentence per refusal.

Every message names the parameter, the value the user gave and what is allowed. Parameters are named
through :func:`term`, so one message reads right for whoever called: a Python caller sees its keywords
(``kernel=0``), a command sees its own flags once it words the terms itself (``-k 0``, see :func:`worded_as`).

>>> as_int("stride", 2, 1, "a positive integer")
2
>>> spatial_sizes("i", (28, 32), "a positive integer")
((28, 32), True)
>>> term("padding", "same"), term("output_padding")
("padding='same'", 'output_padding')
"""

from __future__ import annotations

import operator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Sequence

__all__ = ["ConvArithmeticError", "CONVENTIONS", "fmt_value", "as_int", "check_convention", "spatial_sizes",
           "per_axis", "NO_VALUE", "PadPair", "Wording", "term", "python_term", "worded_as"]

CONVENTIONS = ("torch", "keras")


class ConvArithmeticError(ValueError):
    """A parameter the real op would refuse; the message names it, its value and what is allowed."""


def fmt_value(value: Any) -> str:
    """A value as the user would write it: strings quoted, everything else plain."""
    return repr(value) if isinstance(value, str) else str(value)


NO_VALUE: Any = object()  # term(name) without a value: the parameter itself


class PadPair(tuple):
    """A (before, after) padding of one axis, marked as a pair so a command can write it its way (``0:1``)."""


Wording = Callable[[str, Any], str]


def python_term(name: str, value: Any = NO_VALUE) -> str:
    """A parameter as Python code names it: ``name=value`` (``padding='same'``), or ``name`` alone."""
    return name if value is NO_VALUE else f"{name}={fmt_value(value)}"


_WORDING: ContextVar[Wording] = ContextVar("convmath_wording", default=python_term)


def term(name: str, value: Any = NO_VALUE) -> str:
    """The parameter ``name`` (set to ``value``) in the caller's words: Python keywords unless a command
    words the terms itself (:func:`worded_as`). Messages name every parameter through this."""
    return _WORDING.get()(name, value)


@contextmanager
def worded_as(wording: Wording) -> Iterator[None]:
    """Within the block, :func:`term` (so every error message raised in it) uses ``wording(name, value)``;
    ``value`` is :data:`NO_VALUE` when the message names the parameter alone."""
    token = _WORDING.set(wording)
    try:
        yield
    finally:
        _WORDING.reset(token)


def _unrepeated(name: str, allowed: str) -> str:
    """``allowed`` without a closing '(the input size)' that only repeats how ``name`` is worded here."""
    note = f" ({term(name)})"
    return allowed[: -len(note)] if allowed.endswith(note) else allowed


def as_int(name: str, value: Any, minimum: int, allowed: str) -> int:
    """``value`` as a Python int at least ``minimum``, else an error naming the parameter."""
    allowed = _unrepeated(name, allowed)
    if isinstance(value, bool):
        raise ConvArithmeticError(f"{term(name, value)} is not a size: {term(name)} must be {allowed}.")
    try:
        number = operator.index(value)
    except TypeError:
        raise ConvArithmeticError(f"{term(name, value)} is not an integer: {term(name)} must be {allowed}.") from None
    if number < minimum:
        raise ConvArithmeticError(f"{term(name, number)} is not allowed: {term(name)} must be {allowed}.")
    return number


def check_convention(convention: str) -> str:
    """'torch' or 'keras', else an error."""
    if convention not in CONVENTIONS:
        raise ConvArithmeticError(f"{term('convention', convention)} is unknown: use 'torch' or 'keras'.")
    return convention


def spatial_sizes(name: str, size: Any, allowed: str, minimum: int = 1) -> tuple[tuple[int, ...], bool]:
    """The per-axis sizes (1 to 3 axes) and whether the caller gave a tuple."""
    if isinstance(size, (str, bytes)):
        raise ConvArithmeticError(f"{term(name, size)} is not a size: {term(name)} must be "
                                  f"{_unrepeated(name, allowed)}.")
    if isinstance(size, Sequence):
        if not 1 <= len(size) <= 3:
            raise ConvArithmeticError(
                f"{term(name, tuple(size))} has {len(size)} axes: convolutions have 1, 2 or 3 spatial axes."
            )
        return tuple(as_int(name, s, minimum, allowed) for s in size), True
    return (as_int(name, size, minimum, allowed),), False


def per_axis(name: str, value: Any, n: int, is_tuple: bool, size_name: str) -> list:
    """``value`` repeated for ``n`` axes, or its per-axis entries (their count checked against the size)."""
    if isinstance(value, (list, tuple)):
        if not is_tuple:
            raise ConvArithmeticError(
                f"{term(name, tuple(value))} gives one value per axis but {term(size_name)} is a single size: "
                f"give {term(size_name)} as a {len(value)}-tuple, or {term(name)} as one int."
            )
        if len(value) != n:
            raise ConvArithmeticError(
                f"{term(name, tuple(value))} has {len(value)} entries but {term(size_name)} has {n} axes: "
                f"give {n} entries or one int."
            )
        return list(value)
    return [value] * n
