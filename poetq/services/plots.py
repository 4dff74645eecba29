"""Figures and the report of an analysis: the use cases the CLI and the web share.

``make_figures`` draws one figure as pages of :class:`matplotlib.figure.Figure`, ``write_plot``
saves one figure (or every figure) to PNG/TIFF/SVG/PDF/EPS, ``write_report`` writes the HTML
or PDF report. ``figure_style`` sets the print size, type size and the fonts for the Q-set.
No click, no Flask: errors are :class:`~poetq.errors.PoetqError` with one-line messages.
"""

from __future__ import annotations

import datetime
import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from poetq import plots, report
from poetq.analysis import AnalysisResult, BootstrapResult, FactorGuidance
from poetq.domain import QSet
from poetq.errors import FigureWarning, ValidationError
from poetq.qsets import load_qset
from poetq.services.factor_analysis import Source

#: The kinds of figure ``make_figure`` draws; ``"all"`` asks ``write_plot`` for every one.
KINDS = ("composite", "loadings", "heatmap", "scree", "zscores", "bootstrap")
REPORT_FORMATS = (".html", ".htm", ".pdf", ".docx")


def check_kind(kind: str) -> str:
    """``kind`` itself if it is one of :data:`KINDS` or ``"all"``, else a ValidationError."""
    if kind not in (*KINDS, "all"):
        raise ValidationError(
            f"unknown kind of plot {kind!r}: use one of {', '.join(KINDS)} or all"
        )
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


def statement_ids(
    result: AnalysisResult, numbers: list[int], qset: QSet | None = None
) -> list[str]:
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


def figure_style(
    qset: QSet | None = None,
    *,
    width: str | float | None = None,
    font_size: float = 8.0,
    title: bool = True,
    factor_names: str | tuple[str, ...] | None = None,
    max_height: float = 9.0,
) -> plots.Style:
    """The print style of a command's figures, with fonts for the Q-set's script.

    ``width`` is inches or text such as ``"8.5cm"``; ``factor_names`` a tuple or
    ``"Ideal world,Efficient"``. When no installed font covers the statements, one
    :class:`~poetq.errors.FigureWarning` says which package to install.
    """
    if isinstance(width, str):
        width = plots.parse_width(width)
    names = (
        plots.parse_factor_names(factor_names)
        if isinstance(factor_names, str) or factor_names is None
        else tuple(factor_names)
    )
    texts = [s.text for s in qset.statements] if qset is not None else []
    if qset is not None:
        texts += [qset.title, *qset.grid.labels]
    choice = plots.fonts_for(texts)
    if choice.warning:
        warnings.warn(FigureWarning(choice.warning), stacklevel=2)
    return plots.Style(width=width, font_size=font_size, title=title, factor_names=names,
                       fonts=choice.families, max_height=max_height)


