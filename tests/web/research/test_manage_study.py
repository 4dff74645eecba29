"""A study as a whole: edit a draft (frozen once a response exists), duplicate, delete."""

from __future__ import annotations

import html
import io

import pytest
from research_helpers import add_finished, csrf, post
from tests_helpers import STATEMENTS, snapshot
from web_helpers import JC

from poetq.qsets import load_qset
from poetq.services.studies import create_study, set_state, study_qset
from poetq.store.models import Response, Study


@pytest.fixture
def draft(session, ada):
    study = create_study(session, load_qset(JC), slug="ada-draft", owner=ada)
    session.commit()
    return study


def _form(client, slug):
    page = client.get(f"/research/studies/{slug}/edit").text
    import re

    fields = dict(re.findall(r'name="(st-[a-z_]+)"[^>]*value="([^"]*)"', page))
    for name, text in re.findall(
        r'<textarea[^>]*name="(st-[a-z_]+)"[^>]*>\r?\n?(.*?)</textarea>', page, re.S
    ):
        fields[name] = html.unescape(text)
    return {k: html.unescape(v) for k, v in fields.items()}


def test_edit_a_draft_keeps_ids_and_question_limits(ada_client, draft, session):
    url = f"/research/studies/{draft.slug}"
    fields = _form(ada_client, draft.slug)
    old = study_qset(draft)
    assert fields["st-statements"].splitlines()[0] == old.statements[0].text
    fields["st-statements"] = fields["st-statements"].replace(
        old.statements[1].text, "A new second statement."
    )
    fields["st-title"] = "Edited title"
    r = post(ada_client, f"{url}/edit", fields, token_from=f"{url}/edit")
    assert r.status_code == 302, r.text[:3000]
    session.expire_all()
    new = study_qset(session.get(Study, draft.id))
    assert new.title == "Edited title" and new.statements[1].text == "A new second statement."
    assert (
        new.statements[0].id == old.statements[0].id
        and new.statements[2].id == old.statements[2].id
    )
    assert new.statements[1].id not in old.statement_ids
    assert [q.id for q in new.questions] == [q.id for q in old.questions]
    years = [q for q in new.questions if q.kind == "number"][0]
    assert years.maximum == 60  # the form has no room for it: kept from the old question


def test_replace_a_draft_with_a_file(ada_client, draft, session):
    url = f"/research/studies/{draft.slug}/edit/upload"
    data = {"csrf_token": csrf(ada_client, f"/research/studies/{draft.slug}/edit"),
            "up-qset": (io.BytesIO((STATEMENTS / "lipset.toml").read_bytes()), "lipset.toml")}
    r = ada_client.post(url, data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.text[:2000]
    session.expire_all()
    assert len(session.get(Study, draft.id).qset["statements"]) == 33


def test_a_study_with_responses_is_frozen(ada_client, draft, session, engine):
    add_finished(session, draft, 1)
    session.commit()
    fields = _form(ada_client, draft.slug)
    assert "This study is frozen" in ada_client.get(f"/research/studies/{draft.slug}/edit").text
    before = snapshot(engine)
    url = f"/research/studies/{draft.slug}"
    r = post(ada_client, f"{url}/edit", {**fields, "st-title": "Changed"}, token_from=url)
    assert r.status_code == 400 and "frozen" in r.text
    assert snapshot(engine) == before


def test_duplicate_then_delete(ada_client, ada_study, session, engine):
    url = f"/research/studies/{ada_study.slug}"
    add_finished(session, ada_study, 2)
    session.commit()
    r = post(ada_client, f"{url}/duplicate", {"new_slug": "jc-copy"}, token_from=url)
    assert r.status_code == 302 and r.location.endswith("/research/studies/jc-copy")
    copy = session.query(Study).filter_by(slug="jc-copy").one()
    assert copy.state == "draft" and copy.qset == ada_study.qset
    assert "Edit the draft" in ada_client.get("/research/studies/jc-copy").text
    # an open study cannot be deleted; then a closed one, with its responses, can
    before = snapshot(engine)
    r = post(ada_client, f"{url}/delete", {"confirm": ada_study.slug}, token_from=url)
    assert r.status_code == 409 and "close it" in r.text
    assert snapshot(engine) == before
    set_state(session, ada_study.slug, "closed")
    session.commit()
    page = ada_client.get(f"{url}/delete").text
    assert "poetq backup" in page and "2 responses" in page
    before = snapshot(engine)
    r = post(ada_client, f"{url}/delete", {"confirm": "wrong"}, token_from=url)
    assert r.status_code == 400 and "type the study" in html.unescape(r.text)
    assert snapshot(engine) == before
    r = post(ada_client, f"{url}/delete", {"confirm": ada_study.slug}, token_from=url)
    assert r.status_code == 302
    session.expire_all()
    assert session.query(Study).filter_by(slug="joint-commissioning").first() is None
    assert session.query(Response).count() == 0
    assert ada_client.get(url).status_code == 404


@pytest.mark.parametrize("path,data,status", [
    ("duplicate", {"new_slug": "Not A Slug"}, 400),
    ("duplicate", {"new_slug": "bobs-study"}, 409),
    ("duplicate", {"new_slug": ""}, 400),
    ("edit", {"st-title": "x", "st-statements": "one", "st-counts": "1"}, 400),
    ("edit", {"st-title": "<script>", "st-statements": "a\nb\nc", "st-counts": "1 3 1"}, 400),
])
def test_bad_management_requests_change_nothing(
    ada_client, draft, bob_study, engine, path, data, status
):
    url = f"/research/studies/{draft.slug}"
    before = snapshot(engine)
    r = post(ada_client, f"{url}/{path}", data, token_from=url)
    assert r.status_code == status, r.text[:2000]
    assert "Traceback" not in r.text and "<script>" not in r.text.split("<main", 1)[1]
    assert snapshot(engine) == before
    assert post(ada_client, "/research/studies/bobs-study/delete", {"confirm": "bobs-study"},
                token_from=url).status_code == 404
    assert snapshot(engine) == before
