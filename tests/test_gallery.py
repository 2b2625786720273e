"""`convviz gallery`: a preview GIF under budget and a poster per scene, the README table, skipping."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from scenes import catalog, lecture
from scenes.cli import main
from scenes.gallery import GIF_BUDGET, MARKERS, gallery_entries, make_gif
from scenes.params import ParamError

pytestmark = pytest.mark.xdist_group("lecture")


@pytest.fixture
def tiny_catalog(monkeypatch):
    """A catalogue of the test scene and one scene not written yet."""
    monkeypatch.setattr(catalog, "SCENES", {"TinyBeats": "tiny_scenes", "Ghost": "scenes.ghost_scene_not_written"})
    monkeypatch.setattr(lecture, "code_hash", lambda module: "pinned")  # colleagues edit the tree meanwhile


def test_gallery_makes_previews_and_the_readme_table(tiny_catalog, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{MARKERS[0]}\nold table\n{MARKERS[1]}\nafter\n")
    out, build = tmp_path / "renders" / "gallery", tmp_path / "renders" / "build"
    args = ["gallery", "--out", str(out), "--build", str(build), "--readme", str(readme), "--jobs", "1"]
    assert main(args) == 0

    gif, png = out / "TinyBeats.gif", out / "TinyBeats.png"
    assert 0 < gif.stat().st_size <= GIF_BUDGET
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.n_frames > 3 and image.info.get("loop") == 0
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (854, 480)  # -q l is 854x480
    assert sorted(p.name for p in out.iterdir()) == ["TinyBeats.gif", "TinyBeats.png"], "no temporary files"

    text = readme.read_text()
    assert text.startswith("# Title\n\nbefore\n") and text.endswith("after\n") and "old table" not in text
    row = next(line for line in text.splitlines() if "`TinyBeats`" in line)
    assert 'src="renders/gallery/TinyBeats.gif"' in row and 'href="renders/gallery/TinyBeats.png"' in row
    assert "Test only: a square per beat." in row and "`convviz render TinyBeats`" in row
    assert "| | `Ghost` | not built yet | |" in text

    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(args) == 0
    assert "0 rendered, 1 up to date" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before, "up to date: previews kept"


def test_a_gif_that_cannot_fit_its_budget_is_refused(tmp_path):
    video = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15:duration=2",
                    "-pix_fmt", "yuv420p", str(video)], check=True)
    with pytest.raises(ParamError, match=r"clip.mp4 makes no GIF under 1000 bytes"):
        make_gif(video, tmp_path / "clip.gif", target=500, budget=1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"], "nothing half-written"
    small = make_gif(video, tmp_path / "clip.gif")
    assert Path(small).stat().st_size <= GIF_BUDGET


def test_a_scene_can_list_presets_each_with_its_own_preview(tiny_catalog, monkeypatch, tmp_path):
    from tiny_scenes import TinyBeats
    monkeypatch.setattr(TinyBeats, "PRESETS", {"three": {"beats": 3}, "one": {"beats": 1}})
    monkeypatch.setattr(TinyBeats, "GALLERY", ("one", "three"))
    readme = tmp_path / "README.md"
    readme.write_text(f"{MARKERS[0]}\n{MARKERS[1]}\n")
    out, build = tmp_path / "gallery", tmp_path / "build"
    assert main(["gallery", "--out", str(out), "--build", str(build), "--readme", str(readme), "--jobs", "1"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["TinyBeats-one.gif", "TinyBeats-one.png",
                                                     "TinyBeats-three.gif", "TinyBeats-three.png"]
    videos = sorted(build.glob("*.mp4"))
    assert [v.name.split("_")[0] for v in videos] == ["01-TinyBeats-one", "03-TinyBeats-three"]  # 3: after Ghost
    lengths = [float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                     str(v)], capture_output=True, text=True, check=True).stdout) for v in videos]
    assert lengths[0] < lengths[1]  # each preview rendered with its preset (1 beat, 3 beats)
    rows = [line for line in readme.read_text().splitlines() if "`TinyBeats`" in line]
    assert len(rows) == 2 and 'src="gallery/TinyBeats-one.gif"' in rows[0]
    assert "`convviz render TinyBeats --preset three`" in rows[1] and "(preset `three`)" in rows[1]


def test_gallery_presets_must_be_presets_of_the_scene(tiny_catalog, monkeypatch):
    from tiny_scenes import TinyBeats
    monkeypatch.setattr(TinyBeats, "GALLERY", ("three", "nope"))
    with pytest.raises(ParamError, match="TinyBeats.GALLERY names preset 'nope', which TinyBeats does not have"):
        gallery_entries("TinyBeats")


def test_every_scenes_gallery_presets_are_its_presets():
    for name in catalog.available_scenes():
        cls = catalog.scene_class(name)
        assert set(cls.GALLERY) <= set(cls.PRESETS), name
    assert [e.preset for e in gallery_entries("ModelFlow")] == ["unet", "unet_broken"]
