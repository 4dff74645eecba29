"""Simulated Q-sorts with planted viewpoints, for demos, tests and benchmarks.

Each viewpoint is a latent ranking of the statements: random (:func:`simulate_sorts`) or
written by hand in a viewpoints file (:func:`load_viewpoints`, :func:`simulate_viewpoints`).
Each simulated respondent takes one viewpoint (some mirrored, so bipolar factors can
appear), adds noise to its standardised scores and ranks the result into the grid, so every
simulated sort is a valid forced sort of that grid.

A viewpoints file is TOML; each viewpoint is itself a Q-sort of the Q-set's grid (every
statement id once, on the grid's values, as many in each column as the grid holds)::

    qset = "joint-commissioning"          # the Q-set's slug (checked when given)

    [[viewpoint]]
    name = "ideal"                        # short name: letters, digits, '-' or '_'
    title = "An ideal world"
    description = "Joint commissioning is obviously right ..."
    [viewpoint.scores]                    # statement id = grid value
    jc01 = +2                             # (-4 most disagree .. +4 most agree)
    ...
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from poetq.domain import Grid, QSet, format_value
from poetq.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class Simulation:
    """Simulated sorts and who holds which viewpoint.

    ``values`` (n_statements, n_sorts) are the sorts; ``viewpoint_of`` (n_sorts,) the index of
    each sort's viewpoint; ``viewpoints`` (n_statements, n_viewpoints) the standardised
    viewpoints; ``mirrored`` (n_sorts,) True where a sort holds its viewpoint upside down.
    """

    values: np.ndarray
    viewpoint_of: np.ndarray
    viewpoints: np.ndarray
    sort_ids: tuple[str, ...]
    mirrored: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    viewpoint_names: tuple[str, ...] = ()


def simulate_sorts(
    grid: Grid,
    n_sorts: int,
    *,
    n_viewpoints: int = 3,
    viewpoints=None,
    mirrored: float = 0.0,
    noise: float = 0.6,
    seed: int | None = 0,
) -> Simulation:
    """Forced sorts of ``grid`` generated from planted viewpoints.

    Parameters
    ----------
    grid : Grid
        The forced distribution every sort must follow.
    n_sorts : int
        Number of respondents to simulate.
    n_viewpoints : int, default 3
        Number of random viewpoints to plant (ignored when ``viewpoints`` is given);
        respondents are spread evenly over the viewpoints, in a shuffled order.
    viewpoints : array_like of shape (n_statements, n_viewpoints), optional
        Planted viewpoints, one column each (higher = more agree); each column is
        standardised. Default: ``n_viewpoints`` standard normal columns.
    mirrored : float, default 0.0
        Share of respondents who hold their viewpoint upside down (``round(mirrored *
        n_sorts)`` of them, spread evenly over the viewpoints, chosen at random).
    noise : float, default 0.6
        Standard deviation of the noise added to a viewpoint's standardised scores before
        ranking (0 gives identical sorts within a viewpoint, ties broken by statement order).
    seed : int or None, default 0
        Seed of the random generator (results are reproducible for a given seed).

    Notes
    -----
    Sort ``j`` ranks ``s_j * z[:, v_j] + noise * e_j`` into the grid, where ``z`` are the
    standardised viewpoints, ``v_j`` the sort's viewpoint, ``s_j = -1`` for a mirrored sort
    (else 1) and ``e_j`` standard normal: the lowest-ranked statements take the grid's
    lowest values, and so on.
    """
    if n_sorts < 1:
        raise ValidationError("simulate at least 1 sort")
    if noise < 0:
        raise ValidationError("noise must not be negative")
    if not 0 <= mirrored <= 1:
        raise ValidationError("the share of mirrored respondents must be between 0 and 1")
    rng = np.random.default_rng(seed)
    n = grid.size
    if viewpoints is None:
        if n_viewpoints < 1:
            raise ValidationError("plant at least 1 viewpoint")
        planted = rng.standard_normal((n, n_viewpoints))
    else:
        planted = np.asarray(viewpoints, dtype=float)
        if planted.ndim != 2 or planted.shape[0] != n or planted.shape[1] < 1:
            raise ValidationError(f"viewpoints must be an array of shape ({n}, n_viewpoints), "
                                  f"not {planted.shape}")
        spread = planted.std(axis=0)
        if not np.isfinite(planted).all() or (spread == 0).any():
            raise ValidationError("every viewpoint needs finite scores that are not all equal")
        planted = (planted - planted.mean(axis=0)) / spread
    k = planted.shape[1]
    viewpoint_of = np.arange(n_sorts) % k
    rng.shuffle(viewpoint_of)
    latent = planted[:, viewpoint_of] + noise * rng.standard_normal((n, n_sorts))
    flip = np.zeros(n_sorts, dtype=bool)
    n_flip = round(mirrored * n_sorts)
    if n_flip:  # drawn last, so sorts without mirroring stay as they always were
        holders = [rng.permutation(np.flatnonzero(viewpoint_of == v)) for v in range(k)]
        turn = rng.permutation(k)
        for i in range(n_flip):  # round robin: each viewpoint keeps a majority the right way up
            flip[holders[turn[i % k]][i // k]] = True
        latent[:, flip] -= 2 * planted[:, viewpoint_of[flip]]
    order = np.argsort(latent, axis=0, kind="stable")
    values = np.empty((n, n_sorts))
    distribution = np.asarray(grid.distribution(), dtype=float)
    np.put_along_axis(values, order, distribution[:, None], axis=0)
    width = len(str(n_sorts))
    ids = tuple(f"R{j + 1:0{width}d}" for j in range(n_sorts))
    return Simulation(values, viewpoint_of, planted, ids, flip)


@dataclass(frozen=True)
class Viewpoint:
    """A planted viewpoint: a Q-sort of the Q-set's grid, ``scores[statement id] = value``."""

    name: str
    title: str
    description: str
    scores: dict[str, int]


