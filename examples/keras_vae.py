"""The convolutional VAE of the Keras examples (MNIST, 28×28×1, latent 2), as one functional model: the encoder
(two Conv2D strides 2, 'same': 28 → 14 → 7) gives z_mean, z_log_var and a sample z; the decoder (Dense to
7·7·64, Reshape, two Conv2DTranspose strides 2, 'same': 7 → 14 → 28) gives the reconstruction. The model
returns (reconstruction, z_mean, z_log_var), as the training step needs.
``convmath trace examples/keras_vae.py:build`` (the input shape comes from the model) exits 0."""

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
    z = Sampling()([z_mean, z_log_var])
    return keras.Model(image, [z_mean, z_log_var, z], name="encoder")


def decoder(padding: str = "same") -> keras.Model:
    z = keras.Input((LATENT,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(z)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding=padding, name="up1")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding=padding, name="up2")(x)
    image = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same", name="out")(x)
    return keras.Model(z, image, name="decoder")


def build(padding: str = "same") -> keras.Model:
    """The VAE; ``padding`` is that of the decoder's two strided Conv2DTranspose layers."""
    image = keras.Input((28, 28, 1))
    z_mean, z_log_var, z = encoder()(image)
    return keras.Model(image, (decoder(padding)(z), z_mean, z_log_var), name="vae")
