"""Benchmark: the full Q analysis on synthetic forced sorts, and the bootstrap.

Prints the median seconds of the full pipeline (PCA, 5 factors, varimax, flags, z-scores,
arrays, characteristics, distinguishing/consensus) for 60 statements × 50 … 10000 sorts,
next to the floor: one thin SVD of the standardised 60 × n matrix of the same data.
Then 200 bootstrap steps on 60 × 200.

    python bench/analysis.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from poetq.analysis import analyse, bootstrap
from poetq.domain import Grid
from poetq.simulate import simulate_sorts

GRID = Grid.symmetric([2, 3, 5, 6, 7, 14, 7, 6, 5, 3, 2])


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def svd_floor(x: np.ndarray) -> None:
    xc = x - x.mean(axis=0)
    z = xc / np.sqrt((xc * xc).sum(axis=0))
    np.linalg.svd(z, full_matrices=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="*", default=[50, 200, 1000, 3000, 10000])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    assert GRID.size == 60
    print(
        f"full pipeline, PCA + varimax, 5 factors, {GRID.size} statements (median of {args.repeat})"
    )
    print(f"{'sorts':>7}  {'pipeline s':>11}  {'thin SVD s':>11}  {'ratio':>6}")
    for n in args.sizes:
        x = simulate_sorts(GRID, n, n_viewpoints=5, seed=n).values
        analyse(x, 5)  # warm-up
        t = median_time(lambda x=x: analyse(x, 5), args.repeat)
        floor = median_time(lambda x=x: svd_floor(x), args.repeat)
        print(f"{n:>7}  {t:>11.4f}  {floor:>11.4f}  {t / floor:>6.2f}")
    x = simulate_sorts(GRID, 200, n_viewpoints=5, seed=1).values
    t = median_time(lambda: bootstrap(x, 5, steps=args.steps, seed=1), 3)
    print(f"bootstrap: {args.steps} steps of {GRID.size} x 200, 5 factors: {t:.3f} s (median of 3)")


if __name__ == "__main__":
    main()
