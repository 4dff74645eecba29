"""Figures and the report of an analysis: the use cases the CLI and the web share.

``make_figure`` draws one figure as a :class:`matplotlib.figure.Figure`, ``write_plot`` saves
one figure (or every figure) to PNG/SVG/PDF, ``write_report`` writes the HTML or PDF report.
No click, no Flask: errors are :class:`~poetq.errors.PoetqError` with one-line messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from poetq import plots, report
from poetq.analysis import AnalysisResult, BootstrapResult, FactorGuidance
from poetq.domain import QSet
from poetq.errors import ValidationError
from poetq.qsets import load_qset
from poetq.services.factor_analysis import Source

#: The kinds of figure ``make_figure`` draws; ``"all"`` asks ``write_plot`` for every one.
KINDS = ("composite", "loadings", "heatmap", "scree", "zscores", "bootstrap")
REPORT_FORMATS = (".html", ".htm", ".pdf")


def check_kind(kind: str) -> str:
    """``kind`` itself if it is one of :data:`KINDS` or ``"all"``, else a ValidationError."""
    if kind not in (*KINDS, "all"):
        raise ValidationError(f"unknown kind of plot {kind!r}: use one of {', '.join(KINDS)} or all")
    return kind


def with_statements(source: Source, path: str | Path) -> Source:
    """``source`` with the Q-set file at ``path`` (texts, numbers, grid) for its sorts.

    Raises
    ------
    ValidationError
        When the file's statement ids are not exactly the sorts' statement ids.
    """
    path = Path(path)
    if not path.is_file():
        if re.fullmatch(r"[\d,\s]+", str(path)):
            raise ValidationError(f"--statements takes a Q-set file; to choose statements {path} "
                                  f"for the z-score comparison use --select {path}")
        raise ValidationError(f"no Q-set file at {path}")
    qset = load_qset(path)
    ids, have = set(qset.statement_ids), set(source.table.statement_ids)
    if ids != have:
        extra = sorted(have - ids) or sorted(ids - have)
        where = "the sorts have" if have - ids else f"{path.name} has"
        raise ValidationError(
            f"{path.name} does not match the sorts: {where} statement {extra[0]!r} that the "
            "other does not"
        )
    return replace(source, qset=qset)


def parse_statement_numbers(text: str) -> list[int]:
    """``"1, 5,9"`` -> ``[1, 5, 9]``: statement numbers as printed on the cards."""
    try:
        numbers = [int(p) for p in text.replace(" ", "").split(",") if p]
    except ValueError:
        raise ValidationError(
            f"--select wants statement numbers separated by commas, e.g. 1,5,9 (got {text!r})"
        ) from None
    if not numbers:
        raise ValidationError("--select wants at least one statement number, e.g. 1,5,9")
    return numbers


def statement_ids(result: AnalysisResult, numbers: list[int], qset: QSet | None = None) -> list[str]:
    """Statement ids of card numbers (Q-set order when ``qset`` is given, else the sorts' order)."""
    n = len(result.statement_ids)
    bad = [x for x in numbers if not 1 <= x <= n]
    if bad:
        raise ValidationError(f"there is no statement number {bad[0]}: choose 1 to {n}")
    if qset is not None and set(qset.statement_ids) == set(result.statement_ids):
        return [qset.statement_ids[x - 1] for x in numbers]
    return [result.statement_ids[x - 1] for x in numbers]


def most_different(result: AnalysisResult, n: int = 12) -> list[str]:
    """The ``n`` statements whose z-scores differ most between factors (range), largest first."""
    z = np.asarray(result.zscores)
    defined = [f for f in range(result.n_factors) if f not in result.empty_factors]
    if len(defined) < 2:
        return list(result.statement_ids[:n])
    spread = z[:, defined].max(axis=1) - z[:, defined].min(axis=1)
    order = sorted(range(len(spread)), key=lambda i: (-spread[i], i))
    return [result.statement_ids[i] for i in order[:n]]


def _first_defined(result: AnalysisResult) -> int:
    for f in range(result.n_factors):
        if f not in result.empty_factors:
            return f + 1
    raise ValidationError("no factor defines a sort, so there is no factor array to draw")


def make_figure(
    result: AnalysisResult,
    kind: str,
    *,
    factor: int | None = None,
    pair: tuple[int, int] = (1, 2),
    qset: QSet | None = None,
    show_text: bool = False,
    statements: list[str] | None = None,
    guidance: FactorGuidance | None = None,
    boot: BootstrapResult | None = None,
) -> Figure:
    """One figure of ``kind`` (see :data:`KINDS`).

    ``factor`` (1-based) is for the composite and bootstrap figures (default: the first factor
    that defines a sort); ``pair`` for the loadings plot; ``statements`` (ids) for the z-score
    comparison (default: the 12 that differ most between factors); ``guidance`` adds the
    parallel-analysis line to the scree plot; ``boot`` is needed for the bootstrap figure.
    """
    check_kind(kind)
    if kind == "all":
        raise ValidationError("make_figure draws one figure: choose one kind, not all")
    if kind in ("composite", "bootstrap") and factor is None:
        factor = _first_defined(result)
    if kind == "composite":
        if show_text and qset is None:
            raise ValidationError("statement text needs the Q-set: give --statements QSET.toml")
        ax = plots.composite(result, factor, qset=qset, show_text=show_text)
    elif kind == "loadings":
        if result.n_factors < 2:
            raise ValidationError("a loadings plot needs at least 2 factors")
        ax = plots.loadings_pair(result, *pair)
    elif kind == "heatmap":
        ax = plots.loadings_heatmap(result)
    elif kind == "scree":
        ax = plots.scree(result, guidance=guidance)
    elif kind == "zscores":
        ax = plots.zscore_comparison(result, statements or most_different(result), qset=qset)
    else:
        if boot is None:
            raise ValidationError("the bootstrap figure needs a bootstrap run (give --steps)")
        ax = plots.bootstrap_intervals(boot, factor, qset=qset)
    return ax.figure


@dataclass(frozen=True)
class FigureSpec:
    """One figure of a set: its file name stem, a caption and ``make_figure``'s arguments."""

    name: str
    caption: str
    kind: str
    factor: int | None = None


def figure_specs(result: AnalysisResult, kind: str = "all", *, factor: int | None = None,
                 pair: tuple[int, int] = (1, 2), boot: BootstrapResult | None = None) -> list[FigureSpec]:
    """The figures ``kind`` stands for: one, or with ``"all"`` every figure of the analysis.

    ``all`` gives a composite Q-sort per factor that defines a sort, the loadings of ``pair``
    (with 2 or more factors), the heat map, the scree plot, the z-score comparison and, when
    ``boot`` is given, a bootstrap figure per factor.
    """
    check_kind(kind)
    defined = [f + 1 for f in range(result.n_factors) if f not in result.empty_factors]
    a, b = pair
    one = {
        "composite": lambda f: FigureSpec(f"composite-f{f}", f"Composite Q-sort of factor {f}", "composite", f),
        "loadings": lambda f: FigureSpec(f"loadings-f{a}-f{b}", f"Loadings on factors {a} and {b}", "loadings"),
        "heatmap": lambda f: FigureSpec("heatmap", "Loadings of every sort on every factor", "heatmap"),
        "scree": lambda f: FigureSpec("scree", "Scree plot with parallel analysis", "scree"),
        "zscores": lambda f: FigureSpec("zscores", "Z-scores of the statements that differ most", "zscores"),
        "bootstrap": lambda f: FigureSpec(f"bootstrap-f{f}", f"Bootstrap stability of factor {f}", "bootstrap", f),
    }
    if kind != "all":
        return [one[kind](factor)]
    specs = [one["composite"](f) for f in defined]
    if result.n_factors >= 2:
        specs.append(one["loadings"](None))
    specs += [one["heatmap"](None), one["scree"](None), one["zscores"](None)]
    if boot is not None:
        specs += [one["bootstrap"](f) for f in defined]
    return specs


def _targets(out: Path, specs: list[FigureSpec], fmt: str) -> list[Path]:
    """Where ``write_plot`` puts each figure of a set: ``out`` is a folder or a FILE stem."""
    if out.suffix.lower().lstrip(".") in plots.FORMATS:
        return [out.with_name(f"{out.stem}-{s.name}{out.suffix}") for s in specs]
    if out.exists() and not out.is_dir():
        raise ValidationError(f"cannot write into {out}: it is a file, not a folder")
    if not out.exists():
        if not out.parent.is_dir():
            raise ValidationError(f"cannot write {out}: the folder {out.parent} does not exist")
        try:
            out.mkdir()
        except OSError as exc:
            raise ValidationError(f"cannot make the folder {out}: {exc.strerror or exc}") from None
    return [out / f"{s.name}.{fmt}" for s in specs]


def write_plot(
    result: AnalysisResult,
    kind: str,
    out: str | Path,
    *,
    dpi: int = 150,
    fmt: str = "png",
    factor: int | None = None,
    pair: tuple[int, int] = (1, 2),
    qset: QSet | None = None,
    show_text: bool = False,
    statements: list[str] | None = None,
    guidance: FactorGuidance | None = None,
    boot: BootstrapResult | None = None,
) -> list[Path]:
    """Write one figure to ``out`` (``.png``, ``.svg`` or ``.pdf``) and return ``[out]``.

    With ``kind="all"`` every figure of :func:`figure_specs` is written: when ``out`` is a
    file name such as ``figs/lipset.svg`` each goes to ``figs/lipset-<figure>.svg``; otherwise
    ``out`` is a folder (made if missing) holding ``<figure>.<fmt>``.
    """
    check_kind(kind)
    if fmt not in plots.FORMATS:
        raise ValidationError(f"unknown figure format {fmt!r}: use png, svg or pdf")
    out = Path(out)
    specs = figure_specs(result, kind, factor=factor, pair=pair, boot=boot)
    options = {"pair": pair, "qset": qset, "show_text": show_text, "guidance": guidance, "boot": boot}
    if kind != "all":
        fig = make_figure(result, kind, factor=factor, statements=statements, **options)
        return [plots.save_figure(fig, out, dpi=dpi)]
    figures = [make_figure(result, s.kind, factor=s.factor, **options) for s in specs]
    return [plots.save_figure(fig, path, dpi=dpi)
            for fig, path in zip(figures, _targets(out, specs, fmt))]


def report_figures(result: AnalysisResult, *, qset: QSet | None = None,
                   guidance: FactorGuidance | None = None,
                   boot: BootstrapResult | None = None) -> list[tuple[str, Figure]]:
    """Every figure of the analysis with its caption, as the report shows them."""
    return [
        (s.caption, make_figure(result, s.kind, factor=s.factor, qset=qset,
                                show_text=qset is not None and s.kind == "composite",
                                guidance=guidance, boot=boot))
        for s in figure_specs(result, "all", boot=boot)
    ]


def write_report(
    result: AnalysisResult,
    out: str | Path,
    *,
    source: Source | None = None,
    guidance: FactorGuidance | None = None,
    boot: BootstrapResult | None = None,
    made_on: str | None = None,
) -> Path:
    """Write the report to ``out``: ``.html`` (one self-contained file) or ``.pdf``.

    The study's title, Q-set texts and grid come from ``source.qset`` when there is one.
    """
    out = Path(out)
    if out.suffix.lower() not in REPORT_FORMATS:
        raise ValidationError(f"cannot write {out.name}: use a .html or .pdf file name for the report")
    if not out.parent.is_dir():
        raise ValidationError(f"cannot write {out}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise ValidationError(f"cannot write {out}: it is a folder")
    qset = source.qset if source is not None else None
    title = qset.title if qset is not None else (source.name if source is not None else "Q analysis")
    common = {"title": title, "source_name": source.name if source is not None else "", "qset": qset,
                  "figures": report_figures(result, qset=qset, guidance=guidance, boot=boot),
                  "guidance": guidance, "boot": boot}
    try:
        if out.suffix.lower() == ".pdf":
            report.report_pdf(result, out, **common)
        else:
            out.write_text(report.report_html(result, made_on=made_on, **common), encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out
