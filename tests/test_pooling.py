"""convmath.pooling against the real layers: torch MaxPool/AvgPool/AdaptivePool/Upsample/interpolate/PixelShuffle
and Keras 3 MaxPooling/AveragePooling/UpSampling (KERAS_BACKEND=torch). The same size whenever the layer accepts,
ConvArithmeticError whenever it refuses; pool_input_sizes against a brute-force sweep of the real layer."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from codecheck import convmath_size, per_axis, torch_size
from convmath import (ConvArithmeticError, adaptive_pool_output_size, explain_pool, explain_upsample,
                      pixel_shuffle_shape, pixel_unshuffle_shape, pool_input_sizes, pool_output_size,
                      upsample_output_size)
from convmath.pooling import adaptive_pool_windows

os.environ.setdefault("KERAS_BACKEND", "torch")
MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
AVG = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}
SETTINGS = settings(max_examples=200, deadline=None)

pytestmark = pytest.mark.usefixtures("one_thread")


def _run(make, size: tuple[int, ...], channels: int = 1):
    """The real module on zeros: the spatial size, or None if it refuses (TypeError too) or gives an empty tensor."""
    return torch_size(make, size, channels, refusals=(RuntimeError, ValueError, TypeError))


@st.composite
def torch_pools(draw):
    n = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 12)) for _ in range(n))
    kind = draw(st.sampled_from(["max", "avg"]))
    kernel = per_axis(draw, n, st.integers(0, 5))
    stride = draw(st.one_of(st.none(), st.just(per_axis(draw, n, st.integers(0, 4)))))
    padding = per_axis(draw, n, st.integers(-1, 3))
    dilation = per_axis(draw, n, st.integers(1, 3)) if kind == "max" and draw(st.booleans()) else 1
    return n, size, kind, kernel, stride, padding, dilation, draw(st.booleans())


@given(torch_pools())
@SETTINGS
def test_pool_matches_torch(layer):
    n, size, kind, kernel, stride, padding, dilation, ceil = layer
    if kind == "max":
        real = _run(lambda: MAX[n](kernel, stride, padding, dilation, ceil_mode=ceil), size)
    else:
        real = _run(lambda: AVG[n](kernel, stride, padding, ceil_mode=ceil), size)
    assert convmath_size(pool_output_size, size, kernel, stride, padding, dilation, ceil, kind=kind) == real


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("kernel,stride,padding,ceil", [(2, None, 0, False), (2, 2, 0, True), (3, 2, 1, False),
                                                         (3, 2, 1, True), (2, 3, 1, True), (4, 3, 2, True)])
def test_pool_input_sizes_brute_force(kind, kernel, stride, padding, ceil):
    make = (lambda: MAX[1](kernel, stride, padding, ceil_mode=ceil)) if kind == "max" else \
        (lambda: AVG[1](kernel, stride, padding, ceil_mode=ceil))
    real = {i: _run(make, (i,)) for i in range(1, 40)}
    for o in range(1, 12):
        expected = [i for i, out in real.items() if out == (o,)]
        assert list(pool_input_sizes(o, kernel, stride, padding, 1, ceil, kind=kind)) == expected


def test_maxunpool_resolves_the_ambiguity_convmath_names():
    """MaxPool2d(2, 2) maps 4×4 and 5×5 to 2×2; MaxUnpool2d returns each size in pool_input_sizes on request."""
    sizes = pool_input_sizes((2, 2), 2, 2)
    assert [list(r) for r in sizes] == [[4, 5], [4, 5]]
    pool, unpool = nn.MaxPool2d(2, 2, return_indices=True), nn.MaxUnpool2d(2, 2)
    for i in sizes[0]:
        y, idx = pool(torch.zeros(1, 1, i, i))
        assert unpool(y, idx, output_size=(i, i)).shape[-2:] == (i, i)
    with pytest.raises(ValueError):
        unpool(y, idx, output_size=(6, 6))


@st.composite
def interpolations(draw):
    n = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 9)) for _ in range(n))
    scale = st.one_of(st.integers(-1, 4), st.floats(0.05, 3.5).map(lambda f: round(f, 3)))
    if draw(st.booleans()):
        return n, size, {"scale_factor": per_axis(draw, n, scale)}
    return n, size, {"size": per_axis(draw, n, st.integers(0, 12))}


@given(interpolations())
@SETTINGS
def test_upsample_matches_torch_interpolate_and_module(case):
    n, size, kwargs = case
    real = _run(lambda: (lambda x: F.interpolate(x, **kwargs)), size)
    assert _run(lambda: nn.Upsample(**kwargs), size) == real
    assert convmath_size(upsample_output_size, size, **kwargs) == real


def test_upsample_refuses_both_or_neither():
    for kwargs in ({}, {"size": 3, "scale_factor": 2}):
        with pytest.raises(ValueError):
            F.interpolate(torch.zeros(1, 1, 4), **kwargs)
        with pytest.raises(ConvArithmeticError, match="exactly one"):
            upsample_output_size(4, **kwargs)


@given(st.integers(1, 3), st.data())
@SETTINGS
def test_adaptive_pool_matches_torch(n, data):
    size = tuple(data.draw(st.integers(1, 12)) for _ in range(n))
    out = tuple(data.draw(st.one_of(st.none(), st.integers(0, 9))) for _ in range(n))
    cls = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveMaxPool2d, 3: nn.AdaptiveAvgPool3d}[n]
    target = out[0] if n == 1 else out
    if target is None:
        return  # AdaptiveAvgPool1d takes an int only
    assert convmath_size(adaptive_pool_output_size, size, out) == _run(lambda: cls(target), size)


@given(st.integers(1, 9), st.integers(1, 9))
def test_adaptive_windows_average_like_torch(i, o):
    x = torch.arange(float(i)).reshape(1, 1, i)
    real = F.adaptive_avg_pool1d(x, o).flatten().tolist()
    assert [sum(range(a, b)) / (b - a) for a, b in adaptive_pool_windows(i, o)] == pytest.approx(real)


@given(st.integers(1, 20), st.integers(1, 6), st.integers(1, 3), st.integers(1, 9), st.integers(1, 9))
@SETTINGS
def test_pixel_shuffle_and_unshuffle_match_torch(c, r, _, h, w):
    def real(module):
        try:
            y = module(torch.zeros(1, c, h, w))
        except RuntimeError:
            return None
        return int(y.shape[1]), tuple(y.shape[2:])

    assert _mine_pair(pixel_shuffle_shape, c, (h, w), r) == real(nn.PixelShuffle(r))
    assert _mine_pair(pixel_unshuffle_shape, c, (h, w), r) == real(nn.PixelUnshuffle(r))


def _mine_pair(fn, *args):
    try:
        return fn(*args)
    except ConvArithmeticError:
        return None


def test_refusals_name_parameter_value_and_range():
    cases = [
        (lambda: pool_output_size(5, 3, padding=2), "padding=2.*0..1"),
        (lambda: pool_output_size(3, 5), "input size 3 is too small.*at least 5"),
        (lambda: pool_output_size(4, 2, dilation=2, kind="avg"), "dilation=2.*AvgPool"),
        (lambda: pool_output_size(4, 2, padding="full", convention="keras"), "padding='full'.*'valid' or 'same'"),
        (lambda: pool_output_size(4, 2, ceil_mode=True, convention="keras"), "ceil_mode=True"),
        (lambda: upsample_output_size(5, scale_factor=0.1), "scale_factor=0.1.*at least 0.2"),
        (lambda: upsample_output_size(5, scale_factor=2, convention="keras"), "scale_factor=2.*size"),
        (lambda: pixel_shuffle_shape(3, (4, 4), 2), "channels=3.*upscale_factor=2.*4"),
        (lambda: pixel_unshuffle_shape(3, (5, 4), 2), "input size 5.*downscale_factor=2"),
    ]
    for call, pattern in cases:
        with pytest.raises(ConvArithmeticError, match=pattern):
            call()


def test_formulas_carry_the_real_value():
    for kwargs in ({"stride": 3, "padding": 1, "ceil_mode": True}, {"stride": 2}, {"padding": 1}):
        f = explain_pool(7, 2, **kwargs)
        assert (f.value,) == _run(lambda: nn.MaxPool1d(2, **kwargs), (7,))
        assert f.substituted.endswith(f"= {f.value}")
    assert explain_upsample((7, 3), scale_factor=(1.5, 2))[1].text == "o = ⌊i·f⌋ = ⌊3·2⌋ = 6"


# Keras 3 ---------------------------------------------------------------------------------------------------------

def _keras():
    return pytest.importorskip("keras")


def _keras_class(op: str, n: int):
    """Keras' layer class for ``op`` (max, avg, upsample) on ``n`` spatial axes."""
    layers = _keras().layers
    return {"max": (layers.MaxPooling1D, layers.MaxPooling2D, layers.MaxPooling3D),
            "avg": (layers.AveragePooling1D, layers.AveragePooling2D, layers.AveragePooling3D),
            "upsample": (layers.UpSampling1D, layers.UpSampling2D, layers.UpSampling3D)}[op][n - 1]


