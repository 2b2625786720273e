"""The gallery: a small preview GIF and a poster PNG of every scene, and the README table that shows them.

Scenes render with their default parameters (what `convviz render NAME` gives) through the lecture's
batch runner, so up-to-date videos are not rendered again; the GIF is cut down (frame rate, width) until
it fits its size budget. A scene that declares ``GALLERY = ("preset", ...)`` gets one preview per preset
instead (``NAME-preset.gif``, rendered as `convviz render NAME --preset preset`).
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from . import catalog
from .lecture import Entry, RenderOptions, Result, add_batch_options, run_batch, summarize, write_atomic
from .params import ParamError

__all__ = ["GIF_BUDGET", "GalleryEntry", "gallery_entries", "make_gif", "make_poster", "render_gallery",
           "readme_table", "update_readme"]

GIF_BUDGET = 1_500_000  # bytes: the hard limit for one preview
GIF_TARGET = 700_000    # bytes: what the ladder below aims for
# (frames per second, width in pixels, speed-up) from the best looking to the smallest.
GIF_LADDER = ((10, 480, 1.0), (8, 480, 1.0), (8, 400, 1.25), (6, 400, 1.5), (6, 320, 1.5), (5, 320, 2.0),
              (4, 280, 2.0))
MARKERS = ("<!-- gallery:start -->", "<!-- gallery:end -->")


def _staged(final: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    return Path(tmp)


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def make_gif(video: Path, gif: Path, target: int = GIF_TARGET, budget: int = GIF_BUDGET) -> Path:
    """A looping preview of ``video`` at ``gif``: the first ladder step under ``target`` (or else under ``budget``)."""
    staging = _staged(gif)
    best: tuple[int, bytes] | None = None
    try:
        for fps, width, speed in GIF_LADDER:
            graph = (f"setpts=PTS/{speed},fps={fps},scale={width}:-2:flags=lanczos,split[a][b];"
                     "[a]palettegen=max_colors=64:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4")
            _ffmpeg("-i", str(video), "-filter_complex", graph, "-loop", "0", str(staging))
            size = staging.stat().st_size
            if size <= budget and best is None:
                best = (size, staging.read_bytes())
            if size <= target:
                best = (size, staging.read_bytes())
                break
        if best is None:
            raise ParamError(f"{video.name} makes no GIF under {budget} bytes: shorten the scene or raise the budget.")
        staging.write_bytes(best[1])
        os.chmod(staging, 0o644)
        os.replace(staging, gif)
    finally:
        staging.unlink(missing_ok=True)
    return gif


def make_poster(video: Path, png: Path) -> Path:
    """The last frame of ``video`` (the finished picture) as ``png``."""
    staging = _staged(png)
    try:
        _ffmpeg("-sseof", "-0.5", "-i", str(video), "-update", "1", "-frames:v", "1", "-f", "image2", str(staging))
        os.chmod(staging, 0o644)
        os.replace(staging, png)
    finally:
        staging.unlink(missing_ok=True)
    return png


@dataclass(frozen=True)
class GalleryEntry(Entry):
    """A gallery preview: a scene with its defaults, or with one of its ``GALLERY`` presets."""

    @property
    def name(self) -> str:
        """The preview's file name without suffix: ``ModelFlow`` or ``ModelFlow-unet_broken``."""
        return f"{self.scene}-{self.preset}" if self.preset else self.scene

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.name}"

    @property
    def command(self) -> str:
        return f"convviz render {self.scene}" + (f" --preset {self.preset}" if self.preset else "")


def gallery_entries(name: str, number: int = 1) -> list[GalleryEntry]:
    """The previews of scene ``name``: one per preset in its ``GALLERY``, else one with its defaults."""
    cls = catalog.scene_class(name)
    summary = cls.SUMMARY or name
    for preset in cls.GALLERY:
        if preset not in cls.PRESETS:
            raise ParamError(f"{name}.GALLERY names preset {preset!r}, which {name} does not have: use one of "
                             f"{', '.join(sorted(cls.PRESETS)) or 'its presets (it has none)'}.")
    return [GalleryEntry(number, name, summary, preset, {}, cls.resolve(preset)) for preset in cls.GALLERY or [None]]


