"""Analysis use cases shared by the CLI and the web: load sorts, analyse, summarise, write."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from poetq.analysis import (
    AnalysisOptions,
    AnalysisResult,
    BootstrapResult,
    FactorGuidance,
    analyse,
    bootstrap,
    factor_guidance,
    invert_factor,
    rotate_factors,
    split_factor,
)
from poetq.domain import QSet, SortsTable, format_value
from poetq.errors import NotFoundError, PoetqError, ValidationError
from poetq.formats import registry
from poetq.formats.qmboots_csv import read_resamples, write_bootstrap
from poetq.formats.qmethod_csv import read_table, write_results
from poetq.services.guidance_cache import cached_reference

if TYPE_CHECKING:  # no SQLAlchemy for analyses of files
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Source:
    """Sorts to analyse, with the study's Q-set when they come from the database, or the
    statement texts a file carries (a .DAT's .STA, a KADE zip, a workbook)."""

    table: SortsTable
    name: str
    qset: QSet | None = None
    statements: tuple[str, ...] | None = None
    #: A study's :class:`~poetq.services.participants.ParticipantsTable` (None for a file).
    participants: object | None = None

    @property
    def texts(self) -> dict[str, str] | None:
        """Statement id -> text when the sorts came from a file that carries the texts."""
        if self.qset is not None or not self.statements:
            return None
        return dict(zip(self.table.statement_ids, self.statements))

    def statement_text(self, sid: str) -> str:
        if self.qset is None:
            return (self.texts or {}).get(sid, "")
        try:
            return self.qset.statement(sid).text
        except ValidationError:
            return ""


def load_source(source: str, *, database_url: str | None = None, format: str | None = None,
                encoding: str | None = None) -> Source:
    """A sorts file in any format poetq reads (see :mod:`poetq.formats.registry`: qmethod CSV,
    PQMethod .DAT, Ken-Q CSV, KADE zip, HTMLQ CSV, JSON, Excel), or else the finished sorts
    of the study with that slug."""
    path = Path(source)
    if path.is_file():
        imported = registry.read_sorts(path, format, encoding=encoding)
        return Source(imported.table, path.name, statements=imported.statements)
    if path.suffix.lower() in {".csv", ".txt", ".dat", ".json", ".xlsx", ".zip"} or "/" in source:
        raise NotFoundError(f"no sorts file at {source}")
    # SQLAlchemy and the study services only for a study: a file's analysis never loads them.
    from poetq.services.database import database_session

    opened = False
    try:
        with database_session(database_url) as session:
            opened = True
            return study_source(session, source)
    except PoetqError:
        if opened:
            raise
        raise NotFoundError(
            f"no sorts file or study called {source!r} (no poetq database set up here)"
        ) from None


def study_source(session: Session, slug: str) -> Source:
    """The finished, not excluded sorts of a study with its Q-set and participants: the one
    way from a study to what an analysis reads (``poetq analyse SLUG``, the analysis page)."""
    # Not at the top: analysing a file (poetq analyse FILE) loads no SQLAlchemy.
    from poetq.services.participants import participants
    from poetq.services.sorts import study_sorts
    from poetq.services.studies import get_study, study_qset

    return Source(study_sorts(session, slug), slug, study_qset(get_study(session, slug)),
                  participants=participants(session, slug))


def read_flags(path: str | Path, n_factors: int) -> tuple[tuple[str, int], ...]:
    """Manual flags from a CSV laid out like qmethod's flagged.csv (``sort,flag_f1,...``), as
    the ``(sort id, factor)`` pairs of :attr:`AnalysisOptions.flags` (rows with no TRUE: none)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no flags file at {path}")
    try:
        header, ids, cells = read_table(path)
    except (UnicodeDecodeError, IndexError, OSError):
        raise ValidationError(f"{path} is not a flags CSV (header sort,flag_f1,...)") from None
    if len(header) - 1 != n_factors:
        raise ValidationError(
            f"{path} has flags for {len(header) - 1} factors, the analysis has {n_factors}"
        )
    norm = [
        [{"1": "TRUE", "0": "FALSE"}.get(c.strip().upper(), c.strip().upper()) for c in row]
        for row in cells
    ]
    if any(c not in ("TRUE", "FALSE") for row in norm for c in row):
        raise ValidationError(f"{path}: flags must be TRUE/FALSE or 1/0")
    if len(set(ids)) != len(ids):
        raise ValidationError(f"{path} lists a sort more than once")
    return tuple(
        (sid, f + 1) for sid, row in zip(ids, norm) for f, c in enumerate(row) if c == "TRUE"
    )


def flag_matrix(
    flags: Sequence[tuple[str, int]], sort_ids: Sequence[str], n_factors: int
) -> np.ndarray:
    """``(sort id, factor)`` pairs as the (n_sorts, n_factors) array ``analyse(flags=)`` takes."""
    matrix = np.zeros((len(sort_ids), n_factors), dtype=bool)
    index = {s: j for j, s in enumerate(sort_ids)}
    for sort_id, factor in flags:
        if sort_id not in index:
            raise ValidationError(f"there is no sort {sort_id!r} to flag")
        if not 1 <= factor <= n_factors:
            raise ValidationError(f"there is no factor {factor} to flag sort {sort_id!r} on")
        matrix[index[sort_id], factor - 1] = True
    return matrix


def run_analysis(source: Source, options: AnalysisOptions | int, **changes) -> AnalysisResult:
    """The analysis ``options`` describe (a number is the number of factors, other options
    at their defaults; ``changes`` replace fields): extraction, rotation and manual flags,
    then each by-hand rotation in order (manual flags are kept through them), then the
    inverted factors, then the bipolar splits. Free sorts use ``options.distribution``, else
    the study's grid."""
    if not isinstance(options, AnalysisOptions):
        options = AnalysisOptions(factors=options)
    if changes:
        options = options.replace(**changes)
    options.checked()
    table = source.table
    flags = None
    if options.flags is not None:
        flags = flag_matrix(options.flags, table.sort_ids, options.factors)
    distribution = _distribution(source, options)
    result = analyse(
        table.values,
        options.factors,
        flags=flags,
        distribution=distribution,
        sort_ids=table.sort_ids,
        statement_ids=table.statement_ids,
        **options.analyse_kwargs(),
    )
    for a, b, degrees in options.rotations:
        result = rotate_factors(result, a, b, degrees)
    for factor in options.invert:
        result = invert_factor(result, factor)
    for factor in options.split:
        result = split_factor(result, factor)
    return result


def _distribution(source: Source, options: AnalysisOptions):
    if options.distribution is not None:
        return options.distribution
    return source.qset.grid.distribution() if source.qset is not None else None


def run_guidance(
    source: Source,
    *,
    seed: int | None = 0,
    iterations: int = 200,
    cor: str = "pearson",
    distribution=None,
) -> FactorGuidance:
    """The number-of-factors guidance, its parallel analysis kept between calls
    (:mod:`poetq.services.guidance_cache`). With free sorts, ``distribution`` (the nominal
    grid, one value per statement) gives the values of every random sort instead of each
    sort's own values."""
    values = source.table.values
    base = values
    if distribution is not None:
        n, m = values.shape
        grid = np.sort(np.asarray(distribution, dtype=float))
        if grid.shape != (n,) or np.ptp(grid) == 0:
            raise ValidationError(f"the distribution has {grid.size} values but there are {n} "
                                  "statements: give one value per statement, not all equal")
        base = np.repeat(grid[:, None], m, axis=1)  # random sorts are permutations of the grid
    ref = cached_reference(base, cor=cor, iterations=iterations, seed=seed)
    return factor_guidance(values, cor=cor, seed=seed, iterations=iterations, reference=ref)


def run_bootstrap(
    source: Source, options: AnalysisOptions | int, *, steps: int = 200, seed: int | None = 0,
    resamples: np.ndarray | None = None, progress: Callable[[int], None] | None = None,
    jobs: int = 1, **changes,
) -> BootstrapResult:
    """The bootstrap of ``options``: ``steps`` balanced resamples drawn with ``seed``, or the
    given ``resamples`` (see :func:`load_resamples`). Each sample is flagged automatically,
    so manual flags and by-hand rotations are refused rather than ignored."""
    if not isinstance(options, AnalysisOptions):
        options = AnalysisOptions(factors=options)
    options = options.replace(**changes).checked() if changes else options.checked()
    if options.flags is not None:
        raise ValidationError(
            "manual flags are not used by the bootstrap (each sample is flagged automatically)"
        )
    if options.rotations:
        raise ValidationError("by-hand rotations are not used by the bootstrap: leave out --rotate")
    if options.invert or options.split:
        raise ValidationError("the bootstrap aligns each sample to the rotated factors: leave out "
                              "--invert and --split")
    distribution = _distribution(source, options)
    return bootstrap(
        source.table.values, options.factors, steps=steps, seed=seed, resamples=resamples,
        progress=progress, jobs=jobs, sort_ids=source.table.sort_ids,
        statement_ids=source.table.statement_ids, distribution=distribution,
        **options.analyse_kwargs(),
    )


def load_resamples(source: Source, path: str | Path) -> np.ndarray:
    """The 0-based resamples of a qmboots ``b$resamples`` CSV for ``source``'s sorts
    (specs/bootstrap.md), shape (n_sorts, steps)."""
    return read_resamples(path, len(source.table.sort_ids))


def write_bootstrap_files(boot: BootstrapResult, directory: str | Path) -> list[Path]:
    """qmboots' summary files (``write.csv`` layout) for R users to diff with their own."""
    return write_bootstrap(boot, directory)


def write_result_files(result: AnalysisResult, directory: str | Path) -> list[Path]:
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValidationError(f"{directory} is a file: --out needs a directory")
    return write_results(result, directory)


def _label(sid: str, source: Source | None, width: int = 70) -> str:
    text = source.statement_text(sid) if source else ""
    if not text:
        return sid
    text = " ".join(text.split())
    return f"{sid} {text[:width] + '…' if len(text) > width else text}"


def summarise(result: AnalysisResult, source: Source | None = None, *, top: int = 3) -> str:
    """A readable summary: factors, flagged sorts, extremes of each array, dist./consensus."""
    lines = [
        f"{len(result.sort_ids)} sorts × {len(result.statement_ids)} statements; "
        f"{result.extraction.upper() if result.extraction == 'pca' else 'centroid'} extraction, "
        f"{result.rotation} rotation, {result.cor} correlation, {result.n_factors} factors"
        + f"; flags {result.flag_rule}"
    ]
    ch = result.characteristics
    lines.append("")
    lines.append("factor  flagged  SS loadings  % variance  reliability  SE")
    for f, name in enumerate(result.factor_names):
        lines.append(
            f"{name:<6}  {int(ch['nload'][f]):>7}  {ch['eigenvals'][f]:>11.3f}  "
            f"{ch['expl_var'][f]:>10.1f}"
            f"  {ch['reliability'][f]:>11.3f}  {ch['se_fscores'][f]:.3f}"
        )
    for f, name in enumerate(result.factor_names):
        lines.append("")
        flagged = [
            f"{s} ({result.loadings[j, f]:+.2f})"
            for j, s in enumerate(result.sort_ids)
            if result.flags[j, f]
        ]
        lines.append(f"{name}: defined by {', '.join(flagged) if flagged else 'no sort'}")
        if not flagged:
            continue
        order = np.lexsort((np.arange(len(result.statement_ids)), -result.zscores[:, f]))
        for label, idx in (("highest", order[:top]), ("lowest", order[::-1][:top])):
            lines.append(f"  {label}:")
            for i in idx:
                lines.append(
                    f"    {format_value(int(result.factor_arrays[i, f])):>3}  "
                    f"z={result.zscores[i, f]:+.2f}  "
                    f"{_label(result.statement_ids[i], source)}"
                )
    if result.phi is not None:
        lines.append("")
        lines.append(
            f"factor correlations (Phi, {result.rotation} is oblique; loadings are the pattern):"
        )
        lines.append("        " + "  ".join(f"{n:>6}" for n in result.factor_names))
        for f, name in enumerate(result.factor_names):
            lines.append(f"{name:<6}  " + "  ".join(f"{v:>6.3f}" for v in result.phi[f]))
    if result.qdc_pairs:
        lines.append("")
        lines.append("distinguishing and consensus statements:")
        for i, lab in enumerate(result.qdc_labels):
            if lab:
                lines.append(f"  {lab.strip():<26} {_label(result.statement_ids[i], source)}")
    if result.notes:
        lines.append("")
        lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines)


