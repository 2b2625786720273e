"""`convmath design`: every row's pasted layer lines built as real torch modules and Keras layers and run on zeros;
a brute-force search with the real ops finds exactly the rows the command lists; bad input exits 2."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from itertools import product

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convmath.cli import main
from convmath.crosscheck import keras_conv, keras_transposed, torch_conv, torch_transposed
from convmath.design import BOUNDS, LIMIT_BOUND, design_layers

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.usefixtures("one_thread")
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def run_torch(code: str, shape: tuple[int, ...]):
    """The pasted PyTorch line built (one channel in and out) and called on zeros: the module and its output size."""
    module = eval(code, {"nn": torch.nn, "C_in": 1, "C_out": 1})  # noqa: S307 - the line a student would paste
    with torch.no_grad():
        return module, tuple(module(torch.zeros(1, 1, *shape)).shape[2:])


def run_keras(code: str, shape: tuple[int, ...]):
    """The pasted Keras line built (one filter) and called on zeros (channels last): the layer and its output size."""
    layer = eval(code, {"keras": keras, "filters": 1})  # noqa: S307
    return layer, tuple(layer(np.zeros((1, *shape, 1), dtype="float32")).shape[1:-1])


def check_torch_row(c, size, target, up: bool) -> None:
    there, got = run_torch(c.layer, size)
    assert got == target, c.layer
    transposed = there if up else None
    if c.back is not None:
        back, got = run_torch(c.back, target)
        assert got == size, c.back
        transposed = transposed or back
    else:  # the conv with the same numbers really does not return size
        assert torch_conv(target, c.kernel, c.stride, c.padding, c.dilation).size != size
    for module in (there, transposed):  # the table's columns are the module's own numbers
        if module is not None:
            assert (module.kernel_size, module.stride, module.padding, module.dilation) == (
                c.kernel, c.stride, c.padding, c.dilation)
    if transposed is not None:
        assert transposed.output_padding == c.output_padding


def check_keras_row(c, size, target) -> None:
    layer, got = run_keras(c.layer, size)
    assert got == target, c.layer
    assert (layer.kernel_size, layer.strides, layer.padding, layer.dilation_rate) == (
        c.kernel, c.stride, c.padding, c.dilation)
    if c.back is not None:
        _, got = run_keras(c.back, target)
        assert got == size, c.back
    else:
        assert keras_conv(target, c.kernel, c.stride, c.padding, c.dilation).size != size


@st.composite
def questions(draw, dims=(1, 2)):
    """A size, a target (both ways, some equal) and small bounds."""
    n = draw(st.sampled_from(dims))
    size = tuple(draw(st.integers(1, 24)) for _ in range(n))
    if draw(st.booleans()):  # often a target that shares one size per axis ratio
        target = tuple(max(1, i // draw(st.sampled_from([1, 2, 3]))) if draw(st.booleans()) else i * 2 for i in size)
    else:
        target = tuple(draw(st.integers(1, 24)) for _ in range(n))
    assume(not (any(i > o for i, o in zip(size, target)) and any(i < o for i, o in zip(size, target))))
    bounds = {"max_kernel": draw(st.integers(1, 5)), "max_stride": draw(st.integers(1, 4)),
              "max_dilation": draw(st.integers(1, 2))}
    return size, target, bounds


def check_row(c, size, target, up: bool) -> None:
    if c.framework == "torch":
        check_torch_row(c, size, target, up)
    else:
        check_keras_row(c, size, target)


@pytest.mark.parametrize("framework", ["torch", "keras"])
@SETTINGS
@given(q=questions())
def test_every_row_is_pasteable_and_right(framework, q):
    size, target, bounds = q
    d = design_layers(size, target, frameworks=[framework], **bounds)
    for c in d.choices[framework]:
        check_row(c, size, target, d.upsampling)


@pytest.mark.parametrize("size,target", [((32, 32), (16, 16)), ((16, 16), (32, 32)), ((33, 33), (17, 17)),
                                         ((28, 28), (7, 7)), ((7, 7), (28, 28)), ((28,), (28,))])
def test_lecture_sizes_every_row_against_the_real_ops(size, target):
    d = design_layers(size, target)
    assert d.choices["torch"] and d.choices["keras"]
    for c in d.choices["torch"] + d.choices["keras"]:
        check_row(c, size, target, d.upsampling)


def _torch_reaches(i: int, o: int, k: int, s: int, p: int, d: int, up: bool) -> bool:
    if not up:
        return torch_conv((i,), k, s, p, d).size == (o,)
    # Every output_padding torch might take; it refuses the ones it does not allow.
    return any(torch_transposed((i,), k, s, p, d, a).size == (o,) for a in range(s + d))


def _keras_reaches(i: int, o: int, k: int, s: int, pad: str, d: int, up: bool) -> bool:
    if not up:
        return keras_conv((i,), k, s, pad, d).size == (o,)
    return any(keras_transposed((i,), k, s, pad, d, a).size == (o,) for a in [None, *range(s + 1)])


@SETTINGS
@given(questions(dims=(1,)))
def test_brute_force_with_torch_finds_exactly_the_rows_listed(q):
    """Completeness and soundness: every (k, s, p, d) within the bounds, padding 0..d(k-1), run through the real
    op; the ones that give the target are exactly the command's rows."""
    (i,), (o,), b = q
    up = o > i
    real = {(k, s, p, d)
            for k, s, d in product(range(1, b["max_kernel"] + 1), range(1, b["max_stride"] + 1),
                                   range(1, b["max_dilation"] + 1))
            for p in range(d * (k - 1) + 1) if _torch_reaches(i, o, k, s, p, d, up)}
    rows = design_layers(i, o, frameworks=["torch"], **b).choices["torch"]
    listed = [(c.kernel[0], c.stride[0], c.padding[0], c.dilation[0]) for c in rows]
    assert len(listed) == len(set(listed))
    assert set(listed) == real


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions(dims=(1,)))
def test_brute_force_with_keras_finds_exactly_the_rows_listed(q):
    (i,), (o,), b = q
    up = o > i
    real = {(k, s, pad, d)
            for k, s, d in product(range(1, b["max_kernel"] + 1), range(1, b["max_stride"] + 1),
                                   range(1, b["max_dilation"] + 1))
            for pad in ("valid", "same") if _keras_reaches(i, o, k, s, pad, d, up)}
    rows = design_layers(i, o, frameworks=["keras"], **b).choices["keras"]
    listed = [(c.kernel[0], c.stride[0], c.padding, c.dilation[0]) for c in rows]
    assert len(listed) == len(set(listed))
    assert set(listed) == real


