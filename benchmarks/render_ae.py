"""Render figures for the six AE/VAE scenes: frames, video seconds, wall seconds, fps; model training and cache size.

    .venv/bin/python benchmarks/render_ae.py                 # 1080p60, all six scenes
    .venv/bin/python benchmarks/render_ae.py -q l LatentSpace
Models come from $CONVVIZ_CACHE (or ~/.cache/convviz); the first run trains them (training time is printed).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convmath.models import TrainConfig, get_model  # noqa: E402
from scenes.catalog import scene_class  # noqa: E402
from scenes.render import QUALITIES, render_scene  # noqa: E402

SCENES = ("ConvAutoencoder", "LatentSpace", "VAESampling", "Reparameterization", "VAELoss", "AEvsVAE")
MODELS = (TrainConfig("ae"), TrainConfig("vae", beta=0.0), TrainConfig("vae", beta=1.0), TrainConfig("vae", beta=4.0))


def probe(path: Path) -> tuple[int, float]:
    """(frames, seconds) of a video, from ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=nb_read_frames:format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    return int(info["streams"][0]["nb_read_frames"]), float(info["format"]["duration"])


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

    print(f"\nscene                 quality  frames  video (s)  wall (s)  fps (frames/wall s)")
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as out:
        for name in args.scenes:
            params = scene_class(name).resolve()
            start = time.perf_counter()
            path = render_scene(name, params, Path(out) / name, quality=args.quality)
            wall = time.perf_counter() - start
            frames, seconds = probe(path)
            print(f"{name:20s}  {QUALITIES[args.quality][1]:7s}  {frames:6d}  {seconds:9.1f}  {wall:8.1f}  "
                  f"{frames / wall:6.1f}", flush=True)


if __name__ == "__main__":
    main()
