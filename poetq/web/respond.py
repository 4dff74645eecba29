"""The respondents' pages: open link, invitation, resume, and one page per stage.

Every page is a server-rendered form that posts to the respondent's own address
(``/r/<resume code>``); the form is parsed into one of :data:`poetq.flow.ACTIONS`, the
server applies it through :func:`poetq.services.steps.take_step` and redirects back
(post/redirect/get), so a reload always shows where the respondent is. A refused post shows
the current page again with the reason and status 400. JavaScript (``static/poetq.js``) only
adds keys, swapping comfort and autosave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError

from poetq import flow
from poetq.domain import QSet, format_value, is_statement_id
from poetq.errors import PoetqError, RateLimited, UnavailableError
from poetq.services import respondents, steps
from poetq.services.respondents import ResponseRow, StudyRow
from poetq.web import respond_view as view
from poetq.web.db import conn, db, is_unavailable
from poetq.web.errors import RETRY_AFTER, status_of
from poetq.web.i18n import Translator
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


#: A translator per Q-set (Q-sets are cached per process): id -> (qset, translator).
_TRANSLATORS: dict[int, tuple[QSet, Translator]] = {}


def _use_study(study: StudyRow) -> QSet:
    qset = study.qset
    hit = _TRANSLATORS.get(id(qset))
    if hit is None or hit[0] is not qset:
        if len(_TRANSLATORS) > 256:
            _TRANSLATORS.clear()
        hit = _TRANSLATORS[id(qset)] = (qset, Translator(qset.strings, qset.language))
    g.t = hit[1]
    return qset


def _unavailable(exc: UnavailableError):
    if exc.study is not None:
        _use_study(exc.study)
    t = g.get("t") or Translator()
    title = exc.study.title if exc.study is not None else t("unavailable_heading")
    way: dict[str, Any] = {}
    if exc.key in _NO_WAY_BACK:  # the sort cannot go on here: offer a typed code instead
        way = {"continue_url": None, "offer_code": exc.key in ("resume_missing", "study_missing")}
    return (
        render_template("unavailable.html", t=t, lang=t.language, title=title,
                        lines=t.error(exc), **way),
        status_of(exc),
    )


#: Refusals after which the respondent's own address would only show the refusal again.
_NO_WAY_BACK = ("resume_missing", "study_closed", "study_closed_sorts", "study_draft",
                "study_missing")


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


def _check_welcome_token() -> None:
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != request.host_url.rstrip("/"):
        raise CSRFError("The form was sent from another site.")
    given = request.form.get("csrf_token") or ""
    if not hmac.compare_digest(
        given.encode("utf-8", "replace"), welcome_token(request.path).encode()
    ):
        raise CSRFError("The CSRF token is missing or does not match this page.")


def _check_form_token(code: str) -> None:
    given = request.form.get("csrf_token") or request.headers.get("X-CSRFToken") or ""
    if not hmac.compare_digest(given.encode("utf-8", "replace"), form_token(code).encode()):
        raise CSRFError("The CSRF token is missing or does not match this page.")


# --------------------------------------------------------------------------------------------
# Ways in


def _welcome(study: StudyRow, *, invitation: str | None, errors: list[str] | None = None,
             status: int = 200, preview: Markup | None = None):
    qset = _use_study(study)
    return render_template(
        "welcome.html", t=g.t, lang=g.t.language, qset=qset, study=study,
        title=qset.title, paragraphs=_paragraphs(qset.text_for("welcome")),
        identifier_mode=respondents.identifier_mode(study),
        given=request.args.get("id", ""), invitation=invitation, errors=errors or [],
        step=_step_line("welcome"), preview=preview,
        # (the researchers' preview posts to a page of theirs, under their session's token)
        welcome_token=welcome_token(request.path) if preview is None else generate_csrf(),
    ), status


def preview_page(study: StudyRow, state: dict[str, Any] | None, *, banner: Markup):
    """A respondent's page for the researchers' preview: ``(body, status)``.

    The respondents' own templates on a made-up ``state`` (``None``: the welcome page), with
    ``banner`` at the top of the page. Its forms post back to the preview's own address with
    the researcher's session CSRF token; there is no resume code. Nothing is stored.
    """
    if state is None:
        return _welcome(study, invitation=None, preview=banner)
    page = ResponseRow(
        id=0, study_id=study.id, respondent_id=0, stage=state["stage"], version=0, state=state,
        timings={}, receipt="PREVIEW", started_at=dt.datetime.now(dt.UTC), finished_at=None,
        step_tat=None, resume_code="", study=study)
    return _render_stage(page, _use_study(study), preview=banner)


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
        return _welcome(study, invitation=invitation)
    _check_welcome_token()
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
        return _unavailable(exc)
    except PoetqError as exc:
        db().rollback()
        _use_study(study)
        return _welcome(study, invitation=invitation, errors=g.t.error(exc), status=400)
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
        return _unavailable(exc)
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
        return _unavailable(exc)
    return _enter(invite.study, invite.code)


@bp.route("/resume", methods=["GET"])
def typed_code():
    """The code typed on a welcome or error page (a plain GET form: no session, no JS)."""
    code = view.normal_code(request.args.get("code"))
    if not code.isalnum() or len(code) > 64:
        return _unavailable(UnavailableError("resume_missing"))
    return redirect(url_for("respond.resume", code=code))


# --------------------------------------------------------------------------------------------
# The respondent's own page


def _load(code: str) -> tuple[ResponseRow, QSet]:
    response = steps.retried(conn(), lambda: steps.load_response(conn(), code))
    return response, _use_study(response.study)


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
        return _unavailable(exc)
    if response.finished_at is None:
        try:  # closing stops new sorts only: this one may finish (within any grace period)
            steps.check_may_continue(response.study)
        except UnavailableError as exc:
            return _unavailable(exc)
    first = request.args.get("first") or None
    resp = make_response(_render_stage(response, qset, first=first))
    return _with_cookie(resp, response)


@bp.route("/r/<code>", methods=["POST"])
def step(code: str):
    form = request.form
    _check_form_token(code)
    pending = session.get("pending") if session else None  # (an empty one is not read)
    if pending and pending.get("code") == code:
        # a step kept while the database could not take it: save it first
        try:
            _apply_saved(code, pending["action"], pending["version"], pending["params"])
        except UnavailableError as exc:
            if exc.key != "stale":
                return _unavailable(exc)
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
    action, params = _parse(form)
    version = form.get("version")
    try:
        _apply_saved(code, action, version, params)
    except UnavailableError as exc:
        if exc.key != "stale":
            return _unavailable(exc)
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
        _check_form_token(code)
    except CSRFError:
        return jsonify(saved=False, error="csrf"), 400
    try:
        response, _ = _load(code)
        saved = steps.save_draft(conn(), response, expected_version=request.form.get("version"),
                                   drafts=_drafts(request.form))
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
    return _render_stage(response, qset, errors=g.t.error(exc), status=status,
                         posted=request.form, field_errors=fields)


def _drafts(form) -> dict[str, Any]:
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
    "go_back": lambda f: {"drafts": _drafts(f)},
    "extremes": lambda f: {"comments": _drafts(f)["comments"]},
    "submit": lambda f: {"answers": _drafts(f)["answers"], "token": f.get("token")},
}


def _parse(form) -> tuple[str, dict[str, Any]]:
    """The action a page's form asks for (the first of :data:`poetq.flow.ACTIONS` whose
    button it holds), and its parameters."""
    if any(len(form.getlist(k)) > 1 for k in _SINGLE_FIELDS):
        abort(400)  # a hand-made post: the pages send each of these once
    for action in flow.ACTIONS:
        if action.button in form:
            return action.name, _PARAMS[action.name](form)
    abort(400)


# --------------------------------------------------------------------------------------------
# Rendering the current stage


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _step_line(stage: str) -> str:
    t = g.t
    n = flow.PAGES.index(stage) + 1
    return t("step_of", n=n, total=len(flow.PAGES)) + " · " + t(f"step_{stage}")


def _render_stage(response: ResponseRow, qset: QSet, *, errors: list[str] | None = None,
                  status: int = 200, first: str | None = None, posted=None,
                  field_errors: dict[str, str] | None = None, preview: Markup | None = None):
    state = response.state
    stage = state["stage"]
    t = g.t
    texts = {s.id: s.text for s in qset.statements}
    grid = qset.grid
    ctx: dict[str, Any] = {
        "t": t, "lang": t.language, "qset": qset, "response": response, "state": state,
        "texts": texts, "errors": errors or [], "code": response.resume_code,
        "version": response.version, "title": qset.title,
        # the hidden fields of every form on the page
        "form_fields": Markup('<input type="hidden" name="csrf_token" value="{}">\n'
                              '<input type="hidden" name="version" value="{}">').format(
            form_token(response.resume_code) if not preview else generate_csrf(),
            response.version),
        "preview": preview,
        "step": _step_line(stage), "fmt": format_value,
        "paragraphs": _paragraphs(qset.text_for(stage if stage != "done" else "thanks")),
    }
    drafts = state.get("drafts") or {}
    ranking = flow.ranking_step(state, grid) if stage == "ranking" else None
    ctx.update(view.stage_view(stage, state, qset, t, texts, ranking))
    if stage == "presort":
        ctx.update(current=flow.presort_current(state), left=flow.presort_left(state),
                   total=len(state["order"]), can_back=flow.can_go_back(state))
        template = "presort.html"
    elif stage == "ranking":
        s = ranking
        label = ""
        if s["column"] == grid.values[-1]:
            label = grid.labels[1]
        elif s["column"] == grid.values[0]:
            label = grid.labels[0]
        heading = (t("column_heading_pole", value=format_value(s["column"]), label=label)
                   if label else t("column_heading", value=format_value(s["column"])))
        ctx.update(
            s=s, heading=heading,
            prompt=view.ranking_prompt(s, qset, t),
            reason=t(f"reason_{s['reason']}") if s["reason"] else "",
            columns=flow.ranking_columns(state, grid), can_back=flow.can_go_back(state),
            can_undo=flow.can_undo(state) and not flow.can_go_back(state),
            condition=qset.condition_text(),
        )
        template = "ranking.html"
    elif stage == "review":
        if first not in (state["sort"] or {}):
            first = None
        ctx.update(columns=_review_columns(state, qset), first=first,
                   first_text=texts.get(first or "", ""), can_undo=flow.can_undo(state))
        template = "review.html"
    elif stage == "extremes":
        values = dict(state.get("comments") or {})
        values.update(drafts.get("comments") or {})
        if posted is not None:
            values.update(_drafts(posted)["comments"])
        ctx.update(items=flow.extreme_statements(state, grid), values=values,
                   required=qset.require_comments)
        template = "extremes.html"
    elif stage == "questions":
        values = dict(drafts.get("answers") or {})
        if posted is not None:
            values.update(_drafts(posted)["answers"])
        ctx.update(values=values, field_errors=field_errors or {}, token=state.get("token"))
        template = "questions.html"
    else:
        ctx.update(receipt=response.receipt, hide_resume=True)  # one code: the receipt
        template = "thanks.html"
    return render_template(template, **ctx), status


def _review_columns(state: dict, qset: QSet) -> list[dict[str, Any]]:
    grid = qset.grid
    cols = flow.grid_columns(state["sort"], grid, state["order"])
    for col in cols:
        col["pole"] = (grid.labels[0] if col["value"] == grid.values[0]
                       else grid.labels[1] if col["value"] == grid.values[-1] else "")
    return cols
