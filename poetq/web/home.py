"""The server's front door (``/``): what this server is, the researchers' sign-in, and the
open studies that chose to be listed (no other study is named here)."""

from __future__ import annotations

from flask import Blueprint, render_template

from poetq.services.studies import listed_studies
from poetq.web.db import db

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    return render_template("home.html", title="poetq", studies=listed_studies(db()))
