"""Render speed of every scene: frames, video seconds, CPU seconds and frames per CPU second (1080p60 by default).

    .venv/bin/python benchmarks/render.py                          # every catalogue scene, 1080p60
    .venv/bin/python benchmarks/render.py -q l ConvArithmetic:padding_strides
    .venv/bin/python benchmarks/render.py --keep /tmp/after        # keep the videos (for render_compare.py)

Each scene renders in its own `convviz render` process; its CPU time (user + sys of the process and its
children, from os.wait4) is what the render cost, whatever else the machine runs (wall time on a shared machine
is not). Target: >= 30 frames per CPU second at 1080p60 (two renders on two cores then keep up with real time).
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenes.catalog import available_scenes  # noqa: E402
from scenes.render import QUALITIES  # noqa: E402

from common import probe  # noqa: E402


def render(case: str, quality: str, folder: Path) -> tuple[float, float, Path] | str:
    """Render ``SCENE[:PRESET]`` into ``folder`` in a child process: (CPU s, wall s, video) or the error text."""
    name, _, preset = case.partition(":")
    command = [sys.executable, "-m", "scenes.cli", "render", name, "-q", quality, "--out", str(folder)]
    if preset:
        command += ["--preset", preset]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            return errors.read().decode(errors="replace").strip().splitlines()[-1]
    videos = sorted(folder.rglob("*.mp4"), key=lambda f: f.stat().st_mtime)
    return usage.ru_utime + usage.ru_stime, wall, videos[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="SCENE or SCENE:PRESET (default: every catalogue scene)")
    parser.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    parser.add_argument("--keep", type=Path, help="keep the videos in this folder, one sub-folder per case")
    args = parser.parse_args()
    cases = args.cases or available_scenes()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("scene                                     quality  frames  video (s)  CPU (s)  wall (s)  frames per CPU s")
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as scratch:
        for case in cases:
            folder = (args.keep or Path(scratch)) / case.replace(":", "-")
            result = render(case, args.quality, folder)
            if isinstance(result, str):
                print(f"{case:40s}  failed: {result}", flush=True)
                continue
            cpu, wall, video = result
            frames, seconds = probe(video)
            print(f"{case:40s}  {QUALITIES[args.quality][1]:7s}  {frames:6d}  {seconds:9.1f}  {cpu:7.1f}  "
                  f"{wall:8.1f}  {frames / cpu:16.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
