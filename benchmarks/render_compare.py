"""Compare two renders of the same scenes frame by frame: are they the same picture?

    .venv/bin/python benchmarks/render_compare.py /tmp/before /tmp/after [--samples 12]

Both folders are ``benchmarks/render.py --keep`` folders (one sub-folder per case). For each case present in
both, ``--samples`` frames evenly spread over the video are decoded from each (ffmpeg, RGB) and compared: the
share of pixels that differ by more than 16 of 255 in some channel ("changed"), and the largest difference.
Antialiasing and video encoding move edge pixels a little; a changed drawing shows as a patch of changed pixels.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import probe  # noqa: E402

THRESHOLD = 16


def frame(video: Path, index: int, fps: float) -> np.ndarray:
    """Frame ``index`` of ``video`` as an H×W×3 uint8 array."""
    info = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                           "stream=width,height", "-of", "csv=p=0", str(video)],
                          capture_output=True, text=True, check=True).stdout
    width, height = (int(v) for v in info.strip().split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-vf", f"select=eq(n\\,{index})",
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)


def compare(before: Path, after: Path, samples: int) -> str:
    frames_a, seconds = probe(before)
    frames_b, _ = probe(after)
    if frames_a != frames_b:
        return f"frame counts differ: {frames_a} vs {frames_b}"
    fps = frames_a / seconds
    changed, largest = [], 0
    for index in np.linspace(0, frames_a - 1, samples).astype(int):
        a = frame(before, int(index), fps).astype(np.int16)
        b = frame(after, int(index), fps).astype(np.int16)
        diff = np.abs(a - b).max(axis=2)
        changed.append(float((diff > THRESHOLD).mean()))
        largest = max(largest, int(diff.max()))
    return (f"{frames_a:6d} frames  changed pixels: mean {100 * np.mean(changed):.3f} %, worst frame "
            f"{100 * max(changed):.3f} %  largest difference {largest}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--samples", type=int, default=12)
    args = parser.parse_args()
    for case in sorted(p.name for p in args.before.iterdir() if (args.after / p.name).is_dir()):
        videos = [max((root / case).rglob("*.mp4"), key=lambda f: f.stat().st_mtime) for root in (args.before, args.after)]
        print(f"{case:40s}  {compare(*videos, args.samples)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
