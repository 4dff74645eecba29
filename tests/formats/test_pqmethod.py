"""PQMethod .DAT/.STA: the exact fixed-width layout, byte for byte against LIPSET.DAT."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests_helpers import interop_dir

from poetq.domain import Grid, SortsTable
from poetq.errors import ValidationError
from poetq.formats.pqmethod import (
    check_forced,
    format_dat,
    parse_dat,
    read_dat,
    read_sta,
    short_names,
    sta_texts,
    write_dat,
    write_sta,
)
from poetq.formats.sorts_csv import read_sorts_csv

TESTS = Path(__file__).resolve().parent.parent
INTEROP = interop_dir()
LIPSET = read_sorts_csv(TESTS / "data" / "lipset" / "sorts.csv")


def test_lipset_dat_reads_to_the_reference_sorts():
    project = read_dat(INTEROP / "kade" / "LIPSET.DAT")
    assert project.title == "Lipset Study (PQMETHOD testfile; cf. Brown, 1980, pp. 183ff.)"
    assert project.table.sort_ids == LIPSET.sort_ids
    assert project.table.statement_ids == tuple(f"s{k}" for k in range(1, 34))
    np.testing.assert_array_equal(project.table.values, LIPSET.values)
    assert project.grid == Grid.symmetric([2, 3, 4, 5, 5, 5, 4, 3, 2])


def test_writing_lipset_gives_identical_bytes(tmp_path):
    original = (INTEROP / "kade" / "LIPSET.DAT").read_bytes()
    project = parse_dat(original.decode("ascii"))
    write_dat(LIPSET, tmp_path / "LIPSET.DAT", title=project.title, grid=project.grid)
    assert (tmp_path / "LIPSET.DAT").read_bytes() == original
    # without a grid the last sort's distribution is used: the same for forced sorts
    assert format_dat(LIPSET, title=project.title).encode() == original


@pytest.mark.parametrize("eol", ["\r\n", "\n", "\r"])
def test_reader_accepts_any_line_end_and_trailing_blanks(eol):
    text = (INTEROP / "kade" / "LIPSET.DAT").read_bytes().decode("ascii")
    lines = text.split("\r\n")
    project = parse_dat(eol.join(line + "   " for line in lines))
    np.testing.assert_array_equal(project.table.values, LIPSET.values)


def test_names_are_cut_to_8_and_made_unique():
    assert short_names(["Participant A", "Participant B", "Zoë", ""]) == [
        "Particip",
        "Partici2",
        "Zoe",
        "S4",
    ]
    table = SortsTable(("a", "b", "c"), ("Participant A", "Participant B"),
                       np.array([[-1, 1], [0, 0], [1, -1]]))
    text = format_dat(table)
    lines = text.split("\r\n")
    assert lines[2] == "Particip  -1 0 1" and lines[3] == "Partici2   1 0-1"
    assert text.endswith("\r\n")


def test_round_trip_with_wide_scale(tmp_path):
    values = np.array([[0, 12, 6, 1], [12, 0, 6, 2], [6, 6, 0, 3]], dtype=float).T
    table = SortsTable(("s1", "s2", "s3", "s4"), ("a", "b", "c"), values)
    write_dat(table, tmp_path / "X.DAT", title="wide")
    back = read_dat(tmp_path / "X.DAT")
    np.testing.assert_array_equal(back.table.values, values)
    assert back.table.sort_ids == ("a", "b", "c") and back.title == "wide"


def test_sta_read_verbatim_and_written_in_full(tmp_path):
    lines = read_sta(INTEROP / "kade" / "LIPSET.STA")
    assert len(lines) == 33 and all(len(line) == 60 for line in lines)
    assert lines[0].startswith("1We accept improvements")
    expected = (
        (INTEROP / "kenq-demo" / "lipset" / "statements.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    assert [line[1:].strip() for line in lines] == expected
    write_sta(lines, tmp_path / "A.STA", width=60)
    assert (tmp_path / "A.STA").read_bytes() == (INTEROP / "kade" / "LIPSET.STA").read_bytes()
    long = ["x" * 100, "Zoë's statement"]
    write_sta(long, tmp_path / "B.STA")
    assert read_sta(tmp_path / "B.STA") == long


def test_sta_texts_drop_the_design_digit_only_when_every_line_has_one():
    lines = read_sta(INTEROP / "kade" / "LIPSET.STA")
    expected = (
        (INTEROP / "kenq-demo" / "lipset" / "statements.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    assert sta_texts(lines) == [e.strip() for e in expected]
    assert sta_texts(lines)[0].startswith("We accept improvements")
    for kept in (
        ["1We agree", "1970s were better"],
        ["1We agree", "3 reasons to act"],
        ["We agree"],
    ):
        assert sta_texts(kept) == kept


BAD = [
    ("", "is empty"),
    ("hello\r\n", "not a PQMethod .DAT file"),
    ("  0  2  3 t\r\n", "line 2"),
    (
        "  0  2  3 t\r\n -1  1  0  0  0  0  0  1  1  1\r\nA          1 0-1\r\n",
        "declares 2 sorts but the file has 1",
    ),
    (
        "  0  1  3 t\r\n -1  1  0  0  0  0  0  1  1  1\r\nA          1 0\r\n",
        "2 scores where line 1 declares 3",
    ),
    ("  0  1  3 t\r\n -1  1  0  0  0  0  0  1  1  1\r\nA          1 0 5\r\n", "outside -1 .. 1"),
    ("  0  1  3 t\r\n -1  1  0  0  0  0  0  1  1  2\r\nA          1 0-1\r\n", "add up to 4"),
    ("  0  1  3 t\r\n -1  1  0  0  0  0  0  1  1  1\r\nA          1 x-1\r\n", "not a whole number"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_files_give_one_line_errors(text, message):
    with pytest.raises(ValidationError) as exc:
        parse_dat(text, source="X.DAT")
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_writer_refuses_what_pqmethod_cannot_hold():
    table = SortsTable(("a", "b"), ("p", "q"), np.array([[-7.0, 1], [1, -7]]))
    with pytest.raises(ValidationError, match="-6 .. \\+13"):
        format_dat(table)
    table = SortsTable(("a", "b"), ("p", "q"), np.array([[0.5, 1], [1, 0.5]]))
    with pytest.raises(ValidationError, match="whole numbers"):
        format_dat(table)


def test_check_forced_names_the_sort():
    table = SortsTable(
        ("a", "b", "c"), ("ok", "bad"), np.array([[-1, 1], [0, 1], [1, -1]], dtype=float)
    )
    with pytest.raises(ValidationError, match="sort 'bad' does not follow the grid") as exc:
        check_forced(table, Grid.symmetric([1, 1, 1]))
    assert "'ok'" not in str(exc.value)
