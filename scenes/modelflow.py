"""ModelFlow: any user's model drawn from its shape trace, a real input flowing through with its real
activations, each size formula as the tensor passes, and a shape bug stopping the flow with its explanation.

Loading ``model=path/to/file.py:factory`` (or ``package.module:factory``) runs that file's code and calls
``factory()``; everything shown comes from :mod:`convmath.activations` (the trace and a forward pass)."""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from manim import Animation, AnimationGroup, Create, FadeIn, Indicate, LaggedStart

from convmath import ConvArithmeticError
from convmath.activations import MAX_ELEMENTS, Flow, formula_lines, layer_text, model_flow

from .base import ConvvizScene
from .components import Caption, NetworkDiagram, block_specs, scene_title, swap_caption
from .params import Param, ParamError

__all__ = ["ModelFlow", "flow_for", "block_specs", "resolve_target"]

ROOT = Path(__file__).resolve().parent.parent  # the project: examples/ lives here
WRAP = 92  # characters per line of the bottom panel


def resolve_target(target: str) -> str:
    """``path/file.py:factory`` as given when the file exists here, else relative to the project (so the
    examples/ defaults work from any folder); module targets as given."""
    where, _, factory = target.rpartition(":")
    if where.endswith(".py") and not Path(where).expanduser().is_file() and (ROOT / where).is_file():
        return f"{ROOT / where}:{factory}"
    return target


@lru_cache(maxsize=4)
def _cached_flow(target: str, shape: tuple[int, ...], path: str, image: int, seed: int) -> Flow:
    return model_flow(resolve_target(target), shape, path, image, seed)


def flow_for(params: Mapping[str, Any]) -> Flow:
    """The flow the scene shows for its parameters (computed once per process and parameter set)."""
    try:
        return _cached_flow(params["model"], tuple(params["input_shape"]), params["input"], params["image"],
                            params["seed"])
    except ConvArithmeticError as error:
        raise ParamError(str(error).replace(resolve_target(params["model"]), params["model"])) from None


