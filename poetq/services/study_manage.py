"""Managing a study as a whole: edit a draft, duplicate, delete.

A study's Q-set is frozen once any response exists (imported and typed-in sorts count):
editing it then would change what people sorted. Deleting is for drafts and closed studies
only, and needs the study's address typed as confirmation. Functions take the session first
and leave the commit to the caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from poetq.domain import QSet, Question, format_value, qset_to_dict
from poetq.errors import StateError, ValidationError
from poetq.services import sharing, studies
from poetq.store.models import Researcher, Response, Study, StudyResearcher, utcnow

DELETABLE = ("draft", "closed")


def responses_of(session: Session, study: Study) -> int:
    return int(session.scalar(select(func.count(Response.id)).where(Response.study_id == study.id)))


def editable(session: Session, study: Study) -> bool:
    """Whether the study's Q-set may still change: a draft nobody has responded to."""
    return study.state == "draft" and responses_of(session, study) == 0


def question_line(q: Question) -> str:
    """A question as one line of the study form (``[kind:] prompt [| option …] [*]``)."""
    options = q.options or q.scale
    line = f"{q.kind}: {q.prompt}" + "".join(f" | {o}" for o in options)
    return line + (" *" if q.required else "")


def form_values(qset: QSet) -> dict[str, str]:
    """The study form's fields filled from a Q-set (for editing a draft)."""
    grid = qset.grid
    return {
        "title": qset.title, "topic": qset.topic, "condition": qset.condition,
        "statements": "\n".join(s.text for s in qset.statements),
        "counts": " ".join(map(str, grid.counts)),
        "values": " ".join(format_value(int(v)) for v in grid.values),
        "left": grid.labels[0], "right": grid.labels[1],
        "questions": "\n".join(question_line(q) for q in qset.questions),
        **{f"text_{k}": v for k, v in qset.texts.items()},
    }


def _keep_what_the_form_cannot_say(old: QSet, new: QSet) -> QSet:
    """The edited Q-set with the old statement ids (matched by text) and the old questions
    where their line is unchanged (the form has no room for number limits), language and
    interface strings."""
    ids = {s.text: s.id for s in old.statements}
    used: set[str] = set()
    statements = []
    for k, s in enumerate(new.statements, 1):
        sid = ids.get(s.text)
        if sid is None or sid in used:
            sid = f"s{k}"
            while sid in used or sid in ids.values():
                sid = f"{sid}x"
        used.add(sid)
        statements.append(dataclasses.replace(s, id=sid))
    lines = {question_line(q): q for q in old.questions}
    questions = tuple(lines.get(question_line(q), q) for q in new.questions)
    return dataclasses.replace(new, slug=old.slug, statements=tuple(statements),
                               questions=questions, language=old.language, strings=old.strings,
                               require_comments=old.require_comments)


def edit_draft(session: Session, study: Study, qset: QSet, *, from_form: bool = True) -> Study:
    """Replace a draft's Q-set (from the study form, or a whole Q-set file)."""
    n = responses_of(session, study)
    if n:
        raise StateError(f"the study has {n} response{'s' if n != 1 else ''}: its statements, "
                         "texts and questions are frozen; duplicate it to make a changed copy")
    if study.state != "draft":
        raise StateError(f"the study is {study.state}: only a draft can be edited")
    if from_form:
        qset = _keep_what_the_form_cannot_say(studies.study_qset(study), qset)
    study.qset = qset_to_dict(qset)
    study.title = qset.title
    # the per-process Q-set caches are keyed by (id, created_at): a new key for a new snapshot
    study.created_at = utcnow()
    session.flush()
    return study


def duplicate(session: Session, study: Study, new_slug: str, researcher_id: int | None = None,
              *, owners: Sequence[str] = ()) -> Study:
    """A new draft with the study's Q-set (no responses, no codes), owned by the researcher
    ``researcher_id`` (the browser) and the accounts ``owners`` (e-mails; the command line),
    which must exist."""
    owner = session.get(Researcher, researcher_id) if researcher_id is not None else None
    accounts = [sharing.account(session, email) for email in owners]
    new_slug = studies.check_slug((new_slug or "").strip())
    copy = studies.create_study(session, studies.study_qset(study), slug=new_slug,
                                source_name=study.source_name, owner=owner)
    for user in accounts:
        sharing.share(session, copy, user.email, role="owner")
    return copy


def check_deletable(study: Study) -> None:
    """Refuse to delete a study that respondents may still be sorting."""
    if study.state not in DELETABLE:
        raise StateError(f"the study is {study.state}: close it before deleting it")


def delete_study(session: Session, study: Study, confirm: str) -> None:
    """Delete a draft or closed study with every response, code and link to researchers."""
    check_deletable(study)
    if (confirm or "").strip() != study.slug:
        raise ValidationError(f"type the study's address, {study.slug}, to delete it for good")
    session.execute(delete(StudyResearcher).where(StudyResearcher.study_id == study.id))
    session.delete(study)
    session.flush()
