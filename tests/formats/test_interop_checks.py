"""Issue #9, more checks: the whole analysis from every lipset file, encodings, where a bad
sort is in its file, sort names PQMethod cannot hold, and every reader fuzzed."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_helpers import interop_dir, mutate_bytes, only_poetq_errors

from poetq.analysis import analyse
from poetq.domain import SortsTable
from poetq.errors import ValidationError
from poetq.formats import htmlq, kenq, lis, pqmethod, xlsx, xlsx_sorts
from poetq.formats.registry import read_sorts, renamed_sorts, write_sorts

INTEROP = interop_dir()
KADE = INTEROP / "kade"
DAT = KADE / "LIPSET.DAT"


def assert_same_result(a, b):
    """Every field of two AnalysisResults: arrays to 1e-12, the rest exactly."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "characteristics":
            assert x.keys() == y.keys()
            for key in x:
                np.testing.assert_allclose(x[key], y[key], atol=1e-12, equal_nan=True, err_msg=key)
        elif isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
            np.testing.assert_allclose(x, y, atol=1e-12, equal_nan=True, err_msg=f.name)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            assert x == y, f.name
    np.testing.assert_allclose(a.cor_zsc, b.cor_zsc, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(a.sed, b.sed, atol=1e-12, equal_nan=True)


def _analyse(table):
    return analyse(
        table.values,
        3,
        sort_ids=table.sort_ids,
        statement_ids=tuple(f"s{k + 1}" for k in range(33)),
    )


def test_every_lipset_file_gives_the_whole_same_analysis(tmp_path):
    reference = _analyse(read_sorts(DAT).table)
    kade_zip = tmp_path / "lipset.zip"
    own_json = tmp_path / "lipset.json"
    own_xlsx = tmp_path / "lipset.xlsx"
    base = read_sorts(DAT)
    write_sorts(base.table, kade_zip, "kade-zip", statements=base.statements, name="lipset")
    write_sorts(base.table, own_json, "json")
    write_sorts(base.table, own_xlsx, "xlsx", statements=base.statements)
    for path in (
        INTEROP / "kenq-demo" / "lipset" / "sorts.csv",
        KADE / "lipsetCsvQsorts.csv",
        KADE / "testExcelImport---type-1.xlsx",
        KADE / "testExcelImport---type-2---lipset.xlsx",
        kade_zip,
        own_json,
        own_xlsx,
    ):
        table = read_sorts(path).table
        assert table.sort_ids == reference.sort_ids, path
        assert_same_result(_analyse(table), reference)


# --- encodings -------------------------------------------------------------------------

KENQ_TEXT = "participants,s1,s2,s3\r\nゆき,-1,0,1\r\n直子,1,0,-1\r\n"


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                             ("shift_jis", b""), ("utf-16", b"")])
def test_encodings_are_detected(tmp_path, encoding, prefix):
    path = tmp_path / "sorts.csv"
    path.write_bytes(prefix + KENQ_TEXT.encode(encoding))
    table = read_sorts(path).table
    assert table.sort_ids == ("ゆき", "直子")
    np.testing.assert_array_equal(table.values, [[-1, 1], [0, 0], [1, -1]])
    assert read_sorts(path, encoding=encoding).table.sort_ids == ("ゆき", "直子")


