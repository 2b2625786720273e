"""`convviz slides`: an HTML deck driven in headless chromium, a PPTX deck read back with python-pptx."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from scenes import lecture
from scenes.cli import main
from tiny_scenes import register_tiny

pytestmark = pytest.mark.xdist_group("lecture")

PLAYLIST = """title = "Tiny deck"
[[scenes]]
scene = "TinyBeats"
title = "Two beats"
notes = "Say hello first."
[[scenes]]
title = "A question"
text = "Why does the output shrink?"
notes = "Ask the room first."
[[scenes]]
scene = "TinyBeats"
title = "Three beats"
preset = "three"
"""
BEATS = 5
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required", "--remote-debugging-pipe"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The tiny lecture rendered once, with an HTML deck, an embedded HTML deck and a PPTX deck."""
    folder = tmp_path_factory.mktemp("slides")
    (folder / "playlist.toml").write_text(PLAYLIST)
    base = ["--playlist", str(folder / "playlist.toml"), "--out", str(folder / "out"), "--jobs", "2", "-q", "l"]
    with pytest.MonkeyPatch.context() as patch:
        register_tiny(patch)
        patch.setattr(lecture, "code_hash", lambda module: "pinned")  # colleagues edit the tree meanwhile
        assert main(["slides", "--to", "html", *base]) == 0
        (folder / "out" / "deck.html").rename(folder / "out" / "linked.html")
        assert main(["slides", "--to", "html", "--embed", *base]) == 0
        assert main(["slides", "--to", "pptx", *base]) == 0
    return folder / "out"


def test_the_renders_are_reused_by_every_deck(rendered, capsys):
    assert {"linked.html", "deck.html", "deck.pptx"} <= {p.name for p in rendered.iterdir()}
    assert not list(rendered.rglob(".tmp-*"))


def test_the_html_deck_needs_no_network(rendered):
    for page in ("linked.html", "deck.html"):
        text = (rendered / page).read_text()
        assert "http://" not in text and "https://" not in text and "<link" not in text
    slides = json.loads((rendered / "linked.html").read_text().split("const slides = ")[1].split(";\n")[0])
    assert len(slides) == BEATS + 2 and slides[0] == {"src": "", "title": "Tiny deck", "beat": "", "notes": "", "text": ""}
    assert slides[3] == {"src": "", "title": "A question", "beat": "", "notes": "Ask the room first.",
                         "text": "Why does the output shrink?"}  # the text slide, in its place
    clips = slides[1:3] + slides[4:]
    assert all((rendered / s["src"]).is_file() for s in clips)
    assert [s["beat"] for s in clips] == ["Beat 1", "Beat 2", "Beat 1", "Beat 2", "Beat 3"]  # words, not code


class Chromium:
    """Headless Debian chromium driven over --remote-debugging-pipe (CDP on fds 3 and 4)."""

    def __init__(self, url: str):
        binary = shutil.which("chromium")
        if binary is None:
            pytest.skip("chromium is not installed and could not be: `make test` installs Debian's chromium "
                        "(apt-get install chromium)")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def wire() -> None:  # in the child: the pipe ends become fds 3 and 4, inheritable
            a, b = os.dup(to_browser), os.dup(from_browser)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.profile = tempfile.mkdtemp(prefix="convviz-chromium-")
        self.process = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                        close_fds=False, preexec_fn=wire,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._id = b"", 0
        target = self.send("Target.createTarget", url=url)["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._read, 1 << 16)
                assert chunk, "chromium closed the debugging pipe"
                self._buffer += chunk
            raw, _, self._buffer = self._buffer.partition(b"\0")
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply
                return reply["result"]

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def key(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", self.session, type=kind, key=key, code=key,
                      windowsVirtualKeyCode=code)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self._write)
            os.close(self._read)
            shutil.rmtree(self.profile, ignore_errors=True)


PLAYED = "deck.shown.error === null && deck.shown.currentTime > 0.2 && deck.shown.src.includes({clip!r})"


