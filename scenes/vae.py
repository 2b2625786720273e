"""VAE scenes: sampling at the bottleneck, the reparameterisation trick, the weighted loss, AE vs VAE latents."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from manim import (DOWN, RIGHT, UP, Create, Cross, Dot, FadeIn, FadeOut, Group, GrowFromCenter, LaggedStart, Line,
                   RoundedRectangle, Square, Text, VGroup, Write)

from convmath.models import interpolate, reparameterization_gradients, sample_latent

from .base import ConvvizScene
from .components import (Caption, DigitImage, GaussianRings, GraphNode, LatentPlot, LatentVector, flow_arrow,
                         forward_edge, gradient_edge, scene_title, swap_caption)
from .params import Param
from .trained import INDEXED, MAX_INDEX, MODEL_PARAMS, check_data, point_text, trained

__all__ = ["VAESampling", "Reparameterization", "VAELoss", "AEvsVAE"]


BETA = "β weighs the KL term; each β trains its own model"


def _index(name: str, help: str) -> Param:
    return Param(name, "int", 0, help, low=0, high=MAX_INDEX, reason=INDEXED)


def _beta() -> Param:
    return Param("beta", "float", 1.0, "weight of the KL term the VAE was trained with", low=0, high=100,
                 reason=BETA)


def _sample_seed(help: str) -> Param:
    return Param("sample_seed", "int", 0, help, low=0, high=2**31 - 1, reason="torch's seed range")


def _say(scene: ConvvizScene, caption: Caption | None, text: str) -> Caption:
    """Replace the caption at the bottom of the frame with ``text``."""
    new = Caption(text, theme=scene.theme)
    scene.play(swap_caption(caption, new))
    return new


def _formula(scene: ConvvizScene) -> Text:
    """The lecture's one-line VAE: Output = Decoder(random_sample(Encoder(Input)))."""
    t = scene.theme
    return Text("Output = Decoder(random_sample(Encoder(Input)))", font=t.mono_font, font_size=28, color=t.text,
                t2c={"random_sample": t.latent, "Encoder": t.input, "Decoder": t.output})


def _image_row(images: np.ndarray, size: float, role: str, scene: ConvvizScene, buff: float = 0.1) -> Group:
    return Group(*(DigitImage(img, role=role, size=size, theme=scene.theme) for img in images)).arrange(RIGHT, buff)


