"""Creating studies (upload or form), the study page, open/close, invitations, preview."""

from __future__ import annotations

import io
import re

import pytest
from research_helpers import post
from web_helpers import JC, Sorter

from poetq.services.studies import get_study
from poetq.store.models import Invitation, Response, StudyResearcher

BAD_QSET = b"""title = "Broken"
titel = "typo"

[grid]
counts = [1, 2, 1]

[[statements]]
id = "a"
text = "One"

[[statements]]
id = "b"
text = ""
"""


def upload(client, data: bytes, name: str = "qset.toml", slug: str = ""):
    return post(client, "/research/studies/new/upload",
                {"up-qset": (io.BytesIO(data), name), "up-slug": slug},
                token_from="/research/studies/new", content_type="multipart/form-data")


def test_create_from_an_uploaded_qset_file(ada_client, session, ada):
    r = upload(ada_client, JC.read_bytes(), "joint-commissioning.toml", slug="jc-2026")
    assert r.status_code == 302 and r.location == "/research/studies/jc-2026"
    study = get_study(session, "jc-2026")
    assert study.state == "draft" and len(study.qset["statements"]) == 40
    assert session.get(StudyResearcher, (study.id, ada.id)) is not None
    page = ada_client.get(r.location).text
    assert "draft" in page and "http://localhost/s/jc-2026" in page


def test_every_problem_of_an_uploaded_file_is_shown_with_its_line(ada_client):
    r = upload(ada_client, BAD_QSET, "broken.toml")
    assert r.status_code == 400
    assert "broken.toml:2: unknown key &#39;titel&#39;" in r.text
    assert re.search(r"broken\.toml:1[0-9]: statement &#39;b&#39;", r.text)
    assert "add up to 4" in r.text or "add up to 2" in r.text


def test_an_upload_that_is_not_utf8_or_empty_is_refused(ada_client):
    assert "not UTF-8" in upload(ada_client, b'title = "\xff"\n').text
    assert "empty" in upload(ada_client, b"  \n").text


def form_data(**over):
    data = {
        "st-title": "Commuting",
        "st-slug": "",
        "st-statements": "Buses are late.\nI like trains.\nCycling is fast.\n",
        "st-counts": "1 1 1",
        "st-left": "Disagree",
        "st-right": "Agree",
        "st-questions": "single: How do you travel? | Bus | Train | Bike *\nAnything else?",
        "st-text_welcome": "Welcome to [study].",
    }
    data.update(over)
    return data


def test_create_by_filling_in_the_form(ada_client, session):
    r = post(
        ada_client, "/research/studies/new/form", form_data(), token_from="/research/studies/new"
    )
    assert r.status_code == 302 and r.location == "/research/studies/commuting"
    study = get_study(session, "commuting")
    assert [s["text"] for s in study.qset["statements"]] == ["Buses are late.", "I like trains.",
                                                             "Cycling is fast."]
    assert study.qset["grid"]["values"] == [-1, 0, 1]
    questions = study.qset["questions"]
    assert questions[0]["kind"] == "single" and questions[0]["required"] is True
    assert questions[1]["kind"] == "text"


def test_the_form_lists_every_problem_and_keeps_what_was_typed(ada_client):
    r = post(ada_client, "/research/studies/new/form",
             form_data(**{"st-counts": "1 2 1", "st-questions": "single: Pick one | only"}),
             token_from="/research/studies/new")
    assert r.status_code == 400
    assert "add up to 4" in r.text and "but there are 3 statements" in r.text
    assert "needs at least 2 options" in r.text
    assert "Buses are late." in r.text
    # the live count check is an external script with a place to speak
    assert 'id="count-check"' in r.text and "research.js" in r.text and "<script>" not in r.text