def _keras_run(make, size):
    try:
        shape = tuple(int(n) for n in make()(np.zeros((1, *size, 1), dtype="float32")).shape[1:-1])
    except Exception:  # noqa: BLE001 - Keras refuses with several exception types
        return None
    return None if 0 in shape else shape


@given(st.integers(1, 3), st.data())
@settings(max_examples=120, deadline=None)
def test_pool_matches_keras(n, data):
    size = tuple(data.draw(st.integers(1, 10)) for _ in range(n))
    pool = per_axis(data.draw, n, st.integers(1, 5))
    strides = data.draw(st.one_of(st.none(), st.just(per_axis(data.draw, n, st.integers(1, 4)))))
    padding = data.draw(st.sampled_from(["valid", "same"]))
    kind = data.draw(st.sampled_from(["max", "avg"]))
    cls = _keras_class(kind, n)
    real = _keras_run(lambda: cls(pool, strides=strides, padding=padding), size)
    assert convmath_size(pool_output_size, size, pool, strides, padding, kind=kind, convention="keras") == real


@given(st.integers(1, 3), st.data())
@settings(max_examples=60, deadline=None)
def test_upsample_matches_keras(n, data):
    size = tuple(data.draw(st.integers(1, 10)) for _ in range(n))
    factor = per_axis(data.draw, n, st.integers(1, 4))
    cls = _keras_class("upsample", n)
    real = _keras_run(lambda: cls(factor if n > 1 or isinstance(factor, int) else factor[0]), size)
    assert convmath_size(upsample_output_size, size, size=factor, convention="keras") == real


