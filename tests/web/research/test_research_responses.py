"""Responses: counts and funnel, one response in full, exclude / re-include, delete."""

from __future__ import annotations

import datetime as dt

from research_helpers import add_finished, post
from web_helpers import Sorter

from poetq.services.sorts import study_sorts
from poetq.store.models import Respondent, Response


def test_counts_funnel_and_where_people_stop(ada_client, ada_study, session, app):
    add_finished(session, ada_study, 2)
    session.commit()
    Sorter(app.test_client()).start(f"/s/{ada_study.slug}")  # in progress, at the pre-sort
    Sorter(app.test_client()).start(f"/s/{ada_study.slug}")
    stale = session.query(Response).filter(Response.finished_at.is_(None)).first()
    stale.updated_at = stale.updated_at - dt.timedelta(hours=3)
    session.commit()
    page = ada_client.get(f"/research/studies/{ada_study.slug}/responses").text
    counts = ada_client.get(f"/research/studies/{ada_study.slug}/counts.json").get_json()
    assert counts["started"] == 4 and counts["finished"] == 2
    assert counts["abandoned"] == 1 and counts["in_progress"] == 1
    assert counts["stopped"]["presort"] == 1
    assert counts["reached"]["consented"] == 4 and counts["reached"]["done"] == 2
    assert 'data-count="abandoned">1<' in page
    assert 'data-stopped="presort">1<' in page


def test_a_response_in_full_then_excluded_and_included_again(ada_client, ada_study, session):
    (r, _other) = add_finished(session, ada_study, 2, comments={"jc01": "Because."},
                              answers={"role": "Commissioner"})
    session.commit()
    url = f"/research/studies/{ada_study.slug}/responses/{r.id}"
    page = ada_client.get(url).text
    assert "Because." in page and "Commissioner" in page and "60.5" in page
    assert page.count("<li><span class=\"num\">") == 40
    assert post(ada_client, f"{url}/exclude", {"excluded": "1"}).status_code == 302
    session.expire_all()
    assert session.get(Response, r.id).excluded is True
    assert "no: excluded" in ada_client.get(url).text
    assert "excluded" in ada_client.get(f"/research/studies/{ada_study.slug}/responses").text
    add_finished(session, ada_study, 1, seed=5)
    session.commit()
    assert len(study_sorts(session, ada_study.slug).sort_ids) == 2
    post(ada_client, f"{url}/exclude", {"excluded": "0"})
    session.expire_all()
    assert session.get(Response, r.id).excluded is False


def test_delete_asks_first_then_deletes_for_good(ada_client, ada_study, session):
    (r,) = add_finished(session, ada_study, 1)
    session.commit()
    rid = r.id
    url = f"/research/studies/{ada_study.slug}/responses/{rid}/delete"
    confirm = ada_client.get(url)
    assert confirm.status_code == 200 and "Yes, delete" in confirm.text
    assert session.query(Response).count() == 1  # asking deletes nothing
    assert post(ada_client, url).status_code == 302
    session.expire_all()
    assert session.query(Response).count() == 0 and session.query(Respondent).count() == 0
    assert ada_client.get(f"/research/studies/{ada_study.slug}/responses/{rid}").status_code == 404
