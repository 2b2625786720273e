"""convmath.models: the real AE/VAE, deterministic training, the cache, and the latent helpers."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from convmath import ConvArithmeticError
from convmath import models
from convmath.models import (TrainConfig, build_model, get_model, interpolate, load_images,
                             reparameterization_gradients, sample_latent)

SHORT = {"epochs": 3}
pytestmark = pytest.mark.xdist_group("models")  # one worker: the module's short models train once


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One fresh cache for the module: each short config trains once here."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def ae(cache):
    return get_model(TrainConfig("ae", **SHORT), cache)


@pytest.fixture(scope="module")
def vae(cache):
    return get_model(TrainConfig("vae", beta=2.0, **SHORT), cache)


# ----------------------------------------------------------------------------------------------- data
def test_default_data_is_sklearn_digits_scaled():
    images, labels = load_images()
    digits = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    np.testing.assert_allclose(images * 16, digits.images, atol=1e-5)
    np.testing.assert_array_equal(labels, digits.target)


def test_user_file_npz_and_npy(tmp_path):
    raw = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mnist.npz", x_train=raw, y_train=np.arange(5))
    images, labels = load_images(str(tmp_path / "mnist.npz"))
    np.testing.assert_allclose(images, raw / 255.0, atol=1e-6)
    np.testing.assert_array_equal(labels, np.arange(5))
    np.save(tmp_path / "plain.npy", raw)
    images, labels = load_images(str(tmp_path / "plain.npy"))
    assert images.shape == (5, 28, 28) and (labels == -1).all()


@pytest.mark.parametrize("make,words", [
    (lambda p: np.save(p / "bad.npy", np.zeros((4, 28))), "(N, H, W)"),
    (lambda p: np.savez(p / "bad.npz", other=np.zeros((2, 8, 8))), "images"),
    (lambda p: (p / "bad.npy").write_text("not an array"), "cannot be read"),
])
def test_bad_data_files_are_one_sentence(tmp_path, make, words):
    make(tmp_path)
    path = next(tmp_path.iterdir())
    with pytest.raises(ConvArithmeticError, match="data=") as info:
        load_images(str(path))
    assert words in str(info.value)
    with pytest.raises(ConvArithmeticError, match="not a file"):
        load_images(str(tmp_path / "missing.npy"))


@pytest.mark.parametrize("kwargs,name", [
    ({"kind": "gan"}, "kind"), ({"kind": "ae", "latent_dim": 0}, "latent_dim"),
    ({"kind": "vae", "beta": -1.0}, "beta"), ({"kind": "vae", "epochs": 1.5}, "epochs"),
])
def test_bad_config_names_the_parameter(kwargs, name):
    with pytest.raises(ConvArithmeticError, match=f"^{name}="):
        TrainConfig(**kwargs)


# ----------------------------------------------------------------------------------------------- networks
@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["ae", "vae"]), st.integers(3, 40), st.integers(3, 40), st.integers(1, 4))
def test_output_shape_equals_input_shape(kind, h, w, latent):
    model = build_model(kind, (h, w), latent).eval()
    x = torch.rand(2, 1, h, w)
    out = model(x)
    recon = out[0] if kind == "vae" else out
    assert recon.shape == x.shape
    assert 0 <= recon.min() and recon.max() <= 1


def test_decoder_output_padding_comes_from_the_arithmetic():
    # 28 -> 14 -> 7 needs output_padding 1 twice on the way back; 13 -> 7 -> 4 needs 0 twice.
    for size, pads in ((28, [1, 1]), (13, [0, 0])):
        model = build_model("ae", (size, size))
        deconvs = [m for m in model.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
        assert [m.output_padding[0] for m in deconvs] == pads


def test_vae_has_two_dense_heads_and_samples():
    model = build_model("vae").eval()
    assert isinstance(model.mu_head, torch.nn.Linear) and isinstance(model.logvar_head, torch.nn.Linear)
    x = torch.rand(3, 1, 8, 8)
    torch.manual_seed(0)
    a = model(x)[0]
    b = model(x)[0]
    assert not torch.equal(a, b)  # z is sampled on every forward pass


# ----------------------------------------------------------------------------------------------- training
def test_short_training_lowers_the_loss(ae, vae):
    for trained in (ae, vae):
        assert len(trained.history) == SHORT["epochs"]
        assert trained.history[-1] < trained.history[0]
        untrained = build_model(trained.config.kind).eval()
        with torch.no_grad():
            before = models._loss_terms(untrained, torch.from_numpy(trained.images).unsqueeze(1), 0.0)
        assert trained.losses(trained.images)["reconstruction"] < float(before["reconstruction"])


def test_same_seed_same_weights_other_seed_other_weights(ae, tmp_path):
    again = get_model(TrainConfig("ae", **SHORT), tmp_path / "a")
    assert not again.from_cache
    for (name, p), q in zip(ae.model.state_dict().items(), again.model.state_dict().values()):
        assert torch.equal(p, q), name
    other = get_model(TrainConfig("ae", seed=1, **SHORT), tmp_path / "b")
    assert not torch.equal(other.model.state_dict()["to_code.weight"], ae.model.state_dict()["to_code.weight"])


def test_cache_is_reused_second_call_trains_nothing(ae, cache, monkeypatch):
    def refuse(*args):
        raise AssertionError("trained a second time")

    monkeypatch.setattr(models, "_train", refuse)
    loaded = get_model(TrainConfig("ae", **SHORT), cache)
    assert loaded.from_cache and not ae.from_cache
    assert loaded.history == ae.history and loaded.train_seconds == ae.train_seconds
    for p, q in zip(ae.model.state_dict().values(), loaded.model.state_dict().values()):
        assert torch.equal(p, q)
    np.testing.assert_array_equal(loaded.reconstruct(ae.images[:4]), ae.reconstruct(ae.images[:4]))


def test_cache_folder_is_named_by_config_hash_and_loads_weights_only(ae, vae, cache):
    assert ae.folder.parent == cache and ae.folder.name.startswith("ae-")
    assert vae.folder != ae.folder and vae.folder.name.startswith("vae-")
    assert sorted(p.name for p in ae.folder.iterdir()) == ["meta.json", "weights.pt"]
    state = torch.load(ae.folder / "weights.pt", weights_only=True)
    assert set(state) == set(ae.model.state_dict())
    assert json.loads((ae.folder / "meta.json").read_text())["history"] == ae.history
    assert TrainConfig("ae", **SHORT).key() != TrainConfig("ae", epochs=4).key()


def test_cache_dir_defaults_to_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CONVVIZ_CACHE", str(tmp_path))
    assert models.default_cache_dir() == tmp_path


# ----------------------------------------------------------------------------------------------- numpy helpers
def test_ae_helpers_and_losses_match_numpy(ae):
    x = ae.images[:50]
    codes = ae.encode(x)
    assert codes.shape == (50, 2)
    recon = ae.reconstruct(x)
    np.testing.assert_allclose(recon, ae.decode(codes))
    assert recon.shape == x.shape and recon.min() >= 0 and recon.max() <= 1
    losses = ae.losses(x)
    squared = ((recon - x) ** 2).reshape(50, -1)
    # the documented Gaussian decoder: Σ (x̂ − x)² / (2·0.2²)
    assert losses["reconstruction"] == pytest.approx(squared.sum(1).mean() / 0.08, rel=1e-4)
    assert losses["mse"] == pytest.approx(squared.mean(), rel=1e-4)
    assert losses["kl"] == 0 and losses["total"] == losses["reconstruction"]
    with pytest.raises(ConvArithmeticError, match="needs a VAE"):
        ae.posterior(x)


def test_vae_helpers_and_losses_match_numpy(vae):
    x = vae.images[:50]
    mu, sigma = vae.posterior(x)
    assert mu.shape == sigma.shape == (50, 2) and (sigma > 0).all()
    np.testing.assert_allclose(vae.encode(x), mu)
    recon = vae.reconstruct(x)
    squared_error = ((recon - x) ** 2).reshape(50, -1).sum(1).mean()
    kl = (0.5 * (mu**2 + sigma**2 - 1 - np.log(sigma**2))).sum(1).mean()
    losses = vae.losses(x)
    assert losses["reconstruction"] == pytest.approx(squared_error / 0.08, rel=1e-3)
    assert losses["kl"] == pytest.approx(kl, rel=1e-3)
    assert losses["total"] == pytest.approx(losses["reconstruction"] + 2.0 * losses["kl"], rel=1e-5)


def test_helpers_refuse_wrong_shapes(ae):
    with pytest.raises(ConvArithmeticError, match=r"\(N, 8, 8\)"):
        ae.encode(np.zeros((2, 28, 28)))
    with pytest.raises(ConvArithmeticError, match=r"\(M, 2\)"):
        ae.decode(np.zeros((2, 3)))


def test_sample_latent():
    mu, sigma = np.array([0.5, -1.0]), np.array([1.0, 1.5])
    eps, z = sample_latent(mu, sigma, 4000, seed=3)
    assert eps.shape == z.shape == (4000, 2)
    np.testing.assert_allclose(z, mu + sigma * eps)
    assert np.abs(eps.mean(0)).max() < 0.1 and np.abs(eps.std(0) - 1).max() < 0.1
    np.testing.assert_array_equal(sample_latent(mu, sigma, 5, seed=3)[0], eps[:5])
    with pytest.raises(ConvArithmeticError, match="^n="):
        sample_latent(mu, sigma, 0)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(1, 4))
def test_reparameterization_gradients_are_the_analytic_ones(seed, n, latent):
    rng = np.random.default_rng(seed)
    mu, sigma = rng.normal(size=latent), rng.uniform(0.1, 2, size=latent)
    eps = rng.normal(size=(n, latent))
    g = reparameterization_gradients(mu, sigma, eps)
    z = mu + sigma * eps
    # L = Σ z²/2: ∂L/∂z = z; z = μ + σ ε, so ∂L/∂μ = Σ_n z and ∂L/∂σ = Σ_n z ε.
    np.testing.assert_allclose(g["z"], z)
    np.testing.assert_allclose(g["mu"], z.sum(0))
    np.testing.assert_allclose(g["sigma"], (z * eps).sum(0))
    assert g["loss"] == pytest.approx((z**2).sum() / 2)
    assert g["eps"] is None and g["eps_requires_grad"] is False


def test_interpolate():
    a, b = np.array([0.0, 2.0]), np.array([4.0, -2.0])
    path = interpolate(a, b, 5)
    assert path.shape == (5, 2)
    np.testing.assert_allclose(path[0], a)
    np.testing.assert_allclose(path[-1], b)
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile((b - a) / 4, (4, 1)))
    with pytest.raises(ConvArithmeticError, match="^steps="):
        interpolate(a, b, 1)


def test_parallel_callers_train_once(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    calls = []
    real_train = models._train

    def counting(config, images):
        calls.append(config)
        return real_train(config, images)

    monkeypatch.setattr(models, "_train", counting)
    config = TrainConfig("ae", epochs=1)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: get_model(config, tmp_path), range(3)))
    assert len(calls) == 1 and sum(not r.from_cache for r in results) == 1


def test_unreadable_cache_entry_is_retrained(tmp_path):
    config = TrainConfig("ae", epochs=1)
    first = get_model(config, tmp_path)
    (first.folder / "weights.pt").write_bytes(b"garbage")
    again = get_model(config, tmp_path)
    assert not again.from_cache
    assert torch.equal(again.model.state_dict()["to_code.weight"], first.model.state_dict()["to_code.weight"])


def test_max_images_caps_training_data_and_ae_ignores_beta(tmp_path):
    np.save(tmp_path / "big.npy", np.random.default_rng(0).random((30, 12, 12)).astype(np.float32))
    trained = get_model(TrainConfig("ae", epochs=1, data=str(tmp_path / "big.npy"), max_images=10), tmp_path)
    assert trained.images.shape == (10, 12, 12) and trained.decode(np.zeros((1, 2))).shape == (1, 12, 12)
    assert TrainConfig("ae", beta=4.0).key() == TrainConfig("ae").key()
    assert TrainConfig("vae", beta=4.0).key() != TrainConfig("vae").key()
