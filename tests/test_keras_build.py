"""A Keras model whose factory raises while it builds the graph (Keras checks shapes when a layer is first called
on symbolic tensors): traced up to the layer that refused, explained like a failing forward, and the fix,
applied to the real factory, makes it build and trace clean."""

from __future__ import annotations

import inspect
import json
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402
from keras.src.layers.layer import Layer  # noqa: E402
from keras.src.ops.operation import Operation  # noqa: E402

from codecheck import EXAMPLES, load_example, load_module  # noqa: E402
from conftest import render_dry  # noqa: E402
from convmath.activations import flow_of  # noqa: E402
from convmath.cli import main  # noqa: E402
from convmath.display import TraceView  # noqa: E402
from convmath.shapes import load_model, trace_json, trace_model  # noqa: E402
from convmath.shapes.keras_build import FailedBuild  # noqa: E402
from scenes.modelflow import block_specs  # noqa: E402
from scenes.notebook import trace as notebook_trace  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")
BROKEN = f"{EXAMPLES / 'keras_unet_broken.py'}:build"


def built_with_fix(monkeypatch, build, op: str, where: str, fix: dict):
    """``build()`` with the layer named ``where`` (a ``keras.layers.<op>``) made with the fix's values: the
    class is wrapped while the factory runs, so the factory's own code builds the fixed model."""
    cls = getattr(layers, op)

    def make(*args, **kwargs):
        bound = inspect.signature(cls).bind(*args, **kwargs).arguments
        config = {k: v for k, v in bound.items() if k != "kwargs"} | bound.get("kwargs", {})
        return cls(**(config | fix if config.get("name") == where else config))

    with monkeypatch.context() as patch:
        patch.setattr(layers, op, make)
        return build()


def test_broken_keras_unet_is_traced_up_to_the_concatenate_with_the_fix(capsys):
    calls = Layer.__call__, Operation.__call__
    assert main(["trace", BROKEN]) == 1
    out = capsys.readouterr().out
    assert (Layer.__call__, Operation.__call__) == calls  # the wrappers are gone after the factory ran
    assert [line.split()[1] for line in out.splitlines()[2:8]] == ["d1", "pool1", "d2", "pool2", "bottom", "up1"]
    assert "⌊(14 − 3)/2⌋ + 1 = 6" in out and "6·2 + max(2 − 2, 0) = 12" in out
    assert ("FAILED after step 5: Concatenate (cat1) gets sizes 12 and 14 on axis 1 (shapes 1×12×12×16, "
            "1×14×14×16): step 5 (Conv2DTranspose up1) made the 12 from 6×6; kernel_size=3, output_padding=1 "
            "gives 14, the size of Conv2D d2 (step 2); or step 3 (MaxPooling2D pool2): padding='same' gives 7, "
            "which step 5 turns into 14.") in out


