"""Writing figures to files: PNG/TIFF for print at 300 dpi, PDF/EPS with TrueType fonts, SVG
with live text."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np
from matplotlib.figure import Figure

from poetq.errors import ValidationError
from poetq.plots._base import FORMATS
from poetq.plots.processes import map_shared
from poetq.plots.style import Style, fonts

RASTER = ("png", "tiff")


def checked_path(path: str | Path) -> Path:
    """``path`` as a Path, or a ValidationError saying why a figure cannot be written there."""
    return _checked(path)[0]


def writable(path: str | Path, suffixes: Sequence[str], use: str) -> Path:
    """``path`` as a Path when a file ending in one of ``suffixes`` (".png", ...) can be
    written there, else a ValidationError saying why; ``use`` names the right file names
    ("a .png or .svg file name")."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ValidationError(f"cannot write {path.name}: use {use}")
    if not path.parent.is_dir():
        raise ValidationError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ValidationError(f"cannot write {path}: it is a folder")
    return path


def _checked(path: str | Path) -> tuple[Path, str]:
    """``(path, format)``, or a ValidationError saying why the file cannot be written."""
    path = writable(path, [f".{f}" for f in FORMATS], "a .png, .tif, .svg, .pdf or .eps file name")
    fmt = path.suffix.lower().lstrip(".")
    return path, "tiff" if fmt == "tif" else fmt


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300, style: Style | None = None
                ) -> Path:
    """Save ``fig``; the format comes from the extension (see :data:`FORMATS`).

    PNG and TIFF at ``dpi`` (default 300, print resolution), RGB (no alpha channel); PDF and
    EPS with TrueType (Type 42) fonts, never Type 3; SVG with its text as live, editable
    ``<text>``.

    Raises
    ------
    ValidationError
        For another extension, a missing folder or a file that cannot be written.
    """
    return save_figures([(fig, path)], dpi=dpi, style=style)[0]


def save_figures(figures: Sequence[tuple[Figure, str | Path]], *, dpi: int = 300,
                 style: Style | None = None, jobs: int = 1,
                 writer: Callable[..., None] | None = None) -> list[Path]:
    """Save each ``(figure, path)`` as :func:`save_figure` does; every path is checked
    before anything is drawn.

    PNG and TIFF files are compressed and written on a second thread while the next figure
    is drawn (:func:`file_writer`; ``writer`` is one already open). ``jobs=2`` shares the
    figures between this process and a forked child (:func:`~poetq.plots.processes.map_shared`:
    for a command line, not a threaded web server).

    Raises
    ------
    ValidationError
        For a path :func:`save_figure` refuses, or a file that cannot be written.
    """
    checked = [(fig, *_checked(path)) for fig, path in figures]
    if writer is not None:
        for fig, path, fmt in checked:
            _draw(fig, path, fmt, dpi, style, writer)
        return [path for _, path, _ in checked]
    # the costliest first, so that the two processes finish together
    order = sorted(checked, key=lambda item: -_cost(item[0]))

    def work(i: int, write) -> None:
        _draw(*order[i], dpi, style, write)

    map_shared(work, len(order), jobs=jobs, context=file_writer)
    return [path for _, path, _ in checked]


def _cost(fig: Figure) -> float:
    """A rough drawing cost: the figure's artists and its area at print size."""
    return len(fig.findobj()) + 20 * fig.get_figwidth() * fig.get_figheight()


@contextlib.contextmanager
def file_writer() -> Iterator[Callable[..., None]]:
    """``write(image, path, fmt, dpi)`` that compresses and writes an image on a second thread
    while the next figure is drawn (Pillow's encoders release the GIL); on leaving, every
    file is written or a ValidationError says which could not be."""
    pending: list[tuple[Path, Future]] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield lambda image, path, fmt, dpi: pending.append(
            (path, pool.submit(_write_image, image, path, fmt, dpi)))
    for path, done in pending:
        try:
            done.result()
        except OSError as exc:
            raise _unwritable(path, exc) from None