def test_per_axis_sizes_every_row_against_the_real_ops():
    size, target = (32, 28), (16, 14)
    d = design_layers(size, target, max_kernel=4)
    for c in d.choices["torch"] + d.choices["keras"]:
        check_row(c, size, target, False)
    assert len({c.padding for c in d.choices["keras"]}) == 2  # one padding string per layer, both kinds found


@pytest.mark.parametrize("size,target", [((32, 28), (16, 14)), ((5, 9), (10, 17)), ((12, 7, 7), (6, 7, 3))])
def test_axes_of_different_sizes_share_kernel_and_dilation(size, target):
    """Every PyTorch layer whose axes each take their size to their target (the 1-D answers, checked against the
    real ops above) with one kernel size and dilation, and nothing else."""
    bounds = {"max_kernel": 4, "max_stride": 3, "max_dilation": 2}
    per_axis = []
    for i, o in zip(size, target):
        options: dict[tuple, list] = {}
        for c in design_layers(i, o, frameworks=["torch"], **bounds).choices["torch"]:
            options.setdefault((c.kernel[0], c.dilation[0]), []).append((c.stride[0], c.padding[0]))
        per_axis.append(options)
    expected = {((k,) * len(size), tuple(s for s, _ in picks), tuple(p for _, p in picks), (d,) * len(size))
                for (k, d) in per_axis[0] if all((k, d) in axis for axis in per_axis)
                for picks in product(*(axis[(k, d)] for axis in per_axis))}
    rows = design_layers(size, target, frameworks=["torch"], **bounds).choices["torch"]
    assert {(c.kernel, c.stride, c.padding, c.dilation) for c in rows} == expected
    for c in rows[:12]:
        check_row(c, size, target, any(i < o for i, o in zip(size, target)))


def test_public_vectors():
    # d2l.ai: 16x16 -> Conv2d(k5, p2, s3) -> 6x6 -> ConvTranspose2d(k5, p2, s3) -> 16x16.
    rows = design_layers((16, 16), (6, 6), max_kernel=5).choices["torch"]
    assert "nn.ConvTranspose2d(C_in, C_out, kernel_size=5, stride=3, padding=2)" in [c.back for c in rows]
    # conv_arithmetic padding_strides_odd: 6 -> 3 with k3 s2 p1; going back needs output_padding 1.
    row = next(c for c in design_layers(6, 3).choices["torch"] if (c.kernel, c.stride) == ((3,), (2,)))
    assert row.padding == (1,) and row.output_padding == (1,)
    # ... and Keras 'same' infers 6 from 3 with stride 2 (ceil(i/s) the other way).
    row = next(c for c in design_layers(6, 3).choices["keras"] if (c.kernel, c.padding) == ((3,), "same"))
    assert row.output_padding is None


def test_smallest_kernels_first():
    for rows in design_layers((32, 28), (16, 14), max_dilation=2).choices.values():
        keys = [(max(c.kernel), max(c.dilation)) for c in rows]
        assert [k for k, _ in keys] == sorted(k for k, _ in keys)


