"""A U-Net whose skip connection cannot meet: the unpadded strided conv d2 takes the pooled 14 to
⌊(14 − 3)/2⌋ + 1 = 6, the transposed conv up1 doubles 6 to 12, and the skip it is concatenated with has 14.
``convmath trace examples/unet_broken.py:build --input-shape 1,1,28,28`` names the layer that made the wrong size
and the value that fixes it (exit 1); with that fix the model runs and gives back 28×28.
"""

import torch
from torch import nn


def block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


class BrokenUNet(nn.Module):
    def __init__(self, width: int = 8):
        super().__init__()
        self.d1 = block(1, width)  # 28
        self.pool = nn.MaxPool2d(2)  # 28 -> 14
        self.d2 = nn.Sequential(nn.Conv2d(width, width, 3, stride=2), nn.ReLU())  # 14 -> 6
        self.up1 = nn.ConvTranspose2d(width, width, 2, stride=2)  # 6 -> 12, the skip has 14
        self.u1 = block(2 * width, width)
        self.up2 = nn.ConvTranspose2d(width, width, 2, stride=2)  # 14 -> 28
        self.out = block(2 * width, 1)

    def forward(self, x):
        s1 = self.d1(x)
        s2 = self.pool(s1)
        y = self.u1(torch.cat([self.up1(self.d2(s2)), s2], dim=1))
        return self.out(torch.cat([self.up2(y), s1], dim=1))


def build() -> nn.Module:
    return BrokenUNet()
