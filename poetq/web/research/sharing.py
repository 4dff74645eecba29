"""A study's researchers: owners add and remove co-researchers by e-mail.

There is no list of accounts to pick from: an owner types the address of a colleague who
already has an account, so the pages never show who else uses the server. Each address tried
tells whether an account exists, so the tries are rate-limited per researcher
(``RATE_LIMIT_SHARE``): nobody can run through a list of addresses.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from poetq.bidi import isolate_if_needed
from poetq.errors import NotFoundError, StateError, ValidationError
from poetq.services import sharing
from poetq.web.db import db
from poetq.web.research import bp, page_error
from poetq.web.research.forms import ShareForm, check_form
from poetq.web.research.studies import own_study
from poetq.web.security import check_rate


def _owned(slug: str):
    study = own_study(slug)
    if sharing.role_of(db(), study, int(current_user.id)) != "owner":
        raise StateError("only an owner of the study can add or remove researchers")
    return study


def _back(slug: str):
    return redirect(url_for("research.study", slug=slug) + "#researchers")


@bp.route("/studies/<slug>/researchers", methods=["POST"])
def add_researcher(slug: str):
    study = _owned(slug)
    form = ShareForm()
    check_form(form)
    try:
        check_rate(db(), "share", str(current_user.id))
    except TooManyRequests as exc:
        return _too_many(exc)
    try:
        user, changed = sharing.share(db(), study, form.email.data)
    except NotFoundError as exc:  # not a 404 page: the study is there, the account is not
        db().commit()  # the try counts, whatever its answer
        raise ValidationError(str(exc)) from None
    db().commit()
    who = isolate_if_needed(user.email)
    flash(f"{who} can now see and change this study." if changed
          else f"{who} could already see this study.", "info")
    return _back(slug)


def _too_many(exc: TooManyRequests):
    burst, _ = current_app.config["RATE_LIMIT_SHARE"]
    wait = int(exc.retry_after or 60)
    body, status = page_error(429, [
        f"You have tried {int(burst)} addresses in a short time. Wait {_duration(wait)} and try "
        "again.",
        "Each address tried tells whether it has an account here, so tries are limited: "
        "nobody can run through a list of addresses to find out who uses this server.",
    ])
    return body, status, {"Retry-After": str(wait)}


def _duration(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 90 else f"{round(seconds / 60)} minutes"


@bp.route("/studies/<slug>/researchers/remove", methods=["POST"])
def remove_researcher(slug: str):
    study = _owned(slug)
    email = request.form.get("email", "")
    try:
        user = sharing.unshare(db(), study, email, keep_an_owner=True)
    except NotFoundError as exc:
        raise ValidationError(str(exc)) from None
    db().commit()
    flash(f"{isolate_if_needed(user.email)} can no longer see this study.", "info")
    if user.id == int(current_user.id):
        return redirect(url_for("research.studies"))
    return _back(slug)
