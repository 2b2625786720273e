"""The going-up scenes: every count, value, index, size and lit cell they show equals torch's (transposed conv of
ones, ConvTranspose2d, max_pool2d / max_unpool2d, autograd); presets render; bad input is one sentence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import render_dry

from scenes.upsampling import CheckerboardArtifacts, UpsamplingMethods
from scenes.upsampling_fields import PoolingUnpooling, ReceptiveField, stack_layers


@pytest.mark.parametrize("preset", [None, *CheckerboardArtifacts.PRESETS])
def test_checkerboard_counts_and_images_equal_torch(preset):
    scene = render_dry("CheckerboardArtifacts", preset)
    p = CheckerboardArtifacts.resolve(preset)
    args = dict(stride=p["stride"], padding=p["padding"], output_padding=p["output_padding"])
    ones_1d = F.conv_transpose1d(torch.ones(1, 1, p["size"]), torch.ones(1, 1, p["kernel"]), **args)[0, 0]
    ones_2d = F.conv_transpose2d(torch.ones(1, 1, p["size"], p["size"]), torch.ones(1, 1, p["kernel"], p["kernel"]),
                                 **args)[0, 0]
    assert np.array_equal(scene.shown["counts_1d"], ones_1d.numpy())
    assert np.array_equal(scene.shown["counts_2d"], ones_2d.numpy())
    w = torch.tensor(CheckerboardArtifacts.board(p).weights)[None, None]
    real = F.conv_transpose2d(torch.ones(1, 1, p["size"], p["size"], dtype=torch.float64), w, **args)[0, 0]
    assert np.allclose(scene.shown["transposed"], real.numpy())
    assert scene.shown["resized"].shape == tuple(real.shape)
    if p["kernel"] % p["stride"] == 0:  # even inside the border
        inside = scene.shown["counts_1d"][p["kernel"] - 1 - p["padding"]:len(ones_1d) - p["kernel"] + 1 + p["padding"]]
        assert len(set(inside.tolist())) == 1


def test_the_published_k3_s2_counts_are_on_screen():
    scene = render_dry("CheckerboardArtifacts", "k3_s2")
    assert scene.shown["counts_1d"].tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1]
    assert scene.shown["count_levels"] == [1, 2, 4]


@pytest.mark.parametrize("preset", [None, *UpsamplingMethods.PRESETS])
def test_upsampling_methods_show_torchs_numbers_sizes_and_gradients(preset):
    """Each output on screen (to its two decimals), its size, and the weights of the picked cell (its gradient)
    equal torch's interpolate (both align_corners), conv_transpose2d and pixel_shuffle of a 1×1 conv."""
    scene = render_dry("UpsamplingMethods", preset)
    p = UpsamplingMethods.resolve(preset)
    f, (r, c) = p["factor"], p["cell"]
    x = torch.tensor(p["input"], dtype=torch.float64)[None, None].requires_grad_(True)
    tr = UpsamplingMethods.ways_up(p).transposed
    channels = F.conv2d(x, torch.arange(1.0, f * f + 1, dtype=torch.float64).reshape(f * f, 1, 1, 1))
    real = {"nearest": F.interpolate(x, scale_factor=f, mode="nearest"),
            "bilinear": F.interpolate(x, scale_factor=f, mode="bilinear", align_corners=False),
            "bilinear_aligned": F.interpolate(x, scale_factor=f, mode="bilinear", align_corners=True),
            "transposed": F.conv_transpose2d(x, torch.tensor(p["kernel"], dtype=torch.float64)[None, None],
                                             stride=f, padding=tr.padding, output_padding=tr.output_padding),
            "pixel_shuffle": F.pixel_shuffle(channels, f)}
    assert list(scene.shown["outputs"]) == list(real)
    for name, y in real.items():
        assert scene.shown["sizes"][name] == tuple(y.shape[-2:])
        assert np.allclose(scene.shown["outputs"][name], y[0, 0].detach().numpy())
        grad, = torch.autograd.grad(y[0, 0, r, c], x, retain_graph=True)
        assert np.allclose(scene.shown["weights"][name], grad[0, 0].numpy())
        assert scene.shown["formulas"][name].endswith(f"= {y[0, 0, r, c].item():.2f}".rstrip("0").rstrip("."))


def test_upsampling_methods_formula_reads_the_published_bilinear_weights():
    """align_corners=False, factor 2: the source of output 1 is 0.25 (between inputs 0 and 1, weights ¾, ¼)."""
    scene = render_dry("UpsamplingMethods", None, input="[[1,2],[3,4]]", cell="1,1")
    assert scene.shown["formulas"]["bilinear"] == "y[1, 1] = 0.5625·1 + 0.1875·2 + 0.1875·3 + 0.0625·4 = 1.75"
    assert scene.shown["formulas"]["nearest"] == "y[1, 1] = x[0, 0] = 1"


