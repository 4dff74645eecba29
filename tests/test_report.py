"""The report is one self-contained file whose numbers are `poetq analyse`'s."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner
from tests_helpers import ROOT, STATEMENTS

from poetq.analysis import analyse
from poetq.cli import cli
from poetq.domain import Grid, QSet, SortsTable, Statement
from poetq.formats.sorts_csv import read_sorts_csv
from poetq.qsets import load_qset
from poetq.report import crib_sheet, report_html
from poetq.services.factor_analysis import Source, run_analysis
from poetq.services.plots import write_report

LIPSET = ROOT / "tests" / "data" / "lipset" / "sorts.csv"


class Tables(HTMLParser):
    """Every table of a page (rows of cell texts) under the id of the section it is in."""

    def __init__(self):
        super().__init__()
        self.section, self.tables, self.images, self.tags = "", {}, [], []
        self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "h2":
            self.section = attrs.get("id", "")
        elif tag == "table":
            self.tables.setdefault(self.section, []).append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "img":
            self.images.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr":
            self.tables[self.section][-1].append(self._row)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def parse(html: str) -> Tables:
    t = Tables()
    t.feed(html)
    t.close()
    return t


def analyse_json(*options: str) -> dict:
    r = CliRunner().invoke(cli, ["analyse", str(LIPSET), "--factors", "3", "--json", *options])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.mark.parametrize("options", [(), ("--extraction", "centroid"), ("--factors", "2")])
def test_report_numbers_equal_poetq_analyse(tmp_path, options):
    data = analyse_json(*options)
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["report", str(LIPSET), "--factors", "3", *options,
                                 "--statements", str(STATEMENTS / "lipset.toml"),
                                 "--iterations", "10", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == f"Wrote {out}"
    page = parse(out.read_text(encoding="utf-8"))
    k = len(data["factors"])
    (loadings,) = page.tables["loadings"]
    assert loadings[0] == ["sort", *data["factors"], "h²"]
    for row, sid, values, flags, h2 in zip(
        loadings[1:], data["sort_ids"], data["loadings"], data["flags"], data["communalities"]
    ):
        assert row[0] == sid
        assert row[1:-1] == [f"{v:.4f}" + ("*" if fl else "") for v, fl in zip(values, flags)]
        assert row[-1] == f"{h2:.4f}"
    (scores,) = page.tables["scores"]
    for i, row in enumerate(scores[1:]):
        z, arr = data["zscores"][i], data["factor_arrays"][i]
        assert row[2:2 + 2 * k:2] == [f"{v:.4f}" for v in z]
        assert [int(v.replace("+", "")) for v in row[3:3 + 2 * k:2]] == [int(v) for v in arr]
        assert row[-1] == data["distinguishing_consensus"]["labels"][i].strip()
    characteristics = page.tables["method"][1]
    ch = data["characteristics"]
    for f, row in enumerate(characteristics[1:]):
        assert row == [f"f{f + 1}", str(int(ch["nload"][f])), f"{ch['eigenvals'][f]:.4f}",
                       f"{ch['expl_var'][f]:.2f}", f"{ch['reliability'][f]:.4f}",
                       f"{ch['se_fscores'][f]:.4f}"]


def test_report_is_one_self_contained_file(tmp_path):
    src = Source(read_sorts_csv(LIPSET), "sorts.csv", load_qset(STATEMENTS / "lipset.toml"))
    result = run_analysis(src, 3)
    out = write_report(result, tmp_path / "lipset.html", source=src)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lipset.html"]
    html = out.read_text(encoding="utf-8")
    for bad in ("http://", "https://", 'src="//', "src='//", "<script", "<link", "@import", "url(",
                "<iframe", "<object"):
        assert bad not in html, bad
    page = parse(html)
    assert html.startswith("<!doctype html>") and page.tags.count("html") == 1
    # 3 composites, loadings, heat map, scree, z-scores (a long composite key continues on a page)
    assert len(page.images) >= 7 and "Figure 7. Z-scores of the statements that differ most" in html
    for src_attr in page.images:
        assert src_attr.startswith("data:image/svg+xml;base64,")
        svg = ET.fromstring(base64.b64decode(src_attr.split(",", 1)[1]))
        assert svg.tag.endswith("svg")
    for section in (
        "study",
        "method",
        "figures",
        "crib-f1",
        "crib-f2",
        "crib-f3",
        "loadings",
        "scores",
    ):
        assert f"id='{section}'" in html
    assert "Lipset: value patterns of democracy" in html
    assert "We accept improvements in the status and power of the lower classes" in html
    assert "Distinguishing statements" in html and "Consensus statements" in html


def test_pdf_report_has_text_pages_and_every_figure(tmp_path):
    src = Source(read_sorts_csv(LIPSET), "sorts.csv", load_qset(STATEMENTS / "lipset.toml"))
    out = write_report(run_analysis(src, 3), tmp_path / "lipset.pdf", source=src)
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" and data.rstrip().endswith(b"%%EOF")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3 + 7, pages
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for caption in ("Table 1. The study and its Q-sorts", "Figure 1. Composite Q-sort of factor 1",
                    "Factor 3: narrative (to fill in)", "We accept improvements in the status"):
        assert caption in text, caption
    fonts = subprocess.run(
        ["pdffonts", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert "Type 3" not in fonts


def test_study_text_is_escaped():
    grid = Grid((-1, 0, 1), (1, 2, 1))
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    qset = QSet(slug="x", title="<i>Title</i> & co", grid=grid,
                statements=tuple(Statement(f"s{i}", f"{hostile} {i}") for i in range(4)))
    sorts = np.array([[-1, 0, 0, 1], [0, -1, 1, 0], [1, 0, -1, 0], [0, 1, 0, -1], [-1, 1, 0, 0]]).T
    result = analyse(sorts, 1, statement_ids=qset.statement_ids,
                     sort_ids=["<s>", "a&b", "c", "d", "e"])
    html = report_html(result, title=qset.title, qset=qset, source_name="<src>")
    assert "<script" not in html and "<b>bold" not in html and "<i>Title" not in html
    assert "&lt;script&gt;" in html and "&lt;s&gt;" in html and "a&amp;b" in html


def test_crib_sheet(tmp_path):
    qset = load_qset(STATEMENTS / "lipset.toml")
    table = read_sorts_csv(LIPSET)
    result = run_analysis(Source(table, "sorts.csv", qset), 3)
    arr = np.asarray(result.factor_arrays)
    for factor in (1, 2, 3):
        f = factor - 1
        crib = crib_sheet(result, factor, qset=qset)
        assert [s for s, _ in crib.defining] == [
            s for j, s in enumerate(result.sort_ids) if result.flags[j, f]
        ]
        assert {c.value for c in crib.highest} == {3, 4} and {c.value for c in crib.lowest} == {
            -4,
            -3,
        }
        assert len(crib.highest) == 5 and crib.highest[0].z == max(result.zscores[:, f])
        for c in crib.higher:
            i = result.statement_ids.index(c.statement_id)
            assert all(arr[i, f] > arr[i, g] for g in range(3) if g != f)
        for c in crib.lower:
            i = result.statement_ids.index(c.statement_id)
            assert all(arr[i, f] < arr[i, g] for g in range(3) if g != f)
        assert all(c.mark.startswith(("higher", "lower", "differs")) for c in crib.distinguishing)
        assert all(c.text and c.number == qset.number(c.statement_id) for c in crib.highest)
    consensus = {c.statement_id for c in crib_sheet(result, 1, qset=qset).consensus}
    assert consensus == {
        s for s, lab in zip(result.statement_ids, result.qdc_labels) if lab == "Consensus"
    }


def test_report_with_a_factor_that_defines_no_sort(tmp_path):
    table = read_sorts_csv(LIPSET)
    flags = np.zeros((9, 3), dtype=bool)
    flags[[2, 3], 0] = True
    flags[[0, 1, 7], 1] = True
    result = analyse(table.values, 3, flags=flags, sort_ids=table.sort_ids,
                     statement_ids=table.statement_ids)
    out = write_report(result, tmp_path / "r.html", source=Source(table, "sorts.csv"))
    html = out.read_text(encoding="utf-8")
    assert "No sort defines this factor" in html and "factor f3 defines no sort" in html
    assert len(parse(html).images) == 2 + 4
    check = write_report(result, tmp_path / "r.pdf", source=Source(table, "sorts.csv"))
    assert check.read_bytes()[:5] == b"%PDF-"


def test_simulated_joint_commissioning_report(tmp_path):
    from poetq.simulate import simulate_sorts

    qset = load_qset(STATEMENTS / "joint-commissioning.toml")
    sim = simulate_sorts(qset.grid, 24, n_viewpoints=3, seed=5)
    src = Source(SortsTable(qset.statement_ids, sim.sort_ids, sim.values), "jc", qset)
    html = write_report(run_analysis(src, 3), tmp_path / "jc.html", source=src).read_text(
        encoding="utf-8"
    )
    assert qset.title in html and len(parse(html).images) >= 7
    assert "http://" not in html and "https://" not in html


def test_docx_report_has_the_same_content(tmp_path):
    from docx import Document

    src = Source(read_sorts_csv(LIPSET), "sorts.csv", load_qset(STATEMENTS / "lipset.toml"))
    result = run_analysis(src, 3)
    html = write_report(result, tmp_path / "r.html", source=src, made_on="2026-12-04").read_text(
        encoding="utf-8"
    )
    doc = Document(str(write_report(result, tmp_path / "r.docx", source=src, made_on="2026-12-04")))
    page = parse(html)
    assert len(doc.tables) == sum(len(t) for t in page.tables.values())
    assert len(doc.inline_shapes) == len(page.images)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Table 1. The study and its Q-sorts"
    assert "Figure 1. Composite Q-sort of factor 1" in captions
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Factor 3: narrative (to fill in)" in headings and "What sets it apart" in headings
    for table in doc.tables:  # the header row repeats on every page
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "2026-12-04" in body


def test_japanese_report_pdf_uses_a_cjk_font(tmp_path):
    from test_figure_fonts import japanese_source

    src = japanese_source()
    out = write_report(run_analysis(src, 2), tmp_path / "ja.pdf", source=src)
    fonts = subprocess.run(
        ["pdffonts", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert any(
        ("cjk" in line.lower() or "fallback" in line.lower()) for line in fonts.splitlines()[2:]
    ), fonts
    assert "Type 3" not in fonts
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "地域の医療と福祉は一緒に計画されるべきだ" in text.replace("\n", "")


def test_report_quotes_the_defining_sorts_comments_and_answers(tmp_path):
    from dataclasses import replace

    from poetq.services.participants import ParticipantsTable

    src = Source(read_sorts_csv(LIPSET), "sorts.csv", load_qset(STATEMENTS / "lipset.toml"))
    result = run_analysis(src, 3)
    f1 = [s for j, s in enumerate(result.sort_ids) if result.flags[j, 0]]
    other = next(
        s
        for j, s in enumerate(result.sort_ids)
        if not result.flags[j].any() or not result.flags[j, 0]
    )
    question = src.qset.questions[0]
    header = ("sort", "comment 1 statement", "comment 1 column", "comment 1 text")
    rows = ((f1[0], "sta_1", 4, "Improvement matters more than resentment"),
            (other, "sta_2", -4, "Not a defining sort's words"))
    table = ParticipantsTable(header, rows, (f1[0], other), ({question.id: "Teacher"}, {}))
    src = replace(src, participants=table)
    html = write_report(result, tmp_path / "r.html", source=src).read_text(encoding="utf-8")
    crib = html[html.index("id='crib-f1'"):html.index("id='crib-f2'")]
    assert "Improvement matters more than resentment" in crib and "Teacher" in crib
    assert question.prompt in crib
    assert "Not a defining sort" not in crib


def test_a_pdf_without_pango_says_what_to_install(monkeypatch):
    import builtins
    import io

    from poetq.errors import StateError
    from poetq.report.html import html_to_pdf

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(StateError, match="libpango-1.0-0"):
        html_to_pdf("<html></html>", io.BytesIO())
