"""Analysis in the browser: the numbers are those of `poetq analyse SLUG --json`."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from research_helpers import add_finished

from poetq.cli import cli
from poetq.services.exchange import FORMATS


@pytest.fixture
def sorted_study(session, ada_study):
    add_finished(session, ada_study, 9, seed=3)
    session.commit()
    return ada_study


def cli_json(runner, slug, *args):
    r = runner.invoke(cli, ["analyse", slug, "--json", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def cells(page: str, table: str) -> list[float]:
    body = re.search(rf'<table class="data" id="{table}">(.*?)</table>', page, re.DOTALL).group(1)
    return [float(v) for v in re.findall(r'data-value="([^"]+)"', body)]


def loadings(page: str) -> dict[tuple[str, int], float]:
    return {(s, int(f)): float(v) for v, s, f in re.findall(
        r'data-value="([^"]+)" data-sort="([^"]+)" data-factor="(\d+)"', page)}


def test_guidance_then_every_number_equals_poetq_analyse(ada_client, sorted_study, runner):
    base = f"/research/studies/{sorted_study.slug}/analysis"
    landing = ada_client.get(base)
    assert landing.status_code == 200 and "Parallel analysis" in landing.text
    for extraction, cor in (("pca", "pearson"), ("centroid", "spearman")):
        page = ada_client.get(
            f"{base}?factors=2&extraction={extraction}&rotation=varimax&cor={cor}"
        ).text
        want = cli_json(runner, sorted_study.slug, "--factors", "2", "--extraction", extraction,
                        "--cor", cor)
        got = loadings(page)
        for j, s in enumerate(want["sort_ids"]):
            for f in range(2):
                assert got[(s, f + 1)] == want["loadings"][j][f]
        ch = want["characteristics"]
        expect = [
            x
            for f in range(2)
            for x in (
                ch["nload"][f],
                ch["eigenvals"][f],
                ch["expl_var"][f],
                ch["reliability"][f],
                ch["se_fscores"][f],
            )
        ]
        assert cells(page, "characteristics") == expect
        if want["distinguishing_consensus"]["pairs"]:
            labels = want["distinguishing_consensus"]["labels"]
            diffs = [
                d[0]
                for d, lab in zip(want["distinguishing_consensus"]["differences"], labels)
                if lab
            ]
            assert cells(page, "qdc")[::1] == diffs
        js = ada_client.get(
            f"{base}/result.json?factors=2&extraction={extraction}&cor={cor}"
        ).get_json()
        assert js == want


def test_manual_flags_travel_in_the_address_and_equal_a_flags_file(ada_client, sorted_study, runner,
                                                                    tmp_path):
    base = f"/research/studies/{sorted_study.slug}/analysis"
    auto = cli_json(runner, sorted_study.slug, "--factors", "2")
    sorts = auto["sort_ids"]
    # untick the first flagged sort, flag the first sort on f2 instead of f1
    flags = {
        s: next((f + 1 for f in range(2) if auto["flags"][j][f]), None) for j, s in enumerate(sorts)
    }
    first = next(s for s in sorts if flags[s])
    flags[first] = None
    query = "&".join(f"flag={f}:{s}" for s, f in flags.items() if f)
    page = ada_client.get(f"{base}?factors=2&flags=manual&{query}").text
    assert "manual flags" in page and "Back to automatic flags" in page
    csv = tmp_path / "flags.csv"
    csv.write_text(
        "sort,flag_f1,flag_f2\n"
        + "".join(
            f"{s},{'TRUE' if flags[s] == 1 else 'FALSE'},{'TRUE' if flags[s] == 2 else 'FALSE'}\n"
            for s in sorts
        )
    )
    want = cli_json(runner, sorted_study.slug, "--factors", "2", "--flags", str(csv))
    assert not re.search(rf'value="\d:{re.escape(first)}"[^>]* checked', page)
    expect = [x for f in range(2) for x in (want["characteristics"]["nload"][f],
                                            want["characteristics"]["eigenvals"][f],
                                            want["characteristics"]["expl_var"][f],
                                            want["characteristics"]["reliability"][f],
                                            want["characteristics"]["se_fscores"][f])]
    assert cells(page, "characteristics") == expect
    js = ada_client.get(f"{base}/result.json?factors=2&flags=manual&{query}").get_json()
    assert js["zscores"] == want["zscores"] and js["factor_arrays"] == want["factor_arrays"]
    two = ada_client.get(f"{base}?factors=2&flags=manual&flag=1:{sorts[0]}&flag=2:{sorts[0]}")
    assert two.status_code == 400 and "more than one factor" in two.text


def test_judgmental_rotation_changes_the_loadings_and_the_plot(ada_client, sorted_study):
    base = f"/research/studies/{sorted_study.slug}/analysis"
    plain = loadings(ada_client.get(f"{base}?factors=2").text)
    page = ada_client.get(f"{base}?factors=2&a=1&b=2&angle=30").text
    turned = loadings(page)
    a = np.array([[plain[(s, 1)], plain[(s, 2)]] for s, _ in sorted(plain)[::2]])
    b = np.array([[turned[(s, 1)], turned[(s, 2)]] for s, _ in sorted(turned)[::2]])
    assert not np.allclose(a, b)
    assert_allclose((a ** 2).sum(axis=1), (b ** 2).sum(axis=1), atol=1e-12)  # communalities kept
    assert 'name="rot" value="1,2,30"' in page
    plot = re.search(r'id="loadings-plot" src="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "rot=1%2C2%2C30" in plot or "rot=1,2,30" in plot
    r = ada_client.get(plot)
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data


def test_arrays_cribs_figures_and_downloads(ada_client, sorted_study, runner):
    base = f"/research/studies/{sorted_study.slug}/analysis"
    page = ada_client.get(f"{base}?factors=2").text
    assert "Composite Q-sort of factor 1" in page and "Crib sheet: factor 2" in page
    for kind, fmt, magic in (("composite", "png", b"\x89PNG"), ("scree", "svg", b"<?xml"),
                             ("heatmap", "pdf", b"%PDF"), ("zscores", "png", b"\x89PNG")):
        r = ada_client.get(f"{base}/figures/{kind}.{fmt}?factors=2&factor=1&download=1")
        assert r.status_code == 200 and r.data.startswith(magic), (kind, r.status_code)
        assert "attachment" in r.headers["Content-Disposition"]
    wb = ada_client.get(f"{base}/workbook.xlsx?factors=2")
    assert wb.status_code == 200 and zipfile.is_zipfile(io.BytesIO(wb.data))
    report = ada_client.get(f"{base}/report.html?factors=2")
    assert report.status_code == 200 and b"Crib sheet" in report.data
    for fmt in FORMATS:
        r = ada_client.get(f"/research/studies/{sorted_study.slug}/export/{fmt}")
        assert r.status_code == 200 and len(r.data) > 50, fmt
    assert ada_client.get(f"/research/studies/{sorted_study.slug}/export/nope").status_code == 400
    assert ada_client.get(f"{base}/figures/nope.png?factors=2").status_code == 400


def test_an_empty_study_says_what_is_missing(ada_client, ada_study):
    r = ada_client.get(f"/research/studies/{ada_study.slug}/analysis?factors=2")
    assert r.status_code == 200 and "at least 2 are needed" in r.text


def test_oblique_rotation_shows_phi_on_the_page_in_json_and_workbook(
    ada_client, sorted_study, runner
):
    want = cli_json(runner, sorted_study.slug, "--factors", "2", "--rotation", "oblimin")
    assert want["phi"][0][0] == pytest.approx(1.0) and abs(want["phi"][0][1]) < 1
    base = f"/research/studies/{sorted_study.slug}/analysis"
    page = ada_client.get(f"{base}?factors=2&rotation=oblimin").text
    assert_allclose(cells(page, "phi"), [x for row in want["phi"] for x in row])
    assert 'id="phi"' not in ada_client.get(f"{base}?factors=2&rotation=varimax").text
    summary = runner.invoke(
        cli, ["analyse", sorted_study.slug, "--factors", "2", "--rotation", "promax"]
    )
    assert "factor correlations (Phi, promax is oblique" in summary.output
    from openpyxl import load_workbook

    wb = load_workbook(
        io.BytesIO(ada_client.get(f"{base}/workbook.xlsx?factors=2&rotation=oblimin").data)
    )
    rows = [r for r in wb["characteristics"].iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if str(r[0]).startswith("factor correlations (Phi"))
    assert_allclose([rows[at + 1][1], rows[at + 1][2]], want["phi"][0])


FREE = Path(__file__).resolve().parents[2] / "data" / "free"


def test_an_unforced_study_analyses_in_the_browser_as_qmethod_forced_false(
    ada_client, ada, session, runner
):
    from poetq.domain import Grid, QSet, Statement
    from poetq.formats.qmethod_csv import numeric, read_table
    from poetq.services.studies import create_study

    grid = Grid((-4, -3, -2, -1, 0, 1, 2, 3, 4), (2, 3, 4, 5, 5, 5, 4, 3, 2), forced=False)
    qset = QSet(slug="lipset-free", title="Lipset, free sorts", grid=grid,
                statements=tuple(Statement(f"sta_{i}", f"Statement {i}") for i in range(1, 34)))
    study = create_study(session, qset, owner=ada)
    session.commit()
    imported = runner.invoke(cli, ["import", str(FREE / "sorts.csv"), "--study", study.slug])
    assert imported.exit_code == 0, imported.output
    page = ada_client.get(f"/research/studies/{study.slug}/analysis?factors=3")
    assert page.status_code == 200, page.text[:3000]
    js = ada_client.get(f"/research/studies/{study.slug}/analysis/result.json?factors=3").get_json()
    order = [
        js["sort_ids"].index(s) for s in read_table(FREE / "pca_varimax_3" / "loadings.csv")[1]
    ]
    assert_allclose(
        np.array(js["zscores"]),
        numeric(read_table(FREE / "pca_varimax_3" / "zscores.csv")[2]),
        atol=1e-8,
    )
    assert_allclose(
        np.array(js["loadings"])[order],
        numeric(read_table(FREE / "pca_varimax_3" / "loadings.csv")[2]),
        atol=1e-8,
    )
    assert np.array_equal(np.array(js["factor_arrays"]),
                          numeric(read_table(FREE / "pca_varimax_3" / "factor_arrays.csv")[2]))


def test_invert_split_h2_and_every_matrix_on_the_page(ada_client, sorted_study, runner):
    base = f"/research/studies/{sorted_study.slug}/analysis"
    want = cli_json(runner, sorted_study.slug, "--factors", "3")
    page = ada_client.get(f"{base}?factors=3").text
    h2 = [float(v) for v in re.findall(r'class="num h2" data-value="([^"]+)"', page)]
    assert_allclose(h2, want["communalities"])
    assert_allclose(cells(page, "corr"), [x for row in want["correlations"] for x in row])
    unrot = cells(page, "unrotated")
    assert_allclose(unrot[: 9 * 3], [x for row in want["unrotated"] for x in row])
    assert_allclose(unrot[27:30], want["eigenvalues"][:3])
    assert_allclose(unrot[30:33], want["explained_variance"][:3], atol=1e-12)
    for table, key in (("cor-zsc", "cor_zsc"), ("sed", "sed")):
        expect = [x for row in want["characteristics"][key] for x in row if x is not None]
        assert_allclose(cells(page, table), expect)
    assert "<details id=\"matrix-corr\">" in page  # collapsed by default
    inverted = ada_client.get(f"{base}?factors=3&invert=2&split=").text
    got = loadings(inverted)
    assert_allclose([got[(s, 2)] for s in want["sort_ids"]], [-row[1] for row in want["loadings"]])
    assert "Undo inverting and splitting" in inverted
    same = cli_json(runner, sorted_study.slug, "--factors", "3", "--invert", "2")
    assert ada_client.get(f"{base}/result.json?factors=3&invert=2").get_json() == same
    for f in range(1, 4):
        r = ada_client.get(f"{base}?factors=3&split={f}")
        if r.status_code == 200:
            assert "is the negative pole of" in r.text
        else:
            assert "not bipolar" in r.text or "invert the factor" in r.text


def test_bootstrap_download_equals_the_cli_bootstrap(ada_client, sorted_study, runner, tmp_path):
    base = f"/research/studies/{sorted_study.slug}/analysis"
    page = ada_client.get(f"{base}?factors=2").text
    assert 'id="bootstrap-form"' in page
    r = ada_client.get(f"{base}/bootstrap.zip?factors=2&steps=12&seed=3")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    assert "12 samples (seed 3)" in zf.read("summary.txt").decode()
    out = tmp_path / "boot"
    done = runner.invoke(cli, ["bootstrap", sorted_study.slug, "--factors", "2", "--steps", "12",
                               "--seed", "3", "--out", str(out)])
    assert done.exit_code == 0, done.output
    for name in ("qmb.summary_statements.csv", "loa.stats_factor1.csv", "resamples.csv"):
        assert zf.read(name).decode() == (out / name).read_text()
    bad = ada_client.get(f"{base}/bootstrap.zip?factors=2&steps=999999")
    assert bad.status_code == 400 and "2 to 2000" in bad.text
    streamed = ada_client.get(f"{base}/bootstrap.zip?factors=2&steps=12&seed=3&progress=1")
    lines = streamed.get_data(as_text=True).splitlines()
    assert lines[0] == "steps 12" and lines[1:13] == [f"step {i}" for i in range(1, 13)]
    assert lines[13].startswith("zip ") and len(lines) == 14
    import base64

    again = zipfile.ZipFile(io.BytesIO(base64.b64decode(lines[13][4:])))
    assert again.read("qmb.summary_statements.csv") == zf.read("qmb.summary_statements.csv")
    bad = ada_client.get(f"{base}/bootstrap.zip?factors=2&steps=1&progress=1")
    assert bad.status_code == 400
