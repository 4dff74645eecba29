"""The responses list: invitation labels, time spent, origin, bulk exclude/include/delete."""

from __future__ import annotations

import html

import pytest
from research_helpers import add_finished, post
from tests_helpers import snapshot

from poetq.store.models import Invitation, Response


@pytest.fixture
def five(session, ada_study):
    done = add_finished(session, ada_study, 5)
    invitation = Invitation(study_id=ada_study.id, code="ZZZZZZZZ", label="list B")
    session.add(invitation)
    session.flush()
    done[0].respondent.invitation_id = invitation.id
    session.commit()
    return [r.id for r in done]


def _ids(session, study, **where):
    session.expire_all()
    return sorted(r.id for r in session.query(Response).filter_by(study_id=study.id, **where))


def test_list_shows_invitation_time_and_pre_sort(ada_client, ada_study, five):
    page = html.unescape(ada_client.get(f"/research/studies/{ada_study.slug}/responses").text)
    assert "list B" in page and "1 min 30 s" in page  # 30 s pre-sort + 60.5 s ranking
    assert "pre-sort (everyone who consented)" in page


def test_bulk_exclude_include_delete(ada_client, ada_study, five, session):
    url = f"/research/studies/{ada_study.slug}/responses"
    r = post(ada_client, f"{url}/bulk", {"action": "exclude", "response": five[:3]}, token_from=url)
    assert r.status_code == 302
    assert _ids(session, ada_study, excluded=True) == five[:3]
    post(ada_client, f"{url}/bulk", {"action": "include", "response": five[:1]}, token_from=url)
    assert _ids(session, ada_study, excluded=True) == five[1:3]
    r = post(
        ada_client,
        f"{url}/bulk",
        {"action": "delete", "response": five[3:], "confirm": "delete"},
        token_from=url,
    )
    assert r.status_code == 302 and _ids(session, ada_study) == five[:3]


@pytest.mark.parametrize("data,status,message", [
    ({"action": "delete", "response": ["{0}"]}, 400, "type delete in the box"),
    ({"action": "delete", "response": ["{0}"], "confirm": "yes"}, 400, "type delete in the box"),
    ({"action": "explode", "response": ["{0}"]}, 400, "unknown action"),
    ({"action": "exclude"}, 400, "select at least one response"),
    ({"action": "exclude", "response": ["x"]}, 400, "not a list of responses"),
    ({"action": "exclude", "response": ["{0}", "999999"]}, 404, ""),
])
def test_bad_bulk_requests_change_nothing(
    ada_client, ada_study, five, engine, data, status, message
):
    url = f"/research/studies/{ada_study.slug}/responses"
    before = snapshot(engine)
    body = {
        k: ([v.format(five[0]) for v in vs] if isinstance(vs, list) else vs)
        for k, vs in data.items()
    }
    r = post(ada_client, f"{url}/bulk", body, token_from=url)
    assert r.status_code == status and message in r.text
    assert snapshot(engine) == before


def test_another_studys_responses_cannot_be_touched(
    ada_client, ada_study, bob_study, session, engine
):
    theirs = [r.id for r in add_finished(session, bob_study, 2, seed=5)]
    session.commit()
    before = snapshot(engine)
    url = f"/research/studies/{ada_study.slug}/responses"
    r = post(
        ada_client,
        f"{url}/bulk",
        {"action": "delete", "response": theirs, "confirm": "delete"},
        token_from=url,
    )
    assert r.status_code == 404
    assert snapshot(engine) == before
