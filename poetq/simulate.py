"""Simulated Q-sorts with planted viewpoints, for demos, tests and benchmarks.

Each viewpoint is a latent ranking of the statements: random (:func:`simulate_sorts`) or
written by hand in a viewpoints file (:func:`load_viewpoints`, :func:`simulate_viewpoints`).
Each simulated respondent takes one viewpoint (some mirrored, so bipolar factors can
appear), adds noise to its standardised scores and ranks the result into the grid, so every
simulated sort is a valid forced sort of that grid.

A viewpoints file is TOML::

    qset = "joint-commissioning"          # the Q-set's slug (checked when given)

    [[viewpoint]]
    name = "ideal"                        # short name: letters, digits, '-' or '_'
    title = "An ideal world"
    description = "Joint commissioning is obviously right ..."
    [viewpoint.scores]                    # every statement id once; any numbers,
    jc01 = 1                              # higher = more agree (ties are fine)
    ...
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from poetq.domain import Grid
from poetq.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class Simulation:
    """Simulated sorts, shape ``(n_statements, n_sorts)``, and who holds which viewpoint."""

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


@dataclass(frozen=True)
class Viewpoint:
    """A planted viewpoint: a score per statement id (higher = more agree)."""

    name: str
    title: str
    description: str
    scores: dict[str, float]


_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _line_of(lines: list[str], pattern: str, start: int = 0) -> int:
    """1-based number of the first line at or after ``start`` matching ``pattern`` (else start+1)."""
    rx = re.compile(pattern)
    for i in range(start, len(lines)):
        if rx.search(lines[i]):
            return i + 1
    return start + 1


def parse_viewpoints(text: str, statement_ids, *, source: str = "<viewpoints>",
                     qset_slug: str | None = None) -> tuple[Viewpoint, ...]:
    """Viewpoints from TOML text, checked against a Q-set's statement ids.

    Every problem is listed as ``source:line: what``; nothing is returned half-read.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or re.search(r"line (\d+)", str(exc))
        line = line if isinstance(line, int) else int(line.group(1)) if line else 1
        raise ValidationError(f"{source}:{line}: not valid TOML ({str(exc).split(' (at')[0]})") from None
    lines = text.splitlines()
    problems: list[str] = []
    ids = list(statement_ids)
    known = set(ids)
    if qset_slug is not None and data.get("qset") not in (None, qset_slug):
        qset_line = _line_of(lines, r"^\s*qset\s*=")
        problems.append(f"{source}:{qset_line}: written for Q-set "
                        f"{data.get('qset')!r}, not {qset_slug!r}")
    blocks = data.get("viewpoint")
    if not isinstance(blocks, list) or not blocks:
        raise ValidationError(f"{source}:1: no [[viewpoint]] tables: write at least one viewpoint")
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*\[\[\s*viewpoint\s*\]\]", line)]
    out, names = [], set()
    for k, block in enumerate(blocks):
        start = starts[k] if k < len(starts) else 0
        here = f"{source}:{start + 1}"
        name = block.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"{here}: viewpoint {k + 1} needs a name of letters, digits, '-' or '_'")
            name = f"viewpoint-{k + 1}"
        elif name in names:
            problems.append(f"{here}: the name {name!r} is used twice")
        names.add(name)
        scores = block.get("scores")
        if not isinstance(scores, dict):
            problems.append(f"{here}: viewpoint {name!r} has no [viewpoint.scores] table")
            continue
        for sid, value in scores.items():
            line = _line_of(lines, rf"^\s*{re.escape(sid)}\s*=", start)
            if sid not in known:
                problems.append(f"{source}:{line}: {name}: {sid!r} is not a statement of the Q-set")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                problems.append(f"{source}:{line}: {name}: the score of {sid} must be a number")
        missing = [sid for sid in ids if sid not in scores]
        if missing:
            problems.append(f"{here}: {name}: no score for {len(missing)} statement"
                            f"{'s' if len(missing) > 1 else ''} ({', '.join(missing[:8])}"
                            f"{', …' if len(missing) > 8 else ''})")
        vals = [scores.get(sid) for sid in ids]
        if not missing and all(isinstance(v, (int, float)) for v in vals) and np.ptp(vals) == 0:
            problems.append(f"{here}: {name}: every statement has the same score")
        out.append(Viewpoint(name, str(block.get("title", name)), str(block.get("description", "")),
                             {sid: float(scores[sid]) for sid in ids if sid in scores
                              and isinstance(scores[sid], (int, float))}))
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def load_viewpoints(path: str | Path, statement_ids, *, qset_slug: str | None = None
                    ) -> tuple[Viewpoint, ...]:
    """Read and check a viewpoints file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no viewpoints file at {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path}: not UTF-8 text") from None
    return parse_viewpoints(text, statement_ids, source=str(path), qset_slug=qset_slug)


def simulate_viewpoints(
    grid: Grid,
    statement_ids,
    viewpoints,
    n_sorts: int,
    *,
    noise: float = 0.5,
    mirrored: float = 0.1,
    seed: int | None = 0,
) -> Simulation:
    """Forced sorts of ``grid`` from planted ``viewpoints`` (see :func:`load_viewpoints`).

    Respondents are spread evenly over the viewpoints (in a shuffled order); a fraction
    ``mirrored`` of them hold their viewpoint upside down. Each sort ranks the viewpoint's
    standardised scores plus Gaussian noise of SD ``noise`` into the grid.
    """
    if n_sorts < 1:
        raise ValidationError("simulate at least 1 sort")
    if noise < 0:
        raise ValidationError("noise must not be negative")
    if not 0 <= mirrored <= 1:
        raise ValidationError("the share of mirrored respondents must be between 0 and 1")
    ids = list(statement_ids)
    if len(ids) != grid.size:
        raise ValidationError(f"{len(ids)} statements for a grid of {grid.size}")
    rng = np.random.default_rng(seed)
    planted = np.array([[vp.scores[sid] for sid in ids] for vp in viewpoints], dtype=float).T
    planted = (planted - planted.mean(axis=0)) / planted.std(axis=0)
    k = planted.shape[1]
    viewpoint_of = np.arange(n_sorts) % k
    rng.shuffle(viewpoint_of)
    flip = rng.random(n_sorts) < mirrored
    sign = np.where(flip, -1.0, 1.0)
    latent = planted[:, viewpoint_of] * sign + noise * rng.standard_normal((len(ids), n_sorts))
    order = np.argsort(latent, axis=0, kind="stable")
    values = np.empty((len(ids), n_sorts))
    distribution = np.asarray(grid.distribution(), dtype=float)
    np.put_along_axis(values, order, distribution[:, None], axis=0)
    width = len(str(n_sorts))
    sort_ids = tuple(f"R{j + 1:0{width}d}" for j in range(n_sorts))
    return Simulation(values, viewpoint_of, planted, sort_ids, flip,
                      tuple(vp.name for vp in viewpoints))
