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


def _random_eigenvalues(x: np.ndarray, cor: str, iterations: int, seed: int | None) -> np.ndarray:
    """Eigenvalues (decreasing, ``min(n, m)`` each) of ``iterations`` random forced sorts.

    Permuting a sort's values leaves its mean and norm alone, so the data are standardised
    once and the permutations are drawn from the standardised columns; the eigenvalues of
    ``z.T z`` are those of the smaller ``z z.T`` (plus zeros). Batches of Gram matrices go
    to one ``eigvalsh`` call.
    """
    n, m = x.shape
    z = engine.standardised(x, cor)
    if z is None:  # Kendall's tau has no standardised form to permute
        raise ValidationError("parallel analysis needs Pearson or Spearman correlations")
    rng = np.random.default_rng(seed)
    small = min(n, m)
    sims = np.empty((iterations, small))
    batch = 64
    for start in range(0, iterations, batch):
        count = min(batch, iterations - start)
        grams = np.empty((count, small, small))
        for b in range(count):
            zp = rng.permuted(z, axis=0)
            grams[b] = zp @ zp.T if n < m else zp.T @ zp
        sims[start:start + count] = np.linalg.eigvalsh(grams)[:, ::-1]
    return sims


def parallel_key(
    sorts, *, cor: str = "pearson", iterations: int = 200, seed: int | None = 0
) -> str:
    """What :func:`parallel_reference` depends on, as a hex digest: each sort's values
    (sorted, so for forced sorts only the grid and the number of sorts), the correlation,
    the iterations and the seed. Equal keys give equal references."""
    import hashlib

    x = np.sort(np.asarray(sorts, dtype=float), axis=0)
    h = hashlib.sha256(f"{x.shape}|{_sim_cor(cor)}|{iterations}|{seed}|".encode())
    h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()


def _sim_cor(cor: str) -> str:
    return "pearson" if cor == "kendall" else cor


@single_threaded
def parallel_reference(sorts, *, cor: str = "pearson", iterations: int = 200,
                       seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(p95, mean)``: eigenvalues of ``iterations`` random forced sorts at the 95th
    percentile and on average (Horn 1965), each random sort a permutation of a sort's own
    values. The permutations start from each sort's values in order, so the reference
    depends only on what :func:`parallel_key` hashes and can be kept and reused."""
    x = np.sort(np.asarray(sorts, dtype=float), axis=0)
    if iterations < 1:
        raise ValidationError("parallel analysis needs at least 1 iteration")
    sims = _random_eigenvalues(x, _sim_cor(cor), iterations, seed)
    return np.percentile(sims, 95, axis=0), sims.mean(axis=0)


@single_threaded
def factor_guidance(
    sorts,
    *,
    cor: str = "pearson",
    iterations: int = 200,
    seed: int | None = 0,
    max_factors: int = 8,
    reference: tuple[np.ndarray, np.ndarray] | None = None,
) -> FactorGuidance:
    """Guidance on the number of factors for sorts of shape (n_statements, n_sorts).

    Notes
    -----
    Parallel analysis (Horn 1965) here compares the observed eigenvalues with those of
    ``iterations`` data sets of random *forced* sorts (random permutations of each sort's
    own values), so the reference respects the Q grid; the 95th percentile is the
    threshold. Humphrey's rule: Brown (1980, p. 223); Watts & Stenner (2012, p. 107).
    ``reference`` is :func:`parallel_reference` of the same sorts and options when it is
    already known (it is the slow part).
    """
    x = np.asarray(sorts, dtype=float)
    n, m = x.shape
    if iterations < 1:
        raise ValidationError("parallel analysis needs at least 1 iteration")
    corr = engine.correlate(x, cor=cor) if cor == "kendall" else None
    k_max = max(1, min(max_factors, m, n - 1))
    loadings, eig = engine.pca(x, k_max, cor=cor, corr=corr)
    top2 = -np.sort(-np.abs(loadings), axis=0)[:2]
    products = top2[0] * top2[1]
    humphrey = _leading(products > 2 / np.sqrt(n))
    if reference is None:
        reference = parallel_reference(x, cor=cor, iterations=iterations, seed=seed)
    p95, mean = (np.asarray(a, dtype=float) for a in reference)
    k = p95.shape[0]
    retain = _leading(eig[:k] > p95)
    return FactorGuidance(
        eigenvalues=eig,
        explained=100 * eig / m,
        kaiser=int((eig > 1).sum()),
        humphrey=humphrey,
        humphrey_products=products,
        parallel=p95,
        parallel_mean=mean,
        parallel_retain=retain,
        iterations=iterations,
        seed=seed,
    )
