"""A real conv autoencoder and conv VAE (torch), the digits they learn, deterministic training and a cache.

>>> trained = get_model(TrainConfig("vae"))          # trains once (seconds), then loads from the cache
>>> mu, sigma = trained.posterior(trained.images[:5])
>>> trained.decode(mu).shape
(5, 8, 8)

Losses (``TrainedModel.losses``), each per image then averaged over the images; training minimises ``total``:

- ``reconstruction`` = Σ_pixels (x̂ − x)² / (2σ²), σ = ``DECODER_SIGMA`` = 0.2: the Gaussian decoder's
  negative log-likelihood (up to a constant), the same for both kinds. σ = 0.2 keeps the 2-D VAE on the
  8x8 digits informative at β = 1 and still structured at β = 4 (with σ = 1 or with binary cross-entropy it
  ignores its latent: KL → 0).
- ``mse``: mean squared error per pixel (the plain number to compare models with).
- ``kl``: KL(N(μ, σ²) ‖ N(0, I)) summed over the latent axes (0 for the AE).
- ``total`` = reconstruction + β·kl.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from torch import nn

from .arithmetic import ConvArithmeticError, conv_output_size, output_padding_for

try:
    import fcntl
except ImportError:  # Windows: no inter-process lock, parallel renders may train the same model twice
    fcntl = None

__all__ = [
    "load_images",
    "TrainConfig",
    "get_model",
    "TrainedModel",
    "ConvAutoencoder",
    "ConvVAE",
    "build_model",
    "sample_latent",
    "reparameterization_gradients",
    "interpolate",
    "KINDS",
]

KINDS = ("ae", "vae")
ARCHITECTURE_VERSION = 2  # part of the cache key: bump when the networks or the training loop change

# Every encoder conv: kernel 3, stride 2, padding 1 (8 → 4 → 2 for digits, 28 → 14 → 7 for MNIST).
KERNEL, STRIDE, PADDING = 3, 2, 1
CHANNELS = (16, 32)
HIDDEN = 64
DECODER_SIGMA = 0.2  # σ of the Gaussian decoder p(x | z): weighs reconstruction against KL

_IMAGE_KEYS = ("images", "x", "x_train", "arr_0")
_LABEL_KEYS = ("labels", "y", "y_train", "arr_1")


def load_images(path: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(images float32 (N, H, W) in [0, 1], labels int64 (N,)).

    Default: scikit-learn's 8x8 handwritten digits (1797 images shipped with sklearn, no download).
    ``path``: a ``.npy`` of images (N, H, W), or a ``.npz`` with images under ``images``/``x``/``x_train``
    and optional labels under ``labels``/``y``/``y_train``; missing labels are -1. Integer pixels are /255.
    """
    if path is None:
        from sklearn.datasets import load_digits

        digits = load_digits()
        return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int64)
    file = Path(path)
    if not file.is_file():
        raise ConvArithmeticError(f"data={path!r} is not a file: give a .npy or .npz of images (N, H, W).")
    try:
        loaded = np.load(file, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ConvArithmeticError(f"data={path!r} cannot be read as .npy/.npz ({exc}).") from None
    labels = None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            image_key = next((k for k in _IMAGE_KEYS if k in loaded.files), None)
            if image_key is None:
                raise ConvArithmeticError(
                    f"data={path!r} has arrays {loaded.files}: name the images one of {list(_IMAGE_KEYS)}."
                )
            images = loaded[image_key]
            label_key = next((k for k in _LABEL_KEYS if k in loaded.files), None)
            labels = loaded[label_key] if label_key else None
    else:
        images = loaded
    return _as_dataset(path, images, labels)


def _as_dataset(path: str, images: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if images.ndim != 3 or min(images.shape) < 1:
        raise ConvArithmeticError(
            f"data={path!r} holds an array of shape {images.shape}: images must be (N, H, W), e.g. (60000, 28, 28)."
        )
    if np.issubdtype(images.dtype, np.integer) or images.max(initial=0) > 1:
        images = images / 255.0
    images = np.clip(images.astype(np.float32), 0.0, 1.0)
    if labels is None:
        labels = np.full(len(images), -1, dtype=np.int64)
    elif labels.shape != (len(images),):
        raise ConvArithmeticError(
            f"data={path!r} has labels of shape {labels.shape}: expected one label per image ({len(images)},)."
        )
    return images, labels.astype(np.int64)


@dataclass(frozen=True)
class TrainConfig:
    """What to train; its hash names the cache folder. ``beta`` weighs the KL term (VAE only);
    ``max_images`` keeps training on a large user file (say MNIST's 60000) to about a minute.
    """

    kind: str
    latent_dim: int = 2
    beta: float = 1.0
    epochs: int = 60
    seed: int = 0
    data: str | None = None
    batch_size: int = 64
    learning_rate: float = 3e-3
    max_images: int | None = 2000

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConvArithmeticError(f"kind={self.kind!r} is unknown: use 'ae' or 'vae'.")
        for name, minimum in (("latent_dim", 1), ("epochs", 1), ("batch_size", 1), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ConvArithmeticError(f"{name}={value!r} is not allowed: {name} must be an integer >= {minimum}.")
        for name in ("beta", "learning_rate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ConvArithmeticError(f"{name}={value!r} is not allowed: {name} must be a number >= 0.")
        if self.max_images is not None and (not isinstance(self.max_images, int) or self.max_images < 1):
            raise ConvArithmeticError(
                f"max_images={self.max_images!r} is not allowed: use a positive integer, or None for every image."
            )

    def key(self) -> str:
        """Short hash of the config, the architecture version and the data file's contents."""
        payload = asdict(self) | {"architecture": ARCHITECTURE_VERSION}
        if self.kind == "ae":
            payload.pop("beta")  # an autoencoder has no KL term: every beta is the same model
        if self.data is not None:
            payload["data"] = _file_digest(self.data)
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        raise ConvArithmeticError(f"data={path!r} is not a readable file: give a .npy or .npz of images.") from None
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------- networks
def _encoder_sizes(image_size: tuple[int, int]) -> list[tuple[int, int]]:
    """Spatial size before each encoder conv and after the last one, from convmath."""
    sizes = [image_size]
    for _ in CHANNELS:
        sizes.append(conv_output_size(sizes[-1], KERNEL, STRIDE, PADDING))
    return sizes


class Encoder(nn.Module):
    """Strided convs, flatten, a dense layer: (N, 1, H, W) → (N, HIDDEN)."""

    def __init__(self, image_size: tuple[int, int]):
        super().__init__()
        h, w = _encoder_sizes(image_size)[-1]
        layers: list[nn.Module] = []
        for c_in, c_out in zip((1,) + CHANNELS[:-1], CHANNELS):
            layers += [nn.Conv2d(c_in, c_out, KERNEL, stride=STRIDE, padding=PADDING), nn.ReLU()]
        self.convs = nn.Sequential(*layers)
        self.dense = nn.Sequential(nn.Linear(CHANNELS[-1] * h * w, HIDDEN), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dense(self.convs(x).flatten(1))


class Decoder(nn.Module):
    """Dense, reshape, transposed convs mirroring the encoder: (N, latent) → (N, 1, H, W) in [0, 1].

    Each transposed conv gets the output_padding that returns exactly the size its encoder conv took in.
    """

    def __init__(self, image_size: tuple[int, int], latent_dim: int):
        super().__init__()
        sizes = _encoder_sizes(image_size)
        self.start = (CHANNELS[-1], *sizes[-1])
        self.dense = nn.Sequential(
            nn.Linear(latent_dim, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, int(np.prod(self.start))), nn.ReLU()
        )
        layers: list[nn.Module] = []
        channels = CHANNELS[::-1] + (1,)
        for n, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
            small, target = sizes[-1 - n], sizes[-2 - n]
            pad = output_padding_for(target, small, KERNEL, STRIDE, PADDING)
            layers.append(nn.ConvTranspose2d(c_in, c_out, KERNEL, stride=STRIDE, padding=PADDING, output_padding=pad))
            layers.append(nn.ReLU() if c_out != 1 else nn.Sigmoid())
        self.deconvs = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.deconvs(self.dense(z).view(-1, *self.start))


class ConvAutoencoder(nn.Module):
    """x → encoder → code (latent_dim) → decoder → x̂."""

    def __init__(self, image_size: tuple[int, int] = (8, 8), latent_dim: int = 2):
        super().__init__()
        self.encoder = Encoder(image_size)
        self.to_code = nn.Linear(HIDDEN, latent_dim)
        self.decoder = Decoder(image_size, latent_dim)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_code(self.encoder(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encode(x))


class ConvVAE(nn.Module):
    """x → encoder → (μ, log σ²) heads → z = μ + σ ⊙ ε, ε ~ N(0, I) → decoder → x̂. Returns (x̂, μ, log σ²)."""

    def __init__(self, image_size: tuple[int, int] = (8, 8), latent_dim: int = 2):
        super().__init__()
        self.encoder = Encoder(image_size)
        self.mu_head = nn.Linear(HIDDEN, latent_dim)
        self.logvar_head = nn.Linear(HIDDEN, latent_dim)
        self.decoder = Decoder(image_size, latent_dim)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(x)
        return self.mu_head(hidden), self.logvar_head(hidden)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        sigma = torch.exp(0.5 * logvar)
        eps = torch.randn_like(sigma)
        z = mu + sigma * eps
        return self.decoder(z), mu, logvar


def build_model(kind: str, image_size: tuple[int, int] = (8, 8), latent_dim: int = 2) -> nn.Module:
    """An untrained ``ConvAutoencoder`` (``"ae"``) or ``ConvVAE`` (``"vae"``)."""
    if kind not in KINDS:
        raise ConvArithmeticError(f"kind={kind!r} is unknown: use 'ae' or 'vae'.")
    return (ConvAutoencoder if kind == "ae" else ConvVAE)(tuple(image_size), latent_dim)


def _loss_terms(model: nn.Module, x: torch.Tensor, beta: float) -> dict[str, torch.Tensor]:
    """Per-image losses averaged over the batch (the VAE's reconstruction uses μ when not training)."""
    if isinstance(model, ConvVAE):
        recon, mu, logvar = model(x)
        if not model.training:
            recon = model.decoder(mu)
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).sum(1).mean()
    else:
        recon, kl = model(x), x.new_zeros(())
    squared = (recon - x).pow(2).flatten(1)
    reconstruction = squared.sum(1).mean() / (2 * DECODER_SIGMA**2)
    return {"reconstruction": reconstruction, "mse": squared.mean(), "kl": kl, "total": reconstruction + beta * kl}


# ----------------------------------------------------------------------------------------------- training
def _train(config: TrainConfig, images: np.ndarray) -> tuple[nn.Module, list[float], float]:
    """Seeded, single-threaded, deterministic training: (model, mean loss per epoch, seconds)."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    start = time.perf_counter()
    try:
        with torch.random.fork_rng():
            torch.manual_seed(config.seed)
            model = build_model(config.kind, images.shape[1:], config.latent_dim)
            optimiser = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
            data = torch.from_numpy(images).unsqueeze(1)
            order = torch.Generator().manual_seed(config.seed)
            history = []
            model.train()
            for _ in range(config.epochs):
                total = 0.0
                for batch in data[torch.randperm(len(data), generator=order)].split(config.batch_size):
                    loss = _loss_terms(model, batch, config.beta)["total"]
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    total += loss.item() * len(batch)
                history.append(total / len(data))
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    return model.eval(), history, time.perf_counter() - start


def default_cache_dir() -> Path:
    """$CONVVIZ_CACHE, else ~/.cache/convviz."""
    return Path(os.environ.get("CONVVIZ_CACHE") or Path.home() / ".cache" / "convviz")


def get_model(config: TrainConfig, cache_dir: str | Path | None = None) -> "TrainedModel":
    """The trained model for ``config``: loaded from ``cache_dir/<kind>-<hash>/`` or trained once and saved there."""
    images, labels = load_images(config.data)
    images, labels = images[: config.max_images], labels[: config.max_images]
    root = Path(cache_dir or default_cache_dir())
    folder = root / f"{config.kind}-{config.key()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise ConvArithmeticError(
            f"cache_dir={str(root)!r} cannot be created: set CONVVIZ_CACHE to a writable folder."
        ) from None
    with _locked(root / f"{folder.name}.lock"):  # parallel renders wait for one training run
        loaded = _load(folder, config, images.shape[1:])
        if loaded is not None:
            model, info = loaded
            return TrainedModel(model, config, images, labels, info["history"], info["train_seconds"], folder, True)
        model, history, seconds = _train(config, images)
        _save(folder, model, {"config": asdict(config), "history": history, "train_seconds": seconds})
    return TrainedModel(model, config, images, labels, history, seconds, folder, False)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` between processes (a no-op where fcntl does not exist)."""
    with open(path, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _load(folder: Path, config: TrainConfig, image_size: tuple[int, int]) -> tuple[nn.Module, dict] | None:
    """The cached model and its meta data, or None (absent, or unreadable: then it is removed and retrained)."""
    weights, meta = folder / "weights.pt", folder / "meta.json"
    if not (weights.is_file() and meta.is_file()):
        return None
    try:
        model = build_model(config.kind, image_size, config.latent_dim)
        model.load_state_dict(torch.load(weights, weights_only=True))
        return model.eval(), json.loads(meta.read_text())
    except Exception:  # truncated or foreign file (pickle, zip, key or shape errors): retrain
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _save(folder: Path, model: nn.Module, info: dict) -> None:
    """Write into a temporary sibling, then rename: a crash never leaves a half-written cache entry."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        torch.save(model.state_dict(), staging / "weights.pt")
        (staging / "meta.json").write_text(json.dumps(info, indent=1))
        staging.rename(folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@dataclass
class TrainedModel:
    """A trained model (eval mode) with numpy in/out helpers; images are (N, H, W) in [0, 1]."""

    model: nn.Module
    config: TrainConfig
    images: np.ndarray
    labels: np.ndarray
    history: list[float]
    train_seconds: float
    folder: Path = field(repr=False)
    from_cache: bool = False

    @property
    def is_vae(self) -> bool:
        return isinstance(self.model, ConvVAE)

    def _tensor(self, images: np.ndarray) -> torch.Tensor:
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 3 or images.shape[1:] != self.images.shape[1:]:
            raise ConvArithmeticError(
                f"images of shape {images.shape} do not fit this model: give (N, {self.images.shape[1]}, "
                f"{self.images.shape[2]})."
            )
        return torch.from_numpy(images).unsqueeze(1)

    @torch.no_grad()
    def encode(self, images: np.ndarray) -> np.ndarray:
        """(N, latent): the AE's code, or μ for the VAE."""
        code = self.model.encode(self._tensor(images))
        return (code[0] if self.is_vae else code).numpy()

    @torch.no_grad()
    def posterior(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(μ, σ), each (N, latent); VAE only."""
        if not self.is_vae:
            raise ConvArithmeticError("posterior() needs a VAE (kind='vae'): an autoencoder has no σ.")
        mu, logvar = self.model.encode(self._tensor(images))
        return mu.numpy(), torch.exp(0.5 * logvar).numpy()

    @torch.no_grad()
    def decode(self, z: np.ndarray) -> np.ndarray:
        """(M, H, W) in [0, 1] for latent points z (M, latent)."""
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.config.latent_dim:
            raise ConvArithmeticError(
                f"z of shape {z.shape} does not fit this model: give (M, {self.config.latent_dim})."
            )
        return self.model.decoder(torch.from_numpy(z)).squeeze(1).numpy()

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        """decode(encode(images)): the VAE decodes μ (no sampling), so the result is deterministic."""
        return self.decode(self.encode(images))

    @torch.no_grad()
    def losses(self, images: np.ndarray) -> dict[str, float]:
        """{"reconstruction", "mse", "kl", "total"} (see the module docstring), the VAE decoding μ."""
        terms = _loss_terms(self.model, self._tensor(images), self.config.beta if self.is_vae else 0.0)
        return {name: float(value) for name, value in terms.items()}


# ----------------------------------------------------------------------------------------------- latent maths
def sample_latent(mu: np.ndarray, sigma: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(ε (n, latent) ~ N(0, I), z = μ + σ ⊙ ε) for one μ and σ of shape (latent,) or (1, latent)."""
    mu = np.asarray(mu, dtype=np.float64).reshape(-1)
    sigma = np.asarray(sigma, dtype=np.float64).reshape(-1)
    if mu.shape != sigma.shape:
        raise ConvArithmeticError(f"mu has shape {mu.shape} but sigma has {sigma.shape}: give one σ per μ entry.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ConvArithmeticError(f"n={n!r} is not allowed: n must be a positive integer.")
    eps = np.random.default_rng(seed).standard_normal((n, mu.size))
    return eps, mu + sigma * eps


def reparameterization_gradients(mu, sigma, eps) -> dict:
    """Real autograd through z = μ + σ ⊙ ε for L = Σ z²/2: gradients reach μ and σ, never the sample ε.

    Returns {"z", "mu" (∂L/∂μ), "sigma" (∂L/∂σ), "eps": None, "eps_requires_grad": False, "loss"}.
    """
    mu_t = torch.tensor(np.asarray(mu, dtype=np.float64), requires_grad=True)
    sigma_t = torch.tensor(np.asarray(sigma, dtype=np.float64), requires_grad=True)
    eps_t = torch.tensor(np.asarray(eps, dtype=np.float64))  # a sample: a constant, not a parameter
    z = mu_t + sigma_t * eps_t
    loss = (z**2).sum() / 2
    loss.backward()
    return {
        "z": z.detach().numpy(),
        "mu": mu_t.grad.numpy(),
        "sigma": sigma_t.grad.numpy(),
        "eps": eps_t.grad,
        "eps_requires_grad": eps_t.requires_grad,
        "loss": float(loss.detach()),
    }


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """(steps, latent): evenly spaced points from a to b, both ends included."""
    a, b = np.asarray(a, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ConvArithmeticError(f"a has shape {a.shape} but b has {b.shape}: give two points of one latent size.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ConvArithmeticError(f"steps={steps!r} is not allowed: steps must be an integer >= 2.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (1 - t) * a + t * b
