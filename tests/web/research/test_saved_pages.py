"""Saved analyses in the browser: save, open (pinned sorts), update, rename, delete."""

from __future__ import annotations

import json
import re

import pytest
from research_helpers import add_finished, csrf

from poetq.cli import cli


@pytest.fixture
def study(session, ada_study):
    add_finished(session, ada_study, 10, seed=5)
    session.commit()
    return ada_study


def loadings(page: str) -> dict[tuple[str, int], float]:
    return {(s, int(f)): float(v) for v, s, f in re.findall(
        r'data-value="([^"]+)" data-sort="([^"]+)" data-factor="(\d+)"', page)}


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf(client, "/research/studies/new"), **data})


def test_save_open_update_rename_delete(ada_client, study, session, runner):
    slug = study.slug
    base = f"/research/studies/{slug}/analysis"
    page = ada_client.get(f"{base}?factors=2&rot=1,2,20").text
    assert 'id="save-form"' in page
    r = post(ada_client, f"/research/studies/{slug}/analyses",
             {"name": "two", "factors": "2", "extraction": "pca", "rotation": "varimax",
              "cor": "pearson", "rot": "1,2,20"})
    assert r.status_code == 302 and "analysis=two" in r.headers["Location"]
    saved_page = ada_client.get(r.headers["Location"]).text
    assert "Saved analysis “two”" in saved_page and "then by hand: f1/f2 +20°" in saved_page
    before = loadings(saved_page)
    # the browser's saved analysis equals the CLI's --rotate and `analysis show`
    shown = json.loads(runner.invoke(cli, ["analysis", "show", slug, "two", "--json"]).output)
    assert {(s, f + 1): v for j, s in enumerate(shown["sort_ids"])
            for f, v in enumerate(shown["loadings"][j])} == before

    add_finished(session, study, 4, seed=6)
    session.commit()
    again = ada_client.get(r.headers["Location"]).text
    assert loadings(again) == before
    assert "4 newer responses are not in this analysis" in again
    live = ada_client.get(f"{base}?factors=2&rot=1,2,20").text
    assert loadings(live) != before

    # one more by-hand rotation, saved in the analysis (its sorts kept)
    r = post(ada_client, f"/research/studies/{slug}/analyses",
             {"update": "two", "factors": "2", "rot": ["1,2,20", "1,2,-5"]})
    assert r.status_code == 302
    shown = json.loads(runner.invoke(cli, ["analysis", "show", slug, "two", "--json"]).output)
    assert shown["analysis"]["options"]["rotations"] == [[1, 2, 20.0], [1, 2, -5.0]]
    assert len(shown["sort_ids"]) == 10

    r = post(ada_client, f"/research/studies/{slug}/analyses", {"name": "two", "factors": "3"})
    assert r.status_code == 409 and "already has an analysis called" in r.text
    listing = ada_client.get(f"/research/studies/{slug}/analyses").text
    assert "two" in listing and "<td class=\"num\">4</td>" in listing
    r = post(ada_client, f"/research/studies/{slug}/analyses/two/rename", {"new_name": "final"})
    assert r.status_code == 302
    assert ada_client.get(f"/research/studies/{slug}/analyses/final/open").status_code == 302
    r = post(ada_client, f"/research/studies/{slug}/analyses/final/delete", {})
    assert r.status_code == 400
    r = post(ada_client, f"/research/studies/{slug}/analyses/final/delete", {"confirm": "1"})
    assert r.status_code == 302
    assert "No analysis is saved yet" in ada_client.get(f"/research/studies/{slug}/analyses").text
    assert ada_client.get(f"{base}?factors=2&analysis=final").status_code in (200, 404)


def test_compare_page_equals_poetq_compare(ada_client, study, runner, tmp_path):
    page = ada_client.get(f"/research/studies/{study.slug}/compare?factors=2-4&extraction=centroid")
    assert page.status_code == 200
    r = runner.invoke(cli, ["compare", study.slug, "--factors", "2-4", "--extraction", "centroid",
                            "--out", str(tmp_path / "c.csv")])
    assert r.exit_code == 0, r.output
    import csv

    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as fh:
        rows = [row for row in csv.DictReader(fh) if row["factor"].startswith("f")]
    for row in rows:
        assert f"<td>{row['n_sorts']}: {row['sorts'].replace(' ', ', ')}</td>" in page.text
    bad = ada_client.get(f"/research/studies/{study.slug}/compare?factors=5-2")
    assert bad.status_code == 400 and "1 &lt;= FROM &lt;= TO" in bad.text
