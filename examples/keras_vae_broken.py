"""A broken Keras convolutional VAE: the decoder's Conv2DTranspose layers keep Keras' default padding="valid",
so they grow 7 → 15 → 31 ((7 − 1)·2 + 3 = 15) and the reconstruction is 31×31 for a 28×28 image. Keras builds
it without complaint; the loss would fail, or worse, broadcast.

``convmath trace examples/keras_vae_broken.py:build`` exits 1 naming decoder/up1 and decoder/up2 and
padding='same' (7 → 14 → 28), the second once the first is fixed.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402

LATENT = 2


class Sampling(layers.Layer):
    """z = mean + exp(log_var / 2) · ε, ε ~ N(0, 1)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed = keras.random.SeedGenerator(0)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon


def encoder() -> keras.Model:
    image = keras.Input((28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same", name="down1")(image)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same", name="down2")(x)
    x = layers.Dense(16, activation="relu")(layers.Flatten()(x))
    z_mean = layers.Dense(LATENT, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT, name="z_log_var")(x)
    return keras.Model(image, [z_mean, z_log_var, Sampling()([z_mean, z_log_var])], name="encoder")


def decoder(padding: str = "valid") -> keras.Model:
    z = keras.Input((LATENT,))
    x = layers.Reshape((7, 7, 64))(layers.Dense(7 * 7 * 64, activation="relu")(z))
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding=padding, name="up1")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding=padding, name="up2")(x)
    image = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same", name="out")(x)
    return keras.Model(z, image, name="decoder")


def build(padding: str = "valid") -> keras.Model:
    image = keras.Input((28, 28, 1))
    z_mean, z_log_var, z = encoder()(image)
    return keras.Model(image, (decoder(padding)(z), z_mean, z_log_var), name="vae")
