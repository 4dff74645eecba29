"""The demo researcher sees the five viewpoints of the demo study on the analysis page."""

from __future__ import annotations

import re

from research_helpers import sign_in

from poetq.services.demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG, prepare_demo


def test_demo_analysis_page_shows_five_viewpoints(app, client, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    prepare_demo(database_url, report=tmp_path / "report.html")
    sign_in(client, DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get(f"/research/studies/{DEMO_SLUG}/analysis?factors=5").text
    assert "5 factors" in page
    for f in range(1, 6):
        assert f'id="array-f{f}"' in page and f'id="crib-f{f}"' in page
    assert "No sort defines this factor" not in page
    flagged = re.findall(
        r'class="num flagged" data-value="[^"]+" data-sort="([^"]+)" data-factor="(\d)"', page
    )
    assert {f for _, f in flagged} == {"1", "2", "3", "4", "5"}
    assert client.get(f"/s/{DEMO_SLUG}").status_code == 200  # open to respondents
