"""Helpers for the researchers' pages (not fixtures): sign in, post forms with their token."""

from __future__ import annotations

import re

import numpy as np

from poetq.services.studies import study_qset
from poetq.simulate import simulate_sorts
from poetq.store.models import Respondent, Response, utcnow

PASSWORD = "correct horse battery"


def csrf(client, url: str = "/research/sign-in") -> str:
    """A CSRF token of the client's session, read from a page's form."""
    page = client.get(url).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    r = client.post("/research/sign-in", data={"csrf_token": csrf(client), "email": email,
                                               "password": password})
    assert r.status_code == 302, r.text[:2000]
    return r


def post(client, url: str, data=None, *, token_from: str = "/research/", **kwargs):
    """Post ``data`` to ``url`` with a valid CSRF token of this client's session."""
    body = {"csrf_token": csrf(client, token_from), **(data or {})}
    return client.post(url, data=body, **kwargs)


def add_finished(session, study, n: int, *, seed: int = 1, comments=None, answers=None,
                 identifiers=None) -> list[Response]:
    """``n`` finished responses with simulated forced sorts of the study's grid (stored as
    the respondents' flow stores them)."""
    qset = study_qset(study)
    sim = simulate_sorts(qset.grid, n, n_viewpoints=2, seed=seed)
    out = []
    for j in range(n):
        sort = {sid: int(v) for sid, v in zip(qset.statement_ids, np.asarray(sim.values)[:, j])}
        person = Respondent(study_id=study.id, resume_code=f"RC{study.id}X{j}{seed}",
                            identifier=(identifiers or {}).get(j), device="desktop")
        session.add(person)
        session.flush()
        response = Response(study_id=study.id, respondent_id=person.id, stage="done", version=9,
                            state={"stage": "done"}, sort=sort, comments=dict(comments or {}),
                            answers=dict(answers or {}), timings={"presort": 30.0, "ranking": 60.5},
                            trace=[], receipt=f"RCPT{study.id}X{j}{seed}", finished_at=utcnow())
        session.add(response)
        session.flush()
        out.append(response)
    return out
