"""The participants table: CLI export (.csv/.xlsx), the workbook's joined sheets, downloads."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from research_helpers import add_finished
from tests_helpers import snapshot

from poetq.cli import cli
from poetq.store.models import Invitation, Respondent, Response, utcnow

ANSWERS = {"sector": "Local authority commissioner", "years": 12.0, "success": "Well",
           "activities": ["A joint strategic needs assessment"], "comments": "=HYPERLINK(\"x\")"}


@pytest.fixture
def people(session, ada_study):
    """Ten finished responses (one excluded, one invited), and one unfinished."""
    done = add_finished(session, ada_study, 10, answers=ANSWERS)
    first = done[0]
    first.comments = {sid: f"why {sid}" for sid, v in first.sort.items() if abs(v) == 4}
    first.timings = {"welcome": 5.0, "presort": 30.0, "ranking": 60.5, "questions": 20}
    invitation = Invitation(study_id=ada_study.id, code="ABCDEFGH", label="mailing list A")
    session.add(invitation)
    session.flush()
    first.respondent.invitation_id = invitation.id
    done[1].excluded = True
    person = Respondent(study_id=ada_study.id, resume_code="UNFINISHED1", device="phone")
    session.add(person)
    session.flush()
    session.add(Response(study_id=ada_study.id, respondent_id=person.id, stage="ranking",
                         state={"stage": "ranking"}, timings={"presort": 12.5},
                         started_at=utcnow()))
    session.commit()
    return done


def _run(runner, *args):
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_export_participants_csv(runner, people, ada_study, tmp_path):
    out = tmp_path / "p.csv"
    assert "Wrote 10 responses" in _run(runner, "export", ada_study.slug, "--format",
                                        "participants", "--out", str(out))
    rows = _csv(out)
    header, body = rows[0], rows[1:]
    assert len(body) == 10
    first = dict(zip(header, body[0]))
    assert first["invitation"] == "mailing list A"
    assert first["seconds ranking"] == "60.5" and first["seconds total"] == "115.5"
    assert first["years: How many years have you worked in your current role? (Enter 0 if you "
                 "do not work in health or social care.)"] == "12.0"
    assert first["comments: Is there anything else you would like to say about joint "
                 "commissioning?"] == "'=HYPERLINK(\"x\")"  # never a formula
    comments = {first[f"comment {k} statement"]: (first[f"comment {k} column"],
                                                    first[f"comment {k} text"])
                for k in range(1, 5)}
    assert comments == {sid: (f"{v:d}", f"why {sid}") for sid, v in people[0].sort.items()
                        if abs(v) == 4}
    assert first["comment 1 column"] == "4"  # the right-hand end first
    assert [dict(zip(header, r))["excluded"] for r in body].count("yes") == 1
    everyone = tmp_path / "all.xlsx"
    assert "Wrote 11 responses" in _run(runner, "export", ada_study.slug, "--format",
                                        "participants", "--all", "--out", str(everyone))
    ws = load_workbook(everyone)["participants"]
    last = dict(zip([c.value for c in ws[1]], [c.value for c in ws[ws.max_row]]))
    assert (
        last["finished"] == "no" and last["device"] == "phone" and last["seconds presort"] == 12.5
    )


def test_the_workbook_joins_participants_with_the_analysis(runner, people, ada_study, tmp_path):
    book = tmp_path / "r.xlsx"
    result = json.loads(_run(runner, "analyse", ada_study.slug, "--factors", "2", "--json",
                             "--xlsx", str(book)).split("Wrote the results")[0])
    wb = load_workbook(book)
    ws = wb["participants"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 10
    by_sort = {r["sort"]: r for r in rows}
    for j, sid in enumerate(result["sort_ids"]):
        row = by_sort[sid]
        assert [row["loading f1"], row["loading f2"]] == pytest.approx(
            result["loadings"][j], abs=1e-12
        )
        assert [row["flag f1"], row["flag f2"]] == result["flags"][j]
    excluded = [r for r in rows if r["excluded"] == "yes"]
    assert len(excluded) == 1 and excluded[0]["loading f1"] is None
    tally = wb["answers by factor"]
    cells = {(r[0].value, r[3].value): [c.value for c in r[4:]] for r in tally.iter_rows(min_row=2)}
    flagged = [sum(f[k] for f in result["flags"]) for k in range(2)]
    assert cells[("success", "Well")] == flagged
    assert cells[("years", "mean")] == [12.0 if n else None for n in flagged]
    assert cells[("activities", "A joint strategic needs assessment")] == flagged


def test_participants_download(ada_client, people, ada_study, tmp_path):
    r = ada_client.get(f"/research/studies/{ada_study.slug}/participants.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert "mailing list A" in r.data.decode("utf-8-sig")
    r = ada_client.get(f"/research/studies/{ada_study.slug}/participants.xlsx?all=1")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert ada_client.get("/research/studies/bobs-study/participants.csv").status_code == 404
    assert ada_client.get(f"/research/studies/{ada_study.slug}/participants.txt").status_code == 404


@pytest.mark.parametrize("args", [
    ("export", "nope", "--format", "participants"),
    ("export", "{slug}", "--format", "participants", "--out", "{tmp}/p.txt"),
    ("export", "{slug}", "--format", "csv", "--all"),
    ("export", "{slug}", "--format", "participants", "--out", "{tmp}/missing/dir/p.csv"),
])
def test_bad_participants_exports(runner, people, ada_study, engine, tmp_path, args):
    before = snapshot(engine)
    result = runner.invoke(cli, [a.format(slug=ada_study.slug, tmp=tmp_path) for a in args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert [ln for ln in result.output.splitlines() if ln.startswith("Error")], result.output
    assert snapshot(engine) == before


def test_the_analysis_page_tabulates_answers_by_factor(ada_client, people, ada_study):
    page = ada_client.get(f"/research/studies/{ada_study.slug}/analysis?factors=2").text
    assert 'id="answers-by-factor"' in page
    assert "Overall, how well has joint commissioning worked in your area?" in page
    workbook = ada_client.get(
        f"/research/studies/{ada_study.slug}/analysis/workbook.xlsx?factors=2"
    )
    assert workbook.status_code == 200
    import io

    wb = load_workbook(io.BytesIO(workbook.data))
    assert {"participants", "answers by factor"} <= set(wb.sheetnames)


def test_backup_carries_the_participants_table(runner, people, ada_study, engine, tmp_path):
    """`poetq backup` holds every answer, comment and timing: the restored database exports
    the same participants table."""
    _run(runner, "backup", str(tmp_path / "b.poetq.gz"))
    restored = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    _run(runner, "init", "--database-url", restored)
    _run(runner, "restore", str(tmp_path / "b.poetq.gz"), "--database-url", restored)
    for url, name in ((None, "before.csv"), (restored, "after.csv")):
        extra = ["--database-url", url] if url else []
        _run(runner, "export", ada_study.slug, "--format", "participants", "--all",
             "--out", str(tmp_path / name), *extra)
    assert _csv(tmp_path / "before.csv") == _csv(tmp_path / "after.csv")
    assert len(_csv(tmp_path / "after.csv")) == 12
