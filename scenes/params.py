"""Scene parameters: declared once per scene (kind, default, range and why), parsed from ``--set key=value``
or a playlist, validated; the listing, the JSON, the docs and the file names read the same declaration.

>>> Param("stride", "int", 1, "step of the window", low=1, high=4, reason="drawn step by step").parse("2")
2
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import numpy as np

__all__ = ["KINDS", "SEED", "Param", "ParamError", "as_json", "channel_params", "drawn_values", "random_tensor",
           "resolve_params", "sizes_from_values", "value_text"]

# What a value of each kind looks like (the reference in docs/scenes.md quotes these).
KINDS: dict[str, str] = {
    "int": "a whole number: 3",
    "float": "a finite number: 1.5",
    "str": "text (one of its choices when it has them)",
    "bool": "true or false",
    "size": "a whole number, or one per axis: 5 or 5,6",
    "padding": "a whole number, one per axis (1,2), a (before, after) pair per axis ([[1,0],[2,1]]), "
               "or valid / same / full / causal (1-D)",
    "matrix": "rows of numbers of equal length: [[1,2],[3,4]]; none for the scene's own",
    "tensor": "nested lists of numbers, equal lengths on every axis: [[[1,2],[3,4]]] is 1×2×2; none for the "
              "scene's own",
    "path": "the path of an existing, readable file with one of the allowed suffixes; empty for none",
    "ints": "one or more whole numbers: 0,4,7",
    "floats": "one or more finite numbers: 0,1,4",
    "target": "a model: package.module:factory or path/to/file.py:factory (loading it runs that code)",
}
PADDING_WORDS = ("valid", "same", "full", "causal")  # causal: Keras' Conv1D (convmath refuses it elsewhere)
SHOWN_CHARS = 60  # a value quoted in a message is cut to this many characters


class ParamError(ValueError):
    """A scene parameter that is unknown, of the wrong type, or refused by convmath (one sentence)."""


def _quoted(raw: Any) -> str:
    """``raw`` as a message quotes it: repr, one line, cut when long."""
    if isinstance(raw, np.ndarray):
        raw = raw.tolist()
    text = repr(raw)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _parse_int(name: str, raw: Any) -> int:
    if isinstance(raw, (int, np.integer)) and not isinstance(raw, (bool, np.bool_)):
        return int(raw)
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    raise ParamError(f"{name}={_quoted(raw)} is not an integer: give a whole number like 3.")


def _parse_float(name: str, raw: Any) -> float:
    value = None
    if isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, (bool, np.bool_)):
        value = float(raw) if abs(raw) < 1e308 else math.inf  # a huge int would overflow float()
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            pass
    if value is None:
        raise ParamError(f"{name}={_quoted(raw)} is not a number: give a number like 1.5.")
    if not math.isfinite(value):
        raise ParamError(f"{name}={_quoted(raw)} is not a finite number: give a number like 1.5.")
    return value


def _parse_str(name: str, raw: Any) -> str:
    if isinstance(raw, (list, tuple, dict)):
        raise ParamError(f"{name}={_quoted(raw)} is not text: give one word or value, in quotes in a playlist.")
    return str(raw).strip()


def _parse_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, (bool, np.bool_)):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ParamError(f"{name}={_quoted(raw)} is not true/false: give true or false.")


def _is_none(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "none", "null"))


def _as_data(raw: Any) -> Any:
    """A string like '[[1,2],[3,4]]', '5,6' or '7' turned into Python data; other values as they are."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # not JSON, nested too deep, or an int of thousands of digits
        pass
    if "," in text:
        return [_as_data(part) for part in text.split(",")]
    return text


def _is_list(data: Any) -> bool:
    return isinstance(data, (list, tuple, np.ndarray))


def _parse_entries(name: str, raw: Any, parse: Callable[[str, Any], Any], example: str) -> tuple:
    """One or more numbers ('0,1,4', [0, 1, 4] or 7), each parsed by ``parse``."""
    data = _as_data(raw)
    items = list(data) if _is_list(data) else [data]
    if not items or items == [""]:
        raise ParamError(f"{name}={_quoted(raw)} is empty: give one or more numbers like {example}.")
    if any(_is_list(item) for item in items):
        raise ParamError(f"{name}={_quoted(raw)} is nested: give a flat list of numbers like {example}.")
    try:
        return tuple(parse(name, item) for item in items)
    except ParamError as error:  # name the whole value, then what is wrong with the entry
        if len(items) == 1:
            raise
        raise ParamError(f"{name}={_quoted(raw)} has an entry that {str(error).split(' ', 1)[1]}") from None


