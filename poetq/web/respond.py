"""The respondents' pages: open link, invitation, resume, and one page per stage.

Every page is a server-rendered form that posts to the respondent's own address
(``/r/<resume code>``); the form is parsed into one of :data:`poetq.flow.ACTIONS`, the
server applies it through :func:`poetq.services.steps.take_step` and redirects back
(post/redirect/get), so a reload always shows where the respondent is. A refused post shows
the current page again with the reason and status 400. JavaScript (``static/poetq.js``) only
adds keys, swapping comfort and autosave.

This module holds the routes and the step's way through the services; the forms' tokens and
parsing are in :mod:`poetq.web.respond_forms`, the rendering of each page in
:mod:`poetq.web.respond_pages`, and what a page shows beside its form in
:mod:`poetq.web.respond_view`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError

from poetq.domain import QSet, is_statement_id
from poetq.errors import PoetqError, RateLimited, UnavailableError
from poetq.services import respondents, steps
from poetq.services.respondents import ResponseRow, StudyRow
from poetq.web import respond_view as view
from poetq.web.db import conn, db, is_unavailable
from poetq.web.errors import RETRY_AFTER, status_of
from poetq.web.i18n import Translator
from poetq.web.respond_forms import (
    check_form_token,
    check_welcome_token,
    drafts_of,
    form_token,
    parse_action,
)
from poetq.web.respond_pages import render_stage, unavailable_page, use_study, welcome_page
from poetq.web.security import check_rate

bp = Blueprint("respond", __name__)


@bp.after_request
def _no_store(resp):
    """A respondent's pages show the state of the moment: never kept by a browser or proxy
    (Back or a reopened study then shows where the respondent is, not an old copy)."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


bp.add_app_template_filter(view.spaced_code, "spaced_code")


@bp.context_processor
def _way_forward() -> dict[str, Any]:
    """Every page of a respondent's request, error pages included, knows the way back to the
    sort: the respondent's own address, or the study's cookie on its welcome pages."""
    args = request.view_args or {}
    url = None
    if request.endpoint in ("respond.resume", "respond.step", "respond.draft") and args.get("code"):
        url = f"{request.script_root}/r/{quote(view.normal_code(args['code']), safe='')}"
    else:
        cookies = [v for k, v in request.cookies.items() if k.startswith("poetq-") and v.isalnum()]
        if len(cookies) == 1:
            url = f"{request.script_root}/r/{quote(cookies[0], safe='')}"
    return {"continue_url": url, "offer_code": url is None}


def _cookie_name(study: StudyRow) -> str:
    return f"poetq-{study.slug}"




