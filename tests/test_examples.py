"""Every example in examples/ traces clean; the broken ones are explained, and each suggested fix, applied to the
real model, makes it run and trace clean. Also the shape bugs of issue 10 on small models."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from torch import nn

from convmath.cli import main
from convmath.shapes import trace_model
from convmath.shapes.fixes import resizes

EXAMPLES = Path(__file__).parent.parent / "examples"
CLEAN = {"unet.py": (1, 1, 28, 28), "dcgan.py": (1, 100, 1, 1), "resnet_block.py": (1, 16, 32, 32),
         "subpixel.py": (1, 3, 16, 16)}

pytestmark = pytest.mark.usefixtures("one_thread")


def load(name: str):
    spec = importlib.util.spec_from_file_location(name[:-3], EXAMPLES / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply_fix(model: nn.Module, where: str, fix: dict) -> None:
    """Rebuild the layer at ``where`` with the fix's values (kernel changes need a new weight)."""
    parent_name, _, child = where.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    old = getattr(parent, child)
    args = dict(in_channels=old.in_channels, out_channels=old.out_channels, kernel_size=old.kernel_size,
                stride=old.stride, padding=old.padding, dilation=old.dilation, output_padding=old.output_padding)
    n = len(old.kernel_size)
    args |= {k: v if isinstance(v, tuple) else (v,) * n for k, v in fix.items()}
    setattr(parent, child, type(old)(**args))


@pytest.mark.parametrize("name,shape", CLEAN.items())
def test_examples_trace_clean_with_a_prediction_on_every_size_change(name, shape):
    trace = trace_model(load(name).build(), shape)
    assert trace.clean
    for s in trace.steps:
        changes = s.inputs and len(s.inputs[0]) == len(s.output) and s.inputs[0][2:] != s.output[2:]
        assert not changes or (resizes(s) and s.agrees) or s.op in ("interpolate",), s
    assert main(["trace", f"{EXAMPLES / name}:build", "--input-shape", ",".join(map(str, shape))]) == 0


def test_unet_for_odd_sizes_is_clean():
    for size in (27, 29, 30):
        assert trace_model(load("unet.py").build(), (1, 1, size, size)).clean


def test_broken_unet_names_the_layer_and_its_fix_that_works(capsys):
    model = load("unet_broken.py").build()
    trace = trace_model(model, (1, 1, 28, 28))
    f = trace.failure
    assert f is not None and f.op == "cat" and f.fix_where == "up1" and "12 and 14" in f.message
    assert trace.steps[-1].where == "up1"  # the steps before the failure are kept
    apply_fix(model, f.fix_where, f.fix)
    assert trace_model(model, (1, 1, 28, 28)).clean
    assert main(["trace", f"{EXAMPLES / 'unet_broken.py'}:build", "--input-shape", "1,1,28,28", "--json"]) == 1
    assert '"fix_where": "up1"' in capsys.readouterr().out


def test_linear_with_wrong_in_features_is_explained_and_fixed():
    def build(features: int):
        return nn.Sequential(nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(features, 10))

    trace = trace_model(build(400), (1, 1, 12, 12))  # 12 -> 8 -> 4: 16·4·4 = 256
    assert trace.failure.fix == {"in_features": 256} and "256 = 16·4·4" in trace.failure.message
    assert trace_model(build(trace.failure.fix["in_features"]), (1, 1, 12, 12)).clean


def test_view_that_changes_the_batch_is_flagged():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 16, 5)

        def forward(self, x):
            return self.conv(x).view(-1, 400)

    trace = trace_model(Net(), (25, 1, 8, 8))  # 25·16·4·4 = 6400 = 16·400
    assert [m.kind for m in trace.mismatches] == ["batch"] and "batch of 25 into 16" in trace.mismatches[0].message


def test_pool_encoder_and_upsample_decoders_are_checked():
    tconv = nn.Sequential(nn.MaxPool2d(2), nn.MaxPool2d(2), nn.ConvTranspose2d(1, 1, 2, 2), nn.ConvTranspose2d(1, 1, 2, 2))
    trace = trace_model(tconv, (1, 1, 30, 30))  # 30 -> 15 -> 7 -> 14 -> 28
    assert [(m.step.index, m.expected, m.fix) for m in trace.mismatches] == [(2, (15, 15), {"output_padding": 1})]
    tconv[2].output_padding = (1, 1)
    assert trace_model(tconv, (1, 1, 30, 30)).clean
    up = nn.Sequential(nn.MaxPool2d(2, ceil_mode=True), nn.MaxPool2d(2, ceil_mode=True),
                       nn.MaxPool2d(2, ceil_mode=True), nn.Upsample(scale_factor=2), nn.Upsample(scale_factor=2),
                       nn.Upsample(scale_factor=2))
    trace = trace_model(up, (1, 1, 28, 28))  # 28 -> 14 -> 7 -> 4 -> 8 -> 16 -> 32
    assert trace.mismatches and trace.mismatches[0].step.index == 3 and trace.mismatches[0].expected == (7, 7)
    up[3] = nn.Upsample(**trace.mismatches[0].fix)
    assert trace_model(up, (1, 1, 28, 28)).outputs == ((1, 1, 28, 28),)
