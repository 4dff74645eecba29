"""Signing in and out (Flask-Login over :mod:`poetq.services.users`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from poetq.services import users
from poetq.store.models import Researcher
from poetq.web import db
from poetq.web.research import bp
from poetq.web.research.forms import SignInForm
from poetq.web.security import check_rate


@dataclass
class Account(UserMixin):
    """The signed-in researcher as Flask-Login sees them (never the ORM object itself)."""

    id: int
    email: str
    name: str

    def get_id(self) -> str:
        return str(self.id)


def load_account(user_id: str) -> Account | None:
    if not user_id.isdigit():
        return None
    user = db().get(Researcher, int(user_id))
    if user is None or not user.active:
        return None
    return Account(user.id, user.email, user.name)


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
        check_rate(db(), "sign_in", f"account:{email}")
        check_rate(db(), "sign_in", f"address:{request.remote_addr}")
        user = users.authenticate(db(), email, form.password.data)
        db().commit()
        if user is not None:
            account = Account(user.id, user.email, user.name)
            session.clear()  # a new session on sign-in: nothing from before carries over
            login_user(account)
            flash(f"Signed in as {user.email}.", "info")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("The email address or the password is not right.")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("research/sign_in.html", form=form, title="Sign in"), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("research.sign_in"))
