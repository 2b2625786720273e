"""Slide decks from a rendered lecture: one slide per beat (a Manim section), HTML or PPTX.

Both decks open on a title slide (the playlist's title). Each beat's slide is titled by the beat's name, which
scenes write for students ("the window slides"), never a code name.

The HTML deck is one page with its script and style inline (no network): →, ↓, page down, enter or a click go
to the next beat, ← back; space or K pauses and resumes the beat playing (to take a question); each beat plays
and holds its last frame; F toggles full screen, N the speaker notes. With ``embed`` the videos are inlined too,
so the page is a single file. The PPTX deck has one slide per beat with the clip embedded, playing as the slide
opens, its last frame (the beat's content) as the poster, the title and the speaker notes.
"""

from __future__ import annotations

import base64
import html
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .lecture import Result, TextSlide, add_batch_options, check_playlist, render_playlist, write_atomic
from .params import ParamError
from .theme import get_theme

__all__ = ["Beat", "beat_title", "collect_beats", "write_html", "write_pptx", "DECK_FORMATS"]

# Deck -> video formats it can play.
DECK_FORMATS = {"html": ("mp4", "webm"), "pptx": ("mp4",)}


@dataclass(frozen=True)
class Beat:
    """One slide: a clip of one scene's beat, or (``video`` None) a playlist's text slide with ``name`` its text."""

    title: str
    name: str
    video: Path | None
    notes: str
    seconds: float


def beat_title(name: str) -> str:
    """What a student reads for a beat: its name (scenes name their beats in words) as a title,
    'the window slides' -> 'The window slides'."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def collect_beats(results: list[Result], texts: list[TextSlide] = ()) -> list[Beat]:
    """Every beat clip of the rendered results, in lecture order (from manim's sections index), with the
    playlist's text slides in their places."""
    beats = []
    waiting = sorted(texts, key=lambda t: t.number)
    for result in results:
        while waiting and waiting[0].number < result.entry.number:
            beats.append(_text_beat(waiting.pop(0)))
        if result.path is None:
            continue
        folder = result.path.with_name(result.path.stem + ".sections")
        index = folder / f"{result.path.stem}.json"
        if not index.exists():
            raise ParamError(f"{result.path.name} has no beat clips: render it with --force to make them.")
        for section in json.loads(index.read_text()):
            beats.append(Beat(result.entry.title, beat_title(section["name"]),
                              folder / section["video"], result.entry.notes, float(section.get("duration", 0.0))))
    return beats + [_text_beat(t) for t in waiting]


def _text_beat(text: TextSlide) -> Beat:
    return Beat(text.title, text.text, None, text.notes, 0.0)


def _src(video: Path, relative_to: Path, embed: bool) -> str:
    if embed:
        mime = "video/webm" if video.suffix == ".webm" else "video/mp4"
        return f"data:{mime};base64," + base64.b64encode(video.read_bytes()).decode()
    return os.path.relpath(video, relative_to).replace(os.sep, "/")


def write_html(beats: list[Beat], path: Path, title: str, theme: str = "light", embed: bool = False) -> Path:
    """A self-contained step-through deck at ``path``; videos referenced relatively or inlined (``embed``)."""
    colors = get_theme(theme)
    slides = [{"src": "", "title": title, "beat": "", "notes": "", "text": ""}]  # the title slide
    slides += [{"src": _src(b.video, path.parent, embed), "title": b.title, "beat": b.name, "notes": b.notes, "text": ""}
               if b.video else {"src": "", "title": b.title, "beat": "", "notes": b.notes, "text": b.name}
               for b in beats]
    data = json.dumps(slides).replace("</", "<\\/")
    page = _PAGE.format(title=html.escape(title), background=colors.background, text=colors.text, accent=colors.input,
                        muted=colors.muted, data=data)
    write_atomic(path, page)
    return path


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; background: {background}; color: {text};
  font-family: "DejaVu Sans", sans-serif; overflow: hidden; cursor: pointer; }}
video {{ position: absolute; inset: 0 0 2.4rem 0; width: 100%; height: calc(100% - 2.4rem);
  object-fit: contain; background: {background}; }}
video.hidden {{ visibility: hidden; }}
#bar {{ position: absolute; left: 0; right: 0; bottom: 0; height: 2.4rem; display: flex; align-items: center;
  gap: 1rem; padding: 0 1rem; font-size: 1.1rem; color: {muted}; white-space: nowrap; }}
#bar b {{ color: {text}; font-weight: 600; overflow: hidden; text-overflow: ellipsis; min-width: 0; }}
#bar span {{ flex: none; }} #count {{ margin-left: auto; }}
#notes {{ position: absolute; left: 1rem; right: 1rem; bottom: 3rem; padding: 1rem 1.2rem; font-size: 1.3rem;
  background: {background}; border: 2px solid {muted}; display: none; }}
