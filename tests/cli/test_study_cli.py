"""The researcher CLI: init, study create/list/show/open/close/invite, user create."""

from __future__ import annotations

import shutil

import pytest
from tests_helpers import STATEMENTS, snapshot

from poetq.cli import cli
from poetq.store import make_engine

JC = STATEMENTS / "joint-commissioning.toml"


def run(runner, *args, input=None):
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def inited(runner):
    result = run(runner, "init")
    assert result.exit_code == 0, result.output
    assert "Created the poetq database" in result.output
    return runner


def test_init_is_idempotent_and_loads_examples(inited):
    result = run(inited, "init", "--examples")
    assert result.exit_code == 0
    assert "up to date" in result.output
    assert "joint-commissioning" in result.output and "lipset" in result.output
    again = run(inited, "init", "--examples")
    assert "Already there" in again.output
    listing = run(inited, "study", "list")
    for slug in ("joint-commissioning", "co-production", "lipset"):
        assert slug in listing.output


def test_create_list_show_open_close(inited, tmp_path):
    copy = tmp_path / "jc.toml"
    shutil.copy(JC, copy)
    result = run(inited, "study", "create", str(copy), "--slug", "jc")
    assert result.exit_code == 0, result.output
    assert "Created study 'jc'" in result.output
    listing = run(inited, "study", "list")
    assert "jc" in listing.output and "draft" in listing.output
    shown = run(inited, "study", "show", "jc")
    assert "-4..+4 (2,3,4,6,10,6,4,3,2)" in shown.output
    first_lines = shown.output
    copy.write_text(copy.read_text(encoding="utf-8").replace("should", "SHOULD"), encoding="utf-8")
    assert run(inited, "study", "show", "jc").output == first_lines
    assert "now open" in run(inited, "study", "open", "jc").output
    assert "already open" in run(inited, "study", "open", "jc").output
    assert "now closed" in run(inited, "study", "close", "jc").output
    assert (
        "may be finished until" in run(inited, "study", "close", "jc", "--grace-hours", "48").output
    )
    assert "closed" in run(inited, "study", "list").output


def test_invite_prints_codes(inited):
    run(inited, "study", "create", str(JC))
    result = run(inited, "study", "invite", "joint-commissioning", "--count", "3")
    assert result.exit_code == 0
    assert len(result.output.split()) == 3