class VAESampling(ConvvizScene):
    """The VAE's μ and σ heads for a real digit, the Gaussian around μ, samples decoded; σ = 1 vs σ = 1.5."""

    PARAMS = MODEL_PARAMS + (
        _index("index", "which image of the data is encoded"),
        _beta(),
        Param("samples", "int", 5, "how many samples are drawn and decoded", low=1, high=6,
              reason="each one is decoded on screen"),
        _sample_seed("seed of the random draws ε"),
        Param("sigma_a", "float", 1.0, "σ of the first prior picture (μ = 0)", low=0.1, high=5,
              reason="a standard deviation the picture can hold"),
        Param("sigma_b", "float", 1.5, "σ of the second prior picture (μ = 0)", low=0.1, high=5,
              reason="a standard deviation the picture can hold"),
    )
    SUMMARY = "Output = Decoder(random_sample(Encoder(Input))): μ and σ heads, a Gaussian, samples at σ = 1 and 1.5"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params, "index")

    def construct(self) -> None:
        t, p = self.theme, self.params
        model = trained("vae", p, beta=p["beta"])
        image = model.images[p["index"]: p["index"] + 1]
        mu, sigma = (a[0] for a in model.posterior(image))
        eps, z = sample_latent(mu, sigma, p["samples"], seed=p["sample_seed"])
        decoded = model.decode(z)
        zero = np.zeros_like(mu)
        priors = {s: sample_latent(zero, np.full_like(mu, s), p["samples"], seed=p["sample_seed"])[1]
                  for s in (p["sigma_a"], p["sigma_b"])}
        prior_decoded = {s: model.decode(zs) for s, zs in priors.items()}
        codes = model.encode(model.images)
        self.shown.update(input_image=image[0], mu=mu, sigma=sigma, eps=eps, samples=z, decoded=decoded,
                          prior_samples=priors, prior_decoded=prior_decoded, latent_points=codes)

        self.beat("the VAE in one line")
        heading = scene_title("A VAE samples at the bottleneck", self.theme)
        formula = _formula(self).next_to(heading, DOWN, buff=0.3)
        self.play(FadeIn(heading), Write(formula))
        caption = _say(self, None, "Instead of one code, the encoder describes a Gaussian to sample from.")

        self.beat("a mean and a spread")
        x_img = DigitImage(image[0], role="input", size=1.6, theme=t, label="input", font_size=22)
        x_img.move_to([-5.8, -0.2, 0])
        encoder = VGroup(RoundedRectangle(corner_radius=0.1, width=1.6, height=1.0, stroke_color=t.input,
                                          fill_color=t.input, fill_opacity=t.cell_fill_opacity),
                         Text("Encoder", font=t.font, color=t.text, font_size=24))
        encoder.move_to([-3.6, -0.2, 0])
        mu_vec = LatentVector(mu, label="μ", theme=t).move_to([-1.5, 0.9, 0])
        sigma_vec = LatentVector(sigma, label="σ", theme=t).move_to([-1.5, -1.4, 0])
        arrows = VGroup(flow_arrow(x_img.frame, encoder[0], t), flow_arrow(encoder[0], mu_vec.cells, t),
                        flow_arrow(encoder[0], sigma_vec.cells, t))
        self.play(FadeIn(x_img), Create(arrows[0]), FadeIn(encoder))
        self.play(Create(arrows[1:]), FadeIn(mu_vec), FadeIn(sigma_vec))
        caption = _say(self, caption, "Two dense heads give the mean μ and the standard deviation σ.")

        self.beat("a Gaussian around the mean")
        x_range, y_range = LatentPlot.ranges_for(z, mu - 4 * sigma, mu + 4 * sigma)
        plot = LatentPlot(codes, None, x_range, y_range, width=4.4, height=4.4, legend=False, theme=t,
                          title="latent space around μ (grey: other digits' μ)").move_to([2.3, -0.45, 0])
        rings = GaussianRings(plot, mu, sigma)
        self.play(FadeIn(plot))
        self.play(GrowFromCenter(rings))
        caption = _say(self, caption, "random_sample: z ~ N(μ, σ²), a Gaussian centred at the encoder's output.")

        self.beat("samples, decoded")
        dots = VGroup(*(Dot(plot.to_point(zi), radius=0.07, fill_color=t.highlight) for zi in z))
        column = Group(*(DigitImage(img, role="output", size=0.72, theme=t) for img in decoded))
        column.arrange(DOWN, buff=0.12).move_to([6.0, -0.45, 0])
        self.play(LaggedStart(*(GrowFromCenter(d) for d in dots), lag_ratio=0.2))
        self.play(LaggedStart(*(FadeIn(img, shift=0.2 * RIGHT) for img in column), lag_ratio=0.2))
        caption = _say(self, caption, "Each sample decodes to a slightly different image: variation.")
        self.wait(1)

        self.beat("a wider spread")
        self.play(*(FadeOut(m) for m in (x_img, encoder, mu_vec, sigma_vec, arrows, plot, rings, dots, column)))
        spread = max(p["sigma_a"], p["sigma_b"]) * 2.2
        x_range, y_range = LatentPlot.ranges_for(np.array([[-spread, -spread], [spread, spread]]), *priors.values())
        panels = Group()
        for k, s in enumerate((p["sigma_a"], p["sigma_b"])):
            panel_plot = LatentPlot(codes, None, x_range, y_range, width=3.6, height=3.6, legend=False, theme=t,
                                    title=f"μ = 0, σ = {s:g}")
            panel_plot.move_to([-3.4 + 6.8 * k, 0.35, 0])
            panel = Group(panel_plot, GaussianRings(panel_plot, zero, np.full_like(mu, s)),
                           VGroup(*(Dot(panel_plot.to_point(zi), radius=0.06, fill_color=t.highlight)
                                    for zi in priors[s])),
                           _image_row(prior_decoded[s], 0.8, "output", self).move_to([-3.4 + 6.8 * k, -2.5, 0]))
            panels.add(panel)
        self.play(FadeOut(formula), FadeIn(panels[0][:2]), FadeIn(panels[1][:2]))
        self.play(*(LaggedStart(*(GrowFromCenter(d) for d in panel[2]), lag_ratio=0.2) for panel in panels))
        self.play(*(LaggedStart(*(FadeIn(img) for img in panel[3]), lag_ratio=0.2) for panel in panels))
        caption = _say(self, caption, f"The same draws ε, scaled by σ = {p['sigma_a']:g} and σ = {p['sigma_b']:g}, "
                                      "each decoded.")
        self.wait(2)