def _entries() -> list[GalleryEntry]:
    """Every built scene's previews: the first numbered by the scene's place in the catalogue, a scene's further
    presets after the catalogue (every number once, and the others' video names stay as they were)."""
    order = list(catalog.SCENES)
    entries: list[GalleryEntry] = []
    spare = itertools.count(len(order) + 1)
    for name in catalog.available_scenes():
        first, *more = gallery_entries(name, order.index(name) + 1)
        entries += [first, *(replace(entry, number=next(spare)) for entry in more)]
    return entries


def render_gallery(
    out_dir: Path | str = "renders/gallery",
    build_dir: Path | str = "renders/gallery-build",
    *,
    quality: str = "l",
    jobs: int | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> list[Result]:
    """Render every built scene into ``build_dir`` and make its GIF and poster in ``out_dir``."""
    out_dir, build_dir = Path(out_dir), Path(build_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = run_batch(_entries(), build_dir, RenderOptions(quality=quality), jobs=jobs, force=force, log=log)
    for result in results:
        if result.path is None:
            continue
        gif, png = out_dir / f"{result.entry.name}.gif", out_dir / f"{result.entry.name}.png"
        fresh = all(p.exists() and p.stat().st_mtime >= result.path.stat().st_mtime for p in (gif, png))
        if force or not fresh:
            make_gif(result.path, gif)
            make_poster(result.path, png)
            log(f"{gif} ({gif.stat().st_size // 1000} kB), {png.name}")
    return results


def readme_table(folder: str = "renders/gallery") -> str:
    """The markdown table of every catalogue scene: preview, name, what it teaches, the command."""
    built = set(catalog.available_scenes())
    rows = ["| preview | scene | what it teaches | render it |", "|---|---|---|---|"]
    for name in catalog.SCENES:
        if name not in built:
            rows.append(f"| | `{name}` | not built yet | |")
            continue
        cls = catalog.scene_class(name)
        for preset in cls.GALLERY or (None,):
            summary = cls.SUMMARY.replace("|", "\\|") + (f" (preset `{preset}`)" if preset else "")
            entry = GalleryEntry(0, name, "", preset, {}, {})
            preview = (f'<a href="{folder}/{entry.name}.png"><img src="{folder}/{entry.name}.gif" width="320" '
                       f'alt="{entry.name}"></a>')
            rows.append(f"| {preview} | `{name}` | {summary} | `{entry.command}` |")
    return "\n".join(rows)


def update_readme(readme: Path | str, folder: str = "renders/gallery") -> None:
    """Put :func:`readme_table` between the gallery markers of ``readme``."""
    readme = Path(readme)
    text = readme.read_text(encoding="utf-8")
    start, end = MARKERS
    if start not in text or end not in text:
        raise ParamError(f"{readme} has no {start} ... {end} markers: add them where the table goes.")
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    write_atomic(readme, pattern.sub(lambda _: f"{start}\n{readme_table(folder)}\n{end}", text, count=1))


def cmd_gallery(args: Any) -> int:
    """`convviz gallery`: previews of every built scene, optionally the README table; exit 1 if one failed."""
    start = time.perf_counter()
    results = render_gallery(args.out, args.build, quality=args.quality, jobs=args.jobs, force=args.force)
    for line in summarize(results, time.perf_counter() - start):
        print(line)
    if args.readme:
        update_readme(args.readme, os.path.relpath(args.out, Path(args.readme).parent))
        print(f"{args.readme}: gallery table updated")
    return 1 if any(r.status == "failed" for r in results) else 0


def add_parser(sub: Any, add_render_options: Callable[[Any], None]) -> None:
    """Register `convviz gallery` (fixed format: mp4 rendered, GIF and PNG made from it)."""
    parser = sub.add_parser("gallery", help="a preview GIF and a poster PNG of every scene, for the README")
    parser.add_argument("-q", "--quality", default="l", choices=["l", "m", "h"], help="render quality (default l)")
    parser.add_argument("--out", default="renders/gallery", help="where previews go (default renders/gallery/)")
    parser.add_argument("--build", default="renders/gallery-build", help="where the videos render (not committed)")
    parser.add_argument("--readme", help="also write the gallery table into this README (between its markers)")
    add_batch_options(parser, playlist=False)
    parser.set_defaults(func=cmd_gallery)
