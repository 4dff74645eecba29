"""Dependencies point one way (docs/architecture.md): an allow-list of what each package of
poetq may import from poetq, checked over every module, TYPE_CHECKING imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "poetq"

# package -> the poetq packages it may import (besides itself). Every package must be listed.
ALLOWED: dict[str, set[str]] = {
    "poetq": {"poetq.cli"},  # __init__ / __main__
    "poetq.errors": set(),
    "poetq.bidi": set(),
    "poetq.paths": set(),
    "poetq.settings": set(),
    "poetq.domain": {"poetq.errors"},
    "poetq.flow": {"poetq.domain", "poetq.errors"},
    "poetq.analysis": {"poetq.errors"},
    "poetq.qsets": {"poetq.domain", "poetq.errors"},
    "poetq.simulate": {"poetq.domain", "poetq.errors"},
    "poetq.formats": {"poetq.analysis", "poetq.domain", "poetq.errors"},
    "poetq.plots": {"poetq.analysis", "poetq.domain", "poetq.errors", "poetq.paths"},
    "poetq.report": {"poetq.analysis", "poetq.domain", "poetq.errors", "poetq.formats",
                     "poetq.plots", "poetq.paths", "poetq.bidi"},
    "poetq.store": {"poetq.domain", "poetq.errors", "poetq.paths"},
    "poetq.services": {"poetq.store", "poetq.analysis", "poetq.formats", "poetq.qsets",
                       "poetq.flow", "poetq.plots", "poetq.report", "poetq.simulate",
                       "poetq.domain", "poetq.errors", "poetq.paths", "poetq.bidi"},
    "poetq.web": {"poetq.services", "poetq.flow", "poetq.analysis", "poetq.formats",
                  "poetq.domain", "poetq.errors", "poetq.paths", "poetq.settings", "poetq.bidi"},
    "poetq.cli": {"poetq.services", "poetq.web", "poetq.analysis", "poetq.formats",
                  "poetq.qsets", "poetq.domain", "poetq.errors", "poetq.paths"},
}
#: The one module of an edge layer that may reach the store (the engine and the handles).
STORE_GATES = {"poetq.web.db"}
#: Third-party packages a layer must not import.
BANNED_THIRD_PARTY = {
    "poetq.analysis": ("sqlalchemy", "flask", "click", "matplotlib"),
    "poetq.domain": ("sqlalchemy", "flask", "click", "matplotlib"),
    "poetq.flow": ("sqlalchemy", "flask", "click", "matplotlib"),
    "poetq.store": ("flask", "click"),
    "poetq.services": ("flask", "click"),
    "poetq.plots": ("matplotlib.pyplot",),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "poetq":
                names.update(f"poetq.{a.name}" for a in node.names)
    return names


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else "poetq"


def test_every_package_is_listed():
    packages = {package_of(name) for name, _ in modules()}
    packages -= {"poetq.__main__"}
    assert packages <= set(ALLOWED) | {"poetq.__main__"}, sorted(packages - set(ALLOWED))


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda x: str(x))
def test_imports_point_one_way(name, path):
    own = package_of(name)
    own = "poetq" if own == "poetq.__main__" else own
    allowed = ALLOWED[own] | ({"poetq.store"} if name in STORE_GATES else set())
    bad = []
    for imported in imports_of(path):
        if imported == "poetq.__version__":
            continue
        if imported.startswith("poetq.") or imported == "poetq":
            target = package_of(imported)
            if target != own and target != "poetq" and target not in allowed:
                bad.append(imported)
        for banned in BANNED_THIRD_PARTY.get(own, ()):
            if imported == banned or imported.startswith(banned + "."):
                bad.append(imported)
    assert not bad, f"{name} imports {sorted(bad)} (see docs/architecture.md)"


def test_every_configuration_key_is_in_the_settings_list():
    """A key the web app reads (``config["X"]``, ``config.get("X")``) is listed, with its
    default and environment variable, in poetq/settings.py."""
    import re

    from poetq.settings import SETTINGS

    listed = {s.key for s in SETTINGS}
    flask_own = {"SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SECRET_KEY_FALLBACKS"}
    pattern = re.compile(r"config(?:\[|\.get\(|\.setdefault\()\"([A-Z_]+)\"")
    used = set()
    for path in (PACKAGE / "web").rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "the pattern finds the keys"
    assert used - flask_own <= listed, sorted(used - flask_own - listed)


def test_the_rule_can_fail(tmp_path):
    """The check itself: a web module importing the store is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from poetq.store.models import Study\n", encoding="utf-8")
    assert "poetq.store.models" in imports_of(bad)
    assert package_of("poetq.store.models") not in ALLOWED["poetq.web"]