def make_figures(
    result: AnalysisResult,
    kind: str,
    *,
    factor: int | None = None,
    pair: tuple[int, int] = (1, 2),
    qset: QSet | None = None,
    show_text: bool = False,
    layout: str = "auto",
    statements: list[str] | None = None,
    guidance: FactorGuidance | None = None,
    boot: BootstrapResult | None = None,
    style: plots.Style | None = None,
) -> list[Figure]:
    """The pages of one figure of ``kind`` (see :data:`KINDS`), none taller than
    ``style.max_height``: most kinds have one page; a tall heat map, z-score or bootstrap
    figure, or a composite with a long key table, has more.

    ``factor`` (1-based) is for the composite and bootstrap figures (default: the first factor
    that defines a sort); ``pair`` for the loadings plot; ``statements`` (ids) for the z-score
    comparison (default: the 12 that differ most between factors); ``guidance`` adds the
    parallel-analysis line to the scree plot; ``boot`` is needed for the bootstrap figure.
    """
    check_kind(kind)
    style = style or figure_style(qset)
    if kind == "all":
        raise ValidationError("make_figure draws one figure: choose one kind, not all")
    if kind in ("composite", "bootstrap") and factor is None:
        factor = _first_defined(result)
    with plots.fonts(style):
        if kind == "composite":
            if show_text and qset is None:
                raise ValidationError("statement text needs the Q-set: give --statements QSET.toml")
            return plots.composite_figures(result, factor, qset=qset, show_text=show_text,
                                           layout=layout, style=style)
        if kind == "loadings":
            if result.n_factors < 2:
                raise ValidationError("a loadings plot needs at least 2 factors")
            # show_text: every sort's id by its point (the browser's judgmental rotation)
            return [plots.loadings_pair(result, *pair, style=style,
                                        labels=True if show_text else None).figure]
        if kind == "heatmap":
            return [plots.loadings_heatmap(result, rows=rows, style=style).figure
                    for rows in plots.heatmap_pages(result, style=style)]
        if kind == "scree":
            return [plots.scree(result, guidance=guidance, style=style).figure]
        if kind == "zscores":
            chosen = statements or most_different(result)
            return [
                plots.zscore_comparison(result, page, qset=qset, of=len(chosen), style=style).figure
                for page in plots.zscore_pages(result, chosen, qset=qset, style=style)
            ]
        if boot is None:
            raise ValidationError("the bootstrap figure needs a bootstrap run (give --steps)")
        return [plots.bootstrap_intervals(boot, factor, qset=qset, rows=rows, style=style).figure
                for rows in plots.bootstrap_pages(boot, style=style)]


def make_figure(result: AnalysisResult, kind: str, **options) -> Figure:
    """The first page of :func:`make_figures` (the whole figure unless it is very tall)."""
    return make_figures(result, kind, **options)[0]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of a set: its file name stem, a caption and ``make_figure``'s arguments."""

    name: str
    caption: str
    kind: str
    factor: int | None = None


