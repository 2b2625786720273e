"""convmath.ambiguity and `convmath ambiguity`: every layer line and program it prints runs in the real torch / Keras
and gives the shapes printed next to it; the other framework's padding means the same there (real layers); where it
says there is none, no padding of that framework does it (brute force over the real layers)."""

from __future__ import annotations

import json
import warnings

import pytest
import torch
from codecheck import keras_module, layer_line_shapes, program_claims
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convmath import ConvArithmeticError
from convmath.ambiguity import output_ambiguity
from convmath.cli import main

pytestmark = pytest.mark.usefixtures("one_thread")

CASES = [
    ["3", "-k", "3", "-s", "2", "-p", "1"],                   # issue 9: PyTorch padding=1 is Keras "same" here
    ["11", "-k", "5", "-s", "2", "-p", "2", "-d", "2", "--dims", "1"],  # issue 9: the line must carry k, s, d
    ["14", "-k", "3", "-s", "2", "-p", "same", "--keras"],
    ["14", "-k", "3", "-s", "2", "-p", "valid"],
    ["3", "-k", "4", "-s", "2", "-p", "same", "--keras"],      # Keras cannot give 6 back; PyTorch has no equivalent
    ["14,7", "-k", "3,5", "-s", "2,3", "-p", "1"],
    ["4", "-k", "3", "-s", "3", "-d", "2", "-p", "1", "--dims", "3"],
    ["3", "-k", "3", "-s", "2", "-p", "full"],
    ["1", "-k", "1", "-s", "3", "-p", "1", "--dims", "1"],     # output_padding 0 crops everything
    ["5", "-k", "2", "-s", "2", "-p", "valid", "--keras"],
]


def _printed(capsys, argv: list[str]) -> tuple[str, dict]:
    """The text and the --json of one `convmath ambiguity` call."""
    assert main(["ambiguity", *argv]) == 0
    text = capsys.readouterr().out
    assert main(["ambiguity", *argv, "--json"]) == 0
    return text, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_every_printed_line_and_program_gives_its_shapes(capsys, argv):
    text, data = _printed(capsys, argv)
    lines = [line for line in text.splitlines() if line.lstrip().startswith(("nn.", "keras."))]
    other = "keras" if data["convention"] == "torch" else "torch"
    assert lines == [f"  {line}" for view in (data, data[other]) for line in view.get("layers", [])]
    for line in lines:
        got, claimed = layer_line_shapes(line)
        assert got == claimed, line
    for program in (data["program"], data[other].get("program")):
        for expression, got, claimed in program_claims(program or ""):
            assert got == claimed, (program, expression)


def test_issue_cases(capsys):
    """The two cases issue 9 names: Keras 'same' found for PyTorch padding=1, and a complete 1-D line."""
    text, data = _printed(capsys, CASES[0])
    assert "no Keras equivalent" not in text and data["keras"]["padding"] == "same"
    assert data["keras"]["axes"] == [dict(ax, transposed_padding="same", inferred=6) for ax in data["axes"]]
    text, data = _printed(capsys, CASES[1])
    assert data["layers"] == [
        "nn.ConvTranspose1d(C_in, C_out, kernel_size=5, stride=2, padding=2, dilation=2)  # (N, C_in, 11) -> (N, C_out, 25)",
        "nn.ConvTranspose1d(C_in, C_out, kernel_size=5, stride=2, padding=2, output_padding=1, dilation=2)"
        "  # (N, C_in, 11) -> (N, C_out, 26)",
    ]
    assert "strides > 1 cannot be combined with dilation_rate > 1" in data["keras"]["refusal"]


