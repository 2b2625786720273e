"""Render a lecture: a playlist of scenes, validated first, rendered in parallel processes, indexed.

A playlist is TOML::

    title = "Image generation, day 1"

    [[scenes]]
    scene = "ConvArithmetic"          # a name from `convviz list`
    title = "Stride 2 with padding"   # shown in the index and the slides
    preset = "padding_strides"        # optional
    notes = "Count the steps."        # optional speaker notes
    params = { dilation = 1 }         # optional, on top of the preset

Built-in playlists live in ``scenes/playlists/<name>.toml`` and are found by name (``day1``, the lecture, is
the default); any other playlist is given by its path.

Outputs are named ``<NN>-<Scene>_<quality>.<format>`` in the output folder (``01-ConvolutionNumbers_1080p60.mp4``;
a dark or transparent render says so too), the beats of a video in ``<NN>-<Scene>_<quality>.sections/``, so
renders at two qualities sit side by side. Each finished output gets a stamp (a hidden file) holding a hash of
the scene, its parameters, the render options and the code the scene imports; a later run skips outputs whose
stamp still matches, unless ``force``. SIGTERM stops a batch like Ctrl-C: the workers stop, nothing
half-written is left.
"""

from __future__ import annotations

import ast
import hashlib
import html
import importlib.util
import json
import multiprocessing
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import tomllib
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from convmath import ConvArithmeticError
from manim import tempconfig
from tqdm import tqdm

from . import catalog
from .params import ParamError
from .render import DEFAULT_QUALITY, QUALITIES, check_options, check_out_dir, options_tag, render_scene
from .stopping import stop_on_sigterm

__all__ = [
    "DEFAULT_PLAYLIST", "PLAYLISTS", "Entry", "Playlist", "PlaylistError", "RenderOptions", "Result", "TextSlide",
    "entry_options",
    "builtin_playlists", "find_playlist", "load_playlist", "output_path", "run_batch", "write_index", "summarize", "video_duration", "code_files", "code_hash",
    "write_atomic", "add_batch_options", "check_batch", "check_playlist", "render_playlist",
]

PLAYLISTS = Path(__file__).with_name("playlists")  # built-in playlists, found by name
DEFAULT_PLAYLIST = PLAYLISTS / "day1.toml"
ENTRY_KEYS = ("scene", "title", "preset", "params", "notes", "no_title", "no_caption")
TEXT_KEYS = ("title", "text", "notes")  # an entry with text and no scene: a slide of words
TOP_KEYS = ("title", "scenes")
# Packages whose code decides what a video shows (followed through imports for the up-to-date check).
CODE_PACKAGES = ("convmath", "scenes")
SECTION_FORMATS = ("mp4", "webm", "mov")
# x264's "veryfast" preset: at 1080p60 about 2.4x faster than manim's default (medium), same crf, files no
# larger on these flat-colour scenes; still H.264 High, yuv420p (PowerPoint, Keynote, browsers).
ENCODER_OPTIONS = {"mp4": {"crf": "23", "preset": "veryfast"}}
STOP_SECONDS = 10.0  # a stopped worker gets this long to clean up before it is killed


