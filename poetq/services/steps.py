"""A respondent's steps.

Load a response by its resume code, apply one action of :mod:`poetq.flow` to a response and
save it.

The service keeps the researcher's record beside the flow's state: piles, sort, comments,
answers, seconds per stage (``timings``) and a ``trace`` of every choice and swap.

Every saved step increases ``Response.version`` with a conditional ``UPDATE … WHERE
version = :expected`` (:func:`poetq.store.responses.update_response`), so a stale or
repeated post (another tab, a double click, a retried request) is refused and changes
nothing. The final submission is idempotent: a repeat with the response's submission token
returns the same receipt and stores nothing new.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from poetq import flow
from poetq.errors import RateLimited, RespondError, UnavailableError
from poetq.services.studies import new_code
from poetq.store import responses as store
from poetq.store.db import is_transient
from poetq.store.models import utcnow
from poetq.store.responses import ResponseRow, StudyRow

T = TypeVar("T")


def plausible(text: str | None) -> bool:
    """Slugs and codes are short runs of letters, digits (and '-' in slugs): anything else
    (NUL bytes, quotes, very long strings) cannot match and is not sent to the database,
    which may reject it."""
    return bool(text) and len(text) <= 64 and text.isascii() and text.replace("-", "").isalnum()


def check_may_continue(study: StudyRow, now: dt.datetime | None = None) -> None:
    """A sort already started may go on while the study is open, and after it closed until
    the end of its grace period (if the researcher set one): closing stops new sorts only."""
    if study.state == "draft":
        raise UnavailableError("study_missing")
    if study.state == "closed":
        until = (study.settings or {}).get("grace_until")
        if until and (now or utcnow()) > _aware(dt.datetime.fromisoformat(until)):
            raise UnavailableError("study_closed_sorts", study=study)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def unused_code(connection: Connection, kind: str, length: int) -> str:
    """A new ``resume`` code or ``receipt`` that no row holds yet."""
    while True:
        code = new_code(length)
        if not store.code_taken(connection, kind, code):
            return code


def load_response(connection: Connection, resume_code: str) -> ResponseRow:
    """The response behind a resume code, with its study, in one query (the hot path of every
    respondent's page)."""
    if not plausible(resume_code) or "-" in resume_code:
        raise UnavailableError("resume_missing")
    response = store.response_by_code(connection, resume_code.upper())
    if response is None:
        raise UnavailableError("resume_missing")
    return response


def retried(connection: Connection, work: Callable[[], T], *, attempts: int = 6,
            base_delay: float = 0.02, max_delay: float = 0.5,
            sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``work`` (one whole transaction on ``connection``) again from the start, rolled
    back, when it meets a transient database error: the database was busy, or a kept
    connection had gone stale (e.g. the database server restarted since the last request).

    The retry is the services' policy (the store only says which errors are transient), so a
    step's call path goes down the layers once: no store function calls back up into a
    service. ``connection`` is rolled back after every failure. Waits grow exponentially
    from ``base_delay`` up to ``max_delay`` with full jitter (workers that collided do not
    collide again); after ``attempts`` tries the error is raised. Errors that are not
    transient (constraint violations, a read-only or full disk, a refusal of the flow) are
    raised at once.
    """
    for attempt in range(attempts):
        try:
            return work()
        except BaseException as exc:
            connection.rollback()
            if (not isinstance(exc, DBAPIError) or attempt == attempts - 1
                    or not is_transient(exc)):
                raise
        sleep(random.uniform(0, min(max_delay, base_delay * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover


def take_step(connection: Connection, resume_code: str, action: str, *,
              expected_version: int | str | None, rate: Sequence[float] | None = None,
              **params: Any) -> ResponseRow:
    """Load the response behind ``resume_code``, apply ``action`` and commit; the whole
    transaction again if the database was busy (see :func:`apply_step`)."""

    def work() -> ResponseRow:
        response = load_response(connection, resume_code)
        if action == "submit" and response.finished_at is not None:
            raise RespondError("already_submitted")
        apply_step(connection, response, action, expected_version=expected_version, rate=rate,
                   **params)
        connection.commit()
        return response

    return retried(connection, work)


def apply_step(
    connection: Connection,
    response: ResponseRow,
    action: str,
    *,
    expected_version: int | str | None,
    now: dt.datetime | None = None,
    rate: Sequence[float] | None = None,
    **params: Any,
) -> ResponseRow:
    """Apply one respondent action (see :data:`poetq.flow.ACTIONS` and
    :func:`poetq.flow.take`) to a response and save it; ``submit`` also takes ``token`` (see
    :func:`submit_response`). ``expected_version`` is the version the page was made from;
    ``rate`` is the respondent's rate limit ``(burst, per_second)``, checked in the same write.

    Raises
    ------
    flow.FlowError, RespondError
        Input that does not fit the current state; nothing is saved.
    UnavailableError
        The study is no longer open, or the page is stale (``key == "stale"``).
    RateLimited
        Over ``rate``; nothing is saved.
    """
    if action == "submit":
        return submit_response(
            connection, response, params.get("answers", {}), token=params.get("token"),
            expected_version=expected_version, now=now, rate=rate,
        )
    now = now or utcnow()
    check_may_continue(response.study, now)
    if response.finished_at is not None:
        raise RespondError("already_submitted")
    _check_version(response, expected_version)
    new_state, trace = flow.take(response.state, action, params, response.study.qset)
    _save(connection, response, new_state, trace, {}, now=now, rate=rate)
    return response


def _check_version(response: ResponseRow, expected: int | str | None) -> None:
    try:
        expected_int = int(expected)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UnavailableError("stale") from None
    if expected_int != response.version:
        raise UnavailableError("stale")


def _save(connection: Connection, response: ResponseRow, new_state: dict[str, Any],
          trace: list[dict[str, Any]], extra: dict[str, Any], *, now: dt.datetime,
          rate: Sequence[float] | None = None) -> None:
    """Write the new state if nobody saved in between (else refuse, changing nothing).

    ``rate`` is ``(burst, per_second)`` for the respondent's own token bucket, kept in the
    same row and written by the same ``UPDATE`` (one write per step).
    """
    old_state = response.state
    timings = dict(response.timings or {})
    old_stage, new_stage = old_state["stage"], new_state["stage"]
    if new_stage != old_stage:
        entered = dt.datetime.fromisoformat(old_state.get("entered") or now.isoformat())
        spent = max(0.0, (now - entered).total_seconds())
        timings[old_stage] = round(timings.get(old_stage, 0.0) + spent, 1)
        new_state["entered"] = now.isoformat()
    t = round((now - response.started_at).total_seconds(), 1)
    values: dict[str, Any] = {
        "state": new_state,
        "stage": new_stage,
        "timings": timings,
        "trace": [{"t": t, "stage": old_stage, **e} for e in trace],  # added to the stored
        "version": response.version + 1,
        "updated_at": now,
        "piles": new_state.get("piles"),
        "comments": new_state.get("comments") or {},
        **extra,
    }
    if rate:
        burst, per_second = rate
        tat = _next_tat(response.step_tat, now=now.timestamp(), burst=int(burst),
                        per_second=float(per_second))
        if tat is None:
            raise RateLimited(max(1, round(1 / float(per_second))))
        values["step_tat"] = tat
    if not store.update_response(connection, response, values):
        raise UnavailableError("stale")


def _next_tat(tat: float | None, *, now: float, burst: int, per_second: float) -> float | None:
    """The respondent's token bucket, kept in the response row and written by the step's own
    ``UPDATE``: the new *theoretical arrival time* after one request at ``now``, or None when
    the request is over the limit. The same rule as :func:`poetq.store.ratelimit.hit` (which
    keeps its buckets in a table of their own): a hit is allowed when
    ``tat <= now + (burst - 1) * interval`` and moves ``tat`` on by one ``interval``."""
    if burst < 1 or per_second <= 0:
        raise ValueError("burst must be at least 1 and per_second positive")
    interval = 1.0 / per_second
    if tat is not None and tat > now + (burst - 1) * interval:
        return None
    return max(tat or now, now) + interval


def submit_response(
    connection: Connection,
    response: ResponseRow,
    answers: Mapping[str, Any],
    *,
    token: str | None,
    expected_version: int | str | None,
    now: dt.datetime | None = None,
    rate: Sequence[float] | None = None,
) -> ResponseRow:
    """Finish a response: answers validated, the sort validated again, a receipt issued.

    Idempotent: once finished, a repeat with the response's submission token returns the
    response unchanged (same receipt), whatever else it carries.
    """
    now = now or utcnow()
    state = response.state
    if not token or not secrets.compare_digest(str(token), str(state.get("token", ""))):
        if response.finished_at is not None:
            raise RespondError("already_submitted")
        raise UnavailableError("stale")
    if response.finished_at is not None:
        return response
    check_may_continue(response.study, now)
    _check_version(response, expected_version)
    new_state, trace = flow.take(state, "submit", {"answers": answers}, response.study.qset)
    extra = {"sort": dict(new_state["sort"]), "answers": new_state["answers"],
             "receipt": unused_code(connection, "receipt", 10), "finished_at": now}
    _save(connection, response, new_state, trace, extra, now=now, rate=rate)
    return response


def save_draft(
    connection: Connection,
    response: ResponseRow,
    *,
    expected_version: int | str | None,
    drafts: Mapping[str, Any],
) -> bool:
    """Keep what a respondent has typed so far (autosave); returns whether it was saved.

    Drafts are not steps: the version does not change, so a submit racing an autosave is
    not refused. A draft for a page the response has moved past is ignored.
    """
    if response.finished_at is not None:
        return False
    try:
        expected = int(expected_version)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if expected != response.version:
        return False
    state = dict(response.state)
    state["drafts"] = flow.merged_drafts(state, drafts)
    return store.update_response(connection, response, {"state": state})
