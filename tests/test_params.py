"""Scene parameters: every kind parses what it should and refuses the rest in one sentence; every scene's
declaration is complete (a range for every number, a size bound for every matrix and list)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenes import catalog
from scenes.params import KINDS, Param, ParamError, resolve_params, value_text

STRIDE = Param("stride", "int", 1, "step", low=1, high=4, reason="each step is drawn")
BETA = Param("beta", "float", 1.0, "weight", low=0, high=16)
BETAS = Param("betas", "floats", (0.0, 1.0, 4.0), "one per column", low=0, high=16, max_side=3,
              reason="three columns fit")
DIGITS = Param("digits", "ints", (0, 4, 7), "classes", low=0, high=9, max_side=10)
SIZE = Param("input_size", "size", 5, "size", low=1, high=16, max_side=2, reason="drawn up to 16×16")
PADDING = Param("padding", "padding", 0, "zeros", low=0, high=4)
MATRIX = Param("input", "matrix", None, "values", low=-99, high=99, max_side=8, reason="drawn up to 8×8")
DATA = Param("data", "path", "", "images", choices=(".npy", ".npz"))
TENSOR = Param("x", "tensor", None, "C×H×W values", low=-9, high=9, max_side=4, reason="drawn up to 4 planes of 4×4")


def refused(param: Param, raw: object) -> str:
    with pytest.raises(ParamError) as error:
        param.parse(raw)
    message = str(error.value)
    assert "\n" not in message and message.endswith(".") and message.startswith(param.name), message
    return message


@pytest.mark.parametrize("param, raw, words", [
    (STRIDE, "2.5", "is not an integer"),
    (STRIDE, 2.0, "is not an integer"),
    (STRIDE, "0", "must be 1 to 4 (each step is drawn)"),
    (STRIDE, True, "is not an integer"),
    (BETA, "nan", "is not a finite number"),
    (BETA, "inf", "is not a finite number"),
    (BETA, float("-inf"), "is not a finite number"),
    (BETA, "1e999", "is not a finite number"),
    (BETA, "17", "must be 0 to 16"),
    (BETAS, "", "is empty"),
    (BETAS, "0,1,4,8", "at most 3 entries (three columns fit)"),
    (BETAS, "0,nan", "is not a finite number"),
    (BETAS, "[[1,2]]", "is nested"),
    (BETAS, "-1", "must be 0 to 16"),
    (DIGITS, "0,1.5", "is not an integer"),
    (SIZE, "[]", "is empty"),
    (SIZE, "5,5,5", "at most 2 axes"),
    (SIZE, "17", "must be 1 to 16 (drawn up to 16×16)"),
    (SIZE, "1" * 5000, "is not an integer"),
    (MATRIX, f"[[{'1' * 5000}]]", "is not a matrix"),
    (PADDING, "sideways", "is not a padding"),
    (PADDING, "[[1,2,3]]", "not a (before, after) pair"),
    (PADDING, "[[1,9]]", "must be 0 to 4"),
    (MATRIX, "[[1,2],[3]]", "has rows of different lengths (1, 2)"),
    (MATRIX, "[1,2]", "is not a matrix"),
    (MATRIX, "[[]]", "is not a matrix"),
    (MATRIX, '[[1,"a"]]', "is not made of numbers"),
    (MATRIX, "[[1,true]]", "is not made of numbers"),
    (MATRIX, "[[1,[2]]]", "is not a matrix of numbers"),
    (TENSOR, "[[[1,2],[3,4]],[[5,6],[7]]]", "has lists of different lengths"),
    (TENSOR, "[[[1,2]],[3,4]]", "has lists of different lengths"),
    (TENSOR, "[[]]", "is not an array"),
    (TENSOR, "7", "is not an array"),
    (TENSOR, "[[[nan]]]", "is not an array"),
    (TENSOR, "[[[true]]]", "is not made of numbers"),
    (TENSOR, "[[[1e999]]]", "not finite"),
    (TENSOR, json.dumps([[[0] * 5] * 2]), "has 1×2×5: x may have at most 4 entries along each axis"),
    (TENSOR, "[[[10]]]", "must be -9 to 9"),
    (MATRIX, "[[1e999]]", "not finite"),
    (MATRIX, "[[100]]", "must be -99 to 99"),
    (MATRIX, json.dumps([[0] * 9] * 2), "has 2×9: input may have at most 8 rows and columns (drawn up to 8×8)"),
    (MATRIX, "[" * 100_000, "is not a matrix"),
    (DATA, "/no/such/file.npy", "does not exist"),
    (DATA, "images.csv", "is not a .npy or .npz file"),
    (DATA, "bad\0name.npy", "is not a path"),
    (DATA, "[1,2]", "is not a .npy or .npz file"),
])
def test_a_refused_value_is_one_sentence_naming_the_parameter(param, raw, words):
    assert words in refused(param, raw)


def test_a_quoted_value_is_cut_to_one_short_line():
    message = refused(STRIDE, "9" * 100_000)
    assert len(message) < 200 and "…" in message


def test_path_must_be_a_readable_file_with_its_suffix(tmp_path):
    good = tmp_path / "digits.npy"
    np.save(good, np.zeros((2, 8, 8)))
    assert DATA.parse(str(good)) == str(good)
    assert DATA.parse("") == "" and DATA.parse("none") == ""
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    assert "is not a regular file" in refused(DATA, str(folder))
    fifo = tmp_path / "pipe.npy"
    os.mkfifo(fifo)
    assert "is not a regular file" in refused(DATA, str(fifo))  # never opened: reading it would block


def test_path_that_cannot_be_read(tmp_path, monkeypatch):
    locked = tmp_path / "locked.npy"
    locked.write_bytes(b"x")

    def deny(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(type(locked), "open", deny)  # as root, chmod 000 would still be readable
    assert "cannot be read (Permission denied)" in refused(DATA, str(locked))


@pytest.mark.parametrize("param, raw, value", [
    (BETAS, "0,1,4", (0.0, 1.0, 4.0)),
    (BETAS, "[2.5]", (2.5,)),
    (BETAS, 3, (3.0,)),
    (DIGITS, [1, 2], (1, 2)),
    (SIZE, "5,6", (5, 6)),
    (PADDING, "same", "same"),
    (PADDING, "Causal", "causal"),
    (PADDING, "[[1,0],[2,1]]", ((1, 0), (2, 1))),
    (PADDING, "1,2", (1, 2)),
    (MATRIX, "none", None),
    (TENSOR, "none", None),
])
def test_good_values_parse(param, raw, value):
    assert param.parse(raw) == value


def test_a_matrix_of_whole_numbers_is_ints_and_of_fractions_floats():
    assert MATRIX.parse("[[1,2],[3,-4]]").dtype.kind == "i"
    assert MATRIX.parse("[[1.5,2],[3,-4]]").dtype.kind == "f"
    assert TENSOR.parse("[[[1,2],[3,4]]]").shape == (1, 2, 2)
    assert TENSOR.parse("[1.5,2]").tolist() == [1.5, 2.0]


matrices = st.lists(st.lists(st.integers(-99, 99), min_size=1, max_size=8), min_size=1, max_size=8).filter(
    lambda rows: len({len(r) for r in rows}) == 1)
values = st.one_of(
    st.tuples(st.just(STRIDE), st.integers(1, 4)),
    st.tuples(st.just(BETAS), st.lists(st.floats(0, 16, allow_subnormal=False), min_size=1, max_size=3)),
    st.tuples(st.just(SIZE), st.one_of(st.integers(1, 16), st.tuples(st.integers(1, 16), st.integers(1, 16)))),
    st.tuples(st.just(PADDING), st.one_of(st.integers(0, 4), st.sampled_from(["valid", "same", "full"]),
                                          st.tuples(st.integers(0, 4), st.integers(0, 4)))),
    st.tuples(st.just(MATRIX), matrices),
)


@given(values)
def test_value_text_is_what_set_reads_back(pair):
    """What the listing, the docs and the file names write for a value parses back to the same value."""
    param, raw = pair
    value = param.parse(raw)
    again = param.parse(value_text(value))
    assert value_text(again) == value_text(value)
    assert np.array_equal(np.asarray(again, dtype=object), np.asarray(value, dtype=object))


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=40), st.recursive(
    st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.text(max_size=3)),
    lambda inner: st.lists(inner, max_size=4), max_leaves=20).map(json.dumps)))
def test_any_text_parses_or_is_refused_by_every_kind(raw):
    for param in (STRIDE, BETA, BETAS, DIGITS, SIZE, PADDING, MATRIX, TENSOR, DATA):
        try:
            param.parse(raw)
        except ParamError as error:
            assert "\n" not in str(error)


def test_every_kind_is_described_and_an_unknown_kind_is_refused():
    assert set(KINDS) >= {"int", "float", "str", "bool", "size", "padding", "matrix", "tensor", "path", "ints",
                          "floats"}
    with pytest.raises(ValueError, match="kind='list' is unknown"):
        Param("x", "list", 0, "")


def test_the_declaration_says_what_is_allowed():
    assert BETAS.to_dict() == {
        "name": "betas", "kind": "floats", "default": [0.0, 1.0, 4.0], "help": "one per column", "choices": [],
        "low": 0, "high": 16, "max_side": 3, "reason": "three columns fit",
        "allowed": "each 0 to 16; entries at most 3 (three columns fit)"}
    assert DATA.allowed_text() == "a .npy or .npz file"
    assert MATRIX.allowed_text() == "each entry -99 to 99; rows and columns at most 8 (drawn up to 8×8)"


def test_unknown_keys_and_presets_are_refused_by_name():
    with pytest.raises(ParamError, match=r"^'strides' is not a parameter of Demo: use one of stride\.$"):
        resolve_params("Demo", (STRIDE,), {}, None, {"strides": 2})
    with pytest.raises(ParamError, match=r"^preset='big' is not a preset of Demo: use one of none\.$"):
        resolve_params("Demo", (STRIDE,), {}, "big")


# ---- every scene's declaration ------------------------------------------------------------------------------

SCENES = catalog.available_scenes()


@pytest.mark.parametrize("scene", SCENES)
def test_every_parameter_declares_its_range(scene):
    """A number without bounds lets a huge value through to the render (minutes, memory); the scenes declare
    ``low``/``high`` with a ``reason``, ``max_side`` for matrices and lists, choices for text."""
    gaps = [f"{p.name} ({p.kind}): {', '.join(g)}" for p in catalog.scene_class(scene).PARAMS
            if (g := p.missing_bounds())]
    assert not gaps, f"{scene} declares no range for: " + "; ".join(gaps)


@pytest.mark.parametrize("scene", SCENES)
def test_defaults_and_presets_are_within_the_declaration(scene):
    cls = catalog.scene_class(scene)
    for param in cls.PARAMS:
        param.parse(param.default)
    for preset in [None, *cls.PRESETS]:
        cls.resolve(preset)