#notes.shown {{ display: block; }}
#cover {{ position: absolute; inset: 0 0 2.4rem 0; display: flex; flex-direction: column; align-items: center;
  justify-content: center; text-align: center; padding: 0 8%; border-bottom: 0.4rem solid {accent}; }}
#cover h1 {{ font-size: 3.4rem; font-weight: 600; margin: 0 0 1.5rem 0; }}
#cover p {{ font-size: 2.2rem; margin: 0; white-space: pre-line; }}
#cover.hidden, #paused.hidden {{ display: none; }}
#paused {{ position: absolute; top: 1rem; right: 1rem; padding: 0.3rem 0.8rem; font-size: 1.2rem;
  border: 2px solid {muted}; color: {muted}; background: {background}; }}
</style></head>
<body>
<video id="a" muted playsinline preload="auto"></video>
<video id="b" class="hidden" muted playsinline preload="auto"></video>
<div id="cover" class="hidden"><h1></h1><p></p></div>
<div id="paused" class="hidden">paused: space to go on</div>
<div id="notes"></div>
<div id="bar"><b id="title"></b><span id="beat"></span>
<span id="count"></span><span>&rarr; next &middot; space pause &middot; &larr; back &middot; F full screen &middot; N notes</span></div>
<script>
const slides = {data};
const deck = window.deck = {{ index: -1, count: slides.length, shown: document.getElementById("a"),
  spare: document.getElementById("b") }};
function paused(on) {{ document.getElementById("paused").classList.toggle("hidden", !on); }}
function toggle() {{
  const v = deck.shown;
  if (!slides[deck.index].src || v.ended) return;
  if (v.paused) {{ v.play().catch(() => {{}}); paused(false); }} else {{ v.pause(); paused(true); }}
}}
deck.toggle = toggle;
function show(i) {{
  if (i < 0 || i >= slides.length || i === deck.index) return;
  const s = slides[i], next = deck.spare, cover = document.getElementById("cover");
  deck.shown.pause();
  paused(false);
  cover.querySelector("h1").textContent = s.src ? "" : s.title;
  cover.querySelector("p").textContent = s.src ? "" : s.text;
  cover.classList.toggle("hidden", !!s.src);
  if (s.src) {{
    if (!next.src.endsWith(s.src)) next.src = s.src;
    next.currentTime = 0;
    next.play().catch(() => {{}});
    next.classList.remove("hidden");
    deck.shown.classList.add("hidden");
    deck.spare = deck.shown;
    deck.shown = next;
  }} else deck.shown.classList.add("hidden");
  deck.index = i;
  document.getElementById("title").textContent = s.title;
  document.getElementById("beat").textContent = s.beat;
  document.getElementById("count").textContent = (i + 1) + " / " + slides.length;
  document.getElementById("notes").textContent = s.notes;
  history.replaceState(null, "", "#" + (i + 1));
  if (i + 1 < slides.length && slides[i + 1].src) {{ deck.spare.src = slides[i + 1].src; deck.spare.load(); }}
}}
deck.show = show;
document.addEventListener("keydown", (e) => {{
  if (["ArrowRight", "ArrowDown", "PageDown", "Enter"].includes(e.key)) show(deck.index + 1);
  else if (e.key === " " || e.key === "k" || e.key === "K") toggle();
  else if (["ArrowLeft", "ArrowUp", "PageUp", "Backspace"].includes(e.key)) show(deck.index - 1);
  else if (e.key === "Home") show(0);
  else if (e.key === "End") show(slides.length - 1);
  else if (e.key === "f" || e.key === "F") {{
    if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
  }} else if (e.key === "n" || e.key === "N") document.getElementById("notes").classList.toggle("shown");
  else return;
  e.preventDefault();
}});
document.addEventListener("click", () => show(deck.index + 1));
const start = parseInt(location.hash.slice(1), 10);
show(Number.isInteger(start) && start >= 1 ? Math.min(start, slides.length) - 1 : 0);
</script>
</body></html>
"""


def _poster(video: Path, folder: Path) -> Path:
    """The last frame of ``video`` (what the beat built up) as a PNG in ``folder``."""
    image = folder / f"{video.stem}.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-sseof", "-0.25", "-i", str(video), "-update", "1", "-q:v", "2",
                    str(image)], check=True)
    return image


_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
# PowerPoint's timing for a video that starts as the slide opens ("Start: Automatically"): the main sequence's
# first step runs on slide begin, after no click, and calls playFrom(0) on the movie shape; {spid} is its id.
_AUTOPLAY = f"""<p:timing xmlns:p="{_P}"><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot">
<p:childTnLst><p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/><p:cond evt="onBegin" delay="0"><p:tn val="2"/>
</p:cond></p:stCondLst><p:childTnLst><p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst>
<p:childTnLst><p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold"
nodeType="afterEffect"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:cmd type="call" cmd="playFrom(0.0)">
<p:cBhvr><p:cTn id="6" dur="{{ms}}" fill="hold"/><p:tgtEl><p:spTgt spid="{{spid}}"/></p:tgtEl></p:cBhvr></p:cmd></p:childTnLst>
</p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn>
<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>
<p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst></p:seq>
<p:video><p:cMediaNode vol="80000"><p:cTn id="7" fill="hold" display="0"><p:stCondLst><p:cond delay="indefinite"/>
</p:stCondLst></p:cTn><p:tgtEl><p:spTgt spid="{{spid}}"/></p:tgtEl></p:cMediaNode></p:video></p:childTnLst></p:cTn></p:par>
</p:tnLst></p:timing>""".replace("\n", " ")


def _autoplay(slide: Any, movie: Any, seconds: float) -> None:
    """Make ``movie`` play as ``slide`` opens (python-pptx adds it as play-on-click)."""
    from lxml import etree

    root = slide._element
    timing = etree.fromstring(_AUTOPLAY.format(spid=movie.shape_id, ms=max(1, round(seconds * 1000))))
    old = root.find(f"{{{_P}}}timing")  # python-pptx's play-on-click timing, in its place in the slide
    if old is None:
        root.append(timing)
    else:
        root.replace(old, timing)


def _text_slide(deck: Any, beat: Beat) -> None:
    """A playlist's slide of words: its title and text (layout 'Title and Content'), notes attached."""
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = beat.title
    slide.placeholders[1].text = beat.name
    if beat.notes:
        slide.notes_slide.notes_text_frame.text = beat.notes


