"""The conditional VAE: the label joins z at the decoder, so we can ask for the digit we want."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import (DOWN, RIGHT, UP, Animation, Arrow, Create, Dot, FadeIn, FadeOut, Group, GrowFromCenter, Indicate,
                   LaggedStart, Text, Transform, VGroup)

from convmath import ConvArithmeticError
from convmath.latent import class_accuracy
from convmath.models import TrainedModel, load_images, one_hot, sample_latent
from convmath.shapes import Step, shape_trace

from .base import ConvvizScene
from .components import (Caption, DigitImage, GaussianRings, GraphNode, LatentPlot, NumberGrid, flow_arrow,
                         forward_edge, scene_title, swap_caption)
from .params import Param, ParamError
from .trained import point_text, trained

__all__ = ["ConditionalVAE"]

NEIGHBOURS = 10  # the nearest-neighbour guess of the digit from z in the latent beat


def _swap(caption: Caption | None, text: str, scene: ConvvizScene) -> tuple[Caption, list[Animation]]:
    """The caption saying ``text`` and the animations that replace ``caption`` with it (played with a beat's
    first move, so no frame shows a caption alone)."""
    new = Caption(text, theme=scene.theme)
    return new, [swap_caption(caption, new)]


def _step(steps: list[Step], where: str) -> Step:
    """The traced step of the module called ``where``."""
    return next(s for s in steps if s.where == where)


def _joins(steps: list[Step]) -> list[Step]:
    """The traced concatenations: where the label joins the encoder's features, then z."""
    return [s for s in steps if s.op == "cat"]


def _sum_text(step: Step) -> str:
    """A concatenation as '64 + 10 = 74' (the traced widths)."""
    return " + ".join(str(shape[-1]) for shape in step.inputs) + f" = {step.output[-1]}"


def _linear_text(step: Step) -> str:
    return f"Linear {step.params['in_features']}→{step.params['out_features']}"