def test_cp1252_detected_and_undecodable_bytes_named_with_their_line(tmp_path):
    path = tmp_path / "sorts.csv"
    path.write_bytes("participants,s1,s2,s3\rRenée,-1,0,1\rJoão,1,0,-1\r".encode("cp1252"))
    assert read_sorts(path).table.sort_ids == ("Renée", "João")
    # 0x81 is neither UTF-8, Shift_JIS (here) nor cp1252: CR-only lines still count
    path.write_bytes(b"participants,s1,s2,s3\rRen\xe9e,-1,0,1\rJo\x81o,1,0,-1\r")
    with pytest.raises(
        ValidationError,
        match=r"sorts\.csv:3: byte 0x81 is not UTF-8, Shift_JIS or "
        r"Windows-1252 text: give the file's encoding",
    ) as info:
        read_sorts(path)
    assert "\n" not in str(info.value)
    with pytest.raises(ValidationError, match=r"sorts\.csv:2: byte 0xe9 is not utf-8 text"):
        read_sorts(path, encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown text encoding 'klingon'"):
        read_sorts(path, encoding="klingon")


def test_shift_jis_statements_beside_a_dat_and_cr_line_ends(tmp_path):
    texts = (
        (INTEROP / "kenq-demo" / "japanese" / "statements.txt")
        .read_text(encoding="utf-8")
        .splitlines()[:30]
    )
    ipad = read_sorts(KADE / "ipad_sorts.json").table
    (tmp_path / "IPAD.DAT").write_bytes(
        pqmethod.format_dat(ipad, title="ipad").replace("\r\n", "\r").encode()
    )
    (tmp_path / "IPAD.STA").write_bytes(("\r".join(texts) + "\r").encode("shift_jis"))
    back = read_sorts(tmp_path / "IPAD.DAT")
    assert list(back.statements) == texts
    np.testing.assert_array_equal(back.table.values, ipad.values)


# --- where a sort is, for errors found after reading ----------------------------------------

@pytest.mark.parametrize(
    "rel,first,last",
    [
        ("LIPSET.DAT", "line 3 (sort 'US1')", "line 11 (sort 'FR9')"),
        ("lipsetCsvQsorts.csv", "line 2 (sort 'US1')", "line 10 (sort 'FR9')"),
        (
            "testExcelImport---type-2---lipset.xlsx",
            "sheet 'sorts', row 7 (sort 'US1')",
            "sheet 'sorts', row 15 (sort 'FR9')",
        ),
        (
            "testExcelImport---type-1.xlsx",
            "sheet 'sorts', column B (sort 'US1')",
            "sheet 'sorts', column J (sort 'FR9')",
        ),
    ],
)
def test_each_sort_knows_its_line(rel, first, last):
    table = read_sorts(KADE / rel).table
    assert (table.where(0), table.where(8)) == (first, last)


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "participants,s1,s2,s3\n\nA,1,0,-1\nB,1,0\n",
            r"k\.csv, line 4: sort 'B' has 2 scores but sort 'A' has 3",
        ),
        (
            "participants,s1,s2,s3\nA,1,0,-1,0\nB,1,0,-1,0\n",
            r"k\.csv, line 2: the sort has 4 scores but the header \(line 1\) names 3 statements",
        ),
        (
            "participants,s1,s2,s3\nA,1,0,-1\nB,1,x,-1\n",
            r"k\.csv, line 3: sort 'B', statement 2 has 'x'",
        ),
    ],
)
def test_kenq_csv_errors_name_the_line(text, message):
    with pytest.raises(ValidationError, match=message):
        kenq.parse_kenq_csv(text, source="k.csv")


# --- names PQMethod cannot hold -----------------------------------------------------------

def test_long_names_are_reported_when_changed(tmp_path):
    table = SortsTable(("a", "b", "c"), ("Participant A", "Participant B", "US1"),
                       np.array([[-1, 1, 0], [0, 0, 1], [1, -1, -1]], dtype=float))
    assert renamed_sorts(table.sort_ids, "pqmethod") == {"Participant A": "Particip",
                                                         "Participant B": "Partici2"}
    assert renamed_sorts(table.sort_ids, "kenq") == {}
    write_sorts(table, tmp_path / "X.DAT")
    assert read_sorts(tmp_path / "X.DAT").table.sort_ids == ("Particip", "Partici2", "US1")


# --- statement texts in the results when the file carries them -----------------------------

