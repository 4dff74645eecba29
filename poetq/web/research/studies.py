"""Studies: list, create (upload or form), show, open/close, invitations, preview."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadData, URLSafeSerializer
from markupsafe import Markup

from poetq import flow
from poetq.bidi import isolate_if_needed
from poetq.domain import STAGES
from poetq.errors import PoetqError
from poetq.services import respondents, responses_admin, sharing, study_admin
from poetq.services.studies import (
    create_invitations,
    set_listed,
    set_state,
    study_qset,
    summarise_study,
)
from poetq.web import respond_pages
from poetq.web.db import db
from poetq.web.errors import status_of
from poetq.web.research import bp
from poetq.web.research.forms import InviteForm, ShareForm, StudyForm, UploadForm, check_form
from poetq.web.respond_forms import parse_action


def own_study(slug: str):
    """The signed-in researcher's study ``slug`` (404 for any other)."""
    return study_admin.researcher_study(db(), int(current_user.id), slug)


@bp.route("/")
def studies():
    rows = study_admin.researcher_studies(db(), int(current_user.id))
    return render_template("research/studies.html", title="Your studies", rows=rows)


def _new_page(upload: UploadForm, form: StudyForm, problems: list[str] | None = None,
              status: int = 200, which: str = ""):
    return render_template("research/new_study.html", title="New study", upload=upload, form=form,
                           problems=problems or [], which=which, stages=STAGES), status


@bp.route("/studies/new", methods=["GET"])
def new_study():
    return _new_page(UploadForm(prefix="up"), StudyForm(prefix="st"))


def _created(study):
    db().commit()
    flash(f"Study “{isolate_if_needed(study.title)}” created as a draft. Preview it, then open it "
          "to respondents.", "info")
    return redirect(url_for("research.study", slug=study.slug))


@bp.route("/studies/new/upload", methods=["POST"])
def upload_study():
    upload, form = UploadForm(prefix="up"), StudyForm(prefix="st", formdata=None)
    if not upload.validate_on_submit():
        return _new_page(upload, form, status=400, which="upload")
    file = upload.qset.data
    try:
        qset = study_admin.qset_from_upload(file.read(study_admin.MAX_UPLOAD + 1), file.filename)
        study = study_admin.create_owned_study(
            db(), qset, int(current_user.id), slug=upload.slug.data, source_name=file.filename or ""
        )
    except PoetqError as exc:
        db().rollback()
        return _new_page(upload, form, getattr(exc, "problems", [str(exc)]), 400, "upload")
    return _created(study)


@bp.route("/studies/new/form", methods=["POST"])
def form_study():
    upload, form = UploadForm(prefix="up", formdata=None), StudyForm(prefix="st")
    if not form.validate_on_submit():
        return _new_page(upload, form, status=400, which="form")
    try:
        qset = study_admin.qset_from_form(
            title=form.title.data, slug=form.slug.data or "", statements=form.statements.data,
            counts=form.counts.data, values=form.values.data or "",
            labels=(form.left.data, form.right.data), topic=form.topic.data or "",
            condition=form.condition.data or "", questions=form.questions.data or "",
            texts={s: getattr(form, f"text_{s}").data or "" for s in STAGES},
        )
        study = study_admin.create_owned_study(
            db(), qset, int(current_user.id), slug=form.slug.data
        )
    except PoetqError as exc:
        db().rollback()
        return _new_page(upload, form, getattr(exc, "problems", [str(exc)]), 400, "form")
    return _created(study)


@bp.route("/studies/<slug>")
def study(slug: str):
    s = own_study(slug)
    qset = study_qset(s)
    return render_template(
        "research/study.html", title=s.title, study=s, qset=qset, summary=summarise_study(db(), s),
        overview=responses_admin.overview(db(), s), invite=InviteForm(),
        invitations=study_admin.study_invitations(db(), s),
        members=sharing.members(db(), s), share=ShareForm(),
        is_owner=sharing.role_of(db(), s, int(current_user.id)) == "owner",
        link=url_for("respond.open_link", slug=s.slug, _external=True),
    )


@bp.route("/studies/<slug>/counts.json")
def counts(slug: str):
    """The live counts the study and responses pages refresh (JavaScript only)."""
    o = responses_admin.overview(db(), own_study(slug))
    return jsonify(started=o.started, finished=o.finished, in_progress=o.in_progress,
                   abandoned=o.abandoned, excluded=o.excluded, stopped=o.stopped,
                   reached=o.funnel.reached)


