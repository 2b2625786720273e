"""The `convmath` command: sizes that match the real ops, formula and layer lines, --json, exit 2 on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from convmath import crosscheck
from convmath.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_conv_prints_size_formula_and_pytorch_line(capsys):
    code, out, err = run(capsys, "conv", "28", "-k", "3", "-s", "2", "-p", "1")
    real = F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 3, 3), stride=2, padding=1).shape[2:]
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"output size: {real[0]}×{real[1]}")
    assert "⌊(28 + 2·1 − 3)/2⌋ + 1" in lines[1] and lines[1].endswith(f"= {real[0]}")
    assert lines[2] == ("PyTorch: nn.Conv2d(C_in, C_out, kernel_size=3, stride=2, padding=1)"
                        f"  # (N, C_in, 28, 28) -> (N, C_out, {real[0]}, {real[1]})")


def test_tuple_sizes_and_keras(capsys):
    code, out, _ = run(capsys, "conv", "28,32", "-k", "3", "-s", "2", "-p", "same", "--keras")
    assert code == 0
    assert out.startswith("output size: 14×16")   # Keras 'same': ceil(i/s) per axis
    assert 'Keras:   keras.layers.Conv2D(filters, kernel_size=3, strides=2, padding="same")' in out
    assert "PyTorch: refuses the same numbers: padding='same' is not supported by PyTorch for stride=2" in out


def test_transpose_json_matches_torch(capsys):
    code, out, _ = run(capsys, "transpose", "14", "-k", "3", "-s", "2", "-p", "1", "-a", "1", "--json")
    data = json.loads(out)
    real = F.conv_transpose2d(torch.zeros(1, 1, 14, 14), torch.zeros(1, 1, 3, 3), stride=2, padding=1,
                              output_padding=1).shape[2:]
    assert code == 0
    assert data["output"] == list(real) and data["input"] == [14, 14] and data["output_padding"] == 1
    assert data["formulas"][0]["value"] == real[0]
    assert data["pytorch"].startswith("nn.ConvTranspose2d(C_in, C_out, kernel_size=3, stride=2, padding=1, "
                                      "output_padding=1)")


def test_transpose_keras_infers_by_default(capsys):
    code, out, _ = run(capsys, "transpose", "7", "-k", "3", "-s", "2", "-p", "same", "--keras", "--dims", "1",
                       "--json")
    data = json.loads(out)
    assert code == 0 and data["output"] == [14] and data["output_padding"] is None


def test_ambiguity_lists_inputs_and_output_paddings_that_work_in_torch(capsys):
    code, out, _ = run(capsys, "ambiguity", "14", "-k", "3", "-s", "2", "-p", "1", "--json")
    data = json.loads(out)
    assert code == 0
    axis = data["axes"][0]
    assert axis["inputs"] == [27, 28]
    for row in axis["transposed"]:  # each output_padding really returns that input size
        y = F.conv_transpose2d(torch.zeros(1, 1, 14, 14), torch.zeros(1, 1, 3, 3), stride=2, padding=1,
                               output_padding=row["output_padding"])
        assert y.shape[-1] == row["input"]
        assert F.conv2d(torch.zeros(1, 1, row["input"], row["input"]), torch.zeros(1, 1, 3, 3), stride=2,
                        padding=1).shape[-1] == 14


def test_ambiguity_text(capsys):
    """The sizes, then complete layer lines (the transposed conv of 14 with the padding that mirrors -p 1, without
    and with output_padding), and Keras's padding that means the same ('same' for k=3, s=2, p=1; issue 9)."""
    code, out, _ = run(capsys, "ambiguity", "14", "-k", "3", "-s", "2", "-p", "1")
    assert code == 0
    assert out.splitlines() == [
        "every axis: 2 input sizes give output 14: 27, 28",
        "  input 27: output_padding=0",
        "  input 28: output_padding=1",
        "",
        "PyTorch:",
        "  nn.ConvTranspose2d(C_in, C_out, kernel_size=3, stride=2, padding=1)  # (N, C_in, 14, 14) -> (N, C_out, 27, 27)",
        "  nn.ConvTranspose2d(C_in, C_out, kernel_size=3, stride=2, padding=1, output_padding=1)"
        "  # (N, C_in, 14, 14) -> (N, C_out, 28, 28)",
        "Keras:",
        '  keras.layers.Conv2DTranspose(filters, kernel_size=3, strides=2, padding="same", output_padding=0)'
        "  # (N, 14, 14, C) -> (N, 27, 27, filters)",
        '  keras.layers.Conv2DTranspose(filters, kernel_size=3, strides=2, padding="same", output_padding=1)'
        "  # (N, 14, 14, C) -> (N, 28, 28, filters)",
        '  keras.layers.Conv2DTranspose(filters, kernel_size=3, strides=2, padding="same")'
        "  # (N, 14, 14, C) -> (N, 28, 28, filters)",
        "",
        "Keras (padding='same', transposed padding='same'): the same input sizes and output_padding; "
        "output_padding=None infers 28.",
    ]