def _real_conv(convention: str, sizes: tuple, kernel, stride, padding, dilation) -> tuple | None:
    """The real conv layer's spatial output size on zeros of ``sizes``, None if it refuses."""
    n = len(sizes)
    try:
        if convention == "keras":
            keras = keras_module()
            layer = getattr(keras.layers, f"Conv{n}D")(1, kernel, strides=stride, padding=padding,
                                                         dilation_rate=dilation)
            return tuple(layer(keras.ops.zeros((1, *sizes, 1))).shape[1:-1])
        layer = getattr(torch.nn, f"Conv{n}d")(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tuple(layer(torch.zeros((1, 1, *sizes))).shape[2:])
    except (RuntimeError, ValueError):
        return None


def _real_transposed(convention: str, o: int, kernel: int, stride: int, padding, dilation: int, op: int) -> int | None:
    """The real 1-D transposed conv's output size for input size ``o`` (None if it refuses)."""
    try:
        if convention == "keras":
            keras = keras_module()
            layer = keras.layers.Conv1DTranspose(1, kernel, strides=stride, padding=padding, output_padding=op,
                                                 dilation_rate=dilation)
            return int(layer(keras.ops.zeros((1, o, 1))).shape[1])
        layer = torch.nn.ConvTranspose1d(1, 1, kernel, stride=stride, padding=padding, output_padding=op,
                                         dilation=dilation)
        with torch.no_grad():
            return int(layer(torch.zeros((1, 1, o))).shape[2])
    except (RuntimeError, ValueError):
        return None


def _inputs_giving(convention: str, o: int, kernel: int, stride: int, padding, dilation: int, top: int) -> list[int]:
    """Brute force with the real 1-D conv: every input size up to ``top`` that gives ``o``."""
    return [i for i in range(1, top + 1) if _real_conv(convention, (i,), kernel, stride, padding, dilation) == (o,)]


@st.composite
def layers_1d(draw):
    convention = draw(st.sampled_from(["torch", "keras"]))
    kernel, stride = draw(st.integers(1, 5)), draw(st.integers(2, 3))
    dilation = draw(st.integers(1, 2)) if convention == "torch" else 1
    padding = draw(st.integers(0, 3)) if convention == "torch" else draw(st.sampled_from(["valid", "same"]))
    return draw(st.integers(1, 5)), kernel, stride, padding, dilation, convention


@given(layers_1d())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_other_frameworks_answer_holds_for_the_real_layers(layer):
    """Where an equivalent is given, the real conv of that framework maps exactly the same input sizes to o and its
    transposed layers give them back; where none is, no padding of that framework maps exactly those sizes."""
    o, kernel, stride, padding, dilation, convention = layer
    try:
        a = output_ambiguity(o, kernel, stride, padding, dilation, convention=convention)
    except ConvArithmeticError:
        assume(False)
    inputs = list(a.given.axes[0].inputs)
    assume(inputs)
    other = a.other
    top = inputs[-1] + stride + 1
    candidates = range(dilation * (kernel - 1) + 2) if other.convention == "torch" else ("valid", "same")
    if other.padding is None:
        ops = a.given.axes[0].output_paddings
        assume(None not in ops.values())
        for p in candidates:  # none maps exactly these sizes and gives each back with the same output_padding
            if _inputs_giving(other.convention, o, kernel, stride, p, dilation, top) == inputs:
                back = [_real_transposed(other.convention, o, kernel, stride, p, dilation, ops[i]) for i in inputs]
                assert back != inputs, p
        return
    assert _inputs_giving(other.convention, o, kernel, stride, other.padding, dilation, top) == inputs
    for line in other.layers:
        got, claimed = layer_line_shapes(line)
        assert got == claimed, line
    given_back = {claimed[1 if other.convention == "keras" else 2] for line in other.layers[:len(inputs)]
                  for _, claimed in [layer_line_shapes(line)]}
    assert given_back == set(inputs)


@given(st.integers(1, 3), st.data())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_layer_lines_of_random_layers_give_their_shapes(n, data):
    """Any accepted layer, 1-D to 3-D, per-axis values: each printed layer line gives its shape in the real op."""
    o = tuple(data.draw(st.integers(1, 4)) for _ in range(n))
    kernel = data.draw(st.integers(1, 4) | st.tuples(*[st.integers(1, 4)] * n))
    stride = data.draw(st.integers(1, 3) | st.tuples(*[st.integers(1, 3)] * n))
    padding = data.draw(st.integers(0, 2) | st.sampled_from(["valid", "same", "full"]))
    dilation = data.draw(st.integers(1, 2))
    try:
        a = output_ambiguity(o, kernel, stride, padding, dilation, convention="torch")
    except ConvArithmeticError:
        assume(False)
    for view in (a.torch, a.keras):
        for line in view.layers:
            got, claimed = layer_line_shapes(line)
            assert got == claimed, line
        for expression, got, claimed in program_claims(view.program):
            assert got == claimed, (view.program, expression)


def test_huge_stride_is_refused_not_slow():
    with pytest.raises(ConvArithmeticError, match=r"stride=100000 gives 100000 input sizes"):
        output_ambiguity(3, 3, stride=100_000)