def figure_specs(
    result: AnalysisResult,
    kind: str = "all",
    *,
    factor: int | None = None,
    pair: tuple[int, int] = (1, 2),
    boot: BootstrapResult | None = None,
) -> list[FigureSpec]:
    """The figures ``kind`` stands for: one, or with ``"all"`` every figure of the analysis.

    ``all`` gives a composite Q-sort per factor that defines a sort, the loadings of ``pair``
    (with 2 or more factors), the heat map, the scree plot, the z-score comparison and, when
    ``boot`` is given, a bootstrap figure per factor.
    """
    check_kind(kind)
    defined = [f + 1 for f in range(result.n_factors) if f not in result.empty_factors]
    a, b = pair
    one = {
        "composite": lambda f: FigureSpec(
            f"composite-f{f}", f"Composite Q-sort of factor {f}", "composite", f
        ),
        "loadings": lambda f: FigureSpec(
            f"loadings-f{a}-f{b}", f"Loadings on factors {a} and {b}", "loadings"
        ),
        "heatmap": lambda f: FigureSpec(
            "heatmap", "Loadings of every sort on every factor", "heatmap"
        ),
        "scree": lambda f: FigureSpec("scree", "Scree plot with parallel analysis", "scree"),
        "zscores": lambda f: FigureSpec(
            "zscores", "Z-scores of the statements that differ most", "zscores"
        ),
        "bootstrap": lambda f: FigureSpec(
            f"bootstrap-f{f}", f"Bootstrap stability of factor {f}", "bootstrap", f
        ),
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


#: Rough drawing cost of each kind of figure, to start the costliest first.
_COST = {"heatmap": 3.0, "zscores": 2.0, "composite": 1.5, "loadings": 1.5, "bootstrap": 1.5}


def _save_all(figures: list[tuple[list[Figure], Path]], dpi: int, style: plots.Style,
              jobs: int = 1, writer=None) -> list[Path]:
    """Write each figure's pages: one file per page (``path``, then ``stem-2.ext``, ...), but
    a PDF holds every page of its figure. Returns the files in order. ``jobs`` and ``writer``
    are :func:`poetq.plots.save_figures`'s."""
    files: list[tuple[Figure, Path]] = []
    books: list[tuple[list[Figure], Path]] = []
    order: list[Path] = []
    for pages, path in figures:
        if len(pages) > 1 and path.suffix.lower() == ".pdf":
            books.append((pages, plots.checked_path(path)))
            order.append(path)
            continue
        names = [path] + [
            path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(2, len(pages) + 1)
        ]
        files += zip(pages, names)
        order += names
    plots.save_figures(files, dpi=dpi, style=style, jobs=jobs, writer=writer)
    for pages, path in books:
        from matplotlib.backends.backend_pdf import PdfPages  # only a PDF of several pages

        try:
            with plots.fonts(style), PdfPages(path, metadata={"CreationDate": None}) as pdf:
                for page in pages:
                    pdf.savefig(page)
        except OSError as exc:
            raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from None
    return order


def write_plot(
    result: AnalysisResult,
    kind: str,
    out: str | Path,
    *,
    dpi: int = 300,
    fmt: str = "png",
    factor: int | None = None,
    pair: tuple[int, int] = (1, 2),
    qset: QSet | None = None,
    show_text: bool = False,
    layout: str = "auto",
    statements: list[str] | None = None,
    guidance: FactorGuidance | None = None,
    boot: BootstrapResult | None = None,
    style: plots.Style | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Write one figure to ``out`` (``.png``, ``.tif``, ``.svg``, ``.pdf`` or ``.eps``) and
    return the files written: ``[out]``, or more when the figure has several pages (see
    :func:`make_figures`; a PDF holds every page).

    With ``kind="all"`` every figure of :func:`figure_specs` is written: when ``out`` is a
    file name such as ``figs/lipset.svg`` each goes to ``figs/lipset-<figure>.svg``; otherwise
    ``out`` is a folder (made if missing) holding ``<figure>.<fmt>``. Text cut to fit gives
    one :class:`~poetq.errors.FigureWarning`. ``jobs=2`` draws the files in two processes
    (see :func:`poetq.plots.save_figures`: for a command line, not a threaded server).
    """
    check_kind(kind)
    fmt = "tiff" if fmt == "tif" else fmt
    if fmt not in plots.FORMATS:
        raise ValidationError(f"unknown figure format {fmt!r}: use png, tiff, svg, pdf or eps")
    out = Path(out)
    style = style or figure_style(qset)
    specs = figure_specs(result, kind, factor=factor, pair=pair, boot=boot)
    options = {"pair": pair, "qset": qset, "show_text": show_text, "layout": layout,
               "guidance": guidance, "boot": boot, "style": style}
    with plots.warn_cuts(style):
        if kind != "all":
            pages = make_figures(result, kind, factor=factor, statements=statements, **options)
            return _save_all([(pages, out)], dpi, style, jobs)
        targets = _targets(out, specs, fmt)
        # each process makes and saves whole figures, the costliest first
        order = sorted(range(len(specs)), key=lambda i: -_COST.get(specs[i].kind, 1.0))
        base = len(style.cut)

        def one(i: int, writer) -> tuple[int, list[Path], list[str]]:
            spec = specs[order[i]]
            before = len(style.cut)
            pages = make_figures(result, spec.kind, factor=spec.factor, **options)
            cut = style.cut[before:]
            return order[i], _save_all([(pages, targets[order[i]])], dpi, style,
                                       writer=writer), cut

        done = sorted(plots.map_shared(one, len(specs), jobs=jobs, context=plots.file_writer))
        del style.cut[base:]  # the cuts of both processes, in figure order, for one warning
        for _, _, cut in done:
            style.cut.extend(cut)
        return [path for _, paths, _ in done for path in paths]


def report_figures(result: AnalysisResult, *, qset: QSet | None = None,
                   guidance: FactorGuidance | None = None,
                   boot: BootstrapResult | None = None,
                   style: plots.Style | None = None) -> list[tuple[str, Figure]]:
    """Every figure of the analysis with its caption, as the report shows them (a figure of
    several pages gives one entry per page, captioned "(continued)")."""
    style = style or figure_style(qset, width=6.7)
    out = []
    with plots.warn_cuts(style):
        for s in figure_specs(result, "all", boot=boot):
            pages = make_figures(result, s.kind, factor=s.factor, qset=qset,
                                 show_text=qset is not None and s.kind == "composite",
                                 guidance=guidance, boot=boot, style=style)
            out += [(s.caption + (f" (continued, part {i})" if i > 1 else ""), page)
                    for i, page in enumerate(pages, 1)]
    return out


def respondent_words(source: Source | None) -> report.RespondentWords:
    """The respondents' comments and post-sort answers of a study's sorts, by sort id, from
    the participants table the source carries (none for a sorts file)."""
    table = getattr(source, "participants", None) if source is not None else None
    if table is None:
        return report.RespondentWords()
    header = list(table.header)
    prompts = {}
    if source.qset is not None:
        prompts = {q.id: q.prompt for q in source.qset.questions}
    comments, answers = {}, {}
    for sort_id, row, given in zip(table.sort_ids, table.rows, table.answers):
        if sort_id is None:
            continue
        said = []
        for k in range(1, len(header)):
            at = f"comment {k} statement"
            if at not in header:
                break
            c = header.index(at)
            if row[c] and row[c + 2]:
                said.append(
                    (str(row[c]), None if row[c + 1] is None else int(row[c + 1]), str(row[c + 2]))
                )
        comments[sort_id] = tuple(said)
        answers[sort_id] = {prompts.get(q, q): participants_answer(v) for q, v in given.items()
                            if participants_answer(v) not in (None, "")}
    return report.RespondentWords(comments, answers)


def participants_answer(value) -> str | None:
    """An answer as text: choices joined with "; "."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def write_report(
    result: AnalysisResult,
    out: str | Path,
    *,
    source: Source | None = None,
    guidance: FactorGuidance | None = None,
    boot: BootstrapResult | None = None,
    made_on: str | None = None,
    style: plots.Style | None = None,
    jobs: int = 1,
) -> Path:
    """Write the report to ``out``: ``.html`` (one self-contained file), ``.pdf`` (the same
    HTML laid out on A4 pages) or ``.docx`` (the same content, editable). ``jobs=2`` draws
    the figures in two processes (for a command line, not a threaded server).

    The study's title, Q-set texts and grid come from ``source.qset`` when there is one; the
    respondents' comments and answers from ``source.participants``; ``made_on`` defaults to
    today's date (UTC).
    """
    out = plots.writable(out, REPORT_FORMATS, "a .html, .pdf or .docx file name for the report")
    qset = source.qset if source is not None else None
    title = (
        qset.title if qset is not None else (source.name if source is not None else "Q analysis")
    )
    if made_on is None:
        made_on = datetime.datetime.now(datetime.UTC).date().isoformat()
    style = style or figure_style(qset, width=6.7)
    common = {
        "title": title,
        "source_name": source.name if source is not None else "",
        "qset": qset,
        "texts": source.texts if source is not None else None,
        "figures": report_figures(result, qset=qset, guidance=guidance, boot=boot, style=style),
        "guidance": guidance,
        "boot": boot,
        "made_on": made_on,
        "words": respondent_words(source),
        "factor_names": style.factor_names,
    }
    figs = [fig for _, fig in common["figures"]]
    common["images"] = plots.rendered(figs, "png" if out.suffix.lower() == ".docx" else "svg",
                                      jobs=jobs)
    try:
        if out.suffix.lower() == ".pdf":
            report.report_pdf(result, out, **common)
        elif out.suffix.lower() == ".docx":
            report.report_docx(result, out, **common)
        else:
            out.write_text(report.report_html(result, **common), encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out