def test_user_create_prompts_for_password(inited):
    result = run(
        inited, "user", "create", "ada@example.org", input="a long password\na long password\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created researcher account ada@example.org" in result.output
    assert "a long password" not in result.output.split("Repeat")[-1].replace("Password", "")


def broken_qset(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(JC.read_text(encoding="utf-8").replace("[grid]", "[grid\n"), encoding="utf-8")
    return bad


BAD_COMMANDS = [
    ("study", "create", "{missing}"),
    ("study", "create", "{bad}"),
    ("study", "create", "{jc}", "--slug", "Bad Slug"),
    ("study", "create", "{jc}"),  # second time: slug taken
    ("study", "show", "nope"),
    ("study", "open", "nope"),
    ("study", "close", "joint-commissioning"),  # a draft cannot be closed
    ("study", "invite", "nope", "--count", "2"),
    ("study", "invite", "joint-commissioning", "--count", "0"),
    ("user", "create", "not-an-email", "--password-stdin", "<long enough pw"),
    ("user", "create", "ada@example.org", "--password-stdin", "<short"),
    ("user", "create", "ada@example.org", "--password-stdin", "<password12"),
    ("user", "create", "ada@example.org", "--password", "long enough pw"),  # visible in ps
    ("user", "create", "dup@example.org", "--password-stdin", "<long enough pw"),
    ("user", "password", "nobody@example.org", "--password-stdin", "<long enough pw"),
    ("user", "password", "dup@example.org", "--password-stdin", "<password123456"),
    ("user", "disable", "nobody@example.org"),
    ("study", "create", "{jc}", "--slug", "jc2", "--owner", "nobody@example.org"),
    ("study", "create", "{jc}", "--slug", "jc2", "--owner", "dup@example.org", "--owner", "x"),
    ("study", "share", "joint-commissioning", "nobody@example.org"),
    ("study", "share", "joint-commissioning", "not-an-email"),
    ("study", "share", "nope", "dup@example.org"),
    ("study", "unshare", "joint-commissioning", "dup@example.org"),  # not a researcher of it
    ("study", "unshare", "nope", "dup@example.org"),
    ("study", "delete", "nope"),
    ("study", "delete", "joint-commissioning", "<joint-commision"),  # mistyped when asked
    ("study", "delete", "joint-commissioning", "<"),  # nothing typed
    ("study", "delete", "joint-commissioning", "--confirm", "jc"),
    ("study", "duplicate", "nope", "jc2"),
    ("study", "duplicate", "joint-commissioning", "Bad Slug"),
    ("study", "duplicate", "joint-commissioning", "joint-commissioning"),  # taken
    ("study", "duplicate", "joint-commissioning", "jc2", "--owner", "nobody@example.org"),
]


@pytest.mark.parametrize("args", BAD_COMMANDS, ids=lambda a: " ".join(a))
def test_bad_input_gives_one_line_and_changes_nothing(inited, database_url, tmp_path, args):
    run(inited, "study", "create", str(JC))
    run(inited, "user", "create", "dup@example.org", "--password-stdin", input="long enough pw\n")
    engine = make_engine(database_url)
    before = snapshot(engine)
    values = {
        "missing": str(tmp_path / "missing.toml"),
        "bad": str(broken_qset(tmp_path)),
        "jc": str(JC),
    }
    stdin = "".join(a[1:] + "\n" for a in args if a.startswith("<"))  # "<text": standard input
    args = [a.format(**values) for a in args if not a.startswith("<")]
    result = inited.invoke(cli, args, input=stdin)
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("Error") or "Usage" in result.output, result.output
    assert "Traceback" not in result.output
    error_lines = [ln for ln in lines if ln.startswith("Error")]
    assert len(error_lines) == 1, result.output
    assert snapshot(engine) == before
    engine.dispose()


def test_commands_before_init_say_run_init(runner):
    result = runner.invoke(cli, ["study", "list"])
    assert result.exit_code == 1
    assert "poetq init" in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help_with_an_example(runner):
    from tests_helpers import walk_commands

    for path, _command in walk_commands(cli):
        result = runner.invoke(cli, [*path.split()[1:], "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"{path} --help has no example"


def test_duplicate_and_delete_a_study(inited, database_url):
    from sqlalchemy import func, select

    from poetq.store.models import Invitation, Respondent, Response, Study, StudyResearcher

    run(inited, "user", "create", "ada@example.org", "--password-stdin", input="long enough pw\n")
    run(inited, "study", "create", str(JC), "--owner", "ada@example.org")
    run(inited, "study", "open", "joint-commissioning")
    assert run(inited, "simulate", "joint-commissioning", "--study", "joint-commissioning",
               "--respondents", "6").exit_code == 0
    run(inited, "study", "invite", "joint-commissioning", "--count", "2")
    copied = run(inited, "study", "duplicate", "joint-commissioning", "jc-2027",
                 "--owner", "ada@example.org")
    assert "Copied study 'joint-commissioning' to a new draft 'jc-2027'" in copied.output
    shown = run(inited, "study", "show", "jc-2027").output
    assert "ada@example.org" in shown and "draft" in shown

    # an open study is closed first; nothing is asked
    refused = inited.invoke(cli, ["study", "delete", "joint-commissioning"], input="x\n")
    assert refused.exit_code == 1 and "close it before deleting it" in refused.output
    assert "Type the study" not in refused.output
    run(inited, "study", "close", "joint-commissioning")
    done = run(inited, "study", "delete", "joint-commissioning", input="joint-commissioning\n")
    assert done.exit_code == 0, done.output
    assert "its 6 responses, its invitation codes" in done.output
    assert "poetq backup poetq-before-deleting.poetq.gz" in done.output
    assert "Deleted study 'joint-commissioning' and its 6 responses." in done.output
    # a draft, without being asked
    assert run(inited, "study", "delete", "jc-2027", "--confirm", "jc-2027").exit_code == 0
    engine = make_engine(database_url)
    with engine.connect() as conn:
        for model in (Study, Response, Respondent, Invitation, StudyResearcher):
            assert conn.scalar(select(func.count()).select_from(model)) == 0, model
    engine.dispose()
