"""MultiChannelConv, GroupedConv, Conv1DSequence, Conv3DVolume: what they show equals real torch ops and layers."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import render_dry
from torch import nn

from scenes.channels import MultiChannelConv
from scenes.channels_axes import Conv1DSequence, Conv3DVolume

pytestmark = pytest.mark.usefixtures("one_thread")


@cache
def rendered(name: str, preset: str | None = None):
    return render_dry(name, preset)


def t64(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64))


@pytest.mark.parametrize("preset", [None, "cs231n", "one_channel", "rgb_same"])
def test_multichannel_output_equals_conv2d(preset):
    scene = rendered("MultiChannelConv", preset)
    p = scene.params
    x, w, b = MultiChannelConv.arrays(p)
    real = F.conv2d(t64(x)[None], t64(w), None if b is None else t64(b), stride=p["stride"], padding=p["padding"],
                    dilation=p["dilation"])[0].numpy()
    np.testing.assert_array_equal(scene.shown["output"], real)
    np.testing.assert_array_equal(scene.shown["output_numbers"], real)  # every number is on screen at the end
    assert scene.shown["shapes"][2] == "×".join(map(str, real.shape))
    for cell in scene.shown["cells"]:  # each channel's sum: that channel alone through the real op
        r, c = cell["cell"]
        alone = [F.conv2d(t64(x[i])[None, None], t64(w[0, i])[None, None], stride=p["stride"], padding=p["padding"],
                          dilation=p["dilation"])[0, 0, r, c].item() for i in range(x.shape[0])]
        assert cell["channel_sums"] == alone
        assert cell["output"] == real[0, r, c]
    assert scene.renderer.time < 60


def test_cs231n_configuration_and_counts():
    scene = rendered("MultiChannelConv", "cs231n")
    assert scene.shown["shapes"] == ["3×5×5", "3×3×3", "2×3×3"]
    layer = nn.Conv2d(3, 2, 3, stride=2, padding=1)
    counts = scene.shown["counts"]
    assert counts.params == sum(q.numel() for q in layer.parameters())
    assert counts.multiply_adds == layer.weight.numel() * layer(torch.zeros(1, 3, 5, 5))[0, 0].numel()
    assert scene.shown["cells"][0]["bias"] == 1
    assert scene.shown["formula"].endswith("= 3")


def test_grouped_counts_equal_real_layers():
    scene = rendered("GroupedConv")
    p = scene.params
    x = torch.zeros(1, p["c_in"], p["size"], p["size"])
    for panel in scene.shown["panels"]:
        layer = nn.Conv2d(p["c_in"], panel["c_out"], p["kernel"], padding=p["padding"], groups=panel["groups"],
                          bias=False)
        assert panel["weights"] == layer.weight.numel()
        assert panel["multiply_adds"] == layer.weight.numel() * layer(x)[0, 0].numel()
        assert all(len(seen) == p["c_in"] // panel["groups"] for seen in panel["sees"])
    assert [panel["groups"] for panel in scene.shown["panels"]] == [1, p["groups"], p["c_in"]]
    s = scene.shown["separable"]
    depthwise = nn.Conv2d(p["c_in"], p["c_in"], p["kernel"], groups=p["c_in"], bias=False)
    pointwise, standard = nn.Conv2d(p["c_in"], p["c_out"], 1, bias=False), nn.Conv2d(p["c_in"], p["c_out"],
                                                                                      p["kernel"], bias=False)
    assert (s.depthwise.weights + s.pointwise.weights) / s.standard.weights == pytest.approx(
        (depthwise.weight.numel() + pointwise.weight.numel()) / standard.weight.numel())
    assert f"{s.weight_ratio.numerator}/{s.weight_ratio.denominator}" in scene.shown["separable_text"]


@pytest.mark.parametrize("preset", [None, "wavenet", "dilated", "strided_same"])
def test_sequence_output_equals_conv1d(preset):
    scene = rendered("Conv1DSequence", preset)
    p = scene.params
    tr = Conv1DSequence.trace_for(p)
    before, after = scene.shown["pads"]
    real = F.conv1d(F.pad(t64(tr.x)[None], (before, after)), t64(tr.w), stride=p["stride"],
                    dilation=p["dilation"])[0].numpy()
    np.testing.assert_array_equal(scene.shown["output"], real)
    np.testing.assert_array_equal(scene.shown["output_numbers"], real)
    if p["padding"] == "causal":
        assert before == p["dilation"] * (p["kernel"] - 1) and after == 0
        assert real.shape[1] == p["length"]  # one output per step (stride 1)


def test_sequence_stack_reach_equals_autograd():
    scene = rendered("Conv1DSequence", "wavenet")
    p = scene.params
    k, length = p["stack_kernel"], len(scene.shown["stack_cells"][0]) + 8
    x = torch.ones(1, 1, length, requires_grad=True)
    y = x
    torch.manual_seed(0)
    for d in p["dilations"]:
        layer = nn.Conv1d(1, 1, k, dilation=d, bias=False)
        nn.init.uniform_(layer.weight, 0.5, 1.0)
        y = layer(F.pad(y, (d * (k - 1), 0)))
    y[0, 0, -1].backward()
    assert int((x.grad[0, 0] != 0).sum()) == scene.shown["reach"][-1] == 16


@pytest.mark.parametrize("preset", [None, "strided_padded", "thin_depth"])
def test_volume_output_equals_conv3d(preset):
    scene = rendered("Conv3DVolume", preset)
    p = scene.params
    tr = Conv3DVolume.trace_for(p)
    real = F.conv3d(t64(tr.x)[None, None], t64(tr.w)[None, None], stride=p["stride"], padding=p["padding"],
                    dilation=p["dilation"])[0, 0].numpy()
    np.testing.assert_array_equal(scene.shown["output"], real)
    np.testing.assert_array_equal(scene.shown["output_numbers"], real)
    axes = scene.shown["formula_axes"]  # one panel per distinct formula, naming its axes
    assert sorted(a for names in axes for a in names) == ["depth", "height", "width"]
    for names, value in zip(axes, scene.shown["formula_values"]):
        assert {real.shape[("depth", "height", "width").index(a)] for a in names} == {value}


X2 = [[[1, 2, 0, 1], [0, 1, 3, 2], [2, 2, 1, 0], [1, 0, 0, 3]],
      [[0, 1, 1, 2], [3, 0, 2, 1], [1, 1, 0, 0], [2, 3, 1, 1]]]


@pytest.mark.parametrize("name, given, op", [
    ("MultiChannelConv", {"input": X2, "weights": [[[[1, 0], [0, -1]], [[2, 1], [0, 1]]]]}, F.conv2d),
    ("Conv1DSequence", {"input": [[1, 2, 0, 3, 1, 2, 2], [0, 1, 1, 0, 2, 3, 1]],
                        "weights": [[[1, -1, 2], [0, 1, 1]], [[2, 0, 1], [1, 1, -1]]]}, F.conv1d),
    ("Conv3DVolume", {"input": X2 + [X2[0]], "weights": [[[1, 0], [0, 1]], [[2, -1], [1, 0]]]}, F.conv3d),
])
def test_given_tensors_set_their_sizes(name, given, op):
    """No size parameter given: the tensors' shapes set channels, sizes and kernel (the 3-D input is 3×4×4, not a
    cube), and the scene shows the real op's output for them."""
    extra = {"padding": "valid", "bias": False} if name == "MultiChannelConv" else {"padding": "valid"}
    scene = render_dry(name, **{k: json.dumps(v) for k, v in given.items()}, **extra)
    x, w, p = t64(given["input"]), t64(given["weights"]), scene.params
    steps = {"stride": p["stride"], "dilation": p["dilation"]}
    if name == "Conv3DVolume":
        real = op(x[None, None], w[None, None], **steps)[0, 0]
    else:
        real = op(x[None], w, **steps)[0]
    np.testing.assert_array_equal(scene.shown["output"], real.numpy())
