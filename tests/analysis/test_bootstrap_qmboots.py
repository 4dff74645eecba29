"""poetq's bootstrap from qmboots' own resamples equals qmboots (tests/data/bootstrap, made by
tests/r/make_bootstrap_cases.R): every summary file within 1e-6, on three data sets with
dropped (order-swap) steps; plus the refusals of specs/bootstrap.md."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import bootstrap
from poetq.errors import ValidationError
from poetq.formats.qmboots_csv import read_resamples, write_bootstrap
from poetq.formats.sorts_csv import read_sorts_csv

DATA = Path(__file__).resolve().parent.parent / "data" / "bootstrap"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def read_r_csv(path: Path):
    rows = list(csv.reader(path.read_text().splitlines()))
    header, body = rows[0], rows[1:]
    ids = [r[0] for r in body]
    cells = np.array([[np.nan if c == "NA" else float(c) for c in r[1:]] for r in body])
    return header, ids, cells


def run(case: str, **options):
    table = read_sorts_csv(DATA / case / "sorts.csv")
    k = int(case.rsplit("_", 1)[1])
    draws = read_resamples(DATA / case / "resamples.csv", len(table.sort_ids))
    return bootstrap(table.values, k, resamples=draws, sort_ids=table.sort_ids,
                     statement_ids=table.statement_ids, **options)


@pytest.mark.parametrize("case", CASES)
def test_summaries_equal_qmboots_from_its_resamples(case, tmp_path):
    b = run(case)
    dropped = int((DATA / case / "meta.txt").read_text().split("dropped_steps: ")[1].split()[0])
    assert b.order_errors == dropped and b.valid_steps == b.steps - dropped - b.failed
    files = write_bootstrap(b, tmp_path)
    names = sorted(p.name for p in files)
    assert names == sorted(p.name for p in (DATA / case).glob("*.csv") if p.name != "sorts.csv")
    for name in names:
        h1, ids1, c1 = read_r_csv(tmp_path / name)
        h2, ids2, c2 = read_r_csv(DATA / case / name)
        assert h1 == h2, name
        assert ids1 == ids2, name
        assert np.array_equal(np.isnan(c1), np.isnan(c2)), name
        np.testing.assert_allclose(c1, c2, atol=1e-6, rtol=0, equal_nan=True, err_msg=name)


def test_with_dropped_steps_some_cases_drop_steps():
    assert sum(int((DATA / c / "meta.txt").read_text().split("dropped_steps: ")[1].split()[0]) > 0
               for c in CASES) >= 1


def test_sample_sds_and_the_options_reach_every_resample():
    b = run("lipset_3")
    kept = b.loadings[b.kept]
    np.testing.assert_allclose(b.loading_sd, np.nanstd(kept, axis=0, ddof=1))
    centroid = run("lipset_3", extraction="centroid")
    none = run("lipset_3", rotation="none")
    assert centroid.full.extraction == "centroid" and none.full.rotation == "none"
    assert not np.allclose(centroid.loading_mean, b.loading_mean, equal_nan=True)
    assert not np.allclose(none.loading_mean, b.loading_mean, equal_nan=True)
    # each resample of the centroid bootstrap aligns to the centroid solution
    assert np.nanmean(np.abs(centroid.loading_mean - centroid.full.loadings)) < 0.2


def test_bad_resamples_are_refused(tmp_path):
    good = (DATA / "lipset_3" / "resamples.csv").read_text().splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(good[:-1]) + "\n")
    with pytest.raises(ValidationError, match="8 rows of draws but there are 9 sorts"):
        read_resamples(short, 9)
    out_of_range = tmp_path / "range.csv"
    out_of_range.write_text("\n".join([good[0], good[1].replace("7", "10", 1), *good[2:]]) + "\n")
    with pytest.raises(ValidationError, match="not a sort position from 1 to 9"):
        read_resamples(out_of_range, 9)
    table = read_sorts_csv(DATA / "lipset_3" / "sorts.csv")
    with pytest.raises(ValidationError, match="manual flags"):
        bootstrap(table.values, 2, steps=5, flags=np.zeros((9, 2), dtype=bool))
