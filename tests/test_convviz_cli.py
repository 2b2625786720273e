"""`convviz list` and `convviz render`: the happy path writes one named file; bad input exits 2, writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scenes.cli import main
from scenes.convolution import ConvArithmetic
from scenes.render import output_stem
from scenes.theme import DARK, current_theme


def test_list_shows_scenes_parameters_and_presets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "ConvolutionNumbers" in out and "ConvArithmetic" in out
    for preset in ConvArithmetic.PRESETS:
        assert preset in out
    assert "stride=1" in out


@pytest.mark.parametrize("argv, words", [
    (["--set", "stride=0"], "stride=0"),
    (["--set", "strides=2"], "'strides' is not a parameter"),
    (["--set", "stride"], "key=value"),
    (["--preset", "nope"], "preset='nope'"),
    (["--set", "input_size=2", "--set", "padding=0"], "too small"),
    (["--format", "mp4", "--transparent"], "--transparent"),
    (["--format", "png", "--sections"], "--sections"),
])
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(tmp_path, capsys, argv, words):
    out = tmp_path / "renders"
    assert main(["render", "ConvArithmetic", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("convviz: ") and words in err
    assert err.count("\n") == 0 and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_unknown_scene_exits_2(capsys):
    assert main(["render", "NoSuchScene"]) == 2
    assert "unknown" in capsys.readouterr().err


def test_command_exit_status_is_2_from_the_shell(tmp_path):
    """The installed entry point, as a user runs it: exit 2, one line on stderr, no file."""
    result = subprocess.run([sys.executable, "-m", "scenes.cli", "render", "ConvArithmetic", "--set", "stride=0",
                             "--out", str(tmp_path / "r")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "stride=0" in result.stderr and not (tmp_path / "r").exists()


def test_output_names_say_what_they_are():
    stem = output_stem("ConvArithmetic", "padding_strides", {"stride": "3"}, "h", "dark", True)
    assert stem == "ConvArithmetic_padding_strides_stride-3_1080p60_dark_transparent"


@pytest.mark.render
def test_render_png_dark_theme(tmp_path, capsys):
    assert main(["render", "ConvolutionNumbers", "--format", "png", "--theme", "dark", "-q", "l",
                 "--out", str(tmp_path)]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.parent == tmp_path and path.name == "ConvolutionNumbers_480p15_dark.png"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape == (480, 854, 3)
    corner = image[2, 2]
    expected = [int(DARK.background[i:i + 2], 16) for i in (1, 3, 5)]
    assert np.abs(corner.astype(int) - expected).max() <= 2


@pytest.mark.render
def test_render_mp4_with_custom_numbers(tmp_path, capsys):
    argv = ["render", "ConvArithmetic", "--preset", "no_padding_no_strides", "--set", "stride=2", "-q", "l",
            "--out", str(tmp_path)]
    assert main(argv) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "ConvArithmetic_no_padding_no_strides_stride-2_480p15.mp4"
    assert path.stat().st_size > 10_000
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height,codec_name",
                            "-of", "csv=p=0", str(path)], capture_output=True, text=True)
    assert probe.stdout.strip().startswith("h264,854,480")


def test_a_dark_render_leaves_the_default_theme_light(tmp_path, capsys):
    assert main(["render", "ConvArithmetic", "--set", "input_size=2", "--set", "kernel_size=1",
                 "--format", "png", "--theme", "dark", "-q", "l", "--out", str(tmp_path)]) == 0
    assert current_theme().name == "light"
