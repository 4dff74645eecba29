"""Sessions that end: sign-out everywhere, a lifetime, password change, disabling, a lockout
that nobody can aim at someone else's account, and sign-in time that does not tell whether an
account exists."""

from __future__ import annotations

import pytest
from research_helpers import PASSWORD, csrf, post, sign_in

from poetq.services import users
from poetq.store.models import Researcher

NEW = "a brand new long passphrase"


def _copy_cookie(source, target) -> None:
    """What someone who copied the session cookie has: the same cookie in another browser."""
    cookie = source.get_cookie("session")
    target.set_cookie(cookie.key, cookie.value)


def test_a_copied_session_cookie_stops_working_at_sign_out(app, client, ada):
    sign_in(client, ada.email)
    thief = app.test_client()
    _copy_cookie(client, thief)
    assert thief.get("/research/").status_code == 200
    assert post(client, "/research/sign-out").status_code == 302
    assert thief.get("/research/").status_code == 302  # back to sign-in


def test_sessions_have_a_lifetime(app, client, ada):
    assert app.permanent_session_lifetime.total_seconds() <= 24 * 3600
    r = sign_in(client, ada.email)
    assert "Expires=" in r.headers["Set-Cookie"]


@pytest.mark.parametrize("app_config", [{"PERMANENT_SESSION_LIFETIME": 1}])
def test_an_idle_session_ends(client, ada, app_config, monkeypatch):
    import time

    sign_in(client, ada.email)
    assert client.get("/research/").status_code == 200
    time.sleep(2.1)
    assert client.get("/research/").status_code == 302


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_SIGN_IN": [20, 1]}])
def test_changing_one_s_password(app, client, ada, session, app_config):
    sign_in(client, ada.email)
    other = app.test_client()
    sign_in(other, ada.email)
    page = client.get("/research/account/password")
    assert page.status_code == 200 and "Current password" in page.text
    url = "/research/account/password"
    for data, message in (
        ({"current": "wrong one", "new": NEW, "confirm": NEW}, "current password is not right"),
        ({"current": PASSWORD, "new": "password1234", "confirm": "password1234"}, "too common"),
        ({"current": PASSWORD, "new": NEW, "confirm": NEW + "x"}, "differ"),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "at least 12"),
    ):
        r = post(client, url, data, token_from=url)
        assert r.status_code == 400 and message in r.text, message
    r = post(client, url, {"current": PASSWORD, "new": NEW, "confirm": NEW}, token_from=url)
    assert r.status_code == 302
    assert client.get("/research/").status_code == 200  # this browser stays signed in
    assert other.get("/research/").status_code == 302  # every other session has ended
    fresh = app.test_client()
    r = fresh.post("/research/sign-in", data={"csrf_token": csrf(fresh), "email": ada.email,
                                              "password": PASSWORD})
    assert r.status_code == 400
    sign_in(fresh, ada.email, NEW)


def test_a_disabled_account_is_signed_out_and_cannot_sign_in(client, ada, session):
    sign_in(client, ada.email)
    users.disable_user(session, ada.email)
    session.commit()
    assert client.get("/research/").status_code == 302
    r = client.post("/research/sign-in", data={"csrf_token": csrf(client), "email": ada.email,
                                               "password": PASSWORD})
    assert r.status_code == 400


def test_a_reset_ends_sessions(client, ada, session):
    sign_in(client, ada.email)
    users.set_password(session, ada.email, NEW)
    session.commit()
    assert client.get("/research/").status_code == 302
    sign_in(client, ada.email, NEW)


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_SIGN_IN": [3, 0.001]}])
def test_nobody_else_can_lock_an_account_out(app, ada, app_config):
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(5):
        attacker.post("/research/sign-in", data={"csrf_token": csrf(attacker), "email": ada.email,
                                                 "password": "guess"})
    r = attacker.post("/research/sign-in", data={"csrf_token": csrf(attacker), "email": ada.email,
                                                 "password": PASSWORD})
    assert r.status_code == 429
    ada_browser = app.test_client()
    ada_browser.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    sign_in(ada_browser, ada.email)


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_SIGN_IN_ADDRESS": [4, 0.001]}])
def test_one_client_cannot_tour_many_accounts(app, client, ada, app_config):
    for k in range(4):
        r = client.post(
            "/research/sign-in",
            data={"csrf_token": csrf(client), "email": f"x{k}@example.org", "password": "guess"},
        )
        assert r.status_code == 400
    r = client.post("/research/sign-in", data={"csrf_token": csrf(client), "email": ada.email,
                                               "password": PASSWORD})
    assert r.status_code == 429


def test_an_unknown_account_costs_a_password_check_too(session, ada, monkeypatch):
    """Sign-in time must not tell whether an address has an account (was 8 ms vs 134 ms)."""
    import time

    users.authenticate(session, "nobody@example.org", "warm-up")  # the dummy hash, made once
    checks = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checks.append(h) or real(h, p))
    t0 = time.perf_counter()
    assert users.authenticate(session, "nobody@example.org", "a guess at it") is None
    unknown = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert users.authenticate(session, ada.email, "a guess at it") is None
    known = time.perf_counter() - t0
    assert len(checks) == 2 and checks[0].startswith("scrypt:") and checks[0] != checks[1]
    assert unknown > known / 3, (unknown, known)
    session.get(Researcher, ada.id)


@pytest.mark.parametrize(
    "password",
    [
        "password12",
        "Password1234!",
        "dragon20242024",
        "aaaaaaaaaaaaaaaa",
        "ada-lovelace@example.org",
    ],
)
def test_weak_passwords_are_refused(password):
    from poetq.errors import ValidationError

    with pytest.raises(ValidationError):
        users.check_password(password, email="ada-lovelace@example.org")


def test_a_proxy_without_proxy_fix_is_reported_once(app, client, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        for _ in range(2):
            client.get("/research/sign-in", headers={"X-Forwarded-For": "203.0.113.5"})
    warnings = [r for r in caplog.records if "POETQ_PROXY_FIX" in r.getMessage()]
    assert len(warnings) == 1