@bp.route("/studies/<slug>/state", methods=["POST"])
def change_state(slug: str):
    s = own_study(slug)
    state = request.form.get("state", "")
    raw = request.form.get("grace_hours", "").strip() if state == "closed" else ""
    try:
        grace = float(raw) if raw else None
    except ValueError:
        flash("The grace period is a number of hours, such as 48 (or empty: no limit).", "error")
        return redirect(url_for("research.study", slug=slug))
    study, changed = set_state(db(), s.slug, state, grace_hours=grace)
    db().commit()
    if changed:
        flash(f"The study is now {study.state}.", "info")
    return redirect(url_for("research.study", slug=slug))


@bp.route("/studies/<slug>/listing", methods=["POST"])
def change_listing(slug: str):
    s = own_study(slug)
    listed = request.form.get("listed") == "1"
    set_listed(db(), s, listed)
    db().commit()
    flash("The study is listed on the server's home page while it is open." if listed
          else "The study is no longer listed on the server's home page.", "info")
    return redirect(url_for("research.study", slug=slug))


@bp.route("/studies/<slug>/invitations", methods=["POST"])
def invite(slug: str):
    s = own_study(slug)
    form = InviteForm()
    check_form(form)
    codes = create_invitations(db(), s.slug, form.count.data, label=form.label.data or "")
    db().commit()
    flash(f"{len(codes)} invitation codes created.", "info")
    return redirect(url_for("research.study", slug=slug) + "#invitations")


# --------------------------------------------------------------------------------------------
# Preview: the respondents' own pages, walked as a respondent does (or a stage shown on a
# made-up state); nothing is stored


@bp.route("/studies/<slug>/preview/<stage>", methods=["GET", "POST"])
def preview(slug: str, stage: str):
    s = own_study(slug)
    stages = study_admin.PREVIEW_STAGES
    if stage not in stages:
        abort(404)
    study = respondents.study_row(db().connection(), s.id)
    state = _walked(slug, stage)
    if state is None and stage != "welcome":  # a stage link of the bar: a made-up state
        state = study_admin.preview_state(study.qset, stage)
    shown: dict[str, Any] = {"first": request.args.get("first")}
    if request.method == "POST":
        respond_pages.use_study(study)  # (the study's language, for a refusal's message)
        try:
            return _preview_step(slug, study, state)
        except PoetqError as exc:  # refused as a respondent's step is: the page again, why
            fields = {qid: g.t(e.key, **e.params)
                      for qid, e in (getattr(exc, "field_errors", None) or {}).items()}
            shown = {"errors": g.t.error(exc), "status": status_of(exc, refused_step=True),
                     "posted": request.form, "field_errors": fields}
    banner = Markup(render_template("research/_preview_bar.html", slug=slug, stage=stage,
                                    stages=stages))
    return respond_pages.preview_page(study, state, banner=banner, **shown)


# The state walked so far travels signed in the preview's address (``?s=``; the pages' forms
# post back to their own address): the researcher goes through the preview as a respondent
# does, and nothing is stored, neither in the database nor in the session cookie.


def _signer(slug: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"poetq preview {slug}")


def _walked(slug: str, stage: str) -> dict | None:
    """The state the preview's address carries, if it is one of ``stage``."""
    try:
        state = _signer(slug).loads(request.args.get("s") or "")
    except BadData:
        return None
    return state if isinstance(state, dict) and state.get("stage") == stage else None


def _preview_step(slug: str, study, state: dict | None):
    """One respondent's action on the preview's ``state``: 302 to the page of the next one."""
    form = request.form
    if state is None:  # the welcome page's start
        new, anchor = study_admin.preview_state(study.qset, "presort"), ""
    elif state["stage"] == "done":
        new, anchor = state, ""
    elif "pick" in form and not form.get("first"):  # the first cell of a swap (no script)
        pick = form["pick"]
        if pick not in state.get("sort", {}):
            abort(400)
        return redirect(url_for("research.preview", slug=slug, stage=state["stage"],
                                s=_signer(slug).dumps(state), first=pick) + f"#c-{quote(pick)}")
    else:
        action, params = parse_action(form)
        new, _ = flow.take(state, action, params, study.qset)
        anchor = f"#c-{quote(params['second'])}" if action == "swap" else ""
    return redirect(url_for("research.preview", slug=slug, stage=new["stage"],
                            s=_signer(slug).dumps(new)) + anchor)
