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
