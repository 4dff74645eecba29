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


@pytest.mark.parametrize(
    "path", ["/s/joint-commissioning", "/nowhere", "/i/NOPE", "/static/poetq.css"]
)
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


# --------------------------------------------------------------------------------------------
# Malformed, mistyped and hostile input: a clear 4xx and the database unchanged

INJECTIONS = [
    "' OR '1'='1' --",
    "'; DROP TABLE responses; --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)",
    "-1",
    "9" * 400,
    "üñí€😀",
]


def _in_presort(client):
    who = Sorter(client)
    who.start("/s/joint-commissioning")
    assert who.stage == "presort"
    return who


def test_a_respondents_form_token_is_bound_to_their_own_page(app, client, jc_study, engine):
    """The respondent's pages carry a token bound to the resume code, not to a session: no
    session cookie travels with the steps, and one respondent's token fails on another's page."""
    first = _in_presort(client)
    assert client.get_cookie("session") is None  # the welcome form's session was dropped
    other = _in_presort(app.test_client())
    before = snapshot(engine)
    body = {**first.fields(), "pile": "agree"}
    r = client.post(f"/r/{other.code}", data={**body, "version": other.fields()["version"],
                                              "statement": other.fields()["statement"]})
    assert r.status_code == 400 and "expired" in r.text
    r = client.post(f"/r/{other.code}/draft", headers={"X-CSRFToken": body["csrf_token"]},
                    data={"version": other.fields()["version"]})
    assert r.status_code == 400 and r.json["saved"] is False
    assert snapshot(engine) == before
    first.post(pile="agree")  # its own token still works, with no session at all
    assert first.fields()["version"] != body["version"]


@pytest.mark.parametrize("fields", [
    {},                                                  # no action at all
    {"pile": "purple"},                                  # not a pile
    {"pile": ["agree", "disagree"]},                     # a list where one value is expected
    {"pile": "agree", "version": "abc"},                 # version not a number
    {"pile": "agree", "version": "-5"},
    {"pile": "agree", "version": "1e9"},
    {"pile": "agree", "statement": "no-such-statement"},
    {"choose": "s1"},                                    # an action of another stage
    {"confirm": "1", "place": ["x:y", "s1:notanumber"]},
    {"finish": "1", "token": "forged"},
    {"comments": "1", "comment-s1": "x" * 20000},
])
def test_malformed_steps_are_refused_and_change_nothing(client, jc_study, engine, fields):
    who = _in_presort(client)
    hidden = who.fields()
    body = {k: hidden[k] for k in ("csrf_token", "version", "statement") if k in hidden}
    body.update(fields)
    before = snapshot(engine)
    r = client.post(f"/r/{who.code}", data=body)
    assert 400 <= r.status_code < 500, (fields, r.status_code)
    assert "Traceback" not in r.text
    assert snapshot(engine) == before


@pytest.mark.parametrize("payload", [INJECTIONS[0], INJECTIONS[1], INJECTIONS[2], INJECTIONS[6]])
def test_injection_strings_in_step_fields_are_refused(client, jc_study, engine, payload):
    who = _in_presort(client)
    hidden = who.fields()
    before = snapshot(engine)
    for field in ("pile", "statement", "version", "choose", "put_back", "pick", "place"):
        body = {"csrf_token": hidden["csrf_token"], "version": hidden["version"],
                "statement": hidden["statement"], "pile": "agree"}
        body[field] = payload
        if field in ("choose", "put_back", "pick", "place"):
            body.pop("pile")
            body["confirm" if field == "place" else field] = payload if field != "place" else "1"
        r = client.post(f"/r/{who.code}", data=body)
        assert 400 <= r.status_code < 500 or r.status_code == 302 and field == "pick", (
            field,
            r.status_code,
        )
        assert payload not in r.text or "&lt;" not in payload and "<" not in payload
        assert "<script>alert(1)</script>" not in r.text
    assert snapshot(engine) == before


