"""The scene reference, read from the scenes' declarations: `convviz list` (text, ``--json``, ``--markdown``).

``docs/scenes.md`` is ``convviz list --markdown``; a test fails when the committed file is stale.

>>> data = catalog_data()
>>> data["scenes"][0]["name"]
'ConvolutionNumbers'
"""

from __future__ import annotations

import tomllib
from typing import Any

from . import catalog
from .lecture import DEFAULT_PLAYLIST, builtin_playlists
from .params import KINDS, ParamError, as_json, value_text

__all__ = ["catalog_data", "catalog_text", "catalog_markdown", "REGENERATE"]

REGENERATE = "convviz list --markdown > docs/scenes.md"


def _scene_data(name: str) -> dict[str, Any]:
    try:
        cls = catalog.scene_class(name)
    except ParamError:
        return {"name": name, "built": False}
    except ImportError as error:
        return {"name": name, "built": False, "error": f"cannot be loaded ({type(error).__name__}: {error})"}
    return {"name": name, "built": True, "summary": cls.SUMMARY,
            "parameters": [p.to_dict() for p in cls.PARAMS], "presets": as_json(dict(cls.PRESETS))}


def _playlist_data(name: str) -> dict[str, Any]:
    path = builtin_playlists()[name]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return {"name": name, "error": f"cannot be read ({error})"}
    scenes = [e.get("scene", "?") for e in data.get("scenes", []) if isinstance(e, dict)]
    return {"name": name, "title": str(data.get("title", name)), "default": path == DEFAULT_PLAYLIST,
            "scenes": scenes}


def catalog_data() -> dict[str, Any]:
    """Every catalogue scene (built or not) with its parameters (kind, default, range, reason) and presets, and
    the built-in playlists: what ``convviz list --json`` prints."""
    return {"kinds": dict(KINDS), "scenes": [_scene_data(name) for name in catalog.SCENES],
            "playlists": [_playlist_data(name) for name in builtin_playlists()]}


def _param_line(param: dict[str, Any]) -> str:
    allowed = f" [{param['allowed']}]" if param["allowed"] else ""
    assignment = f"{param['name']}={value_text(param['default'], 30)}"
    return f"{'':4s}{assignment:34s} {param['kind']:8s} {param['help']}{allowed}"


def catalog_text(data: dict[str, Any] | None = None) -> str:
    """The plain listing: each scene, its presets and one line per parameter; then the playlists."""
    data = data or catalog_data()
    lines = []
    for scene in data["scenes"]:
        if not scene["built"]:
            lines.append(f"{scene['name']:24s} ({scene.get('error', 'not built yet')})")
            continue
        lines.append(f"{scene['name']:24s} {scene['summary']}")
        lines.append(f"{'':2s}presets: {', '.join(scene['presets']) or '-'}")
        lines += [_param_line(p) for p in scene["parameters"]] or [f"{'':4s}(no parameters)"]
    lines.append("")
    lines.append("playlists (convviz lecture --playlist NAME):")
    for playlist in data["playlists"]:
        default = " (default)" if playlist.get("default") else ""
        lines.append(f"{'':2s}{playlist['name']:12s} {playlist.get('title', playlist.get('error'))}{default}")
    return "\n".join(lines)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _scene_markdown(scene: dict[str, Any]) -> list[str]:
    lines = [f"### {scene['name']}", ""]
    if not scene["built"]:
        return lines + [f"{scene.get('error', 'Not built yet.')}", ""]
    lines += [_cell(scene["summary"]), "", "| parameter | kind | default | allowed | what it is |",
              "|---|---|---|---|---|"]
    for p in scene["parameters"]:
        default = value_text(p["default"], 80)
        lines.append(f"| `{p['name']}` | {p['kind']} | `{_cell(default)}` | {_cell(p['allowed']) or '—'} | "
                     f"{_cell(p['help'])} |")
    if not scene["parameters"]:
        lines.append("| — | | | | |")
    lines.append("")
    if scene["presets"]:
        lines += ["Presets:", ""]
        for name, values in scene["presets"].items():
            shown = ", ".join(f"{k}={value_text(v, 40)}" for k, v in values.items()) or "the defaults"
            lines.append(f"- `{name}`: {_cell(shown)}")
        lines.append("")
    return lines


def catalog_markdown(data: dict[str, Any] | None = None) -> str:
    """``docs/scenes.md``: the kinds of values, the built-in playlists, and every scene's parameters and presets."""
    data = data or catalog_data()
    lines = ["# Scenes and their parameters", "",
             f"Generated from the scenes' declarations by `{REGENERATE}` (a test fails when it is stale).",
             "Set a parameter with `convviz render SCENE --set name=value` or `params = { name = value }` in a",
             "playlist; `convviz render SCENE --check ...` validates without rendering. A value outside what is",
             "allowed is refused with one sentence (exit 2) before anything renders.", "",
             "## Kinds of values", "", "| kind | a value looks like |", "|---|---|"]
    lines += [f"| {kind} | {_cell(text)} |" for kind, text in data["kinds"].items()]
    lines += ["", "## Built-in playlists", "", "`convviz lecture --playlist NAME` (or `convviz slides`); "
              "any other playlist by its path.", "", "| name | title | scenes |", "|---|---|---|"]
    for playlist in data["playlists"]:
        title = playlist.get("title", playlist.get("error", "")) + (" (default)" if playlist.get("default") else "")
        lines.append(f"| `{playlist['name']}` | {_cell(title)} | {len(playlist.get('scenes', []))} |")
    lines += ["", "## Scenes", ""]
    for scene in data["scenes"]:
        lines += _scene_markdown(scene)
    return "\n".join(lines).rstrip() + "\n"