def test_hints_name_the_smallest_bound_that_finds_choices():
    d = design_layers(28, 1)
    assert not d.choices["torch"] and d.hints["torch"]
    for hint in d.hints["torch"]:
        name, value = hint["bound"], hint["value"]
        assert len(design_layers(28, 1, frameworks=["torch"], **{name: value}).choices["torch"]) == hint["choices"]
        assert not design_layers(28, 1, frameworks=["torch"], **{name: value - 1}).choices["torch"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_table(capsys):
    code, out, err = run(capsys, "design", "32", "16")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].startswith("32×32 → 16×16: convolutions")
    row = lines.index(" 3  2  1  1  1  nn.Conv2d(C_in, C_out, kernel_size=3, stride=2, padding=1)  "
                      "# inputs 31..32 all give 16")
    assert lines[row + 1].strip() == ("nn.ConvTranspose2d(C_in, C_out, kernel_size=3, stride=2, padding=1, "
                                      "output_padding=1)")
    assert 'keras.layers.Conv2DTranspose(filters, kernel_size=3, strides=2, padding="same")' in out


def _code_blocks(out: str) -> list[str]:
    """The layer calls of a table, continuation lines joined and comments dropped."""
    blocks: list[str] = []
    for line in out.splitlines():
        code = line.split("  # ")[0].rstrip()
        start = re.search(r"\b(nn|keras)\.", code)
        if start:
            blocks.append(code[start.start():])
        elif blocks and code.strip() and blocks[-1].count("(") > blocks[-1].count(")"):
            blocks[-1] += " " + code.strip()
    return blocks


@pytest.mark.parametrize("argv", [
    ["32", "16"], ["16", "32", "--max-dilation", "2"], ["32,28", "16,14"], ["28", "1"],
    ["224", "14", "--max-stride", "16"],
    ["12,10,9", "6,5,4", "--max-kernel", "3", "--max-dilation", "2", "--max-stride", "2", "--limit", "0"],  # wraps
])
def test_every_line_fits_120_columns_and_the_wrapped_calls_are_the_rows(capsys, argv):
    code, out, _ = run(capsys, "design", *argv)
    assert code in (0, 1)
    assert max(len(line) for line in out.splitlines()) <= 120
    _, data, _ = run(capsys, "design", *argv, "--json")
    data = json.loads(data)
    limit = 0 if "--limit" in argv else LIMIT_BOUND.default
    listed = [code for fw in ("torch", "keras") for c in (data[fw][:limit] if limit else data[fw])
              for code in (c["layer"], c["back"]) if code]
    assert _code_blocks(out) == listed


def test_json_lists_every_choice(capsys):
    code, out, _ = run(capsys, "design", "32,28", "16,14", "--max-dilation", "2", "--json")
    data = json.loads(out)
    d = design_layers((32, 28), (16, 14), max_dilation=2)
    assert code == 0 and data["direction"] == "down" and data["size"] == [32, 28]
    assert len(data["torch"]) == len(d.choices["torch"]) > LIMIT_BOUND.default
    assert data["bounds"] == {b.name: 2 if b.name == "max_dilation" else b.default for b in BOUNDS}
    assert data["keras"][0]["layer"] == d.choices["keras"][0].layer


def test_framework_and_dims(capsys):
    code, out, _ = run(capsys, "design", "16", "32", "--framework", "keras", "--dims", "1", "--json")
    data = json.loads(out)
    assert code == 0 and "torch" not in data and data["direction"] == "up"
    assert all(c["layer"].startswith("keras.layers.Conv1DTranspose(") for c in data["keras"])


def test_nothing_within_the_bounds_exits_1_and_says_which_bound_to_raise(capsys):
    code, out, _ = run(capsys, "design", "224", "14")
    assert code == 1
    assert "PyTorch: no choice within these bounds; --max-stride 16 finds" in out


@pytest.mark.parametrize("argv,named", [
    (["32", "16", "--max-kernel", "100"], "--max-kernel=100 is too large"),
    (["32", "16", "--max-kernel", "x"], "--max-kernel='x' is not an integer"),
    (["32", "16", "--max-stride", "0"], "--max-stride=0"),
    (["32", "16", "--limit", "-1"], "--limit=-1"),
    (["0", "16"], "size=0"),
    (["32", "99999999"], "target=99999999 is too large"),
    (["32,16", "16,32"], "shrink one axis and grow another"),
    (["32,28", "16,14,12"], "have 2 and 3 axes"),
    (["32,28", "16", "--dims", "3"], "--dims=3"),
    (["32", "16", "--max-kernel", "32", "--max-stride", "32", "--max-dilation", "8"], "more than 2000"),
    (["32", "16", "--framework", "jax"], "--framework"),
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, argv, named):
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(["design", *argv]))
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and out == ""
    assert named in err and err.count("\n") == 1 and "Traceback" not in err


def test_command_line_exit_2_without_traceback():
    result = subprocess.run([sys.executable, "-m", "convmath", "design", "32", "16", "--max-dilation", "9"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("convmath design: --max-dilation=9 is too large")
