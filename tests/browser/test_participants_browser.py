"""A respondent's typed comments and answers in Chromium reach the participants export and
the results workbook, whose joined sheet holds the numbers of ``poetq analyse --json``."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_respondent_browser import SLUG, Respondent

from poetq.cli import cli
from poetq.services.sorts import store_finished_sorts
from poetq.services.studies import get_study, study_qset
from poetq.simulate import simulate_sorts


def _cli(url, *args):
    result = CliRunner().invoke(cli, [*args, "--database-url", url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_typed_comments_and_answers_reach_the_export_and_workbook(browser, server, tmp_path):
    base, factory = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    r = Respondent(page, base)
    r.open()
    r.consent()
    r.presort()
    r.rank()
    r.review()
    r.extremes()
    page.locator('input[name="q-years"]').fill("17")
    page.locator('textarea[name="q-comments"]').fill("Budgets, not boards, decide it.")
    r.questions()
    page.close()
    with factory() as session:  # eleven more sorts, so that there is something to analyse
        study = get_study(session, SLUG)
        qset = study_qset(study)
        sim = np.asarray(simulate_sorts(qset.grid, 11, n_viewpoints=2, seed=3).values)
        store_finished_sorts(session, study, [
            (f"sim{j}", {sid: int(v) for sid, v in zip(qset.statement_ids, sim[:, j])})
            for j in range(11)], origin="simulated")
        session.commit()
    prompts = {q.id: q.prompt for q in qset.questions}
    url = factory.kw["bind"].url.render_as_string(hide_password=False)
    out = tmp_path / "people.csv"
    _cli(url, "export", SLUG, "--format", "participants", "--out", str(out))
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    (person,) = [row for row in rows if row["device"]]
    assert person["sector: " + prompts["sector"]] == "Other"
    assert person["years: " + prompts["years"]] in ("17", "17.0")
    assert person["comments: " + prompts["comments"]] == "Budgets, not boards, decide it."
    assert sorted(person[f"comment {k} text"] for k in range(1, 5)) == [
        f"Reason {i}." for i in range(1, 5)]
    assert {person[f"comment {k} column"] for k in range(1, 5)} == {"4", "-4"}
    assert float(person["seconds ranking"]) > 0
    book = tmp_path / "r.xlsx"
    printed = _cli(url, "analyse", SLUG, "--factors", "2", "--json", "--xlsx", str(book))
    result = json.loads(printed[: printed.rindex("}") + 1])
    ws = load_workbook(book)["participants"]
    header = [c.value for c in ws[1]]
    sheet = {row["sort"]: row for row in
             (dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2))}
    assert len(sheet) == 12
    for j, sid in enumerate(result["sort_ids"]):
        assert [sheet[sid]["loading f1"], sheet[sid]["loading f2"]] == pytest.approx(
            result["loadings"][j], abs=1e-12)
        assert [sheet[sid]["flag f1"], sheet[sid]["flag f2"]] == result["flags"][j]
    assert sheet[person["sort"]]["comment 1 text"].startswith("Reason")
