"""Every example in examples/ traces clean; the broken ones are explained, and each suggested fix, applied to the
real model, makes it run and trace clean. Also the shape bugs of issue 10 on small models."""

from __future__ import annotations


import pytest
import torch
from torch import nn

from codecheck import EXAMPLES, load_example  # noqa: E402
from convmath.cli import main
from convmath.shapes import trace_model
from convmath.shapes.failure import shuffle_channels
from convmath.shapes.fixes import resizes

CLEAN = {"unet.py": (1, 1, 28, 28), "dcgan.py": (1, 100, 1, 1), "resnet_block.py": (1, 16, 32, 32),
         "subpixel.py": (1, 3, 16, 16)}

pytestmark = pytest.mark.usefixtures("one_thread")


def apply_fix(model: nn.Module, where: str, fix: dict) -> None:
    """Rebuild the layer at ``where`` with the fix's values (kernel changes need a new weight)."""
    parent_name, _, child = where.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    old = getattr(parent, child)
    args = dict(in_channels=old.in_channels, out_channels=old.out_channels, kernel_size=old.kernel_size,
                stride=old.stride, padding=old.padding, dilation=old.dilation)
    if old.transposed:
        args["output_padding"] = old.output_padding
    n = len(old.kernel_size)
    args |= {k: v if isinstance(v, tuple) else (v,) * n for k, v in fix.items()}
    setattr(parent, child, type(old)(**args))


@pytest.mark.parametrize("name,shape", CLEAN.items())
def test_examples_trace_clean_with_a_prediction_on_every_size_change(name, shape):
    trace = trace_model(load_example(name).build(), shape)
    assert trace.clean
    for s in trace.steps:
        changes = s.inputs and len(s.inputs[0]) == len(s.output) and s.inputs[0][2:] != s.output[2:]
        assert not changes or (resizes(s) and s.agrees) or s.op in ("interpolate",), s
    assert main(["trace", f"{EXAMPLES / name}:build", "--input-shape", ",".join(map(str, shape))]) == 0


def test_unet_for_odd_sizes_is_clean():
    for size in (27, 29, 30):
        assert trace_model(load_example("unet.py").build(), (1, 1, size, size)).clean


def test_broken_unet_names_the_layer_and_its_fix_that_works(capsys):
    model = load_example("unet_broken.py").build()
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


def test_broken_unet_alternative_fix_on_the_strided_conv_works():
    model = load_example("unet_broken.py").build()
    message = trace_model(model, (1, 1, 28, 28)).failure.message
    assert "or step 3 (Conv2d d2.0): padding=1 gives 7, which step 5 turns into 14" in message
    apply_fix(model, "d2.0", {"padding": 1})
    assert trace_model(model, (1, 1, 28, 28)).clean


def test_cat_whose_culprit_is_a_plain_conv_gets_its_value():
    class Net(nn.Module):
        def __init__(self, padding: int = 0):
            super().__init__()
            self.a = nn.Conv2d(1, 4, 3, padding=padding)  # 28 -> 26 without padding
            self.b = nn.Conv2d(1, 4, 3, padding=1)

        def forward(self, x):
            return torch.cat([self.a(x), self.b(x)], dim=1)

    f = trace_model(Net(), (1, 1, 28, 28)).failure
    assert (f.fix_where, f.fix) == ("a", {"padding": 1}) and "26 and 28" in f.message
    assert trace_model(Net(**f.fix), (1, 1, 28, 28)).clean


def test_kernel_larger_than_its_input_is_explained_by_convmath():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.Conv2d(4, 4, 5))  # 9 -> 4, then a 5×5 kernel
    f = trace_model(model, (1, 1, 9, 9)).failure
    assert f.where == "1" and "4×4" in f.message and "kernel 5" in f.message
    assert "Calculated padded input" not in f.message  # convmath's sentence, not torch's


def test_broken_dcgan_view_is_explained_and_the_shape_it_suggests_works():
    module = load_example("dcgan_broken.py")
    f = trace_model(module.build(), (1, 100)).failure
    assert f.op == "view" and f.fix == {"shape": (-1, 128, 7, 7)}
    assert "6272 values per sample (from step 0, Linear fc) but needs 8192" in f.message
    assert "out_features=8192 on step 0 (Linear fc)" in f.message
    fixed = trace_model(module.build(side=f.fix["shape"][-1]), (1, 100))
    assert fixed.clean and fixed.outputs == ((1, 1, 28, 28),)
    other = module.build()  # the other way: the Linear gives what the view asks for
    other.fc = nn.Linear(100, 8192)
    assert trace_model(other, (1, 100)).clean
    assert main(["trace", f"{EXAMPLES / 'dcgan_broken.py'}:build", "--input-shape", "1,100"]) == 1


def test_broken_dcgan_with_a_batch_of_64_is_flagged_with_the_shape_that_fits():
    module = load_example("dcgan_broken.py")
    trace = trace_model(module.build(), (64, 100))  # 64·6272 = 49·8192: the view runs
    (m,) = trace.mismatches
    assert m.kind == "batch" and "batch of 64 into 49" in m.message and m.fix == {"shape": (-1, 128, 7, 7)}
    fixed = trace_model(module.build(side=m.fix["shape"][-1]), (64, 100))
    assert fixed.clean and fixed.outputs == ((64, 1, 28, 28),)


