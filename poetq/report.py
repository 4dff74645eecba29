"""The report of a Q analysis: one self-contained HTML file, or a multi-page PDF.

Pure rendering: the functions here take an analysis result, the Q-set and figures already
drawn, and return text (HTML) or write a PDF with matplotlib's ``PdfPages`` (no extra
dependency). Nothing is fetched when the HTML opens: the CSS is inline, figures are SVG in
``data:`` URIs, there are no scripts and no links. Every text from the study is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from matplotlib.figure import Figure

from poetq import __version__
from poetq.domain import QSet, format_value
from poetq.plots import SYMBOLS, distinguishing_marks

#: (caption, Figure) pairs, in the order the report shows them
Figures = Sequence[tuple[str, Figure]]

_AUTO_FLAGS = "automatic: a² > h² − a² and |a| > 1.96/√n_statements"


@dataclass(frozen=True)
class CribItem:
    """One statement on a crib sheet."""

    number: int
    statement_id: str
    text: str
    value: int  # the factor array's column
    z: float
    mark: str = ""  # one of poetq.plots.MARKS, or ""


@dataclass(frozen=True)
class CribSheet:
    """What a reader needs to interpret one factor (after Watts & Stenner 2012, ch. 7)."""

    factor: int
    defining: tuple[tuple[str, float], ...]
    highest: tuple[CribItem, ...]
    lowest: tuple[CribItem, ...]
    higher: tuple[CribItem, ...]
    lower: tuple[CribItem, ...]
    distinguishing: tuple[CribItem, ...]
    consensus: tuple[CribItem, ...]

    SECTIONS = (
        ("highest", "Ranked highest (the top {n} columns)"),
        ("lowest", "Ranked lowest (the bottom {n} columns)"),
        ("higher", "Ranked higher than in any other factor"),
        ("lower", "Ranked lower than in any other factor"),
        ("distinguishing", "Distinguishing statements (vs every other factor)"),
        ("consensus", "Consensus statements (no pair of factors differs)"),
    )


def _number_of(result, qset: QSet | None):
    ids = set(qset.statement_ids) if qset is not None else set()
    if qset is not None and all(s in ids for s in result.statement_ids):
        return qset.number
    return lambda sid: result.statement_ids.index(sid) + 1


def crib_sheet(result, factor: int, *, qset: QSet | None = None, columns: int = 2) -> CribSheet:
    """The crib sheet of ``factor`` (1-based), which must define at least one sort.

    ``highest``/``lowest`` hold the statements in the ``columns`` outermost columns of the
    factor array (by decreasing/increasing z-score); ``higher``/``lower`` the statements whose
    array value is above/below their value in every other factor that has an array;
    ``distinguishing`` those :func:`poetq.plots.distinguishing_marks` marks (significant
    against every other factor, in one direction or mixed), ``consensus`` the consensus
    statements.
    """
    f = factor - 1
    marks = distinguishing_marks(result, factor) if result.qdc_pairs else {}
    arr, z = np.asarray(result.factor_arrays), np.asarray(result.zscores)
    number = _number_of(result, qset)
    texts = {} if qset is None else {s.id: " ".join(s.text.split()) for s in qset.statements}
    n = len(result.statement_ids)

    def item(i: int) -> CribItem:
        sid = result.statement_ids[i]
        return CribItem(number(sid), sid, texts.get(sid, ""), int(arr[i, f]), float(z[i, f]),
                        marks.get(i, ""))

    by_z = sorted(range(n), key=lambda i: (-z[i, f], i))
    values = sorted({int(v) for v in arr[:, f]})
    top, bottom = set(values[-columns:]), set(values[:columns])
    others = [g for g in range(result.n_factors) if g != f and g not in result.empty_factors]
    higher = [i for i in by_z if others and all(arr[i, f] > arr[i, g] for g in others)]
    lower = [i for i in by_z[::-1] if others and all(arr[i, f] < arr[i, g] for g in others)]
    return CribSheet(
        factor=factor,
        defining=tuple((result.sort_ids[j], float(result.loadings[j, f]))
                       for j in np.where(np.asarray(result.flags)[:, f])[0]),
        highest=tuple(item(i) for i in by_z if arr[i, f] in top),
        lowest=tuple(item(i) for i in by_z[::-1] if arr[i, f] in bottom),
        higher=tuple(item(i) for i in higher),
        lower=tuple(item(i) for i in lower),
        distinguishing=tuple(item(i) for i in by_z if marks.get(i, "consensus") != "consensus"),
        consensus=tuple(item(i) for i in by_z if marks.get(i) == "consensus"),
    )


def _svg_data_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _method_rows(result, guidance=None, boot=None) -> list[tuple[str, str]]:
    rows = [
        ("Correlation", result.cor),
        ("Extraction", "PCA" if result.extraction == "pca" else "centroid (Brown)"),
        ("Rotation", result.rotation),
        ("Factors extracted", str(result.n_factors)),
        ("Flags", "manual" if result.manual_flags else _AUTO_FLAGS),
        ("Z-scores", "weighted sum of flagged sorts, weight a/(1 − a²); sample SD"),
    ]
    for adj in result.adjustments:
        rows.append(("Adjustment", " ".join(str(a) for a in adj)))
    if guidance is not None:
        rows.append(("Number of factors (guidance)",
                     (f"Kaiser {guidance.kaiser}, Humphrey {guidance.humphrey}, parallel analysis "
                     f"{guidance.parallel_retain} ({guidance.iterations} random forced data sets, "
                     f"seed {guidance.seed})")))
    if boot is not None:
        rows.append(("Bootstrap", f"{boot.steps} samples (seed {boot.seed}), {boot.valid_steps} aligned"))
    rows.append(("Equivalent R call",
                 (f"qmethod(sorts, nfactors = {result.n_factors}, extraction = "
                 f"\"{'PCA' if result.extraction == 'pca' else 'centroid'}\", rotation = "
                 f"\"{result.rotation}\", cor.method = \"{result.cor}\")")))
    return rows


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:64rem;margin:2rem auto;
padding:0 1rem;line-height:1.45;color:#1a1a1a}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #333;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}
td,th{border:1px solid #c8c8c8;padding:.2rem .5rem;text-align:right;vertical-align:top}
th{background:#f2f2f2}td.t,th.t{text-align:left}
figure{margin:1.2rem 0;page-break-inside:avoid}figure img{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444}.muted{color:#555}.flag{font-weight:bold}
.higher{color:#1b7837}.lower{color:#b2182b}.consensus{color:#6a51a3}
@media print{h2{page-break-before:always}}
"""

