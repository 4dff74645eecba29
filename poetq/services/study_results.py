"""A study's analysis as the researchers' web pages use it, built on the CLI's own services.

The numbers are those of ``poetq analyse SLUG --json`` for the same options
(:func:`poetq.services.factor_analysis.run_analysis` on the same sorts and
:class:`poetq.analysis.AnalysisOptions`, judgmental rotations included). Downloads
(figures, report, workbook, sorts) are written
by the same functions as ``poetq plot``, ``poetq report`` and ``poetq export`` into a
temporary folder and returned as bytes.
"""

from __future__ import annotations

import base64
import io
import logging
import queue
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from poetq.analysis import AnalysisResult, FactorGuidance
from poetq.errors import PoetqError, ValidationError
from poetq.formats import registry
from poetq.report import CribSheet, crib_sheet
from poetq.services import exchange, plots
from poetq.services.factor_analysis import (
    Source,
    result_json,
    run_bootstrap,
    write_bootstrap_files,
)
from poetq.services.participants import answers_by_factor

#: Media types of the files the web serves.
MEDIA_TYPES = {
    ".png": "image/png", ".svg": "image/svg+xml", ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8",
    ".json": "application/json", ".zip": "application/zip", ".dat": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def crib_sheets(result: AnalysisResult, source: Source) -> list[tuple[int, CribSheet | None]]:
    """Each factor (1-based) with its crib sheet, ``None`` for a factor that defines no sort."""
    return [
        (f + 1, None if f in result.empty_factors else crib_sheet(result, f + 1, qset=source.qset))
        for f in range(result.n_factors)
    ]


@dataclass(frozen=True)
class Download:
    filename: str
    data: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(Path(self.filename).suffix.lower(), "application/octet-stream")


def figure(
    result: AnalysisResult,
    source: Source,
    kind: str,
    fmt: str,
    *,
    factor: int | None = None,
    pair: tuple[int, int] = (1, 2),
    guidance: FactorGuidance | None = None,
    show_text: bool = False,
    dpi: int = 150,
) -> Download:
    """One figure as ``poetq plot --kind KIND --out FIGURE.FMT`` writes it."""
    plots.check_kind(kind)
    if kind in ("all", "bootstrap"):
        raise ValidationError(f"the {kind} figure is not drawn here: use poetq plot")
    if fmt not in ("png", "svg", "pdf"):
        raise ValidationError(f"unknown figure format {fmt!r}: use png, svg or pdf")
    if kind == "composite" and factor is None:
        defined = [f + 1 for f in range(result.n_factors) if f not in result.empty_factors]
        factor = defined[0] if defined else None
    stem = plots.figure_specs(result, kind, factor=factor, pair=pair)[0].name
    name = f"{source.name}-{stem}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="poetq-") as tmp:
        path = Path(tmp) / name
        # one file for the browser: a tall figure stays whole rather than split into pages
        style = plots.figure_style(source.qset, max_height=200.0)
        plots.write_plot(result, kind, path, dpi=dpi, fmt=fmt, factor=factor, pair=pair,
                         qset=source.qset,
                         show_text=show_text and (source.qset is not None or kind == "loadings"),
                         guidance=guidance, style=style)
        return Download(name, path.read_bytes())


def report(result: AnalysisResult, source: Source, *, guidance: FactorGuidance | None = None,
           made_on: str | None = None) -> Download:
    """The HTML report, as ``poetq report SLUG --out report.html`` writes it."""
    name = f"{source.name}-report.html"
    with tempfile.TemporaryDirectory(prefix="poetq-") as tmp:
        path = plots.write_report(result, Path(tmp) / name, source=source, guidance=guidance,
                                  made_on=made_on)
        return Download(name, path.read_bytes())


def workbook(result: AnalysisResult, source: Source) -> Download:
    """The results workbook (.xlsx) of :func:`poetq.services.exchange.write_workbook`."""
    name = f"{source.name}-results.xlsx"
    with tempfile.TemporaryDirectory(prefix="poetq-") as tmp:
        path = exchange.write_workbook(result, Path(tmp) / name, source.qset,
                                       participants=source.participants)
        return Download(name, path.read_bytes())


#: Most bootstrap samples the browser runs within one request.
MAX_WEB_STEPS = 2000


def check_web_steps(steps: int) -> None:
    if not 2 <= steps <= MAX_WEB_STEPS:
        raise ValidationError(f"bootstrap samples: give a whole number from 2 to {MAX_WEB_STEPS}")


def bootstrap_download(source: Source, options, *, steps: int, seed: int,
                       progress: Callable[[int], None] | None = None) -> Download:
    """A zip of qmboots' summary files (``poetq bootstrap --out``) for ``options``, with a
    summary.txt saying how many samples were kept."""
    check_web_steps(steps)
    boot = run_bootstrap(source, options, steps=steps, seed=seed, progress=progress)
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="poetq-") as tmp, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in write_bootstrap_files(boot, Path(tmp)):
            zf.write(path, path.name)
        zf.writestr(
            "summary.txt",
            (
                f"poetq bootstrap of {source.name}: {options.describe()}\n"
                f"{boot.steps} samples (seed {seed}), {boot.valid_steps} kept, "
                f"{boot.order_errors} dropped (factors not told apart, as qmboots), "
                f"{boot.failed} with a flagged loading of 1 or more.\n"
                "Files as R's write.csv writes qmboots' objects: zscore-stats_factorF.csv, "
                "loa.stats_factorF.csv, qmb.summary_qsorts.csv, qmb.summary_statements.csv, "
                "resamples.csv.\n"
            ),
        )
    return Download(f"{source.name}-bootstrap.zip", buf.getvalue())


