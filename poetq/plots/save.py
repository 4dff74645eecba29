"""Writing figures to files: PNG/TIFF for print at 300 dpi, PDF/EPS with TrueType fonts, SVG
with live text."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np
from matplotlib.figure import Figure

from poetq.errors import ValidationError
from poetq.plots._base import FORMATS
from poetq.plots.style import Style, fonts

RASTER = ("png", "tiff")


def checked_path(path: str | Path) -> Path:
    """``path`` as a Path, or a ValidationError saying why a figure cannot be written there."""
    return _checked(path)[0]


def _checked(path: str | Path) -> tuple[Path, str]:
    """``(path, format)``, or a ValidationError saying why the file cannot be written."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(
            f"cannot write {path.name}: use a .png, .tif, .svg, .pdf or .eps file name"
        )
    if not path.parent.is_dir():
        raise ValidationError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ValidationError(f"cannot write {path}: it is a folder")
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
                 style: Style | None = None) -> list[Path]:
    """Save each ``(figure, path)`` as :func:`save_figure` does; every path is checked
    before anything is drawn.

    PNG and TIFF files are compressed and written on a second thread while the next figure
    is drawn (Pillow's encoders release the GIL), which hides most of their cost.
    """
    checked = [(fig, *_checked(path)) for fig, path in figures]
    pending: list[tuple[Path, Future]] = []
    with ThreadPoolExecutor(max_workers=1) as writer:
        for fig, path, fmt in checked:
            with fonts(style or Style(fonts=_families(fig))):
                if fmt in RASTER:
                    image = _rgb_image(fig, dpi)
                    pending.append((path, writer.submit(_write_image, image, path, fmt, dpi)))
                    continue
                metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
                try:
                    fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
                except OSError as exc:
                    raise _unwritable(path, exc) from None
        for path, done in pending:
            try:
                done.result()
            except OSError as exc:
                raise _unwritable(path, exc) from None
    return [path for _, path, _ in checked]


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


def _families(fig: Figure) -> tuple[str, ...]:
    """The font families the figure's texts were drawn with (kept when saving)."""
    for text in fig.findobj(lambda a: hasattr(a, "get_fontfamily")):
        fam = text.get_fontfamily()
        if fam:
            return tuple(fam)
    return ("DejaVu Sans",)