_MARK_TEXT = {"higher01": "▲ higher, p<.01", "higher05": "△ higher, p<.05",
              "lower01": "▼ lower, p<.01", "lower05": "▽ lower, p<.05",
              "differs01": "◆ differs (mixed), p<.01", "differs05": "◇ differs (mixed), p<.05",
              "consensus": "● consensus"}


def report_html(
    result,
    *,
    title: str = "Q analysis",
    source_name: str = "",
    qset: QSet | None = None,
    figures: Figures = (),
    guidance=None,
    boot=None,
    made_on: str | None = None,
) -> str:
    """The whole report as one self-contained HTML document.

    Parameters
    ----------
    result : AnalysisResult
    title : str, default "Q analysis"
    source_name : str, default ""
        Where the sorts came from (a file name or a study slug).
    qset : QSet, optional
        Statement texts, numbers, the grid and the condition of instruction.
    figures : sequence of (caption, Figure)
        Embedded as SVG ``data:`` URIs in this order.
    guidance : FactorGuidance, optional
    boot : BootstrapResult, optional
    made_on : str, optional
        A date to print (left out when None, so the same analysis gives the same file).

    Returns
    -------
    str
    """
    e = html.escape
    number = _number_of(result, qset)
    texts = {} if qset is None else {s.id: " ".join(s.text.split()) for s in qset.statements}
    ch = result.characteristics
    n, m = len(result.statement_ids), len(result.sort_ids)
    out = ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           f"<title>{e(title)}: Q analysis report</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(title)}</h1>",
           f"<p class='muted'>Report made by poetq {e(__version__)}"
           + (f" on {e(made_on)}" if made_on else "") + ".</p>",
           "<h2 id='study'>Study</h2><table>"]
    study = [("Sorts", f"{m} Q-sorts" + (f" from {source_name}" if source_name else "")),
             ("Statements", str(n))]
    if qset is not None:
        grid = qset.grid
        study += [("Q-set", qset.title)]
        if qset.topic:
            study.append(("Topic", qset.topic))
        if qset.condition:
            study.append(("Condition of instruction", qset.condition_text()))
        study.append(("Grid", ", ".join(f"{format_value(v)}: {c}" for v, c in zip(grid.values, grid.counts))
                      + f" ({grid.labels[0]} … {grid.labels[1]})"))
    out += [f"<tr><th class='t'>{e(k)}</th><td class='t'>{e(v)}</td></tr>" for k, v in study]
    out.append("</table><h2 id='method'>Method and options</h2><table>")
    out += [f"<tr><th class='t'>{e(k)}</th><td class='t'>{e(v)}</td></tr>"
            for k, v in _method_rows(result, guidance, boot)]
    out.append("</table><p class='muted'>Numbers follow R qmethod 1.8.4 (Zabala 2014).</p>")
    for note in result.notes:
        out.append(f"<p><em>Note: {e(note)}</em></p>")

    out.append("<h3>Factor characteristics</h3><table><tr><th class='t'>factor</th>"
               "<th>defining sorts</th><th>SS loadings</th><th>% variance</th><th>reliability</th>"
               "<th>SE of factor z-scores</th></tr>")
    for f, name in enumerate(result.factor_names):
        out.append(f"<tr><td class='t'>{name}</td><td>{int(ch['nload'][f])}</td>"
                   f"<td>{ch['eigenvals'][f]:.4f}</td><td>{ch['expl_var'][f]:.2f}</td>"
                   f"<td>{ch['reliability'][f]:.4f}</td><td>{ch['se_fscores'][f]:.4f}</td></tr>")
    out.append("</table>")
    if result.n_factors > 1:
        out.append("<h3>Correlations between factor z-scores</h3><table><tr><th></th>"
                   + "".join(f"<th>{nm}</th>" for nm in result.factor_names) + "</tr>")
        cz = np.asarray(result.cor_zsc)
        for f, name in enumerate(result.factor_names):
            out.append(f"<tr><th class='t'>{name}</th>"
                       + "".join(f"<td>{_num(cz[f, g])}</td>" for g in range(result.n_factors)) + "</tr>")
        out.append("</table>")

    if figures:
        out.append("<h2 id='figures'>Figures</h2>")
        for i, (caption, fig) in enumerate(figures, 1):
            out.append(f"<figure id='figure-{i}'><img src='{_svg_data_uri(fig)}' alt='{e(caption)}'>"
                       f"<figcaption>Figure {i}. {e(caption)}</figcaption></figure>")

    for f, name in enumerate(result.factor_names):
        out.append(f"<h2 id='crib-{name}'>Crib sheet: factor {f + 1}</h2>")
        if f in result.empty_factors:
            out.append("<p>No sort defines this factor: it has no z-scores and no factor array.</p>")
            continue
        crib = crib_sheet(result, f + 1, qset=qset)
        out.append("<p><strong>Defining sorts</strong> (loading): "
                   + ", ".join(f"{e(s)} ({a:+.4f})" for s, a in crib.defining) + "</p>")
        for key, heading in CribSheet.SECTIONS:
            rows = getattr(crib, key)
            out.append(f"<h3>{e(heading.format(n=2))}</h3>")
            if not rows:
                out.append("<p class='muted'>None.</p>")
                continue
            out.append("<table><tr><th>no.</th><th class='t'>statement</th><th>array</th><th>z-score</th>"
                       "<th class='t'>mark</th></tr>")
            for r in rows:
                css = r.mark.rstrip("015")
                out.append(f"<tr><td>{r.number}</td><td class='t'>{e(r.text or r.statement_id)}</td>"
                           f"<td>{format_value(r.value)}</td><td>{r.z:.4f}</td>"
                           f"<td class='t {css}'>{e(_MARK_TEXT.get(r.mark, ''))}</td></tr>")
            out.append("</table>")

    out.append("<h2 id='loadings'>Loadings</h2><table><tr><th class='t'>sort</th>"
               + "".join(f"<th>{nm}</th>" for nm in result.factor_names) + "</tr>")
    for j, sid in enumerate(result.sort_ids):
        cells = "".join(
            f"<td class='flag'>{result.loadings[j, f]:.4f}*</td>" if result.flags[j, f]
            else f"<td>{result.loadings[j, f]:.4f}</td>" for f in range(result.n_factors))
        out.append(f"<tr><td class='t'>{e(sid)}</td>{cells}</tr>")
    out.append("</table><p class='muted'>* and bold: flagged (defines the factor).</p>")

    out.append("<h2 id='scores'>Z-scores and factor arrays</h2><table><tr><th>no.</th>"
               "<th class='t'>statement</th>"
               + "".join(f"<th>{nm} z</th><th>{nm}</th>" for nm in result.factor_names)
               + "<th class='t'>distinguishing / consensus</th></tr>")
    z, arr = np.asarray(result.zscores), np.asarray(result.factor_arrays)
    for i, sid in enumerate(result.statement_ids):
        cells = "".join(f"<td>{_num(z[i, f])}</td><td>{_value(arr[i, f])}</td>" for f in range(result.n_factors))
        label = result.qdc_labels[i].strip() if result.qdc_labels else ""
        out.append(f"<tr><td>{number(sid)}</td><td class='t'>{e(texts.get(sid) or sid)}</td>{cells}"
                   f"<td class='t'>{e(label)}</td></tr>")
    out.append("</table></body></html>")
    return "\n".join(out)


