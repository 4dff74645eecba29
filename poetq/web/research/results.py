"""Analysis in the browser, and every download of a study.

The analysis lives in the address: the fields of :class:`poetq.analysis.AnalysisOptions`
(see :mod:`poetq.web.research.option_query`: judgmental rotations as ``rot=A,B,DEGREES``,
repeatable; manual flags as ``flags=manual`` with ``flag=F:SORT`` per flagged sort)
travel in the query string, so nothing is kept on the server, every page can be bookmarked,
and figures and downloads are computed from the same parameters as the page that links them.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, stream_with_context

from poetq.analysis.option_text import parse_rotation, show_rotation
from poetq.analysis.options import MAX_ROTATIONS, AnalysisOptions
from poetq.domain import format_value
from poetq.errors import PoetqError, ValidationError
from poetq.services import exchange, plots, study_results
from poetq.services.factor_analysis import run_analysis, run_guidance
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.option_query import (
    MAX_FACTORS,
    form_fields,
    options_from_query,
    parse_query,
    to_query,
)
from poetq.web.research.saved import source_for
from poetq.web.research.studies import own_study


def _checked(slug: str) -> tuple[AnalysisOptions, Any, Any]:
    o = options_from_query(request.args)
    source, _ = source_for(slug, request.args)
    return o, source, run_analysis(source, o)


@bp.route("/studies/<slug>/analysis")
def analysis(slug: str):
    s = own_study(slug)
    values, problems = parse_query(request.args)
    ctx: dict[str, Any] = {"study": s, "title": f"Analysis: {s.title}", "o": None, "saved": None,
                           "fields": form_fields(values), "max_factors": MAX_FACTORS,
                           "cor": values.get("cor", "pearson"),
                           "fmt": format_value, "errors": list(problems), "result": None,
                           "guidance": None, "kinds": [k for k in plots.KINDS if k != "bootstrap"]}
    try:
        source, saved = source_for(slug, request.args)
    except PoetqError as exc:
        ctx["errors"].extend(getattr(exc, "problems", [str(exc)]))
        return render_template("research/analysis.html", **ctx), 200
    ctx.update(source=source, saved=saved)
    # a saved analysis's sorts stay pinned in every link of its page
    pin = {"analysis": saved.name} if saved else {}
    if "factors" not in values or problems:
        guidance = run_guidance(source, cor=ctx["cor"])
        ctx["guidance"] = guidance
        if "factors" not in values:
            values["factors"] = min(guidance.suggested, len(source.table.sort_ids), MAX_FACTORS)
            ctx["fields"] = form_fields(values)
        return render_template("research/analysis.html", **ctx), 400 if problems else 200
    o = AnalysisOptions(**values)
    try:
        result = run_analysis(source, o)
    except PoetqError as exc:
        ctx["errors"].extend(getattr(exc, "problems", [str(exc)]))
        return render_template("research/analysis.html", **ctx), 400
    qset = source.qset
    ctx.update(
        o=o, result=result, qset=qset, cribs=study_results.crib_sheets(result, source),
        numbers={sid: qset.number(sid) for sid in result.statement_ids},
        texts={st.id: st.text for st in qset.statements},
        arrays=_array_columns(result, qset),
        query={**pin, **to_query(o)}, auto_query={**pin, **to_query(o, flags=False)},
        unrotated_query={**pin, **to_query(o, rotations=False)}, live_query=to_query(o),
        saved_changed=saved is not None and o != saved.options,
        plain_query={**pin, **to_query(o.replace(invert=(), split=()))}, h2=result.communalities,
        max_boot_steps=study_results.MAX_WEB_STEPS,
        flag_set={(s, f) for j, s in enumerate(result.sort_ids)
                  for f in range(result.n_factors) if result.flags[j, f]},
        answer_tallies=study_results.answer_tallies(result, source),
        **_rotation_history(o, pin),
    )
    return render_template("research/analysis.html", **ctx), 200


def _pair(text: str | None, k: int) -> tuple[int, int] | None:
    parts = (text or "").split(",")
    if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
        a, b = int(parts[0]), int(parts[1])
        if a != b and 1 <= a <= k and 1 <= b <= k:
            return a, b
    return None


def _rotation_history(o: AnalysisOptions, pin: dict) -> dict[str, Any]:
    """The judgmental rotation's pair (kept from the last step), and undo/redo addresses:
    undo drops the last rotation and keeps it in ``redo=`` (repeatable) for redo; a new
    rotation starts a new history, as in an editor."""
    args = request.args
    k = o.factors
    pair = (_pair(f"{args.get('a', '')},{args.get('b', '')}", k) or _pair(args.get("pair"), k)
            or (o.rotations[-1][:2] if o.rotations else (1, 2)))
    redo = []
    for text in args.getlist("redo")[:MAX_ROTATIONS]:
        try:
            redo.append(parse_rotation(text))
        except ValidationError:
            continue
    rots = list(o.rotations)
    undo_query = redo_query = None
    if rots:
        undo_query = {**pin, **to_query(o.replace(rotations=tuple(rots[:-1]))),
                      "redo": [show_rotation(r) for r in [rots[-1], *redo]],
                      "pair": f"{rots[-1][0]},{rots[-1][1]}"}
    if redo:
        redo_query = {**pin, **to_query(o.replace(rotations=(*rots, redo[0]))),
                      "pair": f"{redo[0][0]},{redo[0][1]}"}
        if redo[1:]:
            redo_query["redo"] = [show_rotation(r) for r in redo[1:]]
    return {"rot_pair": pair, "undo_query": undo_query, "redo_query": redo_query}


def _array_columns(result, qset) -> list[list[tuple[int, list[str]]]]:
    """Per factor, the grid's columns with the statement ids the factor array puts there."""
    out = []
    for f in range(result.n_factors):
        if f in result.empty_factors:
            out.append([])
            continue
        cols = []
        for value in qset.grid.values:
            ids = [sid for i, sid in enumerate(result.statement_ids)
                   if int(result.factor_arrays[i, f]) == value]
            cols.append((value, sorted(ids, key=qset.number)))
        out.append(cols)
    return out


