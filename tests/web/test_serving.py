"""`poetq serve` runs granian (or gunicorn) with several workers sharing the database and key."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from poetq.cli import cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("server", [
    "granian",
    pytest.param("gunicorn", marks=pytest.mark.skipif(sys.platform == "win32",
                                                      reason="gunicorn runs on POSIX only")),
])
def test_serve_with_two_workers(runner, database_url, tmp_path, server):
    assert runner.invoke(cli, ["init", "--examples"]).exit_code == 0
    assert runner.invoke(cli, ["study", "open", "lipset"]).exit_code == 0
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "POETQ_HOME": str(tmp_path / "home")}
    exe = Path(sys.executable).with_name("poetq")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "2", "--threads", "2",
         "--server", server],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # up to 60 s for the workers to come up: a busy two-core CI machine took 11-17 s
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/s/lipset", timeout=2) as r:
                    r.read()
                break
            except OSError:
                time.sleep(0.1)
        # many requests land on both workers; the CSRF token signed by one is valid on the
        # other (each respondent a browser of its own: once a sort starts, the welcome
        # form's session is dropped)
        for _ in range(4):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            for _ in range(3):
                with opener.open(base + "/s/lipset", timeout=5) as r:
                    page = r.read().decode()
                token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode({"csrf_token": token, "consent": "1"}).encode()
            with opener.open(base + "/s/lipset", data=data, timeout=5) as r:
                r.read()
                assert r.status == 200 and "/r/" in r.url
                assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
            with opener.open(base + "/s/lipset", timeout=5) as r:  # coming back: their sort
                r.read()
                assert "/r/" in r.url
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert (b"gthread" if server == "gunicorn" else b"granian") in out


def test_a_served_worker_compiles_its_pages_and_freezes_start_up_objects(engine, database_url):
    """What each worker of `poetq serve` runs: every page compiled before the first request,
    and the start-up objects kept out of the garbage collector's full collections."""
    import gc

    from poetq.web import create_served_app

    gc.unfreeze()
    try:
        app = create_served_app({"DATABASE_URL": database_url, "SECRET_KEY": "test"})
        assert gc.get_freeze_count() > 10_000
        pages = app.jinja_env.list_templates(extensions=["html"])
        assert {"ranking.html", "presort.html", "base.html"} <= set(pages)
        cached = {key[1] for key in app.jinja_env.cache.keys()}
        assert set(pages) <= cached
    finally:
        gc.unfreeze()
        app.extensions["poetq"]["engine"].dispose()
