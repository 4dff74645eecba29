"""Text with Unicode direction controls is shown isolated on every page (issue 16: U+202E).

Every text a researcher, a respondent or an imported file supplies holds a stray U+2069, an
unclosed U+202E RIGHT-TO-LEFT OVERRIDE and U+2066 isolate, a U+200F mark and an Arabic letter
(:data:`bidi_check.PAYLOAD`); every researcher's page (every GET route of the blueprint) and
every respondent's page of a whole sort is parsed, and each such text must sit inside an
isolate that it cannot close (:mod:`bidi_check`).
"""

from __future__ import annotations

import io
import re

import pytest
from bidi_check import PAYLOAD, evil, problems_in_page, problems_in_text
from research_helpers import PASSWORD, add_finished, csrf, post, sign_in
from sqlalchemy import select
from web_helpers import Sorter

from poetq.bidi import balanced, isolate
from poetq.domain import Grid, QSet, Question, Statement
from poetq.errors import ValidationError
from poetq.services.studies import create_invitations, create_study, set_listed, set_state
from poetq.services.users import create_user, grant
from poetq.store.models import Response

SAVED = "\u00a4saved \u0628\u00a6"  # an analysis name holds no controls, but may be Arabic
MAIL = "\u00a4mail\u0628\u00a6@example.org"  # nor does an e-mail address
ANALYSIS = "factors=2"


def evil_qset() -> QSet:
    return QSet(
        slug="evil", title=evil("title"),
        statements=tuple(Statement(f"s{i}", evil(f"statement{i}")) for i in range(1, 6)),
        grid=Grid((-1, 0, 1), (1, 3, 1), labels=(evil("left"), evil("right"))),
        topic=evil("topic"), condition=evil("condition"),
        texts={"welcome": evil("welcome"), "thanks": evil("thanks")},
        questions=(Question("txt", "text", evil("prompt-text")),
                   Question("pick", "single", evil("prompt-pick"),
                            options=(evil("option-a"), evil("option-b"))),
                   Question("scale", "likert", evil("prompt-likert"),
                            scale=(evil("scale-low"), evil("scale-high"))),
                   Question("num", "number", evil("prompt-number"))),
    )


@pytest.fixture
def evil_study(session, ada):
    ada.name = evil("name")
    colleague = create_user(session, MAIL, PASSWORD, name=evil("colleague"))
    study = create_study(session, evil_qset(), owner=ada)
    grant(session, study.id, colleague, role="analyst")
    study.settings = {**(study.settings or {}), "identifier": "optional"}
    set_state(session, study.slug, "open")
    create_invitations(session, study.slug, 2, label=evil("invitation"))
    add_finished(session, study, 8, comments={"s1": evil("comment")},
                 answers={"txt": evil("answer"), "pick": evil("option-a"),
                          "scale": evil("scale-low"), "num": 3},
                 identifiers={k: evil(f"respondent{k}") for k in range(8)})
    session.commit()
    return study


def _check(pages: dict[str, str]) -> list[str]:
    """Each problem once (the element and the text's tag), with the first page showing it."""
    found: dict[str, str] = {}
    for url, html in pages.items():
        for problem in problems_in_page(html):
            found.setdefault(problem.split(" | ")[0], f"{problem}  ({url})")
    return sorted(found.values())


def _research_pages(app, client, study, response_id: int) -> dict[str, str]:
    pages = {}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("research.") or "GET" not in rule.methods:
                continue
            values = {"slug": study.slug, "response_id": response_id, "name": SAVED,
                      "stage": "welcome", "kind": "loadings", "fmt": "csv"}
            stages = (["welcome", "presort", "ranking", "review", "extremes", "questions", "done"]
                      if "stage" in rule.arguments else ["welcome"])
            for stage in stages:
                args = {k: v for k, v in {**values, "stage": stage}.items()
                        if k in rule.arguments}
                pages[url_for(rule.endpoint, **args)] = None
    for url in list(pages):
        for address in (url, f"{url}?{ANALYSIS}"):
            r = client.get(address)
            if r.status_code == 200 and r.mimetype == "text/html":
                pages[address] = r.text
    return {k: v for k, v in pages.items() if v}


def test_the_check_can_fail():
    assert problems_in_text(evil("x"), in_element=False)  # bare text
    assert problems_in_text(evil("x"), in_element=True)  # its U+2069 closes the element's
    assert problems_in_text("\u2068" + evil("x") + "\u2069", in_element=False)
    assert not problems_in_text(isolate(evil("x")), in_element=False)
    assert not problems_in_text("see " + balanced(evil("x")) + " here", in_element=True)
    assert problems_in_text("see " + balanced(evil("x")) + " here", in_element=False)
    assert problems_in_page(f"<p>{PAYLOAD}</p>")  # a control outside any marked text
    # isolated, but what the text opened reverses the words after it inside the isolate
    assert problems_in_text(isolate(evil("x") + " and more"), in_element=False)
    assert not problems_in_text(isolate("Delete: " + evil("x")), in_element=False)


