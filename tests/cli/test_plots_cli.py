"""`poetq plot` and `poetq report`: files written, one-line errors, help with an example."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from tests_helpers import ROOT, STATEMENTS

from poetq.cli import cli

SORTS = str(ROOT / "tests" / "data" / "lipset" / "sorts.csv")
QSET = str(STATEMENTS / "lipset.toml")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line_error(r, message: str) -> None:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 1, r.output
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], r.output


def test_plot_writes_the_file_its_extension_names(tmp_path):
    for kind, ext, extra in [("composite", "svg", ["--factor", "2"]),
                             ("composite", "pdf", ["--statements", QSET, "--text"]),
                             ("loadings", "png", ["--pair", "1", "3"]),
                             ("heatmap", "pdf", []),
                             ("scree", "svg", ["--iterations", "10"]),
                             ("zscores", "png", ["--statements", QSET, "--select", "1,5,9"]),
                             ("bootstrap", "png", ["--steps", "5", "--factor", "3"])]:
        out = tmp_path / f"{kind}.{ext}"
        r = run(
            "plot",
            SORTS,
            "--factors",
            "3",
            "--kind",
            kind,
            *extra,
            "--out",
            str(out),
            "--dpi",
            "60",
        )
        assert r.exit_code == 0, r.output
        assert r.output == f"Wrote {out}\n"
        assert out.stat().st_size > 2000
        head = out.read_bytes()[:8]
        assert head.startswith({"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF-"}[ext])


def test_plot_all_to_a_folder_or_a_file_stem(tmp_path):
    r = run("plot", SORTS, "--factors", "3", "--kind", "all", "--iterations", "10",
            "--out", str(tmp_path / "figs"), "--format", "svg", "--dpi", "60")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(
        ["composite-f1.svg", "composite-f2.svg", "composite-f3.svg", "loadings-f1-f2.svg",
         "heatmap.svg", "scree.svg", "zscores.svg"])
    r = run("plot", SORTS, "--factors", "2", "--kind", "all", "--steps", "4", "--iterations", "10",
            "--out", str(tmp_path / "lipset.png"), "--dpi", "50", "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert len(r.output.splitlines()) == 2 + 4 + 2
    assert (tmp_path / "lipset-bootstrap-f2.png").is_file()


@pytest.mark.parametrize("args,message", [
    (["--factor", "5"], "there is no factor 5: choose 1 to 3"),
    (["--kind", "pie"], "unknown kind of plot 'pie'"),
    (["--kind", "loadings", "--pair", "1", "9"], "there is no factor 9"),
    (["--kind", "zscores", "--select", "1,x"], "numbers separated by commas"),
    (["--kind", "zscores", "--select", "1,99"], "no statement number 99"),
    (["--statements", "1,5"], "use --select 1,5"),
    (["--statements", "nope.toml"], "no Q-set file at nope.toml"),
    (["--statements", str(STATEMENTS / "joint-commissioning.toml")], "does not match the sorts"),
    (["--text"], "needs the Q-set"),
])
def test_plot_bad_requests_get_one_line(tmp_path, args, message):
    one_line_error(
        run("plot", SORTS, "--factors", "3", *args, "--out", str(tmp_path / "x.png")), message
    )


def test_unwritable_paths_get_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    for args, message in [
        (["plot", "--out", str(tmp_path / "nope" / "x.png")], "does not exist"),
        (["plot", "--out", str(tmp_path / "x.txt")], ".png, .tif, .svg, .pdf or .eps"),
        (["plot", "--kind", "all", "--out", str(tmp_path / "file")], "is a file, not a folder"),
        (["report", "--out", str(tmp_path / "x.doc")], ".html, .pdf or .docx"),
        (["report", "--out", str(tmp_path / "nope" / "r.html")], "does not exist"),
    ]:
        command, *rest = args
        one_line_error(run(command, SORTS, "--factors", "3", "--iterations", "5", *rest), message)


def test_report_html_and_pdf(tmp_path):
    for name in ("r.html", "r.pdf"):
        r = run("report", SORTS, "--factors", "3", "--statements", QSET, "--iterations", "10",
                "--steps", "4", "--out", str(tmp_path / name))
        assert r.exit_code == 0, r.output
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<img ") == 7 + 3


@pytest.mark.parametrize("command", ["plot", "report"])
def test_help_ends_with_an_example(command):
    r = run(command, "--help")
    assert r.exit_code == 0
    text = r.output.split("Options:")[0].rstrip()
    example = text.split("Example:")[-1]
    assert "Example:" in text and f"poetq {command} " in example
