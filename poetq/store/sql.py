"""SQL that SQLAlchemy has no portable construct for, compiled for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class json_array_append(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """``json_array_append(column, items)``: the JSON array in ``column`` followed by the
    items of ``items`` (the JSON text of an array, as :func:`json.dumps` writes it).

    Done on the stored text, so a step adds its few entries to a long trace without the
    application reading, decoding and re-encoding the whole list; the text is exactly what
    ``json.dumps(old + new)`` would store (", " between items).
    """

    type = JSON()
    inherit_cache = True
    name = "json_array_append"


def _append_text(array: str, text: str, items: str) -> str:
    """SQL for ``text`` (the text of the JSON array ``array``) with the items of ``items``
    (JSON array text) added."""
    return (f"CASE WHEN json_array_length({array}) > 0 THEN substr({text}, 1, length({text}) - 1)"
            f" || ', ' || substr({items}, 2) ELSE {items} END")


@compiles(json_array_append, "sqlite")
def _sqlite(element: json_array_append, compiler: Any, **kw: Any) -> str:
    column, items = (compiler.process(c, **kw) for c in element.clauses)
    return _append_text(column, column, items)  # SQLite keeps JSON as text


@compiles(json_array_append, "postgresql")
def _postgresql(element: json_array_append, compiler: Any, **kw: Any) -> str:
    column, items = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({_append_text(column, f'CAST({column} AS TEXT)', items)} AS JSON)"


class DriverQuery:
    """A Core ``SELECT`` compiled once per dialect and run on the driver's own cursor.

    For the one query every respondent's page runs: SQLAlchemy's execution machinery costs
    several times the query itself there. Values come back through the column types' own
    result processors, so rows equal those of ``connection.execute(statement)``. The query
    runs in the connection's transaction (begun as SQLAlchemy would, events and all); if the
    driver raises, the transaction is rolled back and the query is run again the ordinary
    way, so errors are wrapped, reported and handled (stale connections invalidated) as
    everywhere else.
    """

    def __init__(self, statement: Any):
        self.statement = statement
        #: dialect name -> (SQL, parameter names if positional, result processors or None)
        self._prepared: dict[str, list[Any]] = {}

    def _prepare(self, dialect: Any) -> list[Any]:
        compiled = self.statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup) if compiled.positional else None
        prepared = self._prepared[dialect.name] = [str(compiled), names, None]
        return prepared

    def _processors(self, dialect: Any, description: Any) -> list[Any]:
        # as SQLAlchemy picks them: by column type and the driver's type code
        return [column.type._cached_result_processor(dialect, desc[1])
                for column, desc in zip(self.statement.selected_columns, description)]

    def first(self, connection: Any, params: dict[str, Any]) -> tuple[Any, ...] | None:
        dialect = connection.dialect
        prepared = self._prepared.get(dialect.name) or self._prepare(dialect)
        sql, names, processors = prepared
        if not connection.in_transaction():
            connection.begin()
        try:
            cursor = connection.connection.dbapi_connection.cursor()
            try:
                cursor.execute(sql, tuple(params[n] for n in names) if names is not None else params)
                row = cursor.fetchone()
                if processors is None:
                    processors = prepared[2] = self._processors(dialect, cursor.description)
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error:
            connection.rollback()
            row = connection.execute(self.statement, params).first()
            return tuple(row) if row is not None else None
        if row is None:
            return None
        return tuple(v if p is None or v is None else p(v) for p, v in zip(processors, row))
