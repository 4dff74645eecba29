"""The few pieces of ``scipy.stats`` the analysis needs, in numpy and :mod:`math`.

Importing ``scipy.stats`` costs over a second of CPU (it loads every distribution), more
than a whole analysis of a large study; these replacements agree with scipy to ~1e-13
(tests/analysis/test_statistics.py compares them).
"""

from __future__ import annotations

import math

import numpy as np

from poetq.errors import ValidationError

_erfc = np.frompyfunc(math.erfc, 1, 1)


def rank_columns(x: np.ndarray) -> np.ndarray:
    r"""Ranks 1..n within each column, ties given their average rank.

    Parameters
    ----------
    x : array_like of shape (n, m)
        Values to rank, column by column.

    Returns
    -------
    ndarray of shape (n, m)
        Float ranks.

    Notes
    -----
    A tie group occupying sorted positions ``first..last`` (0-based) gets the rank
    :math:`(\mathrm{first} + \mathrm{last}) / 2 + 1` for each member. As
    ``scipy.stats.rankdata(x, axis=0, method="average")`` and R's ``rank()`` (the ranks
    Spearman's rho correlates).
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    order = np.argsort(x, axis=0, kind="stable")
    ordered = np.take_along_axis(x, order, axis=0)
    index = np.broadcast_to(np.arange(n)[:, None], x.shape)
    starts = np.ones(x.shape, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    ends = np.ones(x.shape, dtype=bool)
    ends[:-1] = starts[1:]
    # Each position's tie group runs from the last start at or before it to the first end
    # at or after it; its members share the mean of those ranks.
    first = np.maximum.accumulate(np.where(starts, index, 0), axis=0)
    last = np.minimum.accumulate(np.where(ends, index, n - 1)[::-1], axis=0)[::-1]
    ranks = np.empty(x.shape)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=0)
    return ranks


def kendall_tau_b(x: np.ndarray) -> np.ndarray:
    r"""Kendall's tau-b between every pair of columns.

    Parameters
    ----------
    x : array_like of shape (n, m)
        Values, one variable per column.

    Returns
    -------
    ndarray of shape (m, m)
        Tau-b, clipped to [-1, 1]; NaN for a column with every value tied.

    Notes
    -----
    With :math:`s^{(a)}_{ij} = \operatorname{sign}(x_{ia} - x_{ja})` over the
    :math:`n (n - 1) / 2` pairs of rows :math:`i < j`,

    .. math:: \tau_b(a, b) = \frac{\sum s^{(a)} s^{(b)}}
              {\sqrt{\sum (s^{(a)})^2 \sum (s^{(b)})^2}}:

    concordant minus discordant pairs over the geometric mean of the pairs untied in each
    column. One matrix product for all columns, O(n² m²) flops and O(n² m) memory (n is a
    Q-set's size, small). As ``scipy.stats.kendalltau`` (tau-b) and R's
    ``cor(x, method = "kendall")``.
    """
    x = np.asarray(x, dtype=float)
    i, j = np.triu_indices(x.shape[0], k=1)
    signs = np.sign(x[i] - x[j])
    untied = np.sqrt((signs * signs).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = (signs.T @ signs) / np.outer(untied, untied)
    return np.clip(tau, -1.0, 1.0)


def normal_quantile(p: np.ndarray | float) -> np.ndarray:
    r"""Quantiles of the standard normal distribution (R's ``qnorm``, scipy's ``norm.ppf``).

    Parameters
    ----------
    p : float or array_like
        Probabilities in [0, 1].

    Returns
    -------
    float or ndarray
        :math:`\Phi^{-1}(p)`, of ``p``'s shape; -inf at 0 and +inf at 1.

    Raises
    ------
    ValidationError
        If a probability is outside [0, 1] or NaN.

    Notes
    -----
    Acklam's rational approximation (relative error < 1.2e-9) refined by one Halley step
    on :math:`\Phi(x) = \operatorname{erfc}(-x / \sqrt 2) / 2`, which brings it to machine
    precision. Computed in the lower tail, :math:`x(p) = -x(1 - p)`, so that an upper-tail
    ``p`` loses no digits.
    """
    p = np.asarray(p, dtype=float)
    if np.any((p < 0) | (p > 1) | np.isnan(p)):
        raise ValidationError("a probability must be between 0 and 1")
    q = np.minimum(p, 1.0 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = _acklam_lower(q)
        e = 0.5 * np.asarray(_erfc(-x / math.sqrt(2.0)), dtype=float) - q
        u = e * math.sqrt(2.0 * math.pi) * np.exp(0.5 * x * x)
        refined = x - u / (1.0 + 0.5 * x * u)
    refined = np.where(q == 0, -np.inf, np.where(q == 0.5, 0.0, refined))
    return np.where(p > 0.5, -refined, refined)[()]


_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)


def _acklam_lower(q: np.ndarray) -> np.ndarray:
    """Acklam's approximation for ``0 <= q <= 0.5`` (the lower half)."""
    a, b, c, d = _A, _B, _C, _D
    r = np.sqrt(-2.0 * np.log(np.where(q > 0, q, 1.0)))
    tail = ((((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
            / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1.0))
    s = q - 0.5
    t = s * s
    central = (((((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * s)
               / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1.0))
    return np.where(q < 0.02425, tail, central)


def t_quantile(p: float, df: float) -> float:
    r"""Quantile of Student's t distribution with ``df`` degrees of freedom (R's ``qt``).

    Parameters
    ----------
    p : float
        Probability in [0, 1].
    df : float
        Degrees of freedom, positive.

    Returns
    -------
    float
        :math:`F^{-1}(p)`; -inf at 0 and +inf at 1.

    Raises
    ------
    ValidationError
        If ``p`` is outside [0, 1] or NaN, or ``df`` is not positive.

    Notes
    -----
    For :math:`t < 0`, :math:`F(t) = I_x(df/2, 1/2) / 2` with :math:`x = df / (df + t^2)`
    (the regularised incomplete beta, by its continued fraction). The quantile solves
    :math:`\log F(-e^y) = \log p` for :math:`y = \log|t|` by Newton's method inside a shrinking
    bracket: in ``y`` the heavy tail :math:`F \sim C |t|^{-df}` is nearly linear, so a few steps
    reach machine precision. Above ``df = 1e5`` a Cornish-Fisher expansion about the normal
    quantile is used (its next term is O(df^-3)).
    """
    if not 0.0 <= p <= 1.0 or math.isnan(p):
        raise ValidationError("a probability must be between 0 and 1")
    if not df > 0:
        raise ValidationError("the degrees of freedom must be positive")
    if p in (0.0, 1.0):
        return math.copysign(math.inf, p - 0.5)
    q = min(p, 1.0 - p)
    if q == 0.5:
        return 0.0
    if df > 1e5:  # Cornish-Fisher about the normal quantile; the next term is O(df^-3)
        z = float(normal_quantile(p))
        return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df * df)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)

    def g(y: float) -> tuple[float, float]:
        u = 2.0 * y - math.log(df)  # log(t^2 / df), kept in logs so that t^2 cannot overflow
        log1p_u = u + math.log1p(math.exp(-u)) if u > 0 else math.log1p(math.exp(u))
        cdf = 0.5 * _betainc(df / 2, 0.5, -log1p_u, u - log1p_u)
        log_pdf = log_norm - (df + 1) / 2 * log1p_u
        return math.log(cdf) - math.log(q), -math.exp(log_pdf + y - math.log(cdf))

    lo, hi = -340.0, 340.0  # |t| from 1e-147 to 1e147; g decreases in y
    z = -float(normal_quantile(q))
    y = math.log(z)  # the normal quantile: close for large df, and Newton is quick in y
    for _ in range(100):
        value, slope = g(y)
        if value > 0:
            lo = y
        else:
            hi = y
        step = value / slope if slope else 0.0
        nxt = y - step
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)
        if abs(nxt - y) <= 1e-15 * max(1.0, abs(y)):
            y = nxt
            break
        y = nxt
    return -math.exp(y) if p < 0.5 else math.exp(y)


def _betainc(a: float, b: float, log_x: float, log_1mx: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)`` by Lentz's continued fraction.

    Takes ``log x`` and ``log(1 - x)`` so that neither end of (0, 1) loses digits.
    """
    x, one_minus_x = math.exp(log_x), math.exp(log_1mx)
    front = math.exp(a * log_x + b * log_1mx - _log_beta(a, b))
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast only below the mean
        return 1.0 - front * _beta_fraction(b, a, one_minus_x) / b
    return front * _beta_fraction(a, b, x) / a


def _log_beta(a: float, b: float) -> float:
    """``log B(a, b)``; for a large argument without the cancellation of two big lgammas."""
    small, big = sorted((a, b))
    if big < 20:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # Stirling: lgamma(x) = (x - 1/2) log x - x + log(2 pi)/2 + c(x), c(x) ~ 1/(12x) - ...
    ratio = ((big - 0.5) * math.log1p(small / big) + small * math.log(big + small) - small
             + _stirling_tail(big + small) - _stirling_tail(big))
    return math.lgamma(small) - ratio


def _stirling_tail(x: float) -> float:
    inv2 = 1.0 / (x * x)
    return (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680))) / x


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h
