"""Every rotation poetq offers against R qmethod/psych/GPArotation (tests/data/rotations, made by
tests/r/make_rotation_cases.R): lipset and three synthetic studies, after PCA and centroid,
loadings, Phi, flags, z-scores, characteristics and qdc within 1e-6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import analyse, invert_factor, rotate_factors
from poetq.analysis.rotation import OBLIQUE, rotate
from poetq.errors import ValidationError
from poetq.formats.qmethod_csv import numeric, read_table
from poetq.formats.sorts_csv import read_sorts_csv

DATA = Path(__file__).resolve().parent.parent / "data" / "rotations"
CASES = sorted(p.relative_to(DATA).as_posix() for p in DATA.glob("*/*_*_*") if p.is_dir())
TOL = 1e-6


def meta(case: str) -> dict[str, str]:
    lines = (DATA / case / "meta.txt").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines)


def run(case: str):
    study, name = case.split("/")
    extraction, rotation, k = name.split("_")
    table = read_sorts_csv(DATA / study / "sorts.csv")
    return table, lambda: analyse(table.values, int(k), extraction=extraction, rotation=rotation,
                                  sort_ids=table.sort_ids, statement_ids=table.statement_ids)


def ref(case: str, file: str) -> np.ndarray:
    return numeric(read_table(DATA / case / file)[2])


def test_there_are_cases_for_every_rotation_and_extraction():
    names = {c.split("/")[1].rsplit("_", 1)[0] for c in CASES}
    assert names == {f"{e}_{r}" for e in ("pca", "centroid")
                     for r in ("quartimax", "equamax", "promax", "oblimin")}
    assert len({c.split("/")[0] for c in CASES}) >= 4


@pytest.mark.parametrize("case", CASES)
def test_rotation_matches_qmethod(case):
    _, analysis = run(case)
    if meta(case)["flagged_loading_ge_1"] == "TRUE":
        with pytest.raises(ValidationError, match=r"sort '.+' is flagged on f\d with a loading"):
            analysis()
        return
    result = analysis()
    np.testing.assert_allclose(result.loadings, ref(case, "loadings.csv"), atol=TOL)
    np.testing.assert_array_equal(result.flags, ref(case, "flagged.csv").astype(bool))
    np.testing.assert_allclose(result.zscores, ref(case, "zscores.csv"), atol=TOL)
    header, _, cells = read_table(DATA / case / "f_char.csv")
    expected = numeric(cells)
    for c, col in enumerate(header[1:]):
        np.testing.assert_allclose(
            result.characteristics[col], expected[:, c], atol=TOL, err_msg=col
        )
    if (DATA / case / "phi.csv").exists():
        assert result.rotation in OBLIQUE
        np.testing.assert_allclose(result.phi, ref(case, "phi.csv"), atol=TOL)
    else:
        assert result.phi is None
    arrays = ref(case, "factor_arrays.csv")
    unique = [f for f in range(result.n_factors)
              if len(np.unique(result.zscores[:, f])) == result.zscores.shape[0]]
    np.testing.assert_array_equal(result.factor_arrays[:, unique], arrays[:, unique])
    if (DATA / case / "qdc.csv").exists():
        header, _, cells = read_table(DATA / case / "qdc.csv")
        assert [row[0] for row in cells] == list(result.qdc_labels)
        np.testing.assert_allclose(
            result.qdc_diffs, numeric([row[1::2] for row in cells]), atol=TOL
        )
        assert [[str(s) for s in row] for row in result.qdc_sig] == [row[2::2] for row in cells]


def test_a_flagged_loading_of_one_names_the_sort_and_factor_and_what_to_try():
    over = [c for c in CASES if meta(c)["flagged_loading_ge_1"] == "TRUE"]
    assert over, "the R cases should include a pattern loading above 1"
    table, analysis = run(over[0])
    with pytest.raises(ValidationError) as err:
        analysis()
    message = str(err.value)
    assert any(f"sort {s!r}" in message for s in table.sort_ids)
    assert "varimax" in message and "fewer factors" in message and "\n" not in message


@pytest.mark.parametrize("rotation", ["quartimax", "equamax"])
def test_orthogonal_rotations_keep_communalities_and_an_orthogonal_matrix(rotation):
    table = read_sorts_csv(DATA / "synth_a" / "sorts.csv")
    r = analyse(table.values, 4, rotation=rotation)
    np.testing.assert_allclose((r.loadings**2).sum(1), (r.unrotated**2).sum(1), atol=1e-10)
    np.testing.assert_allclose(r.rotation_matrix.T @ r.rotation_matrix, np.eye(4), atol=1e-10)
    np.testing.assert_allclose(r.unrotated @ r.rotation_matrix, r.loadings, atol=1e-12)


@pytest.mark.parametrize("rotation", OBLIQUE)
def test_oblique_pattern_and_phi_reproduce_the_common_part(rotation):
    """P Phi P' equals the unrotated L L' (the rotation only re-expresses the factor space)."""
    table = read_sorts_csv(DATA / "synth_a" / "sorts.csv")
    r = analyse(table.values, 3, rotation=rotation)
    np.testing.assert_allclose(
        r.loadings @ r.phi @ r.loadings.T, r.unrotated @ r.unrotated.T, atol=1e-10
    )
    np.testing.assert_allclose(np.diag(r.phi), 1, atol=1e-12)
    inverted = invert_factor(r, 2)
    assert inverted.phi[0, 1] == pytest.approx(-r.phi[0, 1])
    turned = rotate_factors(r, 1, 2, 20)
    np.testing.assert_allclose(turned.loadings @ turned.phi @ turned.loadings.T,
                               r.unrotated @ r.unrotated.T, atol=1e-10)


def test_one_factor_and_none_are_not_rotated():
    a = np.random.default_rng(1).normal(size=(10, 1))
    loadings, rot, phi = rotate(a, "promax", reorder=True)
    np.testing.assert_array_equal(loadings, a)
    assert phi is None and rot.shape == (1, 1)
