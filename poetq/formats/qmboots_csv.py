"""Bootstrap files laid out as R's ``write.csv`` writes ``qmboots``' objects (specs/bootstrap.md).

* :func:`read_resamples`: ``write.csv(b$resamples, FILE, row.names = FALSE)``, one column per
  step (``bsampl_1`` ...), one row per draw, 1-based sort positions.
* :func:`write_bootstrap`: ``zscore-stats_factor<f>.csv``, ``loa.stats_factor<f>.csv``,
  ``qmb.summary_qsorts.csv``, ``qmb.summary_statements.csv`` (and ``resamples.csv``): a header
  of an empty cell and the column names, row ids first, ``NA`` for a missing value, 15
  significant digits, so R users can diff them with their own.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from poetq.analysis.bootstrap import DESCRIBE, BootstrapResult
from poetq.errors import ValidationError

#: Largest resamples file read (bytes): 1e6 draws of 7-digit positions.
MAX_BYTES = 10_000_000


def read_resamples(path: str | Path, n_sorts: int) -> np.ndarray:
    """The 0-based ``(n_sorts, steps)`` resamples of a ``b$resamples`` CSV; refuses a file
    with a row count other than ``n_sorts`` or a position outside 1..n_sorts."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no resamples file at {path}")
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError(
            f"{path} is larger than {MAX_BYTES // 1_000_000} MB: not a resamples file"
        )
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (UnicodeDecodeError, csv.Error):
        raise ValidationError(
            f"{path} is not a CSV of resamples (write.csv(b$resamples))"
        ) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows or not all(h.startswith("bsampl_") for h in rows[0]):
        raise ValidationError(
            f"{path}: the header must be bsampl_1, bsampl_2, ... "
            "(write.csv(b$resamples, row.names = FALSE))"
        )
    body = rows[1:]
    if len(body) != n_sorts:
        raise ValidationError(f"{path} has {len(body)} rows of draws but there are {n_sorts} sorts")
    steps = len(rows[0])
    values = np.zeros((n_sorts, steps), dtype=np.int64)
    for i, row in enumerate(body, start=2):
        if len(row) != steps:
            raise ValidationError(f"{path}, line {i}: {len(row)} cells, the header has {steps}")
        for j, cell in enumerate(row):
            try:
                v = int(cell.strip())
            except ValueError:
                v = 0
            if not 1 <= v <= n_sorts:
                raise ValidationError(
                    f"{path}, line {i}, column {j + 1}: {cell.strip()!r} is not a "
                    f"sort position from 1 to {n_sorts}"
                )
            values[i - 2, j] = v - 1
    return values


def _cell(v) -> str:
    if isinstance(v, str):
        return v
    v = float(v)
    if math.isnan(v):
        return "NA"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return f"{v:.15g}"


def _write(path: Path, header: list[str], ids: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(",".join(f'"{h}"' for h in ["", *header]) + "\n")
        for rid, row in zip(ids, rows):
            fh.write(",".join([f'"{rid}"', *(_cell(v) for v in row)]) + "\n")
    return path


def write_bootstrap(b: BootstrapResult, directory: str | Path) -> list[Path]:
    """Write qmboots' summary files for ``b`` into ``directory`` (created if needed)."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValidationError(f"{directory} is a file: --out needs a directory")
    directory.mkdir(parents=True, exist_ok=True)
    full = b.full
    k = full.n_factors
    sts, srt = list(full.statement_ids), list(full.sort_ids)
    by_id = sorted(range(len(srt)), key=lambda j: srt[j])
    files = []
    zstats = [b.zscore_stats(f) for f in range(k)]
    lstats = [b.loading_stats(f) for f in range(k)]
    for f in range(k):
        files.append(_write(directory / f"zscore-stats_factor{f + 1}.csv", ["vars", *DESCRIBE], sts,
                            [[i + 1, *(d[c] for c in DESCRIBE)] for i, d in enumerate(zstats[f])]))
        cols = [*DESCRIBE, "flag_freq"]
        files.append(_write(directory / f"loa.stats_factor{f + 1}.csv", ["vars", *cols],
                            [srt[j] for j in by_id],
                            [[j + 1, *(lstats[f][j][c] for c in cols)] for j in by_id]))
    names = [f"f{i + 1}" for i in range(k)]
    loa = np.asarray(full.loadings)
    header = [f"{n}.std" for n in names]
    for n in names:
        header += [f"{n}.loa", f"{n}.SE"]
    header += [f"flag.freq{i + 1}" for i in range(k)] + [f"{n}.std.1" for n in names]
    rows = []
    for j in by_id:
        row = list(loa[j])
        for f in range(k):
            row += [lstats[f][j]["mean"], lstats[f][j]["sd"]]
        row += [lstats[f][j]["flag_freq"] for f in range(k)]
        row += [loa[j, f] - lstats[f][j]["mean"] for f in range(k)]
        rows.append(row)
    files.append(
        _write(directory / "qmb.summary_qsorts.csv", header, [srt[j] for j in by_id], rows)
    )
    z = np.asarray(full.zscores)
    fsc = np.asarray(full.factor_arrays)
    boot_fsc = b.array
    header = [f"{n}.zsc.std" for n in names]
    for n in names:
        header += [f"{n}.zsc.bts", f"{n}.SE"]
    header += [f"{n}.zsc.std.1" for n in names] + [f"fsc_{n}" for n in names]
    header += [f"fsc.bts.{i + 1}" for i in range(k)] + [f"{n}.fsc.bias" for n in names]
    rows = []
    for i in range(len(sts)):
        row = list(z[i])
        for f in range(k):
            row += [zstats[f][i]["mean"], zstats[f][i]["sd"]]
        row += [z[i, f] - zstats[f][i]["mean"] for f in range(k)]
        row += list(fsc[i]) + list(boot_fsc[i]) + list(fsc[i] - boot_fsc[i])
        rows.append(row)
    files.append(_write(directory / "qmb.summary_statements.csv", header, sts, rows))
    resamples = directory / "resamples.csv"
    with resamples.open("w", newline="", encoding="utf-8") as fh:
        fh.write(",".join(f'"bsampl_{s + 1}"' for s in range(b.steps)) + "\n")
        for row in b.resamples:
            fh.write(",".join(str(int(v) + 1) for v in row) + "\n")
    files.append(resamples)
    return files
