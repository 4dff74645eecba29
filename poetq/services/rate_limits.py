"""Rate limits on requests that are not a respondent's step (sign-in, per account and
address), kept in the database so every worker and machine shares them.

A respondent's steps carry their own bucket in the response row (:mod:`poetq.services.steps`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy.orm import Session

from poetq.store import ratelimit


def over_limit(session: Session, kind: str, key: str, rule: Sequence[float] | None, *,
               now: float | None = None) -> int | None:
    """Count one ``kind`` request for ``key`` under ``rule`` ``(burst, per_second)``; the
    seconds to wait when it is over the limit, else None (also when ``rule`` is None).

    Written in ``session``'s transaction (the caller commits it with the request's work).
    Keys whose bucket is full again are dropped on the way: a full bucket is the same as no
    row, so the table holds only the keys that were used lately.
    """
    if not rule:
        return None
    burst, per_second = rule
    now = time.time() if now is None else now
    ratelimit.forget_before(session, now)
    if ratelimit.hit(session, f"{kind}:{key}", burst=int(burst), per_second=float(per_second),
                     now=now):
        return None
    return max(1, round(1 / float(per_second)))
