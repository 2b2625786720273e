"""A broken ResNet basic block: examples/resnet_block.py with one wrong number. The strided 3×3 conv has no
padding, so it takes 32 to ⌊(32 − 3)/2⌋ + 1 = 15 while the 1×1 stride-2 shortcut takes 32 to 16; the residual add
cannot meet.

``convmath trace examples/resnet_block_broken.py:build --input-shape 1,16,32,32`` exits 1 naming conv1 and
padding=1 (⌊(32 + 2 − 3)/2⌋ + 1 = 16, the shortcut's size).
"""

from torch import nn

from resnet_block import BasicBlock


def build() -> nn.Module:
    return BasicBlock(padding=0)  # the clean block has padding=1
