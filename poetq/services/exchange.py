"""Exchange use cases: import and export sorts in other tools' formats, write a results workbook."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from poetq.domain import Grid, QSet
from poetq.errors import ValidationError
from poetq.formats import registry, xlsx
from poetq.formats.pqmethod import check_forced, observed_grid
from poetq.formats.sorts_csv import SortsTable

#: Formats poetq writes (``poetq export``); it reads these and ``qmethod-grid``.
FORMATS: tuple[str, ...] = tuple(n for n, f in registry.FORMATS.items() if f.write is not None)
#: Every format poetq reads.
READ_FORMATS: tuple[str, ...] = tuple(registry.FORMATS)


def import_sorts(
    path: str | Path, format: str | None = None, *, forced: bool = False,
    encoding: str | None = None,
) -> tuple[SortsTable, tuple[str, ...] | None, Grid | None]:
    """Read sorts from a file in any known format (guessed when ``format`` is None).

    Returns ``(table, statements or None, grid or None)``. With ``forced=True`` every sort
    must fill the file's grid (or, when the file declares none, the last sort's distribution,
    as Ken-Q infers it); the error names each sort that does not. Sorts with every statement
    in one column are left to the analysis, which reports them itself.
    """
    imported = registry.read_sorts(path, format, encoding=encoding)
    if forced:
        table = imported.table
        # a sort with every statement in one column gets the analysis' own clearer error
        varied = [j for j in range(table.values.shape[1]) if np.ptp(table.values[:, j]) > 0]
        grid = imported.grid or (observed_grid(table, column=varied[-1]) if varied else None)
        if grid is not None:
            check_forced(SortsTable(table.statement_ids, tuple(table.sort_ids[j] for j in varied),
                                    table.values[:, varied]), grid)
    return imported.table, imported.statements, imported.grid


def export_sorts(
    table: SortsTable,
    path: str | Path,
    format: str | None = None,
    *,
    qset: QSet | None = None,
    statements=None,
    grid: Grid | None = None,
    name: str = "",
) -> str:
    """Write sorts in ``format`` (from the extension when None); returns the format used.

    A ``qset`` supplies statement texts (in the table's statement order), the grid and the title.
    """
    if qset is not None:
        statements = [qset.statement(sid).text for sid in table.statement_ids]
        grid = grid or qset.grid
        name = name or qset.title
    fmt = registry.format_name(format) if format else registry.output_format(path)
    registry.write_sorts(table, path, fmt, statements=statements, grid=grid, name=name)
    return fmt


def export_study(session, slug: str, path: str | Path, format: str | None = None) -> tuple[SortsTable, str]:
    """Write a study's finished, not excluded sorts (with its statements and grid)."""
    from poetq.services.sorts import study_sorts
    from poetq.services.studies import get_study, study_qset

    table = study_sorts(session, slug)
    qset = study_qset(get_study(session, slug))
    return table, export_sorts(table, path, format, qset=qset)


def convert_sorts(source: str | Path, target: str | Path, *, from_format: str | None = None,
                  to_format: str | None = None,
                  encoding: str | None = None) -> tuple[SortsTable, str, str]:
    """Read ``source`` and write it as ``target``; returns ``(table, from, to)``."""
    fmt_in = registry.format_name(from_format) if from_format else registry.detect_format(source)
    imported = registry.read_sorts(source, fmt_in, encoding=encoding)
    fmt_out = registry.format_name(to_format) if to_format else registry.output_format(target)
    registry.write_sorts(imported.table, target, fmt_out, statements=imported.statements,
                         grid=imported.grid, name=imported.name)
    return imported.table, fmt_in, fmt_out


def write_workbook(result, path: str | Path, qset: QSet | None = None) -> Path:
    """Write an analysis result as an Excel workbook (see :mod:`poetq.formats.xlsx`)."""
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path} is a directory: give the workbook's file name (.xlsx)")
    xlsx.write_workbook(result, path, qset=qset, title=qset.title if qset else "")
    return path


def _placements(table: SortsTable, qset: QSet, source: str) -> list[tuple[str, dict[str, int]]]:
    """Each sort of ``table`` as ``(name, {study statement id: value})``.

    Statements are matched by id when the file uses the study's ids, else by position
    (statement 1 of the file is the study's first statement, as PQMethod and Ken-Q number them).
    """
    ids = list(table.statement_ids)
    if set(ids) == set(qset.statement_ids):
        mapping = ids
    elif len(ids) == len(qset.statement_ids):
        mapping = list(qset.statement_ids)
    else:
        raise ValidationError(
            f"{source} has {len(ids)} statements per sort, the study has {len(qset.statement_ids)}"
        )
    values = np.asarray(table.values)
    out = []
    for j, name in enumerate(table.sort_ids):
        column = values[:, j]
        if np.isnan(column).any():
            raise ValidationError(f"{source}: sort {name!r} has statements without a score")
        out.append((str(name), {sid: int(column[i]) for i, sid in enumerate(mapping)}))
    return out


def import_into_study(session, slug: str, paths, *, format: str | None = None,
                      encoding: str | None = None) -> list[tuple[Path, int]]:
    """Add the sorts in ``paths`` to a study as finished responses, all or nothing.

    Every file is read and every sort checked against the study's grid and statements before
    anything is stored; the error lists each file's problems. Returns ``(path, sorts)`` per file.
    """
    from poetq.services.responses import store_finished_sorts
    from poetq.services.studies import get_study, study_qset

    study = get_study(session, slug)
    qset = study_qset(study)
    batches, problems = [], []
    for path in map(Path, paths):
        try:
            imported = registry.read_sorts(path, format, encoding=encoding)
            batches.append((path, _placements(imported.table, qset, str(path))))
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems)
    counts = []
    for path, sorts in batches:
        try:
            store_finished_sorts(session, study, sorts, origin=f"imported from {path.name}")
        except ValidationError as exc:
            raise ValidationError([f"{path}: {p}" for p in exc.problems]) from None
        counts.append((path, len(sorts)))
    return counts