def test_open_close_and_the_respondents_link(ada_client, ada_study, client):
    assert "Close the study" in ada_client.get(f"/research/studies/{ada_study.slug}").text
    r = post(ada_client, f"/research/studies/{ada_study.slug}/state", {"state": "closed"})
    assert r.status_code == 302
    assert client.application.test_client().get(f"/s/{ada_study.slug}").status_code == 410
    assert "with no time limit" in ada_client.get(f"/research/studies/{ada_study.slug}").text
    post(ada_client, f"/research/studies/{ada_study.slug}/state", {"state": "open"})
    assert client.application.test_client().get(f"/s/{ada_study.slug}").status_code == 200
    # closed with a grace period for the sorts under way
    post(ada_client, f"/research/studies/{ada_study.slug}/state",
         {"state": "closed", "grace_hours": "48"})
    assert "may be finished until" in ada_client.get(f"/research/studies/{ada_study.slug}").text


def test_invitation_codes(ada_client, ada_study, session):
    r = post(
        ada_client,
        f"/research/studies/{ada_study.slug}/invitations",
        {"count": "3", "label": "panel"},
    )
    assert r.status_code == 302
    codes = session.query(Invitation).filter_by(study_id=ada_study.id).all()
    assert len(codes) == 3 and all(c.label == "panel" for c in codes)
    page = ada_client.get(f"/research/studies/{ada_study.slug}").text
    assert all(c.code in page for c in codes)
    bad = post(ada_client, f"/research/studies/{ada_study.slug}/invitations", {"count": "0"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "stage", ["welcome", "presort", "ranking", "review", "extremes", "questions", "done"]
)
def test_preview_shows_the_respondents_pages_and_stores_nothing(
    ada_client, ada_study, session, stage
):
    r = ada_client.get(f"/research/studies/{ada_study.slug}/preview/{stage}")
    assert r.status_code == 200
    body_stage = "welcome" if stage == "welcome" else stage
    assert f'class="stage-{body_stage}"' in r.text
    assert "Preview" in r.text and "nothing" in r.text
    # the respondents' buttons move the preview on, with the token the page's own form holds
    # (issue 17.6: every page after the welcome used to answer 400 "This form has expired")
    url = f"/research/studies/{ada_study.slug}/preview/{stage}"
    own_form = 'name="csrf_token"' in r.text  # (the thanks page has no form)
    page = Sorter(ada_client)
    page.page = r.text
    hidden = page.fields()
    button = {  # what the page's own (first) button posts
        "welcome": {"consent": "1"},
        "presort": {"statement": hidden.get("statement"), "pile": "agree"},
        "ranking": {page.ranking_action(): (page.candidates() or [""])[0]},
        "review": {"confirm": "1", "place": page.places()},
        "extremes": {"comments": "1", **{f"comment-{s}": "x" for s in page.comment_ids()}},
        "questions": {"finish": "1", "token": hidden.get("token"), "q-sector": "Other"},
        "done": {},
    }[stage]
    nxt = post(ada_client, url, button, token_from=url if own_form else "/research/")
    assert nxt.status_code == 302, nxt.text[:2000]
    following = ["welcome", "presort", "ranking", "review", "extremes", "questions", "done"]
    after = following[min(following.index(stage) + 1, len(following) - 1)]
    assert f"/preview/{after}" in nxt.location or f"/preview/{stage}?" in nxt.location
    # the walked state travels signed in the address: a forged one is not taken
    forged = ada_client.get(f"{url}?s=" + nxt.location.partition("s=")[2][:-3] + "xyz")
    assert forged.status_code == 200 and 'class="stage-' in forged.text
    assert "/r/" not in r.text.split("</main>")[1]  # no resume footer: nothing to come back to
    assert session.query(Response).count() == 0


def test_a_refused_step_in_the_preview_says_why_and_stays(ada_client, ada_study, session):
    """The preview refuses a step as a respondent's page does: the same page, the reason,
    what was typed kept (here: a required question left unanswered)."""
    url = f"/research/studies/{ada_study.slug}/preview/questions"
    page = Sorter(ada_client)
    page.get(url)
    r = post(ada_client, url, {"finish": "1", "token": page.fields()["token"], "q-years": "7"},
             token_from=url)
    assert r.status_code == 400
    assert 'class="stage-questions"' in r.text and "Preview" in r.text
    assert "Which of these best describes" in r.text.split('class="error"', 1)[1][:400]
    assert 'value="7"' in r.text
    assert session.query(Response).count() == 0
