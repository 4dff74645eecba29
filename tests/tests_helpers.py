"""Helpers shared by tests (not fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy import inspect, select, text

from poetq.store.models import Base

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "statements"


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every poetq table, to prove that a failed command changed nothing."""
    out: dict[str, list[tuple]] = {}
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in names:
                rows = conn.execute(select(table).order_by(*table.primary_key.columns))
                out[table.name] = [tuple(map(repr, r)) for r in rows]
        if "alembic_version" in names:
            out["alembic_version"] = list(conn.execute(text("SELECT * FROM alembic_version")))
    return out



def walk_commands(group: click.Group, prefix: str = "poetq"):
    """Yield ("poetq study create", command) for every leaf command."""
    ctx = click.Context(group)
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from walk_commands(command, path)
        else:
            yield path, command


#: ``../shared/interop`` beside the checkout (as in CI), or $POETQ_INTEROP_DIR.
SHARED_INTEROP = Path(os.environ.get("POETQ_INTEROP_DIR") or ROOT.parent / "shared" / "interop")


def interop_dir() -> Path:
    """``../shared/interop`` (third-party files, never copied here); skips a module without it.

    CI always has it, so there a missing folder fails instead of skipping.
    """
    import pytest

    if SHARED_INTEROP.is_dir():
        return SHARED_INTEROP
    if os.environ.get("CI"):
        pytest.fail(f"{SHARED_INTEROP} is missing: CI must provide ../shared/interop",
                    pytrace=False)
    pytest.skip(f"{SHARED_INTEROP} is not here (third-party interop files live in ../shared)",
                allow_module_level=True)


def mutate_bytes(data, raw: bytes, *, max_ops: int = 4) -> bytes:
    """``raw`` with 1..``max_ops`` random flips, cuts, insertions, duplications and deletions,
    drawn from hypothesis' ``data`` (for fuzzing readers with damaged real files)."""
    from hypothesis import strategies as st

    raw = bytearray(raw)
    for _ in range(data.draw(st.integers(1, max_ops), label="mutations")):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "delete", "dupe"]))
        at = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[at] = data.draw(st.integers(0, 255))
        elif op == "cut":
            raw = raw[:at]
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif op == "dupe":
            raw[at:at] = raw[at: at + data.draw(st.integers(1, 80))]
        elif raw:
            del raw[at: at + data.draw(st.integers(1, 40))]
    return bytes(raw)


def only_poetq_errors(read, *args) -> None:
    """Call ``read(*args)``: it may succeed or raise a one-line PoetqError, nothing else."""
    from poetq.errors import PoetqError

    try:
        read(*args)
    except PoetqError as exc:
        assert str(exc) and "\n" not in str(exc), repr(exc)


def mini_study_with_sorts(database_url: str, n_sorts: int, *, name: str = "P{j}",
                          excluded: tuple[int, ...] = ()):
    """A 9-statement study ``mini`` (grid 1,2,3,2,1) holding ``n_sorts`` simulated finished sorts.

    Sort ``j`` is stored under the identifier ``name.format(j=j)`` through the same service
    the imports use; those in ``excluded`` are marked excluded. Returns the simulation (its
    ``values`` are the sorts, statements by sorts) so a test can compare what comes back.
    """
    from poetq.domain import Grid, QSet, Statement
    from poetq.services import studies
    from poetq.services.sorts import store_finished_sorts
    from poetq.simulate import simulate_sorts
    from poetq.store import make_engine, make_session_factory, session_scope

    grid = Grid.symmetric([1, 2, 3, 2, 1])
    qset = QSet(slug="mini", title="Mini study", grid=grid,
                statements=tuple(Statement(f"s{i}", f"Text {i}") for i in range(9)))
    sim = simulate_sorts(grid, n_sorts, n_viewpoints=2, seed=4)
    sorts = [(name.format(j=j), {f"s{i}": int(sim.values[i, j]) for i in range(9)})
             for j in range(n_sorts)]
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        study = studies.create_study(session, qset)
        stored = store_finished_sorts(session, study, sorts, origin="simulated for a test")
        for j in excluded:
            stored[j].excluded = True
    engine.dispose()
    return sim
