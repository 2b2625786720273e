"""A broken Keras convolutional VAE: examples/keras_vae.py whose decoder's Conv2DTranspose layers keep Keras'
default padding="valid", so they grow 7 → 15 → 31 ((7 − 1)·2 + 3 = 15) and the reconstruction is 31×31 for a
28×28 image. Keras builds it without complaint; the loss would fail, or worse, broadcast.

``convmath trace examples/keras_vae_broken.py:build`` exits 1 naming decoder/up1 and decoder/up2 and
padding='same' (7 → 14 → 28), the second once the first is fixed.
"""

from keras_vae import Sampling, keras  # noqa: F401  (Sampling: a custom layer, from_config needs it by name)
from keras_vae import build as vae


def build() -> keras.Model:
    return vae(padding="valid")  # the clean VAE has padding="same"