def _with_cookie(resp, response: ResponseRow):
    """The respondent's resume code in a cookie of the study (for coming back through the
    study's link), set when the browser does not hold it yet."""
    study = response.study
    if request.cookies.get(_cookie_name(study)) == response.resume_code:
        return resp
    resp.set_cookie(
        _cookie_name(study), response.resume_code,
        max_age=int(dt.timedelta(days=current_app.config["RESUME_COOKIE_DAYS"]).total_seconds()),
        httponly=True, samesite="Lax",
        secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return resp


# --------------------------------------------------------------------------------------------
# Ways in




def _enter(study: StudyRow, invitation: str | None):
    code = request.cookies.get(_cookie_name(study))
    if code and invitation is None:
        # coming back through the study's link, or "start" pressed again on a welcome page
        # restored by Back: the sort under way, not a second one
        try:
            existing = respondents.load_response(conn(), code)
        except UnavailableError:
            existing = None
        if existing is not None and existing.study_id == study.id:
            return _to_page(code)
    if request.method == "GET":
        return welcome_page(study, invitation=invitation)
    check_welcome_token()
    check_rate(db(), "start", request.remote_addr or "")  # no flood of new responses
    # in one transaction (the respondents' kept connections may run in autocommit): the
    # invitation is used up, the respondent and the response stored, or none of these
    try:
        response = respondents.start_response(
            db().connection(), study, invitation_code=invitation,
            identifier=request.form.get("identifier"),
            given_identifier=request.form.get("given") or None,
            device=respondents.device_class(request.headers.get("User-Agent")),
        )
        db().commit()
    except UnavailableError as exc:
        db().rollback()
        return unavailable_page(exc)
    except PoetqError as exc:
        db().rollback()
        use_study(study)
        return welcome_page(study, invitation=invitation, errors=g.t.error(exc), status=400)
    code = response.resume_code
    if set(session) <= {"csrf_token"}:
        # the welcome form's token was all the session held: the respondent's own pages
        # carry their own token, so no session cookie travels with every step
        session.clear()
    return _with_cookie(_to_page(code), response)


@bp.route("/s/<slug>", methods=["GET", "POST"])
def open_link(slug: str):
    try:
        study = respondents.open_study(conn(), slug)
    except UnavailableError as exc:
        # a closed study's link still leads a respondent with a sort under way to it
        resume = request.cookies.get(_cookie_name(exc.study)) if exc.study is not None else None
        if exc.key == "study_closed" and resume:
            return _to_page(resume)
        return unavailable_page(exc)
    return _enter(study, None)


@bp.route("/i/<code>", methods=["GET", "POST"])
def invitation(code: str):
    typed = view.normal_code(code)
    if typed != code and request.method == "GET" and typed.isalnum() and len(typed) <= 64:
        # typed with dashes or spaces, or in lower case
        return redirect(url_for("respond.invitation", code=typed))
    code = typed
    check_rate(db(), "invitation", request.remote_addr or "")  # no guessing codes at speed
    db().commit()
    try:
        invite = respondents.check_invitation(conn(), code)
    except UnavailableError as exc:
        # the invitation's own respondent coming back is sent to their sort
        if exc.key in ("invitation_used", "study_closed") and exc.study is not None:
            resume = request.cookies.get(_cookie_name(exc.study))
            if resume:
                return _to_page(resume)
        return unavailable_page(exc)
    return _enter(invite.study, invite.code)


@bp.route("/resume", methods=["GET"])
def typed_code():
    """The code typed on a welcome or error page (a plain GET form: no session, no JS)."""
    code = view.normal_code(request.args.get("code"))
    if not code.isalnum() or len(code) > 64:
        return unavailable_page(UnavailableError("resume_missing"))
    return redirect(url_for("respond.resume", code=code))


# --------------------------------------------------------------------------------------------
# The respondent's own page


def _load(code: str) -> tuple[ResponseRow, QSet]:
    response = steps.retried(conn(), lambda: steps.load_response(conn(), code))
    return response, use_study(response.study)


@bp.route("/r/<code>", methods=["GET"])
def resume(code: str):
    typed = view.normal_code(code)
    if (
        typed != code and typed.isalnum() and len(typed) <= 64
    ):  # a code copied with its dashes, or in lower case
        return redirect(url_for("respond.resume", code=typed, **request.args))
    try:
        response, qset = _load(code)
    except UnavailableError as exc:
        return unavailable_page(exc)
    if response.finished_at is None:
        try:  # closing stops new sorts only: this one may finish (within any grace period)
            steps.check_may_continue(response.study)
        except UnavailableError as exc:
            return unavailable_page(exc)
    first = request.args.get("first") or None
    resp = make_response(render_stage(response, qset, first=first))
    return _with_cookie(resp, response)


@bp.route("/r/<code>", methods=["POST"])
def step(code: str):
    form = request.form
    check_form_token(code)
    pending = session.get("pending") if session else None  # (an empty one is not read)
    if pending and pending.get("code") == code:
        # a step kept while the database could not take it: save it first
        try:
            _apply_saved(code, pending["action"], pending["version"], pending["params"])
        except UnavailableError as exc:
            if exc.key != "stale":
                return unavailable_page(exc)
        except RateLimited:
            raise
        except (PoetqError, DBAPIError) as exc:
            if isinstance(exc, DBAPIError) and is_unavailable(exc):
                return _keep_for_later(code, pending["action"], pending["version"],
                                       pending["params"])
        session.pop("pending", None)
        if "save_pending" in form:
            return _to_page(code)
    elif "save_pending" in form:
        return _to_page(code)
    if "pick" in form and not form.get("first"):
        # the first statement of a review swap: nothing changes until the second one
        pick = form["pick"]
        if not is_statement_id(pick):
            abort(400)  # a hand-made post (a newline here would break the Location header)
        return redirect(url_for("respond.resume", code=code, first=pick) + f"#c-{pick}")
    action, params = parse_action(form)
    version = form.get("version")
    try:
        _apply_saved(code, action, version, params)
    except UnavailableError as exc:
        if exc.key != "stale":
            return unavailable_page(exc)
        return _refused(code, exc)
    except RateLimited:
        raise  # the error page (429, Retry-After)
    except PoetqError as exc:
        # (a replayed final submission: the receipt again, but as a refusal; nothing changes)
        return _refused(code, exc, status=status_of(exc, refused_step=True))
    except DBAPIError as exc:
        if is_unavailable(exc):
            return _keep_for_later(code, action, version, params)
        # two posts raced for the same response: the other one won
        return _refused(code, UnavailableError("stale"))
    if request.headers.get("X-Poetq-Page"):
        return resume(code)  # the next page itself: one request per tap (poetq.js)
    anchor = f"#c-{quote(params['second'], safe='')}" if action == "swap" else ""
    return _to_page(code, anchor)


def _to_page(code: str, anchor: str = ""):
    """302 to the respondent's own page: ``redirect(url_for("respond.resume", ...))`` made
    directly, as it ends every step."""
    location = f"{request.script_root}/r/{quote(code, safe='')}{anchor}"
    return current_app.response_class(b"", 302, {"Location": location})


def _apply_saved(code: str, action: str, version: Any, params: dict[str, Any]) -> None:
    """Apply and commit one step, again from the start if the database was busy."""
    steps.take_step(conn(), code, action, expected_version=version,
                    rate=current_app.config.get("RATE_LIMIT_STEPS"), **params)


#: A kept step must fit in the signed session cookie (browsers keep at most 4 kB).
_MAX_COOKIE = 3800


def _keep_for_later(code: str, action: str, version: Any, params: dict[str, Any]):
    """The database cannot take the step now: keep it in the session, say so politely (503).

    The page's button posts again; the kept step is then saved first. A step too big for a
    cookie (long comments) goes back as hidden fields of the form instead.
    """
    current_app.logger.warning("step kept for later: the database cannot take writes")
    kept = {"code": code, "action": action, "version": version, "params": params}
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    fields: list[tuple[str, str]] = [("save_pending", "1")]
    if serializer is not None and len(serializer.dumps({**session, "pending": kept})) < _MAX_COOKIE:
        session["pending"] = kept
    else:
        session.pop("pending", None)
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    t = g.get("t") or Translator()
    body = render_template("unsaved.html", t=t, lang=t.language, title=t("error_title"),
                           lines=[t("error_503"), t("unsaved_note")], code=code, fields=fields,
                           form_token=form_token(code))
    return body, 503, {"Retry-After": str(RETRY_AFTER)}


@bp.route("/r/<code>/draft", methods=["POST"])
def draft(code: str):
    """Autosave of the texts typed so far (JavaScript only); never moves the response on."""
    if not request.form.get("version", "").isdigit():
        # not the autosave form (e.g. a JSON body): nothing to save
        return jsonify(saved=False, error="bad_request"), 400
    try:
        check_form_token(code)
    except CSRFError:
        return jsonify(saved=False, error="csrf"), 400
    try:
        response, _ = _load(code)
        saved = steps.save_draft(conn(), response, expected_version=request.form.get("version"),
                                   drafts=drafts_of(request.form))
        conn().commit()
    except PoetqError:
        conn().rollback()
        return jsonify(saved=False), 409
    except DBAPIError as exc:
        conn().rollback()
        if is_unavailable(exc):
            return jsonify(saved=False), 503, {"Retry-After": str(RETRY_AFTER)}
        return jsonify(saved=False), 409
    return jsonify(saved=saved)


def _refused(code: str, exc: PoetqError, *, status: int = 400):
    response, qset = _load(code)
    if response.finished_at is not None and getattr(exc, "key", None) in ("stale", None):
        return _to_page(code)
    fields = {qid: g.t(e.key, **e.params)
              for qid, e in (getattr(exc, "field_errors", None) or {}).items()}
    return render_stage(response, qset, errors=g.t.error(exc), status=status,
                         posted=request.form, field_errors=fields)


