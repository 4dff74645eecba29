"""The web app: ``create_app(config=None)`` builds a Flask app with the respondents' pages.

Configuration, later wins: built-in defaults → ``instance/poetq.cfg`` (a Python file in the
app's instance folder) → ``POETQ_*`` environment variables (``POETQ_SECRET_KEY``,
``POETQ_DATABASE_URL``; ``DATABASE_URL`` is read too) → the ``config`` mapping given to
:func:`create_app` (tests). One SQLAlchemy session per request, closed at teardown; no
module-level app or engine. The request's database handles are in :mod:`poetq.web.db`, the
error pages in :mod:`poetq.web.errors`.
"""

from __future__ import annotations

import gc
import os
import secrets
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from poetq.settings import web_defaults
from poetq.web import assets, bidi, errors, logs, security, templating
from poetq.web import db as web_db
from poetq.web.security import CSP

__all__ = ["CSP", "create_app", "create_served_app", "create_worker_app"]

#: Every key with its default and environment variable: :mod:`poetq.settings`.
DEFAULTS: dict[str, Any] = web_defaults()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides everything else (used by tests)."""
    app = Flask(__name__, instance_relative_config=True)
    templating.init_app(app)  # first: these two set how the templates are compiled
    bidi.init_app(app)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("poetq.cfg", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("POETQ")
    if config:
        app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _stored_secret_key(app)
    if app.config.get("SECURE_COOKIES"):
        app.config["SESSION_COOKIE_SECURE"] = True
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    app.session_interface = _SessionInterface()
    web_db.init_app(app)
    logs.init_app(app)  # before CSRF, so refused posts are logged too
    security.init_app(app)
    assets.init_app(app)
    csrf = CSRFProtect(app)

    # The blueprints load with the app they serve, not with poetq.web's helpers (the CLI
    # imports poetq.web.db to check the schema), as flaskr does.
    from poetq.web import respond

    # the respondent's own page checks a token bound to its resume code instead (no session)
    csrf.exempt(respond.step)
    csrf.exempt(respond.draft)
    # the welcome forms check a token bound to their address (starting needs no cookies)
    csrf.exempt(respond.open_link)
    csrf.exempt(respond.invitation)
    app.register_blueprint(respond.bp)
    from poetq.web import home

    app.register_blueprint(home.bp)
    from poetq.web.research import init_app as init_research

    init_research(app)
    errors.init_app(app)

    return app


def create_served_app(config: Mapping[str, Any] | None = None) -> Flask:
    """:func:`create_app` for a worker process of ``poetq serve``.

    Every page template is compiled at once. The objects made at start-up (modules,
    templates, the app) live as long as the process: they are moved out of the garbage
    collector's sight (:func:`gc.freeze`), so its full collections no longer walk them
    again and again under load.
    """
    app = create_app(config)
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)  # compiled now, not while a respondent waits
    gc.collect()
    gc.freeze()
    return app


def create_worker_app(config: Mapping[str, Any] | None = None) -> Flask:
    """:func:`create_served_app` in a process that ``poetq serve`` forked: on Linux the
    process is killed when the server process that started it dies, even by SIGKILL, so no
    orphaned worker goes on serving the port with nobody to supervise it."""
    if sys.platform.startswith("linux"):
        import ctypes  # prctl is Linux's: nothing to load elsewhere
        import signal

        parent = os.getppid()
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the server died before the line above took effect
            os._exit(1)
    return create_served_app(config)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key rather
    than on every request (every request opens the session, even one that never uses it)."""

    _cached: tuple[Any, Any] | None = None

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._cached
        if cached is None or cached[0] != key:
            cached = self._cached = (key, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app: Flask, request):
        # most requests (every respondent's step) carry no session cookie: a new empty
        # session, without parsing the cookies or finding the serializer
        if app.config["SESSION_COOKIE_NAME"] + "=" not in request.headers.get("Cookie", ""):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if not session and not session.modified:  # nothing to write or delete
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _stored_secret_key(app: Flask) -> str:
    """A secret key kept in a 0600 file beside the default database, made once.

    Every worker process (and every restart) on this machine then signs sessions with the
    same key. Several machines must share ``POETQ_SECRET_KEY`` instead.
    """
    path = web_db.secret_key_path()
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        app.logger.warning("no POETQ_SECRET_KEY and %s cannot be written: using a random key", path)
        return secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()
