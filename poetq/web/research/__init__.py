"""The researchers' pages (``/research``): accounts, studies, responses, analysis, downloads.

Every page needs a signed-in researcher (Flask-Login) and shows only the studies linked to
them; any other study is a plain 404, whether it exists or not. Every form carries a CSRF
token (the app's ``CSRFProtect``). Views are thin: each calls the services the CLI uses
(:mod:`poetq.services`), plus the researcher-only ones (``study_admin``,
``responses_admin``, ``study_results``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from flask_login import LoginManager, current_user

from poetq.errors import ConflictError, NotFoundError, PoetqError, StateError

bp = Blueprint("research", __name__, url_prefix="/research")

#: Endpoints a signed-out visitor may reach.
PUBLIC = {"research.sign_in"}


def init_app(app: Flask) -> None:
    """Set up sign-in and register the researchers' blueprint on ``app``."""
    # The route modules import bp from this package: at the top they would be a cycle.
    from poetq.web.research import (  # noqa: F401 (routes)
        auth,
        compare,
        imports,
        manage,
        paper,
        responses,
        results,
        saved,
        sharing,
        studies,
    )

    manager = LoginManager()
    manager.login_view = "research.sign_in"
    manager.login_message = "Please sign in to see this page."
    manager.login_message_category = "info"
    manager.user_loader(auth.load_account)
    # current_user in the researchers' templates only: respondents' pages never load a user
    manager.init_app(app, add_context_processor=False)
    app.register_blueprint(bp)


@bp.context_processor
def _current_user():
    return {"current_user": current_user}


@bp.before_request
def _signed_in_only():
    if request.endpoint not in PUBLIC and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.after_request
def _no_store(response):
    # researchers' pages show personal data: never kept by a shared browser or proxy cache
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def page_error(status: int, lines: list[str]):
    return render_template("research/error.html", title=_TITLES.get(status, "Something went wrong"),
                           lines=lines), status


_TITLES = {400: "Please check", 404: "Not found", 409: "Not possible now",
           429: "Too many tries"}


@bp.errorhandler(NotFoundError)
def _not_found(exc):
    return page_error(404, ["There is nothing at this address, or it is not one of your studies."])


@bp.errorhandler(PoetqError)
def _refused(exc: PoetqError):
    status = 409 if isinstance(exc, (ConflictError, StateError)) else 400
    return page_error(status, list(getattr(exc, "problems", None) or [str(exc)]))
