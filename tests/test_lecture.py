"""`convviz lecture`: playlist validation, a parallel batch with a failure, atomic outputs, skipping, index."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Iterator

import pytest

from scenes import catalog
from scenes.cli import main
from scenes import lecture
from scenes.lecture import DEFAULT_PLAYLIST, PlaylistError, code_files, load_playlist
from tiny_scenes import register_tiny

pytestmark = pytest.mark.xdist_group("lecture")


def write_playlist(folder: Path, body: str) -> Path:
    path = folder / "playlist.toml"
    path.write_text('title = "Tiny lecture"\n' + body)
    return path


def entry(title: str, extra: str = "", scene: str = "TinyBeats") -> str:
    return f'\n[[scenes]]\nscene = "{scene}"\ntitle = "{title}"\n{extra}\n'


def ffprobe(path: Path, entries: str) -> str:
    return subprocess.run(["ffprobe", "-v", "error", "-show_entries", entries, "-of", "csv=p=0", str(path)],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(autouse=True)
def tiny(monkeypatch):
    register_tiny(monkeypatch)


@pytest.mark.parametrize(
    "body, expected",
    [
        (entry("a", 'params = { speed = 2 }'), r"entry 1 \(TinyBeats\): 'speed' is not a parameter of TinyBeats"),
        (entry("a", 'params = { beats = "many" }'), r"entry 1 \(TinyBeats\): beats='many' is not an integer"),
        (entry("a", 'params = { kernel = 9 }'), r"entry 1 \(TinyBeats\): .*kernel.*9"),
        (entry("a", 'preset = "huge"'), r"entry 1 \(TinyBeats\): preset='huge' is not a preset of TinyBeats"),
        (entry("a", scene="Nope"), r"entry 1 \(Nope\): scene 'Nope' is unknown"),
        (entry("a", 'colour = "red"'), r"entry 1 \(TinyBeats\): 'colour' is not an entry key"),
        (entry("a", 'no_title = "yes"'), r"entry 1 \(TinyBeats\): no_title='yes' is not true or false"),
        ('\n[[scenes]]\nscene = "TinyBeats"\n', r"entry 1 \(TinyBeats\): title is missing"),
        ('\n[[scenes]]\nscene = "TinyBeats"\ntitle = 3\n', r"entry 1 \(TinyBeats\): title=3 is not text"),
        ("[[scenes]\n", r"playlist.toml is not valid TOML"),
        ('speed = 1\n', r"'speed' is not a playlist key"),
    ],
)
def test_a_bad_playlist_is_one_clear_line_and_exit_2(tmp_path, capsys, body, expected):
    out = tmp_path / "out"
    code = main(["lecture", "--playlist", str(write_playlist(tmp_path, body)), "--out", str(out), "-q", "l"])
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(expected, err), err
    assert "Traceback" not in err
    assert not out.exists()


def test_jobs_must_be_positive(tmp_path, capsys):
    args = ["lecture", "--playlist", str(write_playlist(tmp_path, entry("a"))), "--out", str(tmp_path / "o")]
    assert main(args + ["--jobs", "0"]) == 2
    assert capsys.readouterr().err.strip() == "convviz: jobs=0 is not allowed: give 1 or more processes."
    assert not (tmp_path / "o").exists()


def test_every_problem_is_reported_before_anything_renders(tmp_path, capsys):
    body = entry("ok") + entry("bad type", 'params = { beats = "x" }') + entry("refused", 'params = { kernel = 9 }')
    assert main(["lecture", "--playlist", str(write_playlist(tmp_path, body)), "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [re.search(r"entry \d", line).group() for line in lines] == ["entry 2", "entry 3"]


def test_a_scene_not_built_yet_is_an_error_in_a_user_playlist(tmp_path, monkeypatch):
    monkeypatch.setitem(catalog.SCENES, "Ghost", "scenes.ghost_scene_not_written")
    with pytest.raises(PlaylistError, match=r"entry 1 \(Ghost\): scene 'Ghost' is not built yet"):
        load_playlist(write_playlist(tmp_path, entry("boo", scene="Ghost")))


def test_a_scene_whose_code_is_broken_is_one_line_too(tmp_path, monkeypatch):
    (tmp_path / "broken_scene.py").write_text("from scenes.components import NoSuchComponent\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(catalog.SCENES, "Broken", "broken_scene")
    with pytest.raises(PlaylistError, match=r"entry 1 \(Broken\): scene 'Broken' cannot be loaded \(ImportError: "):
        load_playlist(write_playlist(tmp_path, entry("oops", scene="Broken")))


def test_every_scene_is_in_a_built_in_playlist_and_the_default_validates():
    playlists = lecture.builtin_playlists()
    assert "day1" in playlists and DEFAULT_PLAYLIST == playlists["day1"]
    named = set()
    for path in playlists.values():
        data = tomllib.loads(path.read_text())
        assert data["title"].strip() and all(e["title"].strip() for e in data["scenes"])
        named |= {e["scene"] for e in data["scenes"]}
    assert set(catalog.SCENES) - {"TinyBeats"} <= named, "every DESIGN.md scene is in a built-in playlist"
    playlist = load_playlist()  # validates every built scene's parameters; the rest are skipped
    scenes = [e["scene"] for e in tomllib.loads(DEFAULT_PLAYLIST.read_text())["scenes"]]
    built = set(catalog.available_scenes())
    assert {e.scene for e in playlist.entries} == built & set(scenes)
    assert len(playlist.skipped) == sum(s not in built for s in scenes)
    assert [e.scene for e in load_playlist("day1").entries] == [e.scene for e in playlist.entries]


@pytest.fixture
def builtin_folder(tmp_path, monkeypatch):
    """An empty folder of built-in playlists in place of scenes/playlists/."""
    folder = tmp_path / "builtin"
    folder.mkdir()
    monkeypatch.setattr(lecture, "PLAYLISTS", folder)
    return folder


def test_a_built_in_playlist_is_found_by_name_and_skips_scenes_not_built_yet(builtin_folder, monkeypatch, capsys):
    monkeypatch.setitem(catalog.SCENES, "Ghost", "scenes.ghost_scene_not_written")
    write_playlist(builtin_folder, entry("boo", scene="Ghost") + entry("Two beats")).rename(builtin_folder / "extra.toml")
    playlist = load_playlist("extra")
    assert [e.scene for e in playlist.entries] == ["TinyBeats"] and playlist.entries[0].number == 2
    assert playlist.skipped == ["Ghost: not built yet, skipped"]
    assert main(["lecture", "--playlist", "extra", "--check", "--out", str(builtin_folder / "o")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["Ghost: not built yet, skipped",
                                f"ok: 1 scenes of 'Tiny lecture' would render into {builtin_folder / 'o'} at 1080p60."]
    assert not (builtin_folder / "o").exists()


def test_a_built_in_playlist_with_nothing_built_is_one_line(builtin_folder, monkeypatch, capsys):
    monkeypatch.setitem(catalog.SCENES, "Ghost", "scenes.ghost_scene_not_written")
    write_playlist(builtin_folder, entry("boo", scene="Ghost")).rename(builtin_folder / "later.toml")
    assert main(["lecture", "--playlist", "later", "--check"]) == 2
    assert capsys.readouterr().err.strip() == "convviz: later.toml: none of its scenes is built yet (Ghost)."


def test_an_unknown_playlist_name_lists_the_built_in_ones(capsys):
    assert main(["lecture", "--playlist", "day9", "--check"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("convviz: playlist 'day9' is not a built-in playlist: use one of ") and "day1" in err
    assert err.endswith("or give the path of a .toml file.") and "\n" not in err


def test_a_path_is_still_a_playlist(tmp_path, capsys):
    path = write_playlist(tmp_path, entry("Two beats"))
    assert main(["lecture", "--playlist", str(path), "--check", "-q", "m", "--out", str(tmp_path / "o")]) == 0
    assert "ok: 1 scenes of 'Tiny lecture' would render into" in capsys.readouterr().out
    assert load_playlist(path).entries[0].title == "Two beats"


def test_a_lecture_at_another_quality_is_pointed_out_and_kept(tmp_path, capsys, monkeypatch):
    """After a 720p lecture, a default run renders 1080p60 files beside it, not over it, and says so."""
    out = tmp_path / "lecture"
    out.mkdir()
    (out / "01-TinyBeats_720p30.mp4").write_bytes(b"made earlier")
    monkeypatch.setattr(lecture, "run_batch", lambda entries, out_dir, options, **kw: [])
    assert main(["lecture", "--playlist", str(write_playlist(tmp_path, entry("a"))), "--out", str(out)]) == 0
    assert f"note: {out} holds this playlist at 720p30 (-q m); this run renders it at 1080p60 beside it." in \
        capsys.readouterr().out
    entry_ = load_playlist(tmp_path / "playlist.toml").entries[0]
    assert lecture.output_path(out, entry_, lecture.RenderOptions()).name == "01-TinyBeats_1080p60.mp4"
    assert lecture.output_path(out, entry_, lecture.RenderOptions("m", theme="dark")).name == \
        "01-TinyBeats_720p30_dark.mp4"


def listing(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_up_to_date_follows_the_code_a_scene_imports():
    files = {p.relative_to(p.parents[1]).as_posix() for p in code_files("tiny_scenes")}
    assert {"tests/tiny_scenes.py", "scenes/base.py", "scenes/theme.py", "convmath/arithmetic.py"} <= files
    assert not files & {"scenes/lecture.py", "scenes/cli.py", "scenes/slides.py"}


def test_a_parallel_batch_survives_a_failure_then_skips_and_forces(tmp_path, capsys, monkeypatch):
    # Colleagues edit the shared tree while tests run: pin the code hash (its inputs are tested above).
    monkeypatch.setattr(lecture, "code_hash", lambda module: "pinned")
    body = entry("Two beats") + entry("Doomed", "params = { fail = true }") + entry("Three beats", 'preset = "three"')
    playlist = write_playlist(tmp_path, body)
    out = tmp_path / "lecture"
    args = ["lecture", "--playlist", str(playlist), "--out", str(out), "--jobs", "2", "-q", "l"]

    assert main(args) == 1
    printed = capsys.readouterr().out
    assert "2 rendered, 0 up to date, 1 failed" in printed
    assert "failed: 02-TinyBeats (Doomed): RuntimeError: TinyBeats was asked to fail" in printed
    assert re.search(r"\[\d/3\] rendering now: 01-TinyBeats, 02-TinyBeats", printed)
    files = listing(out)
    assert {"01-TinyBeats_480p15.mp4", "03-TinyBeats_480p15.mp4", "index.html"} <= set(files)
    assert not any(name.startswith("02-") for name in files), "a failed scene leaves no output"
    assert not any(".tmp-" in str(p) for p in out.rglob("*")), "no temporary files left"
    assert len(list((out / "03-TinyBeats_480p15.sections").glob("*.mp4"))) == 3, "one clip per beat"

    index = (out / "index.html").read_text()
    for name, title, beats in (("01-TinyBeats_480p15.mp4", "Two beats", 2), ("03-TinyBeats_480p15.mp4", "Three beats", 3)):
        assert ffprobe(out / name, "stream=codec_name,pix_fmt") == "h264,yuv420p"  # plays in PowerPoint, browsers
        seconds = float(ffprobe(out / name, "format=duration"))
        assert seconds == pytest.approx(0.4 * beats, abs=0.15)  # each beat plays for 0.4 s
        shown = re.search(rf"{title} <span class=\"len\">0:(\d\d\.\d)</span>.*?src=\"{name}\"", index, re.S)
        assert shown and float(shown.group(1)) == pytest.approx(seconds, abs=0.05)
    assert "Doomed" in index and "failed" in index

    fixed = write_playlist(tmp_path, entry("Two beats") + entry("Three beats", 'preset = "three"'))
    again = ["lecture", "--playlist", str(fixed), "--out", str(out), "--jobs", "2", "-q", "l"]
    assert main(again) == 0
    assert "1 rendered, 1 up to date, 0 failed" in capsys.readouterr().out
    assert listing(out)["01-TinyBeats_480p15.mp4"] == files["01-TinyBeats_480p15.mp4"], "up to date: not rendered again"

    assert main(again + ["--force"]) == 0
    assert "2 rendered, 0 up to date" in capsys.readouterr().out
    assert listing(out)["01-TinyBeats_480p15.mp4"] != files["01-TinyBeats_480p15.mp4"]
    assert not any(".tmp-" in str(p) for p in out.rglob("*"))


def start_slow_batch(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """`convviz lecture` in its own process group, a quick entry and a slow one, returned once the quick one is
    written and the slow one is rendering. Temporary folders go to ``tmp_path / "tmp"``."""
    playlist = write_playlist(tmp_path, entry("Quick", "params = { beats = 1 }") + entry("Slow", "params = { beats = 60 }"))
    out = tmp_path / "out"
    program = (
        "import sys\nfrom scenes import catalog\ncatalog.SCENES['TinyBeats'] = 'tiny_scenes'\n"
        "from scenes.cli import main\n"
        f"sys.exit(main(['lecture', '--playlist', {str(playlist)!r}, '--out', {str(out)!r}, '--jobs', '2',"
        " '-q', 'l']))\n"
    )
    here = Path(__file__).parent
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), str(here)]), "TMPDIR": str(tmp_path / "tmp")}
    run = subprocess.Popen([sys.executable, "-c", program], env=env, start_new_session=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "01-TinyBeats_480p15.mp4").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the slow one is rendering now
    return run, out


def assert_nothing_half_written(out: Path, tmp: Path) -> None:
    names = {p.name for p in out.rglob("*")}
    assert "01-TinyBeats_480p15.mp4" in names
    assert not any(name.startswith(("02-", ".02-")) for name in names), names
    assert not any(".tmp-" in name for name in names)
    assert not list(tmp.glob("convviz-*")), "the workers' temporary folders are removed"


@contextlib.contextmanager
def slow_batch(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """:func:`start_slow_batch`; whatever the test finds, its process group is killed at the end."""
    run, out = start_slow_batch(tmp_path)
    try:
        yield run, out
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()


def finish(run: subprocess.Popen) -> tuple[str, str]:
    """The batch's output once it has exited (the parent within 60 s; its pipes closed by every worker)."""
    run.wait(timeout=60)
    return run.communicate(timeout=30)


