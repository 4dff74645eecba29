"""Figures render to valid, non-blank PNG/SVG/PDF files and draw exactly the study's grid."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from tests_helpers import ROOT, STATEMENTS

from poetq import plots
from poetq.analysis import analyse
from poetq.domain import Grid, QSet, SortsTable, Statement
from poetq.errors import FigureWarning, ValidationError
from poetq.formats.sorts_csv import read_sorts_csv
from poetq.qsets import load_qset
from poetq.services.factor_analysis import Source, run_analysis, run_bootstrap, run_guidance
from poetq.services.plots import (
    KINDS,
    figure_specs,
    make_figure,
    most_different,
    with_statements,
    write_plot,
)
from poetq.simulate import simulate_sorts

LIPSET = ROOT / "tests" / "data" / "lipset" / "sorts.csv"
LONG = ("Commissioners should always involve the people who use services and their carers in "
        "every decision about services, budgets and contracts, without exception ")


def _study(src: Source, k: int = 3) -> dict:
    return {
        "source": src,
        "result": run_analysis(src, k),
        "guidance": run_guidance(src, iterations=20),
        "boot": run_bootstrap(src, k, steps=8, seed=1),
    }


def lipset_source() -> Source:
    return Source(read_sorts_csv(LIPSET), "sorts.csv", load_qset(STATEMENTS / "lipset.toml"))


def joint_commissioning_source() -> Source:
    qset = load_qset(STATEMENTS / "joint-commissioning.toml")
    sim = simulate_sorts(qset.grid, 30, n_viewpoints=3, seed=3)
    return Source(SortsTable(qset.statement_ids, sim.sort_ids, sim.values), "jc", qset)


def eighty_source() -> Source:
    """80 statements on an 11-column grid (up to 18 high), texts up to ~500 characters."""
    grid = Grid.symmetric(
        [3, 4, 6, 8, 10, 18, 10, 8, 6, 4, 3],
        labels=("Strongly disagree with this statement", "Strongly agree with it"),
    )
    qset = QSet(slug="big", title="Big", grid=grid, statements=tuple(
        Statement(f"s{i}", (LONG * 4)[: 30 + 6 * i] + " supercalifragilisticexpialidocious")
        for i in range(80)))
    sim = simulate_sorts(grid, 40, n_viewpoints=3, seed=2)
    return Source(SortsTable(qset.statement_ids, sim.sort_ids, sim.values), "big", qset)


SOURCES = {"lipset": lipset_source, "joint-commissioning": joint_commissioning_source,
           "eighty": eighty_source}


@pytest.fixture(scope="module", params=list(SOURCES))
def study(request):
    return _study(SOURCES[request.param]())


@pytest.fixture(scope="module")
def lipset():
    return _study(lipset_source())


def check_file(path: Path) -> None:
    """A real, non-blank image file of the type its extension says."""
    data = path.read_bytes()
    assert len(data) > 2000, path
    if path.suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = mpimg.imread(path)
        assert pixels.ndim == 3 and pixels.std() > 0.03, f"{path} looks blank"
        assert (pixels[..., :3].reshape(-1, 3) < 0.5).any(axis=1).mean() > 0.002, (
            f"{path} has no ink"
        )
    elif path.suffix == ".svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert sum(1 for el in root.iter() if el.tag.endswith(("path", "use", "text"))) > 10, (
            f"{path} is empty"
        )
    else:
        assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") >= 1
        assert data.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_every_figure_renders(tmp_path, study, ext):
    result, qset = study["result"], study["source"].qset
    options = {"qset": qset, "guidance": study["guidance"], "boot": study["boot"], "dpi": 50}
    for kind in KINDS:
        for path in write_plot(result, kind, tmp_path / f"{kind}.{ext}", **options):
            check_file(path)
    for path in write_plot(
        result, "composite", tmp_path / f"text.{ext}", show_text=True, **options
    ):
        check_file(path)


def test_all_writes_one_file_per_figure(tmp_path, lipset):
    result = lipset["result"]
    files = write_plot(result, "all", tmp_path / "lipset.svg", guidance=lipset["guidance"], dpi=50)
    names = [f.name for f in files]
    assert names == [
        "lipset-composite-f1.svg",
        "lipset-composite-f2.svg",
        "lipset-composite-f3.svg",
        "lipset-loadings-f1-f2.svg",
        "lipset-heatmap.svg",
        "lipset-scree.svg",
        "lipset-zscores.svg",
    ]
    for f in files:
        check_file(f)
    folder = tmp_path / "figures"
    files = write_plot(result, "all", folder, fmt="pdf", boot=lipset["boot"], dpi=50)
    assert [f.parent for f in files] == [folder] * 10 and files[-1].name == "bootstrap-f3.pdf"
    for f in files:
        check_file(f)


def _cells(ax) -> list:
    return [p for p in ax.patches if (p.get_gid() or "").startswith("cell:")]


@pytest.mark.parametrize("show_text", [False, True])
def test_composite_has_exactly_the_grid_cells_and_each_statement_in_its_column(study, show_text):
    result, qset = study["result"], study["source"].qset
    grid = qset.grid
    for factor in range(1, result.n_factors + 1):
        if factor - 1 in result.empty_factors:
            continue
        ax = plots.composite(result, factor, qset=qset, show_text=show_text)
        cells = _cells(ax)
        assert Counter(p.get_gid() for p in cells) == {
            f"cell:{v}": c for v, c in zip(grid.values, grid.counts)
        }
        numbers = {t.get_gid()[len("statement:"):]: t for t in ax.texts
                   if (t.get_gid() or "").startswith("statement:")}
        assert set(numbers) == set(result.statement_ids)
        # every statement sits inside a cell of the column its factor array gives it
        for i, sid in enumerate(result.statement_ids):
            x, y = numbers[sid].get_position()
            home = [p for p in cells if p.contains_point(ax.transData.transform((x, y)))]
            assert len(home) == 1, sid
            assert home[0].get_gid() == f"cell:{int(result.factor_arrays[i, factor - 1])}"
            label = numbers[sid].get_text().rstrip("".join(plots.SYMBOLS.values()))
            assert int(label) == qset.number(sid)


def _inside(inner, outer, slack: float = 0.5) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack
            and inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def test_long_text_wraps_inside_its_cell_on_an_eighty_statement_grid():
    src = eighty_source()
    result = run_analysis(src, 3)
    style = plots.Style()
    with pytest.warns(FigureWarning, match="text was cut"), plots.warn_cuts(style):
        ax = plots.composite(result, 1, qset=src.qset, show_text=True, layout="cells", style=style)
    fig = ax.figure
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    cells = _cells(ax)
    assert len(cells) == 80
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        assert _inside(box, fig.bbox), f"clipped: {text.get_text()[:40]!r}"
        gid = text.get_gid() or ""
        if gid.startswith(("statement:", "text:")):
            x, y = ax.transData.transform(text.get_position())
            (cell,) = [p for p in cells if p.contains_point((x, y))]
            assert _inside(box, cell.get_window_extent(renderer)), f"overflows its cell: {gid}"
    legend = [t.get_window_extent(renderer) for t in ax.texts if "consensus:" in t.get_text()]
    assert legend and _inside(legend[0], fig.bbox)
    assert all(not legend[0].overlaps(p.get_window_extent(renderer)) for p in cells)
    # long texts are cut with an ellipsis, short ones are whole
    bodies = {
        t.get_gid()[5:]: t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("text:")
    }
    assert bodies["s79"].endswith("…") and "".join(bodies["s0"].split()) == "".join(
        src.qset.statements[0].text.split()
    )


def test_other_figures_keep_their_text_inside_the_figure(study):
    result, qset = study["result"], study["source"].qset
    for kind in ("loadings", "heatmap", "scree", "zscores", "bootstrap"):
        fig = make_figure(result, kind, qset=qset, guidance=study["guidance"], boot=study["boot"])
        FigureCanvasAgg(fig).draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:  # everything drawn: tick labels, titles, legends, colour bars
            assert _inside(ax.get_tightbbox(renderer), fig.bbox, slack=2), (kind, ax)


def test_draw_composite_from_plain_values():
    cells = {-1: [plots.Cell("a", 1, "first", "lower01")],
             0: [plots.Cell("b", 2), plots.Cell("c", 3, mark="consensus")],
             1: [plots.Cell("d", 4, mark="higher05")]}
    ax = plots.draw_composite((-1, 0, 1), (1, 2, 1), cells, title="Plain")
    assert Counter(p.get_gid() for p in _cells(ax)) == {"cell:-1": 1, "cell:0": 2, "cell:1": 1}
    labels = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert labels == {
        "statement:a": "1▼",
        "statement:b": "2",
        "statement:c": "3●",
        "statement:d": "4△",
    }
    with pytest.raises(ValidationError, match="column 0 has 3 statements, the grid allows 2"):
        plots.draw_composite((-1, 0, 1), (1, 2, 1), {0: [plots.Cell(x, 1) for x in "xyz"]})


def test_distinguishing_marks_agree_with_the_z_scores(lipset):
    result = lipset["result"]
    z = np.asarray(result.zscores)
    for factor in (1, 2, 3):
        marks = plots.distinguishing_marks(result, factor)
        others = [g for g in range(3) if g != factor - 1]
        for i, mark in marks.items():
            if mark == "consensus":
                assert result.qdc_labels[i] == "Consensus"
            elif mark.startswith("higher"):
                assert all(z[i, factor - 1] > z[i, g] for g in others)
            elif mark.startswith("lower"):
                assert all(z[i, factor - 1] < z[i, g] for g in others)
            else:
                assert mark.startswith("differs")
        assert any(m.startswith(("higher", "lower")) for m in marks.values())
    consensus = {i for i, lab in enumerate(result.qdc_labels) if lab == "Consensus"}
    assert consensus == {
        i for i, m in plots.distinguishing_marks(result, 1).items() if m == "consensus"
    }


def test_lipset_factor_3_composite_marks_statements_1_7_and_19(lipset):
    """qmethod labels them "Distinguishes all" (significant against f1 and f2, in mixed
    directions): the composite marks them, without an arrow."""
    ax = plots.composite(lipset["result"], 3, qset=lipset["source"].qset)
    labels = {
        t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("statement:")
    }
    for sid in ("sta_1", "sta_7", "sta_19"):
        assert labels[f"statement:{sid}"][-1] in (
            plots.SYMBOLS["differs01"],
            plots.SYMBOLS["differs05"],
        )


def test_plots_draw_on_a_given_axes(lipset):
    result = lipset["result"]
    fig = Figure(figsize=(12, 8))
    axes = fig.subplots(2, 3)
    drawn = [
        plots.composite(result, 1, ax=axes[0, 0]),
        plots.loadings_pair(result, 1, 3, ax=axes[0, 1]),
        plots.loadings_heatmap(result, ax=axes[0, 2]),
        plots.scree(result, guidance=lipset["guidance"], ax=axes[1, 0]),
        plots.zscore_comparison(result, ["sta_1", "sta_2"], ax=axes[1, 1]),
        plots.bootstrap_intervals(lipset["boot"], 2, ax=axes[1, 2]),
    ]
    assert drawn == list(axes.flat)
    assert len(fig.axes) == 7  # six panels and the heat map's colour bar


def test_plots_compute_nothing_and_never_use_pyplot():
    for path in sorted((ROOT / "poetq" / "plots").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            bad = [
                n
                for n in names
                if "pyplot" in n
                or n.startswith(("poetq.services", "poetq.cli", "poetq.web", "poetq.store"))
            ]
            assert not bad, f"{path.name} imports {bad}"


def test_zscore_default_is_the_statements_that_differ_most(lipset):
    result = lipset["result"]
    chosen = most_different(result, 5)
    z = np.asarray(result.zscores)
    spread = z.max(axis=1) - z.min(axis=1)
    assert [result.statement_ids.index(s) for s in chosen] == list(
        np.argsort(-spread, kind="stable")[:5]
    )
    ax = plots.zscore_comparison(result, chosen, qset=lipset["source"].qset)
    assert len(ax.patches) == 5 * 3
    assert (
        ax.get_yticklabels()[0]
        .get_text()
        .startswith(f"{lipset['source'].qset.number(chosen[0])}. ")
    )


def test_a_factor_that_defines_no_sort(lipset):
    src = lipset["source"]
    flags = np.zeros((9, 3), dtype=bool)
    flags[[2, 3], 0] = True
    flags[[0, 1, 7], 1] = True
    result = analyse(src.table.values, 3, flags=flags, sort_ids=src.table.sort_ids,
                     statement_ids=src.table.statement_ids)
    assert result.empty_factors == (2,)
    assert [s.name for s in figure_specs(result)][:3] == [
        "composite-f1",
        "composite-f2",
        "loadings-f1-f2",
    ]
    with pytest.raises(ValidationError, match="factor 3 defines no sort"):
        make_figure(result, "composite", factor=3)
    ax = plots.zscore_comparison(result, qset=src.qset)
    assert "f3 (defines no sort)" in [t.get_text() for t in ax.figure.legends[0].get_texts()]


def test_bad_requests(tmp_path, lipset):
    result, src = lipset["result"], lipset["source"]
    cases = [
        (lambda: make_figure(result, "composite", factor=7), "there is no factor 7: choose 1 to 3"),
        (lambda: make_figure(result, "composite", factor=0), "there is no factor 0"),
        (lambda: make_figure(result, "loadings", pair=(1, 4)), "there is no factor 4"),
        (lambda: make_figure(result, "loadings", pair=(2, 2)), "two different factors"),
        (lambda: make_figure(result, "pie"), "unknown kind of plot 'pie'"),
        (lambda: make_figure(result, "bootstrap"), "needs a bootstrap run"),
        (lambda: make_figure(result, "composite", show_text=True), "needs the Q-set"),
        (lambda: plots.zscore_comparison(result, ["nope"]), "no statement 'nope'"),
        (lambda: write_plot(result, "scree", tmp_path / "x.gif"), ".png, .tif, .svg, .pdf or .eps"),
        (lambda: write_plot(result, "scree", tmp_path / "no" / "x.png"), "does not exist"),
        (lambda: write_plot(result, "scree", tmp_path), "use a .png, .tif, .svg, .pdf or .eps"),
        (lambda: write_plot(result, "scree", tmp_path / "dir.png"), "it is a folder"),
        (lambda: write_plot(result, "all", tmp_path / "no" / "deeper"), "does not exist"),
        (lambda: write_plot(result, "all", tmp_path, fmt="gif"), "unknown figure format"),
    ]
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir.png").mkdir()
    cases.append((lambda: write_plot(result, "all", tmp_path / "file"), "is a file, not a folder"))
    for call, message in cases:
        with pytest.raises(ValidationError, match=message):
            call()
    other = tmp_path / "other.toml"
    other.write_text((STATEMENTS / "joint-commissioning.toml").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError, match="does not match the sorts"):
        with_statements(src, other)
    with pytest.raises(ValidationError, match="use --select 1,5"):
        with_statements(src, "1,5")
