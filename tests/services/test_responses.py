"""Respondents' use cases over the store: start, resume, steps, concurrency, submit, funnel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from poetq.domain import Grid, QSet, Question, Statement
from poetq.errors import StateError, ValidationError
from poetq.services import responses as svc
from poetq.services.studies import create_invitations, create_study, set_state
from poetq.store.models import Invitation, Response

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def small_qset() -> QSet:
    return QSet(
        slug="small", title="Small", grid=Grid.symmetric([1, 2, 1]),
        statements=tuple(Statement(s, f"Statement {s}") for s in "abcd"),
        questions=(Question("age", "number", "Age?", required=True, minimum=0),),
    )


@pytest.fixture
def study(session):
    study = create_study(session, small_qset())
    set_state(session, "small", "open")
    session.commit()
    return study


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def step(session, response, action, t, **params):
    svc.apply_step(session, response, action, expected_version=response.version, now=at(t), **params)
    session.commit()
    return response


def run_to_questions(session, response):
    piles = {"a": "agree", "b": "neutral", "c": "neutral", "d": "disagree"}
    t = 1
    while response.state["stage"] == "presort":
        sid = response.state["order"][len(response.state["presort"])]
        step(session, response, "presort", t, statement=sid, pile=piles[sid])
        t += 1
    assert response.stage == "review"  # exact fits: nothing to choose
    step(session, response, "swap", 10, first="b", second="a")
    step(session, response, "confirm", 20, placements=dict(response.state["sort"]))
    step(session, response, "extremes", 30, comments={"b": "most", "d": "least"})
    assert response.stage == "questions"


def test_start_and_resume(session, study):
    response = svc.start_response(session, study, device="phone", now=T0, seed=5)
    session.commit()
    assert response.stage == "presort" and response.version == 1
    assert response.respondent.device == "phone"
    assert svc.find_response(session, response.respondent.resume_code.lower()) is response
    with pytest.raises(StateError, match="No sort was found"):
        svc.find_response(session, "NOPE")


def test_a_whole_response_is_recorded(session, study):
    response = svc.start_response(session, study, now=T0, seed=5)
    session.commit()
    run_to_questions(session, response)
    svc.submit_response(session, response, {"age": "41"}, token=response.state["token"],
                        expected_version=response.version, now=at(50))
    session.commit()
    assert response.stage == "done" and response.finished_at == at(50)
    assert response.sort == {"a": 0, "b": 1, "c": 0, "d": -1}
    assert response.piles["agree"] == ["a"] and response.piles["disagree"] == ["d"]
    assert sorted(response.piles["neutral"]) == ["b", "c"]
    assert response.comments == {"b": "most", "d": "least"}
    assert response.answers == {"age": 41}
    assert response.timings == {"presort": 4.0, "review": 16.0, "extremes": 10.0, "questions": 20.0}
    actions = [e["action"] for e in response.trace]
    assert actions[0] == "consent" and actions.count("presort") == 4
    assert "auto" in actions and "swap" in actions and actions[-1] == "submit"
    swap = next(e for e in response.trace if e["action"] == "swap")
    assert swap["t"] == 10.0 and swap["stage"] == "review"


def test_steps_add_to_the_stored_trace_in_the_database(session, study, engine):
    """A step appends its entries to the stored trace text (not read and written back whole):
    the text is what json.dumps of the whole list gives, on either backend, and the
    entries come in order, through the ORM and the respondents' Core path alike."""
    import json

    from sqlalchemy import Text, cast

    response = svc.start_response(session, study, now=T0, seed=5)
    session.commit()
    first = response.state["order"][0]
    step(session, response, "presort", 1, statement=first, pile="agree")
    with engine.connect() as conn:
        row = svc.load_response(conn, response.respondent.resume_code)
        second = row.state["order"][1]
        svc.apply_step(conn, row, "presort", expected_version=row.version, now=at(2),
                       statement=second, pile="disagree")
        conn.commit()
        assert row.version == response.version + 1
        text = conn.execute(select(cast(Response.__table__.c.trace, Text))
                            .where(Response.__table__.c.id == row.id)).scalar_one()
    session.expire_all()
    trace = session.get(Response, response.id).trace
    assert [(e["action"], e.get("statement"), e.get("pile")) for e in trace] == [
        ("consent", None, None), ("presort", first, "agree"), ("presort", second, "disagree")]
    assert trace[2] == {"t": 2.0, "stage": "presort", "action": "presort", "statement": second,
                        "pile": "disagree"}
    assert text == json.dumps(trace)


