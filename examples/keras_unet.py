"""A small Keras U-Net for images of any size (``keras.Input((None, None, 1))``): two MaxPooling2D halve,
two Conv2DTranspose (2, strides 2) double, each result concatenated with the skip of the same level.

``convmath trace examples/keras_unet.py:build --input-shape 1,28,28,1`` exits 0 (28 → 14 → 7 → 14 → 28).
For 30×30 the second pool floors 15 to 7 and up1 gives 14 where the skip has 15: the Concatenate fails when it
runs, and ``--input-shape 1,30,30,1`` exits 1 naming up1 and output_padding=1 ((7 − 1)·2 + 2 + 1 = 15).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402


def conv(filters: int, name: str):
    return layers.Conv2D(filters, 3, padding="same", activation="relu", name=name)


def build(width: int = 8, size: int | None = None, pool: int = 2) -> keras.Model:
    """``size``: the declared image side (None: any); ``pool``: the second pool's window (strides 2)."""
    image = keras.Input((size, size, 1))
    d1 = conv(width, "d1")(image)
    d2 = conv(2 * width, "d2")(layers.MaxPooling2D(2, name="pool1")(d1))
    bottom = conv(4 * width, "bottom")(layers.MaxPooling2D(pool, strides=2, name="pool2")(d2))
    u1 = layers.Conv2DTranspose(2 * width, 2, strides=2, name="up1")(bottom)
    x = conv(2 * width, "u1")(layers.Concatenate(name="cat1")([u1, d2]))
    u2 = layers.Conv2DTranspose(width, 2, strides=2, name="up2")(x)
    x = conv(width, "u2")(layers.Concatenate(name="cat2")([u2, d1]))
    return keras.Model(image, layers.Conv2D(1, 1, name="out")(x), name="unet")