def test_ctrl_c_keeps_finished_videos_and_writes_no_broken_one(tmp_path):
    with slow_batch(tmp_path) as (run, out):
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        stdout, stderr = finish(run)
    assert run.returncode == 130, stdout + stderr
    assert "rendering now: 01-TinyBeats, 02-TinyBeats" in stdout, "the slow one was rendering"
    assert stderr.strip() == "convviz: interrupted; finished files are kept, unfinished ones were not written."
    assert_nothing_half_written(out, tmp_path / "tmp")


def descendants(pid: int) -> set[int]:
    """The running processes below ``pid`` (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, p in parents.items() if p == parent}
        found |= children
        todo += children
    return found


def running(pid: int) -> bool:
    """``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_the_workers_too(tmp_path):
    """`kill <pid>` (what a CI timeout or a process manager sends) on the batch: workers stopped, nothing left."""
    with slow_batch(tmp_path) as (run, out):
        workers = descendants(run.pid)
        assert len(workers) >= 2, "two workers were rendering"
        os.kill(run.pid, signal.SIGTERM)  # the parent only, as `kill <pid>` does
        try:
            stdout, stderr = finish(run)
        except subprocess.TimeoutExpired:
            pytest.fail("the batch's output stayed open: its workers kept running")
        deadline = time.monotonic() + 15
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if running(pid)], "no process is left behind"
    assert run.returncode == 143, stdout + stderr
    assert stderr.strip() == "convviz: terminated; finished files are kept, unfinished ones were not written."
    assert_nothing_half_written(out, tmp_path / "tmp")