def _num(x: float) -> str:
    return "–" if np.isnan(x) else f"{x:.4f}"


def _value(x: float) -> str:
    return "–" if np.isnan(x) else format_value(int(x))


def report_lines(result, *, title: str = "Q analysis", source_name: str = "",
                 qset: QSet | None = None, guidance=None, boot=None, width: int = 100) -> list[str]:
    """The report's text (study, method, characteristics, crib sheets) as plain lines."""
    ch = result.characteristics
    lines = [title, "=" * min(len(title), width), "",
             f"{len(result.sort_ids)} Q-sorts" + (f" from {source_name}" if source_name else "")
             + f", {len(result.statement_ids)} statements"]
    if qset is not None:
        lines.append("Grid: " + ", ".join(f"{format_value(v)}: {c}" for v, c in zip(qset.grid.values, qset.grid.counts)))
    lines += ["", "Method and options"]
    lines += [f"  {k}: {v}" for k, v in _method_rows(result, guidance, boot)]
    lines += [f"  Note: {note}" for note in result.notes]
    lines += ["", "factor  defining sorts  SS loadings  % variance  reliability  SE of z-scores"]
    for f, name in enumerate(result.factor_names):
        lines.append(f"{name:<6}  {int(ch['nload'][f]):>14}  {ch['eigenvals'][f]:>11.4f}  "
                     f"{ch['expl_var'][f]:>10.2f}  {ch['reliability'][f]:>11.4f}  {ch['se_fscores'][f]:>14.4f}")
    for f in range(result.n_factors):
        lines += ["", f"Crib sheet: factor {f + 1}", "-" * 20]
        if f in result.empty_factors:
            lines.append("No sort defines this factor: no z-scores, no factor array.")
            continue
        crib = crib_sheet(result, f + 1, qset=qset)
        lines.append("Defining sorts: " + ", ".join(f"{s} ({a:+.4f})" for s, a in crib.defining))
        for key, heading in CribSheet.SECTIONS:
            lines.append(heading.format(n=2) + ":")
            rows = getattr(crib, key)
            if not rows:
                lines.append("  none")
            for r in rows:
                sym = SYMBOLS.get(r.mark, " ")
                head = f"  {r.number:>3} {format_value(r.value):>3} {r.z:+.3f} {sym} "
                body = textwrap.wrap(r.text or r.statement_id, max(20, width - len(head)))
                lines.append(head + body[0])
                lines += [" " * len(head) + b for b in body[1:]]
    wrapped: list[str] = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        wrapped += [line] if len(line) <= width else textwrap.wrap(line, width, subsequent_indent=indent)
    return wrapped


