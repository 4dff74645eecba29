"""Exchange commands: ``poetq convert`` and ``poetq export``."""

from __future__ import annotations

from pathlib import Path

import click

from poetq.cli import cli
from poetq.cli._db import database_option, open_session
from poetq.services import exchange as service

FORMAT = click.Choice(service.FORMATS)


@cli.command("convert")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "from_format", type=FORMAT,
              help="Format of SOURCE (default: guessed from its content and extension).")
@click.option("--to", "to_format", type=FORMAT,
              help="Format of TARGET (default: from its extension: .csv .dat .zip .json .xlsx).")
def convert_command(source, target, from_format, to_format):
    """Convert Q-sorts between file formats.

    Formats: csv (qmethod layout), pqmethod (.DAT/.STA), kenq-csv, kade-zip,
    htmlq (results CSV), json (Firebase/easy-htmlq), xlsx (Ken-Q type 1/2).
    Statements and the grid travel along when both formats hold them.

    \b
    Example:
      poetq convert LIPSET.DAT lipset.csv
      poetq convert ipad_sorts.json ipad.zip --to kade-zip
    """
    table, fmt_in, fmt_out = service.convert_sorts(source, target, from_format=from_format,
                                                   to_format=to_format)
    n, m = table.values.shape
    click.echo(f"Wrote {m} sorts × {n} statements from {source} ({fmt_in}) to {target} ({fmt_out})")


@cli.command("export")
@click.argument("slug")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT,
              help="Format of TARGET (default: from its extension: .csv .dat .zip .json .xlsx).")
@database_option
def export_command(slug, target, fmt, database_url):
    """Export a study's finished sorts for other Q tools.

    \b
    Example:
      poetq export joint-commissioning jc.DAT
      poetq export joint-commissioning jc.csv --format kenq-csv
    """
    with open_session(database_url) as session:
        table, used = service.export_study(session, slug, target, fmt)
    n, m = table.values.shape
    click.echo(f"Wrote {m} sorts × {n} statements of {slug!r} to {target} ({used})")
