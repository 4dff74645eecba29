"""Format names, guessing and clear errors for wrong files; every writer round-trips."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from tests_helpers import interop_dir

from poetq.errors import NotFoundError, ValidationError
from poetq.formats.registry import FORMATS, detect_format, output_format, read_sorts, write_sorts
from poetq.formats.sorts_csv import read_sorts_csv

TESTS = Path(__file__).resolve().parent.parent
INTEROP = interop_dir()
SHARED = INTEROP
LIPSET = read_sorts_csv(TESTS / "data" / "lipset" / "sorts.csv")
STATEMENTS = (
    (INTEROP / "kenq-demo" / "lipset" / "statements.txt").read_text(encoding="utf-8").splitlines()
)


@pytest.mark.parametrize("rel,fmt", [
    ("kade/LIPSET.DAT", "pqmethod"),
    ("kade/lipsetCsvQsorts.csv", "kenq-csv"),
    ("kade/ipad_sorts.json", "json"),
    ("eq-web-sort/sampleResults.json", "json"),
    ("kade/testExcelImport---type-2---lipset.xlsx", "xlsx"),
    ("kenq-demo/lipset/sorts.csv", "csv"),
])
def test_detect(rel, fmt):
    assert detect_format(INTEROP / rel) == fmt


def test_same_values_from_every_lipset_file():
    for rel in ("kade/LIPSET.DAT", "kade/lipsetCsvQsorts.csv", "kenq-demo/lipset/sorts.csv",
                "kade/testExcelImport---type-2---lipset.xlsx"):
        imported = read_sorts(INTEROP / rel)
        assert imported.table.values.shape == (33, 9), rel
        np.testing.assert_array_equal(imported.table.values, LIPSET.values, err_msg=rel)
        assert imported.table.sort_ids == LIPSET.sort_ids, rel


def test_dat_brings_its_sta():
    imported = read_sorts(INTEROP / "kade" / "LIPSET.DAT")
    assert (
        imported.statements[0] == "We accept improvements in status and power of lower class"
    )  # design digit dropped
    assert imported.name.startswith("Lipset Study")


@pytest.mark.parametrize("fmt", [n for n, f in FORMATS.items() if f.write is not None])
def test_every_writer_round_trips(tmp_path, fmt):
    ext = {"pqmethod": ".DAT", "kade-zip": ".zip", "json": ".json", "xlsx": ".xlsx"}.get(
        fmt, ".csv"
    )
    path = tmp_path / f"out{ext}"
    write_sorts(LIPSET, path, fmt, statements=STATEMENTS, name="Lipset")
    assert detect_format(path) == fmt
    back = read_sorts(path)
    np.testing.assert_array_equal(back.table.values, LIPSET.values)
    assert back.table.sort_ids == LIPSET.sort_ids
    if fmt in ("pqmethod", "kade-zip", "xlsx"):
        assert list(back.statements) == STATEMENTS


def test_png_named_csv(tmp_path):
    fake = tmp_path / "sorts.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(ValidationError, match=r"is a PNG image, not a CSV file$"):
        read_sorts(fake)
    with pytest.raises(ValidationError, match="is a PNG image"):
        read_sorts(fake, "kenq-csv")


def test_kade_png_named_csv():
    path = SHARED / "kade" / "errorCSVsorts.csv"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI needs ../shared/interop")
        pytest.skip(f"{path} is not here")
    with pytest.raises(ValidationError, match="is a PNG image, not a CSV file"):
        read_sorts(path)


def test_empty_file():
    with pytest.raises(ValidationError, match="is empty: expected a CSV file"):
        read_sorts(INTEROP / "kade" / "lipsetCsvQsorts---error---no-sorts.csv")


def test_other_wrong_files(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"")
    shutil.make_archive(str(tmp_path / "b"), "zip", root_dir=INTEROP / "htmlq")
    with pytest.raises(ValidationError, match="neither an Excel workbook nor a KADE zip"):
        read_sorts(tmp_path / "b.zip")
    with pytest.raises(NotFoundError, match="no sorts file"):
        read_sorts(tmp_path / "missing.csv")
    with pytest.raises(ValidationError, match="unknown format 'sav'"):
        read_sorts(INTEROP / "kade" / "LIPSET.DAT", "sav")
    with pytest.raises(ValidationError, match="cannot tell the format of out.txt"):
        output_format("out.txt")
    with pytest.raises(ValidationError, match="expected one row per sort"):
        read_sorts(INTEROP / "kade" / "csvLipsetStatements.txt")
