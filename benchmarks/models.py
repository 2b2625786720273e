"""Training time per model, cache load time and size on disk, shape-trace time. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/models.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from convmath.models import TrainConfig, build_model, get_model
from convmath.shapes import shape_trace

CONFIGS = [TrainConfig("ae"), TrainConfig("vae"), TrainConfig("vae", beta=4.0)]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        print("model                       epochs  train s  s/epoch  load ms  cache KiB  final loss  mse")
        for config in CONFIGS:
            trained = get_model(config, cache)
            start = time.perf_counter()
            loaded = get_model(config, cache)
            load_ms = 1000 * (time.perf_counter() - start)
            assert loaded.from_cache
            losses = trained.losses(trained.images)
            name = f"{config.kind} latent={config.latent_dim} beta={config.beta}"
            print(f"{name:<27} {config.epochs:>6}  {trained.train_seconds:>7.1f}  "
                  f"{trained.train_seconds / config.epochs:>7.3f}  {load_ms:>7.0f}  "
                  f"{folder_bytes(trained.folder) / 1024:>9.0f}  {losses['total']:>10.3f}  {losses['mse']:.4f}")
    for kind, shape in (("ae", (1, 1, 8, 8)), ("vae", (1, 1, 8, 8)), ("vae", (64, 1, 28, 28))):
        model = build_model(kind, shape[2:])
        start = time.perf_counter()
        steps = shape_trace(model, shape)
        print(f"shape_trace {kind} {'x'.join(map(str, shape))}: {len(steps)} steps in "
              f"{1000 * (time.perf_counter() - start):.1f} ms")


if __name__ == "__main__":
    main()
