"""Issue #9: the largest values a scene accepts render at ``-q l`` in under a minute.

Each scene's largest accepted case (tests/largest_cases.py finds it: every numeric parameter raised while the
scene accepts it and the render gets no lighter, presets as candidates) is rendered for real, as a user runs
``convviz render ... -q l``, in its own process. The render must exit 0 and leave its mp4; over 300 s it fails
as a hang. Its time is measured, not asserted (the guide forbids timed asserts): a case over a minute is named
in a warning. benchmarks/largest.py prints the same cases' figures.

Too slow for ``make test`` (760 CPU s measured: about half finding the cases by dry runs, a third rendering, the
rest starting the processes; 6 to 7 minutes with ``-n 2`` on two free cores), so it runs when asked:
``CONVVIZ_LARGEST=1 python -m pytest -n 2 tests/test_scene_largest.py``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from largest_cases import largest_case

from scenes.catalog import available_scenes

pytestmark = [pytest.mark.render, pytest.mark.largest,
              pytest.mark.skipif(os.environ.get("CONVVIZ_LARGEST") != "1",
                                 reason="renders every scene's largest case (minutes): set CONVVIZ_LARGEST=1")]
BUDGET = 60.0  # seconds at -q l (issue #9); over it, a warning
HANG = 300.0  # seconds; over it, the render counts as hung
ROOT = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@pytest.mark.parametrize("scene", available_scenes())
def test_the_largest_case_renders(scene, tmp_path):
    case = largest_case(scene)
    what = f"{scene} ({case.label()})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "scenes.cli", "render", *case.argv(), "-q", "l", "--out", str(tmp_path / "out")]
    start, cpu = time.perf_counter(), _children_cpu()
    try:
        run = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=HANG, env=env, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} hangs: no video after {HANG:.0f} s at -q l")
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    assert run.returncode == 0, f"{what}: exit {run.returncode}\n{run.stderr[-3000:]}"
    video = Path(run.stdout.strip().splitlines()[-1])
    assert video.suffix == ".mp4" and video.is_file() and video.stat().st_size > 0, run.stdout
    if max(seconds, cpu) > BUDGET:  # CPU seconds: what the render costs on a machine nothing else shares
        warnings.warn(f"{what} took {seconds:.0f} s ({cpu:.0f} CPU s) at -q l: issue #9 asks for under "
                      f"{BUDGET:.0f} s")