def test_broken_resnet_block_add_names_conv1_and_its_padding_which_works():
    model = load_example("resnet_block_broken.py").build()
    f = trace_model(model, (1, 16, 32, 32)).failure
    assert (f.op, f.fix_where, f.fix) == ("add", "conv1", {"padding": 1})
    assert "15 and 16" in f.message and "shortcut" in f.message
    apply_fix(model, f.fix_where, f.fix)
    trace = trace_model(model, (1, 16, 32, 32))
    assert trace.clean and trace.outputs == ((1, 32, 16, 16),)
    assert main(["trace", f"{EXAMPLES / 'resnet_block_broken.py'}:build", "--input-shape", "1,16,32,32"]) == 1


def test_broken_subpixel_names_the_conv_and_out_channels_which_work():
    model = load_example("subpixel_broken.py").build()
    f = trace_model(model, (1, 3, 16, 16)).failure
    assert (f.op, f.fix_step, f.fix) == ("PixelShuffle", 4, {"out_channels": 12})
    assert "6 channels, not a multiple of r² = 4" in f.message
    old = model[4]
    model[4] = nn.Conv2d(old.in_channels, f.fix["out_channels"], old.kernel_size, padding=old.padding)
    trace = trace_model(model, (1, 3, 16, 16))
    assert trace.clean and trace.outputs == ((1, 3, 32, 32),)
    assert main(["trace", f"{EXAMPLES / 'subpixel_broken.py'}:build", "--input-shape", "1,3,16,16"]) == 1


@pytest.mark.parametrize("got,r", [(6, 2), (5, 2), (10, 3), (12, 3), (7, 4)])
def test_shuffle_channels_are_accepted_by_the_real_pixel_shuffle(got, r):
    want = shuffle_channels(got, r)
    assert want % (r * r) == 0 and want >= got
    assert nn.PixelShuffle(r)(torch.zeros(1, want, 2, 2)).shape == (1, want // (r * r), 2 * r, 2 * r)


def test_torch_linear_names_the_input_that_gives_its_in_features():
    model = nn.Sequential(nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))
    f = trace_model(model, (1, 1, 12, 12)).failure
    assert "an input of 1×1×14×14 gives 400" in f.message
    assert trace_model(model, (1, 1, 14, 14)).clean


def test_output_size_of_an_autoencoder_is_checked_even_when_the_mirror_is_silent():
    def build(padding: int = 0):  # 28 -> 26 (unpadded conv, nothing undoes it) -> 13 -> 26 -> 26
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=padding), nn.MaxPool2d(2), nn.Upsample(scale_factor=2),
                             nn.Conv2d(4, 1, 3, padding=1))

    trace = trace_model(build(), (1, 1, 28, 28))
    (m,) = trace.mismatches
    assert (m.kind, m.step.index, m.fix, m.expected, m.actual) == ("output", 0, {"padding": 1}, (28, 28), (26, 26))
    assert "output is 26×26 for a 28×28 input" in m.message and "Conv2d 0" in m.message
    fixed = trace_model(build(**m.fix), (1, 1, 28, 28))
    assert fixed.clean and fixed.outputs == ((1, 1, 28, 28),)
    assert main(["trace", "ae", "--input-shape", "1,1,28,28"]) == 0  # the built-in autoencoder stays clean


def test_output_check_leaves_models_that_only_go_one_way_alone():
    down = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2))  # a classifier's trunk: smaller on purpose
    assert trace_model(down, (1, 1, 28, 28)).clean


@pytest.mark.parametrize("forward", [lambda x: torch.flatten(x), lambda x: x.flatten(), lambda x: x.view(-1),
                                     lambda x: x.reshape(-1, 64), lambda x: x.mean(0)])
def test_every_way_of_losing_the_batch_is_flagged(forward):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3)

        def forward(self, x):
            return forward(self.conv(x))

    trace = trace_model(Net(), (4, 1, 4, 4))  # conv: 4×8×2×2, 32 values per sample
    assert [m.kind for m in trace.mismatches] == ["batch"], trace.mismatches


@pytest.mark.parametrize("layer", [nn.ZeroPad2d((1, 2, 0, 3)), nn.ReflectionPad2d(2), nn.ReplicationPad2d((0, 1, 2, 1)),
                                   nn.ConstantPad3d(1, 0.5), nn.CircularPad1d((2, 1)), nn.ZeroPad2d(-1)])
def test_torch_padding_layers_are_predicted_as_the_real_layers(layer):
    shape = {nn.ConstantPad3d: (1, 2, 4, 5, 6), nn.CircularPad1d: (1, 2, 7)}.get(type(layer), (1, 2, 5, 6))
    (step,) = trace_model(nn.Sequential(layer), shape).steps
    assert step.predicted is not None and step.agrees and step.formulas[0].text.startswith("o = i + before")


@pytest.mark.parametrize("pad,mode", [((1, 1), "constant"), ((2, 0, -1, 1), "constant"),
                                      ((1, 2, 1, 2, 0, 1), "reflect"),
                                      ((1, 1, 1, 1, 1, 1), "replicate")])
def test_functional_pad_is_predicted(pad, mode):
    class Net(nn.Module):
        def forward(self, x):
            return torch.nn.functional.pad(x, pad, mode=mode)

    (step,) = trace_model(Net(), (1, 2, 5, 6, 7)).steps
    assert step.op == "pad" and step.predicted is not None and step.agrees
