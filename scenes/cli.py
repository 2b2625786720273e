"""`convviz`: list scenes and render them with your own numbers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from convmath import ConvArithmeticError
from convmath.cli import reader_gone

from . import gallery, lecture, slides
from .catalog import scene_class
from .params import ParamError
from .reference import catalog_data, catalog_markdown, catalog_text
from .render import DEFAULT_QUALITY, FORMATS, QUALITIES, check_options, check_out_dir, output_stem, render_scene
from .stopping import Terminated, stop_on_sigterm

__all__ = ["main"]

USER_ERRORS = (ParamError, ConvArithmeticError)


def _parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParamError(f"--set {pair!r} is not key=value: write it like --set stride=2.")
        overrides[key.strip()] = value
    return overrides


def cmd_list(args: argparse.Namespace) -> int:
    """`convviz list`: scenes, parameters (kind, default, range, reason), presets, playlists."""
    data = catalog_data()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif args.markdown:
        print(catalog_markdown(data), end="")
    else:
        print(catalog_text(data))
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    """`convviz render`: validate everything, then render one scene into a file named after its parameters."""
    overrides = _parse_sets(args.set)
    cls = scene_class(args.scene)
    params = cls.resolve(args.preset, overrides)
    check_options(args.quality, args.format, args.theme, args.transparent, args.sections)
    check_out_dir(args.out)
    changed = {key: params[key] for key in overrides}
    stem = output_stem(args.scene, args.preset, changed, args.quality, args.theme, args.transparent)
    if args.check:
        print(f"ok: would write {Path(args.out) / stem}.{args.format}")
        return 0
    path = render_scene(
        args.scene, params, Path(args.out) / stem,
        quality=args.quality, fmt=args.format, theme=args.theme, transparent=args.transparent,
        sections=args.sections,
    )
    print(path)
    return 0


def add_render_options(parser: argparse.ArgumentParser, out: str = "renders") -> None:
    """-q, --format, --theme, --transparent, --out: shared by the commands that render (``out``: its default)."""
    qualities = ", ".join(f"{key} {label}" for key, (_, label) in QUALITIES.items())
    parser.add_argument("-q", "--quality", default=DEFAULT_QUALITY, choices=list(QUALITIES),
                        help=f"{qualities} (default {DEFAULT_QUALITY}: {QUALITIES[DEFAULT_QUALITY][1]}, for "
                             "slides; l for a quick look)")
    parser.add_argument("--format", default="mp4", choices=list(FORMATS), help="output format (default mp4)")
    parser.add_argument("--theme", default="light", choices=["light", "dark"], help="light for white slides")
    parser.add_argument("--transparent", action="store_true", help="transparent background (mov, webm, png)")
    parser.add_argument("--out", default=out, help=f"output folder (default {out}/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convviz", description="Render convolution-arithmetic lecture scenes.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="scenes with their parameters (kind, default, range) and presets")
    shape = p_list.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="as JSON: scenes, parameters, presets, playlists")
    shape.add_argument("--markdown", action="store_true", help="as the reference page docs/scenes.md")
    p_list.set_defaults(func=cmd_list)
    p_render = sub.add_parser("render", help="render one scene")
    p_render.add_argument("scene", help="scene name, see `convviz list`")
    p_render.add_argument("--preset", help="a named parameter set of the scene")
    p_render.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                          help="override a parameter, e.g. --set stride=2 --set input=[[1,2],[3,4]]")
    p_render.add_argument("--sections", action="store_true", help="also keep one clip per beat")
    p_render.add_argument("--check", action="store_true",
                          help="validate the scene, preset, values and options; render nothing (exit 0, or 2)")
    add_render_options(p_render)
    p_render.set_defaults(func=cmd_render)
    for module in (lecture, slides, gallery):  # each registers its own command
        module.add_parser(sub, add_render_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with stop_on_sigterm():
            return args.func(args)
    except USER_ERRORS as error:
        print(f"convviz: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return reader_gone()
    except KeyboardInterrupt as stop:
        how = "terminated" if isinstance(stop, Terminated) else "interrupted"
        print(f"convviz: {how}; finished files are kept, unfinished ones were not written.", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130


if __name__ == "__main__":
    sys.exit(main())
