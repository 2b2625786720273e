"""Error messages name what the caller wrote: the command line's flags under `convmath` (-p same, --keras, "the
input size"), Python's keywords for Python callers (padding='same', convention='keras'). One sentence, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from convmath import ConvArithmeticError, conv_output_size, transposed_output_size
from convmath.cli import main, parse_size
from convmath.textview import parse_grid
from convmath.validate import python_term, term, worded_as

PYTHON_WORDS = ("convention=", "padding=", "stride=", "kernel=", "dilation=", "output_padding", " i ", " i=", "size=")

# (argv, words the message must hold): each names a flag or a noun the user typed, never a Python keyword.
CASES = [
    (["conv", "5", "-k", "3", "-s", "2", "-p", "same"],
     ["-p same is not supported by PyTorch for -s 2", "(use -p 1 with the stride, or --keras)"]),
    (["conv", "28", "-k", "3,5", "--dims", "3"], ["-k 3,5 has 2 entries but the input size has 3 axes"]),
    (["ambiguity", "3", "-k", "3,5", "--dims", "3"], ["-k 3,5 has 2 entries but the output size has 3 axes"]),
    (["conv", "28", "-k", "3", "-p", "causal"], ["-p causal exists only for Keras Conv1D, but the input size has 2"]),
    (["conv", "1,2,3,4", "-k", "3"], ["the input size 1,2,3,4 has 4 axes"]),
    (["conv", "28", "-k", "0"], ["-k 0 is not allowed: -k must be a positive integer"]),
    (["conv", "28", "-k", "3", "-p", "0:1", "--keras"], ["-p 0:1 is not supported by Keras conv layers"]),
    (["conv", "28", "-k", "3", "-s", "2", "-d", "2", "-p", "same", "--keras"], ["-s 2 with -d 2 is not supported"]),
    (["transpose", "14", "-k", "3", "-s", "2", "-p", "same"], ["-p same is not supported by PyTorch's ConvTranspose",
                                                              "(use -p 0 for 'valid', or --keras)"]),
    (["transpose", "14", "-k", "3", "-s", "2", "-p", "0:1"], ["-p 0:1 is not supported by PyTorch's ConvTranspose"]),
    (["transpose", "14", "-k", "3", "-s", "2", "-a", "2"],
     ["--output-padding 2 must be smaller than stride (2)", "reachable with --output-padding 0..1"]),
    (["transpose", "7", "-k", "3", "-s", "2", "-a", "none"], ["--output-padding none is only meaningful for Keras"]),
    (["transpose", "2,2,2", "-k", "3", "--explain"], ["the input size 2,2,2 has 3 axes"]),
    (["transpose", "2", "-k", "3", "--explain", "--input", "[[1,2],[3]]"],
     ["--input [[1,2],[3]] is not a rectangular"]),
    (["ambiguity", "3", "-k", "3", "-s", "100000"], ["-s 100000 gives 100000 input sizes"]),
    (["conv", "28", "-k", "x"], ["-k x is not an integer"]),
]


@pytest.mark.parametrize("argv,words", CASES, ids=[" ".join(argv) for argv, _ in CASES])
def test_cli_messages_name_the_flags(capsys, argv, words):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"convmath {argv[0]}: ") and err.count("\n") == 1
    message = err.split(": ", 1)[1]
    for word in words:
        assert word in message
    assert not any(python in message for python in PYTHON_WORDS), message
    assert message.rstrip().endswith(".") and ". " not in message


@pytest.mark.parametrize("argv", [CASES[0][0], CASES[10][0]])
def test_command_exits_2_with_one_line_and_no_traceback(argv):
    result = subprocess.run([sys.executable, "-m", "convmath", *argv], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == "" and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith(f"convmath {argv[0]}: -")


def test_python_callers_keep_python_names():
    """The same refusals, called from Python: keyword names and values as Python writes them."""
    with pytest.raises(ConvArithmeticError) as error:
        conv_output_size(5, 3, stride=2, padding="same")
    assert str(error.value) == ("padding='same' is not supported by PyTorch for stride=2: it needs stride 1 "
                                "(use padding=1 with the stride, or convention='keras').")
    with pytest.raises(ConvArithmeticError, match=r"^output_padding=2 must be smaller than stride \(2\)"):
        transposed_output_size(14, 3, stride=2, padding=1, output_padding=2)
    with pytest.raises(ConvArithmeticError, match=r"^padding=1 is not supported by Keras conv layers"):
        conv_output_size(28, 3, padding=1, convention="keras")
    with pytest.raises(ConvArithmeticError, match=r"^kernel='x' is not an integer"):
        parse_size("kernel", "x")
    with pytest.raises(ConvArithmeticError, match=r"^input='\[\[0,1\],\[2\]\]' is not a rectangular grid"):
        parse_grid("input", "[[0,1],[2]]")
    with pytest.raises(ConvArithmeticError, match=r"^kernel=\(3, 5\) has 2 entries but i has 3 axes"):
        conv_output_size((28, 28, 28), (3, 5))


def test_the_command_wording_ends_with_the_command(capsys):
    """After `convmath` has run (and failed), Python callers get Python names again."""
    assert main(CASES[0][0]) == 2
    capsys.readouterr()
    assert term("padding", "same") == "padding='same'"
    with pytest.raises(ConvArithmeticError, match=r"^padding='same'"):
        conv_output_size(5, 3, stride=2, padding="same")


def test_worded_as_sets_the_words_inside_the_block_only():
    def shout(name, value=None):
        return name.upper()

    with worded_as(shout):
        assert term("stride", 2) == "STRIDE"
        with worded_as(python_term):
            assert term("stride", 2) == "stride=2"
        with pytest.raises(ConvArithmeticError, match=r"^STRIDE is not allowed: STRIDE must be"):
            conv_output_size(5, 3, stride=0)
    assert term("stride", 2) == "stride=2"


@pytest.mark.parametrize("argv, words", [(["conv", "0", "-k", "3"], "the input size"),
                                         (["ambiguity", "0", "-k", "3", "-s", "2"], "the output size"),
                                         (["pool", "0", "-k", "2"], "the input size")])
def test_a_message_names_the_size_once_per_clause(argv, words, capsys):
    """'the input size 0 is not allowed: the input size must be a positive integer.', no '(the input size)'."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count(words) == 2 and f"({words})" not in err


def test_python_callers_still_learn_what_i_means():
    with pytest.raises(ConvArithmeticError, match=r"^i=0 is not allowed: i must be a positive integer \(the input size\)\.$"):
        conv_output_size(0, 3)
