"""A Keras convolutional autoencoder for 28×28×1 digits: Conv2D strides 2 'same' 28 → 14 → 7, Conv2DTranspose
strides 2 'same' 7 → 14 → 28 (Keras infers the output_padding), a 'same' Conv2D back to one channel.
``convmath trace examples/keras_autoencoder.py:build`` exits 0: the output is 28×28 like the input."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402


def build() -> keras.Model:
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
    ], name="autoencoder")
