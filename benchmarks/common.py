"""What the benchmarks share: frames and duration of a rendered video, the best time of a few calls (the
scripts import it by name, as they run from this folder)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path


def probe(path: Path) -> tuple[int, float]:
    """(frames, seconds) of a video, from ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=nb_read_frames:format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    return int(info["streams"][0]["nb_read_frames"]), float(info["format"]["duration"])


def best_of(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
