"""VAESampling, Reparameterization, VAELoss, AEvsVAE: what they show equals the real trained models' outputs."""


import numpy as np
import pytest
from conftest import render_dry

from convmath.models import TrainConfig, get_model
from scenes.catalog import scene_class
from scenes.params import ParamError
from scenes.theme import DARK

# Shares a worker (and so the trained models) with test_scene_autoencoder.py.
pytestmark = [pytest.mark.render, pytest.mark.xdist_group("ae_vae_models")]


@pytest.fixture(scope="module")
def vae():
    return get_model(TrainConfig("vae", beta=1.0))


def test_vae_sampling_shows_real_posterior_samples_and_decodes(vae):
    shown = render_dry("VAESampling").shown
    mu, sigma = vae.posterior(vae.images[:1])
    np.testing.assert_allclose(shown["mu"], mu[0], rtol=1e-6)
    np.testing.assert_allclose(shown["sigma"], sigma[0], rtol=1e-6)
    assert np.all(shown["sigma"] > 0)
    np.testing.assert_allclose(shown["samples"], shown["mu"] + shown["sigma"] * shown["eps"], rtol=1e-9)
    np.testing.assert_allclose(shown["decoded"], vae.decode(shown["samples"]), rtol=1e-6)
    # the lecture's two pictures: μ = 0, the same draws scaled by σ = 1 and σ = 1.5, each decoded for real
    z1, z15 = shown["prior_samples"][1.0], shown["prior_samples"][1.5]
    np.testing.assert_allclose(z15, 1.5 * z1, rtol=1e-9)
    for s, z in shown["prior_samples"].items():
        np.testing.assert_allclose(shown["prior_decoded"][s], vae.decode(z), rtol=1e-6)


def test_reparameterization_gradients_match_the_analytic_ones(vae):
    shown = render_dry("Reparameterization", index=3, sample_seed=5).shown
    mu, sigma = vae.posterior(vae.images[3:4])
    np.testing.assert_allclose(shown["mu"], mu[0], rtol=1e-6)
    z = shown["mu"] + shown["sigma"] * shown["eps"]
    np.testing.assert_allclose(shown["z"], z, rtol=1e-9)
    # L = Σ z²/2: ∂L/∂μ = z and ∂L/∂σ = ε ⊙ z; ε is a sample, no gradient
    np.testing.assert_allclose(shown["gradients"]["mu"], z, rtol=1e-9)
    np.testing.assert_allclose(shown["gradients"]["sigma"], shown["eps"] * z, rtol=1e-9)
    assert shown["eps_requires_grad"] is False
    assert shown["loss"] == pytest.approx(float(np.sum(z**2) / 2))


def test_vae_loss_shows_each_betas_real_model():
    shown = render_dry("VAELoss").shown
    assert shown["betas"] == (0.0, 1.0, 4.0)
    for beta, codes, recon, loss in zip(shown["betas"], shown["latent_points"], shown["reconstructions"],
                                        shown["loss"]):
        model = get_model(TrainConfig("vae", beta=beta))
        np.testing.assert_allclose(codes, model.encode(model.images), rtol=1e-6)
        np.testing.assert_allclose(recon, model.decode(model.encode(shown["input_images"])), rtol=1e-6)
        mu, sigma = model.posterior(model.images)
        kl = np.mean(np.sum(0.5 * (mu**2 + sigma**2 - 1 - np.log(sigma**2)), axis=1))
        assert loss["kl"] == pytest.approx(kl, rel=1e-3, abs=1e-4)
        assert loss["total"] == pytest.approx(loss["reconstruction"] + beta * loss["kl"], rel=1e-5)
    kls = [loss["kl"] for loss in shown["loss"]]
    assert kls[0] > kls[1] > kls[2]  # a heavier KL weight pulls the posteriors towards N(0, I)


def test_ae_vs_vae_interpolates_between_the_two_real_codes(vae):
    shown = render_dry("AEvsVAE", index_a=0, index_b=1, steps=5, theme=DARK).shown
    ae = get_model(TrainConfig("ae"))
    for kind, model in (("ae", ae), ("vae", vae)):
        ends = model.encode(model.images[[0, 1]])
        path = shown["paths"][kind]
        assert path.shape == (5, 2)
        np.testing.assert_allclose(path[[0, -1]], ends, rtol=1e-6)
        np.testing.assert_allclose(np.diff(path, axis=0), np.tile((ends[1] - ends[0]) / 4, (4, 1)), atol=1e-6)
        np.testing.assert_allclose(shown["decoded"][kind], model.decode(path), rtol=1e-6)
        np.testing.assert_allclose(shown["latent_points"][kind], model.encode(model.images), rtol=1e-6)


@pytest.mark.parametrize("scene,overrides,words", [
    ("VAESampling", {"samples": 0}, "samples=0"),
    ("VAESampling", {"sigma_b": -1}, "sigma_b=-1"),
    ("VAESampling", {"beta": -0.5}, "beta=-0.5"),
    ("Reparameterization", {"index": -1}, "index=-1"),
    ("VAELoss", {"betas": "a,b"}, "betas='a,b'"),
    ("VAELoss", {"betas": "0,1,2,3"}, "at most 3 entries"),
    ("AEvsVAE", {"steps": 1}, "steps=1"),
])
def test_bad_parameters_are_one_clear_sentence(scene, overrides, words):
    with pytest.raises(ParamError, match=words):
        scene_class(scene).resolve(None, overrides)
