"""Study ownership from the command line: create --owner, share, unshare, list/show name them."""

from __future__ import annotations

from tests_helpers import STATEMENTS

from poetq.cli import cli

JC = STATEMENTS / "joint-commissioning.toml"
PW = "long enough pw"


def run(runner, *args):
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result


def test_owner_share_unshare_and_listing(runner):
    assert run(runner, "init").exit_code == 0
    for who in ("ada", "bob"):
        made = runner.invoke(
            cli, ["user", "create", f"{who}@example.org"], env={"POETQ_PASSWORD": PW}
        )
        assert made.exit_code == 0, made.output
    made = run(runner, "study", "create", str(JC), "--owner", "Ada@Example.org")
    assert made.exit_code == 0, made.output
    assert "study share" not in made.output  # it has an owner: no hint
    listing = run(runner, "study", "list").output
    assert "[ada@example.org]" in listing
    shared = run(runner, "study", "share", "joint-commissioning", "bob@example.org")
    assert shared.exit_code == 0 and "bob@example.org can now see" in shared.output
    again = run(runner, "study", "share", "joint-commissioning", "bob@example.org")
    assert "could already see" in again.output
    shown = run(runner, "study", "show", "joint-commissioning", "--no-statements").output
    assert "ada@example.org (owner), bob@example.org (researcher)" in shown
    gone = run(runner, "study", "unshare", "joint-commissioning", "bob@example.org")
    assert gone.exit_code == 0 and "no longer see" in gone.output
    assert "bob@" not in run(runner, "study", "list").output


def test_a_study_without_owner_says_how_to_share_it_in_one_line(runner):
    run(runner, "init")
    made = run(runner, "study", "create", str(JC), "--slug", "lonely")
    hints = [ln for ln in made.output.splitlines() if "poetq study share lonely EMAIL" in ln]
    assert len(hints) == 1, made.output
    assert "[none]" in run(runner, "study", "list").output
    assert (
        "none (`poetq study share lonely EMAIL`)" in run(runner, "study", "show", "lonely").output
    )


def test_several_owners(runner):
    run(runner, "init")
    for who in ("ada", "bob"):
        runner.invoke(cli, ["user", "create", f"{who}@example.org", "--password-stdin"], input=PW)
    made = run(runner, "study", "create", str(JC), "--owner", "ada@example.org",
               "--owner", "bob@example.org")
    assert made.exit_code == 0, made.output
    shown = run(runner, "study", "show", "joint-commissioning", "--no-statements").output
    assert "ada@example.org (owner), bob@example.org (owner)" in shown
