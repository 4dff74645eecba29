"""Signing in and out, and the studies list."""

from __future__ import annotations

import pytest
from research_helpers import PASSWORD, csrf, post, sign_in


def test_sign_in_shows_only_your_own_studies(client, ada, ada_study, bob_study):
    r = client.get("/research/")
    assert r.status_code == 302 and "/research/sign-in" in r.location
    sign_in(client, ada.email)
    page = client.get("/research/").text
    assert "Joint commissioning" in page or ada_study.title in page
    assert ada_study.slug in page
    assert "bobs-study" not in page


def test_wrong_password_is_refused_without_saying_which_part(client, ada):
    r = client.post("/research/sign-in", data={"csrf_token": csrf(client), "email": ada.email,
                                               "password": "not the password"})
    assert r.status_code == 400
    assert "email address or the password is not right" in r.text
    assert client.get("/research/").status_code == 302


def test_sign_out_needs_a_post_with_its_token(ada_client):
    assert ada_client.get("/research/sign-out").status_code == 405
    r = post(ada_client, "/research/sign-out")
    assert r.status_code == 302
    assert ada_client.get("/research/").status_code == 302


def test_next_is_followed_only_on_this_site(client, ada):
    for target, expect in (("/research/studies/new", "/research/studies/new"),
                           ("//evil.example/x", "/research/"),
                           ("https://evil.example/", "/research/")):
        client.post("/research/sign-out")
        r = client.post(f"/research/sign-in?next={target}",
                        data={"csrf_token": csrf(client), "email": ada.email, "password": PASSWORD})
        assert r.status_code == 302
        assert r.location == expect
        post(client, "/research/sign-out")


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_SIGN_IN": [3, 0.001]}])
def test_sign_in_attempts_are_rate_limited(client, ada, app_config):
    """Guessing passwords: after the burst every try gets 429, even the right password."""
    for _ in range(3):
        r = client.post("/research/sign-in", data={"csrf_token": csrf(client), "email": ada.email,
                                                   "password": "guess"})
        assert r.status_code == 400
    r = client.post("/research/sign-in", data={"csrf_token": csrf(client), "email": ada.email,
                                               "password": PASSWORD})
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert "Traceback" not in r.text
    assert client.get("/research/").status_code == 302  # not signed in
