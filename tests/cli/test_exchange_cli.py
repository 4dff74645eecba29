"""poetq convert / poetq export from the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tests_helpers import interop_dir, mini_study_with_sorts

from poetq.cli import cli
from poetq.formats.registry import read_sorts
from poetq.formats.sorts_csv import read_sorts_csv

TESTS = Path(__file__).resolve().parent.parent
INTEROP = interop_dir()
LIPSET = read_sorts_csv(TESTS / "data" / "lipset" / "sorts.csv")


@pytest.fixture
def cli_runner(tmp_path, monkeypatch):
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return CliRunner()


def test_convert_dat_to_zip_and_back_is_byte_exact(cli_runner, tmp_path):
    result = cli_runner.invoke(
        cli, ["convert", str(INTEROP / "kade" / "LIPSET.DAT"), str(tmp_path / "l.zip")]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 9 sorts × 33 statements" in result.output and "(kade-zip)" in result.output
    result = cli_runner.invoke(cli, ["convert", str(tmp_path / "l.zip"), str(tmp_path / "L.DAT")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "L.DAT").read_bytes() == (INTEROP / "kade" / "LIPSET.DAT").read_bytes()


def test_convert_with_explicit_formats(cli_runner, tmp_path):
    out = tmp_path / "sorts.txt"
    result = cli_runner.invoke(
        cli,
        [
            "convert",
            str(INTEROP / "kade" / "lipsetCsvQsorts.csv"),
            str(out),
            "--from",
            "kenq-csv",
            "--to",
            "htmlq",
        ],
    )
    assert result.exit_code == 0, result.output
    back = read_sorts(out, "htmlq")
    np.testing.assert_array_equal(back.table.values, LIPSET.values)


@pytest.mark.parametrize("args,message", [
    (["{empty}", "{tmp}/x.csv"], "is empty"),
    (["{missing}", "{tmp}/x.csv"], "no sorts file"),
    (["{dat}", "{tmp}/x.txt"], "cannot tell the format"),
    (["{dat}", "{tmp}/x.csv", "--to", "spss"], "Invalid value for '--to'"),
])
def test_convert_errors_are_one_line(cli_runner, tmp_path, args, message):
    subst = {"{empty}": str(INTEROP / "kade" / "lipsetCsvQsorts---error---no-sorts.csv"),
             "{missing}": str(tmp_path / "nope.csv"), "{dat}": str(INTEROP / "kade" / "LIPSET.DAT")}
    argv = [subst.get(a, a.replace("{tmp}", str(tmp_path))) for a in args]
    result = cli_runner.invoke(cli, ["convert", *argv])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
    if "Invalid value" not in message:
        assert result.output.strip().count("\n") == 0


def test_help_ends_with_example(cli_runner):
    for command in ("convert", "export"):
        text = cli_runner.invoke(cli, [command, "--help"]).output
        assert "Example:\n    poetq " + command in text


def test_export_a_study(runner, database_url, tmp_path):
    from poetq.domain import Grid

    assert runner.invoke(cli, ["init"]).exit_code == 0
    grid = Grid.symmetric([1, 2, 3, 2, 1])
    sim = mini_study_with_sorts(database_url, 4, name="Participant{j}")
    result = runner.invoke(cli, ["export", "mini", str(tmp_path / "MINI.DAT")])
    assert result.exit_code == 0, result.output
    assert "Wrote 4 sorts × 9 statements of 'mini'" in result.output
    back = read_sorts(tmp_path / "MINI.DAT")
    np.testing.assert_array_equal(back.table.values, sim.values)
    assert back.table.sort_ids == ("Particip", "Partici2", "Partici3", "Partici4")
    assert back.statements == tuple(f"Text {i}" for i in range(9)) and back.grid == grid
    result = runner.invoke(cli, ["export", "mini", str(tmp_path / "m.csv"), "--format", "kenq-csv"])
    assert result.exit_code == 0, result.output
    assert read_sorts(tmp_path / "m.csv").table.sort_ids == tuple(
        f"Participant{j}" for j in range(4)
    )
    result = runner.invoke(cli, ["export", "nope", str(tmp_path / "n.csv")])
    assert result.exit_code == 1 and "nope" in result.output


def test_import_sorts_as_forced_names_us1():
    from poetq.errors import ValidationError
    from poetq.services.exchange import import_sorts

    table, statements, grid = import_sorts(INTEROP / "kade" / "LIPSET.DAT", forced=True)
    np.testing.assert_array_equal(table.values, LIPSET.values)
    assert len(statements) == 33 and grid.counts == (2, 3, 4, 5, 5, 5, 4, 3, 2)
    with pytest.raises(ValidationError) as exc:
        import_sorts(INTEROP / "kade" / "lipsetCsvQsorts---unforced-1.csv", forced=True)
    assert str(exc.value).startswith("sort 'US1' does not follow the grid")
    table, _, _ = import_sorts(INTEROP / "kade" / "lipsetCsvQsorts---unforced-1.csv")
    assert table.values[1, 0] == 1


def test_service_write_workbook(tmp_path):
    from poetq.analysis import analyse
    from poetq.errors import ValidationError
    from poetq.services.exchange import write_workbook

    result = analyse(LIPSET.values, 2, sort_ids=LIPSET.sort_ids, statement_ids=LIPSET.statement_ids)
    assert write_workbook(result, tmp_path / "r.xlsx").is_file()
    with pytest.raises(ValidationError, match="is a directory"):
        write_workbook(result, tmp_path)
