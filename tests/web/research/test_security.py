"""Researchers' pages: signed-out visitors, other researchers' studies, CSRF, HTML in data."""

from __future__ import annotations

import pytest
from research_helpers import add_finished, post

from poetq.domain import Grid, QSet, Question, Statement
from poetq.services.studies import create_study
from poetq.store.models import Response, Study

VALUES = {"slug": None, "response_id": None, "stage": "welcome", "kind": "loadings", "fmt": "svg",
          "name": "first-look"}


def research_urls(app, slug: str, response_id: int) -> list[tuple[str, str]]:
    """(method, url) of every researcher page, for ``slug`` and ``response_id``."""
    out = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("research.") or rule.endpoint == "research.sign_in":
                continue
            args = {k: v for k, v in {**VALUES, "slug": slug, "response_id": response_id}.items()
                    if k in rule.arguments}
            if rule.endpoint == "research.export":
                args["fmt"] = "csv"
            url = url_for(rule.endpoint, **args)
            out += [(m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


def test_every_page_sends_a_signed_out_visitor_to_sign_in(app, client, ada_study, session):
    (r,) = add_finished(session, ada_study, 1)
    session.commit()
    urls = research_urls(app, ada_study.slug, r.id)
    assert len(urls) > 20
    for method, url in urls:
        # a post even carries a valid token of the visitor's own (signed-out) session
        resp = (
            post(client, url, token_from="/research/sign-in")
            if method == "POST"
            else client.get(url)
        )
        assert resp.status_code == 302, (method, url, resp.status_code)
        assert resp.location.startswith("/research/sign-in?next="), (url, resp.location)
    session.expire_all()
    assert (
        session.get(Response, r.id) is not None and session.get(Study, ada_study.id).state == "open"
    )


def test_another_researchers_study_is_404_whatever_the_guess(ada_client, app, bob_study, ada_study,
                                                             session):
    (theirs,) = add_finished(session, bob_study, 1)
    (_mine,) = add_finished(session, ada_study, 1, seed=2)
    session.commit()
    for slug, rid in ((bob_study.slug, theirs.id), ("no-such-study", theirs.id),
                      (ada_study.slug, theirs.id)):
        for method, url in research_urls(app, slug, rid):
            if f"/{slug}" not in url or "/new/" in url:
                # pages of one's own account or of no study (/research/, sign-out, password)
                continue
            if slug == ada_study.slug and f"/responses/{rid}" not in url:
                continue  # her own study: only someone else's response must be hidden
            resp = post(ada_client, url) if method == "POST" else ada_client.get(url)
            assert resp.status_code == 404, (method, url, resp.status_code)
            assert "bobs-study" not in resp.text and "bob@" not in resp.text
    session.expire_all()
    assert session.get(Response, theirs.id) is not None
    assert session.get(Response, theirs.id).excluded is False
    assert session.get(Study, bob_study.id).state == "draft"


def test_a_study_with_several_researchers(ada_client, bob_study, ada, session):
    from poetq.services.users import grant

    grant(session, bob_study.id, ada, role="analyst")
    session.commit()
    assert ada_client.get(f"/research/studies/{bob_study.slug}").status_code == 200
    assert "bobs-study" in ada_client.get("/research/").text


@pytest.mark.parametrize("path,data", [
    ("/research/sign-out", {}),
    ("/research/studies/{slug}/state", {"state": "closed"}),
    ("/research/studies/{slug}/invitations", {"count": "2"}),
    ("/research/studies/new/form", {"st-title": "X", "st-statements": "a\nb", "st-counts": "1 1",
                                    "st-values": "0 1", "st-left": "l", "st-right": "r"}),
])
def test_a_form_without_its_csrf_token_is_refused(ada_client, ada_study, session, path, data):
    r = ada_client.post(path.format(slug=ada_study.slug), data=data)
    assert r.status_code == 400
    r = ada_client.post(path.format(slug=ada_study.slug), data={**data, "csrf_token": "forged"})
    assert r.status_code == 400
    session.expire_all()
    assert session.get(Study, ada_study.id).state == "open"
    assert session.query(Study).count() == 1
    assert ada_client.get("/research/").status_code == 200  # still signed in


def test_a_delete_without_its_token_deletes_nothing(ada_client, ada_study, session):
    (r,) = add_finished(session, ada_study, 1)
    session.commit()
    rid = r.id
    assert (
        ada_client.post(f"/research/studies/{ada_study.slug}/responses/{rid}/delete").status_code
        == 400
    )
    session.expire_all()
    assert session.get(Response, rid) is not None


EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_statements_comments_and_answers_is_shown_as_text(ada_client, ada, session):
    qset = QSet(slug="evil", title=f"T {EVIL}",
                statements=tuple(Statement(f"s{i}", f"S{i} {EVIL}") for i in range(1, 6)),
                grid=Grid((-1, 0, 1), (1, 3, 1)),
                questions=(Question("q", "text", f"Q {EVIL}"),))
    study = create_study(session, qset, owner=ada)
    session.commit()
    rows = add_finished(session, study, 4, comments={"s1": f"C {EVIL}"}, answers={"q": f"A {EVIL}"},
                        identifiers={0: f"id{EVIL}"})
    session.commit()
    pages = ["/research/studies/evil", "/research/studies/evil/responses",
             f"/research/studies/evil/responses/{rows[0].id}",
             f"/research/studies/evil/responses/{rows[0].id}/delete",
             "/research/studies/evil/analysis?factors=2", "/research/",
             "/research/studies/evil/preview/ranking", "/research/studies/evil/preview/review"]
    for url in pages:
        text = ada_client.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(" in text, url
    detail = ada_client.get(f"/research/studies/evil/responses/{rows[0].id}").text
    assert "C &lt;script&gt;" in detail and "A &lt;script&gt;" in detail
    report = ada_client.get("/research/studies/evil/analysis/report.html?factors=2").data
    assert b"<script>alert" not in report


def test_svg_figures_may_use_inline_styles_but_nothing_else(ada_client, ada_study, session):
    """matplotlib's SVGs style themselves inline; opened on their own they must render, and
    may still fetch or run nothing."""
    from research_helpers import add_finished

    add_finished(session, ada_study, 8)
    session.commit()
    r = ada_client.get(
        f"/research/studies/{ada_study.slug}/analysis/figures/composite.svg?factors=2&factor=1"
    )
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    csp = r.headers["Content-Security-Policy"]
    assert (
        "style-src 'unsafe-inline'" in csp and "default-src 'none'" in csp and "script" not in csp
    )
    page = ada_client.get(f"/research/studies/{ada_study.slug}/analysis?factors=2")
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
