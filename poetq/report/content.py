"""The report's content as a list of blocks, laid out once and written as HTML/PDF or .docx.

Blocks are plain values (headings, paragraphs, tables, figures); :mod:`poetq.report.html`
and :mod:`poetq.report.docx` only render them, so both documents hold the same content,
with tables and figures numbered in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from poetq import __version__
from poetq.bidi import isolate_if_needed as iso
from poetq.domain import QSet, format_value
from poetq.plots import SYMBOLS
from poetq.report.crib import CribSheet, crib_sheet, number_of

#: (caption, Figure) pairs, in the order the report shows them
Figures = Sequence[tuple[str, Figure]]

MARK_TEXT = {"higher01": "▲ higher, p<.01", "higher05": "△ higher, p<.05",
             "lower01": "▼ lower, p<.01", "lower05": "▽ lower, p<.05",
             "differs01": "◆ differs (mixed), p<.01", "differs05": "◇ differs (mixed), p<.05",
             "consensus": "● consensus"}

#: Watts & Stenner (2012, ch. 7) write a factor up from its crib sheet under these headings.
NARRATIVE = (
    ("Name of the viewpoint", "A short name that says what this viewpoint is about."),
    (
        "Who holds it",
        "The defining sorts: how many, who they are (demographics, roles), how "
        "strongly they load; the explained variance.",
    ),
    ("Summary", "One paragraph: the viewpoint as its holders would put it."),
    (
        "What it holds most strongly",
        "The statements at the top of the array and why, citing "
        "items as (12: +4) and the respondents' own words.",
    ),
    ("What it rejects", "The statements at the bottom of the array and why (items as (7: −4))."),
    (
        "What sets it apart",
        "Statements ranked higher or lower than in every other factor, and "
        "the distinguishing statements.",
    ),
    (
        "Where it agrees with the others",
        "The consensus statements and how this viewpoint reads them.",
    ),
    ("Questions for the next reading", "What is unclear; what the post-sort answers add."),
)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = ""  # "" | "muted" | "template" | "note"


@dataclass(frozen=True)
class Table:
    """A numbered table; ``text_columns`` are left-aligned, the rest are numbers."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text_columns: frozenset[int] = frozenset()
    bold: frozenset[tuple[int, int]] = frozenset()  # (row, column) cells set in bold
    keep: bool = True  # short enough to keep on one page


@dataclass(frozen=True)
class FigureBlock:
    caption: str
    figure: Figure = field(compare=False)


Block = Heading | Para | Table | FigureBlock


@dataclass(frozen=True)
class RespondentWords:
    """The respondents' own words: sort id -> comments ``(statement id, column, text)`` and
    sort id -> answers ``{question prompt: answer}``."""

    comments: Mapping[str, Sequence[tuple[str, int | None, str]]] = field(default_factory=dict)
    answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _num(x: float, digits: int = 4) -> str:
    return "–" if np.isnan(x) else f"{x:.{digits}f}"


def _value(x) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else format_value(int(x))


def method_rows(
    result, guidance=None, boot=None, made_on: str | None = None
) -> list[tuple[str, str]]:
    ch = result.characteristics
    rows = [
        ("Correlation", result.cor),
        ("Extraction", "PCA" if result.extraction == "pca" else "centroid (Brown)"),
        ("Rotation", result.rotation),
        ("Factors extracted", str(result.n_factors)),
        ("Flags", result.flag_rule),
        ("Z-scores", "weighted sum of flagged sorts, weight a/(1 − a²); sample SD"),
        (
            "Explained variance",
            f"{float(np.nansum(ch['expl_var'])):.1f}% in all ("
            + ", ".join(f"{n} {v:.1f}%" for n, v in zip(result.factor_names, ch["expl_var"]))
            + ")",
        ),
        (
            "Distinguishing statements",
            "differ from every other factor at p < .05 (PQMethod's rule); "
            "▲/▼ higher/lower than all, ◆ mixed directions",
        ),
    ]
    for adj in result.adjustments:
        rows.append(("Adjustment", " ".join(str(a) for a in adj)))
    if guidance is not None:
        rows.append(("Number of factors (guidance)",
                     (f"Kaiser {guidance.kaiser}, Humphrey {guidance.humphrey}, parallel analysis "
                      f"{guidance.parallel_retain} ({guidance.iterations} random forced data sets, "
                      f"seed {guidance.seed})")))
    if boot is not None:
        rows.append(
            ("Bootstrap", f"{boot.steps} samples (seed {boot.seed}), {boot.valid_steps} aligned")
        )
    rows.append(("Equivalent R call",
                 (f"qmethod(sorts, nfactors = {result.n_factors}, extraction = "
                  f"\"{'PCA' if result.extraction == 'pca' else 'centroid'}\", rotation = "
                  f"\"{result.rotation}\", cor.method = \"{result.cor}\")")))
    rows.append(("Software", f"poetq {__version__}" + (f", {made_on}" if made_on else "")))
    return rows


