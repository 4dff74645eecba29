"""The respondents' rows, read and written with plain SQLAlchemy Core (no ORM on this path).

One typed row per concept: :class:`StudyRow` (with its domain Q-set from the one per-process
cache, :func:`cached_qset`), :class:`InvitationRow` and :class:`ResponseRow` (a response with
its respondent's resume code and its study). Each row's columns are listed once, as the
fields of its dataclass; queries select those fields and rows are built from them.

Every function takes a :class:`~sqlalchemy.Connection` first and leaves the commit to the
caller. A step is saved by :func:`update_response`: a conditional ``UPDATE … WHERE version =
:expected`` that reports whether it won (a stale or repeated post changes nothing).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, Text, bindparam, func, insert, select, update

from poetq.domain import QSet, qset_from_dict
from poetq.store.models import Invitation, Respondent, Response, Study
from poetq.store.sql import json_array_append

_R, _P, _S, _I = Response.__table__, Respondent.__table__, Study.__table__, Invitation.__table__


@dataclass(slots=True)
class StudyRow:
    """A study as the respondents' pages and services use it; ``qset`` is the domain Q-set."""

    id: int
    slug: str
    title: str
    state: str
    settings: dict[str, Any]
    created_at: dt.datetime
    qset: QSet


@dataclass(slots=True)
class InvitationRow:
    id: int
    study_id: int
    code: str
    used_at: dt.datetime | None
    study: StudyRow


@dataclass(slots=True)
class ResponseRow:
    """A response with its respondent's resume code and its study, read in one query.

    After a saved step the row holds the new values. The trace is not read: a step adds its
    entries to the stored one in the database. The finished record (``sort``, ``answers``,
    ``comments``, ``piles``) is written by the steps and read by the researchers' services.
    """

    id: int
    study_id: int
    respondent_id: int
    stage: str
    version: int
    state: dict[str, Any]
    timings: dict[str, Any]
    receipt: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    step_tat: float | None
    resume_code: str
    study: StudyRow


#: Columns of each row, written once: the dataclass fields that are columns of the table.
_STUDY_COLUMNS = tuple(f.name for f in fields(StudyRow) if f.name != "qset")
_RESPONSE_COLUMNS = tuple(f.name for f in fields(ResponseRow) if f.name in _R.c)

# --------------------------------------------------------------------------------------------
# The one Q-set cache

#: (study id, created_at) -> QSet. Building a QSet validates every statement, and every
#: respondent's page needs it. A study's snapshot is written when the study is created, and
#: an edit of a draft gives it a new ``created_at``: so the pair names one Q-set, even if a
#: deleted study's id is used again.
_QSETS: dict[tuple[int, Any], QSet] = {}
_MAX_CACHED = 256


def cached_qset(connection: Connection | None, study_id: int, created_at: Any,
                snapshot: dict[str, Any] | None = None) -> QSet:
    """The domain Q-set of a study, from the cache, else built from ``snapshot`` (read from
    the database when not given)."""
    key = (study_id, created_at)
    qset = _QSETS.get(key)
    if qset is None:
        if snapshot is None:
            if connection is None:
                raise TypeError("cached_qset needs a connection or the snapshot")
            snapshot = connection.execute(
                select(_S.c.qset).where(_S.c.id == study_id)).scalar_one()
        qset = qset_from_dict(snapshot)
        if len(_QSETS) > _MAX_CACHED:
            _QSETS.clear()
        _QSETS[key] = qset
    return qset


# --------------------------------------------------------------------------------------------
# Reading


@functools.cache
def _study_query():
    return select(*(_S.c[n] for n in _STUDY_COLUMNS))


def _study_row(connection: Connection, values: tuple[Any, ...]) -> StudyRow:
    row = dict(zip(_STUDY_COLUMNS, values))
    row["settings"] = row["settings"] or {}
    return StudyRow(**row, qset=cached_qset(connection, row["id"], row["created_at"]))


def study_by_slug(connection: Connection, slug: str) -> StudyRow | None:
    values = connection.execute(_study_query().where(_S.c.slug == bindparam("slug")),
                                {"slug": slug}).first()
    return _study_row(connection, tuple(values)) if values is not None else None


def study_by_id(connection: Connection, study_id: int) -> StudyRow:
    values = connection.execute(_study_query().where(_S.c.id == study_id)).one()
    return _study_row(connection, tuple(values))


def invitation_by_code(connection: Connection, code: str) -> InvitationRow | None:
    row = connection.execute(
        select(_I.c.id, _I.c.study_id, _I.c.code, _I.c.used_at).where(_I.c.code == code)).first()
    if row is None:
        return None
    return InvitationRow(*row, study=study_by_id(connection, row.study_id))


