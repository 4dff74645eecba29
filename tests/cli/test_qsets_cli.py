"""``poetq qset check`` and ``poetq qset list``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from poetq.cli import cli

STATEMENTS = Path(__file__).resolve().parent.parent.parent / "statements"
JC = STATEMENTS / "joint-commissioning.toml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "name,summary",
    [
        ("joint-commissioning", "40 statements, grid -4..+4 (2,3,4,6,10,6,4,3,2), 5 questions"),
        ("co-production", "36 statements, grid -4..+4 (2,3,4,5,8,5,4,3,2), 4 questions"),
        ("lipset", "33 statements, grid -4..+4 (2,3,4,5,5,5,4,3,2), 2 questions"),
    ],
)
def test_check_passes_on_every_shipped_file(name, summary):
    path = str(STATEMENTS / f"{name}.toml")
    result = run("qset", "check", path)
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: OK — {summary}\n"


def test_check_several_files_at_once():
    paths = sorted(
        str(p) for p in STATEMENTS.glob("*.toml") if not p.name.endswith(".viewpoints.toml")
    )
    result = run("qset", "check", *paths)
    assert result.exit_code == 0
    assert result.output.count(": OK — ") == len(paths)


def broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = JC.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {JC.name}"
    text = text.replace(old, new)
    path = tmp_path / "jc.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


def line_with(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if fragment in line)


# (what to break, how, the line that carries the mistake, the message printed after FILE:LINE:)
MISTAKES = [
    pytest.param(
        'title = "Joint', 'titel = "Joint', "titel = ",
        "unknown key 'titel' (did you mean 'title'?)",
        id="misspelt key",
    ),
    pytest.param(
        "counts = [2, 3, 4, 6, 10, 6, 4, 3, 2]",
        "counts = [2, 3, 4, 6, 9, 6, 4, 3, 2]",
        "counts = ",
        "grid.counts: the grid counts add up to 39 (2+3+4+6+9+6+4+3+2) but there are 40 "
        "statements: change the counts so they add up to 40",
        id="counts do not add up",
    ),
    pytest.param(
        'id = "jc13"', 'id = "jc12"  # was jc13', "# was jc13",
        "statement 'jc12': id used more than once (first at line {first})",
        id="duplicate id",
    ),
    pytest.param(
        'text = "Finding out what help is available',
        'text = "" # "Finding out what help is available', 'text = ""',
        "statement 'jc12': no text",
        id="empty statement",
    ),
    pytest.param(
        'kind = "likert"', 'kind = "likret"', 'kind = "likret"',
        "question 'success': unknown kind 'likret' (did you mean 'likert'?): "
        "use one of text, single, multiple, number, likert",
        id="unknown question kind",
    ),
    pytest.param(
        'kind = "text"', 'kind = "single"  # was text', "# was text",
        "question 'comments': a single choice question needs options = [...] (at least 2)",
        id="choice without options",
    ),
    pytest.param(
        "\nthanks = ", "\nthank_you = ", "thank_you = ",
        "texts: unknown stage 'thank_you' (did you mean 'thanks'?): "
        "use welcome, presort, ranking, review, extremes, questions, thanks",
        id="unknown stage",
    ),
    pytest.param(
        "minimum = 0\nmaximum = 60", 'minimum = 0\nmaximum = "60"', 'maximum = "60"',
        "question 'years': maximum must be a number, not text ('60')",
        id="wrong type",
    ),
    pytest.param(
        'id = "jc40"', 'id = "jc40"\nid = "jc41"', 'id = "jc41"',
        "not valid TOML: a key is given twice in the same table (column 12)",
        id="toml syntax",
    ),
]


@pytest.mark.parametrize("old,new,marker,message", MISTAKES)
def test_check_fails_with_the_line_and_a_useful_message(tmp_path, old, new, marker, message):
    path, text = broken_copy(tmp_path, old, new)
    line = line_with(text, marker)
    message = message.replace("{first}", str(line_with(text, 'id = "jc12"')))
    result = run("qset", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}:{line}: {message}" in result.output.splitlines()
    assert all(out.startswith(f"{path}") for out in result.output.splitlines())


def test_every_problem_is_printed_on_its_own_line(tmp_path):
    path, _ = broken_copy(tmp_path, 'title = "Joint', 'titel = "Joint')
    text = path.read_text(encoding="utf-8").replace('kind = "likert"', 'kind = "likret"')
    path.write_text(text, encoding="utf-8")
    ok = str(STATEMENTS / "lipset.toml")
    result = run("qset", "check", str(path), ok)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f'{path}: no title: add title = "…"'
    assert lines[1].startswith(f"{path}:12: unknown key 'titel'")
    assert "unknown kind 'likret'" in lines[2]
    assert lines[3].startswith(f"{ok}: OK — 33 statements")


def test_a_missing_file_is_a_one_line_error(tmp_path):
    result = run("qset", "check", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    assert result.output == f"Error: no such Q-set file: {tmp_path / 'nope.toml'}\n"


def test_check_needs_a_file():
    result = run("qset", "check")
    assert result.exit_code == 2
    assert "Missing argument 'FILE...'" in result.output


def test_list_shows_the_shipped_qsets():
    result = run("qset", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["slug", "statements", "title"]
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines[1:]}
    assert rows["joint-commissioning"] == ["40", "Joint commissioning in health and social care"]
    assert rows["co-production"][0] == "36"
    assert rows["lipset"][0] == "33"


@pytest.mark.parametrize("args", [["qset"], ["qset", "check"], ["qset", "list"]])
def test_help_ends_with_an_example(args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert re.search(r"Example:\n +poetq qset", result.output)
