"""A ResNet basic block with a strided 1×1 shortcut (He et al. 2016): two 3×3 convs, the first with stride 2,
added to the shortcut. ``convmath trace examples/resnet_block.py:build --input-shape 1,16,32,32``."""

from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, c_in: int = 16, c_out: int = 32, stride: int = 2, shortcut_stride: int | None = None,
                 padding: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=padding, bias=False)
        self.bn1, self.bn2 = nn.BatchNorm2d(c_out), nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.shortcut = nn.Conv2d(c_in, c_out, 1, stride=shortcut_stride or stride, bias=False)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + self.shortcut(x))


def build() -> nn.Module:
    return BasicBlock()
