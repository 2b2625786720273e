"""A small U-Net (PyTorch): conv blocks, MaxPool2d(2, ceil_mode=True), ConvTranspose2d(2, stride 2), the
decoder resized to its skip's size with F.interpolate, then torch.cat. Trace it:
``convmath trace examples/unet.py:build --input-shape 1,1,28,28``."""

import torch
import torch.nn.functional as F
from torch import nn


def block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, channels: int = 1, width: int = 8, output_padding: int = 0):
        super().__init__()
        self.d1, self.d2, self.mid = block(channels, width), block(width, 2 * width), block(2 * width, 4 * width)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)
        self.up2 = nn.ConvTranspose2d(4 * width, 2 * width, 2, stride=2, output_padding=output_padding)
        self.u2 = block(4 * width, 2 * width)
        self.up1 = nn.ConvTranspose2d(2 * width, width, 2, stride=2, output_padding=output_padding)
        self.u1 = block(2 * width, width)
        self.out = nn.Conv2d(width, channels, 1)

    def forward(self, x):
        s1 = self.d1(x)
        s2 = self.d2(self.pool(s1))
        y = self.mid(self.pool(s2))
        y = F.interpolate(self.up2(y), size=s2.shape[-2:])
        y = self.u2(torch.cat([y, s2], dim=1))
        y = F.interpolate(self.up1(y), size=s1.shape[-2:])
        return self.out(self.u1(torch.cat([y, s1], dim=1)))


def build() -> nn.Module:
    return UNet()
