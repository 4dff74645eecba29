"""poetq analyse / factors / bootstrap from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tests_helpers import mini_study_with_sorts

from poetq.cli import cli
from poetq.formats.qmethod_csv import FILES, numeric, read_table

DATA = Path(__file__).resolve().parent.parent / "data" / "lipset"
SORTS = str(DATA / "sorts.csv")


@pytest.fixture
def cli_runner(tmp_path, monkeypatch):
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return CliRunner()


@pytest.mark.parametrize(
    "run,args",
    [
        ("pca_varimax_3", ["--factors", "3"]),
        ("pca_varimax_2", ["--factors", "2"]),
        ("centroid_varimax_3", ["--factors", "3", "--extraction", "centroid"]),
    ],
)
def test_out_reproduces_qmethod_files(cli_runner, tmp_path, run, args):
    out = tmp_path / "out"
    result = cli_runner.invoke(cli, ["analyse", SORTS, *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "defined by" in result.output and f"Wrote {len(FILES)} files" in result.output
    for file in FILES:
        h1, ids1, c1 = read_table(out / file)
        h2, ids2, c2 = read_table(DATA / run / file)
        assert (h1, ids1) == (h2, ids2), file
        if file in (
            "loadings.csv",
            "zscores.csv",
            "f_char.csv",
            "f_char_sed.csv",
            "f_char_cor_zsc.csv",
        ):
            np.testing.assert_allclose(numeric(c1), numeric(c2), atol=1e-6)
        if file == "flagged.csv":
            assert c1 == c2


def test_json_output(cli_runner):
    result = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["factors"] == ["f1", "f2", "f3"]
    assert data["distinguishing_consensus"]["labels"][0] == "Distinguishes all"


def test_manual_flags_file(cli_runner, tmp_path):
    flags = tmp_path / "flags.csv"
    flags.write_text(
        (DATA / "pca_varimax_3" / "flagged.csv")
        .read_text()
        .replace('"FR9",FALSE,FALSE,TRUE', '"FR9",FALSE,FALSE,FALSE')
    )
    result = cli_runner.invoke(
        cli, ["analyse", SORTS, "--factors", "3", "--flags", str(flags), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["options"]["manual_flags"] is True
    assert data["characteristics"]["nload"] == [3.0, 3.0, 2.0]


def test_factors_and_bootstrap(cli_runner):
    result = cli_runner.invoke(cli, ["factors", SORTS, "--iterations", "30"])
    assert result.exit_code == 0, result.output
    assert "Kaiser (eigenvalue > 1): 4" in result.output and "Parallel analysis" in result.output
    result = cli_runner.invoke(
        cli, ["bootstrap", SORTS, "--factors", "2", "--steps", "10", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "resamples kept" in result.output and "US1" in result.output


def test_bootstrap_from_qmboots_resamples_writes_its_files(cli_runner, tmp_path):
    boot = Path(__file__).resolve().parent.parent / "data" / "bootstrap" / "weak_3"
    out = tmp_path / "boot"
    result = cli_runner.invoke(cli, ["bootstrap", str(boot / "sorts.csv"), "--factors", "3",
                                     "--resamples", str(boot / "resamples.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "22 of 40 resamples kept (18 dropped" in result.output
    for name in ("qmb.summary_statements.csv", "loa.stats_factor2.csv", "zscore-stats_factor3.csv"):
        mine = [r.split(",") for r in (out / name).read_text().splitlines()]
        theirs = [r.split(",") for r in (boot / name).read_text().splitlines()]
        assert mine[0] == theirs[0] and [r[0] for r in mine] == [r[0] for r in theirs]
        a = np.array([[np.nan if c == "NA" else float(c) for c in r[1:]] for r in mine[1:]])
        b = np.array([[np.nan if c == "NA" else float(c) for c in r[1:]] for r in theirs[1:]])
        np.testing.assert_allclose(a, b, atol=1e-6, equal_nan=True)
    both = cli_runner.invoke(
        cli,
        [
            "bootstrap",
            str(boot / "sorts.csv"),
            "--factors",
            "3",
            "--steps",
            "5",
            "--resamples",
            str(boot / "resamples.csv"),
        ],
    )
    assert both.exit_code != 0 and "leave out --steps" in both.output
    wrong = cli_runner.invoke(cli, ["bootstrap", SORTS, "--factors", "3",
                                    "--resamples", str(boot / "resamples.csv")])
    assert wrong.exit_code != 0 and "14 rows of draws but there are 9 sorts" in wrong.output


def test_study_slug_as_source(runner, database_url):
    """Sorts finished online are analysed by study slug, with the study's grid."""
    assert runner.invoke(cli, ["init"]).exit_code == 0
    mini_study_with_sorts(database_url, 6, excluded=(5,))
    result = runner.invoke(cli, ["analyse", "mini", "--factors", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sort_ids"] == ["P0", "P1", "P2", "P3", "P4"]  # the excluded response is left out
    text = runner.invoke(cli, ["analyse", "mini", "--factors", "2"]).output
    assert "Text" in text


BAD = [
    (["analyse", "missing.csv", "--factors", "2"], "no sorts file"),
    (["analyse", "no-such-study", "--factors", "2"], "no sorts file or study"),
    (["analyse", SORTS, "--factors", "12"], "cannot extract 12 factors from 9 sorts"),
    (["analyse", "{bad}", "--factors", "2"], "not a whole number"),
    (["analyse", "{empty}", "--factors", "2"], "is empty"),
    (["analyse", "{png}", "--factors", "2"], "not a"),
    (["analyse", "{flat}", "--factors", "2"], "zero variance"),
    (["analyse", "{dup}", "--factors", "2"], "used more than once"),
    (["analyse", SORTS, "--factors", "3", "--flags", "{badflags}"], "TRUE/FALSE"),
    (["analyse", SORTS, "--factors", "3", "--out", "{file}"], "directory"),
]


@pytest.mark.parametrize("args,message", BAD, ids=lambda a: str(a)[:40])
def test_bad_input_is_one_line(cli_runner, tmp_path, args, message):
    text = (DATA / "sorts.csv").read_text()
    files = {
        "bad": ("bad.csv", text.replace('"sta_2",0,', '"sta_2",x,', 1)),
        "empty": ("empty.csv", ""),
        "png": ("img.csv", "\x89PNG\r\n\x1a\n\x00\x00"),
        "flat": ("flat.csv", "statement,a,b\ns1,0,1\ns2,0,-1\ns3,0,0\n"),
        "dup": ("dup.csv", text.replace('"US2"', '"US1"', 1)),
        "badflags": (
            "flags.csv",
            '"sort","flag_f1","flag_f2","flag_f3"\n"US1",maybe,FALSE,FALSE\n',
        ),
        "file": ("afile", "x"),
    }
    values = {}
    for key, (name, content) in files.items():
        p = tmp_path / name
        p.write_text(content, encoding="latin-1")
        values[key] = str(p)
    result = cli_runner.invoke(cli, [a.format(**values) for a in args])
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error"), result.output
    assert message in lines[0], lines[0]


def test_rotate_applies_by_hand_rotations_in_order(cli_runner):
    from poetq.analysis import rotate_factors
    from poetq.services.factor_analysis import load_source, run_analysis

    r = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--rotate", "1,2,15",
                                "--rotate", "2,3,-7.5", "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    want = rotate_factors(rotate_factors(run_analysis(load_source(SORTS), 3), 1, 2, 15), 2, 3, -7.5)
    assert np.array_equal(np.array(got["loadings"]), want.loadings)
    assert got["options"]["adjustments"] == [["rotate", 1, 2, 15.0], ["rotate", 2, 3, -7.5]]
    bad = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--rotate", "1,4,15"])
    assert bad.exit_code != 0 and "two different factors between 1 and 3" in bad.output
    bad = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--rotate", "1,x"])
    assert bad.exit_code == 2 and "FACTOR,FACTOR,DEGREES" in bad.output


def test_free_sorts_from_the_cli_equal_qmethod_forced_false(cli_runner):
    free = Path(__file__).resolve().parent.parent / "data" / "free"
    dist = (free / "distribution.txt").read_text().strip()
    refused = cli_runner.invoke(cli, ["analyse", str(free / "sorts.csv"), "--factors", "3"])
    assert refused.exit_code != 0 and "--distribution" in refused.output
    result = cli_runner.invoke(cli, ["analyse", str(free / "sorts.csv"), "--factors", "3",
                                     "--distribution", dist, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    _, _, cells = read_table(free / "pca_varimax_3" / "factor_arrays.csv")
    np.testing.assert_array_equal(np.array(data["factor_arrays"]), numeric(cells))
    _, _, cells = read_table(free / "pca_varimax_3" / "zscores.csv")
    np.testing.assert_allclose(np.array(data["zscores"]), numeric(cells), atol=1e-8)
    for command in (["factors"], ["bootstrap", "--factors", "2", "--steps", "3"]):
        r = cli_runner.invoke(
            cli,
            [
                command[0],
                str(free / "sorts.csv"),
                *command[1:],
                "--distribution",
                dist,
                *(["--iterations", "5"] if command[0] == "factors" else []),
            ],
        )
        assert r.exit_code == 0, r.output


def test_invert_split_and_flag_options_from_the_cli(cli_runner):
    def run(*args):
        r = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--json", *args])
        assert r.exit_code == 0, r.output
        return json.loads(r.output)

    base = run()
    inverted = run("--invert", "2")
    np.testing.assert_allclose(
        np.array(inverted["loadings"])[:, 1], -np.array(base["loadings"])[:, 1]
    )
    strict = run("--flag-p", "0.001", "--no-majority")
    assert strict["options"]["flag_p"] == 0.001 and strict["options"]["majority"] is False
    assert sum(map(sum, strict["flags"])) < sum(map(sum, base["flags"]))
    np.testing.assert_allclose(base["communalities"], (np.array(base["unrotated"]) ** 2).sum(1))
    assert len(base["correlations"]) == 9 and len(base["explained_variance"]) == 9
    bipolar = [
        f
        for f in range(3)
        if any(fl[f] and lo[f] < 0 for fl, lo in zip(base["flags"], base["loadings"]))
        and any(fl[f] and lo[f] > 0 for fl, lo in zip(base["flags"], base["loadings"]))
    ]
    assert bipolar, "lipset's 3-factor solution has a bipolar factor"
    split = run("--split", str(bipolar[0] + 1))
    assert split["factors"] == ["f1", "f2", "f3", "f4"]
    summary = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--flag-p", "0.01"])
    assert "|a| > 2.58/√n_statements (p < .01)" in summary.output
    bad = cli_runner.invoke(cli, ["analyse", SORTS, "--factors", "3", "--invert", "5"])
    assert bad.exit_code != 0 and "no factor 5" in bad.output