def report_blocks(
    result,
    *,
    title: str = "Q analysis",
    source_name: str = "",
    qset: QSet | None = None,
    texts: Mapping[str, str] | None = None,
    figures: Figures = (),
    guidance=None,
    boot=None,
    made_on: str | None = None,
    words: RespondentWords | None = None,
    factor_names: Sequence[str] = (),
) -> list[Block]:
    """Every block of the report, in order. ``texts`` are statement texts when there is no
    Q-set (from a .STA, KADE or workbook file); ``words`` the respondents' comments and
    answers; ``factor_names`` names for the factors' headings."""
    number = number_of(result, qset)
    if texts is None:
        texts = {} if qset is None else {s.id: " ".join(s.text.split()) for s in qset.statements}
    words = words or RespondentWords()
    ch = result.characteristics
    names = list(result.factor_names)
    n, m = len(result.statement_ids), len(result.sort_ids)
    out: list[Block] = [
        Heading(title, 1),
        Para(
            f"Report made by poetq {__version__}" + (f" on {made_on}" if made_on else "") + ".",
            "muted",
        ),
    ]

    study = [("Sorts", f"{m} Q-sorts" + (f" from {iso(source_name)}" if source_name else "")),
             ("Statements", str(n))]
    if qset is not None:
        grid = qset.grid
        study.append(("Q-set", qset.title))
        if qset.topic:
            study.append(("Topic", qset.topic))
        if qset.condition:
            study.append(("Condition of instruction", qset.condition_text()))
        study.append(
            (
                "Grid",
                ", ".join(f"{format_value(v)}: {c}" for v, c in zip(grid.values, grid.counts))
                + f" ({iso(grid.labels[0])} … {iso(grid.labels[1])})",
            )
        )
    out += [Heading("Study", 2, "study"),
            Table("The study and its Q-sorts", ("item", "value"), tuple(study), frozenset({0, 1}))]

    out += [Heading("Method and options", 2, "method"),
            Table("Method and options of the analysis", ("option", "value"),
                  tuple(method_rows(result, guidance, boot, made_on)), frozenset({0, 1})),
            Para("Numbers follow R qmethod 1.8.4 (Zabala 2014).", "muted")]
    out += [Para(f"Note: {note}", "note") for note in result.notes]
    out.append(
        Table(
            "Factor characteristics",
            (
                "factor",
                "defining sorts",
                "SS loadings",
                "% variance",
                "reliability",
                "SE of factor z-scores",
            ),
            tuple(
                (
                    name,
                    str(int(ch["nload"][f])),
                    f"{ch['eigenvals'][f]:.4f}",
                    f"{ch['expl_var'][f]:.2f}",
                    f"{ch['reliability'][f]:.4f}",
                    f"{ch['se_fscores'][f]:.4f}",
                )
                for f, name in enumerate(names)
            ),
            frozenset({0}),
        )
    )
    if result.n_factors > 1:
        cz = np.asarray(result.cor_zsc)
        out.append(Table("Correlations between factor z-scores", ("", *names),
                         tuple((name, *(_num(cz[f, g]) for g in range(result.n_factors)))
                               for f, name in enumerate(names)), frozenset({0})))

    out.append(Heading("Loadings", 2, "loadings"))
    flags = np.asarray(result.flags)
    out.append(Table(
        "Rotated loadings of each sort (* and bold: flagged, i.e. defines the factor; h²: "
        "communality)", ("sort", *names, "h²"),
        tuple((sid, *(f"{result.loadings[j, f]:.4f}" + ("*" if flags[j, f] else "")
                      for f in range(result.n_factors)), f"{result.communalities[j]:.4f}")
              for j, sid in enumerate(result.sort_ids)),
        frozenset({0}), frozenset((j, f + 1) for j, f in zip(*np.where(flags))), keep=m <= 30))

    out.append(Heading("Z-scores and factor arrays", 2, "scores"))
    z, arr = np.asarray(result.zscores), np.asarray(result.factor_arrays)
    out.append(
        Table(
            "Z-scores and factor array values of every statement, "
            "with qmethod's distinguishing and consensus labels",
            (
                "no.",
                "statement",
                *(h for nm in names for h in (f"{nm} z", nm)),
                "distinguishing / consensus",
            ),
            tuple(
                (
                    str(number(sid)),
                    texts.get(sid) or sid,
                    *(
                        c
                        for f in range(result.n_factors)
                        for c in (_num(z[i, f]), _value(arr[i, f]))
                    ),
                    result.qdc_labels[i].strip() if result.qdc_labels else "",
                )
                for i, sid in enumerate(result.statement_ids)
            ),
            frozenset({1, 2 + 2 * result.n_factors}),
            keep=False,
        )
    )

    if figures:
        out.append(Heading("Figures", 2, "figures"))
        out += [FigureBlock(caption, fig) for caption, fig in figures]

    for f, name in enumerate(names):
        label = f"Factor {f + 1}" + (f": {iso(factor_names[f])}" if f < len(factor_names) else "")
        out.append(Heading(label, 2, f"crib-{name}"))
        if f in result.empty_factors:
            out.append(Para("No sort defines this factor: it has no z-scores and no factor array."))
            continue
        crib = crib_sheet(result, f + 1, qset=qset, texts=dict(texts))
        out.append(
            Para(
                "Defining sorts (loading): "
                + ", ".join(f"{iso(s)} ({a:+.4f})" for s, a in crib.defining)
                + f". Explained variance {ch['expl_var'][f]:.1f}%."
            )
        )
        out.append(Heading(f"Crib sheet of factor {f + 1}", 3))
        out += _crib_tables(crib, names, f)
        out += _words(crib, words, number, texts, label)
        out.append(Heading(f"{label}: narrative (to fill in)", 3))
        out.append(
            Para(
                "Headings after Watts & Stenner (2012), Doing Q Methodological Research, ch. 7.",
                "muted",
            )
        )
        for heading, hint in NARRATIVE:
            out += [Heading(heading, 4), Para(hint, "template")]
    return out


