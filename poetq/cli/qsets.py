"""Q-set file commands: ``poetq qset check`` and ``poetq qset list``."""

from __future__ import annotations

from pathlib import Path

import click

from poetq import qsets
from poetq.domain import QSet, format_value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def describe(qset: QSet) -> str:
    """``40 statements, grid -4..+4 (2,3,4,6,10,6,4,3,2), 5 questions``."""
    grid = qset.grid
    span = f"{format_value(grid.values[0])}..{format_value(grid.values[-1])}"
    counts = ",".join(str(c) for c in grid.counts)
    return (f"{_plural(len(qset.statements), 'statement')}, grid {span} ({counts}), "
            f"{_plural(len(qset.questions), 'question')}")


@click.group("qset")
def qset_group() -> None:
    """Check and list Q-set files (the TOML files in statements/).

    \b
    Example:
      poetq qset check statements/joint-commissioning.toml
    """


@qset_group.command("check")
@click.argument(
    "files", nargs=-1, required=True, metavar="FILE...", type=click.Path(path_type=Path)
)
def qset_check(files: tuple[Path, ...]) -> None:
    """Check Q-set FILEs and print every problem as FILE:LINE: message.

    Exits with status 1 if any file has a problem. The file format is
    described in statements/README.md.

    \b
    Example:
      poetq qset check statements/*.toml
    """
    failed = False
    for path in files:
        problems = qsets.check_qset_file(path)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            failed = True
        else:
            click.echo(f"{path}: OK — {describe(qsets.load_qset(path))}")
    if failed:
        raise click.exceptions.Exit(1)


@qset_group.command("list")
def qset_list() -> None:
    """List the Q-sets that ship with poetq: slug, statements, title.

    \b
    Example:
      poetq qset list
    """
    rows = [qsets.load_qset(path) for path in qsets.list_shipped_qsets()]
    width = max([len("slug")] + [len(q.slug) for q in rows])
    click.echo(f"{'slug':<{width}}  statements  title")
    for q in rows:
        click.echo(f"{q.slug:<{width}}  {len(q.statements):>10}  {q.title}")
