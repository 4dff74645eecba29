"""A paper sort typed in from its record sheet (statement number → column), checked as it
is typed (with JavaScript) and again on the server before anything is stored."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from poetq.errors import PoetqError
from poetq.services import paper
from poetq.services.studies import study_qset
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.studies import own_study


@bp.route("/studies/<slug>/responses/enter", methods=["GET", "POST"])
def enter_sort(slug: str):
    study = own_study(slug)
    qset = study_qset(study)
    values = {s.id: request.form.get(f"c-{s.id}", "")[:10] for s in qset.statements}
    name = request.form.get("name", "")[:300]
    problems: list[str] = []
    if request.method == "POST":
        try:
            response = paper.store_entry(db(), study.slug, name, values)
            db().commit()
        except PoetqError as exc:
            db().rollback()
            problems = list(getattr(exc, "problems", None) or [str(exc)])
        else:
            flash(
                f"The sort {name.strip()!r} was saved as response {response.id}, entered by hand.",
                "info",
            )
            return redirect(url_for("research.enter_sort", slug=slug))
    return render_template(
        "research/enter_sort.html", title=f"Type in a paper sort: {study.title}", study=study,
        qset=qset, columns=paper.columns(qset), values=values, name=name, problems=problems,
    ), 400 if problems else 200