class ConditionalVAE(ConvvizScene):
    """The label joins z at the decoder (traced shapes); one z under every label; VAE vs conditional VAE latents;
    samples from N(0, I) decoded with the digit asked for."""

    PARAMS = (
        Param("seed", "int", 0, "training seed of both models and seed of the samples", low=0, high=9999,
              reason="each new seed trains two models (seconds each)"),
        Param("data", "path", "", "a labelled .npz of images (labels under labels / y / y_train) instead of the "
              "built-in 8x8 digits", choices=(".npy", ".npz")),
        Param("beta", "float", 1.0, "weight of the KL term both VAEs were trained with", low=0, high=10,
              reason="each β trains its own models"),
        Param("z", "floats", (-1.5, -1.5, 1.5, 1.5), "latent points decoded under every label, one row each: "
              "z₁,z₂ or z₁,z₂,z₁′,z₂′", low=-4, high=4, max_side=4,
              reason="two rows fit; N(0, I) lies within ±3"),
        Param("digit", "int", 7, "the label to generate", low=0, high=9, reason="the ten digits"),
        Param("samples", "int", 6, "how many z ~ N(0, I) are decoded with that label", low=1, high=8,
              reason="each one is drawn on screen"),
    )
    SUMMARY = "Conditional VAE: the label joins z (2 + 10 = 12), one z under ten labels, latents compared, a 7 made"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        if len(params["z"]) not in (2, 4):
            raise ParamError(f"z={','.join(f'{v:g}' for v in params['z'])} is not allowed: give one point z₁,z₂ or "
                             "two z₁,z₂,z₁′,z₂′ (the latent is 2-D).")
        try:
            _, labels = load_images(params["data"] or None)
        except ConvArithmeticError as error:
            raise ParamError(str(error)) from None
        if (labels < 0).any():
            raise ParamError(f"data={params['data']!r} has no labels: the conditional VAE needs a .npz with a label "
                             "per image under labels, y or y_train.")
        classes = sorted(set(labels.tolist()))
        if classes[0] < 0 or classes[-1] > 9 or len(classes) < 2:
            raise ParamError(f"data={params['data']!r} has labels {classes[:12]}: use class indices 0 to 9, at least "
                             "two classes.")
        if params["digit"] not in classes:
            raise ParamError(f"digit={params['digit']} has no images in the data: use one of "
                             f"{', '.join(map(str, classes))}.")

    def construct(self) -> None:
        self._compute()
        caption = self.architecture()
        caption = self.ten_labels(caption)
        caption = self.latent_spaces(caption)
        self.generate(caption)

    def _compute(self) -> None:
        """Every number the beats show, from the trained models and their shape traces."""
        p = self.params
        self.vae: TrainedModel = trained("vae", p, beta=p["beta"])
        self.cvae: TrainedModel = trained("cvae", p, beta=p["beta"])
        model, labels = self.cvae, self.cvae.labels
        index = int(np.flatnonzero(labels == p["digit"])[0])
        image, size = model.images[index: index + 1], (1, 1, *model.images.shape[1:])
        z = np.reshape(p["z"], (-1, 2))
        row_labels = np.arange(model.classes)
        prior, _ = sample_latent(np.zeros(2), np.ones(2), p["samples"], seed=p["seed"])
        codes = {"vae": self.vae.encode(self.vae.images), "cvae": model.encode(model.images, labels)}
        self.shown.update(
            index=index, input_image=image[0], vae_steps=shape_trace(self.vae.model, size),
            cvae_steps=shape_trace(model.model, size), one_hot=one_hot(p["digit"], model.classes)[0],
            reconstructions={"vae": self.vae.reconstruct(image)[0], "cvae": model.reconstruct(image, p["digit"])[0]},
            z=z, row_labels=row_labels, row_decoded=[model.decode(np.repeat(point[None], len(row_labels), 0),
                                                                   row_labels) for point in z],
            latent_points=codes, labels=labels,
            class_accuracy={kind: class_accuracy(c, labels, NEIGHBOURS) for kind, c in codes.items()},
            samples=prior, sample_decoded=model.decode(prior, p["digit"]), digit=p["digit"])

    def _network(self, steps: list[Step], output: np.ndarray) -> dict[str, Any]:
        """The blocks of one model's bottleneck, named by role, labelled from its trace (not placed yet)."""
        t = self.theme
        mu_head = _step(steps, "mu_head")
        return {
            "encoder": GraphNode("Encoder", role="input", value=f"→ {_step(steps, 'encoder.dense.0').output[-1]}",
                                 theme=t, font_size=22),
            "heads": GraphNode("μ, σ", role="latent", value=_linear_text(mu_head), theme=t, font_size=22),
            "z": GraphNode("z", role="latent", value=str(mu_head.output[-1]), theme=t, font_size=22),
            "decoder": GraphNode("Decoder", role="output", value=_linear_text(_step(steps, "decoder.dense.0")),
                                 theme=t, font_size=22),
            "output": DigitImage(output, role="output", size=0.9, theme=t, label="output", font_size=22),
        }

    def architecture(self) -> Caption:
        """The VAE's bottleneck, then the label's one-hot vector joining the encoder's features and z."""
        t, s, digit = self.theme, self.shown, self.params["digit"]
        self.beat("the label joins z")
        heading = scene_title("How do we generate the digit we want?", self.theme)
        x_img = DigitImage(s["input_image"], role="input", size=0.9, theme=t, label="input", font_size=22)
        vae = self._network(s["vae_steps"], s["reconstructions"]["vae"])
        cvae = self._network(s["cvae_steps"], s["reconstructions"]["cvae"])
        joins = [GraphNode("concat", role=None, theme=t, font_size=18) for _ in range(2)]
        row = Group(x_img, cvae["encoder"], joins[0], cvae["heads"], cvae["z"], joins[1], cvae["decoder"],
                    cvae["output"]).arrange(RIGHT, buff=0.3)
        row.scale_to_fit_width(min(row.width, 13.0)).move_to([0, 0.9, 0])
        for name in ("heads", "decoder", "output"):
            vae[name].move_to(cvae[name])
        vae["encoder"], vae["z"] = cvae["encoder"], cvae["z"]
        row.remove(*joins)
        edges = VGroup(flow_arrow(x_img.frame, vae["encoder"].shape, t), forward_edge(vae["encoder"], vae["heads"], t),
                       forward_edge(vae["heads"], vae["z"], t), forward_edge(vae["z"], vae["decoder"], t),
                       flow_arrow(vae["decoder"].shape, vae["output"].frame, t))
        blocks = VGroup(*(vae[name] for name in ("encoder", "heads", "z", "decoder")))
        caption, swap = _swap(None, f"A VAE's decoder gets only z: for a {digit} we must know where in z "
                                    f"the {digit}s are.", self)
        self.play(FadeIn(heading), FadeIn(x_img), FadeIn(blocks), Create(edges), *swap)
        self.play(FadeIn(vae["output"]))
        self.wait(0.5)

        label = NumberGrid(s["one_hot"][None, :].astype(int), role="kernel", cell_size=0.42, theme=t)
        label.move_to([0, -1.5, 0])
        label_text = Text(f"label {digit} as a one-hot vector ({len(s['one_hot'])} numbers)", font=t.font,
                          color=t.text, font_size=24).next_to(label, DOWN, buff=0.2)
        sums = VGroup(*(Text(_sum_text(step), font=t.font, color=t.highlight, font_size=24)
                        .next_to(node, UP, buff=0.25) for step, node in zip(_joins(s["cvae_steps"]), joins)))
        hot = label.cell(0, int(np.argmax(s["one_hot"]))).get_top()
        feeds = VGroup(*(Arrow(hot, node.shape.get_bottom(), buff=0.08, stroke_color=t.kernel, stroke_width=3,
                               tip_length=0.18) for node in joins))
        through = VGroup(forward_edge(vae["encoder"], joins[0], t), forward_edge(joins[0], cvae["heads"], t),
                         forward_edge(vae["z"], joins[1], t), forward_edge(joins[1], cvae["decoder"], t))
        caption, swap = _swap(caption, f"The conditional VAE is also given the label: "
                                       f"{_sum_text(_joins(s['cvae_steps'])[1])} numbers into the decoder.", self)
        self.play(FadeIn(label), FadeIn(label_text), *swap)
        self.play(FadeOut(VGroup(edges[1], edges[3])), FadeIn(VGroup(*joins)), Create(through), Create(feeds))
        self.play(Transform(vae["heads"], cvae["heads"]), Transform(vae["decoder"], cvae["decoder"]),
                  FadeOut(vae["output"]), FadeIn(cvae["output"]), FadeIn(sums))
        self.play(Indicate(sums[1], color=t.highlight))
        self.wait(1.5)
        self.play(FadeOut(Group(heading, x_img, blocks, edges[0], edges[2], edges[4], label, label_text, *joins,
                                sums, feeds, through, cvae["output"])), run_time=0.5)
        return caption

    def ten_labels(self, caption: Caption) -> Caption:
        """One z decoded under every label (a row per z): the digit changes, the style stays."""
        t, s = self.theme, self.shown
        self.beat("one z, ten labels")
        heading = scene_title("Each z decoded under every label: a row per z", self.theme)
        rows = Group()
        for point, decoded in zip(s["z"], s["row_decoded"]):
            images = Group(*(DigitImage(img, role="output", size=1.0, theme=t, label=str(d), font_size=22)
                             for img, d in zip(decoded, s["row_labels"]))).arrange(RIGHT, buff=0.16)
            name = Text(f"z = {point_text(point)}", font=t.font, color=t.latent, font_size=26)
            rows.add(Group(name, images).arrange(DOWN, buff=0.2))
        rows.arrange(DOWN, buff=0.4).move_to([0, -0.05, 0])
        caption, swap = _swap(caption, "The label picks the digit; z keeps the style: slant and stroke stay.", self)
        self.play(FadeIn(heading), *swap)
        for row in rows:
            self.play(FadeIn(row[0]), LaggedStart(*(FadeIn(img, shift=0.2 * UP) for img in row[1]), lag_ratio=0.12),
                      run_time=1.8)
        self.wait(2)
        self.play(FadeOut(Group(heading, rows)), run_time=0.5)
        return caption

    def latent_spaces(self, caption: Caption) -> Caption:
        """The VAE's and the conditional VAE's encodings side by side, coloured by digit."""
        t, s = self.theme, self.shown
        self.beat("latent spaces")
        heading = scene_title("Where the digits sit in z", self.theme)
        codes = s["latent_points"]
        x_range, y_range = LatentPlot.ranges_for(codes["vae"], codes["cvae"], quantile=0.01)
        names = {"vae": "VAE", "cvae": "conditional VAE"}
        plots, scores = {}, VGroup()
        for kind, x in (("vae", -3.5), ("cvae", 2.9)):
            plots[kind] = LatentPlot(codes[kind], s["labels"], x_range, y_range, width=4.3, height=4.3,
                                     legend=kind == "cvae", title=names[kind], dot_radius=0.03, theme=t)
            plots[kind].move_to([x, 0.05, 0])
            score = s["class_accuracy"][kind]
            if score is not None:
                text = f"digit read from z: {100 * score:.0f} % right"
                scores.add(Text(text, font=t.font, color=t.text, font_size=24)
                           .next_to(plots[kind].box, DOWN, buff=0.45))
        caption, swap = _swap(caption, "Given the label, the decoder no longer needs z to say which digit: "
                                       "the clusters mix.", self)
        self.play(FadeIn(heading), FadeIn(plots["vae"]), FadeIn(plots["cvae"]), *swap, run_time=0.8)
        if len(scores):
            self.play(FadeIn(scores))
        self.wait(2.5)
        self.play(FadeOut(VGroup(heading, plots["vae"], plots["cvae"], scores)), run_time=0.5)
        return caption

    def generate(self, caption: Caption) -> None:
        """Samples z ~ N(0, I), each decoded with the label asked for."""
        t, s, digit = self.theme, self.shown, self.params["digit"]
        self.beat(f"generate a {digit}")
        heading = scene_title(f"Generate a {digit}: z ~ N(0, I), decoded with label {digit}", self.theme)
        x_range, y_range = LatentPlot.ranges_for(np.array([[-3.0, -3.0], [3.0, 3.0]]), s["samples"])
        plot = LatentPlot(s["latent_points"]["cvae"], None, x_range, y_range, width=4.3, height=4.3, legend=False,
                          title="samples from N(0, I)", theme=t).move_to([-3.6, 0.0, 0])
        rings = GaussianRings(plot, np.zeros(2), np.ones(2), center=False)
        dots = VGroup(*(Dot(plot.to_point(z), radius=0.08, fill_color=t.highlight) for z in s["samples"]))
        grid = Group(*(DigitImage(img, role="output", size=1.2, theme=t) for img in s["sample_decoded"]))
        grid.arrange_in_grid(cols=min(4, len(grid)), buff=0.2).move_to([3.3, 0.0, 0])
        grid_title = Text(f"Decoder(z, label {digit})", font=t.font, color=t.text, font_size=28)
        grid_title.next_to(grid, UP, buff=0.3)
        caption, swap = _swap(caption, f"Each random z, given label {digit}, decodes to a {digit}: "
                                       "z only changes how it is drawn.", self)
        self.play(FadeIn(heading), FadeIn(rings), FadeIn(plot), *swap, run_time=0.8)
        self.play(LaggedStart(*(GrowFromCenter(d) for d in dots), lag_ratio=0.15))
        self.play(FadeIn(grid_title), LaggedStart(*(FadeIn(img, shift=0.2 * RIGHT) for img in grid), lag_ratio=0.15),
                  run_time=2)
        self.wait(2.5)