def _crib_tables(crib: CribSheet, names: list[str], f: int) -> list[Block]:
    out: list[Block] = []
    others = [g for g in range(len(names)) if g != f]
    for key, heading in CribSheet.SECTIONS:
        rows = getattr(crib, key)
        caption = f"Factor {f + 1}: {heading.format(n=2)}"
        if not rows:
            out.append(Para(f"{caption}: none.", "muted"))
            continue
        out.append(
            Table(
                caption,
                ("no.", "statement", names[f], "z-score", *(names[g] for g in others), "mark"),
                tuple(
                    (
                        str(r.number),
                        r.text or r.statement_id,
                        format_value(r.value),
                        f"{r.z:.3f}",
                        *(_value(r.others[g]) if r.others else "" for g in others),
                        MARK_TEXT.get(r.mark, ""),
                    )
                    for r in rows
                ),
                frozenset({1, 4 + len(others)}),
                keep=len(rows) <= 25,
            )
        )
    return out


def _words(crib: CribSheet, words: RespondentWords, number, texts, label: str) -> list[Block]:
    """The defining sorts' comments on their extreme statements and their answers."""
    out: list[Block] = []
    defining = [s for s, _ in crib.defining]
    rows = []
    for sid in defining:
        for statement, column, text in words.comments.get(sid, ()):
            rows.append(
                (
                    sid,
                    str(number(statement)) if statement in texts or True else statement,
                    texts.get(statement, statement),
                    "" if column is None else format_value(column),
                    text,
                )
            )
    if rows:
        out.append(
            Table(
                f"{label}: the defining sorts' comments "
                "on the statements they placed at the extremes",
                ("sort", "no.", "statement", "column", "comment"),
                tuple(rows),
                frozenset({0, 2, 4}),
                keep=len(rows) <= 20,
            )
        )
    answers = [
        (sid, q, a)
        for sid in defining
        for q, a in words.answers.get(sid, {}).items()
        if a not in (None, "")
    ]
    if answers:
        out.append(
            Table(
                f"{label}: the defining sorts' answers to the post-sort questions",
                ("sort", "question", "answer"),
                tuple((s, q, str(a)) for s, q, a in answers),
                frozenset({0, 1, 2}),
                keep=len(answers) <= 25,
            )
        )
    if not rows and not answers and (words.comments or words.answers):
        out.append(Para(f"{label}: the defining sorts left no comments or answers.", "muted"))
    return out


def mark_symbol(mark: str) -> str:
    return SYMBOLS.get(mark, "")