class Reparameterization(ConvvizScene):
    """Sampling z ~ N(μ, σ²) blocks the gradient; z = μ + σ ⊙ ε lets it reach μ and σ (real autograd values)."""

    PARAMS = MODEL_PARAMS + (
        _index("index", "which image of the data gives μ and σ"),
        _beta(),
        _sample_seed("seed of the random draw ε"),
    )
    SUMMARY = "z = μ + σ ⊙ ε, ε ~ N(0, I): the graph, gradients (real autograd) reach μ and σ, not ε"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params, "index")

    def construct(self) -> None:
        t, p = self.theme, self.params
        model = trained("vae", p, beta=p["beta"])
        image = model.images[p["index"]: p["index"] + 1]
        mu, sigma = (a[0] for a in model.posterior(image))
        eps = sample_latent(mu, sigma, 1, seed=p["sample_seed"])[0][0]
        grads = reparameterization_gradients(mu, sigma, eps)
        self.shown.update(mu=mu, sigma=sigma, eps=eps, z=grads["z"], loss=grads["loss"],
                          gradients={"mu": grads["mu"], "sigma": grads["sigma"]},
                          eps_requires_grad=grads["eps_requires_grad"])

        self.beat("sampling blocks the gradient")
        heading = scene_title("Is sampling differentiable?", self.theme)
        mu_n = GraphNode("μ", value=point_text(mu), theme=t).move_to([-4.6, 1.3, 0])
        sigma_n = GraphNode("σ", value=point_text(sigma), theme=t).move_to([-4.6, -1.3, 0])
        draw = GraphNode("z ~ N(μ, σ²)", role=None, theme=t).move_to([-0.9, 0, 0])
        z_n = GraphNode("z", theme=t).move_to([2.4, 0, 0])
        loss_n = GraphNode("L", role="output", theme=t).move_to([5.2, 0, 0])
        edges = VGroup(forward_edge(mu_n, draw, t), forward_edge(sigma_n, draw, t), forward_edge(draw, z_n, t),
                       forward_edge(z_n, loss_n, t))
        self.play(FadeIn(heading), FadeIn(VGroup(mu_n, sigma_n, draw, z_n, loss_n)), Create(edges))
        back = VGroup(gradient_edge(loss_n, z_n, t), gradient_edge(z_n, draw, t))
        stuck = VGroup(gradient_edge(draw, mu_n, t), gradient_edge(draw, sigma_n, t))
        blocked = VGroup(*(Cross(Square(0.4), stroke_color=t.highlight, stroke_width=7).move_to(edge.get_center())
                           for edge in stuck))
        caption = _say(self, None, "Backprop needs every step differentiable: a random draw has no gradient.")
        self.play(Create(back[0]))
        self.play(Create(back[1]))
        self.play(Create(stuck), Create(blocked))
        self.wait(1)

        self.beat("z = μ + σ·ε")
        self.play(FadeOut(VGroup(draw, edges, back, stuck, blocked, z_n, loss_n, mu_n, sigma_n)))
        formula = Text("z = μ + σ ⊙ ε,   ε ~ N(0, I)", font=t.font, color=t.text,
                       font_size=32).next_to(heading, DOWN, buff=0.25)
        mu_n = GraphNode("μ", value=point_text(mu), theme=t).move_to([-4.9, 1.1, 0])
        sigma_n = GraphNode("σ", value=point_text(sigma), theme=t).move_to([-4.9, -0.7, 0])
        eps_n = GraphNode("ε ~ N(0, I)", role=None, value=point_text(eps), theme=t).move_to([-4.9, -2.45, 0])
        times = GraphNode("⊙", op=True, theme=t).move_to([-1.9, -1.55, 0])
        plus = GraphNode("+", op=True, theme=t).move_to([-0.4, 0.2, 0])
        z_n = GraphNode("z", value=point_text(grads["z"]), theme=t).move_to([2.4, 0.2, 0])
        loss_n = GraphNode("L = ½ Σ z²", role="output", value=f"{grads['loss']:.3f}", theme=t).move_to([5.75, 0.2, 0])
        stand_in = Text("a stand-in loss", font=t.font, color=t.muted, font_size=20).next_to(loss_n, DOWN, 0.12)
        nodes = VGroup(mu_n, sigma_n, eps_n, times, plus, z_n, loss_n, stand_in)
        edges = VGroup(forward_edge(sigma_n, times, t), forward_edge(eps_n, times, t), forward_edge(times, plus, t),
                       forward_edge(mu_n, plus, t), forward_edge(plus, z_n, t), forward_edge(z_n, loss_n, t))
        caption = _say(self, caption, "The trick: sample ε from a fixed N(0, I), then shift by μ and scale by σ.")
        self.play(Write(formula), FadeIn(nodes), Create(edges))
        self.wait(1)

        self.beat("the gradient reaches μ and σ")
        back = VGroup(gradient_edge(loss_n, z_n, t), gradient_edge(z_n, plus, t), gradient_edge(plus, mu_n, t),
                      gradient_edge(plus, times, t), gradient_edge(times, sigma_n, t))
        grad_mu = Text(f"∂L/∂μ = {point_text(grads['mu'])}", font=t.font, color=t.highlight, font_size=24)
        grad_mu.next_to(mu_n.shape, UP, buff=0.12)
        grad_sigma = Text(f"∂L/∂σ = {point_text(grads['sigma'])}", font=t.font, color=t.highlight, font_size=24)
        grad_sigma.next_to(sigma_n.shape, UP, buff=0.12)
        no_grad = Text(f"requires_grad = {grads['eps_requires_grad']}:\nno gradient", font=t.font, color=t.muted,
                       font_size=22).next_to(eps_n, RIGHT, buff=0.3).shift(0.35 * DOWN)
        caption = _say(self, caption, "Backward (real autograd): the gradient reaches μ and σ; ε is just a constant.")
        self.play(LaggedStart(*(Create(b) for b in back), lag_ratio=0.5), run_time=2.5)
        self.play(Write(grad_mu), Write(grad_sigma), FadeIn(no_grad))
        self.wait(2)


