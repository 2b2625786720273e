"""Autoencoder scenes: the conv autoencoder's shapes and a real digit through it; its 2-D latent space."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arrow, Circle, Create, FadeIn, FadeOut, Group, GrowFromCenter, Indicate,
                   LaggedStart, Text, VGroup, Write)

from convmath.latent import class_representative, gap_points
from convmath.models import load_images
from convmath.shapes import Step, shape_trace

from .base import ConvvizScene
from .components import Caption, DigitImage, LatentPlot, LatentVector, LayerBlock, flow_arrow, scene_title
from .params import Param, ParamError
from .trained import INDEXED, MAX_INDEX, MODEL_PARAMS, check_data, point_text, trained

__all__ = ["ConvAutoencoder", "LatentSpace", "layer_steps", "step_label"]

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

        self.beat("encodings")
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

        self.beat("decode")
        panel_x = 3.4
        header = Text("decoded", font=t.font, color=t.text, font_size=28).move_to([panel_x, 2.75, 0])
        letters = "ABCD"
        row = Group(*(_decoded(img, z, letters[i], t.output, self) for i, (img, z) in enumerate(zip(decoded, picked))))
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
            gap_row = Group(*(_decoded(img, z, names[i], t.highlight, self)
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


# Steps drawn as blocks: the layers that change a shape (activations keep it and are left out).
_DRAWN_OPS = ("Conv2d", "ConvTranspose2d", "Linear", "flatten", "view", "reshape")


def layer_steps(steps: list[Step]) -> list[Step]:
    """The steps of a shape trace that the autoencoder scene draws as blocks."""
    return [s for s in steps if s.op in _DRAWN_OPS]


def step_label(step: Step) -> str:
    """The op of a traced step as a block label ('Conv2d\n3×3 s2 p1')."""
    p = step.params
    if step.is_conv:
        k, s, pad = p["kernel_size"], p["stride"], p["padding"]
        line = f"{k[0]}×{k[1]} s{s[0]} p{pad[0] if not isinstance(pad, str) else pad}"
        return f"{step.op}\n{line}"
    if step.op == "Linear":
        return f"Linear\n{p['in_features']}→{p['out_features']}"
    return step.op


def _block(step: Step, role: str, image_size: int, scene: ConvvizScene) -> LayerBlock:
    """A block for one traced step: height follows the spatial size (maps) or the feature count (vectors)."""
    shape = step.output[1:]
    if len(shape) == 3:
        height, width = 1.7 * shape[1] / image_size, 0.25 + 0.08 * np.log2(shape[0])
    else:
        height, width = float(np.clip(1.7 * np.sqrt(shape[0] / 128), 0.3, 1.7)), 0.25
    note = f"output_padding {step.params['output_padding'][0]}" if step.is_conv and step.transposed else None
    return LayerBlock(step_label(step), shape, role=role, height=max(height, 0.3), width=width, theme=scene.theme,
                      font_size=18, note=note)


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
        t, p = self.theme, self.params
        model = trained("ae", p, latent_dim=p["latent_dim"])
        image = model.images[p["index"]: p["index"] + 1]
        size = image.shape[1:]
        steps = layer_steps(shape_trace(model.model, (1, 1, *size)))
        code, recon = model.encode(image)[0], model.reconstruct(image)[0]
        mse = model.losses(image)["mse"]
        split = next(i for i, s in enumerate(steps) if s.output[1:] == (p["latent_dim"],)) + 1
        encoder, decoder = steps[:split], steps[split:]
        self.shown.update(index=p["index"], input_image=image[0], code=code, reconstruction=recon, loss=mse,
                          shapes=[(s.op, s.output[1:]) for s in steps])

        self.beat("encoder")
        heading = scene_title("A convolutional autoencoder", self.theme)
        x_img = DigitImage(image[0], role="input", size=1.5, theme=t, label=f"input {'×'.join(map(str, size))}",
                           font_size=22).move_to([-5.9, 1.55, 0])
        enc_blocks = VGroup(*(_block(s, "input", size[0], self) for s in encoder[:-1]),
                            _block(encoder[-1], "latent", size[0], self))
        _place_row(enc_blocks, -3.9, 4.3, 1.55)
        to_code = enc_blocks[-1]
        z_vec = LatentVector(code, label="code z", theme=t, font_size=22).move_to([6.0, -0.1, 0])
        enc_arrows = VGroup(flow_arrow(x_img.frame, enc_blocks[0].box, t),
                            *(flow_arrow(a.box, b.box, t) for a, b in zip(enc_blocks[:-1], enc_blocks[1:])),
                            flow_arrow(to_code.box, z_vec.cells, t))
        caption = Caption("Encoder: strided convolutions shrink the image; a dense layer makes the code.", theme=t)
        self.play(FadeIn(heading), FadeIn(x_img), FadeIn(caption))
        for block, arrow in zip(enc_blocks, enc_arrows):
            self.play(Create(arrow), FadeIn(block, shift=0.2 * RIGHT), run_time=0.6)
        self.play(Create(enc_arrows[-1]), FadeIn(z_vec.label), Create(VGroup(*(cell[0] for cell in z_vec.cells))),
                  run_time=0.6)
        self.wait(0.5)

        self.beat("decoder")
        dec_blocks = VGroup(*(_block(s, "output", size[0], self) for s in decoder))
        _place_row(dec_blocks, 4.3, -3.9, -1.75)
        out_img = DigitImage(recon, role="output", size=1.5, theme=t, label=f"output {'×'.join(map(str, size))}",
                             font_size=22).move_to([-5.9, -1.75, 0])
        dec_arrows = VGroup(flow_arrow_left(z_vec.cells, dec_blocks[0].box, t),
                            *(flow_arrow_left(a.box, b.box, t) for a, b in zip(dec_blocks[:-1], dec_blocks[1:])),
                            flow_arrow_left(dec_blocks[-1].box, out_img.frame, t))
        self.play(FadeOut(caption))
        caption = Caption("Decoder: transposed convolutions grow it back; output_padding picks the size.", theme=t)
        self.play(FadeIn(caption))
        for block, arrow in zip(dec_blocks, dec_arrows):
            self.play(Create(arrow), FadeIn(block, shift=0.2 * LEFT), run_time=0.6)
        self.play(Create(dec_arrows[-1]), Create(out_img.frame), FadeIn(out_img.label), run_time=0.6)
        self.wait(0.5)

        self.beat("flow")
        self.play(FadeOut(caption))
        caption = Caption(f"Image {p['index']} of the data goes through the trained network.", theme=t)
        self.play(FadeIn(caption))
        packet = x_img.pixels.copy()
        self.play(packet.animate.scale(0.3).move_to(enc_blocks[0].box), run_time=0.8)
        for block in enc_blocks:
            self.play(packet.animate.move_to(block.box), Indicate(block.box, color=t.highlight), run_time=0.5)
        self.play(packet.animate.move_to(z_vec.cells), run_time=0.5)
        self.play(FadeOut(packet), Write(VGroup(*(cell[1] for cell in z_vec.cells))), run_time=0.8)
        packet = z_vec.cells.copy()
        for block in dec_blocks:
            self.play(packet.animate.scale(0.6).move_to(block.box), Indicate(block.box, color=t.highlight),
                      run_time=0.5)
        self.play(FadeOut(packet), FadeIn(out_img.pixels), run_time=0.8)
        self.wait(0.5)

        self.beat("loss")
        self.play(FadeOut(caption))
        n_pixels = image[0].size
        loss = VGroup(Text(f"Reconstruction loss:  MSE(x, x̂) = 1/{n_pixels} · Σ(x − x̂)² =", font=t.font,
                           color=t.text, font_size=30),
                      Text(f"{mse:.4f}", font=t.font, color=t.highlight, font_size=30, weight="BOLD"))
        loss.arrange(RIGHT, buff=0.15).to_edge(DOWN, buff=0.3)
        self.bring_to_front(out_img.frame)  # the outline over the reconstruction while it is pointed out
        self.play(Write(loss), Indicate(x_img.frame, color=t.highlight), Indicate(out_img.frame, color=t.highlight))
        self.wait(2)


def _place_row(blocks: VGroup, x_first: float, x_last: float, y: float) -> None:
    """Centre the blocks' boxes evenly from x_first to x_last on height y."""
    for block, x in zip(blocks, np.linspace(x_first, x_last, len(blocks))):
        block.shift(np.array([x, y, 0]) - block.box.get_center())


def flow_arrow_left(start, end, theme) -> Arrow:
    """A muted arrow from ``start`` leftwards to ``end`` (the decoder row runs right to left)."""
    return Arrow(start.get_left(), end.get_right(), buff=0.12, stroke_color=theme.muted, stroke_width=3,
                 tip_length=0.15, max_tip_length_to_length_ratio=0.3)
