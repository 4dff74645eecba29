"""What researchers' pages send: a charset named once, and text from respondents isolated (bidi)."""

from __future__ import annotations

from research_helpers import add_finished


def test_downloads_name_their_charset_once(ada_client, ada_study, session):
    add_finished(session, ada_study, 6)
    session.commit()
    for url in (f"/research/studies/{ada_study.slug}/export/csv",
                f"/research/studies/{ada_study.slug}/analysis/report.html?factors=2"):
        r = ada_client.get(url)
        assert r.status_code == 200, url
        assert r.headers["Content-Type"].count("charset") == 1, r.headers["Content-Type"]


def test_text_with_bidi_controls_is_isolated(ada_client, ada_study, session):
    """U+202E in a respondent's name must not reverse the text around it on the page."""
    from sqlalchemy import select

    from poetq.store.models import Respondent

    add_finished(session, ada_study, 2)
    who = session.scalars(select(Respondent)).first()
    who.identifier = "P\u202e1 evil"
    session.commit()
    page = ada_client.get(f"/research/studies/{ada_study.slug}/responses").text
    assert "<bdi>P\u202e1 evil\u202c</bdi>" in page  # isolated, its override closed
    # (every page and every kind of text: test_bidi_isolation.py)
