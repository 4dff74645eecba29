"""The report as one self-contained HTML document, and the same HTML made into a PDF.

Nothing is fetched when the HTML opens: the CSS is inline, figures are SVG in ``data:`` URIs,
there are no scripts and no links; every text from the study is escaped. The PDF is this
HTML laid out by WeasyPrint (CSS paged media: A4 pages, numbered; table headers repeated on
every page; short tables and figures never split), with every URL fetch refused.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from matplotlib.figure import Figure

from poetq.bidi import isolate_if_needed
from poetq.errors import StateError
from poetq.plots import figure_bytes
from poetq.report.content import Block, FigureBlock, Heading, Para, Table

_CSS = """
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;max-width:64rem;
margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1a1a1a}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #333;margin-top:2.2rem}
table{border-collapse:collapse;margin:.3rem 0 1rem;font-variant-numeric:tabular-nums}
td,th{border:1px solid #c8c8c8;padding:.2rem .5rem;text-align:right;vertical-align:top}
th{background:#f2f2f2}td.t,th.t{text-align:left}
caption{caption-side:top;text-align:left;font-size:.9rem;color:#333;padding:.2rem 0}
figure{margin:1.2rem 0;break-inside:avoid}figure img{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#333}.muted{color:#555}.flag{font-weight:bold}
.template{color:#555;font-style:italic;border-left:3px solid #ccc;padding-left:.6rem}
thead{display:table-header-group}tr{break-inside:avoid}div.keep{break-inside:avoid}
caption{break-after:avoid}td.t{min-width:7em}table.wide td.t:nth-child(2){min-width:16em}
h2,h3,h4{break-after:avoid}
@page{size:A4;margin:16mm 14mm 18mm;@bottom-center{content:counter(page) " / " counter(pages);
font-family:"DejaVu Sans",sans-serif;font-size:8pt;color:#666}}td.nw{white-space:nowrap}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}
h2.page{break-before:page}figure img{max-height:235mm}td,th{padding:.1rem .3rem}
table{width:100%;font-size:8pt}table.kv{width:auto}}
"""


_MARK_SYMBOLS = set("▲△▼▽◆◇●")  # a mark's text ("▲ higher, p<.01") stays on one line


def _svg_data_uri(fig: Figure, images: Mapping[int, bytes] | None = None) -> str:
    svg = images[id(fig)] if images and id(fig) in images else figure_bytes(fig, "svg")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render_html(blocks: list[Block], *, title: str, lang: str = "en",
                images: Mapping[int, bytes] | None = None) -> str:
    """The blocks as one HTML document; tables and figures numbered in order. Every text is
    escaped, and isolated when it holds direction controls or right-to-left letters (a
    statement, a sort's name: :mod:`poetq.bidi`). ``images``: figures already drawn as SVG,
    by ``id(figure)`` (:func:`poetq.plots.rendered`)."""

    def e(text: str) -> str:
        return html.escape(isolate_if_needed(text))

    out = ["<!doctype html>", f"<html lang='{e(lang)}'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           f"<title>{e(title)}: Q analysis report</title><style>{_CSS}</style></head><body>"]
    tables = figures = 0
    for b in blocks:
        if isinstance(b, Heading):
            anchor = f" id='{e(b.anchor)}'" if b.anchor else ""
            page = " class='page'" if b.level == 2 and b.anchor not in ("study", "method") else ""
            out.append(f"<h{b.level}{anchor}{page}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            css = f" class='{b.kind}'" if b.kind in ("muted", "template") else ""
            body = f"<em>{e(b.text)}</em>" if b.kind == "note" else e(b.text)
            out.append(f"<p{css}>{body}</p>")
        elif isinstance(b, Table):
            tables += 1
            kv = (
                " class='kv'"
                if len(b.header) <= 2
                else (" class='wide'" if len(b.header) > 7 else "")
            )
            out.append(
                f"<div class='{'keep' if b.keep else 'long'}'><table{kv}>"
                f"<caption>Table {tables}. {e(b.caption)}</caption>"
                "<thead><tr>"
                + "".join(
                    f"<th class='t'>{e(h)}</th>" if c in b.text_columns else f"<th>{e(h)}</th>"
                    for c, h in enumerate(b.header)
                )
                + "</tr></thead><tbody>"
            )
            for r, row in enumerate(b.rows):
                cells = []
                for c, v in enumerate(row):
                    css = " ".join(x for x in ("t" if c in b.text_columns else "",
                                               "flag" if (r, c) in b.bold else "",
                                               "nw" if v[:1] in _MARK_SYMBOLS else "") if x)
                    cells.append(f"<td class='{css}'>{e(v)}</td>" if css else f"<td>{e(v)}</td>")
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</tbody></table></div>")
        elif isinstance(b, FigureBlock):
            figures += 1
            out.append(
                f"<figure id='figure-{figures}'>"
                f"<img src='{_svg_data_uri(b.figure, images)}' alt='{e(b.caption)}'>"
                f"<figcaption>Figure {figures}. {e(b.caption)}</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out)


def html_to_pdf(document: str, out: str | Path | BinaryIO) -> None:
    """Lay the report's HTML out as an A4 PDF (WeasyPrint; fonts through fontconfig)."""
    import logging

    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # WeasyPrint loads Pango when imported; a bare machine may lack it
        raise StateError(
            "a PDF report needs the Pango library: install Debian's libpango-1.0-0 and "
            "libpangoft2-1.0-0 (or write the report as .html or .docx)"
        ) from exc

    # WeasyPrint logs each CSS property it does not know (system-ui fallbacks) as a warning
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # only the figures' data: URIs are read; nothing is fetched from a network or a file
    HTML(string=document, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(out)
