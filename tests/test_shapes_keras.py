"""Keras 3 models (KERAS_BACKEND=torch) traced as their layers, with Keras' formulas checked against the real
layers' outputs, Keras parameter names in the fixes, and every fix applied to the real Keras model."""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from codecheck import EXAMPLES, load_example, load_module  # noqa: E402
from convmath.cli import main  # noqa: E402
from convmath.shapes import trace_model  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")


def with_fix(model, where: str, fix: dict):
    """The model rebuilt from its config with the fix's values set on the layer named ``where`` (Keras checks
    every name: a torch name like ``stride`` would be refused)."""
    config = model.get_config()
    entry = next(e for e in config["layers"] if e["config"]["name"] == where)
    entry["config"] |= fix
    return type(model).from_config(config)


def sequential(*stack, size=(8, 8, 1)):
    return keras.Sequential([keras.Input(size), *stack])


def test_steps_are_keras_layers_channels_last():
    trace = trace_model(load_example("keras_autoencoder.py").build(), (1, 28, 28, 1))
    assert [s.op for s in trace.steps] == ["Conv2D", "Conv2D", "Conv2DTranspose", "Conv2DTranspose", "Conv2D"]
    assert trace.steps[0].output == (1, 14, 14, 16) and trace.steps[0].params["strides"] == (2, 2)
    assert trace.clean and trace.outputs == ((1, 28, 28, 1),)
    assert [s.reads for s in trace.steps] == [(-1,), (0,), (1,), (2,), (3,)]


@pytest.mark.parametrize("target,shape", [("keras_autoencoder.py:build", None), ("keras_vae.py:build", None),
                                          ("keras_unet.py:build", "1,28,28,1"), ("keras_unet.py:build", "1,32,32,1")])
def test_keras_examples_trace_clean_with_a_prediction_on_every_size_change(target, shape, capsys):
    argv = ["trace", f"{EXAMPLES / target}", "--json"] + (["--input-shape", shape] if shape else [])
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["convention"] == "keras" and not data["mismatches"] and data["failure"] is None
    for s in data["steps"]:
        changes = s["inputs"] and len(s["inputs"][0]) == len(s["outputs"][0]) and s["inputs"][0] != s["outputs"][0]
        assert not changes or s["op"] in ("Concatenate", "Sampling", "Reshape") or s.get("agrees"), s


def test_vae_outputs_a_tuple_and_the_sampling_reads_both_heads():
    trace = trace_model(load_example("keras_vae.py").build(), (2, 28, 28, 1))
    assert trace.outputs == ((2, 28, 28, 1), (2, 2), (2, 2)) and trace.clean
    sampling = next(s for s in trace.steps if s.op == "Sampling")
    assert [trace.steps[r].where for r in sampling.reads] == ["encoder/z_mean", "encoder/z_log_var"]


def test_broken_keras_decoder_gets_output_padding_0_which_works(capsys):
    model = load_example("keras_decoder_broken.py").build()
    trace = trace_model(model, (1, 28, 28, 1))
    assert trace.outputs == ((1, 32, 32, 1),)
    assert [(m.step.where, m.fix) for m in trace.mismatches] == [("up1", {"output_padding": 0})]
    fixed = trace_model(with_fix(model, "up1", trace.mismatches[0].fix), (1, 28, 28, 1))
    assert fixed.clean and fixed.outputs == ((1, 28, 28, 1),)
    assert main(["trace", f"{EXAMPLES / 'keras_decoder_broken.py'}:build"]) == 1
    assert "set output_padding=0" in capsys.readouterr().out


def test_keras_unet_on_an_odd_size_fails_and_the_fix_makes_it_run():
    model = load_example("keras_unet.py").build()
    trace = trace_model(model, (1, 30, 30, 1))
    f = trace.failure
    assert f.op == "Concatenate" and f.fix_where == "up1" and f.fix == {"output_padding": 1}
    assert "14 and 15" in f.message and [s.where for s in trace.steps][-1] == "up1"
    assert trace_model(with_fix(model, "up1", f.fix), (1, 30, 30, 1)).clean


@pytest.mark.parametrize("encoder,decoder,fix", [
    (lambda: layers.Conv2D(4, 3, strides=2, padding="same"), dict(kernel_size=3, strides=2, padding="valid"),
     {"padding": "same"}),
    (lambda: layers.Conv2D(4, 5), dict(kernel_size=3, strides=1), {"kernel_size": 5}),
])
def test_keras_fixes_use_keras_names_and_work(encoder, decoder, fix):
    model = sequential(encoder(), layers.Conv2DTranspose(1, name="up", **decoder))
    trace = trace_model(model, (1, 8, 8, 1))
    assert [m.fix for m in trace.mismatches] == [fix]
    fixed = trace_model(with_fix(model, "up", fix), (1, 8, 8, 1))
    assert fixed.clean and fixed.outputs == ((1, 8, 8, 1),)