def test_every_researchers_page_isolates_what_people_typed(app, ada_client, evil_study,
                                                           session):
    slug = evil_study.slug
    # a saved analysis (its name in the list, the banner and the flash message)
    r = post(ada_client, f"/research/studies/{slug}/analyses",
             {"name": SAVED, "factors": "2"}, token_from=f"/research/studies/{slug}")
    assert r.status_code == 302, r.text[:2000]
    flashed = {"saved (flash)": ada_client.get(r.location).text}
    # sorts imported from a file whose name and sort names hold the same text
    body = "statement," + ",".join(f'"{evil(f"sort{k}")}"' for k in range(2)) + "\n" + "".join(
        f"s{i},{v},{-v}\n" for i, v in zip(range(1, 6), (-1, 0, 0, 0, 1)))
    url = f"/research/studies/{slug}/import"
    preview = ada_client.post(url, data={
        "csrf_token": csrf(ada_client, url), "format": "csv",
        "files": [(io.BytesIO(body.encode()), evil("file"))]},
        content_type="multipart/form-data")
    assert preview.status_code == 200, preview.text[:3000]
    flashed["import preview"] = preview.text
    names = re.findall(r'name="name" value="([^"]*)"', preview.text)
    blobs = re.findall(r'name="data" value="([^"]*)"', preview.text)
    r = ada_client.post(f"{url}/confirm", data={"csrf_token": csrf(ada_client, url),
                                                 "name": [n.replace("&#34;", '"') for n in names],
                                                 "data": blobs, "format": "csv"})
    assert r.status_code == 302, r.text[:3000]
    flashed["imported (flash)"] = ada_client.get(r.location).text
    # a refused file: the problems name it
    refused = ada_client.post(url, data={
        "csrf_token": csrf(ada_client, url), "format": "csv",
        "files": [(io.BytesIO(b"statement,a\ns1,1\n"), evil("file"))]},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "poetq-import-" not in refused.text  # named as uploaded, not as the server's copy
    assert evil("file")[:-1] in refused.text
    flashed["import refused"] = refused.text
    # a copy of the study (its title in the flash message)
    r = post(ada_client, f"/research/studies/{slug}/duplicate", {"new_slug": "evil-copy"},
             token_from=f"/research/studies/{slug}")
    flashed["duplicated (flash)"] = ada_client.get(r.location).text

    # the colleague signed in: the address in the header and the flash message
    colleague = app.test_client()
    sign_in(colleague, MAIL)
    flashed["colleague signed in"] = colleague.get("/research/").text
    flashed["colleague's study page"] = colleague.get(f"/research/studies/{slug}").text
    response_id = min(session.scalars(select(Response.id).where(
        Response.study_id == evil_study.id)))
    pages = {**flashed, **_research_pages(app, ada_client, evil_study, response_id)}
    assert len(pages) > 25 and any("analysis" in u for u in pages)
    shown = "".join(pages.values())
    for tag in ("title", "statement3", "left", "right", "prompt-pick", "option-b", "scale-high",
                "comment", "answer", "respondent5", "invitation", "name", "colleague", "sort1",
                "file"):
        assert evil(tag)[:-1] in shown or balanced(evil(tag)) in shown, tag
    assert SAVED in shown and MAIL in shown
    assert _check(pages) == []


def test_every_respondents_page_isolates_what_people_typed(client, evil_study, session):
    set_listed(session, evil_study, True)
    session.commit()
    sorter = Sorter(client)
    pages = {"home page (listed study)": client.get("/").text}
    sorter.get("/s/evil")
    pages["welcome"] = sorter.page
    sorter.start("/s/evil", identifier=evil("typed-identifier"))
    for k in range(5):
        pages[f"presort {k}"] = sorter.page
        sorter.post(pile=("agree", "neutral", "disagree", "neutral", "neutral")[k])
    while sorter.stage == "ranking":
        pages[f"ranking {len(pages)}"] = sorter.page
        sorter.post(**{sorter.ranking_action(): sorter.candidates()[0]})
    pages["review"] = sorter.page
    sorter.post(confirm="1", place=sorter.places())
    pages["extremes"] = sorter.page
    sorter.post(comments="1", **{f"comment-{s}": evil(f"typed-comment-{s}")
                                  for s in sorter.comment_ids()})
    pages["questions"] = sorter.page
    sorter.post(go_back="1")
    pages["extremes again (typed comments shown)"] = sorter.page
    sorter.post(comments="1", **{f"comment-{s}": evil(f"typed-comment-{s}")
                                  for s in sorter.comment_ids()})
    # a refused answer shows the page again with what was typed
    sorter.post(finish="1", expect=400, **{"q-txt": evil("typed-answer"), "q-num": "many"})
    pages["questions refused"] = sorter.page
    sorter.post(finish="1", **{"q-txt": evil("typed-answer"), "q-num": "2",
                               "q-pick": evil("option-a"), "q-scale": evil("scale-high")})
    assert sorter.stage == "done"
    pages["done"] = sorter.page
    set_state(session, evil_study.slug, "closed")
    session.commit()
    closed = client.application.test_client().get("/s/evil")  # a newcomer
    assert closed.status_code == 410
    pages["closed study"] = closed.text
    shown = "".join(pages.values())
    for name in ("home page (listed study)", "closed study"):
        assert "\u00a4title" in pages[name], name
    for tag in ("title", "statement2", "left", "right", "prompt-likert", "option-b", "welcome",
                "thanks"):
        assert evil(tag)[:-1] in shown or balanced(evil(tag)) in shown, tag
    assert _check(pages) == []


@pytest.mark.parametrize("address", ["a\u202eb@example.org", "ab@example\u2066.org"])
def test_an_email_address_holds_no_direction_controls(session, address):
    with pytest.raises(ValidationError, match="is not an email address"):
        create_user(session, address, PASSWORD)


def test_the_html_report_isolates_what_people_typed(ada_client, evil_study):
    r = ada_client.get(f"/research/studies/{evil_study.slug}/analysis/report.html?{ANALYSIS}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "statement1" in html
    assert problems_in_page(html) == []