def test_a_stale_post_is_refused_and_changes_nothing(session, study, engine, db_snapshot):
    response = svc.start_response(session, study, now=T0, seed=5)
    session.commit()
    old_version = response.version
    sid = response.state["order"][0]
    step(session, response, "presort", 1, statement=sid, pile="agree")
    before = db_snapshot(engine)
    nxt = response.state["order"][1]
    with pytest.raises(StateError, match="out of date"):
        svc.apply_step(session, response, "presort", expected_version=old_version,
                       statement=nxt, pile="agree")
    session.rollback()
    with pytest.raises(ValidationError, match="Agree, Neutral or Disagree"):
        svc.apply_step(session, response, "presort", expected_version=response.version,
                       statement=nxt, pile="perhaps")
    session.rollback()
    assert db_snapshot(engine) == before


def test_a_concurrent_writer_loses(session, study, engine):
    """Two requests read the same version; the second UPDATE finds it gone."""
    from poetq.store import make_session_factory

    response = svc.start_response(session, study, now=T0, seed=5)
    session.commit()
    other = make_session_factory(engine)()
    try:
        theirs = other.get(Response, response.id)
        sid = theirs.state["order"][0]
        svc.apply_step(other, theirs, "presort", expected_version=theirs.version,
                       statement=sid, pile="agree")
        other.commit()
        with pytest.raises(StateError, match="out of date"):
            # our copy still says version 1
            svc._save(session, response, svc._step(response.state, "presort",
                                                    {"statement": sid, "pile": "neutral"},
                                                    small_qset()), now=at(2))
        session.rollback()
    finally:
        other.close()
    session.refresh(response)
    assert response.state["presort"] == [[sid, "agree"]]


def test_final_submit_is_idempotent(session, study, engine, db_snapshot):
    response = svc.start_response(session, study, now=T0, seed=5)
    session.commit()
    run_to_questions(session, response)
    version, token = response.version, response.state["token"]
    with pytest.raises(ValidationError, match="Please answer: Age"):
        svc.submit_response(session, response, {}, token=token, expected_version=version)
    session.rollback()
    svc.submit_response(session, response, {"age": "30"}, token=token, expected_version=version)
    session.commit()
    receipt = response.receipt
    before = db_snapshot(engine)
    again = svc.submit_response(session, response, {"age": "99"}, token=token,
                                expected_version=version)
    session.commit()
    assert again.receipt == receipt and again.answers == {"age": 30}
    assert db_snapshot(engine) == before
    with pytest.raises(ValidationError, match="already been submitted"):
        svc.apply_step(session, response, "go_back", expected_version=response.version)


def test_invitations_are_single_use_and_studies_must_be_open(session, study):
    (code,) = create_invitations(session, "small", 1)
    session.commit()
    response = svc.start_response(session, study, invitation_code=code.lower())
    session.commit()
    assert response.respondent.invitation_id is not None
    assert session.scalar(select(Invitation.used_at)) is not None
    with pytest.raises(StateError, match="already been used"):
        svc.start_response(session, study, invitation_code=code)
    session.rollback()
    set_state(session, "small", "closed")
    with pytest.raises(StateError, match="has closed"):
        svc.open_study(session, "small")
    # closing stops new sorts only: the one under way goes on, until a grace period ends
    step(session, response, "presort", 1, statement=response.state["order"][0], pile="agree")
    set_state(session, "small", "closed", grace_hours=0)
    with pytest.raises(StateError, match="time to finish sorts already started has passed"):
        svc.apply_step(session, response, "presort", expected_version=response.version,
                       statement=response.state["order"][1], pile="agree")


def test_identifiers(session, study):
    study.settings = {"identifier": "required"}
    with pytest.raises(ValidationError, match="Please enter the identifier"):
        svc.start_response(session, study)
    r = svc.start_response(session, study, identifier=" P1 ")
    assert r.respondent.identifier == "P1"
    r = svc.start_response(session, study, given_identifier="panel-2")
    assert r.respondent.identifier == "panel-2"
    with pytest.raises(ValidationError, match="under 200"):
        svc.start_response(session, study, identifier="x" * 201)


def test_drafts_keep_typed_text_without_moving_on(session, study):
    response = svc.start_response(session, study, now=T0, seed=5)
    session.commit()
    run_to_questions(session, response)
    version = response.version
    assert svc.save_draft(session, response, expected_version=version,
                          drafts={"answers": {"age": "4"}})
    session.commit()
    assert response.version == version and response.state["drafts"]["answers"] == {"age": "4"}
    assert not svc.save_draft(session, response, expected_version=version - 1, drafts={})


def test_funnel_counts_reached_stages(session, study):
    done = svc.start_response(session, study, device="phone", now=T0, seed=1)
    svc.start_response(session, study, device="desktop", now=T0, seed=2)
    session.commit()
    run_to_questions(session, done)
    funnel = svc.funnel(session, study)
    assert funnel.reached == {"consented": 2, "ranking": 1, "review": 1, "extremes": 1,
                              "questions": 1, "done": 0}
    assert funnel.devices == {"phone": 1, "desktop": 1}


def test_device_class():
    assert svc.device_class("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148") == "phone"
    assert svc.device_class("Mozilla/5.0 (X11; Linux x86_64) Chrome/120") == "desktop"
    assert svc.device_class(None) == ""