def bootstrap_progress_lines(source: Source, options, *, steps: int, seed: int) -> Iterator[str]:
    """The bootstrap of :func:`bootstrap_download` as lines a page can show while it runs:
    ``steps N``, then ``step I`` after each sample, then ``zip <base64 of the zip>`` (or
    ``error <message>``). The work runs in a thread; nothing is kept once the lines are read."""
    check_web_steps(steps)  # before any line: a bad request is still a plain 400
    return _progress_lines(source, options, steps, seed)


def _progress_lines(source: Source, options, steps: int, seed: int) -> Iterator[str]:
    lines: queue.Queue[tuple[str, object]] = queue.Queue()

    def work() -> None:
        try:
            done = bootstrap_download(source, options, steps=steps, seed=seed,
                                      progress=lambda i: lines.put(("step", i)))
            lines.put(("zip", done))
        except PoetqError as exc:
            lines.put(("error", " ".join(getattr(exc, "problems", [str(exc)]))))
        except Exception:  # noqa: BLE001 - the page says so; the server log has the details
            logging.getLogger("poetq.web").exception("bootstrap failed")
            lines.put(("error", "the bootstrap failed on the server"))

    threading.Thread(target=work, name="poetq-bootstrap", daemon=True).start()
    yield f"steps {steps}\n"
    while True:
        kind, value = lines.get()
        if kind == "step":
            yield f"step {value}\n"
        elif kind == "zip":
            yield "zip " + base64.b64encode(value.data).decode("ascii") + "\n"
            return
        else:
            yield f"error {value}\n"
            return


def result_download(result: AnalysisResult, source: Source) -> Download:
    """The result as ``poetq analyse --json`` prints it."""
    return Download(f"{source.name}-analysis.json", result_json(result).encode("utf-8"))


def export_formats() -> list[tuple[str, str]]:
    """``(name, description)`` of every format a study's sorts can be exported in."""
    return [(name, registry.FORMATS[name].description) for name in exchange.FORMATS]


def export(session: Session, slug: str, fmt: str) -> Download:
    """A study's sorts in an export format (``poetq export``); formats that write several
    files (PQMethod's .DAT and .STA) come as one zip."""
    spec = registry.get_format(fmt)
    suffix = spec.extensions[0]
    name = f"{slug}-{fmt}{suffix}" if fmt in ("kenq-csv", "htmlq") else f"{slug}{suffix}"
    with tempfile.TemporaryDirectory(prefix="poetq-") as tmp:
        folder = Path(tmp) / "out"
        folder.mkdir()
        exchange.export_study(session, slug, folder / name, fmt)
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if len(files) == 1:
            return Download(name, files[0].read_bytes())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in files:
                zf.write(p, p.name)
        return Download(f"{slug}-{fmt}.zip", buf.getvalue())


def participants_download(session: Session, slug: str, fmt: str, *,
                          include_unfinished: bool = False) -> Download:
    """The participants table as ``poetq export SLUG --format participants`` writes it."""
    name = f"{slug}-participants{'-all' if include_unfinished else ''}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="poetq-") as tmp:
        path = Path(tmp) / name
        exchange.export_participants(session, slug, path, include_unfinished=include_unfinished)
        return Download(name, path.read_bytes())


def answer_tallies(result: AnalysisResult, source: Source) -> list:
    """The post-sort answers of each factor's defining sorts (empty without questions)."""
    if source.qset is None or source.participants is None or not source.qset.questions:
        return []
    return answers_by_factor(source.qset, source.participants, result)
