"""Co-researchers: the README's study path end to end, and owners sharing in the browser."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from research_helpers import PASSWORD, post, sign_in
from tests_helpers import STATEMENTS, snapshot

from poetq.cli import cli

JC = STATEMENTS / "joint-commissioning.toml"


def _cli(database_url, *args, input=None):
    result = CliRunner().invoke(cli, [*args, "--database-url", database_url], input=input,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_readme_study_path(app, database_url):
    """README: `poetq init`, `poetq user create`, `poetq study create --owner`, sign in, share."""
    _cli(database_url, "init")
    for who in ("me", "colleague", "stranger"):
        _cli(
            database_url, "user", "create", f"{who}@uni.example", "--password-stdin", input=PASSWORD
        )
    _cli(database_url, "study", "create", str(JC), "--owner", "me@uni.example")
    me, colleague, stranger = (app.test_client() for _ in range(3))
    sign_in(me, "me@uni.example")
    assert "Joint commissioning" in me.get("/research/").text
    assert me.get("/research/studies/joint-commissioning").status_code == 200
    sign_in(colleague, "colleague@uni.example")
    assert colleague.get("/research/studies/joint-commissioning").status_code == 404
    _cli(database_url, "study", "share", "joint-commissioning", "colleague@uni.example")
    assert "Joint commissioning" in colleague.get("/research/").text
    assert colleague.get("/research/studies/joint-commissioning").status_code == 200
    assert colleague.get("/research/studies/joint-commissioning/analysis").status_code == 200
    sign_in(stranger, "stranger@uni.example")
    assert "Joint commissioning" not in stranger.get("/research/").text
    assert stranger.get("/research/studies/joint-commissioning").status_code == 404


def test_an_owner_adds_and_removes_a_co_researcher(ada_client, ada_study, bob, client, app):
    url = f"/research/studies/{ada_study.slug}"
    r = post(ada_client, f"{url}/researchers", {"email": "BOB@example.org"}, token_from=url)
    assert r.status_code == 302
    page = ada_client.get(url).text
    assert "bob@example.org" in page and "co-researcher" in page
    other = app.test_client()
    sign_in(other, bob.email)
    assert other.get(url).status_code == 200
    # a co-researcher sees the study but cannot change who else does
    r = post(other, f"{url}/researchers", {"email": "ada@example.org"}, token_from=url)
    assert r.status_code == 409 and "only an owner" in r.text
    assert "Add a co-researcher" not in other.get(url).text
    r = post(ada_client, f"{url}/researchers/remove", {"email": "bob@example.org"}, token_from=url)
    assert r.status_code == 302
    assert other.get(url).status_code == 404


def test_bad_sharing_input_is_refused_and_changes_nothing(ada_client, ada_study, bob_study, engine):
    url = f"/research/studies/{ada_study.slug}"
    before = snapshot(engine)
    cases = [
        (f"{url}/researchers", {"email": "nobody@example.org"}, 400, "no account for nobody@"),
        (f"{url}/researchers", {"email": "not an e-mail"}, 400, "is not an email address"),
        (f"{url}/researchers", {"email": "x" * 300 + "@example.org"}, 400, "Please check"),
        (f"{url}/researchers", {}, 400, "Please check"),
        (f"{url}/researchers/remove", {"email": "ada@example.org"}, 409, "at least one owner"),
        (f"{url}/researchers/remove", {"email": "bob@example.org"}, 400, "not a researcher"),
        (f"{url}/researchers/remove", {"email": "<script>"}, 400, "not an email"),
        ("/research/studies/bobs-study/researchers", {"email": "ada@example.org"}, 404, ""),
    ]
    for target, data, status, text in cases:
        r = post(ada_client, target, data, token_from=url)
        assert r.status_code == status, (target, data, r.text[:800])
        assert text in r.text and "Traceback" not in r.text
    r = ada_client.post(f"{url}/researchers", data={"email": "bob@example.org"})  # no CSRF token
    assert r.status_code == 400
    assert snapshot(engine) == before


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_SHARE": [4, 0.001]}])
def test_trying_addresses_is_bounded_per_researcher(ada_client, ada_study, bob, bob_study, app,
                                                    engine):
    """Each address tried says whether it has an account: an owner cannot run a list."""
    url = f"/research/studies/{ada_study.slug}"
    for k in range(3):
        r = post(ada_client, f"{url}/researchers", {"email": f"guess{k}@example.org"},
                 token_from=url)
        assert r.status_code == 400 and f"no account for guess{k}@" in r.text
    r = post(ada_client, f"{url}/researchers", {"email": "bob@example.org"}, token_from=url)
    assert r.status_code == 302  # the fourth try, an account: added
    before = snapshot(engine)
    for email in ("guess9@example.org", "bob@example.org"):  # found or not: no answer now
        r = post(ada_client, f"{url}/researchers", {"email": email}, token_from=url)
        assert r.status_code == 429 and r.headers["Retry-After"] == "1000"
        assert "You have tried 4 addresses in a short time. Wait 17 minutes" in r.text
        assert "no account" not in r.text and "could already" not in r.text
    assert snapshot(engine) == before
    # the limit is each researcher's own: Bob, from the same address, still gets answers
    other = app.test_client()
    sign_in(other, bob.email)
    r = post(other, "/research/studies/bobs-study/researchers", {"email": "nobody@example.org"},
             token_from="/research/studies/bobs-study")
    assert r.status_code == 400 and "no account for nobody@" in r.text
