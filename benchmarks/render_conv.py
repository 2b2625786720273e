"""Render speed of the convolution scenes at 1080p60: frames, video seconds, wall seconds, frames per second.

    .venv/bin/python benchmarks/render_conv.py [-q h] [SCENE[:PRESET] ...]

Target: >= 30 frames/s for one scene in one process at 1080p60 (then two processes on two cores render
faster than real time). Figures only; nothing is asserted. Wall-clock figures suffer when other work
shares the machine, so the CPU seconds of this process (and its children) and frames per CPU second
are printed too, with the 1-minute load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenes.catalog import scene_class  # noqa: E402
from scenes.params import value_text  # noqa: E402
from scenes.render import QUALITIES, render_scene  # noqa: E402

DEFAULT_CASES = ("ConvArithmetic:padding_strides", "ConvolutionNumbers")


def frame_count(path: Path) -> int:
    """Frames in the video, as ffprobe counts them from the container."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=nb_frames",
                          "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.strip())


def duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench(case: str, quality: str, out_dir: Path,
          overrides: Mapping[str, Any] | None = None) -> tuple[int, float, float, float]:
    """(frames, video s, wall s, CPU s) of one render of ``case`` (``Scene`` or ``Scene:preset``), with
    ``overrides`` on top."""
    name, _, preset = case.partition(":")
    params = scene_class(name).resolve(preset or None, overrides)
    start, cpu = time.perf_counter(), cpu_seconds()
    path = render_scene(name, params, out_dir / case.replace(":", "_"), quality=quality, fmt="mp4")
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return frame_count(path), duration(path), wall, cpu


HEADER = (f"{'scene':36s} {'frames':>7s} {'video s':>8s} {'wall s':>8s} {'frames/s':>9s} {'x realtime':>10s} "
          f"{'CPU s':>7s} {'frames/CPU s':>12s}")


def report(case: str, quality: str, out_dir: Path,
           overrides: Mapping[str, Any] | None = None) -> tuple[int, float, float, float]:
    """Render ``case`` (with ``overrides``, named at the end of the row) once, print its row under
    :data:`HEADER`; (frames, video s, wall s, CPU s)."""
    frames, video, wall, cpu = bench(case, quality, out_dir, overrides)
    sets = " ".join(f"{key}={value_text(value)}" for key, value in (overrides or {}).items())
    print(f"{case:36s} {frames:7d} {video:8.1f} {wall:8.1f} {frames / wall:9.1f} {video / wall:10.2f} "
          f"{cpu:7.1f} {frames / cpu:12.1f}" + (f"  {sets}" if sets else ""), flush=True)
    return frames, video, wall, cpu


def case_parser(doc: str, default_cases: tuple[str, ...]) -> argparse.ArgumentParser:
    """The command line of a render benchmark: the cases (SCENE[:PRESET]) and the quality."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(default_cases))
    parser.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    return parser


def print_header(quality: str) -> None:
    """The quality, the machine's load, and :data:`HEADER`."""
    print(f"quality {QUALITIES[quality][1]}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(HEADER)


def main() -> int:
    args = case_parser(__doc__, DEFAULT_CASES).parse_args()
    print_header(args.quality)
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as tmp:
        for case in args.cases:
            report(case, args.quality, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