def _clean(a):
    arr = np.asarray(a, dtype=float)
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.atleast_2d(arr)]


#: The JSON leaves the sorts' correlation matrix out (null) past this many sorts.
MAX_JSON_CORR_SORTS = 500


def result_to_dict(result: AnalysisResult) -> dict:
    """A JSON-ready dict of the result (NaN as null): every matrix (correlations between
    sorts, unrotated loadings with the eigenvalues and % explained variance, rotated
    loadings with h², Phi, flags, z-scores, arrays, characteristics with the factor-score
    correlations and the SED, distinguishing/consensus)."""
    ch = result.characteristics
    return {
        "options": result.options(),
        "statement_ids": list(result.statement_ids),
        "sort_ids": list(result.sort_ids),
        "factors": list(result.factor_names),
        "eigenvalues": [float(v) for v in result.eigenvalues],
        "explained_variance": [100 * float(v) / len(result.sort_ids) for v in result.eigenvalues],
        "correlations": _clean(result.corr)
        if len(result.sort_ids) <= MAX_JSON_CORR_SORTS
        else None,
        "unrotated": _clean(result.unrotated),
        "loadings": _clean(result.loadings),
        "communalities": [float(v) for v in result.communalities],
        "phi": None if result.phi is None else _clean(result.phi),
        "flags": [[bool(v) for v in row] for row in result.flags],
        "zscores": _clean(result.zscores),
        "factor_arrays": _clean(result.factor_arrays),
        "characteristics": {
            k: (
                _clean(v)
                if np.ndim(v) == 2
                else [None if np.isnan(float(x)) else float(x) for x in v]
            )
            for k, v in ch.items()
        },
        "distinguishing_consensus": {
            "pairs": [[f"f{a + 1}", f"f{b + 1}"] for a, b in result.qdc_pairs],
            "labels": list(result.qdc_labels),
            "differences": _clean(result.qdc_diffs) if result.qdc_pairs else [],
            "significance": [[str(s) for s in row] for row in result.qdc_sig]
            if result.qdc_pairs
            else [],
        },
        "notes": list(result.notes),
    }


def result_json(result: AnalysisResult) -> str:
    return json.dumps(result_to_dict(result), indent=2)
