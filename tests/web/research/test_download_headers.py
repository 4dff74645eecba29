"""Downloads name their charset once (it was sent twice: `charset=utf-8; charset=utf-8`)."""

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