def _parse_size(name: str, raw: Any) -> int | tuple[int, ...]:
    """An int, or one int per axis ('5,6' or [5, 6])."""
    data = _as_data(raw)
    if _is_list(data):
        return _parse_entries(name, raw, _parse_int, "5,6")
    return _parse_int(name, data)


def _parse_ints(name: str, raw: Any) -> tuple[int, ...]:
    return _parse_entries(name, raw, _parse_int, "0,4,7")


def _parse_floats(name: str, raw: Any) -> tuple[float, ...]:
    return _parse_entries(name, raw, _parse_float, "0,1,4")


def _parse_padding(name: str, raw: Any) -> int | str | tuple:
    """An int, per-axis ints ('1,2'), (before, after) pairs per axis, or 'valid' / 'same' / 'full'."""
    data = _as_data(raw)
    if isinstance(data, str) and not data.lstrip("+-").isdigit():
        word = data.strip().lower()
        if word not in PADDING_WORDS:
            raise ParamError(f"{name}={_quoted(raw)} is not a padding: give a whole number like 1, one per axis "
                             f"like 1,2, or one of {', '.join(PADDING_WORDS)}.")
        return word
    if not _is_list(data):
        return _parse_int(name, data)
    if len(data) == 0:
        raise ParamError(f"{name}={_quoted(raw)} is empty: give a whole number like 1, or one per axis like 1,2.")
    axes = []
    for axis in data:
        if _is_list(axis):
            if len(axis) != 2 or any(_is_list(v) for v in axis):
                raise ParamError(f"{name}={_quoted(raw)} has an axis that is not a (before, after) pair: write "
                                 "[[1,0],[2,1]].")
            axes.append((_parse_int(name, axis[0]), _parse_int(name, axis[1])))
        else:
            axes.append(_parse_int(name, axis))
    return tuple(axes)


def _parse_matrix(name: str, raw: Any) -> np.ndarray | None:
    """A 2-D array of numbers ('[[1,2],[3,4]]'), or none (the scene then makes one from its sizes)."""
    data = _as_data(raw)
    if _is_none(data):
        return None
    example = "give rows of numbers like [[1,2],[3,4]]"
    if not _is_list(data) or len(data) == 0 or not all(_is_list(row) and len(row) > 0 for row in data):
        raise ParamError(f"{name}={_quoted(raw)} is not a matrix: {example}.")
    lengths = sorted({len(row) for row in data})
    if len(lengths) > 1:
        raise ParamError(f"{name}={_quoted(raw)} has rows of different lengths ({', '.join(map(str, lengths))}): "
                         f"{example}, every row as long as the first.")
    if any(_is_list(v) for row in data for v in row):
        raise ParamError(f"{name}={_quoted(raw)} is not a matrix of numbers: {example}.")
    return _numeric_array(name, raw, data, example)


def _shape(data: Any) -> tuple[int, ...] | None:
    """The shape of nested lists of equal length on every axis; None if ragged or mixed with numbers."""
    if not _is_list(data):
        return ()
    if len(data) == 0:
        return (0,)
    shapes = {_shape(item) for item in data}
    if len(shapes) != 1 or None in shapes:
        return None
    return (len(data), *shapes.pop())


def _parse_tensor(name: str, raw: Any) -> np.ndarray | None:
    """An array of numbers with any number of axes ('[[[1,2],[3,4]]]' for 1×2×2), or none (the scene makes one);
    the scene checks how many axes it takes."""
    data = _as_data(raw)
    if _is_none(data):
        return None
    example = "give nested lists of equal length like [[[1,2],[3,4]]]"
    shape = _shape(data) if _is_list(data) else ()
    if shape is None:
        raise ParamError(f"{name}={_quoted(raw)} has lists of different lengths: {example}.")
    if not shape or 0 in shape:
        raise ParamError(f"{name}={_quoted(raw)} is not an array: {example}.")
    return _numeric_array(name, raw, data, example)


def _numeric_array(name: str, raw: Any, data: Any, example: str) -> np.ndarray:
    """``data`` (regular nested lists) as a finite array: ints when every entry is whole, floats otherwise."""
    if any(isinstance(v, (bool, str, np.bool_)) for v in np.asarray(data, dtype=object).ravel()):
        raise ParamError(f"{name}={_quoted(raw)} is not made of numbers: {example}.")
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ParamError(f"{name}={_quoted(raw)} is not made of numbers: {example}.") from None
    if not np.all(np.isfinite(array)):
        raise ParamError(f"{name}={_quoted(raw)} holds a number that is not finite: {example}.")
    return array.astype(int) if np.all(array == np.round(array)) and np.abs(array).max() < 2**53 else array


