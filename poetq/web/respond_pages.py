"""Rendering the respondents' pages: the current stage of a response, the welcome page,
the researchers' preview and the "unavailable" page, in the study's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, g, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from poetq import flow
from poetq.bidi import isolate_if_needed
from poetq.domain import QSet, format_value
from poetq.errors import UnavailableError
from poetq.services import respondents
from poetq.services.respondents import ResponseRow, StudyRow
from poetq.web import respond_view as view
from poetq.web.errors import status_of
from poetq.web.i18n import Translator
from poetq.web.respond_forms import drafts_of, form_token, welcome_token

#: A translator and a view per Q-set (Q-sets are cached per process):
#: id -> (qset, translator, view).
_TRANSLATORS: dict[int, tuple[QSet, Translator, view.StudyView]] = {}


def use_study(study: StudyRow) -> QSet:
    """The study's Q-set; its translator becomes ``g.t`` and its view ``g.study_view``."""
    qset = study.qset
    hit = _TRANSLATORS.get(id(qset))
    if hit is None or hit[0] is not qset:
        if len(_TRANSLATORS) > 256:
            _TRANSLATORS.clear()
        t = Translator(qset.strings, qset.language)
        hit = _TRANSLATORS[id(qset)] = (qset, t, view.StudyView(qset, t, _draw_pyramid))
    g.t, g.study_view = hit[1], hit[2]
    return qset


def _draw_pyramid(values: dict[str, Any]) -> Markup:
    """The grid overview (``_pyramid.html``) as HTML, for :class:`~.respond_view.StudyView`
    to keep."""
    return Markup(current_app.jinja_env.get_template("_pyramid.html").render(values))


def unavailable_page(exc: UnavailableError):
    if exc.study is not None:
        use_study(exc.study)
    t = g.get("t") or Translator()
    title = t("unavailable_heading") if exc.study is None else isolate_if_needed(exc.study.title)
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


def welcome_page(study: StudyRow, *, invitation: str | None, errors: list[str] | None = None,
             status: int = 200, preview: Markup | None = None):
    qset = use_study(study)
    return render_template(
        "welcome.html", t=g.t, lang=g.t.language, qset=qset, study=study,
        title=isolate_if_needed(qset.title), paragraphs=_paragraphs(qset.text_for("welcome")),
        identifier_mode=respondents.identifier_mode(study),
        given=request.args.get("id", ""), invitation=invitation, errors=errors or [],
        step=_step_line("welcome"), preview=preview,
        # (the researchers' preview posts to a page of theirs, under their session's token)
        welcome_token=welcome_token(request.path) if preview is None else generate_csrf(),
    ), status


def preview_page(study: StudyRow, state: dict[str, Any] | None, *, banner: Markup,
                 **shown: Any):
    """A respondent's page for the researchers' preview: ``(body, status)``.

    The respondents' own templates on ``state`` (``None``: the welcome page), with ``banner``
    at the top of the page and ``shown`` as :func:`render_stage` takes it (``first``,
    ``errors``, ``status``, ``posted``, ``field_errors``). Its forms post back to the preview's
    own address with the researcher's session CSRF token; there is no resume code. Nothing is
    stored.
    """
    if state is None:
        return welcome_page(study, invitation=None, preview=banner)
    page = ResponseRow(
        id=0, study_id=study.id, respondent_id=0, stage=state["stage"], version=0, state=state,
        timings={}, receipt="PREVIEW", started_at=dt.datetime.now(dt.UTC), finished_at=None,
        step_tat=None, resume_code="", study=study)
    return render_stage(page, use_study(study), preview=banner, **shown)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _step_line(stage: str) -> str:
    t = g.t
    n = flow.PAGES.index(stage) + 1
    return t("step_of", n=n, total=len(flow.PAGES)) + " · " + t(f"step_{stage}")


#: The hidden fields of every form on a respondent's page (``%``: escaped as ``format`` does,
#: at a third of its cost).
_FORM_FIELDS = Markup('<input type="hidden" name="csrf_token" value="%s">\n'
                      '<input type="hidden" name="version" value="%s">')


def render_stage(response: ResponseRow, qset: QSet, *, errors: list[str] | None = None,
                  status: int = 200, first: str | None = None, posted=None,
                  field_errors: dict[str, str] | None = None, preview: Markup | None = None):
    state = response.state
    stage = state["stage"]
    t, study_view = g.t, g.study_view
    texts = study_view.texts
    grid = qset.grid
    ctx: dict[str, Any] = {
        "t": t, "lang": t.language, "qset": qset, "response": response, "state": state,
        "texts": texts, "errors": errors or [], "code": response.resume_code,
        "version": response.version, "title": isolate_if_needed(qset.title),
        # the hidden fields of every form on the page
        "form_fields": _FORM_FIELDS % (
            form_token(response.resume_code) if not preview else generate_csrf(),
            response.version),
        "preview": preview,
        "step": _step_line(stage), "fmt": format_value,
        "paragraphs": _paragraphs(qset.text_for(stage if stage != "done" else "thanks")),
    }
    drafts = state.get("drafts") or {}
    ranking = flow.ranking_step(state, grid) if stage == "ranking" else None
    ctx.update(view.stage_view(stage, state, study_view, ranking))
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
            reason=view.ranking_reason(s, qset, t),
            can_back=flow.can_go_back(state),
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
            values.update(drafts_of(posted)["comments"])
        ctx.update(items=flow.extreme_statements(state, grid), values=values,
                   required=qset.require_comments)
        template = "extremes.html"
    elif stage == "questions":
        values = dict(drafts.get("answers") or {})
        if posted is not None:
            values.update(drafts_of(posted)["answers"])
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
