"""Every setting of poetq in one list: its key, default, environment variable and meaning.

The web app reads them in this order, later wins: these defaults -> ``instance/poetq.cfg`` ->
``POETQ_<KEY>`` environment variables (JSON values parsed, as Flask's ``from_prefixed_env``)
-> ``DATABASE_URL`` (also read without the prefix) -> the mapping given to ``create_app``.
Settings read from the environment only (outside the web app) are listed with key ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str | None
    default: Any
    env: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        None,
        "POETQ_SECRET_KEY",
        "signs sessions and the respondents' form tokens; default: a key kept in a 0600 "
        "file beside the default database (several machines must share one)",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "DATABASE_URL or POETQ_DATABASE_URL",
        "the database; default: the embedded SQLite file under POETQ_HOME",
    ),
    Setting(
        "WTF_CSRF_TIME_LIMIT",
        None,
        "POETQ_WTF_CSRF_TIME_LIMIT",
        "researchers' form tokens never expire on their own (they live as long as the session)",
    ),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "POETQ_SESSION_COOKIE_SAMESITE", "session cookie"),
    Setting("SESSION_COOKIE_HTTPONLY", True, "POETQ_SESSION_COOKIE_HTTPONLY", "session cookie"),
    Setting(
        "SECURE_COOKIES",
        False,
        "POETQ_SECURE_COOKIES",
        "cookies only over HTTPS (sets SESSION_COOKIE_SECURE) and HSTS",
    ),
    Setting(
        "PROXY_FIX", False, "POETQ_PROXY_FIX", "trust one proxy's X-Forwarded-For/-Proto/-Host"
    ),
    Setting(
        "RESUME_COOKIE_DAYS",
        180,
        "POETQ_RESUME_COOKIE_DAYS",
        "how long a respondent's browser keeps the resume code of a study",
    ),
    Setting(
        "PERMANENT_SESSION_LIFETIME",
        dt.timedelta(hours=12),
        "POETQ_PERMANENT_SESSION_LIFETIME (seconds)",
        "a researcher's session ends after this long without a request",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        2 * 1024 * 1024,
        "POETQ_MAX_CONTENT_LENGTH",
        "largest request body in bytes",
    ),
    Setting("LOG_REQUESTS", True, "POETQ_LOG_REQUESTS", "one JSON log line per request"),
    Setting(
        "RATE_LIMIT_STEPS",
        [200, 2.0],
        "POETQ_RATE_LIMIT_STEPS",
        "[burst, per second] of one respondent's steps (null: off)",
    ),
    Setting(
        "RATE_LIMIT_SIGN_IN",
        [5, 1 / 60],
        "POETQ_RATE_LIMIT_SIGN_IN",
        "sign-in tries per account and client address together",
    ),
    Setting(
        "RATE_LIMIT_SIGN_IN_ADDRESS",
        [30, 1 / 10],
        "POETQ_RATE_LIMIT_SIGN_IN_ADDRESS",
        "sign-in tries per client address, whatever the account",
    ),
    Setting(
        "RATE_LIMIT_START",
        [60, 0.5],
        "POETQ_RATE_LIMIT_START",
        "new responses per client address (a class behind one address may start together)",
    ),
    Setting(
        "RATE_LIMIT_INVITATION",
        [60, 1.0],
        "POETQ_RATE_LIMIT_INVITATION",
        "invitation links opened per client address",
    ),
    Setting(
        "RATE_LIMIT_SHARE",
        [20, 1 / 60],
        "POETQ_RATE_LIMIT_SHARE",
        "e-mail addresses one researcher may try when adding co-researchers (each try tells "
        "whether an account exists)",
    ),
    Setting(
        None,
        None,
        "POETQ_HOME",
        "poetq's folder (database, secret key, caches); "
        "default: $XDG_DATA_HOME/poetq or ~/.local/share/poetq",
    ),
    Setting(None, None, "POETQ_PASSWORD", "a new account's password for `poetq user` commands"),
)


def web_defaults() -> dict[str, Any]:
    """The web app's configuration defaults (a new dict each time: values may be lists)."""
    return {s.key: (list(s.default) if isinstance(s.default, list) else s.default)
            for s in SETTINGS if s.key is not None}
