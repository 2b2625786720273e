"""Timings of convmath.trace (numpy, every product kept) next to torch's conv (sums only). Prints figures."""

import numpy as np
import torch
import torch.nn.functional as F
from common import best_of

from convmath import conv2d_trace, conv_matrix, conv_transpose2d_trace


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"{'case':48s} {'convmath ms':>12s} {'torch ms':>10s} {'ratio':>7s}")
    cases = [
        ("conv 4x4, k3 (lecture)", (4, 4), (3, 3), dict(), False),
        ("conv 28x28, k3 s2 p1", (28, 28), (3, 3), dict(stride=2, padding=1), False),
        ("conv 8x28x28 -> 16, k3 p1", (8, 28, 28), (16, 8, 3, 3), dict(padding=1), False),
        ("transposed 2x2, k2 (d2l)", (2, 2), (2, 2), dict(), True),
        ("transposed 14x14, k3 s2 p1 a1", (14, 14), (3, 3), dict(stride=2, padding=1, output_padding=1), True),
        ("transposed 16x14x14 -> 8, k3 s2 p1 a1", (16, 14, 14), (16, 8, 3, 3),
         dict(stride=2, padding=1, output_padding=1), True),
    ]
    for name, x_shape, w_shape, kwargs, transposed in cases:
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        xt = torch.tensor(x if x.ndim == 3 else x[None])[None]
        wt = torch.tensor(w if w.ndim == 4 else w[None, None])
        if transposed:
            ours = 1000 * best_of(lambda: conv_transpose2d_trace(x, w, **kwargs), 5)
            theirs = 1000 * best_of(lambda: F.conv_transpose2d(xt, wt, **kwargs), 5)
        else:
            ours = 1000 * best_of(lambda: conv2d_trace(x, w, **kwargs), 5)
            theirs = 1000 * best_of(lambda: F.conv2d(xt, wt, **kwargs), 5)
        print(f"{name:48s} {ours:12.3f} {theirs:10.3f} {ours / theirs:7.1f}")
    for shape in ((4, 4), (16, 16), (28, 28)):
        ms = 1000 * best_of(lambda: conv_matrix(shape, rng.standard_normal((3, 3)), stride=1, padding=1), 5)
        print(f"{'conv_matrix ' + 'x'.join(map(str, shape)) + ', k3 p1':48s} {ms:12.3f}")


if __name__ == "__main__":
    main()
