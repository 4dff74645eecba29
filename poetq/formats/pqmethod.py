"""PQMethod project files: sorts in ``NAME.DAT``, statements in ``NAME.STA``.

The ``.DAT`` layout (fixed width, checked against the PQMethod test file LIPSET.DAT, Ken-Q's
and qmethod's readers and writers)::

    line 1:  "  0" + I3 n_sorts + I3 n_statements + " " + title (padded to 68)
    line 2:  I3 min value + I3 max value + 20 x I3 counts for the column values -6 .. +13
    line 3+: A8 sort name + 2 blanks, then one I2 score per statement (no separator)

Scores are grid column values, so a scale must fit into -6 .. +13. Names are cut to 8
characters (and made unique) on write; lines end in CRLF on write and may end in CR, LF or
CRLF on read.

``.STA`` holds one statement per line. :func:`read_sta` keeps lines verbatim; :func:`sta_texts`
drops the design code PQMethod files often glue to the text (LIPSET.STA's leading ``1``/``2``).
The writer writes every statement in full, one per CRLF line: PQMethod's ~60 characters are a
display width, not a file limit, and cutting (as qmethod does at 50) would lose text for good.
Pass ``width=60`` to cut and pad the lines exactly as PQMethod's own files are.
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poetq.domain import Grid, SortsTable, format_value
from poetq.errors import NotFoundError, ValidationError

#: The 20 column values a PQMethod count vector covers, in order.
PQ_VALUES: tuple[int, ...] = tuple(range(-6, 14))
TITLE_WIDTH = 68
NAME_WIDTH = 8

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class PQMethodProject:
    """What a ``.DAT`` file holds: a title, the sorts and the declared distribution."""

    title: str
    table: SortsTable
    min_value: int
    max_value: int
    counts: tuple[int, ...]  # 20 counts for PQ_VALUES

    @property
    def grid(self) -> Grid | None:
        return grid_from_counts(self.counts, self.min_value, self.max_value)


#: An encoding the user gave (``--encoding``) for the files being read; None = detect.
ENCODING: contextvars.ContextVar[str | None] = contextvars.ContextVar("encoding", default=None)


def decode_text(raw: bytes, *, source: str) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS
    (cp932) when the bytes only make sense as Japanese, else Windows-1252.

    With an encoding set in :data:`ENCODING` (see :func:`poetq.formats.registry.read_sorts`)
    the bytes must decode in it; the error names the line of the first bad byte.
    """
    given = ENCODING.get()
    if given:
        try:
            text = raw.decode(given)
        except LookupError:
            raise ValidationError(
                f"unknown text encoding {given!r} (e.g. utf-8, cp1252, shift_jis)"
            ) from None
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{source}:{_line_of(raw, exc.start)}: byte 0x{raw[exc.start]:02x} is not {given} "
                "text: give the file's encoding with --encoding (or leave it out to detect it)"
            ) from None
        return text.lstrip("\ufeff")
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(f"{source} is not a text file (it holds binary data)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{source}: bytes {exc.start}-{exc.end} are not UTF-16 text (the file starts "
                "with a UTF-16 byte order mark): give its encoding with --encoding"
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_japanese(text):
        return text
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        # 0x81 0x8d 0x8f 0x90 0x9d are undefined in cp1252 (and the rest failed already)
        raise ValidationError(
            f"{source}:{_line_of(raw, exc.start)}: byte 0x{raw[exc.start]:02x} is not UTF-8, "
            "Shift_JIS or Windows-1252 text: give the file's encoding with --encoding"
        ) from None


def _looks_japanese(text: str) -> bool:
    """Whether cp932-decoded text reads as Japanese rather than as Latin text mis-decoded.

    Accented Latin letters in cp1252 (``Renée``) also decode as cp932, but to kanji glued to
    ASCII letters (``Ren馥``); Japanese text has kana, or kanji standing apart from ASCII words.
    """
    high = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if not high:
        return False
    kana = sum(1 for i in high if "\u3040" <= text[i] <= "\u30ff")
    kanji = [i for i in high if "\u4e00" <= text[i] <= "\u9fff"]
    if kana + len(kanji) < 0.5 * len(high):
        return False
    if kana:
        return True
    glued = sum(
        1
        for i in kanji
        if any(
            0 <= k < len(text) and text[k].isascii() and text[k].isalpha() for k in (i - 1, i + 1)
        )
    )
    return glued < 0.5 * len(kanji)


def _line_of(raw: bytes, offset: int) -> int:
    """The line number (CR, LF or CRLF line ends) of a byte offset."""
    return len(_LINE_BREAK.split(raw[:offset].decode("latin-1")))


def split_lines(text: str) -> list[str]:
    """Lines split on CR, LF or CRLF; a final line break does not make an extra line."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def pq_counts(grid_values, grid_counts) -> tuple[int, ...]:
    """The 20-slot PQMethod count vector (values -6 .. +13) of a distribution."""
    counts = [0] * len(PQ_VALUES)
    for v, c in zip(grid_values, grid_counts):
        v = int(v)
        if v not in PQ_VALUES:
            raise ValidationError(
                f"column value {format_value(v)} is outside PQMethod's range -6 .. +13"
            )
        counts[v + 6] += int(c)
    return tuple(counts)


def grid_from_counts(counts, min_value: int, max_value: int) -> Grid | None:
    """A :class:`Grid` from a 20-slot count vector, or None if a column inside min..max is empty."""
    values = tuple(range(min_value, max_value + 1))
    cs = tuple(int(counts[v + 6]) if v in PQ_VALUES else 0 for v in values)
    if len(values) < 2 or any(c < 1 for c in cs):
        return None
    return Grid(values, cs)


def observed_grid(table: SortsTable, *, column: int = -1) -> Grid | None:
    """The distribution of one sort (Ken-Q infers the pattern from the last one)."""
    if table.values.size == 0:
        return None
    col = table.values[:, column]
    values = sorted({int(v) for v in col})
    counts = Counter(int(v) for v in col)
    full = tuple(range(values[0], values[-1] + 1))
    if len(full) < 2 or any(counts[v] == 0 for v in full):
        return None
    return Grid(full, tuple(counts[v] for v in full))


def check_forced(table: SortsTable, grid: Grid) -> None:
    """Raise a :class:`ValidationError` naming every sort that does not fill ``grid`` exactly."""
    problems = []
    for j, sid in enumerate(table.sort_ids):
        have = Counter(int(v) for v in table.values[:, j])
        wrong = []
        for v in sorted(set(have) | set(grid.values)):
            want = grid.capacity(v)
            if have.get(v, 0) != want:
                wrong.append(f"column {format_value(v)} holds {have.get(v, 0)}, the grid {want}")
        if wrong:
            problems.append(f"sort {sid!r} does not follow the grid ({'; '.join(wrong)})")
    if problems:
        raise ValidationError(problems)


def _int_values(table: SortsTable) -> np.ndarray:
    v = np.asarray(table.values, dtype=float)
    bad = np.argwhere(~np.isfinite(v) | (v != np.round(v)))
    if len(bad):
        i, j = bad[0]
        raise ValidationError(
            f"sort {table.sort_ids[j]!r} has {v[i, j]!r} for statement "
            f"{table.statement_ids[i]!r}: PQMethod needs whole numbers"
        )
    return v.astype(int)


def ascii_name(name: str) -> str:
    """A name in ASCII (accents dropped, other characters as '_'), for fixed-width files."""
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return "".join(ch if 32 <= ord(ch) < 127 else "_" for ch in s).strip()


def short_names(names, width: int = NAME_WIDTH) -> list[str]:
    """Names cut to ``width`` ASCII characters, made unique by a number at the end."""
    out: list[str] = []
    used: set[str] = set()
    for j, name in enumerate(names, start=1):
        base = ascii_name(name).replace(" ", "_")[:width] or f"S{j}"[:width]
        cand, k = base, 1
        while cand in used:
            k += 1
            suffix = str(k)
            cand = base[: width - len(suffix)] + suffix
        used.add(cand)
        out.append(cand)
    return out


def renamed_sorts(names, width: int = NAME_WIDTH) -> dict[str, str]:
    """``{name: name in the file}`` for every sort name :func:`short_names` changes."""
    names = [str(n) for n in names]
    return {a: b for a, b in zip(names, short_names(names, width)) if a != b}


def format_dat(table: SortsTable, *, title: str = "", grid: Grid | None = None) -> str:
    """The text of a ``.DAT`` file (CRLF line ends).

    ``grid`` gives line 2; without it the distribution of the last sort is used (as Ken-Q),
    or just the min and max value when that sort leaves a column empty.
    """
    values = _int_values(table)
    n, m = values.shape
    if n > 999 or m > 999:
        raise ValidationError("PQMethod files hold at most 999 sorts and 999 statements")
    if values.size and (values.min() < -6 or values.max() > 13):
        raise ValidationError(
            f"PQMethod scores must lie in -6 .. +13; these sorts use "
            f"{format_value(int(values.min()))} .. {format_value(int(values.max()))}"
        )
    if grid is None:
        grid = observed_grid(table)
    if grid is not None:
        lo, hi = grid.values[0], grid.values[-1]
        counts = pq_counts(grid.values, grid.counts)
    else:
        lo, hi = int(values.min()), int(values.max())
        counts = (0,) * len(PQ_VALUES)
    if values.size and (values.min() < lo or values.max() > hi):
        raise ValidationError(
            f"the sorts use values {format_value(int(values.min()))} .. "
            f"{format_value(int(values.max()))} but the grid runs "
            f"{format_value(lo)} .. {format_value(hi)}"
        )
    head = ascii_name(" ".join(title.split()))[:TITLE_WIDTH].ljust(TITLE_WIDTH)
    lines = [f"  0{m:3d}{n:3d} {head}", f"{lo:3d}{hi:3d}" + "".join(f"{c:3d}" for c in counts)]
    for j, name in enumerate(short_names(table.sort_ids)):
        lines.append(name.ljust(10) + "".join(f"{int(v):2d}" for v in values[:, j]))
    return "".join(line + "\r\n" for line in lines)


def write_dat(
    table: SortsTable, path: str | Path, *, title: str = "", grid: Grid | None = None
) -> None:
    """Write sorts as a PQMethod ``.DAT`` file (ASCII, CRLF)."""
    Path(path).write_bytes(format_dat(table, title=title, grid=grid).encode("ascii"))


def _field(line: str, start: int, width: int, *, what: str, source: str, lineno: int) -> int:
    cell = line[start : start + width]
    try:
        return int(cell)
    except ValueError:
        raise ValidationError(
            f"{source}, line {lineno}: {what} in columns {start + 1}-{start + width} is "
            f"{cell.strip()!r}, not a whole number"
        ) from None


def parse_dat(text: str, *, source: str = "<dat>") -> PQMethodProject:
    """Parse ``.DAT`` text; every problem is a one-line :class:`ValidationError`."""
    lines = [line.rstrip() for line in split_lines(text)]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise ValidationError(f"{source} is empty: expected a PQMethod .DAT file")
    first = lines[0]
    if len(first) < 9 or not re.fullmatch(r"[ \d-]{3}[ \d]{3}[ \d]{3}", first[:9]):
        raise ValidationError(
            f"{source} is not a PQMethod .DAT file: line 1 should start with '  0', "
            "the number of sorts and the number of statements (3 columns each)"
        )
    n_sorts = _field(first, 3, 3, what="the number of sorts", source=source, lineno=1)
    n_statements = _field(first, 6, 3, what="the number of statements", source=source, lineno=1)
    title = first[10:].strip()
    if len(lines) < 2:
        raise ValidationError(f"{source}: line 2 (the distribution) is missing")
    second = lines[1]
    lo = _field(second, 0, 3, what="the lowest column value", source=source, lineno=2)
    hi = _field(second, 3, 3, what="the highest column value", source=source, lineno=2)
    counts = tuple(
        _field(
            second.ljust(66),
            6 + 3 * k,
            3,
            what=f"the count for {format_value(v)}",
            source=source,
            lineno=2,
        )
        if second[6 + 3 * k : 9 + 3 * k].strip()
        else 0
        for k, v in enumerate(PQ_VALUES)
    )
    if lo > hi:
        raise ValidationError(f"{source}, line 2: the lowest value {lo} is above the highest {hi}")
    if sum(counts) and sum(counts) != n_statements:
        raise ValidationError(
            f"{source}: the column counts on line 2 add up to {sum(counts)} but line 1 declares "
            f"{n_statements} statements"
        )
    body = [(i, line) for i, line in enumerate(lines[2:], start=3) if line.strip()]
    if len(body) != n_sorts:
        raise ValidationError(
            f"{source}: line 1 declares {n_sorts} sorts but the file has {len(body)} sort lines"
        )
    names: list[str] = []
    values = np.empty((n_statements, n_sorts))
    width = 10 + 2 * n_statements
    for j, (i, line) in enumerate(body):
        name = line[:NAME_WIDTH].strip() or f"S{j + 1}"
        if len(line) != width:
            got = (len(line) - 10 + 1) // 2 if len(line) > 10 else 0
            raise ValidationError(
                f"{source}, line {i} (sort {name!r}): {got} scores where line 1 declares "
                f"{n_statements} statements (expected {width} characters, found {len(line)})"
            )
        for k in range(n_statements):
            v = _field(
                line, 10 + 2 * k, 2, what=f"the score of statement {k + 1}", source=source, lineno=i
            )
            if not lo <= v <= hi:
                raise ValidationError(
                    f"{source}, line {i}: sort {name!r} gives statement {k + 1} the score {v}, "
                    f"outside {lo} .. {hi} (line 2)"
                )
            values[k, j] = v
        names.append(name)
    table = SortsTable(
        tuple(f"s{k + 1}" for k in range(n_statements)), tuple(unique_names(names)), values,
        tuple(f"line {i}" for i, _ in body),
    )
    return PQMethodProject(title, table, lo, hi, counts)


def unique_names(names) -> list[str]:
    """Names made unique by appending ``_2``, ``_3`` … to repeats (first use kept)."""
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        cand, k = name, 1
        while cand in used:
            k += 1
            cand = f"{name}_{k}"
        used.add(cand)
        out.append(cand)
    return out


def read_dat(path: str | Path) -> PQMethodProject:
    """Read a PQMethod ``.DAT`` file."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no PQMethod file at {path}")
    return parse_dat(decode_text(path.read_bytes(), source=str(path)), source=str(path))


