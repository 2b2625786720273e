"""Autoencoder scenes: the conv autoencoder's shapes and a real digit through it; its 2-D latent space."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Circle, Create, FadeIn, FadeOut, GrowFromCenter, Indicate, LaggedStart,
                   Text, VGroup, Write)

from convmath import ConvArithmeticError
from convmath.latent import class_representative, gap_points
from convmath.models import TrainConfig, TrainedModel, get_model, load_images

from .base import ConvvizScene
from .components import Caption
from .components.images import DigitImage, LatentPlot
from .params import Param, ParamError

__all__ = ["ConvAutoencoder", "LatentSpace", "MODEL_PARAMS", "trained", "check_data", "title", "point_text"]

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


def title(text: str, scene: ConvvizScene) -> Text:
    """The scene's title line at the top of the frame."""
    return Text(text, font=scene.theme.font, color=scene.theme.text, font_size=36).to_edge(UP, buff=0.3)


def point_text(z: np.ndarray) -> str:
    """A latent point as a short label: '(0.42, −1.30)'."""
    return "(" + ", ".join(f"{v:.2f}".replace("-", "−") for v in np.ravel(z)) + ")"


def _marker(plot: LatentPlot, z: np.ndarray, name: str, color: str, scene: ConvvizScene) -> VGroup:
    """A ring on the plot at latent point z with a letter beside it."""
    ring = Circle(radius=0.14, stroke_color=color, stroke_width=5).move_to(plot.to_point(z))
    letter = Text(name, font=scene.theme.font, color=color, font_size=28, weight="BOLD")
    letter.next_to(ring, UP + RIGHT, buff=0.02)
    return VGroup(ring, letter)


def _decoded(image: np.ndarray, z: np.ndarray, name: str, color: str, scene: ConvvizScene) -> VGroup:
    """A decoded image with its marker letter above and its latent point below."""
    img = DigitImage(image, role="output", size=1.2, theme=scene.theme, label=point_text(z), font_size=20)
    letter = Text(name, font=scene.theme.font, color=color, font_size=28, weight="BOLD").next_to(img, UP, buff=0.1)
    return VGroup(letter, img)


class LatentSpace(ConvvizScene):
    """The autoencoder's real 2-D codes of the whole dataset; codes on the clusters decode to digits, gaps to garbage."""

    PARAMS = MODEL_PARAMS + (
        Param("digits", "size", (0, 4, 7), "classes whose typical code is decoded (one image each)"),
        Param("gaps", "int", 3, "how many points between the clusters are decoded"),
    )
    SUMMARY = "Real 2-D autoencoder codes coloured by digit; decoding chosen points and points in the gaps"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params)
        digits = params["digits"] if isinstance(params["digits"], tuple) else (params["digits"],)
        if not 1 <= len(digits) <= 4:
            raise ParamError(f"digits={params['digits']!r} is not allowed: give 1 to 4 class labels like 0,4,7.")
        _, labels = load_images(params["data"] or None)
        missing = [d for d in digits if d not in set(labels.tolist())]
        if missing:
            raise ParamError(f"digits={params['digits']!r} has no data for {missing}: use labels from "
                             f"{sorted(set(labels.tolist()))}.")
        if not 0 <= params["gaps"] <= 4:
            raise ParamError(f"gaps={params['gaps']} is not allowed: use 0 to 4.")

    def construct(self) -> None:
        t, p = self.theme, self.params
        model = trained("ae", p)
        codes = model.encode(model.images)
        digits = p["digits"] if isinstance(p["digits"], tuple) else (p["digits"],)
        picks = [class_representative(codes, model.labels, d) for d in digits]
        picked = codes[picks]
        gaps = gap_points(codes, p["gaps"], model.labels)
        decoded, gap_decoded = model.decode(picked), model.decode(gaps)

        self.beat("encodings")
        heading = title("An autoencoder's latent space", self)
        x_range, y_range = LatentPlot.ranges_for(codes, quantile=0.01)
        plot = LatentPlot(codes, model.labels, x_range, y_range, width=5.6, height=5.6, theme=t)
        plot.move_to([-3.5, -0.25, 0])
        drawn = np.flatnonzero(plot.inside)
        self.shown.update(latent_indices=drawn, latent_points=codes[drawn], labels=model.labels[drawn],
                          pick_indices=picks, picks=picked, decoded=decoded, gap_points=gaps, gap_decoded=gap_decoded)
        caption = Caption(f"Encoder: image → 2 numbers. Each dot is one of {len(drawn)} real digits.", theme=t)
        self.play(FadeIn(heading), Create(plot.box), FadeIn(plot.axes), FadeIn(plot.axis_names))
        self.play(FadeIn(plot.dots, lag_ratio=0.002), FadeIn(plot.legend), FadeIn(caption), run_time=2)
        self.wait(1)

        self.beat("decode")
        panel_x = 3.4
        header = Text("decoded", font=t.font, color=t.text, font_size=28).move_to([panel_x, 2.75, 0])
        letters = "ABCD"
        row = VGroup(*(_decoded(img, z, letters[i], t.output, self) for i, (img, z) in enumerate(zip(decoded, picked))))
        row.arrange(RIGHT, buff=0.35).move_to([panel_x, 1.35, 0])
        markers = VGroup(*(_marker(plot, z, letters[i], t.output, self) for i, z in enumerate(picked)))
        self.play(FadeOut(caption), FadeIn(header))
        caption = Caption("Decoder: 2 numbers → image. Codes on a cluster decode to that digit.", theme=t)
        self.play(LaggedStart(*(GrowFromCenter(m) for m in markers), lag_ratio=0.3), FadeIn(caption))
        self.play(LaggedStart(*(FadeIn(img, shift=0.3 * RIGHT) for img in row), lag_ratio=0.3), run_time=1.5)
        self.wait(1)

        if len(gaps):
            self.beat("gaps")
            names = "WXYZ"
            gap_row = VGroup(*(_decoded(img, z, names[i], t.highlight, self)
                               for i, (img, z) in enumerate(zip(gap_decoded, gaps))))
            gap_row.arrange(RIGHT, buff=0.35).move_to([panel_x, -1.75, 0])
            gap_header = Text("in the gaps", font=t.font, color=t.highlight, font_size=28)
            gap_header.next_to(gap_row, UP, buff=0.25)
            gap_markers = VGroup(*(_marker(plot, z, names[i], t.highlight, self) for i, z in enumerate(gaps)))
            self.play(FadeOut(caption))
            caption = Caption("Which vector do you choose? Points between the clusters decode to garbage.", theme=t)
            self.play(FadeIn(gap_header), LaggedStart(*(GrowFromCenter(m) for m in gap_markers), lag_ratio=0.3),
                      FadeIn(caption))
            self.play(LaggedStart(*(FadeIn(img, shift=0.3 * RIGHT) for img in gap_row), lag_ratio=0.3),
                      run_time=1.5)
            self.play(*(Indicate(img[1].frame, color=t.highlight) for img in gap_row))
            self.wait(2)
