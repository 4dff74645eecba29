"""The front door at `/`: what the server is, the sign-in, and only the studies that opt in."""

from __future__ import annotations

from research_helpers import post
from tests_helpers import snapshot

from poetq.services.studies import set_listed, set_state


def test_home_page_lists_only_open_studies_that_opt_in(client, ada_study, bob_study, session):
    page = client.get("/")
    assert page.status_code == 200
    assert "Q methodology" in page.text and "/research/sign-in" in page.text
    assert ada_study.title not in page.text and "No study is listed here" in page.text
    set_listed(session, ada_study, True)
    set_listed(session, bob_study, True)  # a draft: listed only once it is open
    session.commit()
    page = client.get("/").text
    assert f'href="/s/{ada_study.slug}"' in page and "/s/bobs-study" not in page
    set_state(session, ada_study.slug, "closed")
    session.commit()
    assert f"/s/{ada_study.slug}" not in client.get("/").text


def test_a_researcher_lists_and_unlists_a_study(ada_client, ada_study, engine):
    url = f"/research/studies/{ada_study.slug}"
    r = post(ada_client, f"{url}/listing", {"listed": "1"}, token_from=url)
    assert r.status_code == 302
    assert f"/s/{ada_study.slug}" in ada_client.get("/").text
    assert "Stop listing it" in ada_client.get(url).text
    post(ada_client, f"{url}/listing", {"listed": "0"}, token_from=url)
    assert f"/s/{ada_study.slug}" not in ada_client.get("/").text
    before = snapshot(engine)
    assert ada_client.post(f"{url}/listing", data={"listed": "1"}).status_code == 400  # no token
    assert post(ada_client, "/research/studies/bobs-study/listing", {"listed": "1"},
                token_from=url).status_code == 404
    assert snapshot(engine) == before
