"""The DCGAN generator (Radford et al. 2015): a 100-d code, reshaped to 1×1, grown by ConvTranspose2d(4, stride 2,
padding 1) layers to 64×64. ``convmath trace examples/dcgan.py:build --input-shape 1,100,1,1``."""

from torch import nn


def up(c_in: int, c_out: int, first: bool = False) -> list[nn.Module]:
    conv = nn.ConvTranspose2d(c_in, c_out, 4, stride=1 if first else 2, padding=0 if first else 1, bias=False)
    return [conv, nn.BatchNorm2d(c_out), nn.ReLU()]


def build(z: int = 100, width: int = 16) -> nn.Module:
    return nn.Sequential(*up(z, 8 * width, first=True), *up(8 * width, 4 * width), *up(4 * width, 2 * width),
                         *up(2 * width, width), nn.ConvTranspose2d(width, 3, 4, stride=2, padding=1), nn.Tanh())
