import numpy as np
import pytest

from poetq.domain import Grid, validate_sort
from poetq.errors import ValidationError
from poetq.simulate import simulate_sorts

GRID = Grid.symmetric([2, 3, 4, 6, 10, 6, 4, 3, 2])


def test_every_simulated_sort_is_a_valid_forced_sort():
    sim = simulate_sorts(GRID, 25, n_viewpoints=3, seed=1)
    ids = [f"s{i}" for i in range(GRID.size)]
    assert sim.values.shape == (40, 25)
    for j in range(25):
        validate_sort(GRID, ids, dict(zip(ids, sim.values[:, j].astype(int).tolist())))


def test_sorts_of_one_viewpoint_correlate_more_than_across():
    sim = simulate_sorts(GRID, 30, n_viewpoints=3, noise=0.5, seed=2)
    r = np.corrcoef(sim.values.T)
    same = sim.viewpoint_of[:, None] == sim.viewpoint_of[None, :]
    off = ~np.eye(30, dtype=bool)
    assert r[same & off].mean() > r[~same].mean() + 0.4


def test_seed_makes_it_reproducible():
    a = simulate_sorts(GRID, 5, seed=3).values
    b = simulate_sorts(GRID, 5, seed=3).values
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs", [{"n_sorts": 0}, {"n_sorts": 3, "n_viewpoints": 0}, {"n_sorts": 3, "noise": -1}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValidationError):
        simulate_sorts(GRID, **kwargs)
