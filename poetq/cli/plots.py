"""``poetq plot`` and ``poetq report``: figures and the report of an analysis."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

import click

from poetq.cli._db import open_session
from poetq.cli.analyse import analysis_options
from poetq.errors import FigureWarning
from poetq.services import factor_analysis as analysis_service
from poetq.services import plots as plot_service

_STATEMENTS_HELP = ("Q-set file (TOML) of a sorts CSV: statement numbers and texts, the grid and "
                    "its pole labels. A study SOURCE has its own.")


def _analyse(source, options, database_url, statements, saved_name=None):
    """``(source, options, result)``: of SOURCE with ``options``, or of the study's saved
    analysis ``saved_name`` (its options, exactly its sorts)."""
    if saved_name is not None:
        if statements is not None:
            raise click.UsageError("--statements is for a sorts file: a study has its own")
        # SQLAlchemy only for a saved analysis: a sorts file needs no database.
        from poetq.services import saved_analyses

        with open_session(database_url) as session:
            info, src, result = saved_analyses.open_saved(session, source, saved_name)
        return src, info.options, result
    src = analysis_service.load_source(source, database_url=database_url)
    if statements is not None:
        src = plot_service.with_statements(src, statements)
    return src, options, analysis_service.run_analysis(src, options)


@contextlib.contextmanager
def _one_line_warnings():
    """Figure warnings (cut text, a missing font) as one ``Warning:`` line each, once."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FigureWarning)
        yield
    seen = set()
    for w in caught:
        if issubclass(w.category, FigureWarning):
            if str(w.message) not in seen:
                seen.add(str(w.message))
                click.echo(f"Warning: {w.message}", err=True)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _print_options(f):
    """--width, --font-size, --title/--no-title and --factor-names of ``poetq plot``."""
    f = click.option(
        "--factor-names",
        default=None,
        metavar="NAME,NAME,...",
        help='Names of the factors, e.g. "Ideal world,Efficient,Local" [default: f1, f2, ...]',
    )(f)
    f = click.option("--title/--no-title", "title", default=True, show_default=True,
                     help="Titles on the figures (journals usually put them in the caption).")(f)
    f = click.option("--font-size", type=click.FloatRange(7, 30), default=8.0, show_default=True,
                     help="Body type size in points; nothing is drawn under 7 pt.")(f)
    f = click.option("--width", default=None, metavar="WIDTH",
                     help="Figure width with a unit: 8.5cm (one journal column), 17.5cm (two), "
                          "85mm, 3.5in  [default: each figure's natural width]")(f)
    return f


def _default_jobs() -> int:
    """Two drawing processes where this process may use two CPUs, else one."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 2 if cpus >= 2 else 1


def _jobs_option(f):
    return click.option(
        "--jobs", type=click.IntRange(1, 2), default=None, metavar="1|2",
        help="Processes that draw the figures  [default: 2 where two CPUs are free to use, else 1]",
    )(f)


def _bootstrap(src, options, steps, seed):
    """The bootstrap of the analysis's extraction/rotation/correlation (its own flags)."""
    return analysis_service.run_bootstrap(src, options.replace(flags=None, rotations=()),
                                          steps=steps, seed=seed)


@click.command("plot")
@analysis_options(saved=True)
@click.option("--kind", default="composite", show_default=True, metavar="KIND",
              help=f"One of {', '.join(plot_service.KINDS)}, or all (every figure, one file each).")
@click.option(
    "--factor",
    type=int,
    default=None,
    help="Factor of the composite and bootstrap figures  [default: the first with an array]",
)
@click.option("--pair", type=(int, int), default=(1, 2), show_default=True, metavar="A B",
              help="Factors on the axes of the loadings plot.")
@click.option("--statements", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="QSET.toml", help=_STATEMENTS_HELP)
@click.option("--text/--no-text", "show_text", default=False, show_default=True,
              help="Statement texts on the composite (needs a Q-set): in the cells when they fit "
                   "uncut, else numbers in the grid and a key table under it (see --text-layout); "
                   "with --kind loadings, every sort's id by its point (default: up to 25 sorts).")
@click.option("--text-layout", type=click.Choice(("auto", "cells", "key")), default="auto",
              show_default=True, help="Where --text puts the statements: auto, cells (cut with a "
                                      "warning when too long) or key (a key table of whole texts).")
@_print_options
@click.option("--select", default=None, metavar="N,N,...",
              help="Statement numbers for --kind zscores  [default: the 12 that differ most]")
@click.option("--steps", type=click.IntRange(2, 100_000), default=None,
              help="Bootstrap samples: needed by --kind bootstrap (200 if not given); adds the "
                   "bootstrap figures to --kind all.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the bootstrap and of parallel analysis.")
@click.option("--iterations", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Random data sets for the scree plot's parallel analysis.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="FILE.png, FILE.tif, FILE.svg, FILE.pdf or FILE.eps. With --kind all: FILE.ext "
    "gives FILE-<figure>.ext per figure, a folder gives <figure>.png (see --format). "
    "A figure taller than a page continues in FILE-2.ext, ... (a PDF holds every page).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("png", "tiff", "svg", "pdf", "eps")),
    default="png",
    show_default=True,
    help="Format of the files when --kind all writes into a folder.",
)
@click.option("--dpi", type=click.IntRange(50, 1200), default=300, show_default=True,
              help="Resolution of PNG and TIFF files.")