def test_injection_strings_are_stored_and_shown_as_text(client, jc_study, engine, session):
    from sqlalchemy import select

    from poetq.store.models import Respondent, Response

    session.execute(select(1))
    jc_study.settings = {"identifier": "optional"}
    session.commit()
    who = Sorter(client)
    payload = " | ".join(INJECTIONS[:5])
    who.start("/s/joint-commissioning", identifier=payload[:200])
    while who.stage == "presort":
        who.post(pile="agree")
    who.rank()
    who.post(confirm="1", place=who.places())
    ids = who.comment_ids()
    who.post(comments="1", **{f"comment-{s}": payload for s in ids})
    who.post(go_back="1")
    assert who.stage == "extremes"  # the comments are shown again, in their boxes
    page = who.page
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    session.expire_all()
    respondent = session.scalar(select(Respondent).where(Respondent.resume_code == who.code))
    response = session.scalar(select(Response).where(Response.respondent_id == respondent.id))
    assert respondent.identifier == payload[:200]
    assert set(response.comments.values()) == {payload}
    tables = set(snapshot(engine))
    assert {"responses", "respondents", "studies"} <= tables  # nothing dropped


def test_replayed_final_submission_is_refused_and_changes_nothing(client, jc_study, engine):
    who = Sorter(client)
    who.start("/s/joint-commissioning")
    while who.stage == "presort":
        who.post(pile="agree")
    who.rank()
    who.post(confirm="1", place=who.places())
    who.post(comments="1", **{f"comment-{s}": "x" for s in who.comment_ids()})
    fields = who.fields()
    answers = {"q-sector": "Other", "finish": "1"}
    who.post(fields=fields, **answers)
    assert who.stage == "done"
    before = snapshot(engine)
    for replay in (fields, {**fields, "token": "forged"}, {**fields, "version": "1"}):
        r = who.post(fields=replay, follow=False, **answers)
        assert 400 <= r.status_code < 500, r.status_code
        assert "already been submitted" in r.text or "out of date" in r.text
    assert snapshot(engine) == before


def test_autosave_refuses_malformed_bodies(client, jc_study, engine):
    who = _in_presort(client)
    token = who.fields()["csrf_token"]
    before = snapshot(engine)
    url = f"/r/{who.code}/draft"
    bodies = [
        dict(data="{not json", content_type="application/json"),
        dict(json={"version": 1, "comments": {"s1": "x"}}),
        dict(json=["a", "b"]),
        dict(data=b"\xff\xfe\x00garbage", content_type="application/octet-stream"),
        dict(data={"version": "abc"}),
        dict(data={"version": "' OR 1=1 --"}),
    ]
    for body in bodies:
        r = client.post(url, headers={"X-CSRFToken": token}, **body)
        assert r.status_code == 400, (body, r.status_code)
        assert r.is_json and r.json["saved"] is False
    r = client.post(url, data={"version": "1"})  # no CSRF token
    assert r.status_code == 400
    assert snapshot(engine) == before


def test_oversized_autosave_and_step_are_refused(client, jc_study, engine):
    who = _in_presort(client)
    before = snapshot(engine)
    big = "a" * (3 * 1024 * 1024)
    for url in (f"/r/{who.code}", f"/r/{who.code}/draft"):
        r = client.post(url, data={**who.fields(), "comment-s1": big})
        assert r.status_code == 413
        assert "more than this page can take" in r.text
    assert snapshot(engine) == before


def test_error_pages_show_no_stack_traces(app, client, jc_study):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    r = client.get("/boom")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert r.headers["Content-Security-Policy"] == CSP


def test_every_respondent_page_has_the_headers(client, jc_study):
    who = Sorter(client)
    who.start("/s/joint-commissioning")
    pages = [f"/r/{who.code}", "/s/joint-commissioning", "/static/poetq.js"]
    for path in pages:
        r = client.get(path)
        assert r.headers["Content-Security-Policy"] == CSP, path
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["X-Request-ID"]
        r.close()
    r = client.post(f"/r/{who.code}", data={**who.fields(), "pile": "agree"})
    assert r.status_code == 302 and r.headers["Content-Security-Policy"] == CSP


