"""Drawing in two processes: a forked child and this one take figures from one queue.

Only for a command line process: a forked child of a threaded web server could deadlock.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import struct
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from poetq.errors import ValidationError

T = TypeVar("T")
_INDEX = struct.Struct("<I")  # 4 bytes: a pipe read this small is atomic, so no item is taken twice


def map_shared(work: Callable[[int, Any], T], n: int, *, jobs: int = 1,
               context: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
               ) -> list[T]:
    """``[work(0, ctx), ..., work(n - 1, ctx)]``, shared between this process and, with
    ``jobs=2``, one forked child.

    Both take the next index from one pipe, so they finish together whatever each item costs
    (give the costly items the low indices). Each process runs its items inside its own
    ``context()`` (e.g. a writer thread), passed to ``work`` as ``ctx``. The child's results
    come back pickled; a failure in the child is raised here as a ValidationError with its
    message, after this process's own items are done.
    """
    if jobs < 2 or n < 2 or not hasattr(os, "fork"):
        with context() as ctx:
            return [work(i, ctx) for i in range(n)]
    tasks_r, tasks_w = os.pipe()
    with os.fdopen(tasks_w, "wb") as queue:  # closed before the fork: an empty pipe is the end
        queue.write(b"".join(_INDEX.pack(i) for i in range(n)))
    results_r, results_w = os.pipe()
    # the collector would write to every object the child inherits, copying its pages
    gc.freeze()
    with warnings.catch_warnings():
        # Python 3.12+ warns when the process has other threads: here only OpenBLAS's idle
        # workers, which OpenBLAS itself shuts down around a fork; the child runs no BLAS.
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: its items, then its results or its failure, and never return
        status = 0
        try:
            os.close(results_r)
            done = dict(_run(work, tasks_r, context))
            payload = pickle.dumps(("ok", done))
        except BaseException as exc:  # every failure must reach the parent
            payload = pickle.dumps(("error", str(exc)[:4000]))
            status = 1
        try:
            with os.fdopen(results_w, "wb") as out:
                out.write(payload)
        finally:
            os._exit(status)
    os.close(results_w)
    gc.unfreeze()
    try:
        mine = dict(_run(work, tasks_r, context))
    finally:
        with os.fdopen(results_r, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(pid, 0)
        os.close(tasks_r)
    kind, theirs = pickle.loads(payload) if payload else ("error", "")
    if kind != "ok":
        raise ValidationError(theirs or "a figure could not be drawn (its process failed)")
    mine.update(theirs)
    return [mine[i] for i in range(n)]


def _run(work, tasks_r: int, context) -> Iterator[tuple[int, Any]]:
    results = []
    with context() as ctx:
        while True:
            data = os.read(tasks_r, _INDEX.size)
            if not data:
                break
            (i,) = _INDEX.unpack(data)
            results.append((i, work(i, ctx)))
    return iter(results)
