"""Dependencies are pinned (constraints.txt, used by run-tests.sh) and audited where the
vulnerability data is reachable; offline the audit skips, successfully."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

from tests_helpers import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned_in_the_constraints_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            pins[name.lower().replace("_", "-")] = version
    assert declared - set(pins) == set(), "add them: pip freeze --exclude-editable"
    script = (ROOT / "run-tests.sh").read_text()
    assert "-c constraints.txt" in script and "scripts/audit.sh" in script


def test_the_audit_skips_cleanly_where_the_vulnerability_data_is_unreachable():
    env = {**os.environ, "POETQ_AUDIT_PROBE": "http://127.0.0.1:9/"}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "audit.sh")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "skipped" in done.stdout
