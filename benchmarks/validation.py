"""How long `convviz render SCENE --check --set name=value` takes with hostile values, per scene: calls, median,
99th percentile, slowest, and how many took over a second (the budget). In-process, as the hostile test runs it.

    python benchmarks/validation.py                # every built scene, every parameter
    python benchmarks/validation.py --only ConvArithmetic,VAELoss
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

from scenes import catalog
from scenes.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_hostile import HUGE, SHAPES  # noqa: E402  (the same values the test tries)


def check_seconds(scene: str, name: str, value: str, out: Path) -> tuple[float, int | str]:
    """Seconds one --check call takes and its exit status (or the exception a declaration let through)."""
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code: int | str = main(["render", scene, "--set", f"{name}={value}", "--check", "--out", str(out)])
    except Exception as error:  # noqa: BLE001 - counted, not raised: the test names them
        code = type(error).__name__
    return time.perf_counter() - start, code


def main_(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated scene names")
    args = parser.parse_args(argv)
    scenes = args.only.split(",") if args.only else catalog.available_scenes()
    out = Path(tempfile.mkdtemp(prefix="convviz-bench-")) / "never"
    print(f"{'scene':24s} {'calls':>6s} {'median ms':>10s} {'p99 ms':>8s} {'max s':>7s} {'>1 s':>5s}  exits")
    every: list[float] = []
    for scene in scenes:
        params = catalog.scene_class(scene).PARAMS
        bounded = {p.name: not p.missing_bounds() for p in params}
        runs = [check_seconds(scene, p.name, v, out) for p in params
                for v in SHAPES + (HUGE if bounded[p.name] else [])]
        seconds = sorted(t for t, _ in runs)
        every += seconds
        exits: dict[str, int] = {}
        for _, code in runs:
            exits[str(code)] = exits.get(str(code), 0) + 1
        print(f"{scene:24s} {len(seconds):6d} {1000 * seconds[len(seconds) // 2]:10.1f} "
              f"{1000 * seconds[int(0.99 * (len(seconds) - 1))]:8.1f} {seconds[-1]:7.2f} "
              f"{sum(t > 1 for t in seconds):5d}  {exits}")
    every.sort()
    print(f"{'all':24s} {len(every):6d} {1000 * every[len(every) // 2]:10.1f} "
          f"{1000 * every[int(0.99 * (len(every) - 1))]:8.1f} {every[-1]:7.2f} {sum(t > 1 for t in every):5d}")


if __name__ == "__main__":
    main_()
