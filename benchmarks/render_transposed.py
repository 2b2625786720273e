"""Render speed of the transposed-conv and ambiguity scenes at 1080p60: frames, video s, wall s, CPU s.

    .venv/bin/python benchmarks/render_transposed.py [-q h] [SCENE[:PRESET] ...]

The measurement and the table are benchmarks/render_conv.py's (reused, with these scenes as the default cases);
figures only, nothing is asserted. Faster than real time on 2 cores: x realtime >= 0.5 per process.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_conv  # noqa: E402

render_conv.DEFAULT_CASES = (
    "TransposedConvScatter",
    "TransposedConvAsConv:padding_strides_odd_transposed",
    "TransposedConvMatrix",
    "OutputPaddingAmbiguity",
)

if __name__ == "__main__":
    sys.exit(render_conv.main())
