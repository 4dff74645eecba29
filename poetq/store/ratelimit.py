"""Rate limits kept in the database, so every worker process and machine shares them.

A generic cell rate algorithm (a token bucket stored as one number): each key holds its
*theoretical arrival time* ``tat`` in seconds since the epoch. A hit is allowed when
``tat <= now + (burst - 1) * interval`` and moves ``tat`` on by one ``interval``; the check
and the update are one conditional ``UPDATE``, so concurrent hits cannot both take the last
token. The table is not part of :data:`poetq.store.models.Base` (its rows are not research
data: backups leave them out).
"""

from __future__ import annotations

import time

from sqlalchemy import Column, Float, MetaData, String, Table, case, delete, select, update
from sqlalchemy.orm import Session

from poetq.store.models import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("tat", Float, nullable=False),
)


def hit(session: Session, key: str, *, burst: int, per_second: float,
        now: float | None = None) -> bool:
    """Count one request against ``key``; False when it is over the limit.

    ``burst`` requests may come at once, then ``per_second`` on average. Runs in the
    caller's transaction (the caller commits, typically with the request's own write).
    """
    if burst < 1 or per_second <= 0:
        raise ValueError("burst must be at least 1 and per_second positive")
    now = time.time() if now is None else now
    interval = 1.0 / per_second
    key = key[:200]
    tat = rate_limits.c.tat
    moved = session.execute(
        update(rate_limits)
        .where(rate_limits.c.key == key, tat <= now + (burst - 1) * interval)
        .values(tat=case((tat > now, tat + interval), else_=now + interval))
    )
    if moved.rowcount == 1:
        return True
    if session.scalar(select(tat).where(rate_limits.c.key == key)) is not None:
        return False
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The dialect's own upsert; which one is known only from the session's database.
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(rate_limits).values(key=key, tat=now + interval).on_conflict_do_nothing()
    )
    return True


def forget_before(session: Session, cutoff: float) -> int:
    """Delete keys idle since ``cutoff`` (their bucket is full again); returns how many."""
    return session.execute(delete(rate_limits).where(rate_limits.c.tat < cutoff)).rowcount
