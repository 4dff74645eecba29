"""SQLAlchemy 2.0 models: researchers, studies, respondents and their responses.

Portable types only (SQLite by default, PostgreSQL via ``DATABASE_URL``); timestamps are
timezone-aware UTC. A study keeps a *snapshot* of its Q-set (statements, grid, texts,
questions) as JSON, so editing the Q-set file later never changes collected data.
Schema changes go through Alembic (``poetq/store/migrations``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STUDY_STATES = ("draft", "open", "closed")

#: JSON for a column whose absence means something (an unfinished response has no ``sort``):
#: Python ``None`` is stored as SQL NULL, never as the JSON text ``null``, so that
#: ``IS NULL`` tests, backups and restores all see the same thing.
NULLABLE_JSON = JSON(none_as_null=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware UTC datetimes on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; poetq stores UTC-aware datetimes")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class StudyResearcher(Base):
    """Which researchers may see and change a study (a study can have several)."""

    __tablename__ = "study_researchers"

    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True
    )
    researcher_id: Mapped[int] = mapped_column(
        ForeignKey("researchers.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), default="owner")


class Researcher(Base):
    __tablename__ = "researchers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Increased at sign-out, password change and disabling: sessions signed in with an
    #: older generation are no longer accepted (see ``poetq.services.users``).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    studies: Mapped[list[Study]] = relationship(
        secondary="study_researchers", back_populates="researchers", viewonly=True
    )


class Study(Base):
    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    #: Snapshot of the Q-set (see ``poetq.domain.qset_to_dict``).
    qset: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str] = mapped_column(String(300), default="")
    #: Study options such as ``{"identifier": "optional"}``.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    researchers: Mapped[list[Researcher]] = relationship(
        secondary="study_researchers", back_populates="studies", viewonly=True
    )
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True
    )


class Invitation(Base):
    """A single-use invitation code for a study."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    study: Mapped[Study] = relationship(back_populates="invitations")


class Respondent(Base):
    """A person taking part: how they came in and how they come back (resume code)."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    #: Secret that brings the respondent back to where they were (cookie and resume code).
    resume_code: Mapped[str] = mapped_column(String(64), unique=True)
    #: Optional identifier chosen by the respondent or given by the researcher.
    identifier: Mapped[str | None] = mapped_column(String(200), default=None)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), default=None
    )
    device: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    study: Mapped[Study] = relationship(back_populates="respondents")
    response: Mapped[Response] = relationship(
        back_populates="respondent",
        cascade="all, delete-orphan",
        uselist=False,
        passive_deletes=True,
    )


class Response(Base):
    """One respondent's work: in-progress state and, once finished, the sort.

    ``stage`` is the current stage (see ``poetq.domain.STAGES``, plus ``done``);
    ``state`` holds the in-progress data of the staged flow; ``version`` increases on every
    saved step (optimistic concurrency: a stale post cannot overwrite newer work).
    """

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("respondent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16), default="welcome")
    version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Pre-sort piles: ``{"agree": [...], "neutral": [...], "disagree": [...]}``.
    piles: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON, default=None)
    #: The finished sort: ``{statement_id: grid value}``.
    sort: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON, default=None)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Seconds spent in each stage.
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Every choice and swap with its time.
    trace: Mapped[list[Any]] = mapped_column(JSON, default=list)
    receipt: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    #: Rate limit of the respondent's posts: the token bucket's theoretical arrival time
    #: (seconds since the epoch), written with each step (see ``poetq.store.ratelimit``).
    step_tat: Mapped[float | None] = mapped_column(Float, default=None)

    respondent: Mapped[Respondent] = relationship(back_populates="response")


class SavedAnalysis(Base):
    """A named analysis of a study: its options and the exact responses it used.

    ``options`` is :meth:`poetq.analysis.AnalysisOptions.to_dict` (manual flags and by-hand
    rotations included); ``response_ids`` lists the responses in the order of the sorts;
    ``data_hash`` is the SHA-256 of the sorts table they gave when saved, so a saved
    analysis either shows the same numbers or says why it cannot.
    """

    __tablename__ = "saved_analyses"
    __table_args__ = (UniqueConstraint("study_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    response_ids: Mapped[list[int]] = mapped_column(JSON)
    data_hash: Mapped[str] = mapped_column(String(64))
    poetq_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
