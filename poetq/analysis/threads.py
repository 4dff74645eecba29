"""Small linear algebra on one thread.

An analysis multiplies and decomposes matrices of a few dozen to a few thousand rows, where
OpenBLAS's threads cost more in start-up and contention than they give: on a busy 2-core
machine ``analyse()`` ran 6-10x and a 200-step bootstrap ~17x slower with the default
thread count than with one thread (bench/cli.py measures both). :func:`single_threaded`
limits the BLAS/OpenMP pools to one thread while an analysis runs and restores them after,
whatever ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` say.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_state: dict[str, Any] = {"controller": None, "depth": 0, "limiter": None}


def _enter() -> None:
    with _lock:
        if _state["depth"] == 0:
            if _state["controller"] is None:
                from threadpoolctl import ThreadpoolController  # ~7 ms to scan the libraries

                _state["controller"] = ThreadpoolController()
            _state["limiter"] = _state["controller"].limit(limits=1)
        _state["depth"] += 1


def _exit() -> None:
    with _lock:
        _state["depth"] -= 1
        if _state["depth"] == 0:
            _state["limiter"].restore_original_limits()
            _state["limiter"] = None


def single_threaded(fn: F) -> F:
    """Run ``fn`` with the BLAS and OpenMP thread pools limited to one thread.

    Parameters
    ----------
    fn : callable
        The function to wrap.

    Returns
    -------
    callable
        ``fn`` with the same signature, name and docstring.

    Notes
    -----
    Re-entrant and shared between threads: the first caller sets the limit and the last one
    to leave restores the pools' original sizes.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _enter()
        try:
            return fn(*args, **kwargs)
        finally:
            _exit()

    return wrapper  # type: ignore[return-value]
