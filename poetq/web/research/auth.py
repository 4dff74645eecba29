"""Signing in and out, and changing one's password (Flask-Login over :mod:`poetq.services.users`).

The session carries the account id *and* its session generation (``"7:3"``): signing out,
a password change or reset and disabling the account increase the generation, so a session
cookie copied before then no longer signs anyone in. Sessions also end after
``PERMANENT_SESSION_LIFETIME`` without a request (12 hours by default).

Sign-in attempts are limited per account *and client address* together (so nobody can lock
a chosen researcher out from elsewhere) and, more loosely, per address (so one client cannot
try many accounts quickly).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from poetq.bidi import isolate_if_needed
from poetq.errors import ValidationError
from poetq.services import users
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.forms import PasswordForm, SignInForm
from poetq.web.security import check_rate


@dataclass
class Account(UserMixin):
    """The signed-in researcher as Flask-Login sees them (never the ORM object itself)."""

    id: int
    email: str
    name: str
    generation: int = 0

    def get_id(self) -> str:
        return f"{self.id}:{self.generation}"


def load_account(session_id: str) -> Account | None:
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None  # also sessions from before generations existed
    user = users.find_user(db(), int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return Account(user.id, user.email, user.name, user.session_generation)


def _sign_in_as(user: users.Researcher) -> None:
    session.clear()  # a new session on sign-in: nothing from before carries over
    session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME without a request
    login_user(Account(user.id, user.email, user.name, user.session_generation))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no ``//``) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("research.studies")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        check_rate(db(), "sign_in", f"{request.remote_addr}:{email}")
        check_rate(db(), "sign_in_address", f"{request.remote_addr}")
        user = users.authenticate(db(), email, form.password.data)
        db().commit()
        if user is not None:
            _sign_in_as(user)
            flash(f"Signed in as {isolate_if_needed(user.email)}.", "info")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("The email address or the password is not right.")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("research/sign_in.html", form=form, title="Sign in"), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        user = users.find_user(db(), current_user.id)
        if user is not None:
            users.end_sessions(user)  # a copy of this session's cookie stops working too
            db().commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("research.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        check_rate(db(), "sign_in", f"{request.remote_addr}:{current_user.email}")
        try:
            user = users.change_password(db(), current_user.id, form.current.data, form.new.data)
        except ValidationError as exc:
            db().commit()  # the rate-limit hit stays
            form.new.errors.append(str(exc).capitalize() + ".")
            status = 400
        else:
            db().commit()
            _sign_in_as(user)  # every other session of the account has ended
            flash("Your password is changed; you are signed out everywhere else.", "info")
            return redirect(url_for("research.studies"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "research/password.html", form=form, title="Change your password"
    ), status
