"""Issue #9's checks across formats: every Q data file in ../shared/interop, the same lipset
analysis from every format, lossless round trips on the shipped studies, clear one-line
errors for broken files, and fuzzed input that only ever raises poetq's own errors."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_helpers import STATEMENTS, interop_dir, mutate_bytes, only_poetq_errors

from poetq.analysis import analyse
from poetq.domain import SortsTable
from poetq.errors import ValidationError
from poetq.formats.registry import FORMATS, detect_format, read_sorts, write_sorts
from poetq.qsets import load_qset
from poetq.simulate import simulate_sorts

INTEROP = interop_dir()

KENQ_DEMO = {  # folder: (statements, sorts), from ../shared/interop/README.md
    "lipset": (33, 9), "koc": (36, 38), "buzzwords": (50, 60), "motivational": (80, 120),
    "japanese": (60, 80),
}


def _source_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("name", sorted(KENQ_DEMO))
def test_kenq_demo_sets_import_with_the_right_shape_and_values(name):
    folder = INTEROP / "kenq-demo" / name
    imported = read_sorts(folder / "sorts.csv")
    n, m = KENQ_DEMO[name]
    values = imported.table.values
    assert values.shape == (n, m)
    rows = _source_rows(folder / "sorts.csv")
    assert list(imported.table.sort_ids) == rows[0][1:]
    for i, j in ((0, 0), (n - 1, m - 1), (n // 2, m // 3), (1, m - 2)):
        assert values[i, j] == int(rows[i + 1][j + 1]), (i, j)
    counts, bounds = (folder / "distribution.txt").read_text().splitlines()[:2]
    lo, hi = map(int, bounds.split(","))
    pattern = list(map(int, counts.split(",")))
    for j in range(m):  # every demo sort is forced to the published pattern
        assert [int((values[:, j] == v).sum()) for v in range(lo, hi + 1)] == pattern


def test_firebase_json_of_33_participants():
    imported = read_sorts(INTEROP / "kade" / "ipad_sorts.json")
    assert imported.table.values.shape == (30, 33)
    raw = json.loads((INTEROP / "kade" / "ipad_sorts.json").read_text(encoding="utf-8"))
    first = next(iter(raw.values()))["sort"].split("|")
    assert [int(v) for v in first] == [int(v) for v in imported.table.values[:, 0]]
    assert sorted(np.unique(imported.table.values)) == [-3, -2, -1, 0, 1, 2, 3]


def test_eq_web_sort_result_record():
    imported = read_sorts(INTEROP / "eq-web-sort" / "sampleResults.json")
    assert imported.table.values.shape == (33, 1)
    raw = json.loads((INTEROP / "eq-web-sort" / "sampleResults.json").read_text())
    record = raw if "sort" in raw else next(iter(raw.values()))
    assert [int(v) for v in record["sort"].split("|")] == list(
        imported.table.values[:, 0].astype(int)
    )


def test_qmethod_drawn_grids_read_as_one_sort_each(tmp_path):
    folder = INTEROP / "qmethod" / "importexample" / "qsorts"
    for path in sorted(folder.glob("*/*.csv")):
        assert detect_format(path) == "qmethod-grid", path
        table = read_sorts(path).table
        assert table.sort_ids == (path.stem,)
        assert dict(zip(table.statement_ids, table.values[:, 0])) == {
            "i01": 0,
            "i02": -1,
            "i03": 0,
            "i04": 1,
        }
    with pytest.raises(ValidationError, match="reads qmethod-grid files but does not write them"):
        write_sorts(
            read_sorts(folder / "before" / "JohnDoe.csv").table, tmp_path / "x.csv", "qmethod-grid"
        )


def test_unforced_file_reads_with_its_values():
    imported = read_sorts(INTEROP / "kade" / "lipsetCsvQsorts---unforced-1.csv")
    forced = read_sorts(INTEROP / "kade" / "lipsetCsvQsorts.csv")
    diff = np.argwhere(imported.table.values != forced.table.values)
    assert diff.tolist() == [[1, 0]]  # US1, statement 2: +1 here, 0 in the forced file
    assert imported.table.values[1, 0] == 1


def test_type1_and_type2_workbooks_agree_with_the_dat():
    dat = read_sorts(INTEROP / "kade" / "LIPSET.DAT").table.values
    for name in ("testExcelImport---type-1.xlsx", "testExcelImport---type-2---lipset.xlsx"):
        np.testing.assert_array_equal(
            read_sorts(INTEROP / "kade" / name).table.values, dat, err_msg=name
        )


def _same_analysis(a, b):
    for field in ("loadings", "flags", "zscores", "factor_arrays", "unrotated", "eigenvalues"):
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), atol=1e-12, err_msg=field)
    assert a.qdc_labels == b.qdc_labels


def test_lipset_gives_identical_results_from_every_format(tmp_path):
    base = read_sorts(INTEROP / "kade" / "LIPSET.DAT").table
    reference = analyse(base.values, 3, sort_ids=base.sort_ids, statement_ids=base.statement_ids)
    own_json = tmp_path / "lipset.json"
    write_sorts(base, own_json, "json")
    for path in (
        INTEROP / "kenq-demo" / "lipset" / "sorts.csv",
        INTEROP / "kade" / "lipsetCsvQsorts.csv",
        INTEROP / "kade" / "testExcelImport---type-2---lipset.xlsx",
        own_json,
    ):
        t = read_sorts(path).table
        _same_analysis(
            analyse(t.values, 3, sort_ids=t.sort_ids, statement_ids=t.statement_ids), reference
        )


@pytest.mark.parametrize(
    "qset_file",
    sorted(p for p in STATEMENTS.glob("*.toml") if not p.name.endswith(".viewpoints.toml")),
    ids=lambda p: p.stem,
)
@pytest.mark.parametrize(
    "fmt,ext",
    [
        ("pqmethod", ".DAT"),
        ("kenq-csv", ".csv"),
        ("kade-zip", ".zip"),
        ("xlsx", ".xlsx"),
        ("json", ".json"),
        ("csv", ".csv"),
    ],
)
def test_round_trips_of_the_shipped_studies_are_lossless(tmp_path, qset_file, fmt, ext):
    qset = load_qset(qset_file)
    sim = simulate_sorts(qset.grid, 14, seed=3)
    names = tuple(f"r{j + 1:02d}" for j in range(14))
    table = SortsTable(tuple(qset.statement_ids), names, np.asarray(sim.values, dtype=float))
    texts = [s.text for s in qset.statements]
    path = tmp_path / f"{qset.slug}{ext}"
    write_sorts(table, path, fmt, statements=texts, grid=qset.grid, name=qset.title)
    back = read_sorts(path)
    np.testing.assert_array_equal(back.table.values, table.values)
    assert back.table.sort_ids == names
    if fmt in ("pqmethod", "kade-zip", "xlsx"):
        assert [t.strip() for t in back.statements] == [t.strip() for t in texts]
    if back.grid is not None:
        assert back.grid.counts == qset.grid.counts and back.grid.values == qset.grid.values


LIPSET_DAT = (INTEROP / "kade" / "LIPSET.DAT").read_bytes()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("truncated.DAT", LIPSET_DAT[:-25], r"truncated\.DAT, line 11 \(sort 'FR9'\): 22 scores"),
        (
            "fewer.DAT",
            LIPSET_DAT[: LIPSET_DAT.index(b"US4")],
            r"line 1 declares 9 sorts but the file has 3",
        ),
        (
            "count.DAT",
            LIPSET_DAT.replace(b"  0  9 33", b"  0  9 35", 1),
            r"count\.DAT: the column counts on line 2 add up to 33 "
            r"but line 1 declares 35 statements",
        ),
        ("empty.csv", b"", "is empty"),
        ("nosorts.csv", b"participants,s1,s2,s3\r\n", r"nosorts\.csv"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "is a PNG image"),
        ("binary.csv", b"statement,a\n1,\x00\x01\x02\n", "binary data"),
    ],
)
def test_broken_files_get_one_line_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message) as info:
        read_sorts(path)
    text = str(info.value)
    assert "\n" not in text and str(path) in text


def test_undecodable_bytes_with_a_given_encoding(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("statement,Zoë,Ana\n1,1,-1\n2,-1,1\n".encode("cp1252"))
    with pytest.raises(ValidationError, match=r"cp1252\.csv:1: byte 0xeb is not utf-8 text"):
        read_sorts(path, encoding="utf-8")
    assert read_sorts(path, encoding="cp1252").table.sort_ids == ("Zoë", "Ana")
    assert read_sorts(path).table.sort_ids == ("Zoë", "Ana")  # detected


SAMPLES = [INTEROP / "kade" / "LIPSET.DAT", INTEROP / "kade" / "lipsetCsvQsorts.csv",
           INTEROP / "kade" / "ipad_sorts.json", INTEROP / "kenq-demo" / "lipset" / "sorts.csv",
           INTEROP / "eq-web-sort" / "sampleResults.json",
           INTEROP / "kade" / "testExcelImport---type-2---lipset.xlsx"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_mutated_real_files_raise_only_poetq_errors(tmp_path, sample, data):
    path = tmp_path / f"mutant{sample.suffix}"
    path.write_bytes(mutate_bytes(data, sample.read_bytes(), max_ops=6))
    fmt = data.draw(st.sampled_from([None, *FORMATS]))
    only_poetq_errors(read_sorts, path, fmt)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(alphabet=st.sampled_from(list('0123456789-+ ,;|\t\r\nabcsS"{}[]:')), max_size=300),
    suffix=st.sampled_from([".csv", ".DAT", ".json", ".txt"]),
)
def test_random_text_raises_only_poetq_errors(tmp_path, text, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_text(text, encoding="utf-8")
    only_poetq_errors(read_sorts, path)
    for fmt in FORMATS:
        only_poetq_errors(read_sorts, path, fmt)


def test_detects_the_format_of_every_sample():
    assert [detect_format(p) for p in SAMPLES] == [
        "pqmethod",
        "kenq-csv",
        "json",
        "csv",
        "json",
        "xlsx",
    ]
