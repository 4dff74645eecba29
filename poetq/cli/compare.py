"""``poetq compare``: the solutions with k = a..b factors side by side."""

from __future__ import annotations

from pathlib import Path

import click

from poetq.analysis.options import AnalysisOptions, option_fields
from poetq.cli._db import database_option
from poetq.cli.analyse import _click_option
from poetq.services import compare as service
from poetq.services import factor_analysis

#: The analysis options that apply to every k (flags and by-hand rotations belong to one k).
_SHARED = [f for f in option_fields()
           if f.metadata["cli"] is not None and f.name not in ("factors", "rotations")]


def _with_shared_options(fn):
    for f in reversed(_SHARED):
        fn = _click_option(f)(fn)
    return fn


@click.command("compare")
@click.argument("source")
@click.option("--factors", "-k", "factors", default="2-7", show_default=True, metavar="FROM-TO",
              help="The numbers of factors to compare.")
@_with_shared_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the comparison as FILE.csv (one row per k and factor, then "
                   "'none' and 'confounded' rows per k).")
@database_option
def compare_command(source, factors, out, database_url, **shared):
    """Compare the solutions with FROM to TO factors: explained variance, defining sorts,
    sorts defining no factor or confounded, the largest correlation between factor scores,
    and where each factor's sorts go with one factor more.

    \b
    Example:
      poetq compare joint-commissioning --factors 2-7
      poetq compare sorts.csv --factors 3-5 --extraction centroid --out compare.csv
    """
    ks = service.parse_factor_range(factors)
    options = AnalysisOptions(factors=ks[0], **{k[4:]: v for k, v in shared.items()}).checked()
    src = factor_analysis.load_source(source, database_url=database_url)
    comparison = service.compare_solutions(src, options, ks)
    click.echo(service.comparison_text(comparison))
    if out:
        service.write_comparison_csv(comparison, out)
        click.echo(f"Wrote {out}")
