"""Analysis in the browser, and every download of a study.

The analysis lives in the address: options, judgmental rotations (``rot=A,B,DEGREES``,
repeatable) and manual flags (``flags=manual`` with ``flag=F:SORT`` for each flagged sort)
travel in the query string, so nothing is kept on the server, every page can be bookmarked,
and figures and downloads are computed from the same parameters as the page that links them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, abort, render_template, request
from werkzeug.datastructures import MultiDict

from poetq.analysis import EXTRACTIONS, ROTATIONS
from poetq.domain import format_value
from poetq.errors import PoetqError, ValidationError
from poetq.services import exchange, plots, study_results
from poetq.services.factor_analysis import run_guidance
from poetq.web import db
from poetq.web.research import bp
from poetq.web.research.studies import own_study

CORRELATIONS = ("pearson", "spearman", "kendall")
MAX_FACTORS = 12
MAX_ROTATIONS = 50


@dataclass
class Options:
    """The analysis an address asks for (checked; ``problems`` says what was not)."""

    factors: int | None = None
    extraction: str = "pca"
    rotation: str = "varimax"
    cor: str = "pearson"
    rotations: list[tuple[int, int, float]] = field(default_factory=list)
    flags: dict[str, int] | None = None
    problems: list[str] = field(default_factory=list)

    def query(self, *, flags: bool = True, rotations: bool = True) -> dict[str, Any]:
        """The query parameters that ask for this analysis again."""
        q: dict[str, Any] = {"factors": self.factors, "extraction": self.extraction,
                             "rotation": self.rotation, "cor": self.cor}
        if rotations and self.rotations:
            q["rot"] = [f"{a},{b},{_angle(d)}" for a, b, d in self.rotations]
        if flags and self.flags is not None:
            q["flags"] = "manual"
            q["flag"] = [f"{f}:{s}" for s, f in self.flags.items()]
        return q


def _angle(degrees: float) -> str:
    return f"{degrees:g}"


def _choice(args: MultiDict, name: str, choices: tuple[str, ...], default: str, problems: list[str]) -> str:
    value = args.get(name, default) or default
    if value not in choices:
        problems.append(f"{name}: choose one of {', '.join(choices)}")
        return default
    return value


def _rotation(text: str, problems: list[str]) -> tuple[int, int, float] | None:
    parts = text.split(",")
    try:
        a, b, deg = int(parts[0]), int(parts[1]), float(parts[2])
    except (ValueError, IndexError):
        problems.append(f"rotation {text!r} is not FACTOR,FACTOR,DEGREES")
        return None
    if not -360 <= deg <= 360:  # NaN fails too
        problems.append("a rotation angle must be between -360 and 360 degrees")
        return None
    return a, b, deg


def parse_options(args: MultiDict) -> Options:
    o = Options()
    p = o.problems
    raw = (args.get("factors") or "").strip()
    if raw:
        if raw.isdigit() and 1 <= int(raw) <= MAX_FACTORS:
            o.factors = int(raw)
        else:
            p.append(f"number of factors: give a whole number from 1 to {MAX_FACTORS}")
    o.extraction = _choice(args, "extraction", EXTRACTIONS, "pca", p)
    o.rotation = _choice(args, "rotation", ROTATIONS, "varimax", p)
    o.cor = _choice(args, "cor", CORRELATIONS, "pearson", p)
    rots = args.getlist("rot")[:MAX_ROTATIONS]
    new_angle = (args.get("angle") or "").strip()
    if new_angle and args.get("a") and args.get("b"):
        rots.append(f"{args['a']},{args['b']},{new_angle}")
    for text in rots:
        r = _rotation(text, p)
        if r is not None and r[2] != 0:
            o.rotations.append(r)
    if args.get("flags") == "manual":
        o.flags = {}
        for item in args.getlist("flag"):
            f, _, sort_id = item.partition(":")
            if not f.isdigit() or not sort_id:
                p.append(f"flag {item!r} is not FACTOR:SORT")
                continue
            if sort_id in o.flags:
                p.append(f"sort {sort_id!r} is flagged on more than one factor: keep one")
                continue
            o.flags[sort_id] = int(f)
    return o


def _analyse(slug: str, o: Options):
    """The study's source and the result of ``o`` (``o.factors`` must be set)."""
    source = study_results.study_source(db(), slug)
    result = study_results.analyse_study(
        source, o.factors, extraction=o.extraction, rotation=o.rotation, cor=o.cor,
        rotations=o.rotations, flags=o.flags,
    )
    return source, result


def _checked(slug: str) -> tuple[Options, Any, Any]:
    o = parse_options(request.args)
    if o.problems:
        raise ValidationError(o.problems)
    if o.factors is None:
        raise ValidationError("give the number of factors")
    return (o, *_analyse(slug, o))


@bp.route("/studies/<slug>/analysis")
def analysis(slug: str):
    s = own_study(slug)
    o = parse_options(request.args)
    ctx: dict[str, Any] = {"study": s, "title": f"Analysis: {s.title}", "o": o,
                           "extractions": EXTRACTIONS, "rotations": ROTATIONS,
                           "correlations": CORRELATIONS, "max_factors": MAX_FACTORS,
                           "fmt": format_value, "errors": list(o.problems), "result": None,
                           "guidance": None, "kinds": [k for k in plots.KINDS if k != "bootstrap"]}
    try:
        source = study_results.study_source(db(), slug)
    except PoetqError as exc:
        ctx["errors"].extend(getattr(exc, "problems", [str(exc)]))
        return render_template("research/analysis.html", **ctx), 200
    ctx["source"] = source
    if o.factors is None or o.problems:
        guidance = run_guidance(source, cor=o.cor)
        ctx["guidance"] = guidance
        if o.factors is None:
            o.factors = min(guidance.suggested, len(source.table.sort_ids))
        return render_template("research/analysis.html", **ctx), 400 if o.problems else 200
    try:
        result = study_results.analyse_study(
            source, o.factors, extraction=o.extraction, rotation=o.rotation, cor=o.cor,
            rotations=o.rotations, flags=o.flags,
        )
    except PoetqError as exc:
        ctx["errors"].extend(getattr(exc, "problems", [str(exc)]))
        return render_template("research/analysis.html", **ctx), 400
    qset = source.qset
    ctx.update(
        result=result, qset=qset, cribs=study_results.crib_sheets(result, source),
        numbers={sid: qset.number(sid) for sid in result.statement_ids},
        texts={st.id: st.text for st in qset.statements},
        arrays=_array_columns(result, qset),
        query=o.query(), auto_query=o.query(flags=False),
        unrotated_query=o.query(rotations=False),
        flag_set={(s, f) for j, s in enumerate(result.sort_ids)
                  for f in range(result.n_factors) if result.flags[j, f]},
        answer_tallies=study_results.answer_tallies(result, source),
    )
    return render_template("research/analysis.html", **ctx), 200


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
    return Response(download.data, mimetype=download.media_type, headers=headers)


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
    return _send(study_results.participants_download(db(), s.slug, fmt,
                                                      include_unfinished=request.args.get("all") == "1"))


@bp.route("/studies/<slug>/export/<fmt>")
def export(slug: str, fmt: str):
    s = own_study(slug)
    if fmt not in exchange.FORMATS:
        raise ValidationError(f"unknown format {fmt!r}: use one of {', '.join(exchange.FORMATS)}")
    return _send(study_results.export(db(), s.slug, fmt))