def test_upsampling_decoder_of_a_same_pool_is_flagged_with_a_pool_padding_that_works():
    model = sequential(layers.MaxPooling2D(2, padding="same", name="pool"), layers.UpSampling2D(2), size=(7, 7, 1))
    trace = trace_model(model, (1, 7, 7, 1))
    assert trace.outputs == ((1, 8, 8, 1),) and len(trace.mismatches) == 1 and "8×8" in trace.mismatches[0].message


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(2, 3, strides=2, padding="same"),
    lambda: layers.Conv2D(2, (3, 2), strides=(2, 3)),
    lambda: layers.Conv2D(2, 3, dilation_rate=2, padding="same"),
    lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
    lambda: layers.Conv2DTranspose(2, 4, strides=3, padding="valid", output_padding=2),
    lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=0),
    lambda: layers.MaxPooling2D(3, strides=2, padding="same"),
    lambda: layers.AveragePooling2D((2, 3), padding="valid"),
    lambda: layers.UpSampling2D((2, 3)),
    lambda: layers.ZeroPadding2D(((1, 2), (0, 3))),
    lambda: layers.Cropping2D(((1, 0), (2, 2))),
    lambda: layers.Conv1D(2, 3, padding="causal", dilation_rate=2),
    lambda: layers.MaxPooling3D(2),
    lambda: layers.UpSampling1D(3),
])
@pytest.mark.parametrize("size", [7, 10])
def test_keras_formulas_equal_the_real_layers(make, size):
    layer = make()
    n = int(next(c for c in type(layer).__name__ if c.isdigit()))
    model = keras.Sequential([keras.Input((size,) * n + (2,)), layer])
    step, = trace_model(model, (1,) + (size,) * n + (2,)).steps
    assert step.predicted == step.spatial(step.output) and step.formulas


def test_two_inputs_and_a_dict_output_are_traced_whole():
    a, b = keras.Input((8, 8, 1)), keras.Input((4, 4, 2))
    up = layers.UpSampling2D(2, name="up")(b)
    merged = layers.Concatenate(name="cat")([a, up])
    model = keras.Model([a, b], {"image": merged, "small": layers.MaxPooling2D(2, name="pool")(merged)})
    trace = trace_model(model, (1, 8, 8, 1), (1, 4, 4, 2))
    cat = next(s for s in trace.steps if s.op == "Concatenate")
    assert cat.reads == (-1, 0) and trace.clean
    assert sorted(trace.outputs) == [(1, 4, 4, 3), (1, 8, 8, 3)]


def test_a_keras_model_without_a_fixed_input_shape_asks_for_one(tmp_path, capsys):
    path = tmp_path / "free.py"
    path.write_text("import keras\n\ndef build():\n    x = keras.Input((None, None, 1))\n"
                    "    return keras.Model(x, keras.layers.Conv2D(1, 3)(x))\n")
    assert main(["trace", f"{path}:build"]) == 2
    assert "channels last for Keras" in capsys.readouterr().err


def _nested_with_fix(config: dict, path: list[str], fix: dict) -> None:
    entry = next(e for e in config["layers"] if e["config"]["name"] == path[0])
    if len(path) == 1:
        entry["config"] |= fix
    else:
        _nested_with_fix(entry["config"], path[1:], fix)


def test_broken_keras_vae_gets_padding_same_on_both_up_layers_which_works(capsys):
    module = load_example("keras_vae_broken.py")
    model = module.build()
    trace = trace_model(model, (1, 28, 28, 1))
    assert trace.outputs[0] == (1, 31, 31, 1)
    found = [(m.step.where, m.fix, m.after) for m in trace.mismatches]
    assert found == [("decoder/up1", {"padding": "same"}, ()), ("decoder/up2", {"padding": "same"}, (9,))]
    config = model.get_config()
    for m in trace.mismatches:  # each fix set on its own layer inside the nested decoder model
        _nested_with_fix(config, m.step.where.split("/"), m.fix)
    fixed = trace_model(keras.Model.from_config(config, custom_objects={"Sampling": module.Sampling}),
                        (1, 28, 28, 1))
    assert fixed.clean and fixed.outputs[0] == (1, 28, 28, 1)
    assert main(["trace", f"{EXAMPLES / 'keras_vae_broken.py'}:build"]) == 1
    assert "decoder/up1" in capsys.readouterr().out


