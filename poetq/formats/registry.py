"""One place that knows every sorts file format: names, readers, writers and guessing.

=========== ========================================================= ============ ==========
name        what                                                      read         write
=========== ========================================================= ============ ==========
csv         qmethod layout: ``statement,<sort id>…``, a row/statement  .csv         .csv
pqmethod    PQMethod ``.DAT`` (+ ``.STA`` beside it)                   .dat         .dat
kenq-csv    Ken-Q sorts CSV: ``name,s1..sN``, a row per sort           .csv         .csv
kade-zip    KADE zip: statements/sorts/name/pattern .txt               .zip         .zip
htmlq       HTMLQ/FlashQ results CSV ``sid;uid;s1..sN;…``              .csv         .csv
json        Firebase / easy-htmlq / EQ Web Sort results                .json        .json
xlsx        Ken-Q Excel type 1 or 2 (type 3 is refused)                .xlsx        .xlsx
=========== ========================================================= ============ ==========

:func:`detect_format` looks at the bytes first (so a PNG named ``.csv`` is called a PNG),
then at the extension, then at the text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from poetq.domain import Grid, SortsTable
from poetq.errors import NotFoundError, ValidationError
from poetq.formats import htmlq, kenq, limits, pqmethod, qmethod_grid, xlsx, xlsx_sorts
from poetq.formats.pqmethod import decode_text, split_lines
from poetq.formats.sorts_csv import parse_sorts_csv, write_sorts_csv


@dataclass(frozen=True)
class Imported:
    """Sorts read from a file, with the statements, grid and title it carries (if any)."""

    table: SortsTable
    statements: tuple[str, ...] | None = None
    grid: Grid | None = None
    name: str = ""
    #: Per sort: ``{"comments": {statement number: text}, "answers": {field: text}}``.
    extras: tuple[dict, ...] | None = None


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    extensions: tuple[str, ...]
    read: Callable[[Path], Imported]
    write: Callable[..., None] | None


def _text(path: Path) -> str:
    text = decode_text(path.read_bytes(), source=str(path))
    limits.check_text(text, str(path))
    return text


def _from_kenq(data: kenq.KenqData) -> Imported:
    return Imported(data.table, data.statements, data.grid, data.name, data.extras)


def _read_csv(path: Path) -> Imported:
    table = parse_sorts_csv(_text(path), source=str(path))
    return Imported(table, grid=pqmethod.observed_grid(table) if kenq.infer_forced(table) else None)


def _write_csv(table, path, *, statements=None, grid=None, name=""):
    write_sorts_csv(table, path)


def _read_pqmethod(path: Path) -> Imported:
    project = pqmethod.parse_dat(_text(path), source=str(path))
    statements = None
    for sta in (path.with_suffix(".STA"), path.with_suffix(".sta")):
        if sta.is_file():
            lines = pqmethod.read_sta(sta)
            if len(lines) != len(project.table.statement_ids):
                raise ValidationError(
                    f"{sta} has {len(lines)} statements but {path.name} has "
                    f"{len(project.table.statement_ids)}"
                )
            statements = tuple(pqmethod.sta_texts(lines))
            break
    return Imported(project.table, statements, project.grid, project.title)


def _write_pqmethod(table, path, *, statements=None, grid=None, name=""):
    path = Path(path)
    pqmethod.write_dat(table, path, title=name, grid=grid)
    if statements is not None:
        pqmethod.write_sta(
            statements, path.with_suffix(".STA" if path.suffix.isupper() else ".sta")
        )


def _read_kenq_csv(path: Path) -> Imported:
    return _from_kenq(kenq.parse_kenq_csv(_text(path), source=str(path)))


def _write_kenq_csv(table, path, *, statements=None, grid=None, name=""):
    kenq.write_kenq_csv(table, path)


def _read_kade(path: Path) -> Imported:
    return _from_kenq(kenq.read_kade_zip(path))


def _write_kade(table, path, *, statements=None, grid=None, name=""):
    kenq.write_kade_zip(table, path, statements=statements, name=name, grid=grid)


def _read_htmlq(path: Path) -> Imported:
    table = htmlq.parse_results_csv(_text(path), source=str(path))
    return Imported(table, grid=pqmethod.observed_grid(table))


def _write_htmlq(table, path, *, statements=None, grid=None, name=""):
    htmlq.write_results_csv(table, path)


def _read_json(path: Path) -> Imported:
    return _from_kenq(kenq.parse_sorts_json(_text(path), source=str(path)))


def _write_json(table, path, *, statements=None, grid=None, name=""):
    kenq.write_sorts_json(table, path)


def _read_qmethod_grid(path: Path) -> Imported:
    return Imported(qmethod_grid.parse_grid(_text(path), name=path.stem, source=str(path)))


def _read_xlsx(path: Path) -> Imported:
    return _from_kenq(xlsx_sorts.read_sorts_xlsx(path))


def _write_xlsx(table, path, *, statements=None, grid=None, name=""):
    xlsx.write_sorts_xlsx(table, path, statements=statements, name=name, grid=grid)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("csv", "qmethod layout CSV: statement,<sort id>,... one row per statement",
               (".csv",), _read_csv, _write_csv),
        Format("pqmethod", "PQMethod .DAT (statements in the .STA beside it)",
               (".dat",), _read_pqmethod, _write_pqmethod),
        Format("kenq-csv", "Ken-Q sorts CSV: name,s1..sN one row per sort",
               (".csv",), _read_kenq_csv, _write_kenq_csv),
        Format("kade-zip", "KADE zip (statements.txt, sorts.txt, name.txt, pattern.txt)",
               (".zip",), _read_kade, _write_kade),
        Format("htmlq", "HTMLQ/FlashQ results CSV: sid;uid;s1..sN;",
               (".csv",), _read_htmlq, _write_htmlq),
        Format("json", "Firebase / easy-htmlq / EQ Web Sort results JSON",
               (".json",), _read_json, _write_json),
        Format("xlsx", "Ken-Q Excel workbook (type 1 or type 2)",
               (".xlsx",), _read_xlsx, _write_xlsx),
        Format("qmethod-grid", "one sort drawn as its grid (R qmethod import.q.sorts); read only",
               (".csv",), _read_qmethod_grid, None),
    )
}

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls/.doc): save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip archive"),
)
_KIND = {".csv": "a CSV file", ".dat": "a PQMethod .DAT file", ".json": "a JSON file",
         ".xlsx": "an Excel workbook", ".zip": "a KADE zip", ".txt": "a text file"}


def get_format(name: str) -> Format:
    try:
        return FORMATS[format_name(name)]
    except KeyError:
        raise ValidationError(f"unknown format {name!r}: use one of {', '.join(FORMATS)}") from None


def _expected(path: Path) -> str:
    return _KIND.get(path.suffix.lower(), "a sorts file")


def _check_bytes(path: Path, head: bytes) -> None:
    if not head:
        raise ValidationError(f"{path} is empty: expected {_expected(path)} with sorts in it")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ValidationError(f"{path} is {what}, not {_expected(path)}")


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            limits.check_zip(zf, str(path))
            names = {n.lower() for n in zf.namelist()}
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise ValidationError(f"{path} is a damaged zip file ({exc})") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(Path(n).name == "sorts.txt" for n in names):
        return "kade-zip"
    if "word/document.xml" in names:
        raise ValidationError(f"{path} is a Word document, not {_expected(path)}")
    raise ValidationError(f"{path} is a zip archive but neither an Excel workbook nor a KADE zip")


def _csv_kind(text: str) -> str:
    if qmethod_grid.looks_like_grid(text):
        return "qmethod-grid"
    first = next((line for line in split_lines(text) if line.strip()), "")
    cells = [c.strip().strip('"').strip().lower() for c in re.split(r"[,;\t|]", first)]
    if "sid" in cells and ";" in first and any(re.fullmatch(r"s\d+", c) for c in cells):
        return "htmlq"
    if cells and cells[0] in ("", "statement", "statements", "statement_id", "id"):
        return "csv"
    return "kenq-csv"


def detect_format(path: str | Path) -> str:
    """The name of the format of a sorts file, from its bytes, extension and text."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no sorts file at {path}")
    limits.check_file(path)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    _check_bytes(path, head)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(f"{path} holds binary data, not {_expected(path)}")
    suffix = path.suffix.lower()
    if suffix == ".dat":
        return "pqmethod"
    if suffix == ".json":
        return "json"
    text = decode_text(head, source=str(path)) if len(head) < 8192 else _text(path)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return "json"
    lines = split_lines(text)
    if len(lines) >= 2 and re.match(r"^[ \d-]{3}[ \d]{2}\d[ \d]{2}\d", lines[0]) and re.fullmatch(
        r"[ \d-]{66}", lines[1].rstrip().ljust(66)
    ):
        return "pqmethod"
    return _csv_kind(text)


