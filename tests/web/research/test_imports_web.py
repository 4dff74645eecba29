"""Importing sorts in the browser: preview first, never doubled, mismatches refused."""

from __future__ import annotations

import io
import re

import pytest
from research_helpers import csrf
from tests_helpers import STATEMENTS, interop_dir, snapshot

from poetq.qsets import load_qset
from poetq.services.studies import create_study
from poetq.store.models import Response

INTEROP = interop_dir()
DAT = INTEROP / "kade" / "LIPSET.DAT"
STA = INTEROP / "kade" / "LIPSET.STA"
URL = "/research/studies/lipset/import"


@pytest.fixture
def lipset(session, ada):
    study = create_study(session, load_qset(STATEMENTS / "lipset.toml"), owner=ada)
    session.commit()
    return study


def _upload(client, *paths, fmt=""):
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in paths]
    return client.post(URL, data={"csrf_token": csrf(client, URL), "files": files, "format": fmt},
                       content_type="multipart/form-data")


def _confirm(client, preview_html):
    names = re.findall(r'name="name" value="([^"]*)"', preview_html)
    blobs = re.findall(r'name="data" value="([^"]*)"', preview_html)
    return client.post(f"{URL}/confirm", data={"csrf_token": csrf(client, URL), "name": names,
                                               "data": blobs, "format": ""})


def _count(session, study) -> int:
    session.expire_all()
    return session.query(Response).filter_by(study_id=study.id).count()


def test_preview_then_import_then_nothing_twice(ada_client, lipset, session, engine):
    before = snapshot(engine)
    r = _upload(ada_client, DAT, STA)
    assert r.status_code == 200, r.text[:2000]
    assert "Preview: nothing is stored yet" in r.text and "LIPSET.DAT" in r.text
    assert "statement text" in r.text or "position" in r.text
    assert snapshot(engine) == before  # the preview stores nothing
    r = _confirm(ada_client, r.text)
    assert r.status_code == 302
    assert _count(session, lipset) == 9
    again = _upload(ada_client, DAT)
    assert "there is nothing to import" in again.text and "US1" in again.text
    r = _confirm(ada_client, _upload(ada_client, DAT).text)  # a stale confirmation, replayed
    assert _count(session, lipset) == 9


def test_another_q_sets_file_is_refused_with_the_mismatch(ada_client, lipset, engine):
    before = snapshot(engine)
    r = _upload(ada_client, INTEROP / "kade" / "ipad_sorts.json")
    assert r.status_code == 400 and "30 statements per sort, the study has 33" in r.text
    assert snapshot(engine) == before


@pytest.mark.parametrize("data", [
    lambda: {},
    lambda: {"files": [(io.BytesIO(b""), "")]},
    lambda: {"files": [(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 40), "sorts.csv")]},
    lambda: {"files": [(io.BytesIO(b"x" * 5000), "big.csv")]},  # over the limit set below
    lambda: {"files": [(io.BytesIO(b"a,b\n1,2\n"), "s.csv")], "format": "no-such-format"},
    lambda: {"files": [(io.BytesIO(b"<script>alert(1)</script>"), "<script>.json")]},
], ids=["nothing", "empty", "png", "too-big", "format", "script"])
def test_bad_uploads_are_refused_and_change_nothing(ada_client, lipset, engine, data, monkeypatch):
    # a smaller limit: the test client spools a real 1 MB file to disk and leaks it
    monkeypatch.setattr("poetq.services.imports.MAX_UPLOAD_BYTES", 4000)
    before = snapshot(engine)
    r = ada_client.post(URL, data={"csrf_token": csrf(ada_client, URL), **data()},
                        content_type="multipart/form-data")
    assert r.status_code == 400, r.text[:1000]
    assert "Nothing was imported" in r.text and "Traceback" not in r.text
    assert "<script>alert" not in r.text
    assert snapshot(engine) == before


def test_bad_confirmations_are_refused(ada_client, lipset, bob_study, engine):
    before = snapshot(engine)
    for data in ({"name": ["LIPSET.DAT"], "data": ["***not base64***"]},
                 {"name": ["LIPSET.DAT"]},
                 {"name": ["a.csv"], "data": ["YSxiCjEsMgo="]}):
        r = ada_client.post(f"{URL}/confirm", data={"csrf_token": csrf(ada_client, URL), **data})
        assert r.status_code == 400 and "Nothing was imported" in r.text
    r = ada_client.post("/research/studies/bobs-study/import",
                        data={"csrf_token": csrf(ada_client, URL)})
    assert r.status_code == 404
    assert snapshot(engine) == before
