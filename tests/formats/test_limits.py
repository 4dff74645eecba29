"""Bounded imports: a zip bomb, an xlsx bomb and a 50 MB CSV each fail in one line, within
10 s and under 300 MB of memory (measured on the whole `poetq convert` process)."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from poetq.errors import ValidationError
from poetq.formats import limits, registry


def _kade_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("sorts.txt", "w", force_zip64=True) as fh:
            fh.write(b"participants,s1,s2,s3\n")
            block = b"p,1,0,-1\n" * 100_000
            for _ in range(100):  # 90 MB unpacked, under 1 MB packed
                fh.write(block)
        zf.writestr("statements.txt", "a\nb\nc\n")
    return path


def _workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "sorts"
    for row in (["Project Name"], ["x"], [], ["participants", "s1", "s2", "s3"], ["p1", 1, 0, -1],
                ["p2", -1, 0, 1]):
        ws.append(row)
    wb.save(path)
    return path


def _xlsx_bomb(path: Path, member: str) -> Path:
    """A real workbook plus a huge, highly compressible part (shared strings or a sheet)."""
    small = _workbook(path.with_name("small.xlsx"))
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                        compresslevel=1) as out:
        for info in src.infolist():
            if info.filename != member:
                out.writestr(info, src.read(info.filename))
        with out.open(member, "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main">')
            block = b"<si><t>aaaaaaaaaa</t></si>" * 40_000
            for _ in range(100):  # 100 MB unpacked
                fh.write(block)
            fh.write(b"</sst>")
    return path


def _big_csv(path: Path) -> Path:
    row = "p," + ",".join(["-4", "-3", "0", "3", "4"] * 8) + "\n"
    header = "participants," + ",".join(f"s{k}" for k in range(1, 41)) + "\n"
    with open(path, "w") as fh:
        fh.write(header)
        fh.write(row * (50 * 1024 * 1024 // len(row) + 1))
    return path


BOMBS = {
    "zip bomb": (lambda d: _kade_bomb(d / "bomb.zip"), "unpacks to"),
    "xlsx shared-strings bomb": (
        lambda d: _xlsx_bomb(d / "bomb.xlsx", "xl/sharedStrings.xml"),
        "shared strings",
    ),
    "xlsx sheet bomb": (
        lambda d: _xlsx_bomb(d / "sheet.xlsx", "xl/worksheets/sheet1.xml"),
        "unpacks to",
    ),
    "50 MB CSV": (lambda d: _big_csv(d / "big.csv"), "at most 16 MB"),
}


# poetq run in a child that writes its own peak resident memory (VmHWM, kB) when it exits.
# Not the child's ru_maxrss: Linux carries the high-water mark across exec, so a child forked
# from a large pytest process reports the parent's size, not its own.
PEAK_MEMORY = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status, open(out, "w") as fh:
        fh.write(next(line for line in status if line.startswith("VmHWM")).split()[1])
atexit.register(peak)
sys.argv[0] = "poetq"
runpy.run_module("poetq", run_name="__main__")
"""


@pytest.mark.parametrize("kind", BOMBS)
def test_a_bomb_fails_in_one_line_quickly_and_in_little_memory(tmp_path, kind):
    make, message = BOMBS[kind]
    path = make(tmp_path)
    with pytest.raises(ValidationError, match=message):
        registry.read_sorts(path)
    err = tmp_path / "stderr.txt"
    hwm = tmp_path / "hwm.txt"
    t0 = time.monotonic()
    with open(err, "w") as fh:
        proc = subprocess.run([sys.executable, "-c", PEAK_MEMORY, str(hwm), "convert", str(path),
                               str(tmp_path / "o.csv")], stdout=subprocess.DEVNULL, stderr=fh,
                              timeout=60)
    seconds = time.monotonic() - t0
    stderr = err.read_text()
    assert proc.returncode == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], stderr
    assert seconds < 10
    assert int(hwm.read_text()) < 300 * 1024  # kB


def test_too_many_lines_or_cells_are_refused_before_parsing():
    with pytest.raises(ValidationError, match="lines"):
        limits.check_text("x\n" * (limits.MAX_LINES + 1), "f.csv")
    with pytest.raises(ValidationError, match="cells"):
        limits.check_text(",".join(["1"] * (limits.MAX_CELLS + 1)), "f.csv")
    limits.check_text("participants,s1\np1,1\n", "f.csv")


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValidationError, match="nested too deeply"):
        registry.read_sorts(path)


def test_a_sheet_with_too_many_cells_is_refused_while_streamed(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "w.xlsx")
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    with pytest.raises(ValidationError, match="cells in a sheet"):
        registry.read_sorts(path)
