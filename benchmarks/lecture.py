"""Render the default lecture and print how fast: video seconds, wall seconds, realtime factor, fps per scene,
peak memory. Targets on 2 cores: the whole lecture at 480p15 in under a minute; realtime >= 1 at 1080p60.

    python benchmarks/lecture.py                 # 480p15, --jobs 2
    python benchmarks/lecture.py --qualities l,h # and 1080p60 (takes a while)
    python benchmarks/lecture.py --qualities h --only ConvolutionNumbers,ConvArithmetic
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from scenes.lecture import RenderOptions, load_playlist, run_batch, video_duration
from scenes.render import QUALITIES


def _tree_rss_kib(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (Linux /proc), in KiB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


class PeakMemory:
    """Samples the process tree's memory twice a second; ``peak`` is the largest sum seen, in MiB."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, _tree_rss_kib(os.getpid()) / 1024)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench(quality: str, jobs: int, only: set[str], keep: str | None) -> None:
    playlist = load_playlist()
    for line in playlist.skipped:
        print(f"  {line}")
    entries = [e for e in playlist.entries if not only or e.scene in only]
    fps = int(QUALITIES[quality][1].split("p")[1])
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as scratch, PeakMemory() as memory:
        out = Path(keep) / QUALITIES[quality][1] if keep else scratch
        start = time.perf_counter()
        results = run_batch(entries, out, RenderOptions(quality=quality), jobs=jobs, force=True,
                            log=lambda line: None)
        wall = time.perf_counter() - start
        print(f"\n{QUALITIES[quality][1]}, --jobs {jobs}: {len(results)} scenes")
        print(f"  {'scene':28s} {'video s':>8s} {'render s':>9s} {'frames/s':>9s}")
        video_total = 0.0
        for result in results:
            if result.path is None:
                print(f"  {result.entry.stem:28s} FAILED: {result.error}")
                continue
            video = video_duration(result.path) or 0.0
            video_total += video
            print(f"  {result.entry.stem:28s} {video:8.1f} {result.seconds:9.1f} {video * fps / result.seconds:9.1f}")
    print(f"  total video {video_total:.1f} s, wall {wall:.1f} s, realtime factor {video_total / wall:.2f}, "
          f"peak memory {memory.peak:.0f} MiB (all processes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qualities", default="l", help="comma-separated: l (480p15), h (1080p60) ... (default l)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated scene names (default: the whole lecture)")
    parser.add_argument("--keep", help="render into KEEP/<quality>/ and keep the videos (default: a temporary folder)")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    for quality in args.qualities.split(","):
        bench(quality.strip(), args.jobs, only, args.keep)


if __name__ == "__main__":
    main()
