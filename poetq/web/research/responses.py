"""Responses: counts and funnel, each response, exclude / re-include, delete (confirmed)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from poetq.flow import FUNNEL_STAGES
from poetq.services import responses_admin
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.studies import own_study


@bp.route("/studies/<slug>/responses")
def responses(slug: str):
    s = own_study(slug)
    return render_template(
        "research/responses.html", title=f"Responses: {s.title}", study=s,
        overview=responses_admin.overview(db(), s), rows=responses_admin.list_responses(db(), s),
        funnel_stages=FUNNEL_STAGES,
    )


@bp.route("/studies/<slug>/responses/<int:response_id>")
def response(slug: str, response_id: int):
    s = own_study(slug)
    detail = responses_admin.response_detail(db(), s, response_id)
    return render_template("research/response.html", title=f"Response {detail.row.label}",
                           study=s, d=detail)


@bp.route("/studies/<slug>/responses/<int:response_id>/exclude", methods=["POST"])
def exclude(slug: str, response_id: int):
    s = own_study(slug)
    excluded = request.form.get("excluded") == "1"
    r = responses_admin.set_excluded(db(), s, response_id, excluded)
    db().commit()
    flash(f"Response {r.id} is {'excluded from' if excluded else 'included in'} the analysis.",
          "info")
    return redirect(url_for("research.response", slug=slug, response_id=response_id))


@bp.route("/studies/<slug>/responses/<int:response_id>/delete", methods=["GET", "POST"])
def delete(slug: str, response_id: int):
    s = own_study(slug)
    if request.method == "GET":
        detail = responses_admin.response_detail(db(), s, response_id)
        return render_template("research/delete_response.html", title="Delete a response",
                               study=s, d=detail)
    responses_admin.delete_response(db(), s, response_id)
    db().commit()
    flash(f"Response {response_id} was deleted.", "info")
    return redirect(url_for("research.responses", slug=slug))


@bp.route("/studies/<slug>/responses/bulk", methods=["POST"])
def bulk_responses(slug: str):
    s = own_study(slug)
    action = request.form.get("action", "")
    n = responses_admin.bulk(db(), s, request.form.getlist("response"), action,
                             confirm=request.form.get("confirm", ""))
    db().commit()
    done = {"exclude": "excluded from the analysis", "include": "included in the analysis",
            "delete": "deleted"}[action]
    flash(f"{n} response{'s' if n != 1 else ''} {done}.", "info")
    return redirect(url_for("research.responses", slug=slug))
