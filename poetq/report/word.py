"""The report as an editable Word document (.docx, python-docx): the same blocks as the HTML,
tables with a repeated header row, figures as 300 dpi PNG, numbered captions."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from poetq.report.content import Block, FigureBlock, Heading, Para, Table


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _widths(b: Table, usable_cm: float) -> list[float]:
    """Column widths in cm: numbers as wide as their longest entry, text columns share the rest
    by the length of their text (Word otherwise gives every column the same width)."""
    longest = [
        max([len(b.header[c])] + [len(row[c]) for row in b.rows]) for c in range(len(b.header))
    ]
    widths = [
        0.0 if c in b.text_columns else min(2.2, 0.45 + 0.17 * longest[c])
        for c in range(len(longest))
    ]
    text = [c for c in b.text_columns if c < len(longest)]
    rest = max(usable_cm - sum(widths), 2.5 * len(text))
    weights = [min(longest[c], 80) + 8 for c in text]
    for c, w in zip(text, weights):
        widths[c] = rest * w / sum(weights)
    return widths


def write_docx(
    blocks: list[Block], out: str | Path | BinaryIO, *, title: str, font: str = "DejaVu Sans",
    images: Mapping[int, bytes] | None = None,
) -> None:
    """Write the blocks as a .docx file: headings, paragraphs, numbered tables and figures.
    ``images``: figures already drawn as 300 dpi PNG, by ``id(figure)``
    (:func:`poetq.plots.rendered`)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT  # noqa: F401  (A4 portrait is the default below)
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from poetq.plots import figure_bytes

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    style = doc.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(9.5)
    doc.core_properties.title = title
    tables = figures = 0
    for b in blocks:
        if isinstance(b, Heading):
            doc.add_heading(b.text, level=min(b.level - 1, 4) if b.level > 1 else 0)
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            run = p.add_run(b.text)
            run.italic = b.kind in ("template", "note")
        elif isinstance(b, Table):
            tables += 1
            cap = doc.add_paragraph(f"Table {tables}. {b.caption}", style="Caption")
            cap.paragraph_format.keep_with_next = True
            t = doc.add_table(rows=1, cols=len(b.header))
            t.style = "Table Grid"
            t.autofit = False
            widths = [Cm(w) for w in _widths(b, 17.2)]
            for c, h in enumerate(b.header):
                cell = t.rows[0].cells[c]
                cell.text = h
                cell.paragraphs[0].runs[0].bold = True
                cell.width = widths[c]
            _repeat_header(t.rows[0])
            for r, row in enumerate(b.rows):
                cells = t.add_row().cells
                for c, v in enumerate(row):
                    cells[c].text = v
                    cells[c].width = widths[c]
                    para = cells[c].paragraphs[0]
                    if c not in b.text_columns:
                        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    if (r, c) in b.bold and para.runs:
                        para.runs[0].bold = True
                    for run in para.runs:
                        run.font.size = Pt(8)
            for c, col in enumerate(t.columns):
                col.width = widths[c]
        elif isinstance(b, FigureBlock):
            figures += 1
            png = images.get(id(b.figure)) if images else None
            buf = io.BytesIO(png or figure_bytes(b.figure, "png", dpi=300))
            w_in, h_in = b.figure.get_size_inches()
            width = min(17.0, w_in * 2.54, 23.0 * w_in / h_in)  # fit the page both ways
            doc.add_picture(buf, width=Cm(width))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            doc.add_paragraph(f"Figure {figures}. {b.caption}", style="Caption")
    doc.save(out)
