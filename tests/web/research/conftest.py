"""Fixtures for the researchers' pages: two researchers, each with a study."""

from __future__ import annotations

import pytest
from research_helpers import PASSWORD, sign_in
from web_helpers import JC

from poetq.qsets import load_qset
from poetq.services.studies import create_study, set_state
from poetq.services.users import create_user


@pytest.fixture
def ada(session):
    user = create_user(session, "ada@example.org", PASSWORD, name="Ada")
    session.commit()
    return user


@pytest.fixture
def bob(session):
    user = create_user(session, "bob@example.org", PASSWORD, name="Bob")
    session.commit()
    return user


@pytest.fixture
def ada_study(session, ada):
    study = create_study(session, load_qset(JC), owner=ada)
    set_state(session, study.slug, "open")
    session.commit()
    return study


@pytest.fixture
def bob_study(session, bob):
    qset = load_qset(JC)
    study = create_study(session, qset, slug="bobs-study", owner=bob)
    session.commit()
    return study


@pytest.fixture
def ada_client(client, ada):
    sign_in(client, ada.email)
    return client
