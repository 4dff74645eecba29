"""Parallel analysis kept between visits: per grid, number of sorts, correlation and seed.

The reference eigenvalues of random forced sorts are the slow part of the number-of-factors
guidance (seconds for hundreds of sorts) and depend only on what
:func:`poetq.analysis.guidance.parallel_key` hashes, so they are computed once and kept: in
this process (a small LRU) and as a file under ``$POETQ_HOME/cache`` that every worker
process of a server shares. A file that cannot be read or written is simply recomputed.
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from poetq.analysis.guidance import parallel_key, parallel_reference
from poetq.paths import home_dir

#: Most references kept in memory (each is two short vectors).
MEMORY_ENTRIES = 64

_MEMORY: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()


def cache_dir() -> Path | None:
    """``$POETQ_HOME/cache/parallel``, or None when poetq has no home directory to write."""
    try:
        return home_dir() / "cache" / "parallel"
    except OSError:
        return None


def _read(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return np.array(data["p95"]), np.array(data["mean"])
    except (OSError, KeyError, ValueError):
        return None


def _write(path: Path, ref: tuple[np.ndarray, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # written aside and renamed: another worker never reads half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, p95=ref[0], mean=ref[1])
        os.replace(tmp, path)
    except OSError:
        pass


def cached_reference(sorts, *, cor: str = "pearson", iterations: int = 200,
                     seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parallel_reference` of ``sorts``, from the cache when it is there.

    Without a seed the draws are new each time, so nothing is cached."""
    if seed is None:
        return parallel_reference(sorts, cor=cor, iterations=iterations, seed=seed)
    key = parallel_key(sorts, cor=cor, iterations=iterations, seed=seed)
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]
    folder = cache_dir()
    path = folder / f"{key}.npz" if folder is not None else None
    ref = _read(path) if path is not None and path.is_file() else None
    if ref is None:
        ref = parallel_reference(sorts, cor=cor, iterations=iterations, seed=seed)
        if path is not None:
            _write(path, ref)
    _MEMORY[key] = ref
    while len(_MEMORY) > MEMORY_ENTRIES:
        _MEMORY.popitem(last=False)
    return ref


def clear_memory() -> None:
    """Forget the in-process references (the files stay): for measuring a first visit."""
    _MEMORY.clear()
