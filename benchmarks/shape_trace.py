"""Timing of ``convmath trace`` (convmath.shapes.trace_model) on 50-layer models, torch and Keras, after imports
and one warm-up trace. Prints figures (target: under 2 s per trace)."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import torch  # noqa: E402
from common import best_of  # noqa: E402
from torch import nn  # noqa: E402

from convmath.shapes import trace_model  # noqa: E402


def torch_model(layers: int = 50) -> nn.Module:
    """Conv / ReLU pairs, a strided conv every 10 layers, decoded back by transposed convs: ``layers`` layers."""
    stack: list[nn.Module] = []
    for n in range(layers // 4):
        stack += [nn.Conv2d(8 if stack else 1, 8, 3, stride=2 if n % 5 == 0 else 1, padding=1), nn.ReLU()]
    for n in range(layers // 4):
        stack += [nn.ConvTranspose2d(8, 8, 3, stride=2 if n % 5 == 0 else 1, padding=1,
                                     output_padding=1 if n % 5 == 0 else 0), nn.ReLU()]
    return nn.Sequential(*stack, *[nn.Identity()] * (layers - len(stack)))


def keras_model(layers: int = 50):
    import keras

    stack = []
    for n in range(layers // 2):
        stack.append(keras.layers.Conv2D(8, 3, strides=2 if n % 5 == 0 else 1, padding="same"))
    for n in range(layers - len(stack)):
        stack.append(keras.layers.Conv2DTranspose(8, 3, strides=2 if n % 5 == 0 else 1, padding="same"))
    return keras.Sequential([keras.Input((64, 64, 1)), *stack])


def main() -> None:
    torch.set_num_threads(1)
    cases = [("torch, 50 modules, 1×1×64×64", torch_model(), (1, 1, 64, 64)),
             ("keras, 50 layers, 1×64×64×1", keras_model(), (1, 64, 64, 1))]
    print(f"{'case':36s} {'steps':>6s} {'trace s':>8s}")
    for name, model, shape in cases:
        trace = trace_model(model, shape)  # warm-up (and a check that it is clean)
        assert trace.clean, name
        print(f"{name:36s} {len(trace.steps):6d} {best_of(lambda: trace_model(model, shape)):8.3f}")


if __name__ == "__main__":
    main()