@pytest.mark.parametrize("preset", [None, *PoolingUnpooling.PRESETS])
def test_pooling_and_unpooling_equal_torch(preset):
    scene = render_dry("PoolingUnpooling", preset)
    p = PoolingUnpooling.resolve(preset)
    x = torch.tensor(p["input"], dtype=torch.float64)[None, None]
    y, idx = F.max_pool2d(x, p["kernel"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"], return_indices=True)
    assert np.array_equal(scene.shown["output"], y[0, 0].numpy())
    assert np.array_equal(scene.shown["indices"], idx[0, 0].numpy())
    size = scene.shown["output_size"]
    back = F.max_unpool2d(y, idx, p["kernel"], p["stride"], p["padding"], output_size=size)[0, 0]
    assert np.array_equal(scene.shown["unpooled_chosen"], back.numpy())
    for h in scene.shown["inputs"][0]:  # every height in the ambiguity set pools to the same output
        pooled = F.max_pool2d(torch.zeros(1, 1, h, x.shape[-1]), p["kernel"], p["stride"], p["padding"],
                              ceil_mode=p["ceil_mode"])
        assert pooled.shape[-2] == y.shape[-2]


def test_the_code_on_screen_runs_with_the_shapes_it_prints():
    """Each line's '# (…)' comment is the shape the line really gives, in torch and in Keras."""
    import keras
    from keras import layers
    from torch import nn
    scene = render_dry("PoolingUnpooling", None)
    for framework, code in scene.shown["code"].items():
        names = {"nn": nn, "torch": torch, "np": np, "layers": layers, "keras": keras}
        for line in code.splitlines():
            statement, _, comment = line.partition("#")
            if not statement.strip():
                continue
            if "=" in statement.split("(")[0]:
                exec(statement, names)
                target = statement.split("=")[0].split(",")[0].strip()
                value = names[target]
            else:
                value = eval(statement.strip(), names)
            shape = comment.strip().removeprefix("y:").strip()
            if shape.startswith("("):
                got = value if isinstance(value, (tuple, torch.Size)) else value.shape
                assert tuple(got) == eval(shape), (framework, line)


def test_receptive_field_default_is_the_autoencoder_and_equals_autograd():
    scene = render_dry("ReceptiveField", None)
    p = ReceptiveField.resolve(None)
    layers = stack_layers(p)
    from convmath.models import build_model
    convs = [m for m in build_model("ae").encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(l.kernel, l.stride, l.padding) for l in layers] == [(c.kernel_size, c.stride, c.padding) for c in convs]
    x = torch.ones(1, 1, p["input_size"], p["input_size"], requires_grad=True)
    h = x
    for c in convs:
        h = F.conv2d(h, torch.ones(1, 1, *c.kernel_size), stride=c.stride, padding=c.padding)
    r, c = np.argwhere(scene.shown["lit"][-1])[0]
    h[0, 0, r, c].backward()
    assert np.array_equal(scene.shown["lit"][0], (x.grad[0, 0] != 0).numpy())
    assert [row[3] for row in scene.shown["table"]] == [1, 3, 7]


@pytest.mark.parametrize("preset", ["conv_pool", "decoder"])
def test_receptive_field_presets_render(preset):
    scene = render_dry("ReceptiveField", preset)
    assert scene.shown["lit"][-1].sum() == 1
    if preset == "decoder":
        assert "reached" in scene.shown


@pytest.mark.parametrize("scene, overrides, words", [
    ("CheckerboardArtifacts", {"output_padding": 2}, "output_padding"),
    ("UpsamplingMethods", {"cell": "6,0"}, "outside"),
    ("UpsamplingMethods", {"cell": "1"}, "cell=1"),
    ("UpsamplingMethods", {"factor": 4}, "factor"),
    ("PoolingUnpooling", {"output_size": "7"}, "output_size=7"),
    ("PoolingUnpooling", {"padding": 2}, "padding"),
    ("ReceptiveField", {"layers": "[[0,3,1]]"}, "columns"),
    ("ReceptiveField", {"cell": "5,5"}, "outside"),
])
def test_bad_values_are_one_sentence(scene, overrides, words):
    from scenes.catalog import scene_class
    from scenes.cli import USER_ERRORS
    with pytest.raises(USER_ERRORS) as error:
        scene_class(scene).resolve(None, overrides)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_day1_plus_is_the_lecture_then_the_going_up_scenes():
    """`convviz lecture --playlist day1-plus`: day1's entries, then upsampling's, each as written there."""
    from scenes.lecture import load_playlist
    plus, day1, up = (load_playlist(name) for name in ("day1-plus", "day1", "upsampling"))
    def lines(playlist):
        return [(e.scene, e.title, e.preset, e.overrides, e.notes) for e in playlist.entries]
    assert lines(plus) == lines(day1) + lines(up) and not plus.skipped
    assert {"CheckerboardArtifacts", "UpsamplingMethods", "PoolingUnpooling", "ReceptiveField"} <= \
        {e.scene for e in up.entries}
