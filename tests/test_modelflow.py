"""ModelFlow and convmath.activations: blocks equal the trace, activations equal forward hooks on the real model,
a broken model stops at the failing call with the trace's explanation, bad targets are one sentence (exit 2)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from convmath import ConvArithmeticError
from convmath.activations import flow_input, flow_of, formula_lines, model_flow, thumbnails
from convmath.shapes import load_model, trace_model
from scenes.cli import main
from scenes.modelflow import block_specs, resolve_target
from conftest import render_dry

EXAMPLES = [("examples/unet.py:build", (1, 1, 28, 28)), ("examples/dcgan.py:build", (1, 100, 1, 1)),
            ("examples/resnet_block.py:build", (1, 16, 32, 32)), ("examples/subpixel.py:build", (1, 3, 16, 16))]


@pytest.mark.parametrize("target, shape", EXAMPLES)
def test_blocks_shapes_and_formulas_are_the_trace(target, shape):
    flow = model_flow(resolve_target(target), shape)
    model, _ = load_model(resolve_target(target), shape)
    trace = trace_model(model, shape)
    assert [(s.op, s.output) for s in flow.steps] == [(s.op, s.output) for s in trace.steps]
    assert flow.failure is None and trace.clean
    covered = sorted(s.index for b in flow.blocks for s in b.steps)
    assert covered == list(range(len(trace.steps)))  # every step drawn once: a block or folded into one
    for block in flow.blocks[1:]:
        last = trace.steps[block.steps[-1].index]
        assert block.shape == last.output  # the shape under the block is the trace's
        assert all(s.output == block.step.output for s in block.steps[1:])  # folded steps keep the shape
        first = trace.steps[block.step.index]
        shown = " ".join(formula_lines(block.step))
        assert all(f.text in shown for f in first.formulas)  # every axis's formula, numbers in, as traced
    assert flow.output.shape == trace.outputs[0]


def test_unet_skip_connections_join_at_the_cats():
    flow = model_flow(resolve_target("examples/unet.py:build"), (1, 1, 28, 28))
    cats = [b for b in flow.blocks if b.op == "cat"]
    assert len(cats) == 2 and all(len(b.sources) == 2 for b in cats)
    for cat in cats:
        skip = flow.blocks[cat.sources[1]]
        assert skip.shape[-2:] == cat.shape[-2:] and skip.index < cat.index - 1


def test_activations_equal_forward_hooks_on_the_real_model():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.ReLU(inplace=True), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 3 * 3, 5))
    x = torch.randn(1, 1, 15, 15)
    seen = {}
    for name, module in model.named_children():
        module.register_forward_hook(lambda m, i, o, name=name: seen.__setitem__(name, o.detach().clone()))
    with torch.no_grad():
        final = model(x)
    flow = flow_of(model, x)
    assert [b.op for b in flow.blocks] == ["input", "Conv2d", "MaxPool2d", "Flatten", "Linear"]
    # the conv block shows the activation after its folded in-place ReLU: the ReLU's hook output
    np.testing.assert_allclose(flow.blocks[1].activation, seen["1"][0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(flow.blocks[2].activation, seen["2"][0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(flow.output.activation, final[0].numpy(), rtol=1e-6)
    assert flow.blocks[1].folded == ("ReLU",)


def test_keras_activations_equal_the_real_keras_layer_outputs():
    import keras

    model, _ = load_model(resolve_target("examples/keras_unet.py:build"), (1, 20, 20, 1))
    x = torch.randn(1, 20, 20, 1, generator=torch.Generator().manual_seed(4))
    flow = flow_of(model, x)
    assert [b.op for b in flow.blocks][:3] == ["input", "Conv2D", "MaxPooling2D"]
    assert [b.sources for b in flow.blocks if b.op == "Concatenate"] == [(6, 3), (9, 1)]  # the skips
    for block in flow.blocks[1:]:
        layer = model.get_layer(block.steps[-1].where)
        real = keras.Model(model.inputs, layer.output)(x)  # Keras' own graph up to that layer
        assert block.channels_last and block.shape == tuple(real.shape)
        np.testing.assert_allclose(block.activation, real[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(flow.output.activation, model(x)[0].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_keras_vae_blocks_reach_into_its_encoder_and_decoder():
    flow = model_flow(resolve_target("examples/keras_vae.py:build"), (1, 28, 28, 1))
    ops = [b.op for b in flow.blocks]
    assert ops.count("Conv2D") == 2 and ops.count("Conv2DTranspose") == 3 and "Sampling" in ops
    sampling = flow.blocks[ops.index("Sampling")]
    assert [flow.blocks[i].op for i in sampling.sources] == ["Dense", "Dense"]  # z_mean and z_log_var
    assert flow.blocks[-1].shape == (1, 28, 28, 1) and "digit #0" in flow.input_text
    again = model_flow(resolve_target("examples/keras_vae.py:build"), (1, 28, 28, 1))
    np.testing.assert_array_equal(again.output.activation, flow.output.activation)  # seeded weights


def test_keras_channels_last_input_and_thumbnails():
    from sklearn.datasets import load_digits
    x, _ = flow_input((1, 20, 20, 2), image=5, channels_last=True)
    digit = torch.tensor(load_digits().images[5] / 16.0, dtype=torch.float32)[None, None]
    expected = F.interpolate(digit, size=(20, 20), mode="bilinear", align_corners=False)[0, 0]
    torch.testing.assert_close(x[0, :, :, 1], expected)
    a = np.random.default_rng(0).normal(size=(5, 6, 4))
    last, more = thumbnails(a, 2, channels_last=True)
    first, _ = thumbnails(np.moveaxis(a, -1, 0), 2)
    assert more == 2 and all(np.array_equal(p, q) for p, q in zip(last, first))


def test_one_path_draws_a_texts_glyphs_as_one_mobject():
    from manim import Text
    from scenes.components import one_path

    text = Text("Conv2d k=3", font_size=20, color="#123456")
    merged = one_path(text)
    glyphs = text.family_members_with_points()
    assert merged.family_members_with_points() == [merged] and len(glyphs) > 5
    np.testing.assert_allclose(merged.points, np.concatenate([g.points for g in glyphs]))
    assert merged.get_fill_color().to_hex().lower() == "#123456" and merged.get_fill_opacity() == 1


def test_network_labels_keep_the_readability_floor_however_many_blocks():
    """Boxes and maps scale to fit, labels do not: a crowded diagram drops parameters and folded layers (then every
    label) rather than draw them under MIN_FONT_SIZE; whatever is drawn fits the box."""
    from manim import Group

    from scenes.components import BlockSpec, NetworkDiagram
    from scenes.theme import MIN_FONT_SIZE

    def diagram(n: int) -> NetworkDiagram:
        specs = [BlockSpec("ConvTranspose2d", "k=4 s=2 p=1", (1, 64, 8, 8), ("BatchNorm2d", "ReLU"),
                           (np.ones((8, 8)),) * 3, 61, (i - 1,) if i else ()) for i in range(n)]
        return NetworkDiagram(specs, width=13.2, height=5.4)

    for n, labels in ((5, ("op", "params", "shape", "folded")), (14, ("op", "shape")), (40, ())):
        d = diagram(n)
        assert d.labels == labels, n
        texts = [m for b in d.blocks for m in b.family_members_with_points() if hasattr(m, "font_size")]
        texts += [m.more_label for m in d.maps if m.more_label is not None]
        assert all(m.font_size >= MIN_FONT_SIZE - 0.05 for m in texts)
        drawn = Group(*d.blocks, *d.maps)
        assert drawn.width <= 13.2 + 1e-6 and drawn.height <= 5.4 + 1e-6


def test_thumbnails_are_the_first_channels_scaled_to_0_1():
    a = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4) - 5
    images, more = thumbnails(np.concatenate([a, np.ones((3, 3, 4))]), 2)
    assert more == 3 and len(images) == 2
    np.testing.assert_allclose(images[0], (a[0] - a[0].min()) / (a[0].max() - a[0].min()))
    vector, more = thumbnails(np.array([1.0, 3.0, 2.0]).reshape(3, 1, 1), 3)
    np.testing.assert_allclose(vector[0], [[0, 1, 0.5]]) and more == 0
    assert thumbnails(np.ones((1, 4, 4)), 3)[0][0].max() == 0  # a constant map is blank, not NaN


def test_digit_input_is_a_bilinear_resize_of_the_builtin_digit():
    from sklearn.datasets import load_digits
    x, text = flow_input((1, 2, 20, 20), image=5)
    digit = torch.tensor(load_digits().images[5] / 16.0, dtype=torch.float32)[None, None]
    expected = F.interpolate(digit, size=(20, 20), mode="bilinear", align_corners=False)[0, 0]
    torch.testing.assert_close(x[0, 1], expected)
    assert "bilinear" in text and "#5" in text


def test_a_users_npy_must_have_the_input_shape(tmp_path):
    good = tmp_path / "x.npy"
    np.save(good, np.full((1, 6, 6), 0.5))
    x, _ = flow_input((1, 1, 6, 6), str(good))
    assert x.shape == (1, 1, 6, 6) and float(x.mean()) == 0.5
    with pytest.raises(ConvArithmeticError, match="has shape 1×6×6: it must be 1×1×7×7"):
        flow_input((1, 1, 7, 7), str(good))


def test_the_broken_unet_stops_at_the_cat_with_the_traces_explanation():
    target = resolve_target("examples/unet_broken.py:build")
    flow = model_flow(target, (1, 1, 28, 28))
    model, _ = load_model(target, (1, 1, 28, 28))
    trace = trace_model(model, (1, 1, 28, 28))
    assert flow.failure.message == trace.failure.message and flow.failure.fix == trace.failure.fix
    specs = block_specs(flow, 3)
    assert specs[-1].failed and specs[-1].op == "cat"
    assert [specs[i].shape[-1] for i in specs[-1].sources] == [12, 14]  # the two sizes that cannot meet


pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def rendered_unet():
    return render_dry("ModelFlow", "unet", channels=2)


def test_the_scene_shows_the_traces_shapes_formulas_and_activations(rendered_unet, tmp_path):
    shown = rendered_unet.shown
    flow = shown["flow"]
    model, _ = load_model(resolve_target("examples/unet.py:build"), (1, 1, 28, 28))
    trace = trace_model(model, (1, 1, 28, 28))
    for spec, block in zip(shown["specs"], flow.blocks):
        assert spec.shape == (trace.steps[block.steps[-1].index].output if block.steps else (1, 1, 28, 28))
        images, more = thumbnails(block.activation, 2)
        assert len(spec.images) == min(2, block.shape[1]) and spec.more == block.shape[1] - len(spec.images)
        for drawn, image in zip(spec.images, images):
            np.testing.assert_array_equal(drawn, image)
    for index, lines in shown["formulas"]:
        for step in flow.blocks[index].steps:
            assert all(f.text in " ".join(lines) for f in trace.steps[step.index].formulas)
    shown_steps = [s for i, _ in shown["formulas"] for s in flow.blocks[i].steps if s.formulas]
    assert len(shown_steps) == sum(s.predicted is not None for s in trace.steps) == 12


def test_a_keras_model_renders_with_its_channels_last_shapes():
    scene = render_dry("ModelFlow", "keras_unet", channels=2)
    flow, specs = scene.shown["flow"], scene.shown["specs"]
    assert [s.shape for s in specs] == [b.shape for b in flow.blocks] and specs[1].shape == (1, 28, 28, 8)
    assert all(s.channels_last for s in specs) and specs[1].more == 6 and specs[1].images[0].shape == (28, 28)


def test_the_broken_example_renders_its_explanation():
    scene = render_dry("ModelFlow", "unet_broken")
    assert "step 5 (ConvTranspose2d up1) made the 12" in scene.shown["failure"]
    assert any("made the 12" in " ".join(caption) for caption in scene.shown["captions"])


@pytest.mark.parametrize("source, words", [
    ("def build(n):\n    return None\n", "calling build() failed: TypeError"),
    ("raise RuntimeError('boom')\n", "cannot be loaded: RuntimeError: boom"),
    ("def build():\n    return 3\n", "gave a int, not a torch.nn.Module"),
    ("def other():\n    pass\n", "has no build"),
])
def test_a_bad_user_file_is_one_sentence_naming_the_target_exit_2(tmp_path, capsys, source, words):
    path = tmp_path / "user_model.py"
    path.write_text(source)
    code = main(["render", "ModelFlow", "--check", "--set", f"model={path}:build", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and words in err and str(path) in err
    assert not (tmp_path / "o").exists()
