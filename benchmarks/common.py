"""What the render benchmarks share: frames and duration of a rendered video (the scripts import it by name,
as they run from this folder)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def probe(path: Path) -> tuple[int, float]:
    """(frames, seconds) of a video, from ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=nb_read_frames:format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    return int(info["streams"][0]["nb_read_frames"]), float(info["format"]["duration"])
