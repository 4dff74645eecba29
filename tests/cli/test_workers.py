"""`poetq serve` and `poetq demo` start one worker per CPU core (not four on two cores)."""

from __future__ import annotations

from poetq.cli import web


def test_one_worker_per_core(monkeypatch):
    monkeypatch.setattr(web.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert web._default_workers() == 2
    monkeypatch.setattr(web.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert web._default_workers() == 16


def test_without_affinity_the_cpu_count(monkeypatch):
    monkeypatch.delattr(web.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(web.os, "cpu_count", lambda: None)
    assert web._default_workers() == 1
    monkeypatch.setattr(web.os, "cpu_count", lambda: 3)
    assert web._default_workers() == 3
