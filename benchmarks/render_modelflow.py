"""ModelFlow figures: the time before the first frame (imports, trace + forward on a real input, layout) and
frames per CPU second of the render, for a 20-layer model (10 convs, 10 ReLUs) and the examples' U-Net.

    .venv/bin/python benchmarks/render_modelflow.py            # 1080p60
    .venv/bin/python benchmarks/render_modelflow.py -q l
Each render is its own `convviz render` process; its CPU time (user + sys, os.wait4) is what it cost. Target:
at least 30 frames per CPU second at 1080p60.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenes.render import QUALITIES  # noqa: E402

from common import probe  # noqa: E402

DEEP = textwrap.dedent('''
    """20 layers: 10 convs (every third one strided) each followed by a ReLU."""
    from torch import nn


    def build() -> nn.Module:
        layers, c = [], 1
        for i in range(10):
            out = min(8 * 2 ** (i // 3), 64)
            layers += [nn.Conv2d(c, out, 3, stride=2 if i % 3 == 2 else 1, padding=1), nn.ReLU()]
            c = out
        return nn.Sequential(*layers)
''')

FIRST_FRAME = textwrap.dedent('''
    import sys, time
    start = time.perf_counter()
    from scenes.modelflow import ModelFlow, block_specs, flow_for
    from scenes.components import NetworkDiagram
    imported = time.perf_counter()
    params = ModelFlow.resolve(None, {"model": sys.argv[1], "input_shape": sys.argv[2]})
    flow = flow_for(params)
    traced = time.perf_counter()
    NetworkDiagram(block_specs(flow, 3))
    laid = time.perf_counter()
    print(f"{imported - start:.2f} {traced - imported:.2f} {laid - traced:.2f}")
''')


def render(model: str, shape: str, quality: str, out: Path) -> str:
    """One render in its own process: the figures as a table row, or why it failed."""
    start = time.perf_counter()
    with (out / "log").open("wb") as errors:
        process = subprocess.Popen([sys.executable, "-m", "scenes.cli", "render", "ModelFlow", "-q", quality,
                                    "--set", f"model={model}", "--set", f"input_shape={shape}", "--out", str(out)],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        return f"failed: {(out / 'log').read_text().strip()}"
    cpu = usage.ru_utime + usage.ru_stime
    frames, seconds = probe(next(out.rglob("*.mp4")))
    return f"{frames:6d}  {seconds:9.1f}  {cpu:7.1f}  {wall:8.1f}  {frames / cpu:16.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as folder:
        deep = Path(folder) / "deep20.py"
        deep.write_text(DEEP)
        cases = [("20 layers", f"{deep}:build", "1,1,64,64"), ("U-Net", "examples/unet.py:build", "1,1,28,28")]
        print("model       imports (s)  trace+forward (s)  layout (s)")
        for name, model, shape in cases:
            run = subprocess.run([sys.executable, "-c", FIRST_FRAME, model, shape], cwd=ROOT, capture_output=True,
                                 text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            figures = run.stdout.split() if run.returncode == 0 else ["failed:", run.stderr.strip()[-200:], ""]
            print(f"{name:10s}  {figures[0]:>11s}  {figures[1]:>17s}  {figures[2]:>10s}", flush=True)
        print(f"\nmodel       quality  frames  video (s)  CPU (s)  wall (s)  frames per CPU s")
        for i, (name, model, shape) in enumerate(cases):
            out = Path(folder) / f"render{i}"
            out.mkdir()
            print(f"{name:10s}  {QUALITIES[args.quality][1]:7s}  {render(model, shape, args.quality, out)}",
                  flush=True)


if __name__ == "__main__":
    main()
