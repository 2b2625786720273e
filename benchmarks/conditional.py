"""The conditional VAE: training time (fresh cache) next to the VAE's, cache load time, and the ConditionalVAE
scene's render figures (frames per CPU second). Prints figures, asserts nothing.

    .venv/bin/python benchmarks/conditional.py            # 1080p60
    .venv/bin/python benchmarks/conditional.py -q l
The scene renders in its own `convviz render` process with the models trained here (CONVVIZ_CACHE points at the
fresh cache); its CPU time (user + sys, os.wait4) is the render's cost. Target: >= 30 frames per CPU second.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convmath.models import TrainConfig, get_model  # noqa: E402
from render_ae import probe  # noqa: E402
from scenes.render import QUALITIES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def train(cache: str) -> None:
    """Train the scene's two models into ``cache`` and print their times."""
    print("model        epochs  train s  s/epoch  load ms  final loss  mse")
    for config in (TrainConfig("vae"), TrainConfig("cvae")):
        trained = get_model(config, cache)
        start = time.perf_counter()
        get_model(config, cache)
        load_ms = 1000 * (time.perf_counter() - start)
        losses = trained.losses(trained.images, trained.labels if trained.is_conditional else None)
        print(f"{config.kind:<12} {config.epochs:>6}  {trained.train_seconds:>7.1f}  "
              f"{trained.train_seconds / config.epochs:>7.3f}  {load_ms:>7.0f}  {losses['total']:>10.3f}  "
              f"{losses['mse']:.4f}", flush=True)


def render(quality: str, cache: str, out: Path) -> None:
    """Render the scene in a child process and print frames, seconds and frames per CPU second."""
    env = dict(os.environ, CONVVIZ_CACHE=cache)
    start = time.perf_counter()
    with (out / "render.log").open("wb") as errors:
        process = subprocess.Popen([sys.executable, "-m", "scenes.cli", "render", "ConditionalVAE", "-q", quality,
                                    "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"render failed: {(out / 'render.log').read_text().strip()}")
        return
    cpu = usage.ru_utime + usage.ru_stime
    frames, seconds = probe(max(out.rglob("*.mp4"), key=lambda f: f.stat().st_mtime))
    print(f"\nscene           quality  frames  video (s)  CPU (s)  wall (s)  frames per CPU s\n"
          f"ConditionalVAE  {QUALITIES[quality][1]:7s}  {frames:6d}  {seconds:9.1f}  {cpu:7.1f}  {wall:8.1f}  "
          f"{frames / cpu:16.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="convviz-cvae-") as folder:
        cache = str(Path(folder) / "cache")
        train(cache)
        render(args.quality, cache, Path(folder))


if __name__ == "__main__":
    main()
