"""Figure files: drawn in one pass (the same picture as savefig), RGB as journals ask, every
path checked first, and shared between two processes with the same files as one."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image
from test_heatmap_overview import large  # noqa: F401  (the fixture)

from poetq import plots
from poetq.errors import ValidationError
from poetq.plots import save
from poetq.services.plots import figure_style, make_figures, write_plot


def test_png_and_tiff_are_rgb_and_drawn_as_savefig_draws(tmp_path, large):  # noqa: F811
    style = figure_style(None)
    fig = make_figures(large, "scree", style=style)[0]  # constrained layout
    with plots.fonts(style):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150)
    plots.save_figure(make_figures(large, "scree", style=style)[0], tmp_path / "s.png", dpi=150,
                      style=style)
    with Image.open(buf) as a, Image.open(tmp_path / "s.png") as b:
        assert b.mode == "RGB" and b.info["dpi"] == pytest.approx((150, 150), abs=0.05)
        np.testing.assert_array_equal(np.asarray(a.convert("RGB")), np.asarray(b))
    plots.save_figure(fig, tmp_path / "s.tif", style=style)
    with Image.open(tmp_path / "s.tif") as im:
        assert im.mode == "RGB" and im.info["compression"] == "tiff_lzw"


def test_save_figures_checks_every_path_before_drawing(tmp_path, large):  # noqa: F811
    style = figure_style(None)
    figs = [make_figures(large, kind, style=style)[0] for kind in ("scree", "loadings")]
    with pytest.raises(ValidationError, match="does not exist"):
        plots.save_figures([(figs[0], tmp_path / "a.png"), (figs[1], tmp_path / "no" / "b.png")])
    assert not (tmp_path / "a.png").exists()
    written = plots.save_figures([(figs[0], tmp_path / "a.png"), (figs[1], tmp_path / "b.svg")])
    assert written == [tmp_path / "a.png", tmp_path / "b.svg"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_two_processes_write_the_same_files_as_one(tmp_path, large, monkeypatch):  # noqa: F811
    forks = []
    fork = os.fork

    def counted():
        forks.append(1)
        return fork()

    monkeypatch.setattr(os, "fork", counted)
    style = figure_style(None)
    one, two = tmp_path / "one", tmp_path / "two"
    a = write_plot(large, "all", one, dpi=60, style=style, jobs=1)
    assert forks == []
    b = write_plot(large, "all", two, dpi=60, style=style, jobs=2)
    assert forks == [1]
    assert [p.name for p in a] == [p.name for p in b] and len(a) >= 4
    for x, y in zip(a, b):
        with Image.open(x) as im1, Image.open(y) as im2:
            np.testing.assert_array_equal(np.asarray(im1), np.asarray(im2))


def test_a_failure_in_the_second_process_is_one_error(tmp_path, large, monkeypatch):  # noqa: F811
    parent = os.getpid()
    write = save._write_image

    def fails_in_child(image, out, fmt, dpi):
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        write(image, out, fmt, dpi)

    monkeypatch.setattr(save, "_write_image", fails_in_child)
    style = figure_style(None)
    figs = [make_figures(large, kind, style=style)[0]
            for kind in ("scree", "loadings", "heatmap", "zscores")]
    with pytest.raises(ValidationError, match="cannot write .*: No space left on device"):
        plots.save_figures([(f, tmp_path / f"{i}.png") for i, f in enumerate(figs)], dpi=50,
                           jobs=2)


def test_text_cut_in_either_process_is_one_warning(tmp_path):
    from test_plots import eighty_source

    from poetq.errors import FigureWarning
    from poetq.services.factor_analysis import run_analysis

    src = eighty_source()
    result = run_analysis(src, 3)
    messages = []
    for jobs in (1, 2):
        style = figure_style(src.qset, width="17.5cm")
        with pytest.warns(FigureWarning) as caught:
            write_plot(result, "all", tmp_path / f"j{jobs}", dpi=40, qset=src.qset,
                       show_text=True, layout="cells", style=style, jobs=jobs)
        assert len(caught) == 1
        messages.append(str(caught[0].message))
    assert messages[0] == messages[1] and "statement" in messages[0]


def test_report_figures_drawn_in_two_processes_are_the_same(tmp_path):
    import base64
    import re

    from test_plots import lipset_source

    from poetq.services.factor_analysis import run_analysis
    from poetq.services.plots import write_report

    src = lipset_source()
    result = run_analysis(src, 3)

    def figures(html: str) -> list[str]:
        svgs = [base64.b64decode(m).decode() for m in
                re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]
        return [re.sub(r'(id="|url\(#|href="#)[^")]+', r"\1", s) for s in svgs]  # random ids

    pages = []
    for jobs in (1, 2):
        out = write_report(result, tmp_path / f"r{jobs}.html", source=src, made_on="2026-12-04",
                           jobs=jobs)
        pages.append(out.read_text(encoding="utf-8"))
    one, two = figures(pages[0]), figures(pages[1])
    assert len(one) >= 7 and one == two
