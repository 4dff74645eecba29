"""The respondents' forms: their tokens (no session needed) and the parsing of a posted
form into one of :data:`poetq.flow.ACTIONS` with its parameters."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import abort, current_app, request
from flask_wtf.csrf import CSRFError

from poetq import flow


def form_token(code: str) -> str:
    """The CSRF token of the forms of the respondent's own page: an HMAC of the resume code.

    The resume code is the respondent's only credential (a capability link), so a token bound
    to it protects exactly as much as one bound to a session, and needs no session: the
    respondent's pages neither read nor write the signed session cookie on the hot path.
    """
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = b"poetq respondent form\x00" + code.upper().encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def welcome_token(path: str) -> str:
    """The token of a welcome page's form: an HMAC of the page's address, no session.

    Starting must work with cookies blocked and from a welcome page restored by Back after
    the sort began (whose session token is gone). Starting a sort is not a privilege worth a
    session-bound token; the token (with the Origin check) keeps other sites' forms out.
    """
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = b"poetq welcome form\x00" + path.encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def check_welcome_token() -> None:
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != request.host_url.rstrip("/"):
        raise CSRFError("The form was sent from another site.")
    given = request.form.get("csrf_token") or ""
    if not hmac.compare_digest(
        given.encode("utf-8", "replace"), welcome_token(request.path).encode()
    ):
        raise CSRFError("The CSRF token is missing or does not match this page.")


def check_form_token(code: str) -> None:
    given = request.form.get("csrf_token") or request.headers.get("X-CSRFToken") or ""
    if not hmac.compare_digest(given.encode("utf-8", "replace"), form_token(code).encode()):
        raise CSRFError("The CSRF token is missing or does not match this page.")


def drafts_of(form) -> dict[str, Any]:
    comments = {k[len("comment-"):]: v for k, v in form.items() if k.startswith("comment-")}
    multi = set(form.getlist("multi"))
    answers: dict[str, Any] = {qid: [] for qid in multi}
    for key in form:
        if key.startswith("q-"):
            qid = key[2:]
            answers[qid] = form.getlist(key) if qid in multi else form.get(key)
    return {"comments": comments, "answers": answers}


#: Fields the pages send at most once (every action's button, and these).
_SINGLE_FIELDS = tuple(a.button for a in flow.ACTIONS) + ("statement", "first", "version", "token")


def _placements(form) -> list[tuple[str, str]]:
    return [(sid, value) for sid, _, value in (p.partition(":") for p in form.getlist("place"))]


#: How each action's parameters are read from its form.
_PARAMS = {
    "presort": lambda f: {"statement": f.get("statement", ""), "pile": f["pile"]},
    "back": lambda f: {},
    "choose": lambda f: {"statement": f["choose"]},
    "hold_back": lambda f: {"statement": f["hold_back"]},
    "undo": lambda f: {},
    "put_back": lambda f: {"statement": f["put_back"]},
    "swap": lambda f: {"first": f.get("first", ""), "second": f["pick"]},
    "confirm": lambda f: {"placements": _placements(f)},
    "go_back": lambda f: {"drafts": drafts_of(f)},
    "extremes": lambda f: {"comments": drafts_of(f)["comments"]},
    "submit": lambda f: {"answers": drafts_of(f)["answers"], "token": f.get("token")},
}


def parse_action(form) -> tuple[str, dict[str, Any]]:
    """The action a page's form asks for (the first of :data:`poetq.flow.ACTIONS` whose
    button it holds), and its parameters."""
    if any(len(form.getlist(k)) > 1 for k in _SINGLE_FIELDS):
        abort(400)  # a hand-made post: the pages send each of these once
    for action in flow.ACTIONS:
        if action.button in form:
            return action.name, _PARAMS[action.name](form)
    abort(400)