def _parse_path(name: str, raw: Any, suffixes: tuple[str, ...]) -> str:
    """The path of an existing readable file with one of ``suffixes``, as text; '' for none."""
    if isinstance(raw, (list, tuple, dict)):
        raise ParamError(f"{name}={_quoted(raw)} is not a path: give the path of a file.")
    text = str(raw).strip()
    if text.lower() in ("", "none"):
        return ""
    wanted = " or ".join(suffixes)
    hint = f"give the path of a {wanted} file" if suffixes else "give the path of a file"
    if "\0" in text:
        raise ParamError(f"{name}={_quoted(raw)} is not a path: {hint}.")
    path = Path(text)
    try:
        path = path.expanduser()
    except RuntimeError:  # '~name' of no user, or no home: the path as written
        pass
    if suffixes and path.suffix.lower() not in suffixes:
        raise ParamError(f"{name}={_quoted(raw)} is not a {wanted} file: {hint}.")
    try:
        if not path.exists():
            raise ParamError(f"{name}={_quoted(raw)} does not exist: {hint}.")
        if not path.is_file():
            raise ParamError(f"{name}={_quoted(raw)} is not a regular file: {hint}.")
        with path.open("rb") as file:
            file.read(1)
    except OSError as error:
        why = error.strerror or type(error).__name__
        raise ParamError(f"{name}={_quoted(raw)} cannot be read ({why}): {hint}.") from None
    return os.fspath(path)


TARGET_CHARS = 200  # a model target longer than this is refused


def _parse_target(name: str, raw: Any) -> str:
    """``module:factory`` or ``path/to/file.py:factory``, checked for its form only (the scene loads it)."""
    hint = "give package.module:factory or path/to/file.py:factory"
    if isinstance(raw, (list, tuple, dict)):
        raise ParamError(f"{name}={_quoted(raw)} is not a model: {hint}.")
    text = str(raw).strip()
    where, sep, factory = text.rpartition(":")
    module_ok = where.endswith(".py") or all(part.isidentifier() for part in where.split("."))
    if (len(text) > TARGET_CHARS or not sep or not where or not factory.isidentifier() or not module_ok
            or any(c in text for c in "\0\n\r")):
        raise ParamError(f"{name}={_quoted(raw)} is not a model: {hint}.")
    return text


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "int": _parse_int,
    "float": _parse_float,
    "str": _parse_str,
    "bool": _parse_bool,
    "size": _parse_size,
    "padding": _parse_padding,
    "matrix": _parse_matrix,
    "tensor": _parse_tensor,
    "ints": _parse_ints,
    "floats": _parse_floats,
    "target": _parse_target,
}
NUMERIC_KINDS = ("int", "float", "size", "padding", "matrix", "tensor", "ints", "floats")


