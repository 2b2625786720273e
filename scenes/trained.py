"""What the autoencoder and VAE scenes share: the model parameters, the cached trained model, their checks."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from convmath import ConvArithmeticError
from convmath.models import TrainConfig, TrainedModel, get_model, load_images

from .params import Param, ParamError

__all__ = ["MODEL_PARAMS", "MAX_INDEX", "INDEXED", "trained", "check_data", "point_text"]

# Parameters every AE/VAE scene shares: which model (training seed) on which data.
MODEL_PARAMS = (
    Param("seed", "int", 0, "training seed of the model (same seed, same weights)", low=0, high=2**31 - 1,
          reason="torch's seed range"),
    Param("data", "path", "", "a .npy/.npz of 28x28 images to train on instead of the built-in 8x8 digits",
          choices=(".npy", ".npz")),
)
# An image index: the data's own length is checked too (the built-in digits have 1797 images).
MAX_INDEX = 10**6 - 1
INDEXED = "an image of the data, at most a million images"


def trained(kind: str, params: Mapping[str, Any], latent_dim: int = 2, beta: float = 1.0) -> TrainedModel:
    """The cached model ('ae' or 'vae') for the scene's parameters; trained once, then loaded."""
    return get_model(TrainConfig(kind=kind, latent_dim=latent_dim, beta=beta, seed=params["seed"],
                                 data=params["data"] or None))


def check_data(params: Mapping[str, Any], *index_names: str) -> None:
    """Refuse a data file the models cannot read, or an image index outside the data."""
    try:
        images, _ = load_images(params["data"] or None)
    except ConvArithmeticError as error:
        raise ParamError(str(error)) from None
    for name in index_names:
        if not 0 <= params[name] < len(images):
            raise ParamError(f"{name}={params[name]} is outside the data: use an image index from 0 to "
                             f"{len(images) - 1}.")


def point_text(z: np.ndarray) -> str:
    """A latent point as a short label: '(0.42, −1.30)'."""
    return "(" + ", ".join(f"{v:.2f}".replace("-", "−") for v in np.ravel(z)) + ")"
