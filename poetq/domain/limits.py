"""Bounds on a Q-set and the small checks and spellings every domain value shares."""

from __future__ import annotations

import re
from typing import Any

#: A statement's or question's id: 1-64 letters, digits, ``_``, ``-`` or ``.``.
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")

#: Bounds far beyond any real Q study, so a Q-set file, form or import cannot make pages,
#: previews, analyses or backups unboundedly large or slow.
MAX_STATEMENTS = 500
MAX_STATEMENT_TEXT = 2_000
MAX_TEXT = 20_000
MAX_GRID_VALUE = 50
MAX_QUESTIONS = 100
MAX_OPTIONS = 100
#: Longest answer to a text question (characters).
MAX_ANSWER = 10_000


def too_long(what: str, text: Any, limit: int) -> list[str]:
    if isinstance(text, str) and len(text) > limit:
        return [f"{what} has {len(text):,} characters (at most {limit:,})"]
    return []


def is_statement_id(text: Any) -> bool:
    """Whether ``text`` is a valid statement (or question) id: 1-64 letters, digits, ``_-.``."""
    return isinstance(text, str) and ID_RE.fullmatch(text) is not None


def format_value(value: int) -> str:
    """A grid column value as people write it: ``+3``, ``0``, ``-4``."""
    return f"+{value}" if value > 0 else str(value)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
