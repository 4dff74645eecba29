"""Researchers' study use cases: their own studies, Q-sets from an upload or a form, previews.

Access is by the ``study_researchers`` table: a study belongs to every researcher linked to
it. A study that exists but is someone else's is reported exactly like one that does not
exist, so a guessed slug tells nothing. Functions take the session first and leave the
commit to the caller.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq import flow
from poetq.domain import STAGES, Grid, QSet, Question, Statement
from poetq.errors import NotFoundError, ValidationError
from poetq.qsets import parse_qset, slug_from_name
from poetq.services import studies
from poetq.store.models import Invitation, Researcher, Study, StudyResearcher

#: The one message for a study a researcher may not see, whether or not it exists.
NO_STUDY = "there is no study at this address"
#: The stages a preview can show, in the respondent's order.
PREVIEW_STAGES: tuple[str, ...] = flow.PAGES
MAX_UPLOAD = 1024 * 1024


def researcher(session: Session, researcher_id: int) -> Researcher:
    user = session.get(Researcher, researcher_id)
    if user is None or not user.active:
        raise NotFoundError("no such account")
    return user


def researcher_study(session: Session, researcher_id: int, slug: str) -> Study:
    """The study ``slug`` if ``researcher_id`` may see it, else :class:`NotFoundError`."""
    if not slug or len(slug) > 64 or not slug.isascii():
        raise NotFoundError(NO_STUDY)
    study = session.scalar(
        select(Study)
        .join(StudyResearcher, StudyResearcher.study_id == Study.id)
        .where(Study.slug == slug, StudyResearcher.researcher_id == researcher_id)
    )
    if study is None:
        raise NotFoundError(NO_STUDY)
    return study


def researcher_studies(session: Session, researcher_id: int) -> list[studies.StudySummary]:
    return studies.list_studies(session, researcher=researcher(session, researcher_id))


def create_owned_study(session: Session, qset: QSet, researcher_id: int, *, slug: str | None = None,
                       source_name: str = "") -> Study:
    """A new draft study of ``qset`` owned by the researcher."""
    return studies.create_study(session, qset, slug=slug or None, source_name=source_name,
                                owner=researcher(session, researcher_id))


def study_invitations(session: Session, study: Study) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation).where(Invitation.study_id == study.id)
        .order_by(Invitation.created_at.desc(), Invitation.code)
    ))


# --------------------------------------------------------------------------------------------
# Q-sets from an uploaded file or a form


def qset_from_upload(data: bytes, filename: str) -> QSet:
    """A Q-set from the bytes of an uploaded TOML file.

    Raises
    ------
    ValidationError
        Listing every problem, each as ``"name:line: where: message"`` (as ``poetq qset check``).
    """
    name = PurePath(filename or "qset.toml").name or "qset.toml"
    if len(data) > MAX_UPLOAD:
        raise ValidationError(f"{name}: the file is larger than {MAX_UPLOAD // 1024} kB")
    if not data.strip():
        raise ValidationError(f"{name}: the file is empty: choose a Q-set file (.toml)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"{name}:{line}: the file is not UTF-8 text: save it as UTF-8"
        ) from None
    return parse_qset(text, source=name, default_slug=slug_from_name(PurePath(name).stem) or None)


def _numbers(text: str, what: str, problems: list[str]) -> list[int]:
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    out = []
    for p in parts:
        try:
            out.append(int(p))
        except ValueError:
            problems.append(f"{what}: {p!r} is not a whole number")
    return out


def _question(n: int, line: str, problems: list[str]) -> Question | None:
    """``[kind:] prompt [| option | option …]``, a trailing ``*`` for a required question."""
    text = line.strip()
    required = text.endswith("*")
    text = text.rstrip("*").strip()
    kind = "text"
    head, sep, rest = text.partition(":")
    if sep and head.strip().lower() in ("text", "single", "multiple", "number", "likert"):
        kind, text = head.strip().lower(), rest.strip()
    prompt, *options = [p.strip() for p in text.split("|")]
    options = [o for o in options if o]
    try:
        return Question(
            id=f"q{n}", kind=kind, prompt=prompt, required=required,
            options=tuple(options) if kind in ("single", "multiple") else (),
            scale=tuple(options) if kind == "likert" else (),
        )
    except ValidationError as exc:
        problems.extend(f"question {n}: {p}" for p in exc.problems)
        return None


def qset_from_form(
    *,
    title: str,
    slug: str = "",
    statements: str,
    counts: str,
    values: str = "",
    labels: tuple[str, str] = ("Most disagree", "Most agree"),
    texts: Mapping[str, str] | None = None,
    questions: str = "",
    topic: str = "",
    condition: str = "",
) -> QSet:
    """A Q-set from a form: statements one per line, grid counts (values default to -h..+h),
    stage texts, and questions one per line as ``[kind:] prompt [| option …] [*]``.

    Raises
    ------
    ValidationError
        Listing every problem found.
    """
    problems: list[str] = []
    title = (title or "").strip()
    if not title:
        problems.append("the study needs a title")
    lines = [ln.strip() for ln in (statements or "").splitlines() if ln.strip()]
    if len(lines) < 2:
        problems.append("give at least 2 statements, one per line")
    stmts: list[Statement] = []
    for i, text in enumerate(lines, 1):
        try:
            stmts.append(Statement(f"s{i}", text))
        except ValidationError as exc:
            problems.extend(f"statement {i}: {p}" for p in exc.problems)
    cs = _numbers(counts, "grid counts", problems)
    vs = _numbers(values, "grid values", problems)
    grid = None
    if not cs:
        problems.append(
            "give the grid counts: how many statements each column holds, e.g. 2 3 4 3 2"
        )
    elif not vs and len(cs) % 2 == 0:
        problems.append("give the grid values when the number of columns is even")
    else:
        if not vs:
            h = len(cs) // 2
            vs = list(range(-h, h + 1))
        try:
            grid = Grid(tuple(vs), tuple(cs), tuple(x.strip() for x in labels))
            if lines:
                grid.check_fits(len(lines))
        except ValidationError as exc:
            problems.extend(exc.problems)
    qs = []
    for n, line in enumerate((ln for ln in (questions or "").splitlines() if ln.strip()), 1):
        q = _question(n, line, problems)
        if q is not None:
            qs.append(q)
    clean_texts = {k: v.replace("\r\n", "\n").strip() for k, v in (texts or {}).items()
                   if k in STAGES and v and v.strip()}
    slug = (slug or "").strip() or slug_from_name(title) or "study"
    if problems:
        raise ValidationError(problems)
    try:
        return QSet(slug=slug, title=title, statements=tuple(stmts), grid=grid, topic=topic.strip(),
                    condition=condition.strip(), texts=clean_texts, questions=tuple(qs))
    except ValidationError as exc:
        raise ValidationError(exc.problems) from None


# --------------------------------------------------------------------------------------------
# Preview: a respondent's state at each stage, made with the flow itself (nothing stored)


def preview_state(qset: QSet, stage: str) -> dict[str, Any]:
    """The flow state a respondent would have on ``stage``'s page (see :data:`PREVIEW_STAGES`).

    The pre-sort piles the statements a third each, the ranking takes the first candidate,
    comments are placeholders: enough to show every page as a respondent sees it.
    """
    if stage not in PREVIEW_STAGES:
        raise NotFoundError(f"no stage {stage!r} to preview")
    grid = qset.grid
    state = flow.new_state(qset.statement_ids, seed=0)
    state["token"] = "preview"
    if stage in ("welcome", "presort"):
        return state
    n = len(state["order"])
    for i, sid in enumerate(list(state["order"])):
        pile = "agree" if i < n / 3 else "neutral" if i < 2 * n / 3 else "disagree"
        state = flow.presort_answer(state, sid, pile, grid)
    if stage == "ranking":
        return state
    while state["stage"] == "ranking":
        state = flow.rank_choose(state, flow.ranking_step(state, grid)["candidates"][0], grid)
    if stage == "review":
        return state
    state = flow.review_confirm(state, dict(state["sort"]), grid, qset.statement_ids)
    if stage == "extremes":
        return state
    comments = {sid: "(preview)" for sid, _ in flow.extreme_statements(state, grid)}
    state = flow.extremes_submit(state, comments, grid, required=qset.require_comments)
    if stage == "questions":
        return state
    done = copy.deepcopy(state)
    done["stage"] = "done"
    return done
