"""Analysis results as CSV files named and laid out like R qmethod's result objects.

``loadings.csv`` (``res$loa``), ``flagged.csv``, ``zscores.csv``, ``factor_arrays.csv``
(``res$zsc_n``), ``f_char.csv``, ``f_char_cor_zsc.csv``, ``f_char_sed.csv`` and
``distinguishing_consensus.csv`` (``res$qdc``): same file names, column names, row ids and
number format as ``write.csv`` of those objects, so they can be diffed against qmethod's.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from poetq.formats.sorts_csv import write_csv_rows

FILES = (
    "loadings.csv",
    "flagged.csv",
    "zscores.csv",
    "factor_arrays.csv",
    "f_char.csv",
    "f_char_cor_zsc.csv",
    "f_char_sed.csv",
    "distinguishing_consensus.csv",
)


def write_results(result, directory: str | Path) -> list[Path]:
    """Write the eight qmethod-style CSV files of an ``AnalysisResult`` into ``directory``."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    names = list(result.factor_names)
    k = result.n_factors
    sts, srt = result.statement_ids, result.sort_ids
    written = []

    def put(name, header, rows):
        write_csv_rows(out / name, header, rows)
        written.append(out / name)

    put("loadings.csv", ["sort", *names], [[s, *result.loadings[j]] for j, s in enumerate(srt)])
    put("flagged.csv", ["sort", *[f"flag_{n}" for n in names]],
        [[s, *[bool(v) for v in result.flags[j]]] for j, s in enumerate(srt)])
    put("zscores.csv", ["statement", *[f"zsc_{n}" for n in names]],
        [[s, *result.zscores[i]] for i, s in enumerate(sts)])
    put("factor_arrays.csv", ["statement", *[f"fsc_{n}" for n in names]],
        [[s, *result.factor_arrays[i]] for i, s in enumerate(sts)])
    ch = result.characteristics
    cols = ["av_rel_coef", "nload", "eigenvals", "expl_var", "reliability", "se_fscores"]
    put("f_char.csv", ["factor", *cols], [[names[f], *[ch[c][f] for c in cols]] for f in range(k)])
    zn = [f"zsc_{n}" for n in names]
    put("f_char_cor_zsc.csv", ["factor", *zn], [[zn[f], *result.cor_zsc[f]] for f in range(k)])
    put("f_char_sed.csv", ["factor", *names], [[names[f], *result.sed[f]] for f in range(k)])
    header = ["statement", "dist.and.cons"]
    for a, b in result.qdc_pairs:
        header += [f"f{a + 1}_f{b + 1}", f"sig_f{a + 1}_f{b + 1}"]
    rows = []
    for i, s in enumerate(sts):
        row = [s, result.qdc_labels[i]]
        for p in range(len(result.qdc_pairs)):
            row += [result.qdc_diffs[i, p], str(result.qdc_sig[i, p])]
        rows.append(row)
    put("distinguishing_consensus.csv", header, rows)
    return written


def read_table(path: str | Path) -> tuple[list[str], list[str], list[list[str]]]:
    """Read one such CSV: ``(header, row ids, cells as text)``."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r[0] for r in rows[1:]], [r[1:] for r in rows[1:]]


def numeric(cells: list[list[str]]) -> np.ndarray:
    """Cells as floats: TRUE/FALSE as 1/0, NA as NaN."""
    conv = {"TRUE": 1.0, "FALSE": 0.0, "NA": np.nan}
    return np.array([[conv[c] if c in conv else float(c) for c in row] for row in cells])
