"""A broken sub-pixel upscaler: the last conv gives 3·r channels instead of 3·r², so PixelShuffle(2) gets 6
channels, not divisible by r² = 4.

``convmath trace examples/subpixel_broken.py:build --input-shape 1,3,16,16`` exits 1 naming the conv before the
shuffle and out_channels=12 (3·2²: three channels after the shuffle).
"""

from torch import nn


def build(r: int = 2, channels: int | None = None) -> nn.Module:
    last = 3 * r if channels is None else channels
    return nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.Tanh(), nn.Conv2d(32, 16, 3, padding=1), nn.Tanh(),
                         nn.Conv2d(16, last, 3, padding=1), nn.PixelShuffle(r))
