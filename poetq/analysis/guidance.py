"""How many factors? Eigenvalues, Kaiser's criterion, Humphrey's rule, parallel analysis."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from poetq.analysis import engine
from poetq.analysis.threads import single_threaded
from poetq.errors import ValidationError


@dataclass(frozen=True)
class FactorGuidance:
    r"""Evidence for the number of factors to extract.

    Attributes
    ----------
    eigenvalues : ndarray of shape (n_sorts,)
        Eigenvalues of the correlation matrix, decreasing.
    explained : ndarray of shape (n_sorts,)
        Percent of variance of each: :math:`100 \lambda / m`.
    kaiser : int
        Number of eigenvalues above 1.
    humphrey : int
        Number of leading unrotated PCA factors whose two largest absolute loadings have a
        product above twice the standard error :math:`1/\sqrt{n}`.
    humphrey_products : ndarray
        That product per factor.
    parallel : ndarray
        Eigenvalues at the 95th percentile of random forced sorts of the same shape.
    parallel_mean : ndarray
        Their means.
    parallel_retain : int
        Number of leading eigenvalues above ``parallel``.
    iterations : int
        Random data sets of the parallel analysis.
    seed : int or None
        Their seed.
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
        """A summary choice of the number of factors.

        The median (rounded down) of the non-zero Kaiser, Humphrey and parallel counts; 1
        when all are 0.
        """
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
    """What :func:`parallel_reference` depends on, as a hex digest.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation (Kendall simulates as Pearson).
    iterations : int, default 200
        Random data sets.
    seed : int or None, default 0
        Their seed.

    Returns
    -------
    str
        SHA-256 hex digest; equal keys give equal references.

    Notes
    -----
    Hashes each sort's values sorted (so for forced sorts only the grid and the number of
    sorts), the correlation used, the iterations and the seed.
    """
    x = np.sort(np.asarray(sorts, dtype=float), axis=0)
    h = hashlib.sha256(f"{x.shape}|{_sim_cor(cor)}|{iterations}|{seed}|".encode())
    h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()


def _sim_cor(cor: str) -> str:
    return "pearson" if cor == "kendall" else cor


@single_threaded
def parallel_reference(sorts, *, cor: str = "pearson", iterations: int = 200,
                       seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues of random forced sorts: the reference of a parallel analysis.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation (Kendall's tau has no standardised form to permute: simulated as Pearson).
    iterations : int, default 200
        Number of random data sets.
    seed : int or None, default 0
        Seed of the permutations.

    Returns
    -------
    p95 : ndarray of shape (min(n_statements, n_sorts),)
        Eigenvalues at the 95th percentile over the data sets.
    mean : ndarray of shape (min(n_statements, n_sorts),)
        Their means.

    Raises
    ------
    ValidationError
        If ``iterations`` is below 1.

    Notes
    -----
    Horn (1965), with each random sort a permutation of a sort's own values, so the reference
    respects the Q grid. The permutations start from each sort's values in order, so the
    reference depends only on what :func:`parallel_key` hashes and can be kept and reused.
    The eigenvalues of :math:`Z^\top Z` are those of the smaller :math:`Z Z^\top` (plus zeros).
    R: like ``psych::fa.parallel``, which simulates normal data instead.
    """
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
    r"""Guidance on the number of factors: eigenvalues, Kaiser, Humphrey, parallel analysis.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation between sorts.
    iterations : int, default 200
        Random data sets of the parallel analysis.
    seed : int or None, default 0
        Their seed.
    max_factors : int, default 8
        Most factors Humphrey's rule looks at.
    reference : (ndarray, ndarray), optional
        :func:`parallel_reference` of the same sorts and options when it is already known
        (it is the slow part).

    Returns
    -------
    FactorGuidance
        The evidence and a suggestion.

    Raises
    ------
    ValidationError
        If ``iterations`` is below 1.

    Notes
    -----
    Kaiser: :math:`\#\{\lambda_f > 1\}`. Humphrey's rule (Brown 1980, p. 223; Watts & Stenner
    2012, p. 107): factor f counts while :math:`|a|_{(1)f} |a|_{(2)f} > 2/\sqrt{n}`, the two
    largest absolute unrotated PCA loadings. Parallel analysis (Horn 1965): the leading
    eigenvalues above the 95th percentile of those of random forced sorts
    (:func:`parallel_reference`). qmethod has no such function (its ``screeplot`` shows the
    eigenvalues).
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
