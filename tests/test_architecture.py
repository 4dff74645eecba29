"""Dependencies point one way: web, cli -> services -> {store, analysis, formats, qsets} -> domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "poetq"

# module prefix -> poetq modules it must never import
FORBIDDEN = {
    "poetq.analysis": ["poetq.domain", "poetq.store", "poetq.services", "poetq.cli", "poetq.web",
                       "poetq.formats", "poetq.qsets", "poetq.plots"],
    "poetq.domain": ["poetq.store", "poetq.services", "poetq.cli", "poetq.web", "poetq.analysis"],
    "poetq.store": ["poetq.services", "poetq.cli", "poetq.web", "flask", "click"],
    "poetq.services": ["poetq.cli", "poetq.web", "flask", "click"],
    "poetq.formats": ["poetq.services", "poetq.cli", "poetq.web", "poetq.store"],
    "poetq.qsets": ["poetq.services", "poetq.cli", "poetq.web", "poetq.store"],
    "poetq.plots": ["poetq.services", "poetq.cli", "poetq.web", "poetq.store", "matplotlib.pyplot"],
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda x: str(x))
def test_imports_point_one_way(name, path):
    if "migrations" in name:
        return
    for prefix, banned in FORBIDDEN.items():
        if name == prefix or name.startswith(prefix + "."):
            bad = sorted(i for i in imports_of(path) for b in banned if i == b or i.startswith(b + "."))
            assert not bad, f"{name} imports {bad}"