def _draw(fig: Figure, path: Path, fmt: str, dpi: int, style: Style | None, write) -> None:
    with fonts(style or Style(fonts=_families(fig))):
        if fmt in RASTER:
            write(_rgb_image(fig, dpi), path, fmt, dpi)
            return
        try:
            if fmt == "svg":
                write_svg(fig, path)
            else:
                fig.savefig(path, format=fmt, dpi=dpi,
                            metadata={"pdf": {"CreationDate": None}}.get(fmt))
        except OSError as exc:
            raise _unwritable(path, exc) from None


def _unwritable(path: Path, exc: OSError) -> ValidationError:
    return ValidationError(f"cannot write {path}: {exc.strerror or exc}")


def _rgb_image(fig: Figure, dpi: int):
    """``fig`` drawn at ``dpi`` as an RGB Pillow image, in one pass.

    Drawn straight on an Agg canvas, the layout engine runs inside that one draw (``savefig``
    draws twice: once to lay out, once to paint). RGB because journals' figure checks refuse
    an alpha channel (the figure is opaque anyway).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    before = fig.dpi
    fig.set_dpi(dpi)
    try:
        canvas.draw()
        return Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    finally:
        fig.set_dpi(before)


def _write_image(image, out: str | Path | BinaryIO, fmt: str, dpi: int) -> None:
    from PIL import Image

    if fmt == "png":  # zlib's run-length strategy: figures' flat colour, in half the time
        image.save(out, format="png", dpi=(dpi, dpi), compress_type=Image.RLE)
    else:
        image.save(out, format="tiff", dpi=(dpi, dpi), compression="tiff_lzw")


def write_raster(fig: Figure, out: str | Path | BinaryIO, *, fmt: str = "png",
                 dpi: int = 300) -> None:
    """Write ``fig`` to a file or stream as an RGB ``png`` or LZW ``tiff`` at ``dpi`` (inside
    :func:`~poetq.plots.style.fonts`, as :func:`save_figure` does)."""
    _write_image(_rgb_image(fig, dpi), out, fmt, dpi)


def write_svg(fig: Figure, out: str | Path | BinaryIO) -> None:
    """Write ``fig`` as SVG (live ``<text>`` inside :func:`~poetq.plots.style.fonts`, no date),
    drawn in one pass like :func:`write_raster`."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig).print_svg(out, metadata={"Date": None})


def figure_bytes(fig: Figure, fmt: str = "svg", *, dpi: int = 300) -> bytes:
    """``fig`` as SVG (live text) or RGB PNG bytes, drawn with the fonts it was made with."""
    import io

    buf = io.BytesIO()
    with fonts(Style(fonts=_families(fig))):
        if fmt == "svg":
            write_svg(fig, buf)
        else:
            write_raster(fig, buf, fmt=fmt, dpi=dpi)
    return buf.getvalue()


def rendered(figures: Sequence[Figure], fmt: str = "svg", *, dpi: int = 300, jobs: int = 1
             ) -> dict[int, bytes]:
    """:func:`figure_bytes` of every figure, by ``id(figure)``, drawn in ``jobs`` processes
    (see :func:`~poetq.plots.processes.map_shared`), the costliest first."""
    order = sorted(figures, key=lambda fig: -_cost(fig))
    done = map_shared(lambda i, _: figure_bytes(order[i], fmt, dpi=dpi), len(order), jobs=jobs)
    return {id(fig): data for fig, data in zip(order, done)}


def _families(fig: Figure) -> tuple[str, ...]:
    """The font families the figure's texts were drawn with (kept when saving)."""
    for text in fig.findobj(lambda a: hasattr(a, "get_fontfamily")):
        fam = text.get_fontfamily()
        if fam:
            return tuple(fam)
    return ("DejaVu Sans",)
