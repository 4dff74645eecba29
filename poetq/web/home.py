"""The server's front door (``/``): what this server is, the researchers' sign-in, and the
open studies that chose to be listed (no other study is named here)."""

from __future__ import annotations

from flask import Blueprint, render_template

from poetq.services.studies import listed_studies

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    from poetq.web import db

    return render_template("home.html", title="poetq", studies=listed_studies(db()))
