"""Statements in Japanese: drawn with an installed CJK font (found with fontconfig), wrapped
by character width, at most one warning."""

from __future__ import annotations

import shutil
import subprocess
import warnings

import pytest

from poetq.domain import Grid, QSet, SortsTable, Statement
from poetq.errors import FigureWarning
from poetq.plots import style as style_module
from poetq.services.factor_analysis import Source, run_analysis
from poetq.services.plots import figure_style, write_plot
from poetq.simulate import simulate_sorts

JAPANESE = ["地域の医療と福祉は一緒に計画されるべきだ。", "予算を共有すると責任があいまいになる。",
            "利用者と家族はすべての決定に参加するべきだ。", "共同委託は時間と費用がかかりすぎる。",
            "現場の職員の声がもっと聞かれるべきだ。", "成果を測る指標は共通であるべきだ。"]


def japanese_source() -> Source:
    grid = Grid.symmetric([2, 3, 4, 5, 4, 3, 2], labels=("まったくそう思わない", "とてもそう思う"))
    statements = tuple(
        Statement(f"s{i}", f"{JAPANESE[i % 6]}（{i + 1}）" * (1 + i % 3)) for i in range(grid.size)
    )
    qset = QSet(slug="ja", title="共同委託についての見方", grid=grid, statements=statements)
    sim = simulate_sorts(grid, 24, n_viewpoints=2, seed=5)
    return Source(SortsTable(qset.statement_ids, sim.sort_ids, sim.values), "ja", qset)


def test_japanese_composite_uses_a_cjk_font_and_warns_at_most_once(tmp_path):
    if not subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout.strip():
        pytest.fail("no Japanese font installed: ./run-tests.sh installs Debian's fonts-noto-cjk")
    src = japanese_source()
    result = run_analysis(src, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        style = figure_style(src.qset, width="17.5cm")
        (pdf,) = write_plot(result, "composite", tmp_path / "ja.pdf", qset=src.qset, show_text=True,
                            layout="cells", style=style)
    assert len(caught) <= 1, [str(w.message) for w in caught]
    assert len(style.fonts) == 2  # DejaVu Sans for Latin and symbols, a CJK font for the rest
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    cjk = style.fonts[1].replace(" ", "")
    assert any(cjk.lower()[:10] in line.replace(" ", "").lower() or "cjk" in line.lower()
               for line in fonts.splitlines()[2:]), fonts
    assert "Type 3" not in fonts


def test_cjk_text_wraps_by_character_width():
    lines, cut = style_module.wrap("利用者と家族はすべての決定に参加するべきだ。" * 2, 1.0, 8)
    assert not cut and len(lines) >= 4
    assert all(style_module.text_em(line) <= 1.0 * 72 / 8 + 1 for line in lines)
    assert not any(line.startswith("。") for line in lines)


def test_no_font_for_the_script_gives_one_line_naming_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(style_module, "_fc_candidates", lambda charset: ())
    src = japanese_source()
    result = run_analysis(src, 2)
    with pytest.warns(FigureWarning) as caught:
        style = figure_style(src.qset)
        write_plot(result, "composite", tmp_path / "ja.png", qset=src.qset, style=style, dpi=50)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "\n" not in message and "fonts-noto-cjk" in message


def test_pdffonts_is_installed():
    assert shutil.which("pdffonts"), "./run-tests.sh installs Debian's poppler-utils"
