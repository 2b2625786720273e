"""Render speed of the channel scenes at 1080p60, and the tensor drawing: TensorStack (2-D, oblique) against
Manim's 3-D camera (ThreeDScene) drawing the same planes.

    .venv/bin/python benchmarks/render_channels.py [-q h] [--no-scenes] [--no-camera] [SCENE[:PRESET] ...]

Figures only (frames, CPU seconds, frames per CPU second); nothing is asserted. Target: >= 30 frames per CPU
second for each scene.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from manim import LEFT, Create, FadeIn, Scene, Square, ThreeDScene, VGroup, tempconfig  # noqa: E402
from render_conv import case_parser, cpu_seconds, print_header, report  # noqa: E402

from scenes.components import TensorStack  # noqa: E402
from scenes.render import QUALITIES  # noqa: E402
from scenes.theme import LIGHT  # noqa: E402

DEFAULT_CASES = ("MultiChannelConv:cs231n", "GroupedConv", "Conv1DSequence:wavenet", "Conv3DVolume")
VALUES = np.random.default_rng(0).integers(0, 3, size=(3, 7, 7))
SECONDS = 3.0


class ObliqueStack(Scene):
    """A 3×7×7 TensorStack block fades in, then a window outline slides over its front plane."""

    def construct(self) -> None:
        self.camera.background_color = LIGHT.background
        stack = TensorStack(VALUES, role="input", cell_size=0.5, name="input", theme=LIGHT)
        window = Square(1.5, color=LIGHT.kernel, stroke_width=6).move_to(stack.plane(0).cell(1, 1))
        self.play(FadeIn(stack), Create(window), run_time=SECONDS / 2)
        self.play(window.animate.move_to(stack.plane(0).cell(1, 5)), run_time=SECONDS / 2)


class CameraStack(ThreeDScene):
    """The same planes as real 3-D squares seen by Manim's 3-D camera (numbers left out: they would be
    billboards to keep facing the camera)."""

    def construct(self) -> None:
        self.camera.background_color = LIGHT.background
        self.set_camera_orientation(phi=60 * np.pi / 180, theta=-60 * np.pi / 180)
        planes = VGroup()
        for c in range(3):
            for r in range(7):
                for q in range(7):
                    planes.add(Square(0.5, color=LIGHT.input, fill_opacity=0.3).move_to([q * 0.5, -r * 0.5, c * 0.6]))
        planes.move_to([0, 0, 0])
        window = Square(1.5, color=LIGHT.kernel, stroke_width=6).move_to(planes[8].get_center() + [0, 0, 0.01])
        self.play(FadeIn(planes), Create(window), run_time=SECONDS / 2)
        self.play(window.animate.shift(LEFT * -2.0), run_time=SECONDS / 2)


def camera_figures(quality: str, folder: Path) -> None:
    """Frames per CPU second of the two ways to draw a tensor."""
    flag = QUALITIES[quality][0]
    for cls in (ObliqueStack, CameraStack):
        cpu, start = cpu_seconds(), time.perf_counter()
        with tempconfig({"quality": flag, "media_dir": str(folder), "disable_caching": True, "progress_bar": "none",
                         "verbosity": "WARNING"}):
            scene = cls()
            scene.render()
            frames = round(scene.renderer.time * scene.camera.frame_rate)
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - start
        print(f"{cls.__name__:36s} {frames:7d} {SECONDS:8.1f} {wall:8.1f} {frames / wall:9.1f} {'':>10s} "
              f"{cpu:7.1f} {frames / cpu:12.1f}")


def main() -> int:
    parser = case_parser(__doc__, DEFAULT_CASES)
    parser.add_argument("--no-scenes", action="store_true", help="only the tensor drawing comparison")
    parser.add_argument("--no-camera", action="store_true", help="only the scenes")
    args = parser.parse_args()
    print_header(args.quality)
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as tmp:
        if not args.no_camera:
            camera_figures(args.quality, Path(tmp))
        if not args.no_scenes:
            for case in args.cases:
                report(case, args.quality, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