class ModelFlow(ConvvizScene):
    """Your own network: its architecture from the real trace, a real input and its real activations flowing
    through, every size formula with its numbers, a shape bug explained where the flow stops."""

    PARAMS = (
        Param("model", "target", "examples/unet.py:build", "the model: file.py:factory or module:factory "
              "(its code runs)"),
        Param("input_shape", "ints", (1, 1, 28, 28), "the input's shape, batch first (Keras: channels last)",
              low=1, high=4096,
              max_side=5, reason=f"one real tensor of at most {MAX_ELEMENTS:,} numbers"),
        Param("input", "path", "", "your input: a .npy of input_shape (default: a built-in digit, or a random "
              "code for 1×1 inputs)", choices=(".npy",)),
        Param("image", "int", 0, "which built-in digit is the input", low=0, high=1796,
              reason="the 1797 built-in digits"),
        Param("channels", "int", 3, "feature maps shown under each block", low=1, high=4,
              reason="they fit under a block"),
        Param("seed", "int", 0, "torch seed for the weights build() makes and a random input", low=0,
              high=2**31 - 1, reason="a torch seed"),
    )
    PRESETS = {
        "unet": {"model": "examples/unet.py:build", "input_shape": "1,1,28,28"},
        "unet_broken": {"model": "examples/unet_broken.py:build", "input_shape": "1,1,28,28"},
        "dcgan": {"model": "examples/dcgan.py:build", "input_shape": "1,100,1,1"},
        "resnet_block": {"model": "examples/resnet_block.py:build", "input_shape": "1,16,32,32"},
        "subpixel": {"model": "examples/subpixel.py:build", "input_shape": "1,3,16,16"},
        "keras_unet": {"model": "examples/keras_unet.py:build", "input_shape": "1,28,28,1"},
        "keras_vae": {"model": "examples/keras_vae.py:build", "input_shape": "1,28,28,1"},
        "keras_unet_broken": {"model": "examples/keras_unet_broken.py:build", "input_shape": "1,28,28,1"},
    }
    SUMMARY = "Any torch or Keras model (module:factory) from its trace: a real input and activations flow " \
              "through; skips; a shape bug stops the flow with its explanation"
    GALLERY = ("unet", "unet_broken")

    @classmethod
    def check(cls, params: Mapping[str, Any]) -> None:
        flow_for(params)

    def construct(self) -> None:
        flow = flow_for(self.params)
        specs = block_specs(flow, self.params["channels"])
        diagram = NetworkDiagram(specs, height=5.4, center=(0, 0.2, 0), theme=self.theme)
        self.shown.update(flow=flow, specs=specs, formulas=[], captions=[])
        self.network(flow, diagram)
        self.input(flow, diagram)
        self.pass_through(flow, diagram)
        if flow.failure is not None:
            self.failure(flow, diagram)
        else:
            self.output(flow, diagram)

    def panel(self, lines: list[str], role: str = "text") -> Caption:
        """Up to four lines at the bottom of the frame (long lines wrapped); kept without captions: they hold the
        formulas and the failure's explanation."""
        wrapped = [part for line in lines for part in textwrap.wrap(line, WRAP)][:4]
        color = self.theme.highlight if role == "highlight" else self.theme.text
        self.shown["captions"].append(wrapped)
        return Caption(wrapped, theme=self.theme, font_size=22, color=color, merged=True,
                       always=True)

    def say(self, lines: list[str], *animations: Animation, role: str = "text", **kwargs: Any) -> None:
        """Play ``animations`` while the caption changes to ``lines`` (the old one leaves before the new one
        arrives: two texts never cross-fade in one place)."""
        new = self.panel(lines, role)
        self.play(swap_caption(self.caption, new), *animations, **kwargs)
        self.caption = new

    def network(self, flow: Flow, diagram: NetworkDiagram) -> None:
        self.beat("the network")
        name = Path(flow.target.rpartition(":")[0]).name or flow.target
        heading = scene_title(f"{name}: {len(flow.steps)} steps, {len(flow.blocks) - 1} blocks", self.theme)
        edges = [*diagram.arrows.values(), *diagram.arcs.values()]
        self.caption = None
        self.say(["Each block changes the shape (box height: spatial size, width: channels); layers that keep it "
                  "are listed under it. Dashed: skip connections."], FadeIn(heading))
        # each block its own mobject in the scene: flashing one later redraws that block only
        self.play(LaggedStart(*(FadeIn(b) for b in diagram.blocks), lag_ratio=0.05), run_time=1.5)
        if edges:
            self.play(*(Create(e) for e in edges), run_time=1)
        self.wait(0.5)

    def input(self, flow: Flow, diagram: NetworkDiagram) -> None:
        self.beat("a real input")
        self.say([f"The input: {flow.input_text}."], FadeIn(diagram.maps[0]))
        self.wait(0.5)

    def pass_through(self, flow: Flow, diagram: NetworkDiagram) -> None:
        self.beat("through the layers")
        for block in flow.blocks[1:]:
            i = block.index
            lines = [*formula_lines(block.step), *(f"{s.op}: {line}" for s in block.steps[1:]
                                                   for line in formula_lines(s))]
            self.shown["formulas"].append((i, lines))
            op, params = layer_text(block.step)
            text = [f"{op} {params}".strip() + f" → {'×'.join(map(str, block.shape))}", *lines]
            edges = [diagram.arrows[i]] if i in diagram.arrows else []
            edges += [arc for (s, d), arc in diagram.arcs.items() if d == i]
            flash = [Indicate(e, color=self.theme.highlight, scale_factor=1.0) for e in edges]
            self.say(text, *flash, Indicate(diagram.blocks[i].box, scale_factor=1.1), FadeIn(diagram.maps[i]),
                     run_time=0.9)
            self.wait(0.3 if lines else 0.1)

    def output(self, flow: Flow, diagram: NetworkDiagram) -> None:
        self.beat("the output")
        shape = "×".join(map(str, flow.output.shape))
        self.say([f"Output {shape}: {len(flow.blocks) - 1} blocks, every size as convmath predicts "
                  f"({sum(1 for s in flow.steps if s.predicted is not None)} formulas)."],
                 Indicate(diagram.maps[-1], scale_factor=1.15))
        self.wait(1.5)

    def failure(self, flow: Flow, diagram: NetworkDiagram) -> None:
        self.beat("the shape bug")
        failure = flow.failure
        self.shown.update(failure=failure.message, fix=failure.fix)
        edges = [diagram.arrows[len(diagram.blocks) - 1]] if len(diagram.blocks) - 1 in diagram.arrows else []
        edges += [arc for (s, d), arc in diagram.arcs.items() if d == len(diagram.blocks) - 1]
        flashes = [Indicate(e, color=self.theme.highlight, scale_factor=1.0) for e in edges]
        self.say([f"The forward stops here. {failure.message}"], *flashes,
                 AnimationGroup(Indicate(diagram.blocks[-1], color=self.theme.highlight)), role="highlight",
                 run_time=1.5)
        self.wait(3)
