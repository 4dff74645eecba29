"""Structured logs: one JSON line per request, with a request id, and no personal data.

Each line holds the time, request id (the ``X-Request-ID`` header when a proxy sends a
plausible one, else a new one; echoed in the response), method, path, status and duration.
Codes in paths (resume and invitation codes are secrets) are replaced by a short hash, and
nothing a respondent types is ever logged. Errors logged by the app go out as JSON lines
with the same request id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
import re
import sys
import time
from json.encoder import encode_basestring

from flask import Flask, g, has_request_context, request

REQUEST_LOGGER = "poetq.requests"
_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CODE_PATH = re.compile(r"^/(r|i)/([^/]+)")


#: A code's path anywhere in a text (Flask's "Exception on /r/K7QX… [POST]", a traceback).
_CODE_ANYWHERE = re.compile(r"/(r|i)/([A-Za-z0-9][A-Za-z0-9-]{2,63})")


def _hash(m: re.Match) -> str:
    digest = hashlib.sha256(m.group(2).upper().encode("utf-8", "replace")).hexdigest()[:8]
    return f"/{m.group(1)}/~{digest}"


def redact_path(path: str) -> str:
    """``/r/K7QX…/draft`` -> ``/r/~3f2a9c1e/draft``: traceable in logs, useless to a reader."""
    return _CODE_PATH.sub(_hash, path[:300])


def redact_text(text: str) -> str:
    """Every resume or invitation code in a path within ``text`` replaced by its short hash."""
    return _CODE_ANYWHERE.sub(_hash, text)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object (with the request id inside a request)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        else:
            entry["message"] = redact_text(record.getMessage())
        if has_request_context() and "request_id" not in entry:
            entry["request_id"] = getattr(g, "request_id", None)
            entry["path"] = redact_path(request.path)
        if record.exc_info:
            # SQL parameters never reach the text (engines hide them, poetq.store.db)
            entry["error"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (gunicorn and test runners replace it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _handler() -> logging.Handler:
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler._poetq = True  # type: ignore[attr-defined]
    return handler


def _ensure_handler(logger: logging.Logger, level: int) -> None:
    if not any(getattr(h, "_poetq", False) for h in logger.handlers):
        logger.addHandler(_handler())
    logger.setLevel(level)
    logger.propagate = False


def _request_line(fields: dict) -> str:
    """What :class:`JsonFormatter` makes of a request's record, made directly (it is written
    on every request: no record, no formatter, no generic JSON encoder)."""
    ts = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    return (f'{{"ts": "{ts}", "level": "info", "logger": "{REQUEST_LOGGER}", '
            f'"request_id": {encode_basestring(fields["request_id"])}, '
            f'"method": {encode_basestring(fields["method"])}, '
            f'"path": {encode_basestring(fields["path"])}, '
            f'"status": {int(fields["status"])}, "duration_ms": {float(fields["duration_ms"])!r}}}')


def _only_own_handler(logger: logging.Logger) -> logging.Handler | None:
    """The logger's one handler when it is poetq's own, unfiltered: then a request's line can
    be written straight to it. Any other set-up (tests, a user's config) gets real records."""
    handlers = logger.handlers
    if len(handlers) != 1 or logger.filters:
        return None
    handler = handlers[0]
    if getattr(handler, "_poetq", False) and not handler.filters and handler.level <= logging.INFO:
        return handler
    return None


def init_app(app: Flask) -> None:
    """Request ids, JSON request logs (``LOG_REQUESTS``, default on) and JSON app errors."""
    app.config.setdefault("LOG_REQUESTS", True)
    if not app.testing:
        _ensure_handler(app.logger, logging.INFO)
    requests_log = logging.getLogger(REQUEST_LOGGER)
    if app.config["LOG_REQUESTS"]:
        _ensure_handler(requests_log, logging.INFO)

    @app.before_request
    def _start():
        given = request.headers.get("X-Request-ID", "")
        # an id to find a request's lines by, not a secret
        g.request_id = given if given and _ID_RE.match(given) else f"{random.getrandbits(64):016x}"
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers.setdefault("X-Request-ID", request_id)
        if (
            app.config["LOG_REQUESTS"]
            and "request_started" in g
            and requests_log.isEnabledFor(logging.INFO)
        ):
            fields = {
                "request_id": request_id,
                "method": request.method,
                "path": redact_path(request.path),
                "status": response.status_code,
                "duration_ms": round(1000 * (time.perf_counter() - g.request_started), 1),
            }
            own = _only_own_handler(requests_log)
            if own is not None:
                line = _request_line(fields) + own.terminator  # type: ignore[attr-defined]
                with own.lock:  # type: ignore[union-attr]
                    own.stream.write(line)  # type: ignore[attr-defined]
                    own.stream.flush()  # type: ignore[attr-defined]
            else:
                # a record made directly: the caller's file and line (a stack walk) say nothing
                record = requests_log.makeRecord(REQUEST_LOGGER, logging.INFO, __file__, 0,
                                                 "request", None, None)
                record.fields = fields
                requests_log.handle(record)
        return response
