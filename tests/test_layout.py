"""Test modules need unique names: the suite runs without __init__.py files (rootdir imports)."""

from __future__ import annotations

from collections import Counter

from tests_helpers import ROOT


def test_test_module_names_are_unique():
    names = Counter(p.name for p in (ROOT / "tests").rglob("test_*.py"))
    assert not [n for n, c in names.items() if c > 1]
