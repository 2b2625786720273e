"""Autoencoder scenes: the conv autoencoder's shapes and a real digit through it; its 2-D latent space."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
from manim import (DOWN, RIGHT, UP, Circle, Create, FadeIn, FadeOut, Group, GrowFromCenter, Indicate, LaggedStart,
                   Text, VGroup, Write)

from convmath.activations import flow_of
from convmath.latent import class_representative, gap_points
from convmath.models import load_images
from convmath.shapes import Step, shape_trace

from .base import ConvvizScene
from .components import (Caption, DigitImage, LatentPlot, NetworkDiagram, block_specs, keep_inside, scene_title,
                         swap_caption)
from .params import Param, ParamError
from .trained import INDEXED, MAX_INDEX, MODEL_PARAMS, check_data, point_text, trained

__all__ = ["ConvAutoencoder", "LatentSpace", "layer_steps"]

def _marker(plot: LatentPlot, z: np.ndarray, name: str, color: str, scene: ConvvizScene) -> VGroup:
    """A ring on the plot at latent point z with a letter beside it."""
    ring = Circle(radius=0.14, stroke_color=color, stroke_width=5).move_to(plot.to_point(z))
    letter = Text(name, font=scene.theme.font, color=color, font_size=28, weight="BOLD")
    letter.next_to(ring, UP + RIGHT, buff=0.02)
    return VGroup(ring, letter)


def _decoded(image: np.ndarray, z: np.ndarray, name: str, color: str, scene: ConvvizScene) -> Group:
    """A decoded image with its marker letter above and its latent point below."""
    img = DigitImage(image, role="output", size=1.2, theme=scene.theme, label=point_text(z), font_size=20)
    letter = Text(name, font=scene.theme.font, color=color, font_size=28, weight="BOLD").next_to(img, UP, buff=0.1)
    return Group(letter, img)


class LatentSpace(ConvvizScene):
    """The autoencoder's real 2-D codes of the whole dataset; codes on the clusters decode to digits, gaps to garbage."""

    PARAMS = MODEL_PARAMS + (
        Param("digits", "ints", (0, 4, 7), "classes whose typical code is decoded (one image each)", low=0, high=9,
              max_side=4, reason="digit classes, up to four decoded on screen"),
        Param("gaps", "int", 3, "how many points between the clusters are decoded", low=0, high=4,
              reason="each one is decoded on screen"),
    )
    SUMMARY = "Real 2-D autoencoder codes coloured by digit; decoding chosen points and points in the gaps"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params)
        digits = params["digits"]
        _, labels = load_images(params["data"] or None)
        missing = [d for d in digits if d not in set(labels.tolist())]
        if missing:
            raise ParamError(f"digits={params['digits']!r} has no data for {missing}: use labels from "
                             f"{sorted(set(labels.tolist()))}.")

    def construct(self) -> None:
        t, p = self.theme, self.params
        model = trained("ae", p)
        codes = model.encode(model.images)
        digits = p["digits"]
        picks = [class_representative(codes, model.labels, d) for d in digits]
        picked = codes[picks]
        gaps = gap_points(codes, p["gaps"], model.labels)
        decoded, gap_decoded = model.decode(picked), model.decode(gaps)

        self.beat("every image's code")
        heading = scene_title("An autoencoder's latent space", self.theme)
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

        self.beat("decoding typical codes")
        panel_x = 3.4
        header = Text("decoded", font=t.font, color=t.text, font_size=28).move_to([panel_x, 2.75, 0])
        letters = "ABCD"
        row = Group(*(_decoded(img, z, letters[i], t.output, self) for i, (img, z) in enumerate(zip(decoded, picked))))
        keep_inside(row.arrange(RIGHT, buff=0.35).move_to([panel_x, 1.35, 0]))
        markers = VGroup(*(_marker(plot, z, letters[i], t.output, self) for i, z in enumerate(picked)))
        self.play(FadeOut(caption), FadeIn(header))
        caption = Caption("Decoder: 2 numbers → image. Codes on a cluster decode to that digit.", theme=t)
        self.play(LaggedStart(*(GrowFromCenter(m) for m in markers), lag_ratio=0.3), FadeIn(caption))
        self.play(LaggedStart(*(FadeIn(img, shift=0.3 * RIGHT) for img in row), lag_ratio=0.3), run_time=1.5)
        self.wait(1)

        if len(gaps):
            self.beat("decoding the gaps")
            names = "WXYZ"
            gap_row = Group(*(_decoded(img, z, names[i], t.highlight, self)
                               for i, (img, z) in enumerate(zip(gap_decoded, gaps))))
            keep_inside(gap_row.arrange(RIGHT, buff=0.35).move_to([panel_x, -1.75, 0]))  # four gaps: wide labels
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


