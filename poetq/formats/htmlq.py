"""HTMLQ / FlashQ / easy-htmlq: settings XML and the semicolon results CSV.

Settings (``settings/`` of aproxima/htmlq and shawnbanasick/eq-web-sort):

- ``statements.xml``: ``<statement id="1">text</statement>`` per statement. Statement ids
  become ``s<id>`` (the names of the result columns); the text loses only its leading and
  trailing white space.
- ``map.xml``: one ``<column id="LABEL" colour="RRGGBB">COUNT</column>`` per grid column, left
  to right; the label is also the recorded value (``-2``, `` 0``, ``+1``). easy-htmlq's
  ``qSortPattern`` item, when present, must agree with the columns.
- ``config.xml``: the writer sets the study title and leaves everything else at HTMLQ's
  defaults.

Results: the FlashQ PHP back end's CSV, semicolon separated with a trailing ``;``, columns
``sid;uid;s1..sN;npos;…``. As R qmethod's ``import.htmlq``, every column whose name is ``s``
followed by a number is a statement, and a sort is named by ``uid``, else ``sid``.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from poetq.domain import Grid, QSet, SortsTable, Statement
from poetq.errors import NotFoundError, ValidationError
from poetq.formats.cells import csv_text
from poetq.formats.pqmethod import decode_text, split_lines, unique_names
from poetq.formats.sorts_csv import format_number

_STATEMENT_COL = re.compile(r"s(\d+)")
_COLOURS = ("FFD5D5", "E9E9E9", "9FDFBF")


def _parse_xml(path: Path, root_tag: str) -> ET.Element:
    if not path.is_file():
        raise NotFoundError(f"no {path.name} at {path}")
    raw = path.read_bytes()
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ValidationError(f"{path} is not valid XML ({exc})") from None
    except (LookupError, UnicodeError, ValueError) as exc:  # e.g. <?xml encoding="nonsense"?>
        raise ValidationError(f"{path} is not readable XML ({exc})") from None
    if root.tag != root_tag:
        raise ValidationError(
            f"{path} is not an HTMLQ {path.name}: its root is <{root.tag}>, not <{root_tag}>"
        )
    return root


def read_statements_xml(path: str | Path) -> list[Statement]:
    """Statements of an HTMLQ ``statements.xml`` (ids ``s<id>``)."""
    path = Path(path)
    root = _parse_xml(path, "statements")
    out = []
    for el in root.iter("statement"):
        sid = (el.get("id") or "").strip()
        if not sid:
            raise ValidationError(f"{path}: a <statement> has no id")
        out.append(
            Statement(f"s{sid}" if re.fullmatch(r"[0-9]+", sid) else sid, (el.text or "").strip())
        )
    if not out:
        raise ValidationError(f"{path} holds no <statement> elements")
    return out


def parse_label(label: str) -> int:
    s = label.strip()
    if not re.fullmatch(r"[+-]?\d+", s):
        raise ValidationError(f"map column id {label!r} is not a whole number such as -2, 0 or +1")
    return int(s)


def read_map_xml(path: str | Path, *, labels: tuple[str, str] | None = None) -> Grid:
    """The grid of an HTMLQ/easy-htmlq ``map.xml``."""
    path = Path(path)
    root = _parse_xml(path, "map")
    values, counts = [], []
    for el in root.iter("column"):
        values.append(parse_label(el.get("id") or ""))
        text = (el.text or "").strip()
        if not re.fullmatch(r"[0-9]+", text):
            raise ValidationError(
                f"{path}: column {el.get('id')!r} holds {text!r}, not a number of cells"
            )
        counts.append(int(text))
    if not values:
        raise ValidationError(f"{path} holds no <column> elements")
    for el in root.iter("item"):
        if el.get("id") == "qSortPattern" and (el.text or "").strip():
            cells = [c.strip() for c in el.text.split(",") if c.strip()]
            if not all(re.fullmatch(r"[0-9]+", c) for c in cells):
                raise ValidationError(
                    f"{path}: qSortPattern {el.text.strip()!r} is not a list of counts"
                )
            pattern = [int(c) for c in cells]
            if pattern != counts:
                raise ValidationError(
                    f"{path}: qSortPattern {pattern} does not match the columns' counts {counts}"
                )
    order = np.argsort(values, kind="stable")
    kwargs = {"labels": labels} if labels else {}
    return Grid(tuple(values[i] for i in order), tuple(counts[i] for i in order), **kwargs)


def _config_title(path: Path) -> str:
    if not path.is_file():
        return ""
    root = _parse_xml(path, "config")
    for el in root.iter("item"):
        if el.get("id") == "studyTitle":
            return (el.text or "").strip()
    return ""


def read_settings(directory: str | Path, *, slug: str | None = None) -> QSet:
    """A :class:`QSet` from an HTMLQ ``settings/`` directory.

    It holds statements.xml and map.xml, and perhaps config.xml.
    """
    d = Path(directory)
    if not d.is_dir():
        raise NotFoundError(f"no HTMLQ settings directory at {d}")
    statements = read_statements_xml(d / "statements.xml")
    grid = read_map_xml(d / "map.xml")
    title = _config_title(d / "config.xml") or d.name
    if slug is None:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64] or "htmlq"
    return QSet(slug=slug, title=title, statements=tuple(statements), grid=grid)


def _label(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def write_settings(qset: QSet, directory: str | Path) -> list[Path]:
    """Write ``statements.xml``, ``map.xml`` and a minimal ``config.xml`` for HTMLQ/easy-htmlq.

    Statements are numbered 1..N in Q-set order (HTMLQ needs numeric ids).
    """
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise ValidationError(f"{d} is a file: HTMLQ settings need a directory")
    d.mkdir(parents=True, exist_ok=True)
    st = ['<?xml version="1.0" encoding="UTF-8"?>', '<statements version="1.0" htmlParse="false">']
    for k, s in enumerate(qset.statements, start=1):
        st.append(f'  <statement id="{k}">{escape(s.text)}</statement>')
    st.append("</statements>")
    mp = ['<?xml version="1.0" encoding="UTF-8"?>', '<map version="1.0" htmlParse="false">']
    for v, c in zip(qset.grid.values, qset.grid.counts):
        colour = _COLOURS[0] if v < 0 else _COLOURS[1] if v == 0 else _COLOURS[2]
        mp.append(f'  <column id="{_label(v)}" colour="{colour}">{c}</column>')
    mp.append("</map>")
    cf = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<config version="1.0" htmlParse="false">',
        f'  <item id="studyTitle">{escape(qset.title)}</item>',
        '  <item id="textAlign">left</item>',
        '  <item id="shuffleCards">true</item>',
        '  <item id="loginrequired">false</item>',
        '  <item id="showStep3">true</item>',
        '  <item id="showStep4">true</item>',
        '  <item id="showStep5">false</item>',
        '  <item id="submitUrl"></item>',
        '  <item id="submitUrlMethod">post</item>',
        "</config>",
    ]
    written = []
    for name, lines in (("statements.xml", st), ("map.xml", mp), ("config.xml", cf)):
        path = d / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
        written.append(path)
    return written


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def parse_results_csv(text: str, *, source: str = "<csv>") -> SortsTable:
    """Sorts from HTMLQ/FlashQ results CSV text (semicolon separated, one row per respondent)."""
    if "\x00" in text:
        raise ValidationError(f"{source} is not a text CSV file (it holds binary data)")
    numbered = [(k, line) for k, line in enumerate(split_lines(text), start=1) if line.strip()]
    if not numbered:
        raise ValidationError(f"{source} is empty: expected HTMLQ results 'sid;uid;s1;...'")
    rows = [next(csv.reader([line], delimiter=";"), []) for _, line in numbered]
    line_of = [k for k, _ in numbered]
    header = [h.strip() for h in rows[0]]
    cols = [
        (i, int(m.group(1))) for i, h in enumerate(header) if (m := _STATEMENT_COL.fullmatch(h))
    ]
    if len(cols) < 2:
        raise ValidationError(
            f"{source} is not an HTMLQ results file: no statement columns s1, s2, ..."
        )
    cols.sort(key=lambda c: c[1])
    uid = header.index("uid") if "uid" in header else None
    sid = header.index("sid") if "sid" in header else None
    body = rows[1:]
    if not body:
        raise ValidationError(f"{source} has a header but no results")
    values = np.empty((len(cols), len(body)))
    names = []
    for j, row in enumerate(body, start=1):
        name = _cell(row, uid) or _cell(row, sid) or f"p{j}"
        for k, (i, num) in enumerate(cols):
            s = _cell(row, i)
            if not re.fullmatch(r"[+-]?\d+", s):
                what = "no score" if not s else f"{s!r}, not a whole number"
                raise ValidationError(
                    f"{source}: line {line_of[j]} ({name!r}), statement s{num} has {what}"
                )
            values[k, j - 1] = int(s)
        names.append(name)
    return SortsTable(tuple(f"s{num}" for _, num in cols), tuple(unique_names(names)), values,
                      tuple(f"line {k}" for k in line_of[1:]))


def read_results_csv(path: str | Path) -> SortsTable:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no HTMLQ results file at {path}")
    return parse_results_csv(decode_text(path.read_bytes(), source=str(path)), source=str(path))


def write_results_csv(table: SortsTable, path: str | Path) -> None:
    """Sorts in the HTMLQ results shape: ``sid;uid;s1;…;sN;`` with labels such as ``+2``.

    Statements are numbered by position (``s1..sN``), as HTMLQ numbers them.
    """
    n = len(table.statement_ids)
    out = [";".join(["sid", "uid", *(f"s{k + 1}" for k in range(n))]) + ";"]
    for j, name in enumerate(table.sort_ids, start=1):
        if ";" in name or '"' in name:
            name = name.replace(";", "_").replace('"', "_")
        vals = [
            _label(int(v)) if float(v).is_integer() else format_number(v)
            for v in table.values[:, j - 1]
        ]
        out.append(";".join([str(j), csv_text(name), *vals]) + ";")
    Path(path).write_text("\n".join(out) + "\n", encoding="utf-8", newline="")

