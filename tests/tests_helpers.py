"""Helpers shared by tests (not fixtures)."""

from __future__ import annotations

import click


def walk_commands(group: click.Group, prefix: str = "poetq"):
    """Yield ("poetq study create", command) for every leaf command."""
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from walk_commands(command, path)
        else:
            yield path, command