def test_sigterm_on_a_single_render_removes_its_temporary_folder(tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    program = ("import sys\nfrom scenes import catalog\ncatalog.SCENES['TinyBeats'] = 'tiny_scenes'\n"
               "from scenes.cli import main\n"
               f"sys.exit(main(['render', 'TinyBeats', '--set', 'beats=60', '-q', 'l', '--out', {str(out)!r}]))\n")
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), str(here)]), "TMPDIR": str(tmp)}
    run = subprocess.Popen([sys.executable, "-c", program], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp.glob("convviz-*/videos")) and time.monotonic() < deadline:
            time.sleep(0.1)  # manim has started writing frames
        time.sleep(1.0)
        run.terminate()
        stdout, stderr = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == 143, stderr
    assert stderr.strip() == "convviz: terminated; finished files are kept, unfinished ones were not written."
    assert not out.exists() and not list(tmp.iterdir())


def test_an_entry_can_leave_its_title_and_caption_out(tmp_path, capsys):
    """``no_title = true`` in one entry: that file says so, the other entry keeps the batch's options."""
    body = entry("a", "no_title = true\nno_caption = true") + entry("b")
    argv = ["lecture", "--playlist", str(write_playlist(tmp_path, body)), "--out", str(tmp_path / "o"), "-q", "l",
            "--check"]
    assert main(argv) == 0
    playlist = lecture.load_playlist(tmp_path / "playlist.toml")
    first, second = (lecture.entry_options(e, lecture.RenderOptions("l")) for e in playlist.entries)
    assert (first.titles, first.captions, second.titles, second.captions) == (False, False, True, True)
    assert lecture.output_path(tmp_path, playlist.entries[0], first).name == "01-TinyBeats_480p15_notitle_nocaption.mp4"
