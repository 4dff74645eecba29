"""Errors to pages: one table from error keys and classes to HTTP statuses, and the handlers.

Library errors carry a ``key`` (:data:`poetq.errors.MESSAGES`, :data:`poetq.flow.MESSAGES`);
the page shows the message for the key in the study's language (:mod:`poetq.web.i18n`) with
the status below. Errors without a key fall back on their class.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from poetq.errors import NotFoundError, PoetqError, RateLimited, StateError, ValidationError
from poetq.web.db import is_unavailable
from poetq.web.i18n import Translator

#: Seconds a respondent is asked to wait when the database cannot take writes.
RETRY_AFTER = 5

#: HTTP status of each keyed refusal (keys not listed: by class, see :func:`status_of`).
STATUS: Mapping[str, int] = {
    "study_missing": 404,
    "study_draft": 403,
    "study_closed": 410,
    "study_closed_sorts": 410,
    "invitation_missing": 404,
    "invitation_used": 410,
    "resume_missing": 404,
    "stale": 400,
    "already_submitted": 409,
    "rate_limited": 429,
}


def status_of(exc: PoetqError, *, refused_step: bool = False) -> int:
    """The HTTP status for ``exc``. A refused step (input that does not fit the page) is a
    400 whatever its class, unless its key says otherwise."""
    if exc.key in STATUS:
        return STATUS[exc.key]
    if refused_step:
        return 400
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StateError) and not isinstance(exc, ValidationError):
        return 409
    return 400


def _translator() -> Translator:
    return getattr(g, "t", None) or Translator()


def error_page(status: int, lines: list[str], headers: Mapping[str, str] | None = None):
    t = _translator()
    return (
        render_template("error.html", t=t, lang=t.language, lines=lines, status=status,
                        title=t("error_title")),
        status,
        dict(headers or {}),
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(400, [_translator()("error_csrf")])

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        key = f"error_{status}" if status in (400, 404, 405, 413, 429, 503) else "error_400"
        if status >= 500 and status != 503:
            key = "error_500"
        headers = {k: v for k, v in exc.get_headers() if k == "Retry-After"}
        return error_page(status, [_translator()(key)], headers)

    @app.errorhandler(DBAPIError)
    def _database(exc: DBAPIError):
        if not is_unavailable(exc):
            return _unexpected(exc)
        app.logger.warning("database unavailable: %s", type(exc.orig).__name__)
        return error_page(503, [_translator()("error_503")], {"Retry-After": str(RETRY_AFTER)})

    @app.errorhandler(RateLimited)
    def _rate_limited(exc: RateLimited):
        return error_page(429, [_translator()("error_429")], {"Retry-After": str(exc.retry_after)})

    @app.errorhandler(PoetqError)
    def _poetq(exc: PoetqError):
        return error_page(status_of(exc), _translator().error(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return _http(exc)
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_page(500, [_translator()("error_500")])
