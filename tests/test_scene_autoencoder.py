"""ConvAutoencoder and LatentSpace: what they show equals the real trained autoencoder's outputs."""

import os

import numpy as np
import pytest
from conftest import render_dry
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convmath.latent import class_representative, gap_points
from convmath.models import TrainConfig, get_model
from scenes.cli import main as convviz
from scenes.params import ParamError
from scenes.theme import DARK

# Both AE/VAE scene test files share one worker, so the default models train once per session.
pytestmark = [pytest.mark.render, pytest.mark.xdist_group("ae_vae_models")]


@pytest.fixture(scope="module")
def ae():
    return get_model(TrainConfig("ae"))


@pytest.fixture(scope="module")
def autoencoder_scene():
    return render_dry("ConvAutoencoder")


def _hook_shapes(model: nn.Module, images: np.ndarray) -> list[tuple[int, ...]]:
    """Output shapes (no batch axis) of every conv, transposed conv and linear layer, from forward hooks."""
    import torch

    shapes = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape[1:])))
             for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    with torch.no_grad():
        model(torch.from_numpy(images).unsqueeze(1))
    for hook in hooks:
        hook.remove()
    return shapes


def test_autoencoder_shows_the_real_digit_code_and_reconstruction(autoencoder_scene, ae):
    shown = autoencoder_scene.shown
    x = ae.images[:1]
    np.testing.assert_array_equal(shown["input_image"], x[0])
    np.testing.assert_allclose(shown["code"], ae.encode(x)[0], rtol=1e-6)
    np.testing.assert_allclose(shown["reconstruction"], ae.decode(ae.encode(x))[0], rtol=1e-6)
    assert shown["loss"] == pytest.approx(float(np.mean((shown["reconstruction"] - x[0]) ** 2)), rel=1e-5)


def test_autoencoder_shapes_are_the_real_layer_outputs(autoencoder_scene, ae):
    shapes = autoencoder_scene.shown["shapes"]
    layers = [shape for op, shape in shapes if op in ("Conv2d", "ConvTranspose2d", "Linear")]
    assert layers == _hook_shapes(ae.model, ae.images[:1])
    ops = [op for op, _ in shapes]
    assert "flatten" in ops and "view" in ops  # the functional reshapes are drawn too
    assert shapes[-1][1] == (1, *ae.images.shape[1:])  # the decoder gives back the input size


def test_autoencoder_other_image(ae):
    scene = render_dry("ConvAutoencoder", index=5, theme=DARK)
    np.testing.assert_array_equal(scene.shown["input_image"], ae.images[5])
    np.testing.assert_allclose(scene.shown["reconstruction"], ae.reconstruct(ae.images[5:6])[0], rtol=1e-6)


def test_latent_space_points_and_decodes_are_the_models(ae):
    scene = render_dry("LatentSpace")
    shown = scene.shown
    codes = ae.encode(ae.images)
    idx = shown["latent_indices"]
    assert len(idx) > 0.95 * len(codes)  # only a few outliers are left off the plot
    np.testing.assert_allclose(shown["latent_points"], codes[idx], rtol=1e-6)
    assert list(ae.labels[shown["pick_indices"]]) == [0, 4, 7]
    np.testing.assert_allclose(shown["decoded"], ae.decode(codes[shown["pick_indices"]]), rtol=1e-6)
    np.testing.assert_allclose(shown["gap_decoded"], ae.decode(shown["gap_points"]), rtol=1e-6)
    # a gap point is farther from every encoding than a typical encoding is from its nearest neighbour
    sample = codes[::7]
    pair = np.linalg.norm(sample[:, None] - sample[None], axis=2) + np.eye(len(sample)) * 1e9
    typical = np.median(pair.min(axis=1))
    for z in shown["gap_points"]:
        assert np.linalg.norm(codes - z, axis=1).min() > typical


def test_latent_space_dark_theme_renders():
    scene = render_dry("LatentSpace", theme=DARK, digits="1,2", gaps=1)
    assert len(scene.shown["decoded"]) == 2 and len(scene.shown["gap_points"]) == 1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_latent_helpers_properties(seed, n):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, size=200)
    codes = rng.normal(size=(200, 2)) + labels[:, None] * 3.0
    for label in np.unique(labels):
        index = class_representative(codes, labels, label)
        assert labels[index] == label
    picks = gap_points(codes, n, labels)
    assert 1 <= len(picks) <= n
    low, high = np.quantile(codes, 0.05, axis=0), np.quantile(codes, 0.95, axis=0)
    assert np.all((picks >= low - 1e-9) & (picks <= high + 1e-9))


@pytest.mark.parametrize("scene,overrides,words", [
    ("ConvAutoencoder", {"index": 99999}, "index=99999"),
    ("ConvAutoencoder", {"latent_dim": 0}, "latent_dim=0"),
    ("ConvAutoencoder", {"data": "/no/such/file.npy"}, "data="),
    ("LatentSpace", {"digits": "3,42"}, "digits=3,42"),
    ("LatentSpace", {"gaps": 9}, "gaps=9"),
])
def test_bad_parameters_are_one_clear_sentence(scene, overrides, words):
    from scenes.catalog import scene_class

    with pytest.raises(ParamError, match=words.replace("[", r"\[").replace("]", r"\]")):
        scene_class(scene).resolve(None, overrides)


def test_command_refuses_bad_input_with_exit_2_and_no_file(tmp_path, capsys):
    assert convviz(["render", "LatentSpace", "--set", "gaps=9", "--format", "png", "--out", str(tmp_path)]) == 2
    assert "gaps=9" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
