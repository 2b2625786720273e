"""`convviz list` and `convviz render`: the happy path writes one named file; bad input exits 2, writes nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from scenes import catalog
from scenes.cli import build_parser, main
from scenes.convolution import ConvArithmetic
from scenes.params import value_text
from scenes.reference import REGENERATE, catalog_markdown
from scenes.render import DEFAULT_QUALITY, output_stem
from scenes.theme import DARK, current_theme
from scenes.transposed import TransposedConvScatter
from tiny_scenes import register_tiny


def test_list_shows_scenes_parameters_and_presets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "ConvolutionNumbers" in out and "ConvArithmetic" in out
    for preset in ConvArithmetic.PRESETS:
        assert preset in out
    assert "stride=1" in out


@pytest.mark.parametrize("argv, words", [
    (["ConvArithmetic", "--set", "stride=0"], "stride=0"),
    (["ConvArithmetic", "--set", "strides=2"], "'strides' is not a parameter"),
    (["ConvArithmetic", "--set", "stride"], "key=value"),
    (["ConvArithmetic", "--preset", "nope"], "preset='nope'"),
    (["ConvArithmetic", "--set", "input_size=2", "--set", "padding=0"], "too small"),
    (["ConvArithmetic", "--format", "mp4", "--transparent"], "--transparent"),
    (["ConvArithmetic", "--format", "png", "--sections"], "--sections"),
    # values each parameter's range allows, which the scene refuses together
    (["TransposedConvScatter", "--set", "output_padding=3"], "output_padding"),
    (["TransposedConvScatter", "--set", "input=[[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5]]"], "input"),
    (["TransposedConvAsConv", "--set", "size=20"], "size"),
    (["TransposedConvMatrix", "--set", "input=[[1,2,3],[4,5,6],[7,8,9],[1,2,3],[4,5,6],[7,8,9]]"], "input"),
    (["GroupedConv", "--set", "groups=3"], "groups=3 does not divide c_in=4"),
    (["MultiChannelConv", "--set", "bias_values=1,2,3"], "one per filter"),
    (["Conv1DSequence", "--set", "dilations=16,16"], "draws up to 32"),
    (["Conv3DVolume", "--set", "padding=causal"], "only for 1-D"),
    (["Conv3DVolume", "--set", "size=6"], "too small to read"),
    (["MultiChannelConv", "--set", "size=1", "--set", "padding=0"], "too small"),
    # a given tensor sets its sizes: a size said otherwise, or two tensors that disagree, are refused
    (["MultiChannelConv", "--set", "input=[[[1,2],[3,4]]]", "--set", "c_in=3"], "c_in=3 contradicts input"),
    (["MultiChannelConv", "--set", "input=[[[1,2],[3,4]]]", "--set", "weights=[[[[1]],[[2]]]]"],
     "so c_in=2, but input has c_in=1"),
    (["MultiChannelConv", "--set", "input=[[[1,2,3],[4,5,6]]]"], "axes that are size here must be equal"),
    (["Conv1DSequence", "--set", "input=[[1],[2],[3],[4]]"], "makes c_in=4: c_in must be 1 to 3"),
])
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(tmp_path, capsys, argv, words):
    out = tmp_path / "renders"
    assert main(["render", *argv, "--out", str(out)]) == 2
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


# ---- the reference: convviz list --json / --markdown, docs/scenes.md ----------------------------------------

def test_list_json_has_every_scene_parameter_range_and_preset(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in data["scenes"]] == list(catalog.SCENES)
    for scene in data["scenes"]:
        if not scene["built"]:
            continue
        cls = catalog.scene_class(scene["name"])
        assert [p["name"] for p in scene["parameters"]] == [p.name for p in cls.PARAMS]
        assert set(scene["presets"]) == set(cls.PRESETS)
        for shown, param in zip(scene["parameters"], cls.PARAMS):
            assert shown["kind"] == param.kind and shown["allowed"] == param.allowed_text()
            assert {"default", "low", "high", "max_side", "reason", "help", "choices"} <= set(shown)
    assert any(p["name"] == "day1" and p["default"] for p in data["playlists"])


def test_docs_scenes_md_is_generated_from_the_declarations():
    committed = (Path(__file__).parents[1] / "docs" / "scenes.md").read_text(encoding="utf-8")
    assert committed == catalog_markdown(), f"docs/scenes.md is stale: run `{REGENERATE}`"


def test_the_listing_names_each_parameter_kind_and_range(capsys, monkeypatch):
    register_tiny(monkeypatch)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"beats=2 +int +how many beats \[1 to 60 \(each beat takes 0.4 s\)\]", out), out
    assert "day1" in out


# ---- --check -------------------------------------------------------------------------------------------------

def test_check_validates_and_renders_nothing(tmp_path, capsys):
    out = tmp_path / "renders"
    assert main(["render", "ConvArithmetic", "--set", "stride=2", "--check", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"ok: would write {out}/ConvArithmetic_stride-2_1080p60.mp4"
    assert not out.exists()


@pytest.mark.parametrize("argv, words", [
    (["--set", "stride=nan"], "stride"),
    (["--format", "gif", "--transparent"], "--transparent"),
    (["--format", "png", "--sections"], "--sections"),
])
def test_check_refuses_values_and_options(tmp_path, capsys, argv, words):
    assert main(["render", "ConvArithmetic", *argv, "--check", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


def test_check_refuses_an_output_folder_that_is_a_file(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    assert main(["render", "ConvArithmetic", "--check", "--out", str(tmp_path / "taken")]) == 2
    assert "is a file" in capsys.readouterr().err


# ---- one default quality --------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["render", "ConvArithmetic"], ["lecture"], ["slides", "--to", "html"]])
def test_every_command_has_the_same_default_quality_and_says_it(argv, capsys):
    args = build_parser().parse_args(argv)
    assert args.quality == DEFAULT_QUALITY == "h"
    with pytest.raises(SystemExit):
        main([argv[0], "--help"])
    assert "(default h: 1080p60" in " ".join(capsys.readouterr().out.split())


# ---- output names ---------------------------------------------------------------------------------------------

def test_inputs_that_differ_only_in_a_sign_get_different_names():
    params = [TransposedConvScatter.resolve(None, {"input": text}) for text in ("[[1,2],[3,-1]]", "[[1,2],[3,1]]")]
    a, b = (output_stem("TransposedConvScatter", None, {"input": p["input"]}, "l", "light", False) for p in params)
    assert a != b
    assert a.startswith("TransposedConvScatter_input-1-2-3-1_") and a.endswith("_480p15")


def test_exact_names_carry_no_hash_and_cut_ones_do():
    assert output_stem("ConvArithmetic", None, {"stride": (2, 1), "dilation": 2}, "m", "light", False) == \
        "ConvArithmetic_dilation-2_stride-2-1_720p30"
    long = output_stem("ConvArithmetic", None, {"input": np.arange(100).reshape(10, 10)}, "l", "light", False)
    assert re.fullmatch(r"ConvArithmetic_input-[0-9-]{30,40}_[0-9a-f]{8}_480p15", long), long


conv_values = st.fixed_dictionaries({}, optional={
    "stride": st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    "padding": st.one_of(st.integers(0, 2), st.sampled_from(["valid", "same", "full"]),
                         st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                   st.tuples(st.integers(0, 2), st.integers(0, 2)))),
    "dilation": st.integers(1, 2),
    "input": st.lists(st.lists(st.integers(-20, 20), min_size=3, max_size=3), min_size=3, max_size=3),
    "seed": st.integers(0, 10**6),
})


@settings(max_examples=300)
@given(conv_values, conv_values)
def test_different_parameters_never_share_a_name(a, b):
    """Two renders with different (parsed) parameters never write the same file, so neither replaces the other."""
    parsed = [{k: ConvArithmetic.PARAMS[[p.name for p in ConvArithmetic.PARAMS].index(k)].parse(v)
               for k, v in d.items()} for d in (a, b)]
    texts = [{k: value_text(v) for k, v in d.items()} for d in parsed]
    stems = [output_stem("ConvArithmetic", None, d, "l", "light", False) for d in parsed]
    assert (stems[0] == stems[1]) == (texts[0] == texts[1])
