"""convmath.shapes: the shape trace against forward hooks and real ops, the mirror check, `convmath trace`."""

import json
import textwrap
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from convmath import ConvArithmeticError
from convmath.cli import main
from convmath.models import build_model
from convmath.shapes import check_mirror, shape_trace


def hooked_shapes(model: nn.Module, shape) -> list[tuple[str, tuple, tuple]]:
    """(name, input shape, output shape) of every childless module, recorded by plain forward hooks."""
    seen = []
    handles = [
        module.register_forward_hook(
            lambda m, args, out, name=name: seen.append((name, tuple(args[0].shape), tuple(out.shape))))
        for name, module in model.named_modules() if not list(module.children())
    ]
    with torch.no_grad():
        model.eval()(torch.rand(shape))
    for h in handles:
        h.remove()
    return seen


@pytest.mark.parametrize("kind,shape", [("ae", (1, 1, 8, 8)), ("vae", (3, 1, 8, 8)), ("vae", (2, 1, 28, 28))])
def test_module_steps_equal_forward_hooks(kind, shape):
    model = build_model(kind, shape[2:])
    steps = shape_trace(model, shape)
    modules = [(s.where, s.inputs[0], s.output) for s in steps if s.kind == "module"]
    assert modules == hooked_shapes(model, shape)
    assert steps[0].inputs[0] == shape and steps[-1].output == shape


def test_functional_steps_are_included():
    model = build_model("vae", (8, 8), latent_dim=3)
    steps = shape_trace(model, (4, 1, 8, 8))
    functions = [(s.where, s.op) for s in steps if s.kind == "function"]
    assert functions == [("encoder", "flatten"), ("", "mul"), ("", "exp"), ("", "randn_like"), ("", "mul"),
                         ("", "add"), ("decoder", "view")]
    flatten = next(s for s in steps if s.op == "flatten")
    conv_out = hooked_shapes(model, (4, 1, 8, 8))[3][2]  # the last encoder ReLU
    assert flatten.inputs == (conv_out,) and flatten.output == (4, conv_out[1] * conv_out[2] * conv_out[3])
    z = [s for s in steps if s.op == "add"][-1]  # z = μ + σ ⊙ ε
    assert z.inputs == ((4, 3), (4, 3)) and z.output == (4, 3)


def test_trace_leaves_the_model_and_rng_alone():
    model = build_model("vae").train()
    state = torch.random.get_rng_state()
    shape_trace(model, (1, 1, 8, 8))
    assert model.training
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


class Functional(nn.Module):
    """A user's model that calls F.conv2d / F.conv_transpose2d with its own weights, and chunks into μ, log σ²."""

    def __init__(self, k, s, p, d, a):
        super().__init__()
        self.args = dict(stride=s, padding=p, dilation=d)
        self.a = a
        self.w = nn.Parameter(torch.randn(4, 1, k, k))

    def forward(self, x):
        y = F.conv2d(x, self.w, None, **self.args)
        mu, logvar = y.chunk(2, dim=1)
        return F.conv_transpose2d(mu + logvar.exp(), self.w[:2], output_padding=self.a, **self.args)


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 20), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2),
       st.integers(0, 2))
def test_functional_convs_carry_convmath_formulas_equal_to_the_real_op(i, k, s, p, d, a):
    a = min(a, max(s, d) - 1)
    if i + 2 * p < d * (k - 1) + 1:
        return
    model = Functional(k, s, p, d, a)
    steps = shape_trace(model, (1, 1, i, i))
    convs = [st_ for st_ in steps if st_.is_conv]
    assert [c.op for c in convs] == ["conv2d", "conv_transpose2d"]
    with torch.no_grad():
        y = F.conv2d(torch.zeros(1, 1, i, i), model.w, stride=s, padding=p, dilation=d)
        out = model(torch.zeros(1, 1, i, i))
    assert convs[0].output == tuple(y.shape) and convs[0].predicted == tuple(y.shape[2:])
    assert convs[1].output == tuple(out.shape) and convs[1].predicted == tuple(out.shape[2:])
    assert convs[1].params["output_padding"] == (a, a)
    assert [(c.params["in_channels"], c.params["out_channels"]) for c in convs] == [(1, 4), (2, 1)]
    assert convs[0].formulas[0].value == y.shape[2] and str(y.shape[2]) in convs[0].formulas[0].substituted
    chunk = next(st_ for st_ in steps if st_.op == "chunk")
    assert chunk.outputs == ((1, 2, *y.shape[2:]),) * 2 and chunk.params["dim"] == 1


