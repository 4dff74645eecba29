"""Logs hold no resume or invitation codes and no SQL parameters (answers, whole Q-sets)."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from poetq.web.logs import JsonFormatter


def test_an_unexpected_error_s_log_line_hides_the_code_and_the_parameters(engine):
    secret = "Q-SET-TEXT-THAT-MUST-NOT-BE-LOGGED"
    with pytest.raises((DBAPIError, StatementError)) as info:
        with engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": secret})
    assert secret not in str(info.value)
    try:
        raise info.value
    except Exception:
        record = logging.LogRecord("poetq", logging.ERROR, __file__, 1,
                                   "Exception on /r/K7QXM2PN4RTW8 [POST]", None, sys.exc_info())
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "K7QXM2PN4RTW8" not in line and "/r/~" in entry["message"]
    assert secret not in line and "no_such_table" in entry["error"]

