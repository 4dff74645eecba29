"""The PostgreSQL the tests run on is durable, so crash tests (SIGKILL mid-write) are real."""

from __future__ import annotations

from sqlalchemy import text


def test_the_test_postgresql_writes_durably(engine):
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        settings = {name: conn.execute(text(f"SHOW {name}")).scalar()
                    for name in ("fsync", "synchronous_commit", "full_page_writes")}
    assert settings == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
