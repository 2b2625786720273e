"""Each scene's largest accepted case (tests/largest_cases.py, the cases tests/test_scene_largest.py renders)
rendered at 480p15: frames, video seconds, wall seconds, CPU seconds. Issue #9's budget: under a minute each.

    .venv/bin/python benchmarks/largest.py [-q l] [SCENE ...]

Figures only; nothing is asserted. The row format is benchmarks/render_conv.py's; the case's overrides end
the row. The search for the cases (dry runs) is timed apart, in CPU seconds, on the last line.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from largest_cases import largest_case  # noqa: E402
from render_conv import case_parser, print_header, report  # noqa: E402

from scenes.catalog import available_scenes  # noqa: E402

BUDGET = 60.0  # seconds (wall or CPU) per render at 480p15 (issue #9)


def main() -> int:
    parser = case_parser(__doc__, tuple(available_scenes()))
    parser.set_defaults(quality="l")
    args = parser.parse_args()
    print_header(args.quality)
    over, searching = [], 0.0
    with tempfile.TemporaryDirectory(prefix="convviz-largest-") as tmp:
        for scene in args.cases:
            start = time.process_time()
            case = largest_case(scene)
            searching += time.process_time() - start
            name = scene + (f":{case.preset}" if case.preset else "")
            _, _, wall, cpu = report(name, args.quality, Path(tmp), case.overrides)
            if max(wall, cpu) > BUDGET:  # wall time grows with the load; CPU time is the render's own
                over.append(name)
    print(f"over {BUDGET:.0f} s: {', '.join(over) or 'none'}; finding the cases took {searching:.0f} CPU s "
          f"(load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