@pytest.fixture
def browser():
    opened = []

    def open_page(path: Path) -> Chromium:
        opened.append(Chromium(path.as_uri()))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def test_the_html_deck_plays_beat_by_beat_in_chromium(rendered, browser):
    page = browser(rendered / "linked.html")
    assert page.wait_for("getComputedStyle(document.getElementById('cover')).display !== 'none'")
    assert page.js("document.querySelector('#cover h1').textContent") == "Tiny deck"  # the title slide
    assert page.js("document.getElementById('count').textContent") == f"1 / {BEATS + 2}"

    page.key("ArrowRight", 39)
    page.wait_for(PLAYED.format(clip="01-TinyBeats_480p15_0000_beat-1.mp4"))
    assert page.js("getComputedStyle(document.getElementById('cover')).display") == "none"
    page.key("ArrowRight", 39)
    page.wait_for(PLAYED.format(clip="01-TinyBeats_480p15_0001_beat-2.mp4"))
    assert page.js("[deck.index, document.getElementById('beat').textContent]") == [2, "Beat 2"]
    assert page.js("document.getElementById('title').textContent") == "Two beats"

    page.key(" ", 32)  # space pauses the beat (a question), and stays on it
    assert page.wait_for("deck.shown.paused && deck.index === 2")
    held = page.js("deck.shown.currentTime")
    time.sleep(0.5)
    assert page.js("deck.shown.currentTime") == held
    assert page.js("getComputedStyle(document.getElementById('paused')).display") != "none"
    page.key("k", 75)  # K resumes, like space
    assert page.wait_for(f"!deck.shown.paused && deck.shown.currentTime > {held}")

    page.key("ArrowRight", 39)  # the text slide
    assert page.wait_for("deck.index === 3 && getComputedStyle(document.getElementById('cover')).display !== 'none'")
    assert page.js("document.querySelector('#cover p').textContent") == "Why does the output shrink?"
    page.key("ArrowRight", 39)
    page.wait_for(PLAYED.format(clip="03-TinyBeats_480p15_0000_beat-1.mp4"))
    assert page.js("document.getElementById('title').textContent") == "Three beats"
    page.key("ArrowLeft", 37)
    assert page.wait_for("deck.index === 3")

    page.key("n", 78)
    assert page.js("getComputedStyle(document.getElementById('notes')).display") == "block"
    assert page.js("document.getElementById('notes').textContent") == "Ask the room first."  # the text slide's
    page.key("f", 70)
    assert page.wait_for("document.fullscreenElement !== null")


def test_the_embedded_deck_is_one_file(rendered, browser, tmp_path):
    alone = tmp_path / "deck.html"
    shutil.copyfile(rendered / "deck.html", alone)
    page = browser(alone)
    assert page.wait_for("deck.index === 0")
    page.key("ArrowRight", 39)
    page.wait_for("deck.shown.error === null && deck.shown.currentTime > 0.2 && deck.shown.src.startsWith('data:')")
    page.key("ArrowRight", 39)
    assert page.wait_for("deck.index === 2 && deck.shown.currentTime > 0.2")


def test_the_pptx_deck_has_one_slide_per_beat_with_its_clip(rendered):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = Presentation(str(rendered / "deck.pptx"))
    clips = sorted((rendered / "01-TinyBeats_480p15.sections").glob("*.mp4")) + sorted(
        (rendered / "03-TinyBeats_480p15.sections").glob("*.mp4"))
    slides = list(deck.slides)
    assert len(slides) == len(clips) + 2 == BEATS + 2
    assert slides[0].shapes.title.text == "Tiny deck"  # the title slide
    assert (slides[3].shapes.title.text, slides[3].placeholders[1].text) == ("A question", "Why does the output shrink?")
    assert slides[3].notes_slide.notes_text_frame.text == "Ask the room first."
    for slide, clip in zip(slides[1:3] + slides[4:], clips):
        movies = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        videos = [r.target_part for r in slide.part.rels.values() if r.target_part.content_type == "video/mp4"]
        assert videos and all(v.blob == clip.read_bytes() for v in videos)
        assert_plays_on_entry(slide, movies[0].shape_id)
        assert_poster_shows_content(slide, clip)
    assert deck.slides[1].notes_slide.notes_text_frame.text == "Say hello first."
    assert slides[4].shapes[0].text_frame.text == "Three beats: Beat 1"


def assert_plays_on_entry(slide, shape_id: int) -> None:
    """The movie starts with the slide: a mediacall playFrom step after no click, on the movie's shape."""
    steps = slide._element.xpath(".//p:timing//p:cTn[@presetClass='mediacall']")
    assert len(steps) == 1 and steps[0].get("nodeType") == "afterEffect"
    assert slide._element.xpath(".//p:timing//p:cTn[@presetClass='mediacall']//p:cmd/@cmd") == ["playFrom(0.0)"]
    assert {int(v) for v in slide._element.xpath(".//p:timing//p:spTgt/@spid")} == {shape_id}
    assert not slide._element.xpath(".//p:timing//p:cTn[@nodeType='clickEffect']")


def assert_poster_shows_content(slide, clip: Path) -> None:
    """The poster is the beat's last frame (its square drawn), not its blank first frame."""
    from PIL import Image

    images = [r.target_part for r in slide.part.rels.values() if r.target_part.content_type.startswith("image/")]
    poster = np.asarray(Image.open(io.BytesIO(images[0].blob)).convert("L"), dtype=float)
    first = subprocess.run(["ffmpeg", "-v", "error", "-i", str(clip), "-frames:v", "1", "-f", "rawvideo",
                            "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    blank = np.frombuffer(first, dtype=np.uint8).astype(float)
    assert poster.std() > blank.std() + 5, "the poster shows more than the beat's first frame"


def test_a_deck_refuses_a_format_it_cannot_play(tmp_path, capsys):
    assert main(["slides", "--to", "pptx", "--format", "webm", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "convviz: format='webm' cannot go in a pptx deck: use mp4."
    assert not (tmp_path / "o").exists()
