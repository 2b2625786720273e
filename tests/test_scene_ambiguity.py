"""OutputPaddingAmbiguity: what it shows equals convmath and the real torch ops / Keras layers; its code runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from codecheck import keras_module, program_claims
from conftest import render_dry

from convmath import ConvArithmeticError, conv_input_sizes, transposed_output_size
from convmath.cli import main as convmath_cli
from scenes.ambiguity import OutputPaddingAmbiguity
from scenes.cli import main as convviz
from scenes.components import CodePanel, NumberGrid
from scenes.params import ParamError

PRESETS = [None, *OutputPaddingAmbiguity.PRESETS]

# The lecture's "Specifying output size" slide: its 4×4 input padded by Keras 'same' (stride 2) to this 5×5.
LECTURE_PADDED = [[2, 1, 0, 3, 0], [0, 0, 1, 2, 0], [3, 1, 2, 0, 0], [0, 2, 2, 1, 0], [0, 0, 0, 0, 0]]


@pytest.fixture(scope="module")
def rendered():
    return {preset: render_dry("OutputPaddingAmbiguity", preset) for preset in PRESETS}


def _params(preset):
    return OutputPaddingAmbiguity.resolve(preset)


def _real_conv_shape(p, i: int) -> tuple[int, int]:
    """Output size of the real conv layer (torch or keras) on an i×i input."""
    if p["convention"] == "torch":
        y = F.conv2d(torch.zeros(1, 1, i, i), torch.ones(1, 1, p["kernel"], p["kernel"]), stride=p["stride"],
                     padding=p["padding"], dilation=p["dilation"])
        return tuple(y.shape[2:])
    keras = keras_module()
    layer = keras.layers.Conv2D(1, p["kernel"], strides=p["stride"], padding=p["padding"],
                                dilation_rate=p["dilation"])
    return tuple(layer(keras.ops.zeros((1, i, i, 1))).shape[1:3])


def _real_transposed_size(p, a) -> int:
    o = p["output"]
    if p["convention"] == "torch":
        layer = torch.nn.ConvTranspose2d(1, 1, p["kernel"], stride=p["stride"], padding=p["padding"],
                                         dilation=p["dilation"], output_padding=a)
        return layer(torch.zeros(1, 1, o, o)).shape[-1]
    keras = keras_module()
    layer = keras.layers.Conv2DTranspose(1, p["kernel"], strides=p["stride"], padding=p["padding"],
                                         dilation_rate=p["dilation"], output_padding=a)
    return layer(keras.ops.zeros((1, o, o, 1))).shape[2]


@pytest.mark.parametrize("preset", PRESETS)
def test_colliding_sizes_are_convmaths_and_the_real_conv_maps_them_to_one_output(rendered, preset):
    p, shown = _params(preset), rendered[preset].shown
    assert shown["sizes"] == list(conv_input_sizes(p["output"], p["kernel"], p["stride"], p["padding"],
                                                   p["dilation"], convention=p["convention"]))
    assert len(shown["sizes"]) == p["stride"]
    for i in shown["sizes"]:
        assert _real_conv_shape(p, i) == shown["output_shape"]


@pytest.mark.parametrize("preset", PRESETS)
def test_transposed_sizes_equal_convmath_and_the_real_layer(rendered, preset):
    p, shown = _params(preset), rendered[preset].shown
    for a, size in shown["transposed"].items():
        assert size == transposed_output_size(p["output"], p["kernel"], p["stride"], p["padding"], p["dilation"],
                                              a, convention=p["convention"])
        assert size == _real_transposed_size(p, a)
    # output_padding gives back every colliding size.
    assert sorted(shown["transposed"][shown["output_paddings"][i]] for i in shown["sizes"]) == shown["sizes"]
    if p["convention"] == "keras":
        assert shown["inferred"] == _real_transposed_size(p, None)


@pytest.mark.parametrize("preset", [None, "stride_3"])
def test_uncovered_rows_are_where_the_real_conv_has_no_gradient(rendered, preset):
    p, shown = _params(preset), rendered[preset].shown
    large = shown["sizes"][-1]
    top, bottom, left, right = shown["pads"][large]
    padded = torch.zeros(1, 1, large + top + bottom, large + left + right, requires_grad=True)
    k = p["kernel"]
    F.conv2d(padded, torch.ones(1, 1, k, k), stride=p["stride"], dilation=p["dilation"]).sum().backward()
    grad = padded.grad[0, 0]
    rows, cols = shown["uncovered"][large]
    assert rows and cols  # the point of the beat: something is left over
    assert rows == tuple(int(r) for r in torch.nonzero(grad.abs().sum(1) == 0).flatten())
    assert cols == tuple(int(c) for c in torch.nonzero(grad.abs().sum(0) == 0).flatten())


def test_lecture_keras_same_numbers_equal_the_real_keras_layer(rendered):
    keras = keras_module()
    p, shown = _params("lecture_keras_same"), rendered["lecture_keras_same"].shown
    assert shown["sizes"] == [3, 4] and shown["output_shape"] == (2, 2)
    np.testing.assert_array_equal(shown["padded"], LECTURE_PADDED)
    layer = keras.layers.Conv2D(1, 3, strides=2, padding="same", use_bias=False)
    x = np.asarray(p["input"], dtype="float32")[None, :, :, None]
    layer.build(x.shape)
    layer.set_weights([np.asarray(p["weights"], dtype="float32")[:, :, None, None]])
    expected = keras.ops.convert_to_numpy(layer(x))[0, :, :, 0]
    np.testing.assert_array_equal(shown["output"], expected)
    assert shown["transposed"] == {0: 3, 1: 4} and shown["inferred"] == 4


@pytest.mark.parametrize("preset", PRESETS)
def test_code_shown_runs_and_gives_the_shapes_it_claims(rendered, preset):
    code = rendered[preset].shown["code"]
    assert set(code) == {"PyTorch", "Keras"}
    for framework, text in code.items():
        if framework == "Keras":
            keras_module()
        claims = list(program_claims(text))
        assert len(claims) >= 3
        for expression, got, claimed in claims:
            assert got == claimed, (framework, expression)


@pytest.mark.parametrize("overrides", [{"stride": 1}, {"weights": "[[1,2],[3,4]]"},
                                       {"input": "[[1,2],[3,4]]", "weights": "[[1,2,3],[4,5,6],[7,8,9]]"},
                                       {"output": 0}, {"padding": "same"}])
def test_bad_values_are_refused_in_one_sentence(overrides):
    with pytest.raises((ParamError, ConvArithmeticError)) as error:
        OutputPaddingAmbiguity.resolve(None, overrides)
    message = str(error.value)
    assert message.count(". ") == 0 and message.endswith(".")


def test_cli_refuses_stride_1_with_exit_2_and_writes_nothing(tmp_path, capsys):
    assert convviz(["render", "OutputPaddingAmbiguity", "--set", "stride=1", "--out", str(tmp_path)]) == 2
    assert "stride=1" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("preset", PRESETS)
def test_last_frame_is_the_summary_grids_with_output_padding_and_the_code(rendered, preset):
    """The gallery poster is the last frame: the transposed grids (sizes labelled, output_padding marked) with
    the code of the scene's convention, not only code; the whole scene stays under a minute."""
    p, scene = _params(preset), rendered[preset]
    shown = scene.shown
    family = [m for top in scene.mobjects for m in top.get_family()]
    panels = [m for m in family if isinstance(m, CodePanel)]
    name = "PyTorch" if p["convention"] == "torch" else "Keras"
    assert shown["summary_code"] == name and [panel.code for panel in panels] == [shown["code"][name]]
    labels = {g.label.original_text for g in family if isinstance(g, NumberGrid) and g.label is not None}
    o = p["output"]
    assert {f"input {o}×{o}", *(f"output {n}×{n}" for n, _ in shown["transposed_shapes"])} <= labels
    texts = {m.original_text for m in family if hasattr(m, "original_text")}
    assert "output_padding" in texts
    assert scene.renderer.time < 60


