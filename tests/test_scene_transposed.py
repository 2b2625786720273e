"""The transposed-conv scenes: what they show equals torch's conv_transpose2d / conv2d and the public vectors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import render_dry

from scenes.transposed import TransposedConvAsConv, TransposedConvMatrix, TransposedConvScatter

# d2l.ai "Transposed Convolution": X = K = [[0, 1], [2, 3]].
D2L = {
    None: [[0, 0, 1], [0, 4, 6], [4, 12, 9]],
    "stride_2": [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]],
    "padding_1": [[4]],
}
# Dumoulin & Visin's cases (preset, i, k, s, p): the transposed conv must give back the conv's input size i.
CASES = [
    ("no_padding_no_strides", 4, 3, 1, 0),
    ("arbitrary_padding_no_strides", 5, 4, 1, 2),
    ("same_padding_no_strides", 5, 3, 1, 1),
    ("full_padding_no_strides", 5, 3, 1, 2),
    ("no_padding_strides", 5, 3, 2, 0),
    ("padding_strides", 5, 3, 2, 1),
    ("padding_strides_odd", 6, 3, 2, 1),
]


def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=float))[None, None]


def _formula_values(scene) -> set[int]:
    """The results the formula panels show (the number after the last '=')."""
    return {int(text.rsplit("=", 1)[1]) for text in scene.shown["formulas"]}


def _torch_transposed(x, w, p) -> np.ndarray:
    return F.conv_transpose2d(_t(x), _t(w), stride=p["stride"], padding=p["padding"],
                              output_padding=p["output_padding"], dilation=p["dilation"])[0, 0].numpy()


@pytest.mark.parametrize("preset", [None, *TransposedConvScatter.PRESETS])
def test_scatter_output_equals_torch(preset):
    scene = render_dry("TransposedConvScatter", preset)
    p = TransposedConvScatter.resolve(preset)
    np.testing.assert_array_equal(scene.shown["output"], _torch_transposed(p["input"], p["weights"], p))
    assert scene.shown["stamps_shown"] == p["input"].size
    assert _formula_values(scene) <= set(scene.shown["output_shape"])
    if preset in D2L:
        np.testing.assert_array_equal(scene.shown["output"], D2L[preset])


def test_scatter_with_dilation_and_output_padding_equals_torch():
    overrides = {"input": "[[1,2,3],[4,5,6]]", "stride": 2, "dilation": 2, "output_padding": 1}
    scene = render_dry("TransposedConvScatter", None, **overrides)
    p = TransposedConvScatter.resolve(None, overrides)
    np.testing.assert_array_equal(scene.shown["output"], _torch_transposed(p["input"], p["weights"], p))


@pytest.mark.parametrize("name,i,k,s,p", CASES)
def test_as_conv_presets_give_back_the_conv_input_and_equal_torch(name, i, k, s, p):
    preset = f"{name}_transposed"
    scene = render_dry("TransposedConvAsConv", preset)
    params = TransposedConvAsConv.resolve(preset)
    x, w = TransposedConvAsConv.arrays(params)
    shown = scene.shown
    assert (params["kernel"], params["stride"], params["padding"]) == (k, s, p)
    assert shown["output_shape"] == (i, i) and _formula_values(scene) == {i}
    np.testing.assert_array_equal(shown["output"], _torch_transposed(x, w, params))  # every cell revealed
    # The direct view really is an ordinary stride-1 convolution with the flipped kernel.
    np.testing.assert_array_equal(shown["flipped"], torch.flip(torch.as_tensor(w), (0, 1)).numpy())
    direct = F.conv2d(_t(shown["direct_padded"]), _t(shown["flipped"]))[0, 0].numpy()
    np.testing.assert_array_equal(direct, shown["output"])
    # Its input holds x's values, s − 1 zeros between them, padding k − 1 − p (+ output_padding bottom/right).
    top, bottom, left, right = shown["pads"]
    assert top == left == k - 1 - p and bottom - top == right - left == params["output_padding"]
    inner = shown["direct_padded"][top:shown["direct_padded"].shape[0] - bottom, left:shown["direct_padded"].shape[1] - right]
    np.testing.assert_array_equal(inner[::s, ::s], x)
    assert shown["inserted"].sum() == inner.size - x.size


def test_as_conv_default_equals_torch():
    scene = render_dry("TransposedConvAsConv")
    params = TransposedConvAsConv.resolve()
    x, w = TransposedConvAsConv.arrays(params)
    np.testing.assert_array_equal(scene.shown["output"], _torch_transposed(x, w, params))


@pytest.mark.parametrize("preset", [None, *TransposedConvMatrix.PRESETS])
def test_matrix_scene_c_and_its_transpose_are_torchs_conv_and_transposed_conv(preset):
    scene = render_dry("TransposedConvMatrix", preset)
    p = TransposedConvMatrix.resolve(preset)
    shown = scene.shown
    C, x = shown["matrix"], p["input"]
    y = F.conv2d(_t(x), _t(p["weights"]), stride=p["stride"], padding=p["padding"])[0, 0].numpy()
    np.testing.assert_array_equal(C @ x.ravel(), y.ravel())
    np.testing.assert_array_equal(shown["y"], y)
    assert shown["matrix_shape"] == (y.size, x.size) and shown["transposed_shape"] == (x.size, y.size)
    layer = torch.nn.ConvTranspose2d(1, 1, p["weights"].shape, stride=p["stride"], padding=p["padding"],
                                     bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(_t(p["weights"]))
        back = layer(_t(y), output_size=x.shape)[0, 0].numpy()
    np.testing.assert_array_equal(C.T @ y.ravel(), back.ravel())
    np.testing.assert_array_equal(shown["x_back_shown"], back)
    assert back.shape == x.shape and not np.array_equal(back, x)