def test_keras_pool_input_sizes_brute_force():
    for padding in ("valid", "same"):
        layer = _keras_class("max", 1)(3, strides=2, padding=padding)
        real = {i: _keras_run(lambda: layer, (i,)) for i in range(1, 30)}
        for o in range(1, 10):
            expected = [i for i, out in real.items() if out == (o,)]
            assert list(pool_input_sizes(o, 3, 2, padding, convention="keras")) == expected


# The commands ----------------------------------------------------------------------------------------------------

def _cli(capsys, *argv):
    from convmath.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_pool_command_prints_size_formula_inputs_and_layer(capsys):
    code, out, err = _cli(capsys, "pool", "28", "-k", "3", "-s", "2", "-p", "1", "--ceil")
    real = nn.MaxPool2d(3, 2, 1, ceil_mode=True)(torch.zeros(1, 1, 28, 28)).shape[2:]
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].startswith(f"output size: {real[0]}×{real[1]}")
    assert lines[1].endswith(f"⌈(28 + 2·1 − 3)/2⌉ + 1 = {real[0]}   (ceil_mode)")
    sizes = [i for i in range(20, 40) if nn.MaxPool1d(3, 2, 1, ceil_mode=True)(torch.zeros(1, 1, i)).shape[-1]
             == real[0]]
    assert lines[2].startswith(f"inputs pooled to {real[0]}×{real[1]}: {sizes[0]}..{sizes[-1]} on every axis")
    assert lines[3].startswith("PyTorch: nn.MaxPool2d(kernel_size=3, stride=2, padding=1, ceil_mode=True)")


def test_pool_command_keras_json(capsys):
    keras = _keras()
    code, out, _ = _cli(capsys, "pool", "7,8", "-k", "2", "-p", "same", "--keras", "--avg", "--json")
    data = __import__("json").loads(out)
    real = keras.layers.AveragePooling2D(2, padding="same")(np.zeros((1, 7, 8, 1), dtype="float32")).shape[1:3]
    assert code == 0 and data["output"] == list(real) and data["kind"] == "avg"
    assert data["layer"].startswith("keras.layers.AveragePooling2D(pool_size=2, padding='same')")


def test_upsample_command_torch_and_keras(capsys):
    code, out, _ = _cli(capsys, "upsample", "7,3", "--scale", "2,1.5", "--json")
    data = __import__("json").loads(out)
    real = F.interpolate(torch.zeros(1, 1, 7, 3), scale_factor=(2, 1.5)).shape[2:]
    assert code == 0 and data["output"] == list(real) and data["formulas"][1]["text"].endswith(f"= {real[1]}")
    code, out, _ = _cli(capsys, "upsample", "7", "--scale", "3", "--keras", "--dims", "1")
    assert code == 0 and out.startswith("output size: 21") and "keras.layers.UpSampling1D(size=3)" in out


@pytest.mark.parametrize("argv,named", [
    (["pool", "5", "-k", "3", "-p", "2"], "-p 2"),
    (["pool", "3", "-k", "5"], "input size 3"),
    (["pool", "8", "-k", "2", "--avg", "-d", "2"], "-d 2"),
    (["pool", "8", "-k", "2", "--ceil", "--keras"], "--ceil"),
    (["pool", "8", "-k", "2", "-p", "full", "--keras"], "-p full"),
    (["upsample", "7"], "--scale"),
    (["upsample", "5", "--scale", "0.1"], "--scale 0.1"),
    (["upsample", "5", "--scale", "x"], "--scale x"),
    (["upsample", "5", "--to", "0"], "--to 0"),
    (["upsample", "x", "--scale", "2"], "the input size x"),
])
def test_pool_and_upsample_bad_input_one_sentence_exit_2(capsys, argv, named):
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and out == ""
    assert named in err and err.count("\n") == 1 and "Traceback" not in err


def test_verify_sweeps_pooling_and_upsampling(capsys):
    code, out, _ = _cli(capsys, "verify", "--samples", "400", "--seed", "5")
    first = out.splitlines()[0]
    pools, upsamples = (int(first.split(f" {op}")[0].rsplit(" ", 1)[-1]) for op in ("pool,", "upsample)"))
    assert code == 0 and pools > 50 and upsamples > 30 and first.endswith("0 mismatches")
