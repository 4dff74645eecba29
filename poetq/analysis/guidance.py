"""How many factors? Eigenvalues, Kaiser's criterion, Humphrey's rule, parallel analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poetq.analysis import engine
from poetq.analysis.threads import single_threaded
from poetq.errors import ValidationError


@dataclass(frozen=True)
class FactorGuidance:
    """Evidence for the number of factors to extract.

    ``eigenvalues`` of the correlation matrix (descending) and ``explained`` (% of variance);
    ``kaiser`` = number of eigenvalues > 1; ``humphrey`` = number of leading unrotated PCA
    factors whose two largest absolute loadings have a product above twice the standard
    error ``1/sqrt(n_statements)``; ``parallel`` = eigenvalues at the 95th percentile of
    random forced sorts of the same shape and distribution, and ``parallel_retain`` the
    number of leading eigenvalues above them; ``suggested`` a summary choice.
    """

    eigenvalues: np.ndarray
    explained: np.ndarray
    kaiser: int
    humphrey: int
    humphrey_products: np.ndarray
    parallel: np.ndarray
    parallel_mean: np.ndarray
    parallel_retain: int
    iterations: int
    seed: int | None

    @property
    def suggested(self) -> int:
        votes = [v for v in (self.kaiser, self.humphrey, self.parallel_retain) if v > 0]
        return int(np.median(votes)) if votes else 1


def _leading(mask: np.ndarray) -> int:
    return int(np.argmin(mask)) if not mask.all() else int(mask.size)


@single_threaded
def factor_guidance(
    sorts,
    *,
    cor: str = "pearson",
    iterations: int = 200,
    seed: int | None = 0,
    max_factors: int = 8,
) -> FactorGuidance:
    """Guidance on the number of factors for sorts of shape (n_statements, n_sorts).

    Notes
    -----
    Parallel analysis (Horn 1965) here compares the observed eigenvalues with those of
    ``iterations`` data sets of random *forced* sorts (random permutations of each sort's
    own values), so the reference respects the Q grid; the 95th percentile is the
    threshold. Humphrey's rule: Brown (1980, p. 223); Watts & Stenner (2012, p. 107).
    """
    x = np.asarray(sorts, dtype=float)
    n, m = x.shape
    if iterations < 1:
        raise ValidationError("parallel analysis needs at least 1 iteration")
    _, eig = engine.pca(x, 1, cor=cor, corr=engine.correlate(x, cor=cor) if cor == "kendall" else None)
    k_max = max(1, min(max_factors, m, n - 1))
    loadings, _ = engine.pca(x, k_max, cor=cor, corr=engine.correlate(x, cor=cor) if cor == "kendall" else None)
    top2 = -np.sort(-np.abs(loadings), axis=0)[:2]
    products = top2[0] * top2[1]
    humphrey = _leading(products > 2 / np.sqrt(n))
    rng = np.random.default_rng(seed)
    sims = np.empty((iterations, min(m, n)))
    for it in range(iterations):
        perm = np.argsort(rng.random((n, m)), axis=0)
        rand = np.take_along_axis(x, perm, axis=0)
        rcor = "pearson" if cor == "kendall" else cor
        _, e = engine.pca(rand, 1, cor=rcor)
        sims[it] = e[: sims.shape[1]]
    p95 = np.percentile(sims, 95, axis=0)
    k = sims.shape[1]
    retain = _leading(eig[:k] > p95)
    return FactorGuidance(
        eigenvalues=eig,
        explained=100 * eig / m,
        kaiser=int((eig > 1).sum()),
        humphrey=humphrey,
        humphrey_products=products,
        parallel=p95,
        parallel_mean=sims.mean(axis=0),
        parallel_retain=retain,
        iterations=iterations,
        seed=seed,
    )