def _cli_argv(p) -> list[str]:
    """`convmath ambiguity --json` with the scene's numbers (its square output as a 2-D size)."""
    argv = ["ambiguity", str(p["output"]), "-k", str(p["kernel"]), "-s", str(p["stride"]), "-p", str(p["padding"]),
            "-d", str(p["dilation"]), "--json"] + (["--keras"] if p["convention"] == "keras" else [])
    return argv


@pytest.mark.parametrize("preset", PRESETS)
def test_scene_shows_what_convmath_ambiguity_prints(rendered, preset, capsys):
    """One source for the ambiguity: the scene's sizes, output_padding, transposed sizes, inferred size and both
    programs are the command's (issue 9: the command said "no Keras equivalent" while the scene showed Keras)."""
    p, shown = _params(preset), rendered[preset].shown
    assert convmath_cli(_cli_argv(p)) == 0
    data = json.loads(capsys.readouterr().out)
    other = "keras" if p["convention"] == "torch" else "torch"
    for axis in data["axes"]:
        assert axis["inputs"] == shown["sizes"]
        assert {row["input"]: row["output_padding"] for row in axis["transposed"]} == shown["output_paddings"]
        assert {row["output_padding"]: row["input"] for row in axis["transposed"]} == shown["transposed"]
        assert axis.get("inferred") == shown["inferred"]
    programs = {p["convention"]: data["program"], other: data[other].get("program")}
    assert shown["code"] == {name: programs[conv] for conv, name in (("torch", "PyTorch"), ("keras", "Keras"))
                             if programs[conv]}