# --------------------------------------------------------------------------------------------
# Rate limits (in the database, so every worker shares them) and logs


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_STEPS": [3, 0.01]}])
def test_too_many_posts_by_one_respondent_get_429(client, jc_study, engine, app_config):
    who = _in_presort(client)
    for _ in range(3):
        who.post(pile="agree")
    before = snapshot(engine)
    r = who.post(pile="agree", follow=False)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "wait a few seconds" in r.text
    assert snapshot(engine) == before
    other = _in_presort(client.application.test_client())
    other.post(pile="agree")  # another respondent is not held back


def test_rate_limit_is_shared_by_every_connection(engine):
    from poetq.store import make_session_factory
    from poetq.store.ratelimit import hit

    sessions = [make_session_factory(engine)() for _ in range(2)]
    allowed = []
    for i in range(6):
        s = sessions[i % 2]
        allowed.append(hit(s, "sign_in:someone", burst=4, per_second=0.001, now=1000.0 + i))
        s.commit()
    assert allowed == [True, True, True, True, False, False]
    assert hit(sessions[0], "sign_in:someone", burst=4, per_second=0.001, now=3000.0)
    for s in sessions:
        s.close()


def test_requests_are_logged_as_json_without_codes_or_answers(app, client, jc_study):
    import json
    import logging

    from poetq.web.logs import JsonFormatter

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(JsonFormatter().format(record))

    logger = logging.getLogger("poetq.requests")
    handler = Collect()
    logger.addHandler(handler)
    try:
        who = _in_presort(client)
        who.post(pile="agree")
        client.get("/r/" + who.code, headers={"X-Request-ID": "proxy-abc-123"})
    finally:
        logger.removeHandler(handler)
    entries = [json.loads(line) for line in lines]
    assert entries and all(
        {"ts", "request_id", "method", "path", "status", "duration_ms"} <= e.keys() for e in entries
    )
    assert entries[-1]["request_id"] == "proxy-abc-123"
    assert {e["method"] for e in entries} == {"GET", "POST"}
    assert not any(who.code in line for line in lines)
    assert any(e["path"].startswith("/r/~") for e in entries)


def test_the_direct_request_line_is_what_the_formatter_makes(app, client, jc_study, capsys,
                                                             monkeypatch):
    """With only poetq's own handler the line is written directly: same JSON as a record."""
    import json
    import logging

    from poetq.web.logs import JsonFormatter, _only_own_handler

    logger = logging.getLogger("poetq.requests")
    # pytest's own capturing handlers aside, as in a server
    monkeypatch.setattr(logger, "handlers", [h for h in logger.handlers if getattr(h, "_poetq", 0)])
    assert _only_own_handler(logger) is not None
    capsys.readouterr()
    client.get("/s/joint-commissioning", headers={"X-Request-ID": 'a"b'})  # not a plausible id
    client.get("/s/joint-commissioning?x=\u00e9", headers={"X-Request-ID": "id-\u00e9"})
    lines = [line for line in capsys.readouterr().err.splitlines() if '"poetq.requests"' in line]
    assert len(lines) == 2
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        record = logging.makeLogRecord({"name": "poetq.requests", "levelname": "INFO",
                                        "created": 0.0})
        record.fields = {k: entry[k] for k in ("request_id", "method", "path", "status",
                                                "duration_ms")}
        made = json.loads(JsonFormatter().format(record))
        assert list(made)[1:] == list(entry)[1:] and {**made, "ts": entry["ts"]} == entry
    assert (
        len(entries[0]["request_id"]) == 16 and entries[0]["request_id"] != entries[1]["request_id"]
    )


@pytest.mark.parametrize("pick", ["s1\nSet-Cookie: x=1", "s1\r\n", "a b", ""])
def test_a_pick_that_is_not_a_statement_id_is_refused(client, jc_study, engine, pick):
    """A newline in the review's first pick went into the Location header: a 500."""
    who = _in_presort(client)
    r = client.post(f"/r/{who.code}", data={"csrf_token": who.fields()["csrf_token"],
                                            "version": who.fields()["version"], "pick": pick})
    assert r.status_code == 400, r.status_code
