"""A broken DCGAN generator for 28×28 digits (the MNIST variant): Linear(100, 128·7·7), reshaped to 128×7×7,
grown by two ConvTranspose2d(4, stride 2, padding 1) to 14 and 28. The reshape says 8×8 (copied from a 64×64
generator): ``x.view(-1, 128, 8, 8)`` needs 8192 values per sample where the Linear gives 6272.

``convmath trace examples/dcgan_broken.py:build --input-shape 1,100`` exits 1: the view fails, and the trace
names it and the shape that fits, view(-1, 128, 7, 7) (or out_features=8192 on fc). With a batch of 64 the
view does not fail: it silently turns 64 samples into 49, and ``--input-shape 64,100`` exits 1 saying so.
"""

from torch import nn


class Generator(nn.Module):
    def __init__(self, z: int = 100, side: int = 8):
        super().__init__()
        self.side = side
        self.fc = nn.Linear(z, 128 * 7 * 7)
        self.up = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
                                nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh())

    def forward(self, z):
        return self.up(self.fc(z).view(-1, 128, self.side, self.side))


def build(side: int = 8) -> nn.Module:
    return Generator(side=side)
