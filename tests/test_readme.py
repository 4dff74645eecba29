"""The README is part of the product: it must name every command and the two set-up commands."""

from __future__ import annotations

import re

from tests_helpers import ROOT, walk_commands

from poetq.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_appears_in_the_readme():
    missing = [path for path, _ in walk_commands(cli) if path not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^exec (.+)$", ci, re.M).group(1).strip()
    assert f"\n{command}\n" in README


def test_the_main_command_installs_and_runs_the_demo():
    main = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/poetq demo"
    assert f"\n{main}\n" in README
