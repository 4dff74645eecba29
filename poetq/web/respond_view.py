"""What the respondents' pages show beside the form: the grid overview, pile buttons in the
grid's order with the Q-set's pole labels, the announcement of the last action, and codes
as people type and read them.

Pure functions of a response's state, its Q-set and a translator (no Flask), so the pages'
templates stay simple and each piece can be tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from poetq import flow
from poetq.domain import Grid, QSet, format_value

#: The piles left to right, as the grid runs (disagree on the left); keys 1, 2, 3.
PILE_ORDER = ("disagree", "neutral", "agree")
#: The keys that choose a ranking candidate, in the order the candidates are listed: one key
#: press each (digits, then letters; a letter typed in either case).
KEY_CHARS = "1234567890abcdefghijklmnopqrstuvwxyz"
_DEFAULT_POLES = Grid.labels

Translate = Callable[..., str]


def normal_code(typed: str | None) -> str:
    """A code as typed (spaces, dashes, lower case, a pasted link) → the stored form."""
    text = (typed or "").strip()
    if "/" in text:  # a whole resume link pasted: its last part is the code
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[\s\-‐-―_.]", "", text).upper()


def spaced_code(code: str) -> str:
    """A code in groups of four for reading aloud and copying by hand (ABCD-EFGH-IJKL)."""
    code = code or ""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def pile_label(qset: QSet, t: Translate, pile: str) -> str:
    """A pile's button label: the study's own string, else its pole label ("Most like my
    country" → "Like my country"), else the default ("Agree")."""
    key = f"pile_{pile}"
    if qset.strings.get(key) or pile == "neutral":
        return t(key)
    grid_poles = tuple(qset.grid.labels)
    if grid_poles == tuple(_DEFAULT_POLES):
        return t(key)
    label = grid_poles[1] if pile == "agree" else grid_poles[0]
    bare = re.sub(r"^(most|very|strongly)\s+", "", label.strip(), flags=re.IGNORECASE)
    return (bare[:1].upper() + bare[1:]) if bare else t(key)


def _in_pole_terms(qset: QSet, t: Translate, key: str, pole_key: str,
                   **params: Any) -> str:
    """A sentence that names the poles: ``key`` (written for agree/disagree) when the Q-set's
    poles are the default ones or the study gives its own text for ``key``; else
    ``pole_key``, which names the piles and poles by the Q-set's labels. Both go through the
    study's strings, so a translated study shows its own language either way."""
    if tuple(qset.grid.labels) == tuple(_DEFAULT_POLES) or qset.strings.get(key):
        return t(key, **params)
    return t(pole_key, **params)


def ranking_prompt(step: Mapping[str, Any], qset: QSet, t: Translate) -> str:
    """The ranking's question, in the Q-set's own terms when its poles are not agree and
    disagree ("Of the statements on the “Like my country” pile, choose the 2 closest to “Most
    like my country”")."""
    side, source = step["side"], step["source"]
    hold = step["action"] == "hold_back"
    return _in_pole_terms(
        qset, t, f"prompt_{'hold_' if hold else ''}{side}_{source}",
        "prompt_pole_hold" if hold else "prompt_pole_choose",
        need=step["need"], hold=step["hold"], count=len(step["candidates"]),
        pile=pile_label(qset, t, source),
        pole=qset.grid.labels[1] if side == "agree" else qset.grid.labels[0])


def ranking_reason(step: Mapping[str, Any], qset: QSet, t: Translate) -> str:
    """Why the column draws on another pile ("All the statements on the “Like my country”
    pile are placed, …"), or ``""``."""
    if not step["reason"]:
        return ""
    side, source = step["side"], step["source"]
    return _in_pole_terms(
        qset, t, f"reason_{step['reason']}",
        "reason_pole_neutral" if source == "neutral" else "reason_pole_other",
        own=pile_label(qset, t, side), neutral=pile_label(qset, t, "neutral"),
        source=pile_label(qset, t, source))


def presort_question(qset: QSet, t: Translate) -> str:
    """The pre-sort's question (the name of the group of pile buttons)."""
    return _in_pole_terms(qset, t, "presort_question", "presort_question_pole",
                          agree=qset.grid.labels[1], disagree=qset.grid.labels[0])


def candidate_keys(count: int) -> list[str]:
    """The key of each of ``count`` candidates, as shown beside it and typed to choose it.

    One key each (``1``–``9``, ``0``, ``a``–``z``) for up to 36 candidates, so a keyboard
    user needs no more key presses than a mouse user needs clicks. Beyond 36 (a pile holding
    nearly every statement), the last keys become prefixes, each followed by any key
    (``z1``, ``z2``, …): as few candidates as possible need two presses, and no typed key is
    ambiguous or waits for a pause.
    """
    n = len(KEY_CHARS)
    if count <= n:
        return list(KEY_CHARS[:count])
    prefixes = -(-(count - n) // (n - 1))  # each prefix gives n keys and costs one single key
    singles = list(KEY_CHARS[: n - prefixes])
    pairs = [p + c for p in KEY_CHARS[n - prefixes :] for c in KEY_CHARS]
    return (singles + pairs)[:count]


def presort_keys_hint(qset: QSet, t: Translate) -> str:
    labels = [pile_label(qset, t, p) for p in PILE_ORDER]
    return t("presort_keys_grid", first=labels[0], second=labels[1], third=labels[2])


#: How many grid overviews a study keeps (a few KB each). The pre-sort of a Q-set of n
#: statements has n(n+1)/2 overviews (560 for 33) and the ranking fills the grid in one
#: order, so every respondent passes through the same few hundred.
_MAX_PYRAMIDS = 1024


class StudyView:
    """What a study's pages show whatever a respondent's state: made once per Q-set and
    translator (:func:`poetq.web.respond_pages.use_study` keeps one per Q-set), not on every
    page; and the grid overviews drawn so far by ``draw`` (the ``_pyramid.html`` template),
    since every respondent passes through the same ones (a pre-sort's overview depends on
    two counts only)."""

    def __init__(self, qset: QSet, t: Translate, draw: Callable[[dict[str, Any]], Markup]):
        self.qset, self.t, self.draw = qset, t, draw
        self.texts = {s.id: s.text for s in qset.statements}
        self.pile_labels = {p: pile_label(qset, t, p) for p in PILE_ORDER}
        self.presort_question = presort_question(qset, t)
        self.presort_keys = presort_keys_hint(qset, t)
        self.poles = (qset.grid.labels[0], qset.grid.labels[1])
        self._pyramids: dict[tuple[Any, ...], Markup] = {}

    def pile_buttons(self, state: Mapping[str, Any]) -> list[dict[str, Any]]:
        counts = {p: len(v) for p, v in flow.piles_of(state).items()}
        return [{"pile": p, "label": self.pile_labels[p], "count": counts[p]}
                for p in PILE_ORDER]

    def presort_pyramid(self, state: Mapping[str, Any]) -> Markup:
        counts = {p: len(v) for p, v in flow.piles_of(state).items()}
        return self._pyramid(("presort", counts["agree"], counts["disagree"]),
                             "pyramid_presort", _presort_pyramid, counts)

    def ranking_pyramid(self, state: Mapping[str, Any], current: int | None) -> Markup:
        filled = flow.placed_counts(state, self.qset.grid)
        return self._pyramid(("ranking", current, *filled.values()), "grid_so_far",
                             _ranking_pyramid, filled, current)

    def _pyramid(self, key: tuple[Any, ...], caption: str,
                 columns: Callable[..., list[dict[str, Any]]], *args: Any) -> Markup:
        html = self._pyramids.get(key)
        if html is None:
            if len(self._pyramids) >= _MAX_PYRAMIDS:
                self._pyramids.clear()
            html = self._pyramids[key] = self.draw({
                "pyramid": columns(self.qset.grid, self.t, *args),
                "pyramid_caption": self.t(caption), "poles": self.poles})
        return html


#: A cell of the grid overview by its class (empty, filled, or the pile heading for it).
_CELLS = {kind: f'<span class="pc {kind}"></span>' for kind in ("", "filled", "agree", "disagree")}


def _cells(kinds: list[str]) -> Markup:
    """A column's cells as HTML: made here, not by a template loop, because a page shows
    every cell of the grid (a template's loop costs more than the rest of the overview)."""
    return Markup("".join([_CELLS[kind] for kind in kinds]))


def _presort_pyramid(grid: Grid, t: Translate, counts: Mapping[str, int],
                     ) -> list[dict[str, Any]]:
    """The grid's columns, with the cells that piles of ``counts`` statements will reach
    shaded from the ends inward (agree from the right, disagree from the left): where the
    piles are heading."""
    cells: dict[int, list[str]] = {v: [""] * c for v, c in zip(grid.values, grid.counts)}
    for pile, values in (("agree", reversed(grid.values)), ("disagree", iter(grid.values))):
        left = counts[pile]
        for v in values:
            for i in range(len(cells[v])):
                if left and not cells[v][i]:
                    cells[v][i] = pile
                    left -= 1
    return [
        {"label": format_value(v), "capacity": c, "cells": _cells(cells[v]), "current": False,
         "text": t("column_count", value=format_value(v), filled=0, capacity=c)}
        for v, c in zip(grid.values, grid.counts)
    ]


def _ranking_pyramid(grid: Grid, t: Translate, filled: Mapping[int, int],
                     current: int | None) -> list[dict[str, Any]]:
    """The grid's columns with ``filled[value]`` cells of each shaded, ``current`` marked."""
    out = []
    for value, capacity in zip(grid.values, grid.counts):
        label, n = format_value(value), filled[value]
        out.append({
            "label": label, "capacity": capacity, "current": value == current,
            "cells": _cells(["filled"] * n + [""] * (capacity - n)),
            "text": t("column_count", value=label, filled=n, capacity=capacity),
        })
    return out


def auto_placed(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The statements placed without a choice since the respondent's last choice, by column
    (shown so that nothing is placed unseen)."""
    trailing: list[tuple[str, int]] = []
    for sid, value, how in reversed(state.get("placed") or ()):
        if how == "chosen":
            break
        trailing.append((sid, value))
    columns: dict[int, list[str]] = {}
    for sid, value in reversed(trailing):
        columns.setdefault(value, []).append(sid)
    return [{"value": v, "label": format_value(v), "statements": s} for v, s in columns.items()]


def announce_presort(state: Mapping[str, Any], view: StudyView) -> str:
    """What the last answer did, for the live region: "Saved: “…” – Agree. 37 left"."""
    if not state.get("presort"):
        return ""
    sid, pile = state["presort"][-1]
    return view.t("announce_presort", text=view.texts.get(sid, sid),
                  pile=view.pile_labels[pile], left=flow.presort_left(state))


def announce_ranking(state: Mapping[str, Any], t: Translate, texts: Mapping[str, str]) -> str:
    """What the last choice or hold-back did, for the live region."""
    placed = state.get("placed") or ()
    chosen = [i for i, (_, _, how) in enumerate(placed) if how == "chosen"]
    held = state.get("held") or ()
    if held and held[-1][2] > (chosen[-1] if chosen else -1):
        sid = held[-1][0]
        return t("announce_hold", text=texts.get(sid, sid))
    if not chosen:
        return ""
    sid, value, _ = placed[chosen[-1]]
    return t("announce_choice", text=texts.get(sid, sid), value=format_value(value))


def stage_view(stage: str, state: Mapping[str, Any], view: StudyView,
               step: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The template values of one stage beside its form."""
    t = view.t
    values: dict[str, Any] = {"pyramid": ""}
    if stage == "presort":
        values.update(
            pile_buttons=view.pile_buttons(state),
            presort_question=view.presort_question,
            presort_keys=view.presort_keys,
            pyramid=view.presort_pyramid(state),
            announce=announce_presort(state, view),
        )
    elif stage == "ranking" and step is not None:
        keys = candidate_keys(len(step["candidates"]))
        values.update(
            candidate_keys=keys,
            ranking_keys=t("ranking_keys") + (
                " " + t("ranking_keys_two") if any(len(k) > 1 for k in keys) else ""),
            pyramid=view.ranking_pyramid(state, step["column"]),
            auto_placed=auto_placed(state),
            announce=announce_ranking(state, t, view.texts),
        )
    return values
