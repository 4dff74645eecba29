"""Ken-Q / KADE: sorts CSV, statements text (Shift_JIS), KADE zip and web-sort JSON."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests_helpers import interop_dir

from poetq.domain import Grid, SortsTable
from poetq.errors import ValidationError
from poetq.formats.kenq import (
    parse_kenq_csv,
    parse_sorts_json,
    read_kade_zip,
    read_kenq_csv,
    read_sorts_json,
    read_statements,
    write_kade_zip,
    write_kenq_csv,
    write_sorts_json,
    write_statements,
)
from poetq.formats.pqmethod import check_forced
from poetq.formats.sorts_csv import read_sorts_csv

TESTS = Path(__file__).resolve().parent.parent
INTEROP = interop_dir()
LIPSET = read_sorts_csv(TESTS / "data" / "lipset" / "sorts.csv")
LIPSET_GRID = Grid.symmetric([2, 3, 4, 5, 5, 5, 4, 3, 2])


def test_cr_only_csv_reads_to_the_reference_sorts():
    raw = (INTEROP / "kade" / "lipsetCsvQsorts.csv").read_bytes()
    assert b"\n" not in raw and b"\r" in raw
    data = read_kenq_csv(INTEROP / "kade" / "lipsetCsvQsorts.csv")
    assert data.table.sort_ids == LIPSET.sort_ids
    assert data.table.statement_ids == tuple(f"s{k}" for k in range(1, 34))
    np.testing.assert_array_equal(data.table.values, LIPSET.values)
    assert data.grid == LIPSET_GRID


def test_kenq_demo_lipset_matches_too():
    demo = read_sorts_csv(INTEROP / "kenq-demo" / "lipset" / "sorts.csv")
    np.testing.assert_array_equal(demo.values, LIPSET.values)
    assert demo.sort_ids == LIPSET.sort_ids


def test_unforced_file_names_us1_when_checked_as_forced():
    data = read_kenq_csv(INTEROP / "kade" / "lipsetCsvQsorts---unforced-1.csv")
    assert data.grid == LIPSET_GRID  # Ken-Q takes the pattern from the last sort (FR9)
    with pytest.raises(ValidationError) as exc:
        check_forced(data.table, data.grid)
    assert exc.value.problems == [
        "sort 'US1' does not follow the grid "
        "(column 0 holds 4, the grid 5; column +1 holds 6, the grid 5)"
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_delimiters_and_line_ends_are_detected(delimiter, eol):
    text = eol.join(
        [delimiter.join(["participants", "s1", "s2", "s3"]),
         delimiter.join(["A", "-1", "0", "+1", "", ""]),
         delimiter.join(["B", "1", "0", "-1"])]
    )
    data = parse_kenq_csv(text)
    assert data.table.sort_ids == ("A", "B")
    np.testing.assert_array_equal(data.table.values, [[-1, 1], [0, 0], [1, -1]])


def test_csv_round_trip(tmp_path):
    write_kenq_csv(LIPSET, tmp_path / "k.csv")
    back = read_kenq_csv(tmp_path / "k.csv")
    assert (
        back.table.sort_ids == LIPSET.sort_ids and back.table.statement_ids == LIPSET.statement_ids
    )
    np.testing.assert_array_equal(back.table.values, LIPSET.values)


@pytest.mark.parametrize("text,message", [
    ("", "is empty"),
    ("participants,s1,s2\nA,1,x\n", "sort 'A', statement 2 has 'x', not a whole number"),
    ("participants,s1,s2\nA,1,-1\nB,1\n", "sort 'B' has 1 scores"),
    ("participants,s1,s2\n", "has no sorts"),
])
def test_bad_csv_one_line_errors(text, message):
    with pytest.raises(ValidationError) as exc:
        parse_kenq_csv(text, source="k.csv")
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_shift_jis_statements_decode_as_cp932():
    raw = (INTEROP / "kade" / "ipad_statements.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    statements = read_statements(INTEROP / "kade" / "ipad_statements.txt")
    expected = (
        (INTEROP / "kenq-demo" / "japanese" / "statements.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    assert statements == expected[:30]


def test_cr_only_statements_with_padding():
    statements = read_statements(INTEROP / "kade" / "csvLipsetStatements.txt")
    expected = (
        (INTEROP / "kenq-demo" / "lipset" / "statements.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    assert len(statements) == 33 and statements[0] == expected[0]


def test_statements_round_trip(tmp_path):
    texts = ["Zoë's  card", "私は", "plain"]
    write_statements(texts, tmp_path / "s.txt")
    assert read_statements(tmp_path / "s.txt") == ["Zoë's card", "私は", "plain"]


def test_kade_zip_round_trip(tmp_path):
    statements = (
        (INTEROP / "kenq-demo" / "lipset" / "statements.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    write_kade_zip(LIPSET, tmp_path / "l.zip", statements=statements, name="lipset")
    data = read_kade_zip(tmp_path / "l.zip")
    assert data.name == "lipset" and data.statements == tuple(statements)
    assert data.grid == LIPSET_GRID and data.table.sort_ids == LIPSET.sort_ids
    np.testing.assert_array_equal(data.table.values, LIPSET.values)
    import zipfile

    with zipfile.ZipFile(tmp_path / "l.zip") as zf:
        assert sorted(zf.namelist()) == ["name.txt", "pattern.txt", "sorts.txt", "statements.txt"]
        assert zf.read("pattern.txt") == b"0,0,2,3,4,5,5,5,4,3,2,0,0,0,0,0,0,0,0,0"
        assert zf.read("sorts.txt").startswith(b"US1,-1,0,-2,0,-2,1,")


def test_firebase_json_of_kenq_client():
    data = read_sorts_json(INTEROP / "kade" / "ipad_sorts.json")
    assert data.table.values.shape == (30, 33)
    assert data.table.sort_ids[0] == "GiLqA9jzb9"  # last 10 characters of the push id
    assert data.table.values[:3, 0].tolist() == [3, 1, 2]
    assert data.grid == Grid.symmetric([3, 4, 5, 6, 5, 4, 3])
    check_forced(data.table, data.grid)


def test_easy_htmlq_single_record():
    data = read_sorts_json(INTEROP / "eq-web-sort" / "sampleResults.json")
    assert data.table.values.shape == (33, 1) and data.table.sort_ids == ("p1",)
    assert data.table.values[:4, 0].tolist() == [1, -1, 1, 4]


def test_json_round_trip(tmp_path):
    write_sorts_json(LIPSET, tmp_path / "r.json")
    back = read_sorts_json(tmp_path / "r.json")
    assert back.table.sort_ids == LIPSET.sort_ids
    np.testing.assert_array_equal(back.table.values, LIPSET.values)


@pytest.mark.parametrize("text,message", [
    ("{", "not valid JSON"),
    ('{"a": {"x": 1}}', "no results with a 'sort' field"),
    ('[{"sort": "1|0|-1"}, {"sort": "1|0"}]', "has 2 scores"),
])
def test_bad_json(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_sorts_json(text)


def test_table_type_is_shared():
    assert isinstance(read_sorts_json(INTEROP / "kade" / "ipad_sorts.json").table, SortsTable)
