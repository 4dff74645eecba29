"""The .docx report's tables are written straight as XML: the same XML as python-docx's cell
API writes (which took seconds for a thousand rows)."""

from __future__ import annotations

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from poetq.report.content import Table
from poetq.report.word import _add_rows


def test_rows_are_the_xml_of_the_cell_api():
    table = Table("t", ("statement", "f1", "mark"),
                  (("We <accept> & agree", "0.81", " ▲ higher "),
                   ("two\nlines\tand a tab", "", "-1.2"),
                   ("", "3", "x\r\ny")),
                  text_columns=frozenset({0, 2}), bold=frozenset({(0, 1), (2, 0)}))
    widths = [Cm(6.1), Cm(1.3), Cm(2.25)]

    def header(doc):
        t = doc.add_table(rows=1, cols=3)
        for c, h in enumerate(table.header):
            t.rows[0].cells[c].text = h
            t.rows[0].cells[c].width = widths[c]
        return t

    by_api = header(Document())
    for r, row in enumerate(table.rows):
        cells = by_api.add_row().cells
        for c, v in enumerate(row):
            cells[c].text = v
            cells[c].width = widths[c]
            para = cells[c].paragraphs[0]
            if c not in table.text_columns:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if (r, c) in table.bold and para.runs:
                para.runs[0].bold = True
            for run in para.runs:
                run.font.size = Pt(8)
    direct = header(Document())
    _add_rows(direct, table, [direct.rows[0].cells[c]._tc.tcPr.tcW.get(qn("w:w"))
                              for c in range(3)])
    assert direct._tbl.xml == by_api._tbl.xml
