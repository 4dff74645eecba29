"""Exchange commands: ``poetq import``, ``poetq export`` and ``poetq convert``."""

from __future__ import annotations

from pathlib import Path

import click

from poetq.cli._db import database_option, open_session
from poetq.formats import registry
from poetq.services import exchange as service

#: Registry names and the short names researchers use (kenq, kade, excel …).
FORMAT = click.Choice(sorted({*service.FORMATS, *registry.ALIASES}), case_sensitive=False)
EXPORT_FORMAT = click.Choice(sorted({*service.FORMATS, *registry.ALIASES, "participants"}),
                             case_sensitive=False)
READ_FORMAT = click.Choice(sorted({*service.READ_FORMATS, *registry.ALIASES}), case_sensitive=False)
FORMAT_HELP = ("pqmethod (.DAT + .STA), kenq (Ken-Q sorts CSV), kade (KADE zip), csv (qmethod "
               "layout), htmlq (results CSV), json (Firebase / easy-htmlq / EQ Web Sort), xlsx")
ENCODING = click.option("--encoding", metavar="NAME",
                        help="Text encoding of the files (utf-8, cp1252, shift_jis …); "
                             "detected when left out.")
#: File name extension of each format when --out is left out.
EXTENSIONS = {"csv": ".csv", "pqmethod": ".DAT", "kenq-csv": ".kenq.csv", "kade-zip": ".zip",
              "htmlq": ".htmlq.csv", "json": ".json", "xlsx": ".xlsx"}


def _echo_renamed(table, fmt: str) -> None:
    """Say which sort names the format could not hold as they were (PQMethod: 8 characters)."""
    renamed = service.renamed_sorts(table, fmt)
    if renamed:
        click.echo(f"Sort names changed to fit {fmt}: "
                   + ", ".join(f"{a!r} -> {b!r}" for a, b in renamed.items()))


@click.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--study", "slug", metavar="SLUG",
              help="Add the sorts to this study as finished responses.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Instead, write the sorts to this file (format from its extension or --to).")
@click.option("--format", "fmt", type=READ_FORMAT,
              help=f"Format of FILES (default: guessed). {FORMAT_HELP}, qmethod-grid (one sort "
                   "drawn as its grid, as R qmethod's import.q.sorts reads it).")
@click.option(
    "--to", "to_format", type=FORMAT, help="Format of --out (default: from its extension)."
)
@ENCODING
@database_option
def import_command(files, slug, out, fmt, to_format, encoding, database_url):
    """Import Q-sorts from other Q tools into a study, or convert them to another format.

    Every file is read and every sort is checked against the study's grid and statements
    before anything is stored: if one sort is wrong, nothing is imported. Statements are
    matched by id when the file uses the study's ids, else by position (statement 1 is the
    study's first statement), as PQMethod and Ken-Q number them.

    \b
    Example:
      poetq import LIPSET.DAT --study lipset
      poetq import sorts-a.csv sorts-b.csv --study jc-2026 --format kenq
      poetq import ipad_sorts.json --out ipad.xlsx
    """
    if bool(slug) == bool(out):
        raise click.UsageError("give either --study SLUG (add to a study) or --out FILE (convert)")
    if out:
        if len(files) != 1:
            raise click.UsageError("--out converts one file at a time")
        table, fmt_in, fmt_out = service.convert_sorts(files[0], out, from_format=fmt,
                                                       to_format=to_format, encoding=encoding)
        n, m = table.values.shape
        click.echo(
            f"Wrote {m} sorts × {n} statements from {files[0]} ({fmt_in}) to {out} ({fmt_out})"
        )
        _echo_renamed(table, fmt_out)
        return
    from poetq.services import imports  # SQLAlchemy only for a study: convert needs none

    with open_session(database_url) as session:
        plan = imports.import_into_study(session, slug, files, format=fmt, encoding=encoding)
    for f in plan.files:
        click.echo(f"{f.name}: {f.sorts} sorts (statements matched by {f.matched_by})")
        if f.duplicates:
            click.echo(f"  skipped, already in the study: {', '.join(f.duplicates)}")
        if f.renamed:
            click.echo("  names already used, shown with the response number: "
                       + ", ".join(f.renamed))
    click.echo(f"Imported {plan.new} sorts into {slug!r}"
               + (f"; {plan.duplicates} were already there." if plan.duplicates else "."))


@click.command("convert")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "from_format", type=READ_FORMAT,
              help="Format of SOURCE (default: guessed from its content and extension).")
@click.option("--to", "to_format", type=FORMAT,
              help="Format of TARGET (default: from its extension: .csv .dat .zip .json .xlsx).")
@ENCODING
def convert_command(source, target, from_format, to_format, encoding):
    """Convert Q-sorts between file formats (the same as `poetq import SOURCE --out TARGET`).

    Formats: csv (qmethod layout), pqmethod (.DAT/.STA), kenq (Ken-Q CSV), kade (KADE zip),
    htmlq (results CSV), json (Firebase/easy-htmlq), xlsx (Ken-Q type 1/2).
    Statements and the grid travel along when both formats hold them.

    \b
    Example:
      poetq convert LIPSET.DAT lipset.csv
      poetq convert ipad_sorts.json ipad.zip --to kade
    """
    table, fmt_in, fmt_out = service.convert_sorts(source, target, from_format=from_format,
                                                   to_format=to_format, encoding=encoding)
    n, m = table.values.shape
    click.echo(f"Wrote {m} sorts × {n} statements from {source} ({fmt_in}) to {target} ({fmt_out})")
    _echo_renamed(table, fmt_out)


@click.command("export")
@click.argument("slug")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=EXPORT_FORMAT,
              help=f"Format to write. {FORMAT_HELP}; participants (one row per response: "
                   "answers, comments, times, invitation; .csv or .xlsx).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: SLUG with the format's extension, here).")
@click.option("--all", "include_unfinished", is_flag=True,
              help="With --format participants: unfinished responses too.")
@database_option
def export_command(slug, target, fmt, out, include_unfinished, database_url):
    """Export a study's finished sorts (not the excluded ones) for other Q tools, or its
    participants table (every response's answers, comments, times; excluded ones marked).

    The statements and the grid go along where the format has room for them (PQMethod's
    .STA beside the .DAT, Ken-Q's statements file, the KADE zip, the Excel workbook).

    \b
    Example:
      poetq export jc-2026 --format pqmethod --out jc.DAT
      poetq export jc-2026 --format kenq
      poetq export jc-2026 --format xlsx --out jc.xlsx
      poetq export jc-2026 --format participants --all --out people.xlsx
    """
    if target and out:
        raise click.UsageError("give the file once: as TARGET or with --out")
    path = out or target
    if fmt and fmt.lower() == "participants":
        path = path or Path(f"{slug}-participants.csv")
        with open_session(database_url) as session:
            people = service.export_participants(session, slug, path,
                                                 include_unfinished=include_unfinished)
        click.echo(f"Wrote {len(people)} responses of {slug!r} to {path} (participants)")
        return
    if include_unfinished:
        raise click.UsageError("--all goes with --format participants (sorts are finished)")
    if path is None:
        if not fmt:
            raise click.UsageError("give --format or --out FILE (its extension names the format)")
        path = Path(slug + EXTENSIONS[registry.format_name(fmt)])
    with open_session(database_url) as session:
        table, used = service.export_study(session, slug, path, fmt)
    n, m = table.values.shape
    click.echo(f"Wrote {m} sorts × {n} statements of {slug!r} to {path} ({used})")
    _echo_renamed(table, used)
