"""Q-set uploads that once gave a 500 (deep nesting, nan on PostgreSQL) are clear 400s."""

from __future__ import annotations

import io

import pytest
from research_helpers import csrf
from tests_helpers import snapshot

BASE = ('title = "x"\nslug = "bounded"\n'
        '[[statements]]\nid = "a"\ntext = "A"\n[[statements]]\nid = "b"\ntext = "B"\n'
        '[[statements]]\nid = "c"\ntext = "C"\n[grid]\nvalues = [-1, 0, 1]\ncounts = [1, 1, 1]\n')


@pytest.mark.parametrize("content,message", [
    ("deep = " + "[" * 5_000 + "]" * 5_000 + "\n" + BASE, "nested too deeply"),
    (BASE + '[[questions]]\nid = "n"\nkind = "number"\nprompt = "N?"\nmaximum = nan\n', "finite"),
    (BASE.replace("[-1, 0, 1]", "[-1, 0, 99999999999999999999]"), "whole number|out of range"),
])
def test_bad_qset_uploads_are_refused_with_a_reason(ada_client, engine, content, message):
    import re

    before = snapshot(engine)
    r = ada_client.post("/research/studies/new/upload", data={
        "csrf_token": csrf(ada_client, "/research/studies/new"),
        "up-qset": (io.BytesIO(content.encode()), "q.toml")}, content_type="multipart/form-data")
    assert r.status_code == 400, r.text[:2000]
    assert re.search(message, r.text) and "Traceback" not in r.text
    assert snapshot(engine) == before
