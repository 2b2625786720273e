"""A broken ResNet basic block: the strided 3×3 conv has no padding, so it takes 32 to ⌊(32 − 3)/2⌋ + 1 = 15
while the 1×1 stride-2 shortcut takes 32 to 16; the residual add cannot meet.

``convmath trace examples/resnet_block_broken.py:build --input-shape 1,16,32,32`` exits 1 naming conv1 and
padding=1 (⌊(32 + 2 − 3)/2⌋ + 1 = 16, the shortcut's size).
"""

from torch import nn


class BrokenBlock(nn.Module):
    def __init__(self, c_in: int = 16, c_out: int = 32, padding: int = 0):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=2, padding=padding, bias=False)
        self.bn1, self.bn2 = nn.BatchNorm2d(c_out), nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.shortcut = nn.Conv2d(c_in, c_out, 1, stride=2, bias=False)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + self.shortcut(x))


def build() -> nn.Module:
    return BrokenBlock()
