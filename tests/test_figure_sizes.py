"""Figures at journal widths: every text at least 7 pt, nothing outside the figure, pages no
taller than the page, and one warning when text is cut."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from test_plots import eighty_source, lipset_source

from poetq import plots
from poetq.errors import FigureWarning
from poetq.services.factor_analysis import run_analysis, run_bootstrap, run_guidance
from poetq.services.plots import KINDS, figure_style, make_figures

WIDTHS = {"8.5cm": 8.5 / 2.54, "17.5cm": 17.5 / 2.54}


@pytest.fixture(scope="module")
def lipset():
    src = lipset_source()
    return {
        "source": src,
        "result": run_analysis(src, 3),
        "guidance": run_guidance(src, iterations=20),
        "boot": run_bootstrap(src, 3, steps=8, seed=1),
    }


def texts_of(fig):
    """Every visible, non-empty text object of the figure, drawn with Agg."""
    FigureCanvasAgg(fig).draw()
    hidden = set()  # tick labels outside the view limits are not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def check_page(fig, width: float, style) -> None:
    assert fig.get_figwidth() == pytest.approx(width)
    assert fig.get_figheight() <= style.max_height + 1e-6
    box = fig.bbox
    texts = texts_of(fig)
    assert texts
    for t in texts:
        assert t.get_fontsize() >= plots.MIN_PT, (t.get_text()[:40], t.get_fontsize())
        ext = t.get_window_extent()
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, (
            f"{t.get_text()[:40]!r} sticks out sideways"
        )
        assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, f"{t.get_text()[:40]!r} sticks out"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_at_journal_widths(lipset, kind, width):
    src = lipset["source"]
    style = figure_style(src.qset, width=width)
    pages = make_figures(lipset["result"], kind, qset=src.qset, show_text=True,
                         guidance=lipset["guidance"], boot=lipset["boot"], style=style)
    assert not style.cut  # nothing is cut: figures grow and split into pages instead
    for fig in pages:
        check_page(fig, WIDTHS[width], style)


@pytest.mark.parametrize("width", WIDTHS)
def test_eighty_long_statements_go_to_a_key_table_over_pages(width):
    src = eighty_source()
    result = run_analysis(src, 3)
    style = figure_style(src.qset, width=width)
    pages = make_figures(result, "composite", qset=src.qset, show_text=True, style=style)
    assert len(pages) > 1  # ~500-character statements do not fit one page
    keyed = []
    for fig in pages:
        check_page(fig, WIDTHS[width], style)
        keyed += [t.get_gid() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("key:")]
    assert sorted(keyed, key=lambda g: int(g[4:])) == [f"key:{n}" for n in range(1, 81)]
    # the z-score chart keeps every label whole too, over as many pages as it needs
    pages = make_figures(result, "zscores", qset=src.qset, style=style)
    labels = []
    for fig in pages:
        check_page(fig, WIDTHS[width], style)
        labels += ["".join(t.get_text().split()) for t in fig.axes[0].get_yticklabels()]
    whole = {f"{src.qset.number(st.id)}." + "".join(st.text.split()) for st in src.qset.statements}
    assert len(labels) == 12 and set(labels) <= whole  # (long words break between lines)
    assert not style.cut


def test_eighty_statements_cut_in_cells_warn_once_in_one_line():
    src = eighty_source()
    result = run_analysis(src, 3)
    style = figure_style(src.qset, width="17.5cm")
    with pytest.warns(FigureWarning) as caught:
        with plots.warn_cuts(style):
            make_figures(
                result, "composite", qset=src.qset, show_text=True, layout="cells", style=style
            )
    assert len(caught) == 1 and "\n" not in str(caught[0].message)
    assert "text was cut" in str(caught[0].message)


def test_tall_heatmap_is_split_into_pages():
    from poetq.domain import Grid, SortsTable
    from poetq.services.factor_analysis import Source
    from poetq.simulate import simulate_sorts

    grid = Grid.symmetric([2, 3, 4, 5, 6, 5, 4, 3, 2])
    sim = simulate_sorts(grid, 120, n_viewpoints=3, seed=4)
    src = Source(
        SortsTable(tuple(f"s{i}" for i in range(grid.size)), sim.sort_ids, sim.values), "big", None
    )
    result = run_analysis(src, 3)
    style = figure_style(None, width="17.5cm")
    pages = make_figures(result, "heatmap", style=style)
    assert len(pages) >= 2
    labels = []
    for fig in pages:
        check_page(fig, WIDTHS["17.5cm"], style)
        labels += [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == list(result.sort_ids)


def test_options_font_size_no_title_and_factor_names(lipset):
    style = figure_style(
        None, width="17.5cm", font_size=9, title=False, factor_names="Ideal,Efficient,Local"
    )
    (fig,) = make_figures(lipset["result"], "loadings", pair=(1, 3), style=style)
    texts = [t.get_text() for t in texts_of(fig)]
    assert "loading on Ideal" in texts and "loading on Local" in texts
    assert not any(t.startswith("Loadings on") for t in texts)
    assert min(t.get_fontsize() for t in texts_of(fig)) >= 8
    with pytest.raises(Exception, match="font-size must be 7 to 30"):
        figure_style(None, font_size=6)
    with pytest.raises(Exception, match="number and a unit"):
        figure_style(None, width="85")


def test_print_formats(tmp_path, lipset):
    """PNG at 300 dpi by default, TIFF, PDF and EPS with TrueType fonts (no Type 3), SVG with
    live text."""
    import shutil
    import subprocess
    import xml.etree.ElementTree as ET

    from PIL import Image

    from poetq.services.plots import write_plot

    result, qset = lipset["result"], lipset["source"].qset
    paths = {ext: write_plot(result, "composite", tmp_path / f"c.{ext}", qset=qset)[0]
             for ext in ("png", "tif", "svg", "pdf", "eps")}
    with Image.open(paths["png"]) as im:  # RGB: journals' checks refuse an alpha channel
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01) and im.mode == "RGB"
    with Image.open(paths["tif"]) as im:
        assert im.format == "TIFF" and im.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert im.mode == "RGB"
    root = ET.fromstring(paths["svg"].read_bytes())
    texts = ["".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text")]
    assert "Factor 1: composite Q-sort" in texts and len(texts) > 33
    eps = paths["eps"].read_text(encoding="latin-1")
    assert "/FontType 42 def" in eps and "/FontType 3 def" not in eps
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: ./run-tests.sh installs Debian's poppler-utils")
    out = subprocess.run(
        ["pdffonts", str(paths["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    types = [line[37:55].strip() for line in out.splitlines()[2:]]
    assert types and all("TrueType" in t for t in types), out