def output_format(path: str | Path) -> str:
    """The format to write, from the output file's extension."""
    suffix = Path(path).suffix.lower()
    by_ext = {
        ".csv": "csv",
        ".dat": "pqmethod",
        ".zip": "kade-zip",
        ".json": "json",
        ".xlsx": "xlsx",
    }
    if suffix not in by_ext:
        raise ValidationError(
            f"cannot tell the format of {Path(path).name} from its extension: "
            f"give one of {', '.join(FORMATS)}"
        )
    return by_ext[suffix]


#: The short names the CLI takes, as the issue and other tools name the formats.
ALIASES = {"kenq": "kenq-csv", "kade": "kade-zip", "pqmethod-dat": "pqmethod", "excel": "xlsx",
           "easy-htmlq": "json", "eqwebsort": "json"}


def format_name(name: str) -> str:
    """A format's registry name from its name or alias (``kenq`` -> ``kenq-csv``)."""
    name = (name or "").strip().lower()
    return ALIASES.get(name, name)


def read_sorts(
    path: str | Path, format: str | None = None, *, encoding: str | None = None
) -> Imported:
    """Read a sorts file in any known format (guessed when ``format`` is None).

    ``encoding`` is the text encoding of the file (and of a .STA beside a .DAT); by default
    it is detected (UTF-8 with or without BOM, UTF-16, Shift_JIS, else cp1252).
    """
    token = pqmethod.ENCODING.set(encoding)
    try:
        return _read_sorts(Path(path), format_name(format) if format else None)
    finally:
        pqmethod.ENCODING.reset(token)


