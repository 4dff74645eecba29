"""``poetq plot`` and ``poetq report``."""

from __future__ import annotations

from pathlib import Path

import click

from poetq.cli import cli
from poetq.cli.analysis import analysis_options, load_and_analyse
from poetq.services import plots as plot_service
from poetq.services.analysis import run_guidance


@cli.command("plot")
@analysis_options
@click.option("--kind", default="composite", show_default=True, metavar="KIND",
              help=f"One of {', '.join(plot_service.KINDS)}, or all (one file per figure).")
@click.option("--statements", "chosen", default=None, metavar="N,N,...",
              help="Statement numbers for --kind zscores (default: the 12 that differ most).")
@click.option("--factor", type=int, default=1, show_default=True,
              help="Factor for the composite and bootstrap figures.")
@click.option("--pair", type=(int, int), default=(1, 2), show_default=True,
              help="Factors on the axes of the loadings plot.")
@click.option("--text/--no-text", "short_text", default=False,
              help="Short statement text in the composite cells (study sources).")
@click.option("--steps", type=click.IntRange(2, 100_000), default=200, show_default=True,
              help="Bootstrap samples for --kind bootstrap.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.png, FILE.svg or FILE.pdf (with --kind all: FILE-<figure>.ext each).")
@click.option("--dpi", type=click.IntRange(50, 1200), default=150, show_default=True)
def plot_command(source, factors, extraction, rotation, cor, flags_file, database_url, kind, chosen,
                 factor, pair, short_text, steps, out, dpi):
    """Draw a figure of the analysis: composite Q-sort, loadings, heat map, scree, z-scores.

    Takes the same analysis options as `poetq analyse`; the format comes from --out's
    extension.

    \b
    Example:
      poetq plot sorts.csv --factors 3 --kind composite --factor 2 --out f2.png
      poetq plot sorts.csv --factors 3 --kind all --out figures/lipset.svg
    """
    plot_service.check_kind(kind)
    statements = plot_service.parse_statement_numbers(chosen) if chosen else None
    src, result = load_and_analyse(source, factors, extraction, rotation, cor, flags_file, database_url)
    guidance = run_guidance(src, seed=0, iterations=100, cor=cor) if kind in ("scree", "all") else None
    boot = None
    if kind == "bootstrap":
        from poetq.services.analysis import run_bootstrap

        boot = run_bootstrap(src, factors, steps=steps, extraction=extraction, rotation=rotation, cor=cor)
    files = plot_service.write_plots(result, out, kind=kind, source=src, factor=factor, pair=pair,
                                     guidance=guidance, boot=boot, dpi=dpi, short_text=short_text,
                                     statements=statements)
    for f in files:
        click.echo(f"Wrote {f}")


@cli.command("report")
@analysis_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="report.html (one self-contained file) or report.pdf.")
def report_command(source, factors, extraction, rotation, cor, flags_file, database_url, out):
    """Write a report of the analysis: method, every figure and a crib sheet per factor.

    \b
    Example:
      poetq report sorts.csv --factors 3 --out report.html
    """
    src, result = load_and_analyse(source, factors, extraction, rotation, cor, flags_file, database_url)
    guidance = run_guidance(src, seed=0, iterations=100, cor=cor)
    click.echo(f"Wrote {plot_service.write_report(result, out, src, guidance=guidance)}")
