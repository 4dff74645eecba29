"""``poetq simulate`` (planted viewpoints) and ``poetq demo`` (the whole of poetq at once)."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import click

from poetq.cli._db import database_option, open_session
from poetq.domain import SortsTable
from poetq.errors import NotFoundError
from poetq.formats.cells import csv_text
from poetq.qsets import list_shipped_qsets, load_qset


def _qset_for(qset_arg: str):
    """A Q-set file, or the name of a shipped Q-set (``joint-commissioning``)."""
    path = Path(qset_arg)
    if path.is_file():
        return load_qset(path)
    for shipped in list_shipped_qsets():
        if shipped.stem == qset_arg:
            return load_qset(shipped)
    raise NotFoundError(f"no Q-set file {qset_arg} (nor a shipped Q-set of that name)")


@click.command("simulate")
@click.argument("qset")
@click.option("--viewpoints", "spec", type=click.Path(dir_okay=False, path_type=Path),
              help="Planted viewpoints (TOML, see statements/README.md). Default: the one shipped "
                   "with QSET, e.g. statements/joint-commissioning.viewpoints.toml.")
@click.option("--respondents", type=click.IntRange(1, 100_000), default=60, show_default=True,
              help="Number of simulated respondents (spread evenly over the viewpoints).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--noise", type=click.FloatRange(0, 10), default=0.5, show_default=True,
              help="SD of the noise added to each viewpoint's standardised scores.")
@click.option("--mirrored", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Share of respondents who hold their viewpoint upside down.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sorts here (format from the extension: .csv .DAT .xlsx .json …) and "
                   "who holds which viewpoint in OUT.viewpoints.csv.")
@click.option("--study", "slug", metavar="SLUG",
              help="Instead, add them to this study as finished responses.")
@database_option
def simulate_command(qset, spec, respondents, seed, noise, mirrored, out, slug, database_url):
    """Simulate respondents from planted viewpoints: valid forced sorts with a known answer.

    Each viewpoint is a latent ranking of the statements; each respondent a noisy copy of
    one viewpoint (some mirrored, so a bipolar factor can appear). QSET is a Q-set file or
    a shipped Q-set's name; with --study SLUG it may also be SLUG itself (the study's own
    Q-set), and the viewpoints must be written for the study's Q-set.

    \b
    Example:
      poetq simulate joint-commissioning --respondents 60 --out jc-sim.csv
      poetq simulate statements/joint-commissioning.toml --viewpoints my.toml --study jc-2026
      poetq simulate jc-2026 --study jc-2026 --respondents 40
    """
    # numpy and the formats when this command runs, not with `poetq demo`.
    from poetq.formats.registry import write_sorts
    from poetq.services import demo

    if bool(out) == bool(slug):
        raise click.UsageError("give either --out FILE or --study SLUG")
    if slug:
        expect = None if qset == slug else _qset_for(qset)
        with open_session(database_url) as session:
            sim, stored = demo.simulate_into_study(session, slug, spec, respondents, seed=seed,
                                                   noise=noise, mirrored=mirrored, expect=expect)
        click.echo(f"Added {len(stored)} simulated responses to {slug!r} "
                   f"({', '.join(sim.viewpoint_names)}).")
        return
    q = _qset_for(qset)
    sim = demo.simulate_for_qset(q, spec, respondents, seed=seed, noise=noise, mirrored=mirrored)
    table = SortsTable(tuple(q.statement_ids), sim.sort_ids, sim.values)
    mapping = out.with_name(out.name + ".viewpoints.csv")
    rows = [(csv_text(sid), csv_text(sim.viewpoint_names[v]), str(bool(flip)).upper())
            for sid, v, flip in zip(sim.sort_ids, sim.viewpoint_of, sim.mirrored)]
    write_sorts(table, out, statements=[s.text for s in q.statements], grid=q.grid, name=q.title)
    try:
        with open(mapping, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([("sort", "viewpoint", "mirrored"), *rows])
    except OSError:
        out.unlink(missing_ok=True)  # sorts without their answer key are of no use
        raise
    click.echo(f"Wrote {respondents} simulated sorts of {q.slug} to {out}; viewpoints in {mapping}")


@click.command("demo")
@click.option("--respondents", type=click.IntRange(5, 10_000), default=60, show_default=True,
              help="Simulated finished responses in the demo study.")
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Random seed of the simulation."
)
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the report (default: demo-report.html in $POETQ_HOME).")
@click.option("--no-serve", is_flag=True, help="Do everything but start the server.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True,
              help="Port to listen on.")
@database_option
def demo_command(respondents, seed, report, no_serve, host, port, database_url):
    """The whole of poetq in one command: the joint-commissioning demo and its five viewpoints.

    Creates (or reuses) the local database, opens the joint-commissioning study with about
    60 respondents simulated from five planted viewpoints (statements/joint-commissioning.
    viewpoints.toml), makes a demo researcher account, writes a report of a 5-factor
    analysis and serves it all on localhost. Running it again adds nothing twice.

    \b
    Example:
      poetq demo
      poetq demo --no-serve --report demo.html
    """
    # Loaded when this command runs, not with the other commands of the module.
    from poetq.services.demo import prepare_demo

    started = time.perf_counter()
    made = prepare_demo(database_url, respondents=respondents, seed=seed, report=report,
                        progress=lambda m: click.echo(f"… {m}", err=True))
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    click.echo(f"Demo ready in {time.perf_counter() - started:.1f} s: study {made.slug!r} is open "
               f"with {made.finished} finished responses ({made.added} added now).")
    click.echo(f"  Respondent link:    {base}/s/{made.slug}")
    click.echo(f"  Researcher sign-in: {base}/research/sign-in  as {made.email} / {made.password}")
    click.echo(f"  Five viewpoints:    {base}/research/studies/{made.slug}/analysis?factors=5")
    click.echo(f"  Report:             {made.report}")
    if no_serve:
        return
    from poetq.cli.web import run_server  # the web server only when the demo serves

    run_server(database_url, host=host, port=port)
