"""Simulated respondents in a study, and the demo: the joint-commissioning study with its
five planted viewpoints, a researcher account and a report, ready in under a minute."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poetq.domain import QSet
from poetq.errors import NotFoundError, ValidationError
from poetq.qsets import shipped_viewpoints
from poetq.services import factor_analysis, users
from poetq.services.database import database_session, init_database
from poetq.services.sorts import store_finished_sorts
from poetq.services.studies import get_study, set_state, study_qset
from poetq.simulate import Simulation, load_viewpoints, simulate_viewpoints
from poetq.store.db import default_sqlite_path
from poetq.store.models import Respondent, Response

DEMO_SLUG = "joint-commissioning"
DEMO_EMAIL = "demo@poetq.local"
DEMO_PASSWORD = "poetq-demo-password"
DEMO_FACTORS = 5


def viewpoints_file(qset: QSet, path: str | Path | None = None) -> Path:
    """``path``, or else the viewpoints file shipped with ``qset`` (``SLUG.viewpoints.toml``)."""
    found = Path(path) if path is not None else shipped_viewpoints(qset.slug)
    if found is None:
        raise NotFoundError(f"no viewpoints file shipped for Q-set {qset.slug!r}: "
                            "write one (statements/README.md) and give its path")
    return found


def simulate_for_qset(qset: QSet, viewpoints_path: str | Path | None, n: int, *,
                      seed: int | None = 1, noise: float = 0.5,
                      mirrored: float = 0.1) -> Simulation:
    """Simulated sorts of ``qset`` from the viewpoints in ``viewpoints_path`` (default: the
    shipped ones)."""
    viewpoints = load_viewpoints(viewpoints_file(qset, viewpoints_path), qset)
    return simulate_viewpoints(qset, viewpoints, n, noise=noise, mirrored=mirrored, seed=seed)


def viewpoint_labels(sim: Simulation) -> list[str]:
    """Per sort, the planted viewpoint it holds (``name`` or ``name (mirrored)``)."""
    return [sim.viewpoint_names[v] + (" (mirrored)" if sim.mirrored[j] else "")
            for j, v in enumerate(sim.viewpoint_of)]


def simulate_into_study(session: Session, slug: str, viewpoints_path: str | Path | None, n: int,
                        *, seed: int | None = 1, noise: float = 0.5, mirrored: float = 0.1,
                        prefix: str = "sim", expect: QSet | None = None
                        ) -> tuple[Simulation, list[Response]]:
    """Add ``n`` simulated, finished responses to a study (all or nothing).

    The viewpoints come from ``viewpoints_path``, or else from the file shipped with the
    study's Q-set. With ``expect``, the study must have that Q-set's statements. Each
    respondent's identifier is ``{prefix}-NNN`` and its trace says which viewpoint it was
    simulated from (``simulated from viewpoint NAME``, ``(mirrored)`` for an upside-down
    copy), so a researcher can check what the analysis recovers.
    """
    study = get_study(session, slug)
    qset = study_qset(study)
    if expect is not None and list(expect.statement_ids) != list(qset.statement_ids):
        raise ValidationError(f"study {slug!r} has other statements than Q-set {expect.slug!r}")
    sim = simulate_for_qset(qset, viewpoints_path, n, seed=seed, noise=noise, mirrored=mirrored)
    before = session.scalar(select(func.count(Respondent.id)).where(  # number on, not again
        Respondent.study_id == study.id, Respondent.identifier.like(f"{prefix}-%"))) or 0
    width = max(3, len(str(before + n)))
    sorts = [(f"{prefix}-{before + j + 1:0{width}d}",
              {sid: int(sim.values[i, j]) for i, sid in enumerate(qset.statement_ids)})
             for j in range(n)]
    origins = [f"simulated from viewpoint {label}" for label in viewpoint_labels(sim)]
    return sim, store_finished_sorts(session, study, sorts, origin="simulated", origins=origins)


@dataclass
class DemoReport:
    """What :func:`prepare_demo` made or found, for the command to print."""

    database: str
    slug: str
    added: int
    finished: int
    email: str
    password: str
    account_created: bool
    report: Path


def prepare_demo(database_url: str | None, *, respondents: int = 60, seed: int = 1,
                 report: str | Path | None = None, progress=lambda message: None) -> DemoReport:
    """Make (or reuse) the demo: database, open joint-commissioning study with about
    ``respondents`` finished responses, the demo researcher and a report of 5 factors.

    Running it again adds nothing that is already there.
    """
    # matplotlib only for the demo's report (poetq simulate draws nothing)
    from poetq.services.plots import write_report

    progress("Creating the database and the shipped studies")
    init = init_database(database_url, examples=True)
    with database_session(database_url) as session:
        study = get_study(session, DEMO_SLUG)
        if study.state != "open":
            set_state(session, DEMO_SLUG, "open")
        finished = session.scalar(select(func.count(Response.id)).where(
            Response.study_id == study.id, Response.finished_at.is_not(None))) or 0
        added = 0
        if finished < respondents:
            progress(f"Simulating {respondents - finished} respondents from five viewpoints")
            simulate_into_study(session, DEMO_SLUG, None, respondents - finished,
                                seed=seed + finished, prefix="demo")
            added = respondents - finished
        created = False
        try:
            user = users.get_user(session, DEMO_EMAIL)
        except NotFoundError:
            user = users.create_user(session, DEMO_EMAIL, DEMO_PASSWORD, name="Demo researcher")
            created = True
        users.grant(session, study.id, user)
        total = finished + added
    progress("Analysing with 5 factors and writing the report")
    source = factor_analysis.load_source(DEMO_SLUG, database_url=database_url)
    result = factor_analysis.run_analysis(source, DEMO_FACTORS)
    if report is None:
        home = default_sqlite_path().parent
        report = home / "demo-report.html"
    Path(report).parent.mkdir(parents=True, exist_ok=True)
    path = write_report(result, report, source=source)
    return DemoReport(init.url, DEMO_SLUG, added, total, DEMO_EMAIL, DEMO_PASSWORD, created, path)