@dataclass(frozen=True)
class Param:
    """One scene parameter, declared once with its range: ``Param("stride", "int", 1, "step of the window",
    low=1, high=4, reason="the window's steps are drawn one by one")``.

    ``kind`` is one of :data:`KINDS`. ``choices`` limits a str parameter to a set of values, and a path
    parameter to a set of suffixes (``(".npy", ".npz")``). ``low`` / ``high`` bound every number the value
    holds (each axis of a size, each int of a padding, each entry of a matrix, tensor or list); ``max_side``
    bounds the rows and columns of a matrix, the length of every axis of a tensor, the entries of a list, the
    axes of a size or padding; ``reason`` says why the bound is there ("drawn up to 16×16") and is quoted when
    a value is refused.
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
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is unknown: use one of {', '.join(KINDS)}.")

    def parse(self, raw: Any) -> Any:
        """``raw`` (a string from the command line, or a value) as this parameter's type, within its range.

        A parameter whose default is none (the scene works it out) takes ``none`` too; a matrix always does.
        """
        if self.default is None and _is_none(raw):
            return None
        if self.kind == "path":
            return _parse_path(self.name, raw, tuple(s.lower() for s in self.choices))
        value = _PARSERS[self.kind](self.name, raw)
        if self.choices and value not in self.choices:
            raise ParamError(f"{self.name}={_quoted(value)} is not allowed: use one of {', '.join(self.choices)}.")
        self._check_sides(value)
        self._check_range(value)
        return value

    def range_text(self) -> str:
        """'1 to 16 (drawn up to 16×16)' for listings and messages; '' when unbounded."""
        text = self._bounds_text()
        return f"{text} ({self.reason})" if text and self.reason else text

    def _bounds_text(self) -> str:
        if self.low is None and self.high is None:
            return ""
        if self.high is None:
            return f"at least {_number_text(self.low)}"
        if self.low is None:
            return f"at most {_number_text(self.high)}"
        return f"{_number_text(self.low)} to {_number_text(self.high)}"

    def allowed_text(self) -> str:
        """Everything a value must be, in words, for the reference: choices, suffixes, range, sides."""
        parts = []
        if self.choices:
            parts.append(("a " + " or ".join(self.choices) + " file") if self.kind == "path"
                         else "one of " + ", ".join(self.choices))
        if self.low is not None or self.high is not None:
            numbers = {"matrix": "each entry ", "tensor": "each entry ", "ints": "each ", "floats": "each ",
                       "size": "each axis ", "padding": "each number "}.get(self.kind, "")
            parts.append(numbers + self._bounds_text())
        if self.max_side is not None:
            parts.append(f"{self._side_words()} at most {self.max_side}")
        text = "; ".join(parts)
        return f"{text} ({self.reason})" if text and self.reason else text

    def to_dict(self) -> dict[str, Any]:
        """The declaration as JSON-ready data (``convviz list --json``)."""
        return {"name": self.name, "kind": self.kind, "default": as_json(self.default), "help": self.help,
                "choices": list(self.choices), "low": self.low, "high": self.high, "max_side": self.max_side,
                "reason": self.reason, "allowed": self.allowed_text()}

    def missing_bounds(self) -> list[str]:
        """What the declaration leaves open for a hostile value (the tests require none): a number without
        ``low``/``high`` and their ``reason``, a matrix or list without ``max_side``, text without choices."""
        gaps = []
        if self.kind in NUMERIC_KINDS:
            if self.low is None or self.high is None:
                gaps.append("no low and high bound")
            elif not self.reason:
                gaps.append("a bound without its reason")
        if self.kind in ("matrix", "tensor", "ints", "floats") and self.max_side is None:
            gaps.append("no max_side")
        if self.kind == "str" and not self.choices:
            gaps.append("free text (give choices, or a path / ints / floats kind)")
        if self.kind == "path" and not self.choices:
            gaps.append("no suffixes (choices)")
        return gaps

    def describe(self) -> str:
        """``name=default`` for listings."""
        return f"{self.name}={value_text(self.default)}"

    def _side_words(self) -> str:
        return {"matrix": "rows and columns", "tensor": "entries along each axis", "ints": "entries",
                "floats": "entries"}.get(self.kind, "axes")

    def _check_sides(self, value: Any) -> None:
        if self.max_side is None or value is None or isinstance(value, str) or not _is_list(value):
            return
        sides = value.shape if isinstance(value, np.ndarray) else (len(value),)
        if max(sides) > self.max_side:
            shown = "×".join(str(n) for n in sides) if len(sides) > 1 else f"{sides[0]} {self._side_words()}"
            why = f" ({self.reason})" if self.reason else ""
            raise ParamError(f"{self.name} has {shown}: {self.name} may have at most {self.max_side} "
                             f"{self._side_words()}{why}.")

    def _check_range(self, value: Any) -> None:
        if self.kind not in NUMERIC_KINDS or value is None or isinstance(value, str):
            return
        for v in _numbers(value):
            if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
                raise ParamError(f"{self.name}={value_text(value, SHOWN_CHARS)} is not allowed: {self.name} must "
                                 f"be {self.range_text()}.")


SEED = Param("seed", "int", 0, "seed of the random values", low=0, high=2**31 - 1, reason="numpy's seed range")


def channel_params(c_in: int, c_out: int, most_in: int, most_out: int, drawn: str) -> tuple[Param, Param]:
    """The input and output channel counts of a conv scene, each bounded because each channel is ``drawn``:
    ``channel_params(3, 2, 4, 4, "as a number grid")``."""
    return (Param("c_in", "int", c_in, "input channels", low=1, high=most_in,
                  reason=f"each input channel is drawn {drawn}"),
            Param("c_out", "int", c_out, "output channels (filters)", low=1, high=most_out,
                  reason=f"each filter is drawn {drawn}"))


def drawn_values(name: str, help: str, max_side: int) -> Param:
    """A tensor parameter whose every number is written on screen (none: the scene draws random ones)."""
    return Param(name, "tensor", None, help, low=-99, high=99, max_side=max_side, reason="every number is drawn")


def _number_text(x: float) -> str:
    """4, 0.5, 1000000: a bound as people write it."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _numbers(value: Any) -> Iterator[float]:
    """Every number inside ``value`` (an int, a float, nested tuples, an array)."""
    if isinstance(value, np.ndarray):
        yield from value.ravel().tolist()
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def as_json(value: Any) -> Any:
    """``value`` as JSON data (arrays and tuples as lists): ``as_json(np.eye(2, dtype=int)) == [[1, 0], [0, 1]]``."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, (tuple, list)):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    return value


def value_text(value: Any, limit: int | None = None) -> str:
    """A parsed value as the user would write it in ``--set``: ``2``, ``2,1``, ``[[1,2],[3,4]]``, ``none``."""
    value = as_json(value)
    if value is None:
        text = "none"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list) and not any(isinstance(v, list) for v in value):
        text = ",".join(value_text(v) for v in value)
    elif isinstance(value, list):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


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
            raise ParamError(f"preset={_quoted(preset)} is not a preset of {scene}: use one of {known}.")
        layers.append(presets[preset])
    layers.append(overrides or {})
    for layer in layers:
        for key, raw in layer.items():
            if key not in by_name:
                raise ParamError(
                    f"{_quoted(key)} is not a parameter of {scene}: use one of {', '.join(by_name) or 'none'}."
                )
            values[key] = by_name[key].parse(raw)
    return values


def sizes_from_values(values: dict[str, Any], params: tuple[Param, ...], sized_by: Mapping[str, tuple[str, ...]],
                      explicit: set[str]) -> None:
    """Let given values set the sizes they imply, in place: ``sized_by`` names, for each value parameter, the size
    parameter of each of its axes (``{"input": ("c_in", "size", "size")}``: a given C×H×W input sets c_in and
    size). A name on several axes takes a tuple when its kind is ``size``, else those axes must be equal. An
    ``explicit`` size (an override) that contradicts the value, or two values that disagree, is refused; a
    preset's size gives way to the value.

    >>> v = {"input": np.zeros((2, 5, 5)), "c_in": 3, "size": 4}
    >>> sizes_from_values(v, (Param("c_in", "int", 3, ""), Param("size", "int", 4, "")),
    ...                   {"input": ("c_in", "size", "size")}, set()); (v["c_in"], v["size"])
    (2, 5)
    """
    by_name, set_by = {p.name: p for p in params}, {}
    for source, names in sized_by.items():
        if values.get(source) is None or len(np.shape(values[source])) != len(names):
            continue  # none: the scene draws random values; another rank: the scene refuses it by its shape
        shape = tuple(int(n) for n in np.shape(values[source]))
        for name in dict.fromkeys(names):
            sizes = tuple(n for n, axis in zip(shape, names) if axis == name)
            value = sizes if by_name[name].kind == "size" and len(sizes) > 1 else sizes[0]
            if len(set(sizes)) > 1 and by_name[name].kind != "size":
                raise ParamError(f"{source} has shape {_shape_text(shape)}: its axes that are {name} here must "
                                 f"be equal.")
            _set_size(values, by_name[name], value, source, shape, set_by, explicit)


def _set_size(values: dict[str, Any], param: Param, value: Any, source: str, shape: tuple[int, ...],
              set_by: dict[str, str], explicit: set[str]) -> None:
    name, said = param.name, value_text(value)
    if name in set_by and values[name] != value:
        raise ParamError(f"{source} has shape {_shape_text(shape)}, so {name}={said}, but {set_by[name]} has "
                         f"{name}={value_text(values[name])}: give values whose shapes agree.")
    if name in explicit and name not in set_by and values[name] != value and values[name] is not None:
        raise ParamError(f"{name}={value_text(values[name])} contradicts {source}, which has shape "
                         f"{_shape_text(shape)}: leave {name} out (the {source} sets it), or set {source}=none.")
    try:
        values[name] = param.parse(value)
    except ParamError:
        raise ParamError(f"{source} has shape {_shape_text(shape)}, which makes {name}={said}: {name} must be "
                         f"{param.allowed_text()}.") from None
    set_by[name] = source


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def random_tensor(given: np.ndarray | None, shape: tuple[int, ...], name: str, seed: int, low: int,
                  high: int) -> np.ndarray:
    """``given`` when it has ``shape`` (a ParamError naming it otherwise); else seeded random ints in [low, high]."""
    if given is None:
        return np.random.default_rng(seed).integers(low, high + 1, size=shape)
    if given.shape != shape:
        raise ParamError(f"{name} has shape {_shape_text(given.shape)}: it must be {_shape_text(shape)} here "
                         f"(or none for random values).")
    return given
