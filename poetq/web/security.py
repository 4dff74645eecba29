"""Security headers on every response, and rate limits shared by every worker.

Rate limits live in the database (:mod:`poetq.services.rate_limits`), so they hold across
gunicorn workers and machines. Each rule is ``[burst, per_second]`` in the app config
(``RATE_LIMIT_<KIND>``, e.g. ``POETQ_RATE_LIMIT_STEPS='[200, 2]'``); ``None`` switches a
rule off. ``steps`` limits the posts of one respondent; ``sign_in`` the researchers' sign-in
per account and address together, ``sign_in_address`` per address; ``start`` new responses
and ``invitation`` invitation links opened, per address; ``share`` the addresses one
researcher tries when adding co-researchers.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import TooManyRequests

from poetq.services.rate_limits import over_limit
from poetq.settings import web_defaults

#: No inline scripts or styles, nothing from other sites, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

#: The rate-limit rules and their defaults (listed with every other setting in
#: :mod:`poetq.settings`).
RATE_LIMITS = {k: v for k, v in web_defaults().items() if k.startswith("RATE_LIMIT_")}


def init_app(app: Flask) -> None:
    for name, rule in RATE_LIMITS.items():
        app.config.setdefault(name, rule)

    @app.before_request
    def _refuse_nul_bytes():
        """No person types a NUL byte, and PostgreSQL cannot store one: refuse the request
        (400) before anything reads it, rather than fail half-way through a write."""
        query = request.query_string
        if b"\x00" in query or b"%00" in query:
            abort(400)
        if request.content_length or request.headers.get("Transfer-Encoding"):
            for _, value in request.form.items(multi=True):
                if "\x00" in value:
                    abort(400)

    warned: list[bool] = []

    @app.before_request
    def _warn_about_an_unconfigured_proxy():
        """Behind a proxy without POETQ_PROXY_FIX every client has the proxy's address, so
        they share every per-address limit (one client could hold back everyone): say so."""
        if not warned and not app.config.get("PROXY_FIX") and "X-Forwarded-For" in request.headers:
            warned.append(True)
            app.logger.warning(
                "requests come through a proxy (X-Forwarded-For) but POETQ_PROXY_FIX is off: "
                "every client shares the proxy's address for sign-in and other rate limits; "
                "set POETQ_PROXY_FIX=1 (see docs/deployment.md)")

    headers = dict(HEADERS)
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = "max-age=31536000"
    lowered = [(name.lower(), name, value) for name, value in headers.items()]

    @app.after_request
    def _security_headers(response):
        # one pass over the response's headers (a page may set its own, e.g. a figure's CSP)
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend(
            [(name, value) for low, name, value in lowered if low not in present]
        )
        return response


def check_rate(session, kind: str, key: str) -> None:
    """Count one ``kind`` request for ``key``; raise 429 Too Many Requests when over.

    The hit is written in ``session``'s transaction: commit it with the request's work (a
    refused request is rolled back, which is right: it did not happen).
    """
    wait = over_limit(session, kind, key, current_app.config.get(f"RATE_LIMIT_{kind.upper()}"))
    if wait is not None:
        raise TooManyRequests(retry_after=wait)
