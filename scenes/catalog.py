"""Scene names (a contract: the playlist and users refer to them) and where each one lives."""

from __future__ import annotations

import importlib

from .base import ConvvizScene
from .params import ParamError

__all__ = ["SCENES", "scene_class", "available_scenes"]

# Scene name -> module under scenes/. The order is the lecture's order.
SCENES: dict[str, str] = {
    "ConvolutionNumbers": "scenes.convolution",
    "ConvArithmetic": "scenes.convolution",
    "TransposedConvScatter": "scenes.transposed",
    "TransposedConvAsConv": "scenes.transposed",
    "TransposedConvMatrix": "scenes.transposed",
    "OutputPaddingAmbiguity": "scenes.ambiguity",
    "ConvAutoencoder": "scenes.autoencoder",
    "LatentSpace": "scenes.autoencoder",
    "VAESampling": "scenes.vae",
    "Reparameterization": "scenes.vae",
    "VAELoss": "scenes.vae",
    "AEvsVAE": "scenes.vae",
    "ConditionalVAE": "scenes.cvae",
    "MultiChannelConv": "scenes.channels",
    "GroupedConv": "scenes.channels",
    "Conv1DSequence": "scenes.channels_axes",
    "Conv3DVolume": "scenes.channels_axes",
    "ModelFlow": "scenes.modelflow",
    "CheckerboardArtifacts": "scenes.upsampling",
    "UpsamplingMethods": "scenes.upsampling",
    "PoolingUnpooling": "scenes.upsampling_fields",
    "ReceptiveField": "scenes.upsampling_fields",
}


def scene_class(name: str) -> type[ConvvizScene]:
    """The scene class called ``name``; a ParamError naming the known scenes otherwise."""
    if name not in SCENES:
        raise ParamError(f"scene {name!r} is unknown: use one of {', '.join(SCENES)}.")
    try:
        module = importlib.import_module(SCENES[name])
    except ModuleNotFoundError as error:
        if error.name != SCENES[name]:
            raise
        raise ParamError(f"scene {name!r} is not built yet.") from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise ParamError(f"scene {name!r} is not built yet.") from None


def available_scenes() -> list[str]:
    """The scene names whose code exists, in lecture order."""
    names = []
    for name in SCENES:
        try:
            scene_class(name)
        except ParamError:
            continue
        names.append(name)
    return names
