"""A study's researchers: owners add and remove co-researchers by e-mail.

There is no list of accounts to pick from: an owner types the address of a colleague who
already has an account, so the pages never show who else uses the server.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from poetq.errors import NotFoundError, StateError, ValidationError
from poetq.services import sharing
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.forms import ShareForm, check_form
from poetq.web.research.studies import own_study


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
        user, changed = sharing.share(db(), study, form.email.data)
    except NotFoundError as exc:  # not a 404 page: the study is there, the account is not
        raise ValidationError(str(exc)) from None
    db().commit()
    flash(f"{user.email} can now see and change this study." if changed
          else f"{user.email} could already see this study.", "info")
    return _back(slug)


@bp.route("/studies/<slug>/researchers/remove", methods=["POST"])
def remove_researcher(slug: str):
    study = _owned(slug)
    email = request.form.get("email", "")
    try:
        user = sharing.unshare(db(), study, email, keep_an_owner=True)
    except NotFoundError as exc:
        raise ValidationError(str(exc)) from None
    db().commit()
    flash(f"{user.email} can no longer see this study.", "info")
    if user.id == int(current_user.id):
        return redirect(url_for("research.studies"))
    return _back(slug)
