"""Fixtures for the web tests: the app on the test database, its client, an open study."""

from __future__ import annotations

import pytest
from web_helpers import JC

from poetq.qsets import load_qset
from poetq.services.studies import create_study, set_state
from poetq.web import create_app


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the app; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(engine, database_url, app_config):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test", **app_config}
    )
    yield app
    app.extensions["poetq"]["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def jc_study(session):
    study = create_study(session, load_qset(JC))
    set_state(session, study.slug, "open")
    session.commit()
    return study
