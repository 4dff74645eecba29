"""Solutions side by side in the browser (``poetq compare`` on a study's sorts)."""

from __future__ import annotations

from flask import render_template, request

from poetq.analysis.options import AnalysisOptions
from poetq.errors import PoetqError
from poetq.services import compare as service
from poetq.web.research import bp
from poetq.web.research.option_query import MAX_FACTORS, form_fields, parse_query
from poetq.web.research.saved import source_for
from poetq.web.research.studies import own_study


@bp.route("/studies/<slug>/compare")
def compare(slug: str):
    s = own_study(slug)
    args = request.args.copy()
    factors = (args.pop("factors", "") or "2-7").strip()
    values, problems = parse_query(args)
    values.pop("rotations", None)
    values.pop("flags", None)
    ctx = {"study": s, "title": f"Compare solutions: {s.title}", "factors": factors,
           "fields": [f for f in form_fields(values) if f.kind in ("select", "checkbox", "text")],
           "errors": list(problems), "comparison": None, "by_k": {}}
    if problems:
        return render_template("research/compare.html", **ctx), 400
    try:
        ks = service.parse_factor_range(factors)
        if ks[-1] > MAX_FACTORS:
            raise PoetqError(
                f"compare at most {MAX_FACTORS} factors here (poetq compare has no such limit)"
            )
        source, _ = source_for(s.slug, request.args)
        comparison = service.compare_solutions(
            source, AnalysisOptions(**{**values, "factors": ks[0]}), ks
        )
    except PoetqError as exc:
        ctx["errors"].extend(getattr(exc, "problems", None) or [str(exc)])
        return render_template("research/compare.html", **ctx), 400
    ctx.update(comparison=comparison, by_k={x.k: x for x in comparison.solutions},
               moves={x.k: comparison.moves(x.k) for x in comparison.solutions[:-1]})
    return render_template("research/compare.html", **ctx)
