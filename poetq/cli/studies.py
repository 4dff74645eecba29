"""Database, study and user commands: thin layers over ``poetq.services``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from poetq.cli._db import database_option, open_session
from poetq.domain import format_value
from poetq.services import database as database_service
from poetq.services import sharing as sharing_service
from poetq.services import studies as study_service
from poetq.services import study_manage
from poetq.services import users as user_service


@click.command("init")
@database_option
@click.option(
    "--examples",
    is_flag=True,
    help="Also create a draft study from each Q-set shipped in statements/ (skips existing).",
)
def init_command(database_url: str | None, examples: bool) -> None:
    """Create the database, or upgrade it to the newest schema.

    Uses $DATABASE_URL when set (e.g. postgresql://user:pass@host/poetq), else an
    embedded SQLite file in $POETQ_HOME (default ~/.local/share/poetq).

    \b
    Example:
      poetq init --examples
    """
    report = database_service.init_database(database_url, examples=examples)
    click.echo(report.describe())


@click.group("study")
def study_group() -> None:
    """Create, list, show, share, open, close, duplicate and delete studies.

    \b
    Example:
      poetq study create statements/joint-commissioning.toml --slug jc-2026
    """


@study_group.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", help="Short name used in links (default: the Q-set's slug).")
@click.option("--owner", "owners", multiple=True, metavar="EMAIL",
              help="A researcher account that owns the study and sees it in the browser "
                   "(repeatable; the account must exist).")
@database_option
def study_create(file: Path, slug: str | None, owners: tuple[str, ...],
                 database_url: str | None) -> None:
    """Create a draft study from a Q-set FILE (its content is copied into the study).

    \b
    Example:
      poetq study create statements/joint-commissioning.toml --owner ada@example.org
    """
    with open_session(database_url) as session:
        study = study_service.create_study_from_file(session, file, slug=slug, owners=owners)
        click.echo(
            f"Created study {study.slug!r} ({study.title}) with "
            f"{len(study.qset['statements'])} statements; it is a draft: "
            f"`poetq study open {study.slug}` opens it to respondents."
        )
        if not owners:
            click.echo(f"No researcher can see it in the browser yet: "
                       f"`poetq study share {study.slug} EMAIL` gives an account access.")


@study_group.command("list")
@database_option
def study_list(database_url: str | None) -> None:
    """List every study with its state, response counts and researchers.

    \b
    Example:
      poetq study list
    """
    with open_session(database_url) as session:
        rows = study_service.list_studies(session)
    if not rows:
        click.echo("No studies yet: `poetq study create FILE` makes one.")
        return
    width = max(len(r.slug) for r in rows)
    click.echo(f"{'slug':<{width}}  state   statements  started  finished  title  [researchers]")
    for r in rows:
        click.echo(
            f"{r.slug:<{width}}  {r.state:<6}  {r.n_statements:>10}  {r.started:>7}  "
            f"{r.finished:>8}  {r.title}  [{', '.join(r.researchers) or 'none'}]"
        )


@study_group.command("show")
@click.argument("slug")
@click.option("--statements/--no-statements", default=True, help="List the statements too.")
@database_option
def study_show(slug: str, statements: bool, database_url: str | None) -> None:
    """Show a study: state, researchers, grid, responses, questions and statements.

    \b
    Example:
      poetq study show joint-commissioning
    """
    with open_session(database_url) as session:
        study = study_service.get_study(session, slug)
        summary = study_service.summarise_study(session, study)
        people = sharing_service.members(session, study)
        qset = study_service.study_qset(study)
    grid = qset.grid
    click.echo(f"{qset.title}  [{study.slug}]")
    click.echo(f"  state:      {summary.state}")
    click.echo("  researchers: " + (", ".join(f"{m.email} ({m.role})" for m in people)
                                    or f"none (`poetq study share {study.slug} EMAIL`)"))
    if qset.topic:
        click.echo(f"  topic:      {qset.topic}")
    click.echo(
        f"  grid:       {format_value(grid.values[0])}..{format_value(grid.values[-1])} "
        f"({','.join(map(str, grid.counts))}), {grid.labels[0]!r} to {grid.labels[1]!r}"
    )
    click.echo(f"  responses:  {summary.started} started, {summary.finished} finished")
    click.echo(f"  questions:  {len(qset.questions)}")
    click.echo(f"  source:     {study.source_name or '-'}")
    if statements:
        click.echo(f"  statements ({len(qset.statements)}):")
        for i, s in enumerate(qset.statements, 1):
            click.echo(f"    {i:>3}. [{s.id}] {s.text}")


@study_group.command("share")
@click.argument("slug")
@click.argument("email")
@click.option("--owner", "as_owner", is_flag=True,
              help="As an owner (who may add and remove co-researchers in the browser).")
@database_option
def study_share(slug: str, email: str, as_owner: bool, database_url: str | None) -> None:
    """Let the researcher account EMAIL see and change study SLUG in the browser.

    \b
    Example:
      poetq study share jc-2026 grace@example.org
    """
    with open_session(database_url) as session:
        study = study_service.get_study(session, slug)
        user, changed = sharing_service.share(session, study, email,
                                              role="owner" if as_owner else "researcher")
    if changed:
        click.echo(f"{user.email} can now see and change study {study.slug!r}.")
    else:
        click.echo(f"{user.email} could already see study {study.slug!r}.")


@study_group.command("unshare")
@click.argument("slug")
@click.argument("email")
@database_option
def study_unshare(slug: str, email: str, database_url: str | None) -> None:
    """Take away the researcher account EMAIL's access to study SLUG.

    \b
    Example:
      poetq study unshare jc-2026 grace@example.org
    """
    with open_session(database_url) as session:
        study = study_service.get_study(session, slug)
        user = sharing_service.unshare(session, study, email)
    click.echo(f"{user.email} can no longer see study {study.slug!r}.")


def _state_command(name: str, state: str, verb: str):
    @study_group.command(name, help=f"""{verb.capitalize()} a study to respondents.

    \b
    Example:
      poetq study {name} joint-commissioning
    """)
    @click.argument("slug")
    @database_option
    def command(slug: str, database_url: str | None) -> None:
        with open_session(database_url) as session:
            study, changed = study_service.set_state(session, slug, state)
        if changed:
            click.echo(f"Study {study.slug!r} is now {state}.")
        else:
            click.echo(f"Study {study.slug!r} was already {state}.")

    return command


_state_command("open", "open", "open")


@study_group.command("close", help="""Close a study to new respondents.

    Sorts already started may still be finished: for --grace-hours after closing if given
    (0 stops them at once), else for as long as their respondents need.

    \b
    Example:
      poetq study close joint-commissioning --grace-hours 48
    """)
@click.argument("slug")
@click.option(
    "--grace-hours",
    type=click.FloatRange(0, 24 * 366),
    default=None,
    help="Hours in which sorts already started may still be finished (default: no limit).",
)
@database_option
def close_command(slug: str, grace_hours: float | None, database_url: str | None) -> None:
    with open_session(database_url) as session:
        study, changed = study_service.set_state(session, slug, "closed", grace_hours=grace_hours)
        until = (study.settings or {}).get("grace_until")
    if not changed:
        click.echo(f"Study {study.slug!r} was already closed.")
        return
    started = f"until {until[:16].replace('T', ' ')} UTC" if until else "with no time limit"
    click.echo(f"Study {study.slug!r} is now closed to new respondents; sorts already started "
               f"may be finished {started}.")


@study_group.command("duplicate")
@click.argument("slug")
@click.argument("new_slug")
@click.option("--owner", "owners", multiple=True, metavar="EMAIL",
              help="A researcher account that owns the copy (repeatable; the account must "
                   "exist).")
@database_option
def study_duplicate(slug: str, new_slug: str, owners: tuple[str, ...],
                    database_url: str | None) -> None:
    """Copy study SLUG's Q-set to a new draft NEW_SLUG (no responses, no codes).

    \b
    Example:
      poetq study duplicate jc-2026 jc-2027 --owner ada@example.org
    """
    with open_session(database_url) as session:
        study = study_service.get_study(session, slug)
        copy = study_manage.duplicate(session, study, new_slug, owners=owners)
        click.echo(f"Copied study {study.slug!r} to a new draft {copy.slug!r}.")
        if not owners:
            click.echo(f"No researcher can see it in the browser yet: "
                       f"`poetq study share {copy.slug} EMAIL` gives an account access.")


@study_group.command("delete")
@click.argument("slug")
@click.option("--confirm", metavar="SLUG",
              help="The study's address once more, instead of typing it when asked (scripts).")
@database_option
def study_delete(slug: str, confirm: str | None, database_url: str | None) -> None:
    """Delete a draft or closed study with its responses, codes and researchers' access.

    Asks for the study's address to be typed (or give it with --confirm). There is no undo:
    make a backup first.

    \b
    Example:
      poetq backup poetq-before-deleting.poetq.gz
      poetq study delete jc-pilot
    """
    # two sessions: no transaction stays open while the person types
    with open_session(database_url) as session:
        study = study_service.get_study(session, slug)
        study_manage.check_deletable(study)
        n = study_manage.responses_of(session, study)
    click.echo(f"This deletes study {slug!r}, its {n} response{'s' if n != 1 else ''}, its "
               "invitation codes and its researchers' access, for good.")
    click.echo("Make a backup first: poetq backup poetq-before-deleting.poetq.gz")
    typed = confirm if confirm is not None else click.prompt(
        f"Type the study's address, {slug}, to delete it", default="", show_default=False)
    with open_session(database_url) as session:
        study_manage.delete_study(session, study_service.get_study(session, slug), typed)
    click.echo(f"Deleted study {slug!r} and its {n} response{'s' if n != 1 else ''}.")


@study_group.command("invite")
@click.argument("slug")
@click.option("--count", "-n", type=click.IntRange(1, 100_000), default=1, show_default=True,
              help="How many single-use codes to create.")
@click.option("--label", default="", help="A note stored with the codes (e.g. the mailing list).")
@database_option
def study_invite(slug: str, count: int, label: str, database_url: str | None) -> None:
    """Create single-use invitation codes for a study, one per line.

    \b
    Example:
      poetq study invite joint-commissioning --count 50 > codes.txt
    """
    with open_session(database_url) as session:
        codes = study_service.create_invitations(session, slug, count, label=label)
    for code in codes:
        click.echo(code)


@click.group("user")
def user_group() -> None:
    """Manage researcher accounts.

    \b
    Example:
      poetq user create ada@example.org
    """


def _refuse_password_argument(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> None:
    if value is not None:
        raise click.UsageError(
            "--password would show the password to everyone on this machine (in `ps`): "
            "type it at the prompt, or give it in $POETQ_PASSWORD or with --password-stdin"
        )


def password_input(command):
    """``--password-stdin`` (and a refused ``--password VALUE``).

    For commands that set a password.
    """
    command = click.option("--password", hidden=True, expose_value=False, is_eager=True,
                           callback=_refuse_password_argument)(command)
    return click.option("--password-stdin", "password_stdin", is_flag=True,
                        help="Read the password from the first line of standard input "
                             "(else $POETQ_PASSWORD, else a prompt).")(command)


def _new_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, $POETQ_PASSWORD, or typed twice at a prompt;
    never a command-line argument (other users of the machine see those)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    env = os.environ.get("POETQ_PASSWORD")
    if env:
        return env
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="The researcher's name.")
@password_input
@database_option
def user_create(email: str, name: str, password_stdin: bool, database_url: str | None) -> None:
    """Create a researcher account; the password is prompted and stored hashed.

    The password needs at least 12 characters and must not be a common one.

    \b
    Example:
      poetq user create ada@example.org --name "Ada Lovelace"
    """
    password = _new_password(password_stdin)
    with open_session(database_url) as session:
        user = user_service.create_user(session, email, password, name=name)
        click.echo(f"Created researcher account {user.email}.")


@user_group.command("password")
@click.argument("email")
@password_input
@database_option
def user_password(email: str, password_stdin: bool, database_url: str | None) -> None:
    """Set a new password for an account (a reset); signs it out everywhere.

    \b
    Example:
      poetq user password ada@example.org
    """
    password = _new_password(password_stdin)
    with open_session(database_url) as session:
        user = user_service.set_password(session, email, password)
        click.echo(f"New password set for {user.email}; its sessions have ended.")


@user_group.command("disable")
@click.argument("email")
@database_option
def user_disable(email: str, database_url: str | None) -> None:
    """Stop an account signing in and end its sessions (its studies stay).

    \b
    Example:
      poetq user disable ada@example.org
    """
    with open_session(database_url) as session:
        user, changed = user_service.disable_user(session, email)
        state = "is now disabled" if changed else "was already disabled"
        click.echo(f"{user.email} {state}; its sessions have ended.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@database_option
def backup_command(file: Path, database_url: str | None) -> None:
    """Save the whole database (studies, responses, accounts) to one FILE.

    The file is compressed JSON and can be restored into SQLite or PostgreSQL.

    \b
    Example:
      poetq backup poetq-2026-11-25.poetq.gz
    """
    # Loaded when this command runs, not with the other commands of the module.
    from poetq.services import backup as backup_service
    from poetq.services.database import database_engine

    with database_engine(database_url, check=False) as engine:
        click.echo(backup_service.backup(engine, file).describe("Saved"))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@database_option
def restore_command(file: Path, database_url: str | None) -> None:
    """Load a backup FILE into a new, empty database (run `poetq init` first).

    All or nothing: if anything is wrong, the database is left as it was.

    \b
    Example:
      DATABASE_URL=postgresql://poetq@db/poetq poetq init && poetq restore poetq.poetq.gz
    """
    # Loaded when this command runs, not with the other commands of the module.
    from poetq.services import backup as backup_service
    from poetq.services.database import database_engine

    with database_engine(database_url, check=False) as engine:
        click.echo(backup_service.restore(engine, file).describe("Restored"))


@click.command("cards")
@click.argument("slug")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The PDF to write (default: SLUG-cards.pdf here).")
@database_option
def cards_command(slug: str, out: Path | None, database_url: str | None) -> None:
    """Print a study's numbered statement cards and a blank record sheet shaped like the grid.

    For sorting in person: cut out the cards, let the participant lay them on the grid, write
    the numbers on the record sheet, then type it in on the study's Responses page.

    \b
    Example:
      poetq cards jc-2026 --out cards.pdf
    """
    from poetq.services import paper  # matplotlib (the cards) only for this command

    path = out or Path(f"{slug}-cards.pdf")
    with open_session(database_url) as session:
        n, pages = paper.cards_pdf(session, slug, path)
    click.echo(f"Wrote {n} cards and the record sheet ({pages} pages) to {path}")
