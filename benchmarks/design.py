"""CPU seconds of `convmath design` questions: the defaults an instructor types, and the largest bounds allowed
(which must be refused or answered quickly, never slow). Prints figures, asserts nothing.

    .venv/bin/python benchmarks/design.py
"""

from __future__ import annotations

import time

from convmath import ConvArithmeticError
from convmath.design import BOUNDS, design_layers

LARGEST = {b.name: b.high for b in BOUNDS}
CASES = [
    ("32 -> 16 (defaults)", (32, 32), (16, 16), {}),
    ("16 -> 32 (defaults)", (16, 16), (32, 32), {}),
    ("32x28 -> 16x14 (defaults)", (32, 28), (16, 14), {}),
    ("224 -> 14 (none; hints)", (224, 224), (14, 14), {}),
    ("32 -> 16, largest bounds", (32, 32), (16, 16), LARGEST),
    ("64 -> 1, largest bounds", 64, 1, LARGEST),
    ("1 -> 65536, largest bounds", 1, 65536, LARGEST),
    ("9x8x7 -> 3x2x1, largest bounds", (9, 8, 7), (3, 2, 1), LARGEST),
]


def main() -> None:
    print(f"{'question':36s} {'CPU s':>7s}  answer")
    for name, size, target, bounds in CASES:
        start = time.process_time()
        try:
            d = design_layers(size, target, **bounds)
            answer = ", ".join(f"{fw} {len(rows)}" for fw, rows in d.choices.items())
        except ConvArithmeticError as error:
            answer = f"refused: {str(error)[:60]}..."
        print(f"{name:36s} {time.process_time() - start:7.3f}  {answer}")


if __name__ == "__main__":
    main()
