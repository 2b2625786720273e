"""A broken Keras decoder: three Conv2D strides 2 'same' take 28 → 14 → 7 → 4 (⌈7/2⌉ = 4), and three
Conv2DTranspose strides 2 'same' double 4 → 8 → 16 → 32: the output is 32×32 for a 28×28 input.
``convmath trace examples/keras_decoder_broken.py:build`` exits 1 naming the first Conv2DTranspose (up1) and
output_padding=0 ((4 − 1)·2 + 3 − 2 = 7); the other two are then right.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402


def build() -> keras.Model:
    image = keras.Input((28, 28, 1))
    x = image
    for n, filters in enumerate((16, 32, 32), 1):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name=f"down{n}")(x)
    for n, filters in enumerate((32, 16, 1), 1):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu", name=f"up{n}")(x)
    return keras.Model(image, x, name="decoder_broken")
