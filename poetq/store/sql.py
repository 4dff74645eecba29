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


def _parts(element: json_array_append, compiler: Any, text: str, **kw: Any) -> tuple[str, str]:
    array, items = (compiler.process(c, **kw) for c in element.clauses)
    if text:
        array = f"CAST({array} AS {text})"
    return array, items


@compiles(json_array_append, "sqlite")
def _sqlite(element: json_array_append, compiler: Any, **kw: Any) -> str:
    array, items = _parts(element, compiler, "", **kw)
    return (f"CASE WHEN json_array_length({array}) > 0 THEN substr({array}, 1, length({array}) - 1)"
            f" || ', ' || substr({items}, 2) ELSE {items} END")


@compiles(json_array_append, "postgresql")
def _postgresql(element: json_array_append, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses.clauses[0], **kw)
    array, items = _parts(element, compiler, "TEXT", **kw)
    return (f"CAST(CASE WHEN json_array_length({column}) > 0 THEN substr({array}, 1, "
            f"length({array}) - 1) || ', ' || substr({items}, 2) ELSE {items} END AS JSON)")