#: matplotlib writes its SVG styles inline: a figure opened on its own may use them (and
#: nothing else: no scripts, no fetches), while every page keeps the strict policy.
FIGURE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _send(download: study_results.Download, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{download.filename}"'}
    if download.media_type == "image/svg+xml":
        headers["Content-Security-Policy"] = FIGURE_CSP
    # content_type, not mimetype: the media types already name their charset (mimetype=
    # would add a second one)
    return Response(download.data, content_type=download.media_type, headers=headers)


@bp.route("/studies/<slug>/analysis/figures/<kind>.<fmt>")
def figure(slug: str, kind: str, fmt: str):
    own_study(slug)
    o, source, result = _checked(slug)
    factor = request.args.get("factor", type=int)
    pair = tuple(int(x) for x in request.args.get("pair", "1,2").split(",")[:2] if x.isdigit())
    if len(pair) != 2:
        raise ValidationError("pair: give two factors, e.g. 1,2")
    guidance = run_guidance(source, cor=o.cor) if kind == "scree" else None
    download = study_results.figure(result, source, kind, fmt, factor=factor, pair=pair,
                                     guidance=guidance, show_text=request.args.get("text") == "1")
    return _send(download, inline=request.args.get("download") != "1")


@bp.route("/studies/<slug>/analysis/report.html")
def report(slug: str):
    own_study(slug)
    o, source, result = _checked(slug)
    return _send(study_results.report(result, source, guidance=run_guidance(source, cor=o.cor)))


@bp.route("/studies/<slug>/analysis/workbook.xlsx")
def workbook(slug: str):
    own_study(slug)
    _, source, result = _checked(slug)
    return _send(study_results.workbook(result, source))


@bp.route("/studies/<slug>/analysis/result.json")
def result_json(slug: str):
    own_study(slug)
    _, source, result = _checked(slug)
    return _send(study_results.result_download(result, source), inline=True)


@bp.route("/studies/<slug>/analysis/bootstrap.zip")
def bootstrap(slug: str):
    own_study(slug)
    o = options_from_query(request.args)
    source, _ = source_for(slug, request.args)
    steps = request.args.get("steps", default=200, type=int)
    seed = request.args.get("seed", default=0, type=int)
    if request.args.get("progress") == "1":
        # the page's script reads the progress lines as they come, then the zip
        lines = study_results.bootstrap_progress_lines(source, o, steps=steps, seed=seed)
        return Response(stream_with_context(lines), mimetype="text/plain",
                        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    return _send(study_results.bootstrap_download(source, o, steps=steps, seed=seed))


@bp.route("/studies/<slug>/downloads")
def downloads(slug: str):
    s = own_study(slug)
    return render_template("research/downloads.html", title=f"Downloads: {s.title}", study=s,
                           formats=study_results.export_formats())


@bp.route("/studies/<slug>/participants.<fmt>")
def participants(slug: str, fmt: str):
    s = own_study(slug)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return _send(
        study_results.participants_download(
            db(), s.slug, fmt, include_unfinished=request.args.get("all") == "1"
        )
    )


@bp.route("/studies/<slug>/export/<fmt>")
def export(slug: str, fmt: str):
    s = own_study(slug)
    if fmt not in exchange.FORMATS:
        raise ValidationError(f"unknown format {fmt!r}: use one of {', '.join(exchange.FORMATS)}")
    return _send(study_results.export(db(), s.slug, fmt))
