"""A sub-pixel upscaler (Shi et al. 2016): convs, then a conv to 3·r² channels and PixelShuffle(r).
``convmath trace examples/subpixel.py:build --input-shape 1,3,16,16``."""

from torch import nn


def build(r: int = 3) -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.Tanh(), nn.Conv2d(32, 16, 3, padding=1), nn.Tanh(),
                         nn.Conv2d(16, 3 * r * r, 3, padding=1), nn.PixelShuffle(r))
