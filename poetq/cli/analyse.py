"""Analysis commands: ``poetq analyse``, ``poetq factors``, ``poetq bootstrap``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path

import click

from poetq.analysis.option_text import parse_distribution
from poetq.analysis.options import MAX_FACTORS, AnalysisOptions, default_of, option_fields
from poetq.cli._db import database_option
from poetq.formats.lis import write_lis
from poetq.services import factor_analysis as service

SOURCE_HELP = (
    "SOURCE is a sorts CSV (header statement,<sort id>,...; one row per statement) or a study slug."
)


def _click_option(f) -> Callable:
    """The click option of one :class:`AnalysisOptions` field, from its metadata."""
    md = f.metadata
    name = md["cli"] or "--" + f.name.replace("_", "-")
    decls = [name, *(("-k",) if f.name == "factors" else ()), f"opt_{f.name}"]
    kw: dict = {"help": md["help"], "metavar": md["metavar"]}
    if md["flag"]:
        return click.option(*decls, is_flag=True, default=bool(default_of(f)), **kw)
    if f.name == "factors":
        # required unless a saved analysis gives it (checked in analysis_options)
        kw["help"] += "  [required]"
        return click.option(*decls, type=click.IntRange(1, MAX_FACTORS), default=None, **kw)
    if md["choices"]:
        kw.pop("metavar")
        return click.option(*decls, type=click.Choice(md["choices"]), default=default_of(f),
                            show_default=True, **kw)
    parse = md["parse"] or type(default_of(f))

    def convert(ctx, param, value):
        try:
            return tuple(parse(v) for v in value) if md["repeat"] else (
                None if value is None else parse(value))
        except (ValueError, TypeError) as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(*decls, multiple=md["repeat"], callback=convert,
                        default=None if md["repeat"] else default_of(f), **kw)


def analysis_options(fn=None, *, arguments: tuple[str, ...] = ("source",), saved: bool = False):
    """The options every analysis-based command shares (analyse, plot, report, bootstrap,
    analysis save), made from the fields of :class:`poetq.analysis.AnalysisOptions`; the
    command receives them as one ``options`` record after its ``arguments``.

    With ``saved``, ``--analysis NAME`` takes the options and sorts of a study's saved
    analysis instead: the command then receives ``options=None`` and ``saved_name``.
    """
    if fn is None:
        return functools.partial(analysis_options, arguments=arguments, saved=saved)
    names = [f"opt_{f.name}" for f in option_fields() if f.metadata["cli"] is not None]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        values = {name[4:]: kwargs.pop(name) for name in names}
        flags_file = kwargs.pop("flags_file")
        if saved and kwargs.get("saved_name") is not None:
            ctx = click.get_current_context()
            given = [n for n in [*names, "flags_file"]
                     if ctx.get_parameter_source(n) == click.core.ParameterSource.COMMANDLINE]
            if given:
                raise click.UsageError("--analysis takes every analysis option from the saved "
                                       "analysis: leave out --" + given[0].removeprefix("opt_")
                                       .removesuffix("_file").replace("_", "-"))
            kwargs["options"] = None
            return fn(*args, **kwargs)
        if values["factors"] is None:
            raise click.UsageError("Missing option '--factors' / '-k'"
                                   + (" (or --analysis NAME)" if saved else ""))
        if flags_file is not None:
            values["flags"] = service.read_flags(flags_file, values["factors"])
        kwargs["options"] = AnalysisOptions(**values).checked()
        return fn(*args, **kwargs)

    decorators = [click.argument(a) for a in arguments]
    decorators += [_click_option(f) for f in option_fields() if f.metadata["cli"] is not None]
    decorators.append(click.option(
        "--flags", "flags_file", type=click.Path(dir_okay=False, path_type=Path),
        help="Manual flags: CSV 'sort,flag_f1,...' with TRUE/FALSE (as qmethod's flagged.csv). "
             "A sort flagged on two factors is refused (it would count twice)."))
    if saved:
        decorators.append(click.option(
            "--analysis", "saved_name", metavar="NAME", default=None,
            help="Use the study's saved analysis NAME (its options and exactly its sorts; "
                 "see `poetq analysis`) instead of analysis options."))
    decorators.append(database_option)
    for decorate in reversed(decorators):
        wrapper = decorate(wrapper)
    return wrapper


def load_and_analyse(source, options, database_url):
    src = service.load_source(source, database_url=database_url)
    return src, service.run_analysis(src, options)


@click.command("analyse")
@analysis_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write qmethod-style CSV files (loadings.csv, zscores.csv, ...) to this directory.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one Excel workbook with everything: sorts, correlations, loadings with "
    "flags, arrays, z-scores, characteristics, distinguishing/consensus, ranked statements "
    "(for a study also its participants with loadings, and answers by factor).",
)
@click.option("--report-txt", "txt_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a plain-text report laid out like PQMethod's .LIS output.")
def analyse_command(source, options, database_url, out, as_json, xlsx_path, txt_path):
    """Analyse Q-sorts: extract, rotate, flag, score and compare factors.

    Numbers match R qmethod 1.8.4 (qmethod(sorts, nfactors=K, ...)). SOURCE is a sorts file
    in any format poetq reads (qmethod CSV, PQMethod .DAT, Ken-Q CSV, KADE zip, HTMLQ CSV,
    JSON, Excel; see `poetq import --help`) or a study slug.

    \b
    Example:
      poetq analyse sorts.csv --factors 3 --out results/
      poetq analyse LIPSET.DAT --factors 3 --xlsx lipset.xlsx --report-txt lipset.lis
      poetq analyse joint-commissioning --factors 4 --extraction centroid
      poetq analyse joint-commissioning --factors 4 --rotate 1,2,15 --rotate 2,3,-5
    """
    src, result = load_and_analyse(source, options, database_url)
    if out:
        files = service.write_result_files(result, out)
    if as_json:
        click.echo(service.result_json(result))
    else:
        click.echo(service.summarise(result, src))
    if out:
        click.echo(f"Wrote {len(files)} files to {out}", err=as_json)
    title = src.qset.title if src.qset is not None else src.name
    if xlsx_path:
        # openpyxl and the workbook writer only with --xlsx
        from poetq.services.exchange import write_workbook

        write_workbook(result, xlsx_path, src.qset, texts=src.texts, participants=src.participants)
        click.echo(f"Wrote the results workbook {xlsx_path}", err=as_json)
    if txt_path:
        write_lis(result, txt_path, qset=src.qset, title=title, texts=src.texts)
        click.echo(f"Wrote the text report {txt_path}", err=as_json)


@click.command("factors")
@click.argument("source")
@click.option("--cor", type=click.Choice(("pearson", "spearman", "kendall")), default="pearson",
              show_default=True, help="Correlation between sorts.")
@click.option("--iterations", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Random data sets for parallel analysis.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for parallel analysis.")
@click.option("--distribution", metavar="V1,V2,...", default=None,
              help="Free (unforced) sorts: the nominal grid, one value per statement; parallel "
                   "analysis then draws random sorts of it.")
@database_option
def factors_command(source, cor, iterations, seed, distribution, database_url):
    """How many factors? Eigenvalues, Kaiser, Humphrey's rule and parallel analysis.

    SOURCE is a sorts CSV or a study slug.

    \b
    Example:
      poetq factors sorts.csv --iterations 1000 --seed 1
    """
    src = service.load_source(source, database_url=database_url)
    grid = parse_distribution(distribution) if distribution else None
    g = service.run_guidance(src, seed=seed, iterations=iterations, cor=cor, distribution=grid)
    click.echo(f"{len(src.table.sort_ids)} sorts × {len(src.table.statement_ids)} statements")
    click.echo("factor  eigenvalue  % variance  parallel 95%  Humphrey product")
    rows = min(8, len(g.parallel))
    for i in range(rows):
        hp = f"{g.humphrey_products[i]:.3f}" if i < len(g.humphrey_products) else ""
        click.echo(
            f"{i + 1:>6}  {g.eigenvalues[i]:>10.3f}  {g.explained[i]:>10.1f}  "
            f"{g.parallel[i]:>12.3f}  {hp:>16}"
        )
    n = len(src.table.statement_ids)
    click.echo(f"Kaiser (eigenvalue > 1): {g.kaiser}")
    click.echo(
        f"Humphrey's rule (product of two top loadings > 2/sqrt({n}) = {2 / n**0.5:.3f}): "
        f"{g.humphrey}"
    )
    click.echo(
        f"Parallel analysis ({g.iterations} random forced data sets, seed {g.seed}): "
        f"{g.parallel_retain}"
    )
    click.echo(f"Suggested: {g.suggested} (also weigh interpretability and defining sorts)")


@click.command("bootstrap")
@analysis_options
@click.option("--steps", type=click.IntRange(2, 100_000), default=None,
              help="Bootstrap samples  [default: 200]")
@click.option("--seed", type=int, default=None, help="Seed of the resampling  [default: 0]")
@click.option("--resamples", "resamples_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use these resamples instead of drawing them: write.csv(b$resamples, FILE, "
                   "row.names = FALSE) of R's qmboots (one column per step, sort positions 1..m).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write qmboots' summaries as CSV files (zscore-stats_factorF.csv, "
                   "loa.stats_factorF.csv, qmb.summary_*.csv, resamples.csv) to this directory.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that run the resamples (each on one thread); the results are the "
                   "same for any number. Worth it on idle cores and large studies.")
def bootstrap_command(source, options, database_url, steps, seed, resamples_file, out, jobs):
    """Bootstrap the analysis: how stable are flags, z-scores and factor arrays?

    Balanced resampling as R qmethod's qmboots: every resample is extracted and rotated as
    the full analysis (--extraction, --rotation), its factors re-aligned to the full
    analysis by order and sign; resamples whose factors cannot be told apart are dropped,
    as qmboots does. With --resamples and --out the files equal qmboots' from the same
    resamples.

    \b
    Example:
      poetq bootstrap sorts.csv --factors 3 --steps 500 --seed 1
      poetq bootstrap sorts.csv --factors 3 --resamples resamples.csv --out boot/
      poetq bootstrap sorts.csv --factors 3 --steps 2000 --jobs 4
    """
    if resamples_file and (steps is not None or seed is not None):
        raise click.UsageError("--resamples gives the steps: leave out --steps and --seed")
    steps = 200 if steps is None else steps
    seed = 0 if seed is None else seed
    src = service.load_source(source, database_url=database_url)
    resamples = service.load_resamples(src, resamples_file) if resamples_file else None
    length = steps if resamples is None else resamples.shape[1]
    with click.progressbar(length=length, label="Bootstrapping", file=sys.stderr) as bar:
        last = [0]

        def progress(i):
            bar.update(i - last[0])
            last[0] = i

        b = service.run_bootstrap(src, options, steps=steps, seed=seed, progress=progress,
                                  resamples=resamples, jobs=jobs)
    if out:
        files = service.write_bootstrap_files(b, out)
        click.echo(f"Wrote {len(files)} files to {out}", err=True)
    dropped = f"{b.order_errors} dropped: factors not told apart, as qmboots"
    if b.failed:
        dropped += f"; {b.failed} with a flagged loading of 1 or more"
    click.echo(f"{b.valid_steps} of {b.steps} resamples kept ({dropped})")
    click.echo("sort      " + "  ".join(f"{n:>13}" for n in b.full.factor_names))
    for j, s in enumerate(b.full.sort_ids):
        cells = [f"{b.loading_mean[j, f]:+.2f}±{b.loading_sd[j, f]:.2f} {b.flag_freq[j, f]:>3.0%}"
                 for f in range(b.full.n_factors)]
        click.echo(f"{s:<8}  " + "  ".join(f"{c:>13}" for c in cells))
    click.echo("(mean loading ± sample SD, and how often the sort was flagged on the factor)")
    for f, name in enumerate(b.full.factor_names):
        agree = b.array_agreement[:, f]
        if agree.size and not all(a != a for a in agree):
            click.echo(
                f"{name}: factor array stable for {float((agree >= 0.5).mean()):.0%} "
                f"of statements; mean |array change| (FSI) {b.fsi[f]:.2f}"
            )