def _title_slide(deck: Any, title: str) -> None:
    from pptx.util import Pt

    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(48)
    slide.placeholders[1].text = "convviz"


def write_pptx(beats: list[Beat], path: Path, title: str) -> Path:
    """A 16:9 PPTX at ``path``: one slide per beat, its clip embedded with a poster frame, notes attached."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = title
    blank = deck.slide_layouts[6]
    top, bottom = Inches(0.8), Inches(0.1)
    height = deck.slide_height - top - bottom
    width = Emu(int(height * 16 / 9))
    left = Emu((deck.slide_width - width) // 2)
    _title_slide(deck, title)
    with tempfile.TemporaryDirectory(prefix="convviz-pptx-") as tmp:
        for beat in beats:
            if beat.video is None:
                _text_slide(deck, beat)
                continue
            slide = deck.slides.add_slide(blank)
            box = slide.shapes.add_textbox(Inches(0.4), Inches(0.15), deck.slide_width - Inches(0.8), Inches(0.6))
            box.text_frame.text = f"{beat.title}: {beat.name}"
            box.text_frame.paragraphs[0].runs[0].font.size = Pt(24)
            movie = slide.shapes.add_movie(str(beat.video), left, top, width, height,
                                           poster_frame_image=str(_poster(beat.video, Path(tmp))),
                                           mime_type="video/mp4")
            _autoplay(slide, movie, beat.seconds)
            if beat.notes:
                slide.notes_slide.notes_text_frame.text = beat.notes
        fd, staging = tempfile.mkstemp(prefix=".tmp-", suffix=".pptx", dir=path.parent)
        os.close(fd)
        try:
            deck.save(staging)
            os.chmod(staging, 0o644)
            os.replace(staging, path)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
    return path


def cmd_slides(args: Any) -> int:
    """`convviz slides`: render the playlist (skipping what is up to date) and write the deck."""
    allowed = DECK_FORMATS[args.to]
    if args.format not in allowed:
        raise ParamError(f"format={args.format!r} cannot go in a {args.to} deck: use {' or '.join(allowed)}.")
    if args.check:
        playlist, options = check_playlist(args)
        print(f"ok: {len(playlist.entries)} scenes of {playlist.title!r} would make {Path(args.out) / f'deck.{args.to}'}"
              f" at {options.tag}.")
        return 0
    playlist, results = render_playlist(args)
    beats = collect_beats(results, playlist.texts)
    deck = Path(args.out) / f"deck.{args.to}"
    if args.to == "html":
        write_html(beats, deck, playlist.title, args.theme, args.embed)
    else:
        write_pptx(beats, deck, playlist.title)
    print(f"{deck} ({len(beats)} beats)")
    return 1 if any(r.status == "failed" for r in results) else 0


def add_parser(sub: Any, add_render_options: Callable[..., None]) -> None:
    """Register `convviz slides`."""
    parser = sub.add_parser("slides", help="render the lecture and make a deck with a pause at every beat")
    parser.add_argument("--to", required=True, choices=list(DECK_FORMATS), help="html (step-through page) or pptx")
    parser.add_argument("--embed", action="store_true", help="html: put the videos inside the page (one file)")
    add_batch_options(parser)
    add_render_options(parser, out="renders/lecture")
    parser.set_defaults(func=cmd_slides)
