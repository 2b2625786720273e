"""A U-Net whose skip connection cannot meet: MaxPool2d(2) floors 27 to 13, the transposed conv doubles 13 to 26
... and 7 to 14 where the skip has 13. ``convmath trace examples/unet_broken.py:build --input-shape 1,1,28,28``
names the layer that made the wrong size and the value that fixes it (exit 1)."""

import torch
from torch import nn


def block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


class BrokenUNet(nn.Module):
    def __init__(self, width: int = 8):
        super().__init__()
        self.d1 = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # 28 -> 14
        self.d2 = nn.Sequential(nn.Conv2d(width, width, 3, stride=2), nn.ReLU())  # 14 -> 6
        self.up1 = nn.ConvTranspose2d(width, width, 2, stride=2)  # 6 -> 12, the skip d1 has 14
        self.out = block(2 * width, 1)

    def forward(self, x):
        s1 = self.d1(x)
        y = self.up1(self.d2(s1))
        return self.out(torch.cat([y, s1], dim=1))


def build() -> nn.Module:
    return BrokenUNet()
