"""Scene parameters: declared once per scene, parsed from ``--set key=value`` or a playlist, validated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["Param", "ParamError", "resolve_params"]


class ParamError(ValueError):
    """A scene parameter that is unknown, of the wrong type, or refused by convmath (one sentence)."""


def _parse_int(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ParamError(f"{name}={raw!r} is not an integer: give a whole number like 3.")
    if isinstance(raw, (int, np.integer)):
        return int(raw)
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ParamError(f"{name}={raw!r} is not an integer: give a whole number like 3.") from None


def _parse_float(name: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ParamError(f"{name}={raw!r} is not a number: give a number like 1.5.")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ParamError(f"{name}={raw!r} is not a number: give a number like 1.5.") from None


def _parse_str(name: str, raw: Any) -> str:
    return str(raw)


def _parse_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ParamError(f"{name}={raw!r} is not true/false: give true or false.")


def _as_data(raw: Any) -> Any:
    """A string like '[[1,2],[3,4]]', '5,6' or '7' turned into Python data; other values as they are."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    if "," in text:
        return [_as_data(part) for part in text.split(",")]
    return text


def _parse_size(name: str, raw: Any) -> int | tuple[int, ...]:
    """An int, or one int per axis ('5,6' or [5, 6])."""
    data = _as_data(raw)
    if isinstance(data, (list, tuple)):
        return tuple(_parse_int(name, v) for v in data)
    return _parse_int(name, data)


def _parse_padding(name: str, raw: Any) -> int | str | tuple:
    """An int, per-axis ints ('1,2'), or 'valid' / 'same' / 'full' (convmath checks the value)."""
    data = _as_data(raw)
    if isinstance(data, str):
        return data
    if isinstance(data, (list, tuple)):
        return tuple(tuple(v) if isinstance(v, list) else _parse_int(name, v) for v in data)
    return _parse_int(name, data)


def _parse_matrix(name: str, raw: Any) -> np.ndarray | None:
    """A 2-D array of numbers ('[[1,2],[3,4]]'), or none (the scene then makes one from its sizes)."""
    data = _as_data(raw)
    if data is None or (isinstance(data, str) and data.lower() in ("", "none", "null")):
        return None
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise ParamError(f"{name}={raw!r} is not a matrix: give rows of numbers like [[1,2],[3,4]].") from None
    if array.ndim != 2 or array.size == 0:
        raise ParamError(f"{name}={raw!r} is not a matrix: give rows of numbers like [[1,2],[3,4]].")
    return array.astype(int) if np.all(array == np.round(array)) else array


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "int": _parse_int,
    "float": _parse_float,
    "str": _parse_str,
    "bool": _parse_bool,
    "size": _parse_size,
    "padding": _parse_padding,
    "matrix": _parse_matrix,
}


@dataclass(frozen=True)
class Param:
    """One scene parameter, declared once with its range: ``Param("stride", "int", 1, "step of the window",
    low=1, high=4, reason="the window's steps are drawn one by one")``.

    ``kind`` is one of int, float, str, bool, size (int or per-axis), padding, matrix; ``choices`` limits
    a str parameter to a set of values. ``low`` / ``high`` bound every number the value holds (each axis of
    a size, each int of a padding, each entry of a matrix); ``max_side`` bounds the rows and columns of a
    matrix (and the entries of a per-axis size); ``reason`` says why the bound is there ("drawn up to 16×16")
    and is quoted when a value is refused.
    """

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    max_side: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _PARSERS:
            raise ValueError(f"kind={self.kind!r} is unknown: use one of {', '.join(_PARSERS)}.")

    def parse(self, raw: Any) -> Any:
        """``raw`` (a string from the command line, or a value) as this parameter's type, within its range."""
        value = _PARSERS[self.kind](self.name, raw)
        if self.choices and value not in self.choices:
            raise ParamError(f"{self.name}={value!r} is not allowed: use one of {', '.join(self.choices)}.")
        self._check_range(value)
        return value

    def range_text(self) -> str:
        """'1 to 16 (drawn up to 16×16)' for listings and messages; '' when unbounded."""
        if self.low is None and self.high is None:
            return ""
        if self.high is None:
            text = f"at least {self.low:g}"
        elif self.low is None:
            text = f"at most {self.high:g}"
        else:
            text = f"{self.low:g} to {self.high:g}"
        return f"{text} ({self.reason})" if self.reason else text

    def _check_range(self, value: Any) -> None:
        if value is None or isinstance(value, (str, bool)):
            return
        array = np.asarray(value, dtype=object if isinstance(value, tuple) else None)
        if self.max_side is not None and array.ndim >= 1 and max(array.shape) > self.max_side:
            shown = "×".join(str(n) for n in array.shape)
            why = f" ({self.reason})" if self.reason else ""
            raise ParamError(f"{self.name} is {shown}: {self.name} may have at most {self.max_side} rows and "
                             f"columns{why}.")
        numbers = [v for v in np.ravel(array).tolist() if isinstance(v, (int, float))]
        for v in numbers:
            if v != v or v in (float("inf"), float("-inf")):
                raise ParamError(f"{self.name}={value!r} is not a finite number: give a number like 1.5.")
            if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
                raise ParamError(f"{self.name}={_shown(value)} is not allowed: {self.name} must be "
                                 f"{self.range_text()}.")

    def describe(self) -> str:
        """``name=default`` for listings."""
        default = self.default
        if isinstance(default, np.ndarray):
            default = default.tolist()
        return f"{self.name}={json.dumps(default) if not isinstance(default, str) else default}"


def _shown(value: Any) -> str:
    """A value as the user would write it in --set."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return json.dumps(value) if isinstance(value, list) else str(value)


def resolve_params(
    scene: str,
    params: tuple[Param, ...],
    presets: Mapping[str, Mapping[str, Any]],
    preset: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Defaults, then the preset, then the overrides; every value parsed by its Param."""
    by_name = {p.name: p for p in params}
    values = {p.name: p.default for p in params}
    layers: list[Mapping[str, Any]] = []
    if preset is not None:
        if preset not in presets:
            known = ", ".join(presets) or "none"
            raise ParamError(f"preset={preset!r} is not a preset of {scene}: use one of {known}.")
        layers.append(presets[preset])
    layers.append(overrides or {})
    for layer in layers:
        for key, raw in layer.items():
            if key not in by_name:
                raise ParamError(
                    f"{key!r} is not a parameter of {scene}: use one of {', '.join(by_name) or 'none'}."
                )
            values[key] = by_name[key].parse(raw)
    return values
