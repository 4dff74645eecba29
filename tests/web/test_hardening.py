"""Security headers, request limits, cookies and injection strings on the respondents' pages."""

from __future__ import annotations

import pytest
from tests_helpers import snapshot
from web_helpers import Sorter

from poetq.services.studies import create_invitations
from poetq.web import CSP


@pytest.fixture
def app_config() -> dict:
    return {"SECURE_COOKIES": True}


@pytest.mark.parametrize("path", ["/s/joint-commissioning", "/nowhere", "/i/NOPE", "/static/poetq.css"])
def test_security_headers_on_every_page(client, jc_study, path):
    r = client.get(path)
    assert r.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Traceback" not in r.text
    r.close()


def test_pages_have_no_inline_scripts_or_styles(client, jc_study):
    page = client.get("/s/joint-commissioning").text
    assert "<script>" not in page and " style=" not in page and "<style" not in page


def test_secure_http_only_cookies(client, jc_study):
    who = Sorter(client)
    who.get("/s/joint-commissioning")
    r = client.post("/s/joint-commissioning", data={**who.fields(), "consent": "1"})
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies
    for c in cookies:
        assert "HttpOnly" in c and "Secure" in c and "SameSite=Lax" in c


def test_oversized_body_is_refused_and_nothing_stored(client, jc_study, engine):
    before = snapshot(engine)
    r = client.post("/s/joint-commissioning", data={"consent": "1", "x": "a" * (3 * 1024 * 1024)})
    assert r.status_code == 413
    assert "Traceback" not in r.text
    assert snapshot(engine) == before


def test_invalid_invitation_codes_and_injection_strings(client, jc_study, engine, session):
    create_invitations(session, jc_study.slug, 1)
    session.commit()
    before = snapshot(engine)
    for code in ["NOPE1234", "' OR 1=1 --", "<script>alert(1)</script>", "%00", "A" * 500]:
        for prefix in ("/i/", "/r/", "/s/"):
            r = client.get(prefix + code)
            assert 400 <= r.status_code < 500, (prefix, code)
            assert "<script>alert(1)</script>" not in r.text
    assert snapshot(engine) == before


def test_html_in_answers_is_shown_as_text(client, jc_study):
    who = Sorter(client)
    who.start("/s/joint-commissioning")
    payload = "<script>alert('x')</script><b>bold</b>'; DROP TABLE responses; --"
    while who.stage == "presort":
        who.post(pile="agree")
    who.rank()
    who.post(confirm="1", place=who.places())
    who.post(comments="1", **{f"comment-{s}": payload for s in who.comment_ids()})
    assert who.stage == "questions"
    page = client.get(f"/r/{who.code}").text
    assert "<script>alert('x')</script>" not in page
