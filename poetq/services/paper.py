"""Sorts done on paper: typed in from a record sheet, and the cards and sheet to print.

Typing in is PQMethod's QENTRY, checked as you go: each statement number gets the column it
was put in; a column given more statements than the grid holds is named (with the
statements in it) before anything is saved. The sort is stored as a finished response whose
trace says "entered by hand". :func:`cards_pdf` draws the numbered statement cards and a
blank record sheet shaped like the grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq.domain import QSet, format_value
from poetq.errors import ConflictError, ValidationError
from poetq.services.respondents import MAX_IDENTIFIER
from poetq.services.sorts import store_finished_sorts
from poetq.services.studies import get_study, study_qset
from poetq.store.models import Respondent, Response

#: What the trace of a typed-in sort says (shown on the response's page).
ENTERED_BY_HAND = "entered by hand"


@dataclass(frozen=True)
class Column:
    value: int
    label: str
    room: int


def columns(qset: QSet) -> list[Column]:
    """The grid's columns, left to right, with how many statements each holds."""
    return [Column(int(v), format_value(int(v)), int(c))
            for v, c in zip(qset.grid.values, qset.grid.counts)]


def _column_of(raw: str, qset: QSet) -> int | None:
    text = (raw or "").strip().replace("−", "-")
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(text) from None
    if value not in set(int(v) for v in qset.grid.values):
        raise ValueError(text)
    return value


def check_entry(qset: QSet, raw: Mapping[str, str]) -> dict[str, int]:
    """The sort typed in as ``{statement id: column text}``, checked completely.

    Raises
    ------
    ValidationError
        Listing every problem: a column that is not the grid's, a statement left out, and
        (for a forced grid) each column given more statements than it holds (with the
        statement numbers).
    """
    lo, hi = format_value(int(qset.grid.values[0])), format_value(int(qset.grid.values[-1]))
    problems, sort = [], {}
    for s in qset.statements:
        n = qset.number(s.id)
        try:
            value = _column_of(str(raw.get(s.id, "") or "")[:10], qset)
        except ValueError as exc:
            problems.append(f"statement {n}: {str(exc)!r} is not a column of the grid "
                            f"(use a whole number from {lo} to {hi})")
            continue
        if value is None:
            problems.append(f"statement {n} has no column yet")
        else:
            sort[s.id] = value
    for col in columns(qset):
        placed = [qset.number(sid) for sid, v in sort.items() if v == col.value]
        if qset.grid.forced and len(placed) > col.room:  # a free grid takes any number
            problems.append(f"column {col.label} holds {col.room} statements but was given "
                            f"{len(placed)}: statements {', '.join(map(str, sorted(placed)))}")
    if problems:
        # the overfilled columns first: they are what a record sheet gets wrong
        problems.sort(key=lambda p: not p.startswith("column"))
        raise ValidationError(problems)
    return sort


def store_entry(session: Session, slug: str, name: str, raw: Mapping[str, str]) -> Response:
    """Check a typed-in sort and store it as a finished response "entered by hand"."""
    study = get_study(session, slug)
    qset = study_qset(study)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("give the sort a name (the participant's code on the record sheet)")
    if len(name) > MAX_IDENTIFIER:
        raise ValidationError(f"the name is longer than {MAX_IDENTIFIER} characters")
    sort = check_entry(qset, raw)
    same = session.execute(
        select(Response.sort).join(Respondent, Response.respondent_id == Respondent.id)
        .where(Response.study_id == study.id, Respondent.identifier == name)
    ).scalars().all()
    if any(s == sort for s in same):
        raise ConflictError(f"the sort {name!r} is already in the study, exactly as typed")
    (response,) = store_finished_sorts(session, study, [(name, sort)], origin=ENTERED_BY_HAND)
    return response


def cards_pdf(session: Session, slug: str, path: str | Path) -> tuple[int, int]:
    """Write the study's printable cards and blank record sheet to a PDF; returns
    ``(cards, pages)``."""
    from poetq.plots.cards import write_cards_pdf  # matplotlib only for the cards PDF

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise ValidationError(f"{path}: the cards are written as a PDF (give a .pdf file name)")
    if path.is_dir():
        raise ValidationError(f"{path} is a directory: give the PDF's file name")
    qset = study_qset(get_study(session, slug))
    pages = write_cards_pdf(qset, path)
    return len(qset.statements), pages