class VAELoss(ConvvizScene):
    """L = reconstruction + β·KL: real VAEs at several β, their latent clouds, reconstructions and loss terms."""

    PARAMS = MODEL_PARAMS + (
        Param("betas", "floats", (0.0, 1.0, 4.0), "the β of each column (1 to 3 values), one trained VAE per β",
              low=0, high=100, max_side=3, reason=BETA + ", up to three side by side"),
        Param("count", "int", 4, "how many images are reconstructed per β", low=1, high=4,
              reason="each one is drawn under its β"),
    )
    SUMMARY = "L = reconstruction + β·KL: real VAEs at β = 0, 1, 4, latent clouds and reconstructions"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params)

    def construct(self) -> None:
        t, p = self.theme, self.params
        betas = p["betas"]
        models = [trained("vae", p, beta=b) for b in betas]
        images = models[0].images[: p["count"]]
        codes = [m.encode(m.images) for m in models]
        recons = [m.reconstruct(images) for m in models]
        losses = [m.losses(m.images) for m in models]
        self.shown.update(betas=betas, input_images=images, latent_points=codes, reconstructions=recons,
                          loss=losses)

        self.beat("reconstruction + β·KL")
        heading = Text("L = reconstruction + β · KL", font=t.font, color=t.text, font_size=36)
        heading.to_edge(UP, buff=0.3)
        caption = _say(self, None, "Two goals: output ≈ input, and a latent space with variation (close to N(0, I)).")
        self.play(Write(heading))
        grid = Group(*(DigitImage(img, role="input", size=0.6, theme=t) for img in images))
        grid.arrange_in_grid(cols=2, buff=0.08).move_to([-6.2, -1.45, 0])
        grid_label = Text("input", font=t.font, color=t.text, font_size=24).next_to(grid, UP, buff=0.15)
        self.play(FadeIn(grid), FadeIn(grid_label))

        prior = np.array([[-2.5, -2.5], [2.5, 2.5]])
        x_range, y_range = LatentPlot.ranges_for(prior, *codes, quantile=0.005)
        xs = np.linspace(-2.9, 4.4, len(betas)) if len(betas) > 1 else np.array([0.7])
        for k, (beta, model_codes, recon, loss) in enumerate(zip(betas, codes, recons, losses)):
            self.beat(f"β = {beta:g}")
            plot = LatentPlot(model_codes, models[k].labels, x_range, y_range, width=3.0, height=3.0, legend=False,
                              theme=t, title=f"β = {beta:g}", dot_radius=0.03).move_to([xs[k], 1.1, 0])
            prior_rings = GaussianRings(plot, np.zeros(2), np.ones(2), center=False)  # added first: under the dots
            recon_grid = Group(*(DigitImage(img, role="output", size=0.6, theme=t) for img in recon))
            recon_grid.arrange_in_grid(cols=2, buff=0.08).move_to([xs[k], -1.45, 0])
            terms = Text(f"reconstruction {loss['reconstruction']:.2f}\nKL {loss['kl']:.2f}", font=t.font,
                         color=t.text, font_size=22, line_spacing=0.8).move_to([xs[k], -2.6, 0])
            self.play(FadeIn(prior_rings), FadeIn(plot))
            self.play(LaggedStart(*(FadeIn(img) for img in recon_grid), lag_ratio=0.15), Write(terms))
            if k == 0:
                caption = _say(self, caption, "Purple rings: N(0, I) at 1σ and 2σ. Each dot: μ of one real digit.")
            self.wait(0.5)

        self.beat("side by side")
        caption = _say(self, caption, "Larger β: μ pulled into N(0, I), reconstructions blurrier.")
        self.wait(2)


