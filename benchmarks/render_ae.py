"""Render figures for the six AE/VAE scenes: frames, video seconds, CPU and wall seconds, frames per CPU second;
model training and cache size.

    .venv/bin/python benchmarks/render_ae.py                 # 1080p60, all six scenes
    .venv/bin/python benchmarks/render_ae.py -q l LatentSpace
Each scene renders in its own `convviz render` process; its CPU time (user + sys, from os.wait4) is what the
render cost, whatever else the machine runs (wall time on a shared machine is not). Frames per CPU second >= 30
at 1080p60 means two renders on two cores keep up with real time. Models come from $CONVVIZ_CACHE (or
~/.cache/convviz); the first run trains them (training time is printed).
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
from scenes.render import QUALITIES  # noqa: E402

from common import probe  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SCENES = ("ConvAutoencoder", "LatentSpace", "VAESampling", "Reparameterization", "VAELoss", "AEvsVAE")
MODELS = (TrainConfig("ae"), TrainConfig("vae", beta=0.0), TrainConfig("vae", beta=1.0), TrainConfig("vae", beta=4.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", nargs="*", default=list(SCENES))
    parser.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    args = parser.parse_args()

    print("model                 trained in (s)   cache (KiB)   from cache")
    for config in MODELS:
        start = time.perf_counter()
        model = get_model(config)
        size = sum(f.stat().st_size for f in model.folder.iterdir()) / 1024
        name = f"{config.kind} beta={config.beta:g}" if config.kind == "vae" else config.kind
        print(f"{name:20s}  {model.train_seconds:14.1f}   {size:11.0f}   {model.from_cache} "
              f"(get_model {time.perf_counter() - start:.1f} s)")

    print("\nscene                 quality  frames  video (s)  CPU (s)  wall (s)  frames per CPU s")
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as out:
        for name in args.scenes:
            folder = Path(out) / name
            start = time.perf_counter()
            log = Path(out) / f"{name}.log"
            with log.open("wb") as errors:
                process = subprocess.Popen([sys.executable, "-m", "scenes.cli", "render", name, "-q", args.quality,
                                            "--out", str(folder)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                           stderr=errors)
                _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                print(f"{name:20s}  failed: {log.read_text().strip()}", flush=True)
                continue
            cpu = usage.ru_utime + usage.ru_stime
            frames, seconds = probe(max(folder.rglob("*.mp4"), key=lambda f: f.stat().st_mtime))
            print(f"{name:20s}  {QUALITIES[args.quality][1]:7s}  {frames:6d}  {seconds:9.1f}  {cpu:7.1f}  "
                  f"{wall:8.1f}  {frames / cpu:16.1f}", flush=True)

if __name__ == "__main__":
    main()
