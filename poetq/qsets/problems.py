"""A mistake in a Q-set file, and the line it is on (found by scanning the source text)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_\-]+)'
_KEY_LINE_RE = re.compile(rf"^({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*(.*)$")


@dataclass(frozen=True)
class Problem:
    """One mistake in a Q-set file.

    ``line`` is 1-based (``None`` when it cannot be placed), ``where`` names the part of the
    file (``"statement 'jc12'"``, ``"grid.counts"``; empty for the file as a whole) and
    ``source`` the file, as the user named it.
    """

    line: int | None
    where: str
    message: str
    source: str = "<string>"

    def __str__(self) -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        detail = f"{self.where}: {self.message}" if self.where else self.message
        return f"{place}: {detail}"


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a date or time ({value})"


def index_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Map key paths to 1-based lines: ``("grid", "counts")``, ``("statements", 11, "id")``.

    A small line scanner, not a TOML parser: it follows table headers, ``[[array]]`` headers
    and ``key =`` lines, and skips the inside of multi-line strings. Good enough to point a
    person at the right line of a hand-written file.
    """
    index: dict[tuple[Any, ...], int] = {}
    arrays: dict[tuple[str, ...], int] = {}
    table: tuple[Any, ...] = ()
    in_string: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if in_string is not None:
            if _closes(line, in_string):
                in_string = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = re.match(r"^(\[\[?)\s*([^\[\]]+?)\s*\]\]?", stripped)
        if header:
            name = tuple(_unquote(p) for p in _split_dotted(header.group(2)))
            if header.group(1) == "[[":
                i = arrays.get(name, -1) + 1
                arrays[name] = i
                table = name + (i,)
            else:
                table = name
            index.setdefault(table, number)
            continue
        key = _KEY_LINE_RE.match(stripped)
        if key:
            path = table + tuple(_unquote(p) for p in _split_dotted(key.group(1)))
            index.setdefault(path, number)
            value = key.group(2)
            for delim in ('"""', "'''"):
                if value.startswith(delim) and not _closes(value[3:], delim):
                    in_string = delim
    return index


def _closes(fragment: str, delim: str) -> bool:
    start = 0
    while True:
        i = fragment.find(delim, start)
        if i < 0:
            return False
        if delim == "'''":
            return True
        backslashes = len(fragment[:i]) - len(fragment[:i].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
        start = i + 1


def _split_dotted(key: str) -> list[str]:
    return [p.strip() for p in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.]+', key) if p.strip()]


def _unquote(part: str) -> str:
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part
