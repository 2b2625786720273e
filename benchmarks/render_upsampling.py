"""Render speed of the going-up scenes at 1080p60: frames, video s, wall s, frames per CPU second.

    .venv/bin/python benchmarks/render_upsampling.py [-q h] [SCENE[:PRESET] ...]

The measurement and the table are benchmarks/render_conv.py's (reused, with these four scenes, defaults, as the
cases); figures only, nothing is asserted. Target: >= 30 frames per CPU second.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_conv  # noqa: E402

render_conv.DEFAULT_CASES = ("CheckerboardArtifacts", "UpsamplingMethods", "PoolingUnpooling", "ReceptiveField")

if __name__ == "__main__":
    sys.exit(render_conv.main())
