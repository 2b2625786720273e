"""Render a scene with given parameters into a file, atomically: a finished file or none.

File names say what made them (:func:`output_stem`) and never collide: where a value cannot be written
exactly, a short hash of the changed parameters joins the name. A name is a function of the scene, preset,
parameters and options, so a render only ever replaces a file made from the same ones (an older render of the
same request); no sidecar is needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

from manim import tempconfig

from .catalog import scene_class
from .params import ParamError, value_text
from .theme import current_theme, get_theme, overlay_theme, use_theme

__all__ = ["QUALITIES", "DEFAULT_QUALITY", "FORMATS", "render_scene", "output_stem", "options_tag", "params_hash",
           "check_options", "check_out_dir"]

# Short name -> (manim quality, what it is).
QUALITIES: dict[str, tuple[str, str]] = {
    "l": ("low_quality", "480p15"),
    "m": ("medium_quality", "720p30"),
    "h": ("high_quality", "1080p60"),
    "p": ("production_quality", "1440p60"),
    "k": ("fourk_quality", "2160p60"),
}
# What every command renders unless told otherwise: slides are shown on 1080p projectors and screens.
DEFAULT_QUALITY = "h"
FORMATS = ("mp4", "webm", "gif", "mov", "png")
NAME_CHARS = 40  # a value's readable part in a file name is cut here (and the name then gets a hash)

# Encoder settings for flat vector graphics: the encoders' defaults (x264 "medium", libvpx's slow "good"
# mode) spend more CPU than drawing the frames does; these keep the look and cut encode time.
X264_OPTIONS = {"preset": "veryfast", "tune": "animation"}
VP9_OPTIONS = {"deadline": "realtime", "cpu-used": "8", "row-mt": "1"}


def options_tag(quality: str, theme: str, transparent: bool, titles: bool = True, captions: bool = True) -> str:
    """The render options in a file name: '1080p60', '720p30_dark', '480p15_transparent_notitle'."""
    parts = [QUALITIES[quality][1]]
    if theme != "light":
        parts.append(theme)
    if transparent:
        parts.append("transparent")
    if not titles:
        parts.append("notitle")
    if not captions:
        parts.append("nocaption")
    return "_".join(parts)


def _name_part(value: Any) -> tuple[str, bool]:
    """A parsed value as it goes in a file name ('2', '2-1', '1-2-3-1'), and whether that text is exact:
    only letters, digits and dots in each entry, nothing cut."""
    text = value_text(value)
    entries = text.split(",") if "[" not in text else [text]
    exact = all(re.fullmatch(r"[A-Za-z0-9.]+", entry) for entry in entries)
    readable = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")
    if len(readable) > NAME_CHARS:
        readable, exact = readable[:NAME_CHARS].rstrip("-"), False
    return readable, exact


def params_hash(overrides: Mapping[str, Any]) -> str:
    """8 hex digits that tell apart any two different sets of parsed parameter values."""
    text = json.dumps({k: value_text(v) for k, v in overrides.items()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def output_stem(
    scene: str, preset: str | None, overrides: Mapping[str, Any], quality: str, theme: str, transparent: bool,
    titles: bool = True, captions: bool = True,
) -> str:
    """A file name that says what it is: scene, preset, changed parameters (parsed values), quality, theme.

    Where a value cannot be written exactly (a minus sign, a matrix, a long list), a short hash of all the
    changed parameters follows them, so two renders with different parameters never share a name:

    >>> output_stem("TransposedConvScatter", None, {"input": [[1, 2], [3, -1]]}, "l", "light", False)
    'TransposedConvScatter_input-1-2-3-1_9a0d6951_480p15'
    """
    parts = [scene]
    if preset:
        parts.append(preset)
    exact = True
    for key, value in sorted(overrides.items()):
        readable, same = _name_part(value)
        parts.append(f"{key}-{readable}")
        exact = exact and same
    if not exact:
        parts.append(params_hash(overrides))
    parts.append(options_tag(quality, theme, transparent, titles, captions))
    return "_".join(parts)


def check_options(quality: str, fmt: str, theme: str, transparent: bool, sections: bool = False) -> None:
    """Refuse an unknown quality, format or theme, transparency a format cannot carry, or clips of a still."""
    if quality not in QUALITIES:
        raise ParamError(f"quality={quality!r} is unknown: use one of {', '.join(QUALITIES)}.")
    if fmt not in FORMATS:
        raise ParamError(f"format={fmt!r} is unknown: use one of {', '.join(FORMATS)}.")
    get_theme(theme)
    if transparent and fmt in ("mp4", "gif"):
        raise ParamError(f"--transparent needs a format with alpha: use mov, webm or png, not {fmt}.")
    if sections and fmt == "png":
        raise ParamError("--sections needs a video format: use mp4, webm, gif or mov, not png.")


def check_out_dir(out: Path | str) -> None:
    """Refuse an output folder that is a file, lies under a file, or cannot be written."""
    path = Path(out)
    for folder in (path, *path.parents):
        if not folder.exists():
            continue
        if not folder.is_dir():
            raise ParamError(f"--out {str(out)!r} cannot be a folder: {str(folder)!r} is a file; give a folder.")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ParamError(f"--out {str(out)!r} cannot be written ({str(folder)!r} is read-only): give a folder "
                             "you can write to.")
        return


def render_scene(
    scene: str,
    params: Mapping[str, Any],
    out_path: Path,
    *,
    quality: str = DEFAULT_QUALITY,
    fmt: str = "mp4",
    theme: str = "light",
    transparent: bool = False,
    sections: bool = False,
    titles: bool = True,
    captions: bool = True,
) -> Path:
    """Render ``scene`` with resolved ``params`` to ``out_path`` (suffix added); return the file written.

    Manim works in a private temporary folder; the result is moved next to ``out_path`` under a
    temporary name and renamed into place, so an interrupted render leaves nothing half-written.
    With ``sections``, the per-beat clips are kept in a folder ``<out_path>.sections/``. ``titles`` / ``captions``
    false leave the scene's heading / caption out (a slide gives its own); ``transparent`` makes panels see-through.
    """
    check_options(quality, fmt, theme, transparent, sections)
    cls = scene_class(scene)
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="convviz-") as media:
        settings = {
            "quality": QUALITIES[quality][0],
            "media_dir": media,
            "transparent": transparent,
            "disable_caching": True,
            "progress_bar": "none",
            "verbosity": "WARNING",
            "save_sections": sections,
            "output_file": out_path.name,
        }
        if fmt == "png":
            settings.update(save_last_frame=True, write_to_movie=False, format="png")
        else:
            settings.update(format=fmt, video_encoder_options=_encoder_options(fmt, transparent))
        previous = current_theme()
        try:
            with tempconfig(settings):
                looks = use_theme(overlay_theme(get_theme(theme), transparent=transparent, titles=titles,
                                                captions=captions))
                instance = cls(params, theme=looks)
                instance.render()
                writer = instance.renderer.file_writer
        finally:
            use_theme(previous)  # a dark render must not leave later scenes dark
        produced = Path(writer.image_file_path if fmt == "png" else writer.movie_file_path)
        if fmt == "gif" and produced.suffix != ".gif":
            produced = produced.with_suffix(".gif")
        sections_dir = Path(writer.sections_output_dir) if sections else None
        final = out_path.with_name(out_path.name + produced.suffix)  # the stem may contain dots ("beta-1.5")
        final.parent.mkdir(parents=True, exist_ok=True)  # only once there is something to put in it
        _move_into_place(produced, final)
        if sections_dir is not None:
            target = final.with_name(final.stem + ".sections")
            staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=final.parent))
            shutil.copytree(sections_dir, staging, dirs_exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
    return final


def _encoder_options(fmt: str, transparent: bool) -> dict[str, str]:
    """Options for the codec Manim picks: x264 for mp4 (and the clips a gif is made from), VP9 for webm."""
    if fmt == "webm":
        return dict(VP9_OPTIONS)
    if fmt == "mp4" or (fmt == "gif" and not transparent):
        return dict(X264_OPTIONS)
    return {}


def _move_into_place(source: Path, final: Path) -> None:
    """Copy ``source`` beside ``final`` under a hidden temporary name, then rename: atomic."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a render is meant to be shared
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