@functools.cache
def _response_query():
    """The one query of every respondent's page: a response, its respondent, its study."""
    columns = ([_R.c[n] for n in _RESPONSE_COLUMNS] + [_P.c.resume_code]
               + [_S.c[n].label(f"study_{n}") for n in _STUDY_COLUMNS])
    return (
        select(*columns)
        .select_from(_R.join(_P, _P.c.id == _R.c.respondent_id).join(_S, _S.c.id == _R.c.study_id))
        .where(_P.c.resume_code == bindparam("code"))
    )


def response_by_code(connection: Connection, resume_code: str) -> ResponseRow | None:
    """The response behind a resume code (upper case), with its study; the study's Q-set
    comes from the cache (read from the database once per study and process)."""
    values = connection.execute(_response_query(), {"code": resume_code}).first()
    if values is None:
        return None
    n = len(_RESPONSE_COLUMNS)
    response = dict(zip(_RESPONSE_COLUMNS, values[:n]))
    study = _study_row(connection, tuple(values[n + 1:]))
    return ResponseRow(**response, resume_code=values[n], study=study)


def code_taken(connection: Connection, kind: str, code: str) -> bool:
    """Whether ``code`` is in use as a ``resume`` code or a ``receipt``."""
    column = {"resume": _P.c.resume_code, "receipt": _R.c.receipt}[kind]
    return connection.execute(select(func.count()).where(column == code)).scalar_one() > 0


# --------------------------------------------------------------------------------------------
# Writing


def use_invitation(connection: Connection, invitation_id: int, now: dt.datetime) -> bool:
    """Mark an invitation used; ``False`` if another request used it first."""
    result = connection.execute(
        update(_I).where(_I.c.id == invitation_id, _I.c.used_at.is_(None)).values(used_at=now))
    return result.rowcount == 1


def insert_respondent(connection: Connection, *, study_id: int, resume_code: str,
                      identifier: str | None, invitation_id: int | None, device: str,
                      created_at: dt.datetime) -> int:
    result = connection.execute(insert(_P).values(
        study_id=study_id, resume_code=resume_code, identifier=identifier,
        invitation_id=invitation_id, device=device, created_at=created_at))
    return result.inserted_primary_key[0]


def insert_response(connection: Connection, *, study_id: int, respondent_id: int,
                    **values: Any) -> int:
    """A new response; ``values`` are columns of ``responses`` (the rest take their
    defaults: empty comments, answers, timings and trace)."""
    row = {"comments": {}, "answers": {}, "timings": {}, "trace": [], "version": 1,
           "excluded": False, **values}
    result = connection.execute(insert(_R).values(study_id=study_id, respondent_id=respondent_id,
                                                  **row))
    return result.inserted_primary_key[0]


@functools.cache
def _update_statement(columns: tuple[str, ...]):
    """``UPDATE responses SET <columns> WHERE id = :w_id AND version = :w_version``, built
    once per set of columns (the compiled form is reused on every step)."""
    values = {name: bindparam(name, type_=_R.c[name].type) for name in columns}
    if "trace" in values:  # the new entries only, added to the stored list in the database
        values["trace"] = json_array_append(_R.c.trace, bindparam("trace", type_=Text))
    return (
        update(_R)
        .where(_R.c.id == bindparam("w_id"), _R.c.version == bindparam("w_version"))
        .values(values)
    )


def update_response(connection: Connection, response: ResponseRow, values: dict[str, Any]) -> bool:
    """Write ``values`` (columns of ``responses``) if the response is still at its version;
    returns whether it was; the row then holds the new values.

    ``values["trace"]``, if given, is the list of new trace entries: they are added to the
    stored trace.
    """
    params = {"w_id": response.id, "w_version": response.version, **values}
    if "trace" in values:
        params["trace"] = json.dumps(values["trace"])
    result = connection.execute(_update_statement(tuple(sorted(values))), params)
    if result.rowcount != 1:
        return False
    for name, value in values.items():
        if name in _RESPONSE_COLUMNS:
            setattr(response, name, value)
    return True


def response_stages(connection: Connection, study_id: int) -> dict[str, int]:
    """How many responses of a study are at each stage."""
    rows = connection.execute(select(_R.c.stage, func.count(_R.c.id))
                              .where(_R.c.study_id == study_id).group_by(_R.c.stage))
    return {stage: n for stage, n in rows}


def respondent_devices(connection: Connection, study_id: int) -> dict[str, int]:
    rows = connection.execute(select(_P.c.device, func.count(_P.c.id))
                              .where(_P.c.study_id == study_id).group_by(_P.c.device))
    return {device: n for device, n in rows}
