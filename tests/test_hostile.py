"""Hostile values for every parameter of every scene (scenes added later included: the catalogue is iterated):
`convviz render SCENE --check --set name=value` exits 0 or 2, never a traceback, and writes nothing.

Negative, zero, huge, a float where an int is expected, NaN, inf, empty, ragged lists, deep nesting, text,
unreadable paths, unknown keys. Each call's time is measured and counted (a warning names any over a second;
no timing assert). A parameter whose declaration has no range is reported; huge values are then not tried
(they would only find out how much memory the machine has).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenes import catalog
from scenes.cli import main

SCENES = catalog.available_scenes()
PAIRS = [(scene, p.name) for scene in SCENES for p in catalog.scene_class(scene).PARAMS]
LIMIT_SECONDS = 30  # a call still running after this is reported as hanging (the budget is a second)

# Always tried: refused by the parser, or small numbers a scene must refuse in one sentence itself.
SHAPES = [
    "-1", "0", "-3", "1", "2", "2.5", "-0.5", "1.0", "nan", "NaN", "inf", "-inf", "Infinity", "1e999", "", " ",
    "[]", "[[]]", "[1,2]", "[[1,2],[3]]", "[[1,2],[3,4,5]]", "[[[1]]]", "[[1,\"a\"]]", "[[nan]]", "[[1e999]]",
    "[[-1,-2],[-3,-4]]", "[[0.5,1],[2,3]]", "[[0]]", "[" * 5000, "]", "1,,2", "1,2,3,4,5,6,7,8,9", "-1,-2",
    "abc", "true", "false", "none", "null", "{}", '{"a": 1}', "\x00", "é", "same", "valid", "full", "~nobody/x.npy",
]
# Tried once the declaration bounds the parameter.
HUGE = ["1000", "65536", "1e9", "999999999999", "9" * 400, "1" * 5000,
        json.dumps([[1] * 64] * 64), json.dumps([list(range(300))] * 300), ",".join(["1"] * 1000)]
TIMES: list[tuple[float, str]] = []


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> list[str]:
    """Paths a data parameter must refuse in one sentence: missing, a folder, a pipe, a device, empty, corrupt,
    the wrong suffix, an array of the wrong shape."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "folder.npz").mkdir()
    os.mkfifo(folder / "pipe.npy")
    (folder / "empty.npy").write_bytes(b"")
    (folder / "corrupt.npz").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    (folder / "corrupt.npy").write_bytes(b"\x93NUMPY\x01\x00garbage")
    (folder / "table.csv").write_text("1,2\n3,4\n")
    np.save(folder / "flat.npy", np.zeros((3, 4)))
    np.save(folder / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    names = ["missing.npy", "folder.npz", "pipe.npy", "empty.npy", "corrupt.npz", "corrupt.npy", "table.csv",
             "flat.npy", "objects.npy"]
    return [str(folder / name) for name in names] + ["/dev/zero", "/dev/null.npy"]


@pytest.fixture(scope="module", autouse=True)
def timing_report():
    """After the module: how many --check calls, how long, how many over a second (a warning, not an assert)."""
    yield
    if TIMES:
        seconds = sorted(t for t, _ in TIMES)
        slow = [what for t, what in TIMES if t > 1.0]
        warnings.warn(f"hostile --check: {len(seconds)} calls, median {1000 * seconds[len(seconds) // 2]:.1f} ms, "
                      f"max {seconds[-1]:.2f} s, {len(slow)} over 1 s{': ' + '; '.join(slow[:5]) if slow else ''}")


class Hung(Exception):
    pass


def _hung(signum, frame):
    raise Hung()


def run_check(argv: list[str], out: Path) -> tuple[int, str, str]:
    """``convviz render ... --check`` in this process: (exit status, stdout, stderr); timed."""
    stdout, stderr = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(LIMIT_SECONDS)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["render", *argv, "--check", "--out", str(out)])
    except SystemExit as exit:  # argparse
        code = exit.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    TIMES.append((time.perf_counter() - start, " ".join(argv)[:80]))
    return code, stdout.getvalue(), stderr.getvalue()


