"""Respondents' use cases on the production path (Core connection, typed rows): start,
resume, steps, concurrency, submit, drafts, funnel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from poetq.domain import Grid, QSet, Question, Statement
from poetq.errors import StateError, ValidationError
from poetq.services import respondents, steps
from poetq.services.responses_admin import funnel
from poetq.services.studies import create_invitations, create_study, set_state
from poetq.store.models import Invitation, Respondent, Response

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


@pytest.fixture
def conn(engine, study):
    with engine.connect() as connection:
        yield connection


def open_row(conn):
    return respondents.open_study(conn, "small")


def start(conn, **kw):
    response = respondents.start_response(conn, open_row(conn), **kw)
    conn.commit()
    return response


def stored(session, response) -> Response:
    session.expire_all()
    return session.get(Response, response.id)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def step(conn, response, action, t, **params):
    steps.apply_step(conn, response, action, expected_version=response.version, now=at(t), **params)
    conn.commit()
    return response


def run_to_questions(conn, response):
    piles = {"a": "agree", "b": "neutral", "c": "neutral", "d": "disagree"}
    t = 1
    while response.state["stage"] == "presort":
        sid = response.state["order"][len(response.state["presort"])]
        step(conn, response, "presort", t, statement=sid, pile=piles[sid])
        t += 1
    assert response.stage == "review"  # exact fits: nothing to choose
    step(conn, response, "swap", 10, first="b", second="a")
    step(conn, response, "confirm", 20, placements=dict(response.state["sort"]))
    step(conn, response, "extremes", 30, comments={"b": "most", "d": "least"})
    assert response.stage == "questions"


def test_start_and_resume(session, conn):
    response = start(conn, device="phone", now=T0, seed=5)
    assert response.stage == "presort" and response.version == 1
    assert session.get(Respondent, response.respondent_id).device == "phone"
    again = respondents.load_response(conn, response.resume_code.lower())
    assert again == response
    with pytest.raises(StateError, match="No sort was found"):
        respondents.load_response(conn, "NOPE")


def test_a_whole_response_is_recorded(session, conn):
    response = start(conn, now=T0, seed=5)
    run_to_questions(conn, response)
    steps.submit_response(conn, response, {"age": "41"}, token=response.state["token"],
                          expected_version=response.version, now=at(50))
    conn.commit()
    assert response.stage == "done" and response.finished_at == at(50)
    assert respondents.load_response(conn, response.resume_code) == response
    response = stored(session, response)
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


def test_steps_add_to_the_stored_trace_in_the_database(session, conn):
    """A step appends its entries to the stored trace text (not read and written back whole):
    the text is what json.dumps of the whole list gives, on either backend, and the
    entries come in order."""
    import json

    from sqlalchemy import Text, cast

    response = start(conn, now=T0, seed=5)
    first, second = response.state["order"][:2]
    step(conn, response, "presort", 1, statement=first, pile="agree")
    row = respondents.load_response(conn, response.resume_code)
    steps.apply_step(conn, row, "presort", expected_version=row.version, now=at(2),
                     statement=second, pile="disagree")
    conn.commit()
    assert row.version == response.version + 1
    text = conn.execute(select(cast(Response.__table__.c.trace, Text))
                        .where(Response.__table__.c.id == row.id)).scalar_one()
    trace = stored(session, response).trace
    assert [(e["action"], e.get("statement"), e.get("pile")) for e in trace] == [
        ("consent", None, None), ("presort", first, "agree"), ("presort", second, "disagree")]
    assert trace[2] == {"t": 2.0, "stage": "presort", "action": "presort", "statement": second,
                        "pile": "disagree"}
    assert text == json.dumps(trace)


def test_a_stale_post_is_refused_and_changes_nothing(conn, engine, db_snapshot):
    response = start(conn, now=T0, seed=5)
    old_version = response.version
    sid = response.state["order"][0]
    step(conn, response, "presort", 1, statement=sid, pile="agree")
    before = db_snapshot(engine)
    nxt = response.state["order"][1]
    with pytest.raises(StateError, match="out of date"):
        steps.apply_step(conn, response, "presort", expected_version=old_version,
                         statement=nxt, pile="agree")
    conn.rollback()
    with pytest.raises(ValidationError, match="Agree, Neutral or Disagree"):
        steps.apply_step(conn, response, "presort", expected_version=response.version,
                         statement=nxt, pile="perhaps")
    conn.rollback()
    assert db_snapshot(engine) == before


def test_a_concurrent_writer_loses(session, conn, engine):
    """Two requests read the same version; the second UPDATE finds it gone."""
    response = start(conn, now=T0, seed=5)
    sid = response.state["order"][0]
    with engine.connect() as other:
        theirs = respondents.load_response(other, response.resume_code)
        steps.apply_step(other, theirs, "presort", expected_version=theirs.version,
                         statement=sid, pile="agree")
        other.commit()
    with pytest.raises(StateError, match="out of date"):
        # our copy still says version 1, and so does the page it was made from
        steps.apply_step(conn, response, "presort", expected_version=response.version,
                         statement=sid, pile="neutral", now=at(2))
    conn.rollback()
    assert stored(session, response).state["presort"] == [[sid, "agree"]]


def test_final_submit_is_idempotent(conn, engine, db_snapshot):
    response = start(conn, now=T0, seed=5)
    run_to_questions(conn, response)
    version, token = response.version, response.state["token"]
    with pytest.raises(ValidationError, match="Please answer: Age"):
        steps.submit_response(conn, response, {}, token=token, expected_version=version)
    conn.rollback()
    steps.submit_response(conn, response, {"age": "30"}, token=token, expected_version=version)
    conn.commit()
    receipt = response.receipt
    before = db_snapshot(engine)
    again = steps.submit_response(conn, response, {"age": "99"}, token=token,
                                  expected_version=version)
    conn.commit()
    assert again.receipt == receipt
    assert db_snapshot(engine) == before
    with pytest.raises(ValidationError, match="already been submitted"):
        steps.apply_step(conn, response, "go_back", expected_version=response.version)


def test_invitations_are_single_use_and_studies_must_be_open(session, conn):
    (code,) = create_invitations(session, "small", 1)
    session.commit()
    response = start(conn, invitation_code=code.lower())
    assert session.get(Respondent, response.respondent_id).invitation_id is not None
    assert session.scalar(select(Invitation.used_at)) is not None
    with pytest.raises(StateError, match="already been used"):
        respondents.start_response(conn, open_row(conn), invitation_code=code)
    conn.rollback()
    set_state(session, "small", "closed")
    session.commit()
    with pytest.raises(StateError, match="has closed"):
        respondents.open_study(conn, "small")
    # closing stops new sorts only: the one under way goes on, until a grace period ends
    response = respondents.load_response(conn, response.resume_code)
    step(conn, response, "presort", 1, statement=response.state["order"][0], pile="agree")
    set_state(session, "small", "closed", grace_hours=0)
    session.commit()
    response = respondents.load_response(conn, response.resume_code)
    with pytest.raises(StateError, match="time to finish sorts already started has passed"):
        steps.apply_step(conn, response, "presort", expected_version=response.version,
                         statement=response.state["order"][1], pile="agree")


def test_identifiers(session, study, conn):
    study.settings = {"identifier": "required"}
    session.commit()
    row = open_row(conn)
    with pytest.raises(ValidationError, match="Please enter the identifier"):
        respondents.start_response(conn, row)

    def identifier(response):
        return session.get(Respondent, response.respondent_id).identifier

    r = start(conn, identifier=" P1 ")
    assert identifier(r) == "P1"
    r = start(conn, given_identifier="panel-2")
    assert identifier(r) == "panel-2"
    with pytest.raises(ValidationError, match="under 200"):
        respondents.start_response(conn, row, identifier="x" * 201)


def test_drafts_keep_typed_text_without_moving_on(conn):
    response = start(conn, now=T0, seed=5)
    run_to_questions(conn, response)
    version = response.version
    assert steps.save_draft(conn, response, expected_version=version,
                            drafts={"answers": {"age": "4"}})
    conn.commit()
    assert response.version == version and response.state["drafts"]["answers"] == {"age": "4"}
    assert not steps.save_draft(conn, response, expected_version=version - 1, drafts={})


def test_funnel_counts_reached_stages(session, study, conn):
    done = start(conn, device="phone", now=T0, seed=1)
    start(conn, device="desktop", now=T0, seed=2)
    run_to_questions(conn, done)
    counts = funnel(session, study)
    assert counts.reached == {"consented": 2, "ranking": 1, "review": 1, "extremes": 1,
                              "questions": 1, "done": 0}
    assert counts.devices == {"phone": 1, "desktop": 1}


def test_device_class():
    assert (
        respondents.device_class("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148")
        == "phone"
    )
    assert respondents.device_class("Mozilla/5.0 (X11; Linux x86_64) Chrome/120") == "desktop"
    assert respondents.device_class(None) == ""
