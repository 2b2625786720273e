"""A real conv autoencoder, conv VAE and conditional conv VAE (torch), the digits they learn, deterministic
training and a cache.

>>> trained = get_model(TrainConfig("vae"))          # trains once (seconds), then loads from the cache
>>> mu, sigma = trained.posterior(trained.images[:5])
>>> trained.decode(mu).shape
(5, 8, 8)
>>> cvae = get_model(TrainConfig("cvae"))            # the label joins the encoder's features and z
>>> cvae.decode(np.zeros((10, 2)), labels=np.arange(10)).shape   # one z under each of the ten labels
(10, 8, 8)

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
import zlib
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
    "ConditionalConvVAE",
    "build_model",
    "sample_latent",
    "reparameterization_gradients",
    "interpolate",
    "one_hot",
    "KINDS",
]

KINDS = ("ae", "vae", "cvae")
ARCHITECTURE_VERSION = 2  # part of the cache key: bump when the networks or the training loop change

# Every encoder conv: kernel 3, stride 2, padding 1 (8 → 4 → 2 for digits, 28 → 14 → 7 for MNIST).
KERNEL, STRIDE, PADDING = 3, 2, 1
CHANNELS = (16, 32)
HIDDEN = 64
DECODER_SIGMA = 0.2  # σ of the Gaussian decoder p(x | z): weighs reconstruction against KL
MAX_CLASSES = 100  # the conditional VAE's one-hot label has at most this many entries

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
        images, labels = _read_arrays(path, file)
    except ConvArithmeticError:
        raise
    except _UNREADABLE as exc:  # an empty, truncated or corrupt file
        raise ConvArithmeticError(f"data={path!r} cannot be read as .npy/.npz ({exc}).") from None
    return _as_dataset(path, images, labels)


_UNREADABLE = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


def _read_arrays(path: str, file: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """(images, labels or None) from a .npy, or from a .npz's named arrays."""
    loaded = np.load(file, allow_pickle=False)
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        return loaded, None
    with loaded:
        image_key = next((k for k in _IMAGE_KEYS if k in loaded.files), None)
        if image_key is None:
            raise ConvArithmeticError(
                f"data={path!r} has arrays {loaded.files}: name the images one of {list(_IMAGE_KEYS)}."
            )
        label_key = next((k for k in _LABEL_KEYS if k in loaded.files), None)
        return loaded[image_key], loaded[label_key] if label_key else None


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
            raise ConvArithmeticError(f"kind={self.kind!r} is unknown: use 'ae', 'vae' or 'cvae'.")
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


class ConditionalConvVAE(nn.Module):
    """The VAE with the label given: its one-hot vector joins the encoder's features (before the μ and log σ²
    heads) and z (before the decoder's first layer: latent_dim + classes inputs). Returns (x̂, μ, log σ²).

    ``labels`` are class indices (N,); none gives every image label 0 (a shape trace runs it on one input).
    """

    def __init__(self, image_size: tuple[int, int] = (8, 8), latent_dim: int = 2, classes: int = 10):
        super().__init__()
        self.classes = classes
        self.encoder = Encoder(image_size)
        self.mu_head = nn.Linear(HIDDEN + classes, latent_dim)
        self.logvar_head = nn.Linear(HIDDEN + classes, latent_dim)
        self.decoder = Decoder(image_size, latent_dim + classes)

    def one_hot(self, labels: torch.Tensor) -> torch.Tensor:
        """(N, classes) float one-hot rows for class indices (N,)."""
        return nn.functional.one_hot(labels, self.classes).to(torch.get_default_dtype())

    def _labels(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        return torch.zeros(len(x), dtype=torch.long) if labels is None else labels

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        joined = torch.cat([self.encoder(x), self.one_hot(self._labels(x, labels))], dim=1)
        return self.mu_head(joined), self.logvar_head(joined)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(torch.cat([z, self.one_hot(self._labels(z, labels))], dim=1))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        labels = self._labels(x, labels)
        mu, logvar = self.encode(x, labels)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z, labels), mu, logvar


def build_model(kind: str, image_size: tuple[int, int] = (8, 8), latent_dim: int = 2, classes: int = 10) -> nn.Module:
    """An untrained ``ConvAutoencoder`` ("ae"), ``ConvVAE`` ("vae") or ``ConditionalConvVAE`` ("cvae", ``classes``
    labels)."""
    if kind not in KINDS:
        raise ConvArithmeticError(f"kind={kind!r} is unknown: use 'ae', 'vae' or 'cvae'.")
    if kind == "cvae":
        return ConditionalConvVAE(tuple(image_size), latent_dim, classes)
    return (ConvAutoencoder if kind == "ae" else ConvVAE)(tuple(image_size), latent_dim)