def broken_autoencoder(output_padding: int = 0, padding: int = 1) -> nn.Module:
    """The built-in AE for 28x28 with its decoder's output_padding / padding overwritten."""
    model = build_model("ae", (28, 28))
    for m in model.decoder.deconvs:
        if isinstance(m, nn.ConvTranspose2d):
            m.output_padding, m.padding = (output_padding,) * 2, (padding,) * 2
    return model


def test_broken_decoder_is_flagged_with_the_fix_that_works():
    model = broken_autoencoder(output_padding=0)
    steps = shape_trace(model, (1, 1, 28, 28))
    assert steps[-1].output == (1, 1, 25, 25)  # 7 -> (7-1)·2-2+3 = 13 -> (13-1)·2-2+3 = 25
    mismatches = check_mirror(steps)
    assert [m.expected for m in mismatches] == [(14, 14), (28, 28)]
    assert all("output_padding=" in m.message for m in mismatches)
    for m in mismatches:  # apply each suggested fix to the real model
        module = dict(model.named_modules())[m.step.where]
        module.output_padding = m.output_padding
    fixed = shape_trace(model, (1, 1, 28, 28))
    assert fixed[-1].output == (1, 1, 28, 28) and not check_mirror(fixed)


def unet_like(output_padding: int) -> nn.Module:
    """Size-keeping convs around the resizing ones (stride 1, 'same'), and a final 1x1 conv in the decoder."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding="same"), nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.Conv2d(8, 8, 3, padding=1),
        nn.Conv2d(8, 8, 3, stride=2, padding=1),
        nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=output_padding), nn.Conv2d(8, 8, 1),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=output_padding), nn.Conv2d(4, 1, 1))


def test_size_keeping_convs_do_not_confuse_the_mirror_check():
    assert not check_mirror(shape_trace(unet_like(1), (1, 1, 28, 28)))
    mismatches = check_mirror(shape_trace(unet_like(0), (1, 1, 28, 28)))
    assert [(m.step.where, m.expected, m.output_padding) for m in mismatches] == [
        ("4", (14, 14), (1, 1)), ("6", (28, 28), (1, 1))]


def test_decoder_that_output_padding_cannot_fix_gets_a_padding_value_that_does():
    model = broken_autoencoder(padding=0)  # crops nothing: too large, whatever the output_padding
    mismatches = check_mirror(shape_trace(model, (1, 1, 28, 28)))
    assert mismatches and all("padding" in m.fix for m in mismatches)
    assert mismatches[1].after == (mismatches[0].step.index,)  # the second assumes the first is fixed
    for m in mismatches:  # apply every fix, in order, to the real model
        module = dict(model.named_modules())[m.step.where]
        for name, value in m.fix.items():
            setattr(module, name, value if isinstance(value, tuple) else (value,) * 2)
    fixed = shape_trace(model, (1, 1, 28, 28))
    assert fixed[-1].output == (1, 1, 28, 28) and not check_mirror(fixed)


def test_bad_input_shape_is_one_sentence():
    with pytest.raises(ConvArithmeticError, match=r"^input_shape=\(1, 2, 8, 8\) is refused by the model: "):
        shape_trace(build_model("ae"), (1, 2, 8, 8))
    with pytest.raises(ConvArithmeticError, match="positive"):
        shape_trace(build_model("ae"), (1, 0, 8, 8))


# ----------------------------------------------------------------------------------------------- CLI
def test_cli_trace_builtin_table_and_json(capsys):
    assert main(["trace", "vae", "--input-shape", "1,1,28,28"]) == 0
    table = capsys.readouterr().out
    for text in ("ConvTranspose2d", "flatten", "randn_like", "view", "(14 − 1)·2 − 2·1 + 3 + 1 = 28"):
        assert text in table
    assert main(["trace", "ae", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["steps"][0]["inputs"] == [[1, 1, 8, 8]] and data["mismatches"] == []
    assert all(s["agrees"] for s in data["steps"] if "agrees" in s)


def test_cli_trace_user_factory_flags_mismatch(tmp_path, monkeypatch, capsys):
    (tmp_path / "usermodel.py").write_text(textwrap.dedent("""
        from torch import nn
        def build():
            return nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1))
    """))
    monkeypatch.chdir(tmp_path)
    assert main(["trace", "usermodel:build", "--input-shape", "1,1,28,28"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "set output_padding=1" in out


@pytest.mark.parametrize("argv,words", [
    (["trace", "gan"], "model='gan' is unknown"),
    (["trace", "nosuchmodule:build", "--input-shape", "1,1,8,8"], "cannot be loaded"),
    (["trace", f"{Path(__file__).parent.parent / 'examples' / 'unet.py'}:build"], "needs --input-shape"),
    (["trace", "ae", "--input-shape", "1,3,8,8"], "N,1,H,W"),
])
def test_cli_trace_bad_input_exits_2_with_one_line(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
