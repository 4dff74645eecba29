"""Exchange use cases: import and export sorts in other tools' formats, write a results workbook."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from poetq.domain import Grid, QSet
from poetq.errors import ValidationError
from poetq.formats import registry, xlsx
from poetq.formats.pqmethod import check_forced, observed_grid
from poetq.formats.sorts_csv import SortsTable

FORMATS: tuple[str, ...] = tuple(registry.FORMATS)


def import_sorts(
    path: str | Path, format: str | None = None, *, forced: bool = False
) -> tuple[SortsTable, tuple[str, ...] | None, Grid | None]:
    """Read sorts from a file in any known format (guessed when ``format`` is None).

    Returns ``(table, statements or None, grid or None)``. With ``forced=True`` every sort
    must fill the file's grid (or, when the file declares none, the last sort's distribution,
    as Ken-Q infers it); the error names each sort that does not. Sorts with every statement
    in one column are left to the analysis, which reports them itself.
    """
    imported = registry.read_sorts(path, format)
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
    fmt = format or registry.output_format(path)
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
                  to_format: str | None = None) -> tuple[SortsTable, str, str]:
    """Read ``source`` and write it as ``target``; returns ``(table, from, to)``."""
    fmt_in = from_format or registry.detect_format(source)
    imported = registry.read_sorts(source, fmt_in)
    fmt_out = to_format or registry.output_format(target)
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