def read_sta(path: str | Path) -> list[str]:
    """Statement lines of a ``.STA`` file, verbatim.

    Line ends are removed and trailing empty lines dropped.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no PQMethod statements file at {path}")
    lines = split_lines(decode_text(path.read_bytes(), source=str(path)))
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ValidationError(f"{path} is empty: expected one statement per line")
    return lines


_DESIGN_DIGIT = re.compile(r"^\d(?=[^\d\s])")


def sta_texts(lines: list[str]) -> list[str]:
    """Statement texts of ``.STA`` lines: trimmed, and without PQMethod's design digit when
    every line carries one glued to its text (``"1We accept …"`` -> ``"We accept …"``, as in
    LIPSET.STA). A line that does not start so (``"3 reasons"``, ``"1970s"``) keeps every line
    as it is."""
    texts = [line.strip() for line in lines]
    if texts and all(_DESIGN_DIGIT.match(t) for t in texts):
        return [t[1:].strip() for t in texts]
    return texts


def format_sta(statements, *, width: int | None = None) -> str:
    """``.STA`` text: one statement per CRLF line; ``width`` cuts and pads every line to it."""
    out = []
    for k, text in enumerate(statements, start=1):
        line = " ".join(str(text).split())
        if not line:
            raise ValidationError(f"statement {k} has no text")
        if width is not None:
            line = line[:width].ljust(width)
        out.append(line + "\r\n")
    return "".join(out)


def write_sta(
    statements, path: str | Path, *, width: int | None = None, encoding: str = "utf-8"
) -> None:
    """Write a ``.STA`` file (see :func:`format_sta`)."""
    Path(path).write_bytes(format_sta(statements, width=width).encode(encoding, errors="replace"))
