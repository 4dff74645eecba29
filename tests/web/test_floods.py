"""Floods on the respondents' side: starting responses and guessing invitation codes are
rate-limited per client address; resume and invitation codes have at least 64 bits."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select
from web_helpers import Sorter

from poetq.services.studies import create_invitations
from poetq.store.models import Respondent, Response


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_START": [3, 0.001]}])
def test_starting_responses_is_rate_limited(app, jc_study, session, app_config):
    for _ in range(3):
        Sorter(app.test_client()).start("/s/joint-commissioning")
    r = Sorter(app.test_client()).start("/s/joint-commissioning", expect=429)
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert session.scalar(select(func.count()).select_from(Response)) == 3
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    Sorter(other).start("/s/joint-commissioning")  # another client is not held back


@pytest.mark.parametrize("app_config", [{"RATE_LIMIT_INVITATION": [5, 0.001]}])
def test_guessing_invitation_codes_is_rate_limited(client, jc_study, app_config):
    statuses = [client.get(f"/i/GUESS{k:08d}").status_code for k in range(7)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]


def test_codes_have_at_least_64_bits(client, jc_study, session):
    codes = create_invitations(session, jc_study.slug, 3)
    session.commit()
    Sorter(client).start("/s/joint-commissioning")
    resume = session.scalar(select(Respondent.resume_code))
    for code in (*codes, resume):
        assert len(code) * math.log2(31) >= 64, code
