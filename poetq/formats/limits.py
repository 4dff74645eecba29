"""Bounds on what a sorts file may hold, checked before anything large is read or parsed.

A Q study has at most a few hundred statements and a few thousand sorts; a file far beyond
that is a mistake or an attack (a zip bomb, an xlsx whose shared strings unpack to
gigabytes, a 50 MB CSV), and reading it whole would take minutes and gigabytes. Every
reader goes through these checks so each such file is refused in one line, in well under a
second and without unpacking it:

* the file on disk: at most :data:`MAX_FILE_BYTES`;
* inside a zip (KADE, xlsx): the sizes the archive declares for its members (Python's
  :mod:`zipfile` never returns more than the declared size, so a lying header gains nothing),
  at most :data:`MAX_UNPACKED_BYTES` in all and :data:`MAX_SHARED_STRINGS_BYTES` for an xlsx's
  shared strings, which openpyxl loads whole;
* text: at most :data:`MAX_LINES` lines and :data:`MAX_CELLS` cells, counted before parsing;
* a sheet: rows and cells counted while it is streamed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from poetq.domain import MAX_STATEMENTS
from poetq.errors import ValidationError

#: Sorts this many (and statements, see :data:`poetq.domain.MAX_STATEMENTS`) are far beyond
#: any real study.
MAX_SORTS = 10_000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
MAX_LINES = MAX_SORTS + MAX_STATEMENTS + 1_000  # headers, blank lines, a type 1 sheet's slots
MAX_CELLS = 1_000_000


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_file(path: Path) -> None:
    """Refuse a file larger than any real sorts file before reading it."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            f"{path} is {_mb(size)}; poetq reads sorts files of at most {_mb(MAX_FILE_BYTES)} "
            f"(about {MAX_SORTS:,} sorts): split it into smaller files"
        )


def check_zip(zf: zipfile.ZipFile, source: str) -> None:
    """Refuse an archive whose members would unpack beyond the bounds (zip bombs)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if (
            info.filename.lower().endswith("sharedstrings.xml")
            and info.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise ValidationError(
                f"{source}: its shared strings unpack to {_mb(info.file_size)} (at most "
                f"{_mb(MAX_SHARED_STRINGS_BYTES)}): this is not a sorts workbook poetq can read"
            )
    if total > MAX_UNPACKED_BYTES:
        raise ValidationError(
            f"{source} unpacks to {_mb(total)} (at most {_mb(MAX_UNPACKED_BYTES)}): it is not a "
            "sorts file poetq can read (a zip bomb, or far more sorts than a study has)"
        )


def check_text(text: str, source: str) -> None:
    """Refuse text with more lines or cells than any real sorts file, before parsing it."""
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise ValidationError(
            f"{source} has {lines:,} lines (at most {MAX_LINES:,}): split it into smaller files"
        )
    cells = lines + sum(text.count(sep) for sep in ",;\t|")
    if cells > MAX_CELLS:
        raise ValidationError(
            f"{source} has about {cells:,} cells (at most {MAX_CELLS:,}): split it "
            "into smaller files"
        )


class SheetCounter:
    """Counts a streamed sheet's rows and cells; refuses once past the bounds."""

    def __init__(self, source: str):
        self.source = source
        self.rows = 0
        self.cells = 0

    def add(self, n_cells: int) -> None:
        self.rows += 1
        self.cells += n_cells
        if self.rows > MAX_LINES or self.cells > MAX_CELLS:
            raise ValidationError(
                f"{self.source} has more than {MAX_LINES:,} rows or {MAX_CELLS:,} cells "
                "in a sheet: split it into smaller files"
            )
