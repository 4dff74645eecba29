"""``poetq analysis save|list|show|rename|delete``: named analyses kept with their study."""

from __future__ import annotations

import json
from pathlib import Path

import click

from poetq.cli._db import database_option, open_session
from poetq.cli.analyse import analysis_options
from poetq.services import factor_analysis as analysis_service
from poetq.services import saved_analyses as service


@click.group("analysis")
def analysis_group() -> None:
    """Named analyses of a study: options, flags, by-hand rotations and the exact sorts used.

    A saved analysis keeps the responses it used: new or excluded responses never change
    it (`show` says when newer responses exist).

    \b
    Example:
      poetq analysis save joint-commissioning "five viewpoints" --factors 5
    """


@analysis_group.command("save")
@analysis_options(arguments=("slug", "name"))
@click.option("--replace", is_flag=True, help="Overwrite a saved analysis of the same name.")
def save_command(slug, name, options, database_url, replace):
    """Save an analysis of the study's current sorts under NAME (any `poetq analyse` option).

    \b
    Example:
      poetq analysis save joint-commissioning "five viewpoints" --factors 5 --rotate 1,2,10
    """
    with open_session(database_url) as session:
        info, _ = service.save_analysis(session, slug, name, options, replace=replace)
    click.echo(f"Saved analysis {info.name!r} of {slug}: {info.method_line()}")


@analysis_group.command("list")
@click.argument("slug")
@database_option
def list_command(slug, database_url):
    """List the study's saved analyses.

    \b
    Example:
      poetq analysis list joint-commissioning
    """
    with open_session(database_url) as session:
        infos = service.list_analyses(session, slug)
    if not infos:
        click.echo(
            f"Study {slug!r} has no saved analysis (poetq analysis save {slug} NAME --factors K)."
        )
        return
    for info in infos:
        newer = f"  [{info.newer_responses} newer responses]" if info.newer_responses else ""
        click.echo(f"{info.name}: {info.method_line()}{newer}")


@analysis_group.command("show")
@click.argument("slug")
@click.argument("name")
@click.option("--out", type=click.Path(path_type=Path),
              help="Write qmethod-style CSV files to this directory (as poetq analyse --out).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the saved analysis and its whole result as JSON.")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results workbook (as poetq analyse --xlsx).")
@database_option
def show_command(slug, name, out, as_json, xlsx_path, database_url):
    """Show a saved analysis, recomputed from exactly the sorts it used.

    \b
    Example:
      poetq analysis show joint-commissioning "five viewpoints" --out results/
    """
    with open_session(database_url) as session:
        info, src, result = service.open_saved(session, slug, name)
    if out:
        files = analysis_service.write_result_files(result, out)
    if as_json:
        data = {"analysis": info.to_dict(), **analysis_service.result_to_dict(result)}
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(f"Saved analysis {info.name!r}: {info.method_line()}")
        if info.newer_responses:
            click.echo(f"{info.newer_responses} newer responses are not in it: save the analysis "
                       "again under a new name to include them.")
        click.echo(analysis_service.summarise(result, src))
    if out:
        click.echo(f"Wrote {len(files)} files to {out}", err=as_json)
    if xlsx_path:
        from poetq.services.exchange import write_workbook  # openpyxl only with --xlsx

        write_workbook(result, xlsx_path, src.qset, texts=src.texts)
        click.echo(f"Wrote the results workbook {xlsx_path}", err=as_json)


@analysis_group.command("rename")
@click.argument("slug")
@click.argument("name")
@click.argument("new_name")
@database_option
def rename_command(slug, name, new_name, database_url):
    """Rename a saved analysis.

    \b
    Example:
      poetq analysis rename joint-commissioning "five viewpoints" "final"
    """
    with open_session(database_url) as session:
        info = service.rename_analysis(session, slug, name, new_name)
    click.echo(f"Renamed {name!r} to {info.name!r}")


@analysis_group.command("delete")
@click.argument("slug")
@click.argument("name")
@database_option
def delete_command(slug, name, database_url):
    """Delete a saved analysis (the responses stay).

    \b
    Example:
      poetq analysis delete joint-commissioning "five viewpoints"
    """
    with open_session(database_url) as session:
        service.delete_analysis(session, slug, name)
    click.echo(f"Deleted saved analysis {name!r} of {slug}")