class PlaylistError(ParamError):
    """A playlist that cannot render: one line per problem, each naming the entry and the value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Entry:
    """One playlist line, its parameters resolved and checked."""

    number: int
    scene: str
    title: str
    preset: str | None
    overrides: dict[str, Any]
    params: dict[str, Any]
    notes: str = ""
    no_title: bool = False    # leave the scene's heading out (the slide gives one), whatever the batch says
    no_caption: bool = False

    @property
    def stem(self) -> str:
        """The output file name without suffix: '03-TransposedConvScatter'."""
        return f"{self.number:02d}-{self.scene}"


@dataclass(frozen=True)
class TextSlide:
    """A playlist entry with ``text`` instead of a scene: a slide of words in the decks (a question, a summary)."""

    number: int
    title: str
    text: str
    notes: str = ""


@dataclass
class Playlist:
    """A validated playlist; ``skipped`` says which default entries wait for scenes not built yet; ``texts`` are
    its text-only slides (their ``number`` places them among the scenes)."""

    title: str
    entries: list[Entry]
    skipped: list[str] = field(default_factory=list)
    texts: list[TextSlide] = field(default_factory=list)


@dataclass(frozen=True)
class RenderOptions:
    """How every entry of a batch renders."""

    quality: str = DEFAULT_QUALITY
    fmt: str = "mp4"
    theme: str = "light"
    transparent: bool = False
    titles: bool = True
    captions: bool = True

    @property
    def sections(self) -> bool:
        """Keep one clip per beat (for slides) where the format is a video manim can cut."""
        return self.fmt in SECTION_FORMATS

    @property
    def tag(self) -> str:
        """What the file names say about these options: '1080p60', '720p30_dark'."""
        return options_tag(self.quality, self.theme, self.transparent, self.titles, self.captions)


@dataclass
class Result:
    """What happened to one entry: 'rendered', 'up to date' or 'failed'."""

    entry: Entry
    status: str
    path: Path | None = None
    seconds: float = 0.0
    error: str = ""


def builtin_playlists() -> dict[str, Path]:
    """The built-in playlists by name: {'day1': .../scenes/playlists/day1.toml, ...}."""
    return {path.stem: path for path in sorted(PLAYLISTS.glob("*.toml"))}


def find_playlist(name_or_path: Path | str | None = None) -> tuple[Path, bool]:
    """The file of a built-in playlist name or of a path (None: the lecture), and whether it is built in.

    A word without a folder or a suffix (``day1``, ``channels``) is a built-in name; anything else a path.
    """
    if name_or_path is None:
        return DEFAULT_PLAYLIST, True
    text = str(name_or_path)
    known = builtin_playlists()
    if text in known:
        return known[text], True
    path = Path(text)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text) or path.exists():
        return path, path.resolve().parent == PLAYLISTS.resolve()
    raise PlaylistError([f"playlist {text!r} is not a built-in playlist: use one of {', '.join(known)}, "
                         "or give the path of a .toml file."])


def load_playlist(name_or_path: Path | str | None = None) -> Playlist:
    """Read and validate a playlist: a built-in name, a path, or None for the lecture; PlaylistError lists
    every problem.

    In a built-in playlist, entries whose scene is not built yet are skipped (one line each in ``skipped``);
    in a user's playlist they are errors.
    """
    path, builtin = find_playlist(name_or_path)
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlaylistError([f"playlist {str(path)!r} does not exist: give the path of a .toml file."]) from None
    except OSError as error:
        raise PlaylistError([f"playlist {str(path)!r} cannot be read ({error.strerror}): give a .toml file."]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PlaylistError([f"{where} is not valid TOML: {error}."]) from None
    problems = [f"{where}: {key!r} is not a playlist key: use {' or '.join(TOP_KEYS)}."
                for key in data if key not in TOP_KEYS]
    raw_entries = data.get("scenes")
    if not isinstance(raw_entries, list) or not raw_entries or not all(isinstance(e, dict) for e in raw_entries):
        problems.append(f"{where} has no [[scenes]] entries: add at least one [[scenes]] table with scene and title.")
        raise PlaylistError(problems)
    entries, skipped, texts = [], [], []
    waiting = _not_built() if builtin else set()
    for number, raw in enumerate(raw_entries, start=1):
        if "text" in raw and "scene" not in raw:
            try:
                texts.append(_text_slide(number, raw))
            except ParamError as error:
                problems.append(f"{where}, entry {number} (text): {error}")
            continue
        if raw.get("scene") in waiting:
            skipped.append(f"{raw['scene']}: not built yet, skipped")
            continue
        label = f"{where}, entry {number}" + (f" ({raw['scene']})" if isinstance(raw.get("scene"), str) else "")
        try:
            entries.append(_entry(number, raw))
        except (ParamError, ConvArithmeticError) as error:
            problems.append(f"{label}: {error}")
    if problems:
        raise PlaylistError(problems)
    if not entries:
        raise PlaylistError([f"{where}: none of its scenes is built yet ({', '.join(sorted(waiting))})."])
    title = data.get("title", path.stem)
    return Playlist(title=str(title), entries=entries, skipped=skipped, texts=texts)


def _text_slide(number: int, raw: dict[str, Any]) -> TextSlide:
    for key in raw:
        if key not in TEXT_KEYS:
            raise ParamError(f"{key!r} is not a key of a text slide: use {', '.join(TEXT_KEYS)}.")
    for key in TEXT_KEYS:
        if key in raw and not isinstance(raw[key], str):
            raise ParamError(f"{key}={raw[key]!r} is not text: write it in quotes.")
    if not raw.get("title", "").strip():
        raise ParamError("title is missing: a text slide needs a title and its text.")
    return TextSlide(number, raw["title"].strip(), raw["text"].strip(), raw.get("notes", "").strip())


def _not_built() -> set[str]:
    """Catalogue scenes whose code does not exist yet (a scene whose code is broken is not one of them)."""
    waiting = set()
    for name in catalog.SCENES:
        try:
            catalog.scene_class(name)
        except ParamError:
            waiting.add(name)
        except ImportError:
            pass  # its entry reports it
    return waiting


def _entry(number: int, raw: dict[str, Any]) -> Entry:
    for key in raw:
        if key not in ENTRY_KEYS:
            raise ParamError(f"{key!r} is not an entry key: use {', '.join(ENTRY_KEYS)}.")
    for key in ("scene", "title"):
        if not str(raw.get(key, "")).strip():
            raise ParamError(f"{key} is missing: every entry needs a scene name and a title.")
    for key in ("scene", "title", "preset", "notes"):
        if key in raw and not isinstance(raw[key], str):
            raise ParamError(f"{key}={raw[key]!r} is not text: write it in quotes.")
    for key in ("no_title", "no_caption"):
        if key in raw and not isinstance(raw[key], bool):
            raise ParamError(f"{key}={raw[key]!r} is not true or false: write {key} = true.")
    overrides = raw.get("params", {})
    if not isinstance(overrides, dict):
        raise ParamError(f"params={overrides!r} is not a table: write params = {{ stride = 2 }}.")
    try:
        cls = catalog.scene_class(raw["scene"])
    except ImportError as error:
        raise ParamError(f"scene {raw['scene']!r} cannot be loaded ({type(error).__name__}: {error}).") from None
    params = cls.resolve(raw.get("preset"), overrides)
    return Entry(number, raw["scene"], raw["title"].strip(), raw.get("preset"), dict(overrides), params,
                 raw.get("notes", "").strip(), raw.get("no_title", False), raw.get("no_caption", False))


def code_files(module: str) -> set[Path]:
    """The source of ``module`` and of every convmath / scenes module it imports, transitively."""
    files: set[Path] = set()
    seen: set[str] = set()
    todo = [module, "scenes.render"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.has_location or not str(spec.origin).endswith(".py"):
            continue
        path = Path(spec.origin)
        files.add(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        parts = name.split(".")
        todo += [".".join(parts[:n]) for n in range(1, len(parts))]
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                found = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            todo += [n for n in found if n.split(".")[0] in CODE_PACKAGES]
    return files


def code_hash(module: str) -> str:
    """A hash of the code that draws ``module``'s scenes (see :func:`code_files`)."""
    digest = hashlib.sha256()
    for file in sorted(code_files(module)):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _stamp_key(entry: Entry, options: RenderOptions, code: str) -> str:
    what = {"scene": entry.scene, "params": entry.params, "options": options.__dict__,
            "sections": options.sections, "code": code}
    text = json.dumps(what, sort_keys=True, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_options(entry: Entry, options: RenderOptions) -> RenderOptions:
    """The batch's options with the entry's own ``no_title`` / ``no_caption``."""
    return replace(options, titles=options.titles and not entry.no_title,
                   captions=options.captions and not entry.no_caption)


def output_path(out_dir: Path, entry: Entry, options: RenderOptions) -> Path:
    """Where ``entry`` renders to: ``01-ConvolutionNumbers_1080p60.mp4``."""
    return out_dir / f"{entry.stem}_{options.tag}.{options.fmt}"


def _stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.stamp")


def _up_to_date(output: Path, key: str, options: RenderOptions) -> bool:
    stamp = _stamp_path(output)
    if not (output.exists() and stamp.exists()):
        return False
    if options.sections and not output.with_name(output.stem + ".sections").is_dir():
        return False
    return stamp.read_text().strip() == key


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a hidden temporary file beside ``path``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _Job:
    scene: str
    module: str
    params: dict[str, Any]
    output: Path  # the file it writes: renders/lecture/01-ConvolutionNumbers_1080p60.mp4
    options: RenderOptions


class _WorkerStop(SystemExit):
    """Raised in a worker by Ctrl-C or SIGTERM: its render unwinds (temporary files removed), then it exits."""


def _worker_stop(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGINT, _ignore)  # a second signal (Ctrl-C reaches the workers too) must not
    signal.signal(signal.SIGTERM, _ignore)  # interrupt the clean-up
    raise _WorkerStop(128 + signum)


def _ignore(signum: int, frame: Any) -> None:
    """A Python-level no-op (SIG_IGN would make a signal already on its way raise OSError)."""


def _worker_init() -> None:
    """Ctrl-C or SIGTERM stop a worker; its render was in a private temporary folder: nothing half-written.

    Manim's progress bars (tqdm) would make a named semaphore for a lock between processes; a stopped worker
    exits without its clean-up, which leaves that semaphore behind. A thread lock is all a worker needs.
    """
    signal.signal(signal.SIGINT, _worker_stop)
    signal.signal(signal.SIGTERM, _worker_stop)
    tqdm.set_lock(threading.RLock())


def _render_job(job: _Job) -> tuple[str, float]:
    """Worker process: render one entry; return the file written and the seconds it took."""
    catalog.SCENES.setdefault(job.scene, job.module)
    start = time.perf_counter()
    o = job.options
    try:
        with tempconfig({"video_encoder_options": ENCODER_OPTIONS[o.fmt]} if o.fmt in ENCODER_OPTIONS else {}):
            path = render_scene(job.scene, job.params, job.output.with_suffix(""), quality=o.quality, fmt=o.fmt,
                                theme=o.theme, transparent=o.transparent, sections=o.sections, titles=o.titles,
                                captions=o.captions)
    except _WorkerStop as stop:
        os._exit(int(stop.code))  # cleaned up on the way here; the batch is stopping: take no further job
    return str(path), time.perf_counter() - start


def _error_text(error: BaseException) -> str:
    if isinstance(error, BrokenProcessPool):
        return "the worker process died (out of memory or killed)"
    return f"{type(error).__name__}: {error}".splitlines()[0]


class _Progress:
    """Results as they come, one log line each: '[2/12] 03-TransposedConvScatter: rendered in 41.0 s'."""

    def __init__(self, total: int, log: Callable[[str], None]):
        self.total, self.log = total, log
        self.results: dict[int, Result] = {}

    def report(self, result: Result) -> None:
        self.results[result.entry.number] = result
        detail = {"rendered": f"rendered in {result.seconds:.1f} s", "up to date": "up to date, skipped",
                  "failed": f"FAILED: {result.error}"}[result.status]
        self.log(f"[{len(self.results)}/{self.total}] {result.entry.stem}: {detail}")

    def rendering(self, entries: list[Entry]) -> None:
        self.log(f"[{len(self.results)}/{self.total}] rendering now: {', '.join(e.stem for e in entries)}")

    def in_order(self, entries: list[Entry]) -> list[Result]:
        return [self.results[entry.number] for entry in entries]


_Pending = tuple[Entry, _Job, str]  # an entry to render, its job, the stamp it gets when done


def run_batch(
    entries: list[Entry],
    out_dir: Path | str,
    options: RenderOptions = RenderOptions(),
    *,
    jobs: int | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> list[Result]:
    """Render ``entries`` into ``out_dir`` with ``jobs`` processes; a failure does not stop the others.

    Entries whose output is up to date are skipped unless ``force``. Progress goes to ``log`` as one
    line per finished entry (done/total, what is rendering now). Results come back in playlist order.
    Ctrl-C or SIGTERM stop the workers (their unfinished files are not written) and raise KeyboardInterrupt.
    """
    check_batch(options, jobs, out_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = _Progress(len(entries), log)
    pending = _plan(entries, out_dir, options, force, progress)
    if pending:
        with stop_on_sigterm():
            _render_all(pending, min(jobs or os.cpu_count() or 1, len(pending)), progress)
    return progress.in_order(entries)


def check_batch(options: RenderOptions, jobs: int | None, out_dir: Path | str) -> None:
    """Refuse render options, a number of processes or an output folder a batch cannot use (ParamError)."""
    check_options(options.quality, options.fmt, options.theme, options.transparent)
    if jobs is not None and jobs < 1:
        raise ParamError(f"jobs={jobs} is not allowed: give 1 or more processes.")
    check_out_dir(out_dir)


def _plan(entries: list[Entry], out_dir: Path, options: RenderOptions, force: bool,
          progress: _Progress) -> list[_Pending]:
    """Report the entries that are up to date; return the others, each with its job and its stamp."""
    pending: list[_Pending] = []
    codes: dict[str, str] = {}
    for entry in entries:
        module = catalog.SCENES[entry.scene]
        if module not in codes:
            codes[module] = code_hash(module)
        looks = entry_options(entry, options)
        key = _stamp_key(entry, looks, codes[module])
        output = output_path(out_dir, entry, looks)
        if not force and _up_to_date(output, key, looks):
            progress.report(Result(entry, "up to date", output))
            continue
        pending.append((entry, _Job(entry.scene, module, entry.params, output, looks), key))
    return pending


def _render_all(pending: list[_Pending], workers: int, progress: _Progress) -> None:
    """Render ``pending`` in ``workers`` processes; on any interruption stop them before raising."""
    pending = list(pending)
    context = multiprocessing.get_context("spawn")
    others = set(multiprocessing.active_children())
    with ProcessPoolExecutor(workers, context, initializer=_worker_init) as pool:
        running: dict[Future, tuple[Entry, str]] = {}
        try:
            while pending or running:
                if _submit(pool, pending, running, workers, progress):
                    progress.rendering([entry for entry, _ in running.values()])
                finished, _ = wait(running, return_when=FIRST_COMPLETED) if running else ((), ())
                for future in finished:
                    progress.report(_finished(future, *running.pop(future)))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            _stop_workers(set(multiprocessing.active_children()) - others)
            raise


def _submit(pool: ProcessPoolExecutor, pending: list[_Pending], running: dict[Future, tuple[Entry, str]],
            workers: int, progress: _Progress) -> bool:
    """Start pending entries while a worker is free; True if one started."""
    started = False
    while pending and len(running) < workers:
        entry, job, key = pending.pop(0)
        _stamp_path(job.output).unlink(missing_ok=True)
        try:
            running[pool.submit(_render_job, job)] = (entry, key)
            started = True
        except BrokenProcessPool as error:
            progress.report(Result(entry, "failed", error=_error_text(error)))
    return started


def _finished(future: Future, entry: Entry, key: str) -> Result:
    """The result of a finished render; a rendered file gets its stamp."""
    try:
        path, seconds = future.result()
    except Exception as error:  # a failed scene is reported, the batch goes on
        return Result(entry, "failed", error=_error_text(error))
    write_atomic(_stamp_path(Path(path)), key)
    return Result(entry, "rendered", Path(path), seconds)


def _stop_workers(workers: set[Any]) -> None:
    """SIGTERM each worker (its render unwinds and cleans up), wait for it, kill the ones that hang."""
    for worker in workers:
        worker.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join()


def video_duration(path: Path) -> float | None:
    """Seconds of video in ``path`` (ffprobe), or None for stills or unreadable files."""
    if path.suffix == ".png":
        return None
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True,
    )
    try:
        return float(probe.stdout.strip())
    except ValueError:
        return None


def _media_tag(name: str, suffix: str) -> str:
    src = html.escape(name, quote=True)
    if suffix in (".png", ".gif"):
        return f'<img src="{src}" alt="">'
    return f'<video src="{src}" controls preload="metadata" playsinline></video>'


def write_index(out_dir: Path | str, title: str, results: list[Result]) -> Path:
    """``index.html`` beside the videos: each entry's title, duration and the video playing in place."""
    out_dir = Path(out_dir)
    items = []
    for result in results:
        entry = result.entry
        heading = f"{entry.number}. {html.escape(entry.title)}"
        if result.path is None:
            items.append(f'<li class="failed"><h2>{heading}</h2><p>failed: {html.escape(result.error)}</p></li>')
            continue
        seconds = video_duration(result.path)
        length = f"{int(seconds // 60)}:{seconds % 60:04.1f}" if seconds is not None else "still"
        items.append(
            f'<li><h2>{heading} <span class="len">{length}</span></h2>'
            f'<p class="scene">{html.escape(entry.scene)}{" · " + html.escape(entry.preset) if entry.preset else ""}'
            f"</p>{_media_tag(result.path.name, result.path.suffix)}</li>"
        )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "DejaVu Sans", sans-serif; max-width: 64rem; margin: 2rem auto; color: #1F2328; }}
ol {{ list-style: none; padding: 0; }} li {{ margin: 0 0 2.5rem; }}
h2 {{ font-size: 1.3rem; margin: 0 0 .2rem; }} .len {{ color: #6E7781; font-weight: normal; }}
.scene {{ color: #6E7781; margin: 0 0 .5rem; font-family: "DejaVu Sans Mono", monospace; }}
video, img {{ width: 100%; border: 1px solid #D0D7DE; }} .failed p {{ color: #C2185B; }}
</style></head>
<body><h1>{html.escape(title)}</h1>
<ol>
{chr(10).join(items)}
</ol></body></html>
"""
    path = out_dir / "index.html"
    write_atomic(path, page)
    return path


def summarize(results: list[Result], wall: float) -> list[str]:
    """The closing lines of a batch: counts, video seconds, wall time, and every failure."""
    counts = {status: sum(r.status == status for r in results) for status in ("rendered", "up to date", "failed")}
    video = sum(video_duration(r.path) or 0.0 for r in results if r.path is not None)
    lines = [f"{counts['rendered']} rendered, {counts['up to date']} up to date, {counts['failed']} failed; "
             f"{video:.1f} s of video, {wall:.1f} s wall."]
    lines += [f"failed: {r.entry.stem} ({r.entry.title}): {r.error}" for r in results if r.status == "failed"]
    return lines


def check_playlist(args: Any) -> tuple[Playlist, RenderOptions]:
    """The command line's playlist and options, validated (nothing rendered); skipped entries printed."""
    playlist = load_playlist(args.playlist)
    for line in playlist.skipped:
        print(line)
    options = RenderOptions(args.quality, args.format, args.theme, args.transparent, not args.no_title,
                            not args.no_caption)
    check_batch(options, args.jobs, args.out)
    return playlist, options


def render_playlist(args: Any) -> tuple[Playlist, list[Result]]:
    """The command-line batch: validate ``args.playlist``, render it with ``args``' options, print a summary."""
    playlist, options = check_playlist(args)
    note = _other_qualities(playlist, Path(args.out), options)
    if note:
        print(note)
    start = time.perf_counter()
    results = run_batch(playlist.entries, args.out, options, jobs=args.jobs, force=args.force)
    for line in summarize(results, time.perf_counter() - start):
        print(line)
    return playlist, results


def _other_qualities(playlist: Playlist, out_dir: Path, options: RenderOptions) -> str:
    """A note when ``out_dir`` holds this playlist at another quality only (say, a 720p lecture before slides)."""
    first = playlist.entries[0]
    if output_path(out_dir, first, options).exists():
        return ""
    prefix = f"{first.stem}_"
    labels = {path.stem[len(prefix):].split("_")[0] for path in out_dir.glob(f"{prefix}*.{options.fmt}")}
    found = [key for key, (_, label) in QUALITIES.items() if label in labels]
    if not found:
        return ""
    shown = " and ".join(f"{QUALITIES[key][1]} (-q {key})" for key in found)
    return (f"note: {out_dir} holds this playlist at {shown}; this run renders it at {QUALITIES[options.quality][1]} "
            "beside it.")


def cmd_lecture(args: Any) -> int:
    """`convviz lecture`: validate the playlist, render it, write index.html; exit 1 if a scene failed."""
    if args.check:
        playlist, options = check_playlist(args)
        print(f"ok: {len(playlist.entries)} scenes of {playlist.title!r} would render into {args.out} at "
              f"{options.tag}.")
        return 0
    playlist, results = render_playlist(args)
    print(write_index(args.out, playlist.title, results))
    return 1 if any(r.status == "failed" for r in results) else 0


def add_batch_options(parser: Any, playlist: bool = True) -> None:
    """--playlist, --jobs, --force, --check: shared by the commands that render a batch."""
    if playlist:
        names = ", ".join(builtin_playlists())
        parser.add_argument("--playlist", help=f"a built-in playlist ({names}) or the path of a .toml file "
                                               f"(default: {DEFAULT_PLAYLIST.stem}, the whole lecture)")
        parser.add_argument("--check", action="store_true",
                            help="validate the playlist and the options, render nothing (exit 0, or 2 with the problems)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="scenes rendered in parallel (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="re-render outputs that are up to date")


def add_parser(sub: Any, add_render_options: Callable[..., None]) -> None:
    """Register `convviz lecture`."""
    parser = sub.add_parser("lecture", help="render a playlist (default: the whole lecture) with an index.html")
    add_batch_options(parser)
    add_render_options(parser, out="renders/lecture")
    parser.set_defaults(func=cmd_lecture)
