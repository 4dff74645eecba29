"""Paper sorts typed in on the responses pages, and `poetq cards`."""

from __future__ import annotations

import html

import pytest
from research_helpers import csrf
from tests_helpers import snapshot

from poetq.cli import cli
from poetq.domain import format_value
from poetq.services.studies import study_qset
from poetq.store.models import Response


def _forced(study):
    """A valid sort of the study's grid: statements in order fill the columns left to right."""
    qset = study_qset(study)
    values = [int(v) for v, c in zip(qset.grid.values, qset.grid.counts) for _ in range(c)]
    return {s.id: format_value(v) for s, v in zip(qset.statements, values)}


def _post(client, study, name, values):
    url = f"/research/studies/{study.slug}/responses/enter"
    data = {"csrf_token": csrf(client, url), "name": name,
            **{f"c-{sid}": v for sid, v in values.items()}}
    return client.post(url, data=data)


def test_a_typed_in_sort_is_stored_finished_and_marked(ada_client, ada_study, session):
    page = ada_client.get(f"/research/studies/{ada_study.slug}/responses/enter")
    assert page.status_code == 200 and 'data-entry="40"' in page.text
    r = _post(ada_client, ada_study, "P07", _forced(ada_study))
    assert r.status_code == 302, r.text[:2000]
    (response,) = session.query(Response).filter_by(study_id=ada_study.id).all()
    assert response.finished_at is not None and response.respondent.identifier == "P07"
    assert response.trace[-1]["action"] == "entered by hand"
    assert response.sort == {sid: int(v) for sid, v in _forced(ada_study).items()}
    again = _post(ada_client, ada_study, "P07", _forced(ada_study))
    assert again.status_code == 409 or "already in the study" in again.text


def _overfilled(study):
    values = _forced(study)
    first, second = list(values)[:2]
    values[first], values[second] = "+4", "+4"  # +4 now holds four statements
    return values


@pytest.mark.parametrize("change,message", [
    (_overfilled, "column +4 holds 2 statements but was given 4: statements 1, 2, 39, 40"),
    (lambda s: {**_forced(s), list(_forced(s))[4]: "+7"}, "statement 5: '+7' is not a column"),
    (lambda s: {**_forced(s), list(_forced(s))[4]: "x"}, "statement 5: 'x' is not a column"),
    (lambda s: {**_forced(s), list(_forced(s))[9]: ""}, "statement 10 has no column yet"),
    (lambda s: {k: "<script>" for k in _forced(s)}, "is not a column"),
])
def test_bad_entries_are_caught_before_saving(ada_client, ada_study, engine, change, message):
    before = snapshot(engine)
    r = _post(ada_client, ada_study, "P08", change(ada_study))
    assert r.status_code == 400 and message in html.unescape(r.text), r.text[:3000]
    assert "<script>" not in r.text.split("</h1>", 1)[1].split("<form", 1)[0]
    assert snapshot(engine) == before


def test_a_sort_needs_a_name(ada_client, ada_study, engine):
    before = snapshot(engine)
    r = _post(ada_client, ada_study, "   ", _forced(ada_study))
    assert r.status_code == 400 and "give the sort a name" in r.text
    assert snapshot(engine) == before
    assert ada_client.get("/research/studies/bobs-study/responses/enter").status_code == 404


def test_cards_pdf(runner, ada_study, tmp_path):
    out = tmp_path / "cards.pdf"
    result = runner.invoke(cli, ["cards", ada_study.slug, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 40 cards and the record sheet (5 pages)" in result.output
    data = out.read_bytes()
    assert (
        data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    )
    for args in (["cards", "nope"], ["cards", ada_study.slug, "--out", str(tmp_path / "c.png")],
                 ["cards", ada_study.slug, "--out", str(tmp_path)]):
        bad = runner.invoke(cli, args)
        assert bad.exit_code != 0 and "Traceback" not in bad.output, bad.output
        assert len([ln for ln in bad.output.splitlines() if ln.startswith("Error")]) == 1
