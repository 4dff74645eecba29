"""Simulated Q-sorts with planted viewpoints, for demos, tests and benchmarks.

Each viewpoint is a random ordering of the statements; each simulated respondent takes one
viewpoint, adds noise to its scores and ranks the result into the grid, so every simulated
sort is a valid forced sort of that grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poetq.domain import Grid
from poetq.errors import ValidationError


@dataclass(frozen=True)
class Simulation:
    """Simulated sorts, shape ``(n_statements, n_sorts)``, and who holds which viewpoint."""

    values: np.ndarray
    viewpoint_of: np.ndarray
    viewpoints: np.ndarray
    sort_ids: tuple[str, ...]


def simulate_sorts(
    grid: Grid,
    n_sorts: int,
    *,
    n_viewpoints: int = 3,
    noise: float = 0.6,
    seed: int | None = 0,
) -> Simulation:
    """Forced sorts of ``grid`` generated from ``n_viewpoints`` planted viewpoints.

    Parameters
    ----------
    grid : Grid
        The forced distribution every sort must follow.
    n_sorts : int
        Number of respondents to simulate.
    n_viewpoints : int, default 3
        Number of planted viewpoints; respondents are spread evenly over them.
    noise : float, default 0.6
        Standard deviation of the noise added to a viewpoint's standardised scores before
        ranking (0 gives identical sorts within a viewpoint).
    seed : int or None, default 0
        Seed of the random generator (results are reproducible for a given seed).
    """
    if n_sorts < 1:
        raise ValidationError("simulate at least 1 sort")
    if n_viewpoints < 1:
        raise ValidationError("plant at least 1 viewpoint")
    if noise < 0:
        raise ValidationError("noise must not be negative")
    rng = np.random.default_rng(seed)
    n = grid.size
    distribution = np.asarray(grid.distribution(), dtype=float)
    viewpoints = rng.standard_normal((n, n_viewpoints))
    viewpoint_of = np.arange(n_sorts) % n_viewpoints
    rng.shuffle(viewpoint_of)
    latent = viewpoints[:, viewpoint_of] + noise * rng.standard_normal((n, n_sorts))
    order = np.argsort(latent, axis=0, kind="stable")
    values = np.empty((n, n_sorts))
    np.put_along_axis(values, order, distribution[:, None], axis=0)
    width = len(str(n_sorts))
    ids = tuple(f"R{j + 1:0{width}d}" for j in range(n_sorts))
    return Simulation(values, viewpoint_of, viewpoints, ids)
