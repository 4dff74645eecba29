"""The ``poetq`` command line: each command parses, calls one service, prints.

Library errors (:class:`poetq.errors.PoetqError`) become one-line messages here, in one
place, with a non-zero exit code and no traceback.

Commands are registered in :data:`COMMANDS` by name, module and a short help line, and
their module is imported only when the command (or its own ``--help``) runs: ``poetq
--help`` and every command that needs no plots, web or database start without importing
numpy, matplotlib, SQLAlchemy or flask (tests/cli/test_registry.py checks). Command modules
define plain ``@click.command``/``@click.group`` objects with ordinary top-level imports.
"""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from typing import NamedTuple

import click

from poetq import __version__
from poetq.errors import PoetqError

#: Files and folders made by a command: owner only (see docs/deployment.md, "Private files").
PRIVATE_UMASK = 0o077


class Registered(NamedTuple):
    """A command known by name before its module is imported."""

    module: str
    attribute: str
    short_help: str


#: Every top-level command: name -> where it lives and the line ``poetq --help`` shows.
#: To add a command, define it with ``@click.command("name")`` in a module of poetq/cli
#: and add one line here.
COMMANDS: dict[str, Registered] = {
    "analysis": Registered("poetq.cli.saved_analyses", "analysis_group",
                           "Save, list, show and delete a study's named analyses."),
    "analyse": Registered("poetq.cli.analyse", "analyse_command",
                          "Analyse Q-sorts: extract, rotate, flag, score, compare."),
    "backup": Registered("poetq.cli.studies", "backup_command",
                         "Save the whole database to one FILE."),
    "bootstrap": Registered("poetq.cli.analyse", "bootstrap_command",
                            "Bootstrap the analysis: how stable are its results?"),
    "cards": Registered("poetq.cli.studies", "cards_command",
                        "Print a study's statement cards and a blank record sheet (PDF)."),
    "compare": Registered("poetq.cli.compare", "compare_command",
                          "Compare the solutions with 2..7 factors side by side."),
    "convert": Registered("poetq.cli.exchange", "convert_command",
                          "Convert Q-sorts between file formats."),
    "demo": Registered("poetq.cli.demo", "demo_command",
                       "The whole of poetq in one command, on a simulated study."),
    "export": Registered("poetq.cli.exchange", "export_command",
                         "Export a study's finished sorts for other Q tools."),
    "factors": Registered("poetq.cli.analyse", "factors_command",
                          "How many factors? Eigenvalues, Kaiser, parallel analysis."),
    "import": Registered("poetq.cli.exchange", "import_command",
                         "Import Q-sorts from other Q tools into a study."),
    "init": Registered("poetq.cli.studies", "init_command",
                       "Create the database, or upgrade it to the newest schema."),
    "plot": Registered("poetq.cli.plots", "plot_command",
                       "Draw figures of the analysis (composite Q-sort, loadings, ...)."),
    "qset": Registered("poetq.cli.qsets", "qset_group",
                       "Check and list Q-set files (the TOML files in statements/)."),
    "report": Registered("poetq.cli.plots", "report_command",
                         "Write a report of the analysis with every figure."),
    "restore": Registered("poetq.cli.studies", "restore_command",
                          "Load a backup FILE into a new, empty database."),
    "serve": Registered("poetq.cli.web", "serve_command",
                        "Serve poetq's web pages to respondents and researchers."),
    "simulate": Registered("poetq.cli.demo", "simulate_command",
                           "Simulate respondents from planted viewpoints."),
    "study": Registered("poetq.cli.studies", "study_group",
                        "Create, list, show, share, open, close and delete studies."),
    "user": Registered("poetq.cli.studies", "user_group", "Manage researcher accounts."),
}


class PoetqGroup(click.Group):
    """The ``poetq`` group: lazily loaded commands, poetq errors as one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise RuntimeError(f"COMMANDS[{cmd_name!r}] names {entry.module}.{entry.attribute}, "
                               f"which is not the click command {cmd_name!r}")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own listing loads every command for its help line; the registry has them.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, textwrap.shorten(COMMANDS[name].short_help, max(limit, 20), placeholder="..."))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        # Databases, backups, exports and reports hold e-mails, password hashes and every
        # response: files this command makes are readable by their owner only (0600).
        umask = os.umask(PRIVATE_UMASK)
        try:
            return super().invoke(ctx)
        except PoetqError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:
            name = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            click.echo(f"Error: cannot use{name}: {exc.strerror or exc}", err=True)
            ctx.exit(1)
        finally:
            os.umask(umask)


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
