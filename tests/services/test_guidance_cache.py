"""Parallel analysis is computed once per grid, number of sorts, correlation and seed."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from poetq.analysis.guidance import factor_guidance, parallel_key
from poetq.domain import SortsTable
from poetq.services import guidance_cache
from poetq.services.factor_analysis import Source, run_guidance


def _forced(m: int, seed: int) -> np.ndarray:
    grid = np.repeat([-2, -1, 0, 1, 2], [2, 3, 4, 3, 2]).astype(float)
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.permutation(grid) for _ in range(m)])


def _source(x):
    n, m = x.shape
    return Source(
        SortsTable(tuple(f"s{i}" for i in range(n)), tuple(f"p{j}" for j in range(m)), x), "t"
    )


def test_cached_guidance_equals_the_computed_one_and_is_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("POETQ_HOME", str(tmp_path))
    guidance_cache.clear_memory()
    a, b = _forced(12, 1), _forced(12, 2)
    # forced sorts of the same grid and number: one reference
    assert parallel_key(a, iterations=50) == parallel_key(b, iterations=50)
    assert parallel_key(a, iterations=50) != parallel_key(a, iterations=50, seed=1)
    assert parallel_key(a, iterations=50) != parallel_key(
        _forced(13, 1)[:, :12][:, :11], iterations=50
    )
    calls = []
    real = guidance_cache.parallel_reference
    monkeypatch.setattr(guidance_cache, "parallel_reference",
                        lambda *a_, **k: calls.append(1) or real(*a_, **k))
    first = run_guidance(_source(a), iterations=50)
    assert len(calls) == 1 and len(list((tmp_path / "cache" / "parallel").glob("*.npz"))) == 1
    again = run_guidance(_source(b), iterations=50)
    assert len(calls) == 1
    assert_array_equal(first.parallel, again.parallel)
    guidance_cache.clear_memory()  # another worker process: reads the file
    third = run_guidance(_source(a), iterations=50)
    assert len(calls) == 1
    assert_array_equal(third.parallel, first.parallel)
    plain = factor_guidance(a, iterations=50)
    assert_array_equal(plain.parallel, first.parallel)
    assert plain.parallel_retain == first.parallel_retain and plain.suggested == first.suggested
    run_guidance(_source(a), iterations=50, seed=None)
    assert len(calls) == 2  # no seed, no cache