def _loss_terms(model: nn.Module, x: torch.Tensor, beta: float,
                labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Per-image losses averaged over the batch (the VAEs' reconstruction uses μ when not training)."""
    if isinstance(model, ConditionalConvVAE):
        recon, mu, logvar = model(x, labels)
        if not model.training:
            recon = model.decode(mu, labels)
    elif isinstance(model, ConvVAE):
        recon, mu, logvar = model(x)
        if not model.training:
            recon = model.decoder(mu)
    else:
        recon = model(x)
    if isinstance(model, (ConvVAE, ConditionalConvVAE)):
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).sum(1).mean()
    else:
        kl = x.new_zeros(())
    squared = (recon - x).pow(2).flatten(1)
    reconstruction = squared.sum(1).mean() / (2 * DECODER_SIGMA**2)
    return {"reconstruction": reconstruction, "mse": squared.mean(), "kl": kl, "total": reconstruction + beta * kl}


# ----------------------------------------------------------------------------------------------- training
def _train(config: TrainConfig, images: np.ndarray,
           labels: np.ndarray | None = None) -> tuple[nn.Module, list[float], float]:
    """Seeded, single-threaded, deterministic training: (model, mean loss per epoch, seconds).

    ``labels`` (class indices 0..K-1) are what the conditional VAE is given with each image; K = max + 1."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    start = time.perf_counter()
    try:
        with torch.random.fork_rng():
            torch.manual_seed(config.seed)
            model = build_model(config.kind, images.shape[1:], config.latent_dim, _class_count(labels))
            optimiser = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
            data = torch.from_numpy(images).unsqueeze(1)
            targets = None if labels is None else torch.from_numpy(labels)
            order = torch.Generator().manual_seed(config.seed)
            history = []
            model.train()
            for _ in range(config.epochs):
                total = 0.0
                for batch_index in torch.randperm(len(data), generator=order).split(config.batch_size):
                    batch = data[batch_index]
                    given = None if targets is None else targets[batch_index]
                    loss = _loss_terms(model, batch, config.beta, given)["total"]
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    total += loss.item() * len(batch)
                history.append(total / len(data))
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    return model.eval(), history, time.perf_counter() - start


def _class_count(labels: np.ndarray | None) -> int:
    """K for labels 0..K-1 (10 for the digits); 10 when there are none (only the conditional VAE reads it)."""
    return 10 if labels is None or len(labels) == 0 else int(labels.max()) + 1


def _check_labels(config: TrainConfig, labels: np.ndarray) -> None:
    """The conditional VAE needs every image labelled with a class index 0..K-1, at least two classes."""
    where = f"data={config.data!r}"
    if (labels < 0).any():
        raise ConvArithmeticError(f"{where} has images without a label: the conditional VAE needs a .npz with a "
                                  f"label per image under one of {list(_LABEL_KEYS)}.")
    if len(np.unique(labels)) < 2 or labels.max() >= MAX_CLASSES:
        raise ConvArithmeticError(f"{where} has labels {sorted(set(labels.tolist()))[:12]}: the conditional VAE "
                                  f"needs class indices from 0 to at most {MAX_CLASSES - 1}, at least two classes.")


def default_cache_dir() -> Path:
    """$CONVVIZ_CACHE, else ~/.cache/convviz."""
    return Path(os.environ.get("CONVVIZ_CACHE") or Path.home() / ".cache" / "convviz")


def get_model(config: TrainConfig, cache_dir: str | Path | None = None) -> "TrainedModel":
    """The trained model for ``config``: loaded from ``cache_dir/<kind>-<hash>/`` or trained once and saved there."""
    images, labels = load_images(config.data)
    images, labels = images[: config.max_images], labels[: config.max_images]
    if config.kind == "cvae":
        _check_labels(config, labels)
    root = Path(cache_dir or default_cache_dir())
    folder = root / f"{config.kind}-{config.key()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise ConvArithmeticError(
            f"cache_dir={str(root)!r} cannot be created: set CONVVIZ_CACHE to a writable folder."
        ) from None
    with _locked(root / f"{folder.name}.lock"):  # parallel renders wait for one training run
        loaded = _load(folder, config, images.shape[1:], _class_count(labels))
        if loaded is not None:
            model, info = loaded
            return TrainedModel(model, config, images, labels, info["history"], info["train_seconds"], folder, True)
        # only the conditional VAE is given the labels
        model, history, seconds = _train(config, images) if config.kind != "cvae" else _train(config, images, labels)
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


def _load(folder: Path, config: TrainConfig, image_size: tuple[int, int],
          classes: int) -> tuple[nn.Module, dict] | None:
    """The cached model and its meta data, or None (absent, or unreadable: then it is removed and retrained)."""
    weights, meta = folder / "weights.pt", folder / "meta.json"
    if not (weights.is_file() and meta.is_file()):
        return None
    try:
        model = build_model(config.kind, image_size, config.latent_dim, classes)
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
        """A VAE or a conditional VAE: the encoder gives μ and σ."""
        return isinstance(self.model, (ConvVAE, ConditionalConvVAE))

    @property
    def is_conditional(self) -> bool:
        """The conditional VAE: encode and decode take the labels too."""
        return isinstance(self.model, ConditionalConvVAE)

    @property
    def classes(self) -> int:
        """How many labels the conditional VAE knows (0 for the others)."""
        return self.model.classes if self.is_conditional else 0

    def _tensor(self, images: np.ndarray) -> torch.Tensor:
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 3 or images.shape[1:] != self.images.shape[1:]:
            raise ConvArithmeticError(
                f"images of shape {images.shape} do not fit this model: give (N, {self.images.shape[1]}, "
                f"{self.images.shape[2]})."
            )
        return torch.from_numpy(images).unsqueeze(1)

    def _labels(self, labels: int | np.ndarray | None, n: int) -> torch.Tensor | None:
        """Class indices (n,) for the conditional VAE (one int is given to all n); None for the others."""
        if not self.is_conditional:
            if labels is not None:
                raise ConvArithmeticError(f"labels= is only for the conditional VAE (kind='cvae'), not "
                                          f"kind={self.config.kind!r}.")
            return None
        if labels is None:
            raise ConvArithmeticError("labels= is missing: the conditional VAE needs a label per image or z.")
        array = np.broadcast_to(np.asarray(labels), (n,)) if np.ndim(labels) == 0 else np.asarray(labels)
        if array.shape != (n,) or not np.issubdtype(array.dtype, np.integer) or n and not (
                0 <= array.min() and array.max() < self.classes):
            raise ConvArithmeticError(f"labels={array.tolist()[:12]!r} do not fit: give {n} class indices from 0 "
                                      f"to {self.classes - 1} (or one for all).")
        return torch.from_numpy(array.astype(np.int64))

    @torch.no_grad()
    def encode(self, images: np.ndarray, labels: int | np.ndarray | None = None) -> np.ndarray:
        """(N, latent): the AE's code, or μ for the VAEs (the conditional one takes the images' labels)."""
        return self._encoded(images, labels)[0].numpy()

    def _encoded(self, images: np.ndarray, labels) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(code or μ, log σ² or None) as tensors."""
        x = self._tensor(images)
        given = self._labels(labels, len(x))
        if self.is_conditional:
            return self.model.encode(x, given)
        code = self.model.encode(x)
        return code if self.is_vae else (code, None)

    @torch.no_grad()
    def posterior(self, images: np.ndarray, labels: int | np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(μ, σ), each (N, latent); VAEs only."""
        if not self.is_vae:
            raise ConvArithmeticError("posterior() needs a VAE (kind='vae'): an autoencoder has no σ.")
        mu, logvar = self._encoded(images, labels)
        return mu.numpy(), torch.exp(0.5 * logvar).numpy()

    @torch.no_grad()
    def decode(self, z: np.ndarray, labels: int | np.ndarray | None = None) -> np.ndarray:
        """(M, H, W) in [0, 1] for latent points z (M, latent); the conditional VAE decodes z under ``labels``."""
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.config.latent_dim:
            raise ConvArithmeticError(
                f"z of shape {z.shape} does not fit this model: give (M, {self.config.latent_dim})."
            )
        given = self._labels(labels, len(z))
        z_t = torch.from_numpy(z)
        out = self.model.decode(z_t, given) if self.is_conditional else self.model.decoder(z_t)
        return out.squeeze(1).numpy()

    def reconstruct(self, images: np.ndarray, labels: int | np.ndarray | None = None) -> np.ndarray:
        """decode(encode(images)): the VAEs decode μ (no sampling), so the result is deterministic."""
        return self.decode(self.encode(images, labels), labels)

    @torch.no_grad()
    def losses(self, images: np.ndarray, labels: int | np.ndarray | None = None) -> dict[str, float]:
        """{"reconstruction", "mse", "kl", "total"} (see the module docstring), the VAEs decoding μ."""
        x = self._tensor(images)
        terms = _loss_terms(self.model, x, self.config.beta if self.is_vae else 0.0, self._labels(labels, len(x)))
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


def one_hot(labels: int | np.ndarray, classes: int) -> np.ndarray:
    """(N, classes) float32 rows, a 1 at each label: the vector the conditional VAE is given (torch's one_hot)."""
    array = np.atleast_1d(np.asarray(labels))
    if not np.issubdtype(array.dtype, np.integer) or array.size and not (0 <= array.min() and array.max() < classes):
        raise ConvArithmeticError(f"labels={array.tolist()[:12]!r} do not fit: give class indices from 0 to "
                                  f"{classes - 1}.")
    encoded = nn.functional.one_hot(torch.from_numpy(array.astype(np.int64)), classes)
    return encoded.numpy().astype(np.float32)


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """(steps, latent): evenly spaced points from a to b, both ends included."""
    a, b = np.asarray(a, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ConvArithmeticError(f"a has shape {a.shape} but b has {b.shape}: give two points of one latent size.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ConvArithmeticError(f"steps={steps!r} is not allowed: steps must be an integer >= 2.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (1 - t) * a + t * b
