"""The Keras U-Net of keras_unet.py declared for 28×28 with one wrong number: the second pool's window is 3
(strides 2), so it takes 14 to ⌊(14 − 3)/2⌋ + 1 = 6, up1 doubles 6 to 12, and the skip d2 has 14. Keras checks
shapes while the model is built, so the Concatenate refuses inside ``build()`` itself.
``convmath trace examples/keras_unet_broken.py:build`` keeps the steps before it, names up1 and the value that
fixes it (exit 1); with that fix the model builds and gives back 28×28.
"""

from keras_unet import build as build_unet


def build(width: int = 8):
    return build_unet(width, size=28, pool=3)
