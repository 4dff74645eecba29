"""Named analyses kept with their study: options, the exact responses used, a data hash.

A saved analysis never changes when responses arrive or are excluded: it keeps the ids of
the responses it used (in order) and the SHA-256 of the sorts table they gave, and is
always recomputed from exactly those sorts with its :class:`AnalysisOptions`. If one of
those responses is deleted or its sort changed, it says so instead of showing other numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq import __version__
from poetq.analysis import AnalysisOptions, AnalysisResult
from poetq.domain import SortsTable
from poetq.errors import ConflictError, NotFoundError, ValidationError
from poetq.services.factor_analysis import Source, run_analysis
from poetq.services.participants import participants
from poetq.services.sorts import study_sorts_with_ids
from poetq.services.studies import get_study, study_qset
from poetq.store.models import SavedAnalysis, utcnow

NAME_MAX = 100


@dataclass(frozen=True)
class SavedInfo:
    """A saved analysis as the CLI and pages show it (no database object outlives its session)."""

    name: str
    options: AnalysisOptions
    response_ids: tuple[int, ...]
    data_hash: str
    poetq_version: str
    created_at: dt.datetime
    updated_at: dt.datetime
    #: finished, not excluded responses of the study that this analysis does not use
    newer_responses: int = 0

    @property
    def n_sorts(self) -> int:
        return len(self.response_ids)

    def to_dict(self) -> dict:
        return {"name": self.name, "options": self.options.to_dict(),
                "response_ids": list(self.response_ids), "data_hash": self.data_hash,
                "poetq_version": self.poetq_version, "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat(), "newer_responses": self.newer_responses}

    def method_line(self) -> str:
        """The options in words, with the data: "4 factors, PCA, ...; 40 sorts saved 2026-12-04"."""
        return (f"{self.options.describe()}; {self.n_sorts} sorts as saved "
                f"{self.created_at:%Y-%m-%d %H:%M} UTC (poetq {self.poetq_version})")


def data_hash(table: SortsTable) -> str:
    """SHA-256 of the statement ids, sort ids and grid values (as integers where whole)."""
    values = np.asarray(table.values, dtype=float)
    cells = [[int(v) if float(v).is_integer() else float(v) for v in row] for row in values]
    payload = json.dumps([list(table.statement_ids), list(table.sort_ids), cells],
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise ValidationError("give the analysis a name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"an analysis name has at most {NAME_MAX} characters")
    if any(not c.isprintable() for c in name):
        raise ValidationError("an analysis name cannot hold control characters")
    return name


def _get(session: Session, slug: str, name: str) -> SavedAnalysis:
    study = get_study(session, slug)
    row = session.scalar(select(SavedAnalysis).where(SavedAnalysis.study_id == study.id,
                                                     SavedAnalysis.name == name))
    if row is None:
        names = session.scalars(select(SavedAnalysis.name).where(SavedAnalysis.study_id == study.id)
                                .order_by(SavedAnalysis.name)).all()
        hint = (
            f" (saved: {', '.join(names)})"
            if names
            else " (none is saved yet: poetq analysis save)"
        )
        raise NotFoundError(f"study {slug!r} has no saved analysis called {name!r}{hint}")
    return row


def _current_ids(session: Session, slug: str) -> list[int]:
    try:
        return study_sorts_with_ids(session, slug)[1]
    except ValidationError:
        return []


def _info(row: SavedAnalysis, current: list[int] | None = None) -> SavedInfo:
    used = set(row.response_ids)
    return SavedInfo(
        name=row.name, options=AnalysisOptions.from_dict(row.options),
        response_ids=tuple(row.response_ids), data_hash=row.data_hash,
        poetq_version=row.poetq_version, created_at=row.created_at, updated_at=row.updated_at,
        newer_responses=sum(1 for i in current if i not in used) if current is not None else 0,
    )


def save_analysis(session: Session, slug: str, name: str, options: AnalysisOptions, *,
                  replace: bool = False) -> tuple[SavedInfo, AnalysisResult]:
    """Save the analysis ``options`` of the study's current finished, not excluded sorts
    under ``name`` (``replace`` overwrites one of that name). The analysis is run first, so
    options that do not fit the data are refused and nothing is stored."""
    name = check_name(name)
    options = options.checked()
    study = get_study(session, slug)
    table, ids = study_sorts_with_ids(session, slug)
    source = Source(table, slug, study_qset(study))
    result = run_analysis(source, options)
    row = session.scalar(select(SavedAnalysis).where(SavedAnalysis.study_id == study.id,
                                                     SavedAnalysis.name == name))
    if row is not None and not replace:
        raise ConflictError(f"study {slug!r} already has an analysis called {name!r}: "
                            "choose another name, or replace it")
    now = utcnow()
    if row is None:
        row = SavedAnalysis(study_id=study.id, name=name, created_at=now)
        session.add(row)
    row.options = options.to_dict()
    row.response_ids = ids
    row.data_hash = data_hash(table)
    row.poetq_version = __version__
    row.created_at = now
    row.updated_at = now
    session.flush()
    return _info(row, ids), result


def list_analyses(session: Session, slug: str) -> list[SavedInfo]:
    """The study's saved analyses by name, each with how many newer responses exist."""
    study = get_study(session, slug)
    rows = session.scalars(select(SavedAnalysis).where(SavedAnalysis.study_id == study.id)
                           .order_by(SavedAnalysis.name)).all()
    current = _current_ids(session, slug) if rows else []
    return [_info(r, current) for r in rows]


def saved_source(session: Session, slug: str, name: str) -> tuple[SavedInfo, Source]:
    """The saved analysis and exactly the sorts it used (checked against its hash)."""
    row = _get(session, slug, name)
    table, _ = study_sorts_with_ids(session, slug, response_ids=list(row.response_ids))
    if data_hash(table) != row.data_hash:
        raise ValidationError(
            f"the sorts of saved analysis {name!r} changed since it was saved (a sort or a "
            "respondent's identifier was edited): run it again and save it under a new name")
    study = get_study(session, slug)
    source = Source(table, slug, study_qset(study), participants=participants(session, slug))
    return _info(row, _current_ids(session, slug)), source


def open_saved(session: Session, slug: str, name: str) -> tuple[SavedInfo, Source, AnalysisResult]:
    """The saved analysis, its sorts and its result, recomputed as saved."""
    info, source = saved_source(session, slug, name)
    return info, source, run_analysis(source, info.options)


def update_options(session: Session, slug: str, name: str,
                   options: AnalysisOptions) -> tuple[SavedInfo, AnalysisResult]:
    """New options (e.g. more by-hand rotations) for a saved analysis, on its own sorts."""
    row = _get(session, slug, name)
    _, source = saved_source(session, slug, name)
    result = run_analysis(source, options.checked())
    row.options = options.to_dict()
    row.updated_at = utcnow()
    session.flush()
    return _info(row, _current_ids(session, slug)), result


def rename_analysis(session: Session, slug: str, name: str, new_name: str) -> SavedInfo:
    row = _get(session, slug, name)
    new_name = check_name(new_name)
    if new_name != name and session.scalar(select(SavedAnalysis.id).where(
            SavedAnalysis.study_id == row.study_id, SavedAnalysis.name == new_name)) is not None:
        raise ConflictError(f"study {slug!r} already has an analysis called {new_name!r}")
    row.name = new_name
    row.updated_at = utcnow()
    session.flush()
    return _info(row)


def delete_analysis(session: Session, slug: str, name: str) -> None:
    session.delete(_get(session, slug, name))
    session.flush()
