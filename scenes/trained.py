"""What the autoencoder and VAE scenes share: the model parameters, the cached trained model, their checks."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from convmath import ConvArithmeticError
from convmath.models import TrainConfig, TrainedModel, get_model, load_images

from .params import Param, ParamError

__all__ = ["MODEL_PARAMS", "trained", "check_data", "point_text"]

# Parameters every AE/VAE scene shares: which model (training seed) on which data.
MODEL_PARAMS = (
    Param("seed", "int", 0, "training seed of the model (same seed, same weights)"),
    Param("data", "str", "", "a .npy/.npz of 28x28 images to train on instead of the built-in 8x8 digits"),
)


def trained(kind: str, params: Mapping[str, Any], latent_dim: int = 2, beta: float = 1.0) -> TrainedModel:
    """The cached model ('ae' or 'vae') for the scene's parameters; trained once, then loaded."""
    return get_model(TrainConfig(kind=kind, latent_dim=latent_dim, beta=beta, seed=params["seed"],
                                 data=params["data"] or None))


def check_data(params: Mapping[str, Any], *index_names: str) -> None:
    """Refuse a data file the models cannot read, a negative seed, or an image index outside the data."""
    if params["seed"] < 0:
        raise ParamError(f"seed={params['seed']} is not allowed: use an integer >= 0.")
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