def problem(scene: str, argv: list[str], out: Path) -> str:
    """'' if ``--check`` with ``argv`` exits 0 or 2 with one sentence and writes nothing; else what went wrong."""
    shown = f"{scene} {' '.join(argv)[:100]!r}"
    try:
        code, stdout, stderr = run_check([scene, *argv], out)
    except Hung:
        return f"{shown}: still validating after {LIMIT_SECONDS} s"
    except Exception as error:  # noqa: BLE001 - what the test looks for
        return f"{shown}: traceback ({type(error).__name__}: {str(error)[:150]})"
    if out.exists():
        return f"{shown}: --check wrote {out}"
    if code == 0:
        return "" if stdout.startswith("ok: would write ") else f"{shown}: exit 0 without 'ok'"
    lines = stderr.strip().splitlines()
    if code != 2 or len(lines) != 1 or not lines[0].startswith("convviz: ") or "Traceback" in stderr:
        return f"{shown}: exit {code} with {stderr.strip()[:200]!r} (want exit 2 and one line)"
    return ""


def hostile_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SHAPES + HUGE),
        st.integers(-10**12, 10**12).map(str),
        st.floats().map(repr),
        st.text(max_size=30),
        st.lists(st.lists(st.integers(-10**6, 10**6), max_size=5), max_size=5).map(json.dumps),
        st.lists(st.floats(), max_size=5).map(lambda v: ",".join(map(repr, v))),
    )


@pytest.mark.parametrize("scene, name", PAIRS, ids=[f"{s}-{n}" for s, n in PAIRS])
def test_hostile_values_exit_0_or_2_with_one_sentence(scene, name, hostile_files, tmp_path):
    param = next(p for p in catalog.scene_class(scene).PARAMS if p.name == name)
    out = tmp_path / "never-written"
    gaps = param.missing_bounds()
    values = SHAPES + hostile_files + ([] if gaps else HUGE)
    problems = [p for value in values if (p := problem(scene, ["--set", f"{name}={value}"], out))]
    if not gaps:
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(hostile_values())
        def sweep(value: str) -> None:
            found = problem(scene, ["--set", f"{name}={value}"], out)
            assert not found, found
        try:
            sweep()
        except AssertionError as error:
            problems.append(str(error).splitlines()[0])
    if gaps:
        problems.append(f"{scene}.{name} declares no range ({', '.join(gaps)}): huge values not tried")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("scene", SCENES)
def test_unknown_keys_presets_and_options_exit_2(scene, tmp_path):
    out = tmp_path / "never-written"
    for argv in (["--set", "no_such_parameter=1"], ["--set", "=1"], ["--set", "stride"], ["--preset", "no_such"],
                 ["--format", "mp4", "--transparent"], ["--format", "png", "--sections"]):
        assert not problem(scene, argv, out) and run_check([scene, *argv], out)[0] == 2, argv
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert run_check([scene], blocker / "renders")[0] == 2, "--out under a file"
    code, stdout, _ = run_check([scene], out)
    assert code == 0 and stdout.startswith("ok: would write ") and not out.exists()


@pytest.mark.parametrize("argv, code, words", [
    (["ConvArithmetic", "--set", "stride=nan"], 2, "stride"),
    (["ConvArithmetic", "--set", "input=[[1,2],[3]]"], 2, "rows of different lengths"),
    (["ConvArithmetic", "--set", "kernel_size=-3"], 2, "kernel_size"),
    (["NoSuchScene"], 2, "is unknown"),
    (["ConvArithmetic", "--set", "stride=2"], 0, "ok: would write"),
])
def test_the_command_as_a_user_runs_it(tmp_path, argv, code, words):
    """A few real processes: the exit status and the one line a shell sees."""
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": str(here.parent)}
    run = subprocess.run([sys.executable, "-m", "scenes.cli", "render", *argv, "--check", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert run.returncode == code, run.stderr
    shown = run.stdout if code == 0 else run.stderr
    assert len(shown.strip().splitlines()) == 1 and words in shown and "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()
