"""The report of a Q analysis: one layout (:func:`report_blocks`) written as a self-contained
HTML file, the same HTML made into a PDF, or an editable .docx.

Pure rendering: the functions take an analysis result, the Q-set, figures already drawn and
the respondents' words, and return HTML or write a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from poetq.report.content import (
    NARRATIVE,
    Figures,
    RespondentWords,
    report_blocks,
)
from poetq.report.crib import CribItem, CribSheet, crib_sheet

__all__ = ["NARRATIVE", "CribItem", "CribSheet", "Figures", "RespondentWords", "crib_sheet",
           "report_blocks", "report_docx", "report_html", "report_pdf"]


def report_html(result, *, title: str = "Q analysis", images=None, **content) -> str:
    """The whole report as one self-contained HTML document.

    Parameters
    ----------
    result : AnalysisResult
    title : str, default "Q analysis"
    **content
        :func:`report_blocks`'s keywords: ``source_name``, ``qset``, ``texts``, ``figures``
        ((caption, Figure) pairs, embedded as SVG ``data:`` URIs), ``guidance``, ``boot``,
        ``made_on`` (a date to print; left out when None, so the same analysis gives the same
        file), ``words`` (:class:`RespondentWords`), ``factor_names``.
    images : mapping of int to bytes, optional
        The figures already drawn as SVG, by ``id(figure)`` (:func:`poetq.plots.rendered`).

    Returns
    -------
    str
    """
    from poetq.report.html import render_html

    return render_html(report_blocks(result, title=title, **content), title=title, images=images)


def report_pdf(result, out: str | Path | BinaryIO, *, title: str = "Q analysis", images=None,
               **content) -> None:
    """Write the report as an A4 PDF laid out from :func:`report_html`'s HTML."""
    from poetq.report.html import html_to_pdf

    html_to_pdf(report_html(result, title=title, images=images, **content), out)


def report_docx(
    result, out: str | Path | BinaryIO, *, title: str = "Q analysis", images=None, **content
) -> None:
    """Write the report as a .docx with the same content as :func:`report_html` (``images``:
    the figures already drawn as 300 dpi PNG, by ``id(figure)``)."""
    from poetq.report.word import write_docx

    write_docx(report_blocks(result, title=title, **content), out, title=title, images=images)
