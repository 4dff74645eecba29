"""Exchange use cases: import and export sorts in other tools' formats, write a results workbook."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from poetq.domain import Grid, QSet, SortsTable
from poetq.errors import ValidationError
from poetq.formats import registry, xlsx
from poetq.formats.pqmethod import check_forced, observed_grid
from poetq.formats.tables import table_format, write_table

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


def export_study(
    session, slug: str, path: str | Path, format: str | None = None
) -> tuple[SortsTable, str]:
    """Write a study's finished, not excluded sorts (with its statements and grid)."""
    # Study services (SQLAlchemy) only here: a file's workbook or export loads none.
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


def renamed_sorts(table: SortsTable, format: str) -> dict[str, str]:
    """The sort names that ``format`` cannot hold as they are: ``{name: name in the file}``
    (PQMethod cuts names to 8 characters and makes them unique)."""
    return registry.renamed_sorts(table.sort_ids, format)


def write_workbook(result, path: str | Path, qset: QSet | None = None, *,
                   texts: dict[str, str] | None = None, participants=None) -> Path:
    """Write an analysis result as an Excel workbook (see :mod:`poetq.formats.xlsx`).

    ``texts`` (statement id -> text) stands in for a Q-set's texts when the sorts came from
    a file that carries them (a .DAT with its .STA, a KADE zip, a workbook). A study's
    ``participants`` (:class:`~poetq.services.participants.ParticipantsTable`) adds a sheet
    of them joined with loadings and flags, and one of the answers by factor.
    """
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path} is a directory: give the workbook's file name (.xlsx)")
    extra = []
    if participants is not None:
        # Study services (SQLAlchemy) only here: a file's workbook or export loads none.
        from poetq.services.participants import answers_by_factor, joined, tally_sheet

        extra.append(("participants", "every response with its answers, comments and times, "
                      "joined with loadings and flags", *joined(participants, result)))
        if qset is not None and qset.questions:
            extra.append(("answers by factor", "post-sort answers of each factor's defining sorts",
                          *tally_sheet(answers_by_factor(qset, participants, result),
                                       result.factor_names)))
    xlsx.write_workbook(result, path, qset=qset, title=qset.title if qset else "", texts=texts,
                        extra_sheets=extra)
    return path


def export_participants(session, slug: str, path: str | Path, *, include_unfinished: bool = False):
    """Write a study's participants table (.csv or .xlsx); returns the table."""
    # Study services (SQLAlchemy) only here: a file's workbook or export loads none.
    from poetq.services.participants import participants

    table_format(path)
    table = participants(session, slug, include_unfinished=include_unfinished)
    write_table(path, table.header, table.rows)
    return table
