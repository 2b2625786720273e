"""Calls per second of the size functions, and the wall time of a 10,000-configuration verify sweep.
Prints figures, asserts nothing.

    .venv/bin/python benchmarks/arithmetic.py [--samples 10000]
"""

from __future__ import annotations

import argparse
import time

from convmath import (
    conv_input_sizes,
    conv_output_size,
    explain_conv,
    output_padding_for,
    transposed_output_size,
)
from convmath.crosscheck import keras_available, verify

CALLS = [
    ("conv_output_size(28, 3, 2, 1)", lambda: conv_output_size(28, 3, 2, 1)),
    ("conv_output_size((28, 32, 16), 3, 2, 'same', keras)",
     lambda: conv_output_size((28, 32, 16), 3, 2, "same", convention="keras")),
    ("transposed_output_size(14, 3, 2, 1, output_padding=1)",
     lambda: transposed_output_size(14, 3, 2, 1, output_padding=1)),
    ("conv_input_sizes(14, 3, 2, 1)", lambda: conv_input_sizes(14, 3, 2, 1)),
    ("output_padding_for(28, 14, 3, 2, 1)", lambda: output_padding_for(28, 14, 3, 2, 1)),
    ("explain_conv(28, 3, 2, 1)", lambda: explain_conv(28, 3, 2, 1)),
]


def calls_per_second(fn, seconds: float = 0.5) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            fn()
        count += 1000
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()

    print(f"{'call':58s} {'calls/s':>10s}")
    for name, fn in CALLS:
        print(f"{name:58s} {calls_per_second(fn):10,.0f}")

    start = time.perf_counter()
    keras_ok = keras_available()
    print(f"\nkeras import: {time.perf_counter() - start:.1f} s ({'available' if keras_ok else 'not installed'})")
    for keras in (False, True) if keras_ok else (False,):
        start = time.perf_counter()
        report = verify(args.samples, seed=0, keras=keras)
        elapsed = time.perf_counter() - start
        label = "torch + keras" if keras else "torch only"
        print(f"verify --samples {args.samples} ({label}): {elapsed:.1f} s wall, "
              f"{args.samples / elapsed:,.0f} configs/s; {report.summary()}")


if __name__ == "__main__":
    main()