def report_pdf(
    result,
    out: str | Path | BinaryIO,
    *,
    title: str = "Q analysis",
    source_name: str = "",
    qset: QSet | None = None,
    figures: Figures = (),
    guidance=None,
    boot=None,
    lines_per_page: int = 78,
) -> None:
    """Write the report as a multi-page A4 PDF: text pages (:func:`report_lines`), then figures."""
    from matplotlib.backends.backend_pdf import PdfPages

    lines = report_lines(result, title=title, source_name=source_name, qset=qset,
                         guidance=guidance, boot=boot)
    with PdfPages(out, metadata={"Title": title, "Creator": f"poetq {__version__}",
                                 "CreationDate": None}) as pdf:
        for page in text_pages(lines, lines_per_page=lines_per_page):
            pdf.savefig(page)
        for caption, fig in figures:
            pdf.savefig(fig)


def text_pages(lines: Sequence[str], *, lines_per_page: int = 78) -> list[Figure]:
    """A4 pages of monospaced text, numbered at the foot."""
    chunks = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    pages = []
    for p, chunk in enumerate(chunks, 1):
        page = Figure(figsize=(8.27, 11.69))
        page.text(0.07, 0.955, "\n".join(chunk), va="top", ha="left", family="monospace",
                  fontsize=7, linespacing=1.25)
        page.text(0.5, 0.03, f"{p} / {len(chunks)}", ha="center", fontsize=7, color="#666666")
        pages.append(page)
    return pages