# Steps drawn as blocks: the layers that change a shape (activations keep it and are left out).
_DRAWN_OPS = ("Conv2d", "ConvTranspose2d", "Linear", "flatten", "view", "reshape")


def layer_steps(steps: list[Step]) -> list[Step]:
    """The steps of a shape trace that the autoencoder scene draws as blocks."""
    return [s for s in steps if s.op in _DRAWN_OPS]


class ConvAutoencoder(ConvvizScene):
    """Encoder convs shrink a real digit to a code, decoder transposed convs grow it back; traced shapes, real MSE."""

    PARAMS = MODEL_PARAMS + (
        Param("index", "int", 0, "which image of the data flows through", low=0, high=MAX_INDEX, reason=INDEXED),
        Param("latent_dim", "int", 2, "size of the code at the bottleneck", low=1, high=8,
              reason="the code is drawn"),
    )
    SUMMARY = "A real conv autoencoder: traced shapes of every layer, a digit in, its reconstruction out, the MSE"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params, "index")

    def construct(self) -> None:
        p = self.params
        model = trained("ae", p, latent_dim=p["latent_dim"])
        image = model.images[p["index"]: p["index"] + 1]
        steps = layer_steps(shape_trace(model.model, (1, 1, *image.shape[1:])))
        flow = flow_of(model.model, torch.from_numpy(image).unsqueeze(1), "autoencoder", f"image {p['index']}")
        code, recon = model.encode(image)[0], model.reconstruct(image)[0]
        self.shown.update(index=p["index"], input_image=image[0], code=code, reconstruction=recon,
                          loss=model.losses(image)["mse"], shapes=[(s.op, s.output[1:]) for s in steps], flow=flow)
        diagram = NetworkDiagram(block_specs(flow, 2), height=5.0, center=(0, 0.35, 0), theme=self.theme,
                                 map_size=0.7)
        split = next(b.index for b in flow.blocks if b.shape[1:] == (p["latent_dim"],)) + 1
        self.caption = Caption("Encoder: strided convolutions shrink the image; a dense layer makes the code.",
                               theme=self.theme)
        self.play(FadeIn(scene_title("A convolutional autoencoder", self.theme)), FadeIn(self.caption))
        self.encoder(diagram, split)
        self.decoder(diagram, split)
        self.digit_through(diagram, code)
        self.loss(diagram, image[0].size)

    def _show_blocks(self, diagram: NetworkDiagram, blocks: range) -> None:
        """Blocks appear one after the other, each with the arrow into it (each its own mobject)."""
        for i in blocks:
            edges = [e for (_, d), e in diagram.arcs.items() if d == i]
            edges += [diagram.arrows[i]] if i in diagram.arrows else []
            self.play(*(Create(e) for e in edges), FadeIn(diagram.blocks[i], shift=0.2 * RIGHT), run_time=0.5)

    def _new_caption(self, text: str) -> None:
        new = Caption(text, theme=self.theme)
        self.play(swap_caption(self.caption, new))
        self.caption = new

    def encoder(self, diagram: NetworkDiagram, split: int) -> None:
        self.beat("the encoder shrinks")
        self._show_blocks(diagram, range(split))
        self.wait(0.5)

    def decoder(self, diagram: NetworkDiagram, split: int) -> None:
        self.beat("the decoder grows")
        self._new_caption("Decoder: transposed convolutions grow it back; output_padding picks the size.")
        self._show_blocks(diagram, range(split, len(diagram.blocks)))
        self.wait(0.5)

    def digit_through(self, diagram: NetworkDiagram, code: np.ndarray) -> None:
        self.beat("a real digit goes through")
        self._new_caption(f"Image {self.params['index']} goes through the trained network: code z = "
                          f"{point_text(code)}.")
        for i in range(len(diagram.blocks)):
            self.play(FadeIn(diagram.maps[i]), Indicate(diagram.blocks[i].box, color=self.theme.highlight),
                      run_time=0.5)
        self.wait(0.5)

    def loss(self, diagram: NetworkDiagram, n_pixels: int) -> None:
        self.beat("the reconstruction loss")
        t = self.theme
        self.play(FadeOut(self.caption))
        loss = VGroup(Text(f"Reconstruction loss:  MSE(x, x̂) = 1/{n_pixels} · Σ(x − x̂)² =", font=t.font,
                           color=t.text, font_size=30),
                      Text(f"{self.shown['loss']:.4f}", font=t.font, color=t.highlight, font_size=30, weight="BOLD"))
        loss.arrange(RIGHT, buff=0.15).to_edge(DOWN, buff=0.3)
        self.play(Write(loss), Indicate(diagram.maps[0], color=t.highlight),
                  Indicate(diagram.maps[-1], color=t.highlight))
        self.wait(2)
