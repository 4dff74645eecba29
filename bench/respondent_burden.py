"""Actions a respondent needs for the pre-sort and the ranking, across every pile split.

Runs the staged sort (:mod:`poetq.flow`, the same code the pages run) for every way the
statements can fall on the three piles, and counts the core actions:

* mouse or touch: one tap per pre-sort answer, one per choice or hold-back;
* keyboard: one key per pre-sort answer (1/2/3), and per choice or hold-back the keys of the
  candidate as the page shows them (:func:`poetq.web.respond_view.candidate_keys`: one key
  each for up to 36 candidates, two for the last few beyond): "worst" picks the last
  candidate each time, "expected" any candidate with equal chance;
* the same with the earlier policy (always "choose the n ..."; no hold-back), for comparison.

Prints best, median and worst per statement over all splits, and the splits named in the
issue (15/10/15 and the acquiescent 18/9/13)::

    .venv/bin/python bench/respondent_burden.py [--qset statements/lipset.toml]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from poetq import flow
from poetq.qsets import load_qset
from poetq.web.respond_view import candidate_keys

ROOT = Path(__file__).resolve().parents[1]


def run(grid, ids, split, *, hold_back: bool) -> tuple[float, float, float]:
    """(mouse actions, keyboard expected, keyboard worst) for one split."""
    agree, neutral, _ = split
    state = flow.new_state(ids, seed=1)
    for i, sid in enumerate(list(state["order"])):
        pile = "agree" if i < agree else "neutral" if i < agree + neutral else "disagree"
        state = flow.presort_answer(state, sid, pile, grid)
    n = len(ids)
    mouse = key_expected = key_worst = float(n)
    while state["stage"] == "ranking":
        step = flow.ranking_step(state, grid)
        last = step["candidates"][-1]
        mouse += 1
        presses = [len(k) for k in candidate_keys(len(step["candidates"]))]
        key_expected += sum(presses) / len(presses)
        key_worst += presses[-1]
        if hold_back and step["action"] == "hold_back":
            state = flow.rank_hold_back(state, last, grid)
        else:
            state = flow.rank_choose(state, last, grid)
    return mouse, key_expected, key_worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qset", default=str(ROOT / "statements" / "joint-commissioning.toml"))
    args = parser.parse_args()
    qset = load_qset(Path(args.qset))
    grid, ids = qset.grid, qset.statement_ids
    n = len(ids)
    splits = [(a, m, n - a - m) for a in range(n + 1) for m in range(n + 1 - a)]
    print(f"{qset.slug}: {n} statements, grid {grid.counts}, {len(splits)} pile splits")
    for label, hold in (("with hold-back (now)", True), ("choose only (before)", False)):
        rows = {s: run(grid, ids, s, hold_back=hold) for s in splits}
        mouse = sorted(r[0] / n for r in rows.values())
        worst_keys = sorted(r[2] / n for r in rows.values())
        expected_keys = sorted(r[1] / n for r in rows.values())
        print(f"\n{label}")
        print(f"  mouse/touch per statement: best {mouse[0]:.3f}, median "
              f"{statistics.median(mouse):.3f}, worst {mouse[-1]:.3f}")
        print(f"  keyboard per statement, any candidate: best {expected_keys[0]:.3f}, median "
              f"{statistics.median(expected_keys):.3f}, worst {expected_keys[-1]:.3f}")
        print(f"  keyboard per statement, last candidate each time: best {worst_keys[0]:.3f}, "
              f"median {statistics.median(worst_keys):.3f}, worst {worst_keys[-1]:.3f}")
        for split in ((15, 10, 15), (18, 9, 13), (n, 0, 0), (0, n, 0)):
            if split in rows:
                m, e, k = rows[split]
                print(f"  piles {split[0]}/{split[1]}/{split[2]}: mouse {m / n:.3f}, "
                      f"keyboard {e / n:.3f} (last candidate each time {k / n:.3f})")
        over = sum(r[0] / n > 1.6 for r in rows.values())
        print(f"  splits above 1.6 taps per statement: {over} of {len(rows)}; above 2.0 keys "
              f"(last candidate each time): {sum(r[2] / n > 2.0 for r in rows.values())}")
        worst = max(rows, key=lambda s: rows[s][0])
        print(f"  worst split for the mouse: {worst[0]}/{worst[1]}/{worst[2]}")


if __name__ == "__main__":
    main()
