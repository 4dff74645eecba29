"""Analyses run their linear algebra on one BLAS thread and leave the pools as they were."""

from __future__ import annotations

import numpy as np
import pytest
import threadpoolctl
from tests_helpers import ROOT

from poetq.analysis import analyse, bootstrap
from poetq.analysis.threads import single_threaded
from poetq.errors import ValidationError


def blas_threads() -> list[int]:
    return [
        pool["num_threads"]
        for pool in threadpoolctl.threadpool_info()
        if pool["user_api"] == "blas"
    ]


def lipset():
    return np.loadtxt(ROOT / "tests" / "data" / "lipset" / "sorts.csv", delimiter=",", skiprows=1,
                      usecols=range(1, 10))


def test_bootstrap_steps_run_on_one_thread_and_the_pools_are_restored():
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        seen: list[list[int]] = []
        bootstrap(lipset(), 2, steps=3, progress=lambda i: seen.append(blas_threads()))
        assert seen and all(threads == [1] * len(threads) for threads in seen)
        assert blas_threads() == [2] * len(blas_threads())
        analyse(lipset(), 2)
        assert blas_threads() == [2] * len(blas_threads())


def test_nested_single_threaded_restores_only_at_the_outermost_exit():
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        @single_threaded
        def inner():
            return blas_threads()

        @single_threaded
        def outer():
            first = inner()
            return first, blas_threads()

        first, after_inner = outer()
        assert set(first) == {1} and set(after_inner) == {1}
        assert set(blas_threads()) == {2}


@pytest.mark.parametrize("extraction", ["pca", "centroid"])
def test_bootstrap_in_processes_gives_the_same_steps(extraction):
    x = lipset()
    one = bootstrap(x, 2, steps=12, seed=3, extraction=extraction)
    done: list[int] = []
    three = bootstrap(x, 2, steps=12, seed=3, extraction=extraction, jobs=3, progress=done.append)
    for name in ("zscores", "loadings", "flags", "kept", "resamples"):
        np.testing.assert_array_equal(getattr(three, name), getattr(one, name))
    assert (three.order_errors, three.failed) == (one.order_errors, one.failed)
    assert done == sorted(done) and done[-1] == 12


@pytest.mark.parametrize("jobs", [0, 65, 1.5, True])
def test_bad_jobs_are_refused(jobs):
    with pytest.raises(ValidationError, match="jobs"):
        bootstrap(lipset(), 2, steps=4, jobs=jobs)