class AEvsVAE(ConvvizScene):
    """The AE's and the VAE's latent spaces side by side; a straight path between two real digits decoded by each."""

    PARAMS = MODEL_PARAMS + (
        _index("index_a", "the image at the start of the path"),
        Param("index_b", "int", 1, "the image at the end of the path", low=0, high=MAX_INDEX, reason=INDEXED),
        Param("steps", "int", 7, "points on the path, both ends included, each decoded", low=2, high=9,
              reason="each point is decoded on screen"),
        _beta(),
    )
    SUMMARY = "AE and VAE latent spaces side by side; interpolating between two real digits with each"

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        check_data(params, "index_a", "index_b")

    def construct(self) -> None:
        t, p = self.theme, self.params
        models = {"ae": trained("ae", p), "vae": trained("vae", p, beta=p["beta"])}
        pair = models["ae"].images[[p["index_a"], p["index_b"]]]
        codes, paths, decoded = {}, {}, {}
        for kind, model in models.items():
            codes[kind] = model.encode(model.images)
            ends = model.encode(pair)
            paths[kind] = interpolate(ends[0], ends[1], p["steps"])
            decoded[kind] = model.decode(paths[kind])
        self.shown.update(latent_points=codes, paths=paths, decoded=decoded, endpoints=pair)

        self.beat("two latent spaces")
        heading = scene_title("Autoencoder vs variational autoencoder", self.theme)
        plots = {}
        for k, (kind, name) in enumerate((("ae", "autoencoder"), ("vae", f"VAE (β = {p['beta']:g})"))):
            x_range, y_range = LatentPlot.ranges_for(codes[kind], paths[kind], quantile=0.01)
            plots[kind] = LatentPlot(codes[kind], models[kind].labels, x_range, y_range, width=3.9, height=3.9,
                                     legend=kind == "vae", theme=t, title=name, dot_radius=0.03)
        plots["ae"].move_to([-3.6, 0.45, 0])
        plots["vae"].move_to([3.3, 0.45, 0])
        caption = _say(self, None, "Same digits, same encoder shape: the AE's codes spread into islands, "
                                   "the VAE's fill a ball.")
        self.play(FadeIn(heading), FadeIn(plots["ae"]), FadeIn(plots["vae"]))

        self.beat("a path between two digits")
        caption = _say(self, caption, f"A straight path from image {p['index_a']} to image {p['index_b']}, "
                                      "every point decoded.")
        for kind in ("ae", "vae"):
            plot, path = plots[kind], paths[kind]
            line = Line(plot.to_point(path[0]), plot.to_point(path[-1]), stroke_color=t.highlight, stroke_width=4)
            dots = VGroup(*(Dot(plot.to_point(z), radius=0.06, fill_color=t.highlight) for z in path))
            row = _image_row(decoded[kind], 0.62, "output", self, buff=0.06)
            row.next_to(plot.box, DOWN, buff=0.45)
            self.play(Create(line), LaggedStart(*(GrowFromCenter(d) for d in dots), lag_ratio=0.1))
            self.play(LaggedStart(*(FadeIn(img) for img in row), lag_ratio=0.1))
        caption = _say(self, caption, "Between the endpoints the VAE decodes digit-like images; the AE may not.")
        self.wait(2)