def dense_classifier(side: int):
    return keras.Sequential([keras.Input((side, side, 1)), layers.Conv2D(8, 3, strides=2, padding="same"),
                             layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(10, name="head")])


def test_dense_fed_another_flattened_size_names_the_sizes_and_the_input_that_fits():
    model = dense_classifier(28)  # built for 28: 28 -> 14 -> 7, 7·7·8 = 392
    f = trace_model(model, (1, 32, 32, 1)).failure  # 32 -> 16 -> 8: 512
    assert f.op == "Dense" and f.where == "head"
    assert "built for 392 inputs but gets 512 = 8·8·8, the flattened 8×8×8 from step 2" in f.message
    assert "keras.Input((32, 32, 1))" in f.message and "an input of 1×30×30×1 gives 392" in f.message
    assert trace_model(model, (1, 30, 30, 1)).clean  # the input it names fits the model as built
    assert trace_model(dense_classifier(32), (1, 32, 32, 1)).clean  # the model built for this input fits too


@pytest.mark.parametrize("graph", ["functional", "sequential"])
def test_keras_reshape_refused_while_building_is_traced_with_the_target_that_fits(graph, tmp_path, capsys):
    model = ("keras.Model(z, layers.Reshape(target, name='to_image')(x))" if graph == "functional" else
             "keras.Sequential([keras.Input((2,)), layers.Dense(7 * 7 * 32, name='fc'), "
             "layers.Reshape(target, name='to_image')])")
    (tmp_path / "kbad.py").write_text(
        "import keras\nfrom keras import layers\n\n\ndef build(target=(7, 7, 64)):\n    z = keras.Input((2,))\n"
        f"    x = layers.Dense(7 * 7 * 32, name='fc')(z)\n    return {model}\n")
    assert main(["trace", f"{tmp_path / 'kbad.py'}:build", "--json"]) == 1  # a shape problem, explained
    failure = json.loads(capsys.readouterr().out)["failure"]
    assert failure["message"] == ("Reshape to_image gets 1568 values per sample (from step 0, Dense fc) but "
                                  "target_shape=(7, 7, 64) needs 3136 = 7·7·64: target_shape=(7, 7, 32) fits, or "
                                  "set units=3136 on step 0 (Dense fc).")
    module = load_module(tmp_path / "kbad.py")
    trace = trace_model(module.build(target=tuple(failure["fix"]["target_shape"])), (1, 2))
    assert trace.clean and trace.outputs == ((1, 7, 7, 32),)


def test_keras_global_pooling_reshape_padding_and_cropping_are_predicted():
    model = keras.Sequential([keras.Input((12, 12, 3)), layers.ZeroPadding2D(((1, 2), (0, 1))), layers.Cropping2D(1),
                              layers.Conv2D(4, 3), layers.GlobalAveragePooling2D(keepdims=True),
                              layers.Reshape((-1, 2)), layers.Flatten(), layers.Dense(8), layers.Reshape((2, 2, 2)),
                              layers.GlobalMaxPooling2D(), layers.Reshape((1, 2)), layers.GlobalAveragePooling1D()])
    trace = trace_model(model, (2, 12, 12, 3))
    assert trace.clean and trace.outputs == ((2, 2),)
    for s in trace.steps:
        assert s.predicted is not None and s.agrees, s
    reshape = next(s for s in trace.steps if s.op == "Reshape")
    assert reshape.predicted == (2, 2) and reshape.formulas[0].substituted == "1·1·4 = 2·2 = 4"


class TwoBranches(keras.Model):
    """A subclassed model: Keras builds it by running ``call`` once more before the real call."""

    def __init__(self, padding: str = "valid"):
        super().__init__()
        self.a = layers.Conv2D(4, 3, padding=padding, name="a")
        self.b = layers.Conv2D(4, 3, padding="same", name="b")
        self.cat = layers.Concatenate(name="cat")

    def call(self, x):
        return self.cat([self.a(x), self.b(x)])


def test_a_subclassed_model_is_traced_once_and_its_fix_works():
    trace = trace_model(TwoBranches(), (1, 8, 8, 1))
    assert [s.where for s in trace.steps] == ["a", "b"]  # Keras' build run is not recorded
    assert (trace.failure.fix_where, trace.failure.fix) == ("a", {"padding": "same"})
    fixed = trace_model(TwoBranches(**trace.failure.fix), (1, 8, 8, 1))
    assert [s.where for s in fixed.steps] == ["a", "b", "cat"] and fixed.outputs == ((1, 8, 8, 8),) and fixed.clean
