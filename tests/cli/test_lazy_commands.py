"""The lazy command registry: ``poetq --help`` lists every command without importing it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from tests_helpers import ROOT

from poetq.cli import COMMANDS, cli

HEAVY = ("numpy", "scipy", "matplotlib", "sqlalchemy", "flask")


def modules_after(*args: str, home: Path | None = None) -> set[str]:
    """Top-level module names imported by ``poetq ARGS`` in a fresh interpreter."""
    code = ("import json, sys\nfrom poetq.cli import main\nsys.argv = ['poetq', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    env = {**os.environ, "POETQ_HOME": str(home)} if home else None
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, check=True, env=env)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args", [("--help",), ("--version",), ("qset", "--help"), ("qset", "list")]
)
def test_light_commands_import_no_heavy_library(args):
    loaded = modules_after(*args)
    assert not loaded & set(HEAVY), f"poetq {' '.join(args)} imported {sorted(loaded & set(HEAVY))}"


def test_a_command_module_is_imported_when_its_command_runs():
    # The check above can fail: the analysis command does pull numpy in.
    assert "numpy" in modules_after("analyse", "--help")


def test_help_lists_every_registered_command_with_its_short_help():
    out = CliRunner().invoke(cli, ["--help"]).output
    for name, entry in COMMANDS.items():
        assert f"  {name} " in out
        assert entry.short_help in out, f"short help of {name} is cut at 80 columns"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_loads_under_its_own_name(name):
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    assert isinstance(command, click.Command) and command.name == name
    assert command.help, f"{name} has no help text"


def test_every_command_defined_in_poetq_cli_is_registered():
    """A top-level command added to a module but not to COMMANDS would never be reachable."""
    registered = {(entry.module, entry.attribute) for entry in COMMANDS.values()}
    defined = set()
    for path in sorted((ROOT / "poetq" / "cli").glob("*.py")):
        module = "poetq.cli" if path.stem == "__init__" else f"poetq.cli.{path.stem}"
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                func = deco.func if isinstance(deco, ast.Call) else deco
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id in ("click", "cli")
                    and func.attr in ("command", "group")
                ):
                    defined.add((module, node.name))
    defined.discard(("poetq.cli", "cli"))
    assert defined - registered == set(), "add these commands to poetq.cli.COMMANDS"


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["analyze"])
    assert result.exit_code == 2 and "No such command 'analyze'" in result.output


def test_analysing_a_file_loads_no_database_web_or_scipy(tmp_path):
    lipset = str(ROOT / "tests" / "data" / "lipset" / "sorts.csv")
    loaded = modules_after("analyse", lipset, "--factors", "3")
    assert not loaded & {"scipy", "matplotlib", "sqlalchemy", "flask"}, sorted(loaded)
    loaded = modules_after("plot", lipset, "--factors", "3", "--kind", "scree",
                           "--out", str(tmp_path / "scree.png"), home=tmp_path)
    assert "matplotlib" in loaded and not loaded & {"scipy", "sqlalchemy", "flask"}, sorted(loaded)
