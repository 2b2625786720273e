"""`convviz`: list scenes and render them with your own numbers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from convmath import ConvArithmeticError

from . import gallery, lecture, slides
from .catalog import SCENES, available_scenes, scene_class
from .params import ParamError
from .render import FORMATS, QUALITIES, output_stem, render_scene

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
    ready = set(available_scenes())
    for name in SCENES:
        if name not in ready:
            print(f"{name:24s} (not built yet)")
            continue
        cls = scene_class(name)
        print(f"{name:24s} {cls.SUMMARY}")
        print(f"{'':24s} parameters: {' '.join(p.describe() for p in cls.PARAMS) or '-'}")
        print(f"{'':24s} presets: {', '.join(cls.PRESETS) or '-'}")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    overrides = _parse_sets(args.set)
    cls = scene_class(args.scene)
    params = cls.resolve(args.preset, overrides)
    stem = output_stem(args.scene, args.preset, overrides, args.quality, args.theme, args.transparent)
    path = render_scene(
        args.scene, params, Path(args.out) / stem,
        quality=args.quality, fmt=args.format, theme=args.theme, transparent=args.transparent,
        sections=args.sections,
    )
    print(path)
    return 0


def add_render_options(parser: argparse.ArgumentParser) -> None:
    """-q, --format, --theme, --transparent, --out: shared by the commands that render."""
    parser.add_argument("-q", "--quality", default="l", choices=list(QUALITIES),
                        help="l 480p15, m 720p30, h 1080p60, p 1440p60, k 2160p60 (default l)")
    parser.add_argument("--format", default="mp4", choices=list(FORMATS), help="output format (default mp4)")
    parser.add_argument("--theme", default="light", choices=["light", "dark"], help="light for white slides")
    parser.add_argument("--transparent", action="store_true", help="transparent background (mov, webm, png)")
    parser.add_argument("--out", default="renders", help="output folder (default renders/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convviz", description="Render convolution-arithmetic lecture scenes.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="scenes with their parameters and presets")
    p_list.set_defaults(func=cmd_list)
    p_render = sub.add_parser("render", help="render one scene")
    p_render.add_argument("scene", help="scene name, see `convviz list`")
    p_render.add_argument("--preset", help="a named parameter set of the scene")
    p_render.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                          help="override a parameter, e.g. --set stride=2 --set input=[[1,2],[3,4]]")
    p_render.add_argument("--sections", action="store_true", help="also keep one clip per beat")
    add_render_options(p_render)
    p_render.set_defaults(func=cmd_render)
    for module in (lecture, slides, gallery):  # each registers its own command
        module.add_parser(sub, add_render_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as error:
        print(f"convviz: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convviz: interrupted; finished files are kept, unfinished ones were not written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
