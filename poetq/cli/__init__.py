"""The ``poetq`` command line: each command parses, calls one service, prints.

Library errors (:class:`poetq.errors.PoetqError`) become one-line messages here, in one
place, with a non-zero exit code and no traceback.
"""

from __future__ import annotations

import sys

import click

from poetq import __version__
from poetq.errors import PoetqError


class PoetqGroup(click.Group):
    """A click group that turns poetq errors into one-line messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PoetqError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:
            name = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            click.echo(f"Error: cannot use{name}: {exc.strerror or exc}", err=True)
            ctx.exit(1)


@click.group(cls=PoetqGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="poetq")
def cli() -> None:
    """poetq: Q methodology from the respondent's sort to the viewpoints.

    Set up studies from Q-set files, collect sorts online and analyse them
    (PCA or centroid, varimax, flags, z-scores, factor arrays) with results
    that match R qmethod.

    \b
    Example:
      poetq init && poetq study create statements/joint-commissioning.toml
    """


def main() -> None:
    cli(prog_name="poetq")


# Command modules register themselves on ``cli``; imported last to avoid a cycle.
from poetq.cli import analysis as _analysis  # noqa: E402,F401
from poetq.cli import demo as _demo  # noqa: E402,F401
from poetq.cli import exchange as _exchange  # noqa: E402,F401
from poetq.cli import plots as _plots  # noqa: E402,F401
from poetq.cli import qsets as _qsets  # noqa: E402,F401
from poetq.cli import studies as _studies  # noqa: E402,F401
from poetq.cli import web as _web  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
