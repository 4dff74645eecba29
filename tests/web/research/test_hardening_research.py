"""Bad input on the researchers' pages: a clear 4xx, no stack trace, the database unchanged.

Oversized bodies, malformed and wrongly typed fields, SQL and HTML injection strings in
every field of every form, files that are not Q-sets, and analysis options out of range.
"""

from __future__ import annotations

import io

import pytest
from research_helpers import add_finished, csrf
from tests_helpers import snapshot

INJECTIONS = [
    "'; DROP TABLE studies; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "../../etc/passwd",
    "\x00",
    "ü" * 5000,
]


def _post(client, url, data, **kw):
    return client.post(
        url, data={"csrf_token": csrf(client, "/research/studies/new"), **data}, **kw
    )


def _refused(r, *statuses):
    assert r.status_code in (statuses or (400,)), (r.status_code, r.text[:1500])
    assert "Traceback" not in r.text and "sqlalchemy" not in r.text.lower()


def test_oversized_upload_is_refused(ada_client, engine):
    before = snapshot(engine)
    token = csrf(ada_client, "/research/studies/new")
    # a hand-built multipart body (the test client would spool a big file to disk)
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            + token.encode() + b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"up-qset\"; "
            b"filename=\"big.toml\"\r\nContent-Type: text/plain\r\n\r\n# "
            + b"x" * (3 * 1024 * 1024) + b"\r\n--XyZ--\r\n")
    r = ada_client.post("/research/studies/new/upload", data=body,
                        content_type="multipart/form-data; boundary=XyZ")
    _refused(r, 413)
    assert snapshot(engine) == before


@pytest.mark.parametrize("content,name", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "picture.toml"),
    (b"\xff\xfe\x00garbage", "bytes.toml"),
    (b"title = 'no statements'\n", "empty.toml"),
    (b"[[statement]\ntext = 'broken'", "broken.toml"),
    (b"", "nothing.toml"),
])
def test_files_that_are_not_q_sets_are_refused(ada_client, engine, content, name):
    before = snapshot(engine)
    r = _post(ada_client, "/research/studies/new/upload", {"up-qset": (io.BytesIO(content), name)},
              content_type="multipart/form-data")
    _refused(r)
    assert snapshot(engine) == before


FORM = {
    "st-title": "A study", "st-slug": "", "st-topic": "", "st-condition": "",
    "st-statements": "One\nTwo\nThree\nFour\nFive", "st-counts": "1 3 1", "st-values": "",
    "st-left": "Most disagree", "st-right": "Most agree", "st-questions": "",
}


@pytest.mark.parametrize("field,value", [
    ("st-counts", "1 three 1"), ("st-counts", "2 3 2"), ("st-counts", "-1 7 -1"),
    ("st-values", "a b c"), ("st-values", "1 2"), ("st-slug", "Not A Slug!"),
    ("st-title", ""), ("st-statements", ""), ("st-questions", "single: Favourite colour?"),
    ("st-counts", "1" * 500),
])
def test_malformed_study_form_fields_are_refused(ada_client, engine, field, value):
    before = snapshot(engine)
    r = _post(ada_client, "/research/studies/new/form", {**FORM, field: value})
    _refused(r)
    assert snapshot(engine) == before


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_strings_in_every_study_field(ada_client, engine, payload):
    """Each field in turn: either refused with a 400 (nothing stored) or stored as text and
    shown escaped; the tables are all still there."""
    for field in ("st-title", "st-slug", "st-topic", "st-condition", "st-statements", "st-left",
                  "st-right", "st-questions", "st-text_welcome"):
        before = snapshot(engine)
        data = dict(FORM)
        data[field] = payload if field != "st-statements" else "\n".join([payload] + ["x"] * 4)
        r = _post(ada_client, "/research/studies/new/form", data)
        if r.status_code == 302:
            page = ada_client.get(r.location).text
            assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        else:
            _refused(r)
            assert snapshot(engine) == before
    assert ada_client.get("/research/").status_code == 200  # nothing dropped


@pytest.mark.parametrize("query", [
    "factors=abc", "factors=-1", "factors=1000", "factors=2&extraction=magic",
    "factors=2&rotation=%27%3B%20DROP%20TABLE%20studies", "factors=2&cor=%3Cscript%3E",
    "factors=2&rot=1,2,abc", "factors=2&rot=1,9,30", "factors=2&flags=manual&flag=9:nobody",
    "factors=2&flags=manual&flag=%3Cscript%3E",
])
def test_bad_analysis_options_get_a_readable_400(ada_client, ada_study, session, engine, query):
    add_finished(session, ada_study, 8)
    session.commit()
    before = snapshot(engine)
    r = ada_client.get(f"/research/studies/{ada_study.slug}/analysis?{query}")
    _refused(r)
    assert "<script>" not in r.text.split("</head>", 1)[-1].replace("&lt;script&gt;", "")
    assert snapshot(engine) == before


@pytest.mark.parametrize("data", [
    {"count": "many"}, {"count": "0"}, {"count": "100000"}, {"count": "5", "label": "x" * 5000},
])
def test_malformed_invitation_requests_are_refused(ada_client, ada_study, engine, data):
    before = snapshot(engine)
    r = _post(ada_client, f"/research/studies/{ada_study.slug}/invitations", data)
    _refused(r)
    assert snapshot(engine) == before


@pytest.mark.parametrize("state", ["", "deleted", "'; DROP TABLE studies; --", "open\x00"])
def test_unknown_study_states_are_refused(ada_client, ada_study, engine, state):
    before = snapshot(engine)
    r = _post(ada_client, f"/research/studies/{ada_study.slug}/state", {"state": state})
    _refused(r)
    assert snapshot(engine) == before


def test_json_bodies_and_wrong_methods_are_refused(ada_client, ada_study, engine):
    before = snapshot(engine)
    r = ada_client.post(f"/research/studies/{ada_study.slug}/state", json={"state": "open"})
    _refused(r)  # no CSRF token in a JSON body
    r = ada_client.put(f"/research/studies/{ada_study.slug}/state", data={"state": "open"})
    _refused(r, 405)
    r = ada_client.get(f"/research/studies/{ada_study.slug}/export/nonsense")
    _refused(r, 400, 404)
    assert snapshot(engine) == before