@_jobs_option
def plot_command(
    source,
    options,
    saved_name,
    database_url,
    kind,
    factor,
    pair,
    statements,
    show_text,
    text_layout,
    width,
    font_size,
    title,
    factor_names,
    select,
    steps,
    seed,
    iterations,
    out,
    fmt,
    dpi,
    jobs,
):
    """Draw figures of the analysis: composite Q-sort, loadings, heat map, scree, z-scores,
    bootstrap.

    Takes the same analysis options as `poetq analyse`. The format comes from --out's
    extension (.png and .tif at 300 dpi, .svg with editable text, .pdf and .eps with
    TrueType fonts). --width sizes a figure for a journal column; type never goes under 7 pt
    (the figure grows taller, and splits into pages, instead). With --kind all every figure is
    written: a composite Q-sort per factor, the loadings of --pair, the heat map, the scree
    plot, the z-score comparison and, with --steps, a bootstrap figure per factor;
    --out lipset.svg gives lipset-composite-f1.svg, ..., and --out figures/ gives
    figures/composite-f1.png, ...

    \b
    Example:
      poetq plot sorts.csv --factors 3 --kind composite --factor 2 --out f2.png
      poetq plot sorts.csv --factors 3 --statements lipset.toml --text --out f1.pdf
      poetq plot sorts.csv --factors 3 --kind loadings --pair 1 3 --out l13.svg
      poetq plot sorts.csv --factors 3 --kind zscores --select 1,5,9 --out z.png
      poetq plot sorts.csv --factors 3 --kind all --out figures/
      poetq plot joint-commissioning --analysis "four viewpoints" --kind all --out figures/
      poetq plot sorts.csv --factors 3 --kind all --width 8.5cm --no-title --format eps --out figs/
    """
    plot_service.check_kind(kind)
    numbers = plot_service.parse_statement_numbers(select) if select else None
    src, options, result = _analyse(source, options, database_url, statements, saved_name)
    chosen = plot_service.statement_ids(result, numbers, src.qset) if numbers else None
    guidance = (
        analysis_service.run_guidance(src, seed=seed, iterations=iterations, cor=options.cor)
        if kind in ("scree", "all")
        else None
    )
    boot = None
    if kind == "bootstrap" or (kind == "all" and steps):
        boot = _bootstrap(src, options, steps or 200, seed)
    with _one_line_warnings():
        style = plot_service.figure_style(src.qset, width=width, font_size=font_size, title=title,
                                          factor_names=factor_names)
        files = plot_service.write_plot(
            result,
            kind,
            out,
            dpi=dpi,
            fmt=fmt,
            factor=factor,
            pair=pair,
            qset=src.qset,
            show_text=show_text,
            layout=text_layout,
            statements=chosen,
            guidance=guidance,
            boot=boot,
            style=style,
            jobs=jobs or _default_jobs(),
        )
    for path in files:
        click.echo(f"Wrote {path}")


@click.command("report")
@analysis_options(saved=True)
@click.option("--statements", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="QSET.toml", help=_STATEMENTS_HELP)
@click.option("--steps", type=click.IntRange(2, 100_000), default=None,
              help="Also bootstrap the analysis with this many samples.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the bootstrap and of parallel analysis.")
@click.option("--iterations", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Random data sets for parallel analysis.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="report.html (one self-contained file, nothing fetched), report.pdf (the same "
                   "layout on A4 pages) or report.docx (the same content, editable).")
@click.option(
    "--factor-names",
    default=None,
    metavar="NAME,NAME,...",
    help='Names of the factors, e.g. "Ideal world,Efficient,Local" [default: f1, f2, ...]',
)
@_jobs_option
def report_command(
    source,
    options,
    saved_name,
    database_url,
    statements,
    steps,
    seed,
    iterations,
    out,
    factor_names,
    jobs,
):
    """Write a report of the analysis: study, method and options, every figure, the tables,
    and per factor a crib sheet, the respondents' comments and answers and a narrative
    template.

    Takes the same analysis options as `poetq analyse`, whose numbers it shows. The HTML
    report is one file that opens without a network; the PDF is the same HTML laid out on
    numbered A4 pages; the .docx holds the same content for editing.

    \b
    Example:
      poetq report sorts.csv --factors 3 --statements lipset.toml --out report.html
      poetq report joint-commissioning --factors 3 --steps 200 --out report.pdf
      poetq report joint-commissioning --analysis "four viewpoints" --out report.html
      poetq report joint-commissioning --factors 5 --factor-names "A,B,C,D,E" --out report.docx
    """
    src, options, result = _analyse(source, options, database_url, statements, saved_name)
    guidance = analysis_service.run_guidance(src, seed=seed, iterations=iterations, cor=options.cor)
    boot = _bootstrap(src, options, steps, seed) if steps else None
    with _one_line_warnings():
        style = plot_service.figure_style(src.qset, width=6.7, factor_names=factor_names)
        path = plot_service.write_report(
            result, out, source=src, guidance=guidance, boot=boot, style=style,
            jobs=jobs or _default_jobs(),
        )
    click.echo(f"Wrote {path}")