def test_ambiguity_gives_the_other_frameworks_view(capsys):
    code, out, _ = run(capsys, "ambiguity", "14", "-k", "3", "-s", "2", "-p", "same", "--keras", "--json")
    data = json.loads(out)
    assert code == 0 and data["axes"][0]["inputs"] == [27, 28] and data["axes"][0]["inferred"] == 28
    assert "padding='same' is not supported by PyTorch for stride=2" in data["torch"]["refusal"]
    code, out, _ = run(capsys, "ambiguity", "14", "-k", "3", "-s", "2", "-p", "valid")
    assert out.rstrip().endswith("Keras (padding='valid', transposed padding='valid'): the same input sizes and "
                                 "output_padding; output_padding=None infers 29.")


@pytest.mark.parametrize("argv,named", [
    (["transpose", "14", "-k", "3", "-s", "2", "-p", "1", "--output-padding", "2"], "--output-padding 2"),
    (["conv", "28", "-k", "x"], "-k x"),
    (["conv", "2", "-k", "3"], "input size 2"),
    (["conv", "28", "-k", "3", "-s", "2", "-p", "same"], "-p same"),
    (["conv", "28,28", "-k", "3", "--dims", "3"], "--dims=3"),
    (["conv", "28", "-k", "3", "-p", "1", "--keras"], "-p 1"),
    (["conv"], "required"),
    (["verify", "--samples", "-5"], "--samples"),
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, argv, named):
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert named in err and err.count("\n") == 1 and "Traceback" not in err


def test_command_line_exit_2_without_traceback():
    result = subprocess.run([sys.executable, "-m", "convmath", "transpose", "14", "-k", "3", "-s", "2",
                             "--output-padding", "2"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("convmath transpose: --output-padding 2 must be smaller than stride (2)")
    assert "Traceback" not in result.stderr


def test_verify_reports_zero_mismatches(capsys):
    code, out, _ = run(capsys, "verify", "--samples", "120", "--seed", "3")
    assert code == 0
    assert out.startswith("checked 120 configurations") and out.rstrip().endswith("0 mismatches")


def test_verify_exits_1_and_prints_each_mismatch(capsys, monkeypatch):
    wrong = crosscheck.Outcome((999,))
    monkeypatch.setattr(crosscheck, "real_outcome", lambda config: wrong)
    code, out, _ = run(capsys, "verify", "--samples", "5", "--no-keras")
    assert code == 1
    assert out.splitlines()[0].endswith("5 mismatches")
    assert sum(line.startswith("MISMATCH torch") for line in out.splitlines()) == 5


@pytest.mark.parametrize("argv", [["convmath", "design", "32", "16"], ["convviz", "list"]])
def test_a_reader_that_goes_away_is_not_a_traceback(argv):
    """`convmath design 32 16 | head -1`: the pipe's reader is gone; the command stops quietly, status 1."""
    read, write = os.pipe()
    os.close(read)  # a reader that already left: the first write fails with EPIPE
    binary = Path(sys.executable).with_name(argv[0])
    done = subprocess.run([str(binary), *argv[1:]], stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write)
    assert done.stderr == "" and done.returncode == 1
