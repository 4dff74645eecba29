"""Figures and the report for an analysis (shared by the CLI and the web)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from poetq import plots
from poetq.domain import Grid, format_value
from poetq.errors import ValidationError
from poetq.services.analysis import Source

KINDS = ("composite", "loadings", "heatmap", "scree", "zscores", "bootstrap")


def _grid_for(result, source: Source | None) -> Grid:
    if source is not None and source.qset is not None:
        return source.qset.grid
    values, counts = np.unique(np.asarray(result.distribution), return_counts=True)
    return Grid(tuple(int(v) for v in values), tuple(int(c) for c in counts))


def _texts(source: Source | None) -> dict[str, str] | None:
    if source is None or source.qset is None:
        return None
    return {s.id: s.text for s in source.qset.statements}


def check_kind(kind: str) -> str:
    if kind not in (*KINDS, "all"):
        raise ValidationError(f"unknown kind of plot {kind!r}: use one of {', '.join(KINDS)} or all")
    return kind


def parse_statement_numbers(text: str) -> list[int]:
    """'1, 5,9' -> [0, 4, 8] (0-based indices)."""
    try:
        numbers = [int(p) for p in text.replace(" ", "").split(",") if p]
    except ValueError:
        raise ValidationError(f"--statements wants numbers separated by commas, e.g. 1,5,9 (got {text!r})") from None
    if not numbers or min(numbers) < 1:
        raise ValidationError("statement numbers start at 1")
    return [n - 1 for n in numbers]


def make_figure(result, kind: str, *, source: Source | None = None, factor: int = 1,
                pair: tuple[int, int] = (1, 2), guidance=None, boot=None,
                short_text: bool = False, statements: list[int] | None = None) -> Figure:
    """One figure of ``kind`` (see :data:`KINDS`) as a matplotlib Figure."""
    if kind not in KINDS:
        raise ValidationError(f"unknown kind of plot {kind!r}: use one of {', '.join(KINDS)} or all")
    if kind == "composite":
        grid = _grid_for(result, source)
        ax = plots.composite(result, factor, grid_values=grid.values, grid_counts=grid.counts,
                             labels=grid.labels, texts=_texts(source) if short_text else None)
    elif kind == "loadings":
        if result.n_factors < 2:
            raise ValidationError("a loadings plot needs at least 2 factors")
        ax = plots.loadings_pair(result, *pair)
    elif kind == "heatmap":
        ax = plots.loadings_heatmap(result)
    elif kind == "scree":
        ax = plots.scree(result, parallel=None if guidance is None else guidance.parallel)
    elif kind == "zscores":
        ax = plots.zscore_comparison(result, statements, texts=_texts(source))
    else:
        if boot is None:
            raise ValidationError("the bootstrap plot needs a bootstrap run (--steps)")
        ax = plots.bootstrap_intervals(boot, factor)
    return ax.figure


def figure_names(result, kind: str) -> list[tuple[str, dict]]:
    """(file stem, options) of every figure that ``kind`` stands for ('all' gives them all)."""
    defined = [f + 1 for f in range(result.n_factors) if f not in result.empty_factors]
    if kind == "all":
        out = [(f"composite-f{f}", {"kind": "composite", "factor": f}) for f in defined]
        if result.n_factors >= 2:
            out.append(("loadings-f1-f2", {"kind": "loadings"}))
        out += [("heatmap", {"kind": "heatmap"}), ("scree", {"kind": "scree"}),
                ("zscores", {"kind": "zscores"})]
        return out
    return [(kind, {"kind": kind})]


def write_plots(result, out: str | Path, *, kind: str = "composite", source: Source | None = None,
                factor: int = 1, pair=(1, 2), guidance=None, boot=None, dpi: int = 150,
                short_text: bool = False, statements: list[int] | None = None) -> list[Path]:
    """Write one figure to ``out`` (png/svg/pdf), or with ``kind='all'`` one file per figure
    named ``<stem>-<figure>.<ext>`` beside ``out``."""
    out = Path(out)
    if kind != "all":
        fig = make_figure(result, kind, source=source, factor=factor, pair=pair,
                          guidance=guidance, boot=boot, short_text=short_text, statements=statements)
        return [plots.save_figure(fig, out, dpi=dpi)]
    written = []
    for name, opts in figure_names(result, "all"):
        fig = make_figure(result, opts["kind"], source=source, factor=opts.get("factor", 1),
                          pair=pair, guidance=guidance, boot=None, short_text=short_text)
        written.append(plots.save_figure(fig, out.with_name(f"{out.stem}-{name}{out.suffix}"), dpi=dpi))
    return written


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</metadata>"):]
    return text


def _png_data(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def crib_sheet(result, f: int, source: Source | None) -> dict:
    """Facts for interpreting factor ``f`` (0-based): extremes, relative ranks, defining sorts."""
    arr = np.asarray(result.factor_arrays)
    z = np.asarray(result.zscores)
    texts = _texts(source) or {}
    order = np.lexsort((np.arange(len(z)), -z[:, f]))
    top_value, bottom_value = np.nanmax(arr[:, f]), np.nanmin(arr[:, f])
    others = [g for g in range(result.n_factors) if g != f and g not in result.empty_factors]
    higher, lower = [], []
    for i in range(len(z)):
        if others:
            if all(arr[i, f] > arr[i, g] for g in others):
                higher.append(i)
            if all(arr[i, f] < arr[i, g] for g in others):
                lower.append(i)
    marks = plots.distinguishing_marks(result, f + 1) if result.qdc_pairs else {}

    def item(i):
        sid = result.statement_ids[i]
        return {"number": i + 1, "id": sid, "text": texts.get(sid, ""), "value": int(arr[i, f]),
                "z": float(z[i, f])}

    return {
        "highest": [item(i) for i in order if arr[i, f] == top_value],
        "lowest": [item(i) for i in order[::-1] if arr[i, f] == bottom_value],
        "higher": [item(i) for i in higher],
        "lower": [item(i) for i in lower],
        "distinguishing": [item(i) for i, m in sorted(marks.items()) if m != "consensus"],
        "consensus": [item(i) for i, m in sorted(marks.items()) if m == "consensus"],
        "defining": [(result.sort_ids[j], float(result.loadings[j, f]))
                     for j in np.where(result.flags[:, f])[0]],
    }


def report_html(result, source: Source | None = None, *, guidance=None) -> str:
    """A self-contained HTML report: study, method, every figure (inline SVG), crib sheets."""
    e = html.escape
    title = source.qset.title if source and source.qset else (source.name if source else "Q analysis")
    ch = result.characteristics
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(title)}: poetq report</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.45}",
        "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}",
        "td.t{text-align:left}figure{margin:1rem 0}svg{max-width:100%;height:auto}h2{border-bottom:2px solid #333}",
        "</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>Report made by poetq on {dt.date.today().isoformat()}.</p>",
        "<h2>Method</h2>",
        f"<p>{len(result.sort_ids)} Q-sorts of {len(result.statement_ids)} statements. "
        f"Correlation: {e(result.cor)}; extraction: {e(result.extraction)}; rotation: {e(result.rotation)}; "
        f"{result.n_factors} factors; flags: {'manual' if result.manual_flags else 'automatic (a² > h² − a² and |a| > 1.96/√n)'}. "
        "Z-scores weight flagged sorts by a/(1−a²); numbers follow R qmethod 1.8.4.</p>",
        "<table><tr><th>factor</th><th>defining sorts</th><th>SS loadings</th><th>% variance</th>"
        "<th>reliability</th><th>SE of z-scores</th></tr>",
    ]
    for f, name in enumerate(result.factor_names):
        parts.append(
            f"<tr><td>{name}</td><td>{int(ch['nload'][f])}</td><td>{ch['eigenvals'][f]:.4f}</td>"
            f"<td>{ch['expl_var'][f]:.2f}</td><td>{ch['reliability'][f]:.4f}</td><td>{ch['se_fscores'][f]:.4f}</td></tr>"
        )
    parts.append("</table>")
    for note in result.notes:
        parts.append(f"<p><em>Note: {e(note)}</em></p>")
    parts.append("<h2>Figures</h2>")
    for name, opts in figure_names(result, "all"):
        fig = make_figure(result, opts["kind"], source=source, factor=opts.get("factor", 1),
                          guidance=guidance)
        parts.append(f"<figure id='{e(name)}'>{_svg(fig)}<figcaption>{e(name)}</figcaption></figure>")
    for f, name in enumerate(result.factor_names):
        parts.append(f"<h2>Crib sheet: factor {f + 1}</h2>")
        if f in result.empty_factors:
            parts.append("<p>No sort defines this factor.</p>")
            continue
        crib = crib_sheet(result, f, source)
        parts.append("<p>Defining sorts: " + ", ".join(f"{e(s)} ({a:+.2f})" for s, a in crib["defining"]) + "</p>")
        for key, heading in (("highest", "Ranked highest"), ("lowest", "Ranked lowest"),
                             ("higher", "Ranked higher than in any other factor"),
                             ("lower", "Ranked lower than in any other factor"),
                             ("distinguishing", "Distinguishing statements"),
                             ("consensus", "Consensus statements")):
            rows = crib[key]
            parts.append(f"<h3>{heading}</h3>")
            if not rows:
                parts.append("<p>None.</p>")
                continue
            parts.append("<table><tr><th>no.</th><th>statement</th><th>array</th><th>z</th></tr>")
            for r in rows:
                parts.append(
                    f"<tr><td>{r['number']}</td><td class='t'>{e(r['text'] or r['id'])}</td>"
                    f"<td>{format_value(r['value'])}</td><td>{r['z']:.3f}</td></tr>"
                )
            parts.append("</table>")
    parts.append("<h2>Loadings</h2><table><tr><th>sort</th>" + "".join(f"<th>{n}</th>" for n in result.factor_names) + "</tr>")
    for j, sid in enumerate(result.sort_ids):
        cells = "".join(
            f"<td>{'<b>' if result.flags[j, f] else ''}{result.loadings[j, f]:.4f}{'</b>' if result.flags[j, f] else ''}</td>"
            for f in range(result.n_factors)
        )
        parts.append(f"<tr><td class='t'>{e(sid)}</td>{cells}</tr>")
    parts.append("</table><p>Bold: flagged.</p></body></html>")
    return "\n".join(parts)


def write_report(result, out: str | Path, source: Source | None = None, *, guidance=None) -> Path:
    """Write the report as one HTML file, or as a multi-page PDF."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise ValidationError(f"cannot write {out.name}: use a .html or .pdf file name")
    if not out.parent.exists():
        raise ValidationError(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        if suffix == ".pdf":
            from matplotlib.backends.backend_pdf import PdfPages

            with PdfPages(out) as pdf:
                page = Figure(figsize=(8.27, 11.69))
                text = _report_text(result, source)
                page.text(0.06, 0.96, text, va="top", ha="left", family="monospace", fontsize=6.5, wrap=True)
                pdf.savefig(page)
                for _, opts in figure_names(result, "all"):
                    pdf.savefig(make_figure(result, opts["kind"], source=source,
                                            factor=opts.get("factor", 1), guidance=guidance))
        else:
            out.write_text(report_html(result, source, guidance=guidance), encoding="utf-8")
    except PermissionError:
        raise ValidationError(f"cannot write {out}: permission denied") from None
    return out


def _report_text(result, source) -> str:
    from poetq.services.analysis import summarise

    lines = summarise(result, source).splitlines()
    return "\n".join(lines[:110])