def test_report_and_workbook_take_texts_from_the_file(tmp_path):
    imported = read_sorts(DAT)
    result = _analyse(imported.table)
    texts = dict(zip(result.statement_ids, imported.statements))
    report = lis.format_lis(result, texts=texts)
    assert "We accept improvements in status and power" in report
    assert "1We accept" not in report
    xlsx.write_workbook(result, tmp_path / "r.xlsx", texts=texts)
    from openpyxl import load_workbook

    ranked = list(
        load_workbook(tmp_path / "r.xlsx", read_only=True)["f1 ranked"].iter_rows(values_only=True)
    )
    assert all(row[2] == texts[row[1]] for row in ranked[1:])


# --- fuzzing: every reader, random and mutated input ------------------------------------------

def _kade_zip_bytes() -> bytes:
    buf = io.BytesIO()
    imported = read_sorts(DAT)
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("sorts.txt", kenq.format_kenq_csv(imported.table).split("\n", 1)[1])
        zf.writestr("statements.txt", "\n".join(imported.statements))
        zf.writestr("pattern.txt", "0,0,2,3,4,5,5,5,4,3,2,0,0,0,0,0,0,0,0,0")
        zf.writestr("name.txt", "lipset")
    return buf.getvalue()


HTMLQ_RESULTS = (b"sid;uid;s1;s2;s3;s4;npos;form0;dur0;datetime;\n"
                 b"1;anna;+1; 0;-1; 0;2;42;120;2024-01-02 10:00:00;\n"
                 b"2;;-1; 0;+1; 0;1;;99;2024-01-02 11:00:00;\n")

#: (reader, a sample to mutate, file name) for every reader in poetq.formats.
READERS = [
    (read_sorts, lambda: DAT.read_bytes(), "x.DAT"),
    (read_sorts, lambda: (KADE / "lipsetCsvQsorts---unforced-1.csv").read_bytes(), "x.csv"),
    (read_sorts, lambda: (INTEROP / "kenq-demo" / "koc" / "sorts.csv").read_bytes(), "x.csv"),
    (read_sorts, lambda: (KADE / "ipad_sorts.json").read_bytes()[:6000], "x.json"),
    (read_sorts, lambda: HTMLQ_RESULTS, "x.csv"),
    (read_sorts, _kade_zip_bytes, "x.zip"),
    (read_sorts, lambda: (KADE / "testExcelImport---type-1.xlsx").read_bytes(), "x.xlsx"),
    (
        read_sorts,
        lambda: (
            INTEROP / "qmethod" / "importexample" / "qsorts" / "before" / "JohnDoe.csv"
        ).read_bytes(),
        "x.csv",
    ),
    (pqmethod.read_sta, lambda: (KADE / "LIPSET.STA").read_bytes(), "x.STA"),
    (kenq.read_statements, lambda: (KADE / "ipad_statements.txt").read_bytes(), "x.txt"),
    (kenq.read_kade_zip, _kade_zip_bytes, "x.zip"),
    (xlsx_sorts.read_sorts_xlsx, lambda: (KADE / "testExcelImport---type-3.xlsx").read_bytes(),
     "x.xlsx"),
    (htmlq.read_results_csv, lambda: HTMLQ_RESULTS, "x.csv"),
    (htmlq.read_map_xml, lambda: (INTEROP / "htmlq" / "map.xml").read_bytes(), "map.xml"),
    (htmlq.read_map_xml, lambda: (INTEROP / "eq-web-sort" / "map.xml").read_bytes(), "map.xml"),
    (
        htmlq.read_statements_xml,
        lambda: (INTEROP / "htmlq" / "statements.xml").read_bytes(),
        "statements.xml",
    ),
]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_reader_on_mutated_real_files(tmp_path, data):
    reader, sample, name = data.draw(st.sampled_from(READERS), label="reader")
    path = tmp_path / name
    path.write_bytes(mutate_bytes(data, sample()))
    only_poetq_errors(reader, path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200), index=st.integers(0, len(READERS) - 1))
def test_every_reader_on_random_bytes(tmp_path, raw, index):
    reader, _, name = READERS[index]
    path = tmp_path / name
    path.write_bytes(raw)
    only_poetq_errors(reader, path)