def test_the_fix_and_the_other_way_both_build_a_clean_28_by_28_unet(monkeypatch, capsys):
    build = load_example("keras_unet_broken.py").build
    assert main(["trace", BROKEN, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    f = data["failure"]
    assert (f["op"], f["where"], f["fix_where"], f["reads"]) == ("Concatenate", "cat1", "up1", [5, 2])
    assert data["steps"][f["fix_step"]]["op"] == "Conv2DTranspose"
    for op, where, fix in [("Conv2DTranspose", "up1", f["fix"]), ("MaxPooling2D", "pool2", {"padding": "same"})]:
        trace = trace_model(built_with_fix(monkeypatch, build, op, where, fix), (1, 28, 28, 1))
        assert trace.clean and trace.outputs == ((1, 28, 28, 1),), (op, fix)


def test_a_sum_of_symbolic_tensors_that_cannot_broadcast_is_traced_and_fixed(tmp_path):
    (tmp_path / "ksum.py").write_text(
        "import keras\nfrom keras import layers\n\n\ndef build(padding='valid'):\n    x = keras.Input((8, 8, 1))\n"
        "    a = layers.Conv2D(4, 3, padding=padding, name='a')(x)\n"
        "    return keras.Model(x, a + layers.Conv2D(4, 1, name='b')(x))\n")
    symbolic = Operation.symbolic_call
    model, shape = load_model(f"{tmp_path / 'ksum.py'}:build")
    assert Operation.symbolic_call is symbolic and isinstance(model, FailedBuild)
    f = trace_model(model, shape).failure
    assert (f.op, f.fix_where, f.fix) == ("Add", "a", {"padding": "same"}) and "6 and 8" in f.message
    module = load_module(tmp_path / "ksum.py")
    assert trace_model(module.build(**f.fix), shape).clean


def test_a_kernel_larger_than_its_input_gets_convmaths_sentence_and_padding_same_which_works(tmp_path):
    (tmp_path / "kbig.py").write_text(
        "import keras\nfrom keras import layers\n\n\ndef build(padding='valid'):\n    x = keras.Input((9, 9, 1))\n"
        "    x4 = layers.Conv2D(2, 3, strides=2, name='down')(x)\n"
        "    return keras.Model(x, layers.Conv2D(2, 5, padding=padding, name='big')(x4))\n")
    model, shape = load_model(f"{tmp_path / 'kbig.py'}:build")
    f = trace_model(model, shape).failure  # 9 -> 4, then a 5×5 kernel
    assert (f.where, f.fix, f.fix_where) == ("big", {"padding": "same"}, "big")
    assert "refuses input 1×4×4×2" in f.message and "kernel 5" in f.message and "gives 4×4" in f.message
    module = load_module(tmp_path / "kbig.py")
    fixed = trace_model(module.build(**f.fix), shape)
    assert fixed.clean and fixed.outputs == ((1, 4, 4, 2),)


def test_a_layer_that_refuses_unknown_sizes_still_gets_one_sentence(tmp_path, capsys):
    (tmp_path / "free.py").write_text(
        "import keras\nfrom keras import layers\n\n\ndef build():\n    x = keras.Input((None, None, 1))\n"
        "    return keras.Model(x, layers.Dense(10, name='head')(layers.Flatten()(x)))\n")
    assert main(["trace", f"{tmp_path / 'free.py'}:build", "--input-shape", "1,8,8,1"]) == 2
    err = capsys.readouterr().err
    assert "head needs a fixed input size" in err and "\n" not in err.strip()


def test_a_factory_error_that_is_not_a_layer_refusal_is_not_a_trace(tmp_path, capsys):
    (tmp_path / "odd.py").write_text(
        "import keras\nfrom keras import layers\n\n\ndef build():\n    x = keras.Input((8, 8, 1))\n"
        "    layers.Conv2D(2, 3)(x)\n    raise RuntimeError('no model today')\n")
    assert main(["trace", f"{tmp_path / 'odd.py'}:build"]) == 2
    assert "RuntimeError: no model today" in capsys.readouterr().err


def test_the_notebook_shows_the_build_failure_like_the_command():
    module = load_example("keras_unet_broken.py")
    model, shape = load_model(BROKEN)
    assert isinstance(model, FailedBuild) and shape == (1, 28, 28, 1)
    view = notebook_trace(module.build)
    assert view.data == json.loads(trace_json(trace_model(model, shape)))
    assert not view.ok and view.failure["fix_where"] == "up1"
    html = view._repr_html_().replace("&#x27;", "'")
    assert view.failure["message"] in html and len(TraceView(view.data).steps) == 6


@pytest.mark.render
def test_modelflow_draws_the_real_blocks_before_the_refusal_and_the_explanation():
    model, shape = load_model(BROKEN)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(5))
    flow = flow_of(model, x)
    assert flow.failure.message == trace_model(model, shape).failure.message
    for block in flow.blocks[1:]:  # the real activations of the factory's own layers
        layer = model.partial.get_layer(block.steps[-1].where)
        real = keras.Model(model.inputs, layer.output)(x)
        np.testing.assert_allclose(block.activation, real[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    specs = block_specs(flow, 3)
    assert specs[-1].failed and specs[-1].op == "Concatenate"
    assert [specs[i].shape[1] for i in specs[-1].sources] == [12, 14]  # the two sizes that cannot meet
    scene = render_dry("ModelFlow", "keras_unet_broken")
    assert "step 5 (Conv2DTranspose up1) made the 12" in scene.shown["failure"]
