"""Render speed of the transposed-conv and ambiguity scenes at 1080p60: frames, video s, wall s, frames/s.

    .venv/bin/python benchmarks/render_transposed.py [-q h] [SCENE[:PRESET] ...]

Same measurement as benchmarks/render_conv.py (reused from there); figures only, nothing is asserted.
Faster than real time on 2 cores means x realtime >= 0.5 here (one process per core).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_conv import bench  # noqa: E402

from scenes.render import QUALITIES  # noqa: E402

DEFAULT_CASES = (
    "TransposedConvScatter",
    "TransposedConvAsConv:padding_strides_odd_transposed",
    "TransposedConvMatrix",
    "OutputPaddingAmbiguity",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(DEFAULT_CASES))
    parser.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    args = parser.parse_args()
    print(f"quality {QUALITIES[args.quality][1]}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'scene':52s} {'frames':>7s} {'video s':>8s} {'wall s':>8s} {'frames/s':>9s} {'x realtime':>10s}")
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as tmp:
        for case in args.cases:
            frames, video, wall = bench(case, args.quality, Path(tmp))
            print(f"{case:52s} {frames:7d} {video:8.1f} {wall:8.1f} {frames / wall:9.1f} {video / wall:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