_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _line_of(lines: list[str], pattern: str, start: int = 0) -> int:
    """1-based number of the first line at or after ``start`` matching ``pattern``.

    Else start+1.
    """
    rx = re.compile(pattern)
    for i in range(start, len(lines)):
        if rx.search(lines[i]):
            return i + 1
    return start + 1


def _check_scores(scores: dict, qset: QSet, name: str, lines: list[str], start: int,
                  source: str) -> list[str]:
    """Problems of one viewpoint's scores: each a line of ``source``, as ``poetq qset check``."""
    grid, ids = qset.grid, list(qset.statement_ids)
    known = set(ids)
    here = f"{source}:{start + 1}"
    problems = []
    span = f"{format_value(grid.values[0])} to {format_value(grid.values[-1])}"
    for sid, value in scores.items():
        line = _line_of(lines, rf"^\s*{re.escape(sid)}\s*=", start)
        if sid not in known:
            problems.append(f"{source}:{line}: {name}: {sid!r} is not a statement of the Q-set")
        elif isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{source}:{line}: {name}: the score of {sid} must be a whole "
                            f"number from {span}, not {value!r}")
        elif grid.capacity(value) == 0:
            problems.append(f"{source}:{line}: {name}: {sid} = {format_value(value)} is not a "
                            f"column of the grid ({span})")
    missing = [sid for sid in ids if sid not in scores]
    if missing:
        problems.append(f"{here}: {name}: no score for {len(missing)} statement"
                        f"{'s' if len(missing) > 1 else ''} ({', '.join(missing[:8])}"
                        f"{', …' if len(missing) > 8 else ''})")
    if problems:
        return problems
    filled = Counter(scores[sid] for sid in ids)
    wrong = [f"{format_value(v)} has {filled.get(v, 0)} (needs {c})"
             for v, c in zip(grid.values, grid.counts) if filled.get(v, 0) != c]
    if wrong:
        needs = ", ".join(str(c) for c in grid.counts)
        problems.append(f"{here}: {name}: the scores do not follow the grid's forced "
                        f"distribution {needs}: column {'; column '.join(wrong)}")
    return problems


def parse_viewpoints(
    text: str, qset: QSet, *, source: str = "<viewpoints>"
) -> tuple[Viewpoint, ...]:
    """Viewpoints from TOML text (see the module docstring), checked against ``qset``.

    Each viewpoint must be a valid sort of the Q-set's grid. Every problem is listed as
    ``source:line: what`` in one :class:`~poetq.errors.ValidationError`; nothing is
    returned half-read.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or re.search(r"line (\d+)", str(exc))
        line = line if isinstance(line, int) else int(line.group(1)) if line else 1
        raise ValidationError(
            f"{source}:{line}: not valid TOML ({str(exc).split(' (at')[0]})"
        ) from None
    lines = text.splitlines()
    if data.get("qset") not in (None, qset.slug):  # then every score would be wrong too
        line = _line_of(lines, r"^\s*qset\s*=")
        raise ValidationError(f"{source}:{line}: written for Q-set {data.get('qset')!r}, "
                              f"not {qset.slug!r}")
    blocks = data.get("viewpoint")
    if not isinstance(blocks, list) or not blocks:
        raise ValidationError(f"{source}:1: no [[viewpoint]] tables: write at least one viewpoint")
    problems: list[str] = []
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*\[\[\s*viewpoint\s*\]\]", line)]
    out, names = [], set()
    for k, block in enumerate(blocks):
        start = starts[k] if k < len(starts) else 0
        here = f"{source}:{start + 1}"
        name = block.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(
                f"{here}: viewpoint {k + 1} needs a name of letters, digits, '-' or '_'"
            )
            name = f"viewpoint-{k + 1}"
        elif name in names:
            problems.append(f"{here}: the name {name!r} is used twice")
        names.add(name)
        scores = block.get("scores")
        if not isinstance(scores, dict):
            problems.append(f"{here}: viewpoint {name!r} has no [viewpoint.scores] table")
            continue
        found = _check_scores(scores, qset, name, lines, start, source)
        problems += found
        if not found:
            out.append(Viewpoint(name, str(block.get("title", name)),
                                 str(block.get("description", "")),
                                 {sid: scores[sid] for sid in qset.statement_ids}))
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def load_viewpoints(path: str | Path, qset: QSet) -> tuple[Viewpoint, ...]:
    """Read and check a viewpoints file for ``qset`` (see :func:`parse_viewpoints`)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no viewpoints file at {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path}: not UTF-8 text") from None
    return parse_viewpoints(text, qset, source=str(path))


def simulate_viewpoints(
    qset: QSet,
    viewpoints,
    n_sorts: int,
    *,
    noise: float = 0.5,
    mirrored: float = 0.1,
    seed: int | None = 0,
) -> Simulation:
    """Forced sorts of ``qset`` from planted ``viewpoints`` (see :func:`load_viewpoints`).

    Respondents are spread evenly over the viewpoints (in a shuffled order); a share
    ``mirrored`` of them, spread evenly too, hold their viewpoint upside down. See
    :func:`simulate_sorts`.
    """
    viewpoints = tuple(viewpoints)
    if not viewpoints:
        raise ValidationError("plant at least 1 viewpoint")
    planted = np.array([[vp.scores[sid] for vp in viewpoints] for sid in qset.statement_ids],
                       dtype=float)
    sim = simulate_sorts(qset.grid, n_sorts, viewpoints=planted, mirrored=mirrored,
                         noise=noise, seed=seed)
    return replace(sim, viewpoint_names=tuple(vp.name for vp in viewpoints))
