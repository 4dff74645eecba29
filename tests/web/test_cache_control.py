"""Respondents' pages are never cached (issue 16: they lacked Cache-Control: no-store): a
shared computer's browser or a proxy must not keep a sort in progress or its resume code."""

from __future__ import annotations

from web_helpers import Sorter


def test_every_respondent_page_says_no_store(client, jc_study):
    sorter = Sorter(client)
    seen = {"welcome": sorter.get("/s/joint-commissioning")}
    sorter.start("/s/joint-commissioning")
    seen["first step"] = client.get(f"/r/{sorter.code}")
    seen["a step posted"] = sorter.post(pile="agree")
    seen["resume link"] = client.get(f"/r/{sorter.code}", follow_redirects=True)
    seen["unknown study"] = client.get("/s/no-such-study")
    seen["unknown resume code"] = client.get("/r/AAAABBBBCCCCD")
    for name, response in seen.items():
        assert response.headers.get("Cache-Control") == "no-store", name
