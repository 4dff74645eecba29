"""A study as a whole: edit a draft (form or Q-set file), duplicate it, delete it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from poetq.bidi import isolate_if_needed
from poetq.domain import STAGES
from poetq.errors import PoetqError
from poetq.services import study_admin, study_manage
from poetq.services.studies import study_qset
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.forms import StudyForm, UploadForm
from poetq.web.research.studies import own_study


def _edit_page(study, form, upload, problems=(), status=200):
    return render_template("research/edit_study.html", title=f"Edit: {study.title}", study=study,
                           form=form, upload=upload, problems=list(problems), stages=STAGES,
                           editable=study_manage.editable(db(), study)), status


@bp.route("/studies/<slug>/edit", methods=["GET"])
def edit_study(slug: str):
    s = own_study(slug)
    form = StudyForm(prefix="st", data=study_manage.form_values(study_qset(s)))
    return _edit_page(s, form, UploadForm(prefix="up"))


def _save(study, form, upload, make_qset, *, from_form: bool, done: str):
    """Replace the draft's Q-set with ``make_qset()``; the edit page again on any problem."""
    try:
        study_manage.edit_draft(db(), study, make_qset(), from_form=from_form)
        db().commit()
    except PoetqError as exc:
        db().rollback()
        return _edit_page(study, form, upload, getattr(exc, "problems", None) or [str(exc)], 400)
    flash(done, "info")
    return redirect(url_for("research.study", slug=study.slug))


@bp.route("/studies/<slug>/edit", methods=["POST"])
def save_study(slug: str):
    s = own_study(slug)
    form, upload = StudyForm(prefix="st"), UploadForm(prefix="up", formdata=None)
    if not form.validate_on_submit():
        return _edit_page(s, form, upload, status=400)
    return _save(s, form, upload, lambda: study_admin.qset_from_form(
        title=form.title.data, slug=s.slug, statements=form.statements.data,
        counts=form.counts.data, values=form.values.data or "",
        labels=(form.left.data, form.right.data), topic=form.topic.data or "",
        condition=form.condition.data or "", questions=form.questions.data or "",
        texts={st: getattr(form, f"text_{st}").data or "" for st in STAGES},
    ), from_form=True, done="The draft was changed.")


@bp.route("/studies/<slug>/edit/upload", methods=["POST"])
def replace_qset(slug: str):
    s = own_study(slug)
    form = StudyForm(prefix="st", formdata=None, data=study_manage.form_values(study_qset(s)))
    upload = UploadForm(prefix="up")
    if not upload.validate_on_submit():
        return _edit_page(s, form, upload, status=400)
    file = upload.qset.data
    return _save(s, form, upload, lambda: study_admin.qset_from_upload(
        file.read(study_admin.MAX_UPLOAD + 1), file.filename),
        from_form=False, done="The draft now holds the Q-set of the file.")


@bp.route("/studies/<slug>/duplicate", methods=["POST"])
def duplicate_study(slug: str):
    s = own_study(slug)
    copy = study_manage.duplicate(db(), s, request.form.get("new_slug", "")[:100],
                                  int(current_user.id))
    db().commit()
    flash(f"“{isolate_if_needed(copy.title)}” was copied to a new draft at {copy.slug}.", "info")
    return redirect(url_for("research.study", slug=copy.slug))


@bp.route("/studies/<slug>/delete", methods=["GET", "POST"])
def delete_study(slug: str):
    s = own_study(slug)
    if request.method == "POST":
        study_manage.delete_study(db(), s, request.form.get("confirm", "")[:100])
        db().commit()
        flash(f"The study {slug} was deleted.", "info")
        return redirect(url_for("research.studies"))
    return render_template("research/delete_study.html", title=f"Delete: {s.title}", study=s,
                           responses=study_manage.responses_of(db(), s),
                           deletable=s.state in study_manage.DELETABLE)
