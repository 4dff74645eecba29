"""Saved analyses in the browser: save, list, open, rename, delete.

An open saved analysis is the ordinary analysis page with ``analysis=NAME`` in its address:
that pins the sorts to exactly the responses the analysis saved (newer or excluded
responses change nothing), while its options travel in the address as usual, so figures,
downloads and further rotations of a saved analysis work as on any analysis page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from poetq.bidi import isolate_if_needed
from poetq.errors import ValidationError
from poetq.services import factor_analysis, saved_analyses
from poetq.services.factor_analysis import Source
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.option_query import options_from_query, to_query
from poetq.web.research.studies import own_study


def source_for(slug: str, args: MultiDict) -> tuple[Source, saved_analyses.SavedInfo | None]:
    """The sorts an analysis address asks for: a saved analysis's own, else the study's now."""
    name = args.get("analysis")
    if name:
        info, source = saved_analyses.saved_source(db(), slug, name)
        return source, info
    return factor_analysis.study_source(db(), slug), None


def analysis_address(slug: str, info: saved_analyses.SavedInfo) -> str:
    """The analysis page of a saved analysis."""
    query = {"analysis": info.name, **to_query(info.options)}
    return url_for("research.analysis", slug=slug) + "?" + urlencode(query, doseq=True)


@bp.route("/studies/<slug>/analyses")
def saved_list(slug: str):
    s = own_study(slug)
    return render_template("research/saved_analyses.html", title=f"Saved analyses: {s.title}",
                           study=s, analyses=saved_analyses.list_analyses(db(), s.slug),
                           address=lambda info: analysis_address(s.slug, info))


@bp.route("/studies/<slug>/analyses", methods=["POST"])
def saved_save(slug: str):
    """Save the analysis of the form's options (those of the page it was on): ``update=NAME``
    stores them in that saved analysis (its own sorts kept); otherwise the study's current
    sorts are saved under ``name`` (``replace=1`` overwrites one of that name)."""
    s = own_study(slug)
    form = request.form
    options = options_from_query(form)
    if form.get("update"):
        info, _ = saved_analyses.update_options(db(), s.slug, form["update"], options)
        db().commit()
        flash(f"Saved these options in “{isolate_if_needed(info.name)}” "
              f"(its {info.n_sorts} sorts).", "info")
        return redirect(analysis_address(s.slug, info))
    info, _ = saved_analyses.save_analysis(db(), s.slug, form.get("name", ""), options,
                                           replace=form.get("replace") == "1")
    db().commit()
    flash(f"Saved the analysis as “{isolate_if_needed(info.name)}” ({info.n_sorts} sorts).", "info")
    return redirect(analysis_address(s.slug, info))


@bp.route("/studies/<slug>/analyses/<path:name>/open")
def saved_open(slug: str, name: str):
    s = own_study(slug)
    info, _ = saved_analyses.saved_source(db(), s.slug, name)
    return redirect(analysis_address(s.slug, info))


@bp.route("/studies/<slug>/analyses/<path:name>/rename", methods=["POST"])
def saved_rename(slug: str, name: str):
    s = own_study(slug)
    info = saved_analyses.rename_analysis(db(), s.slug, name, request.form.get("new_name", ""))
    db().commit()
    flash(f"Renamed “{isolate_if_needed(name)}” to “{isolate_if_needed(info.name)}”.", "info")
    return redirect(url_for("research.saved_list", slug=s.slug))


@bp.route("/studies/<slug>/analyses/<path:name>/delete", methods=["POST"])
def saved_delete(slug: str, name: str):
    s = own_study(slug)
    if request.form.get("confirm") != "1":
        raise ValidationError("tick the box to confirm deleting the saved analysis")
    saved_analyses.delete_analysis(db(), s.slug, name)
    db().commit()
    flash(f"Deleted the saved analysis “{isolate_if_needed(name)}”; the responses stay.", "info")
    return redirect(url_for("research.saved_list", slug=s.slug))