def _read_sorts(path: Path, format: str | None) -> Imported:
    if path.is_file():
        limits.check_file(path)
    if format is None:
        format = detect_format(path)
    else:
        fmt = get_format(format)
        if not path.is_file():
            raise NotFoundError(f"no sorts file at {path}")
        with open(path, "rb") as fh:
            _check_bytes(path, fh.read(16))
        return fmt.read(path)
    return get_format(format).read(path)


def renamed_sorts(names, format: str) -> dict[str, str]:
    """``{name: name in the file}`` for the sort names a format's writer has to change
    (PQMethod: 8 ASCII characters, made unique; HTMLQ: no ``;`` or ``"``)."""
    fmt = format_name(format)
    if fmt == "pqmethod":
        return pqmethod.renamed_sorts(names)
    if fmt == "htmlq":
        return {
            n: n.replace(";", "_").replace('"', "_")
            for n in map(str, names)
            if ";" in n or '"' in n
        }
    return {}


def write_sorts(table: SortsTable, path: str | Path, format: str | None = None, *,
                statements=None, grid: Grid | None = None, name: str = "") -> None:
    """Write sorts in a known format (from the extension when ``format`` is None)."""
    fmt = get_format(format_name(format) if format else output_format(path))
    if fmt.write is None:
        raise ValidationError(f"poetq reads {fmt.name} files but does not write them")
    if statements is not None:
        statements = list(statements)
        if len(statements) != len(table.statement_ids):
            raise ValidationError(
                f"{len(statements)} statement texts "
                f"for sorts of {len(table.statement_ids)} statements"
            )
    fmt.write(table, Path(path), statements=statements, grid=grid, name=name)
