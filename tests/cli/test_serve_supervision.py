"""`poetq serve` stays up: a worker in a crash loop is started again (granian alone exits),
and killing the server process leaves no orphaned worker serving the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process tree")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/research/sign-in", timeout=2).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {**os.environ, "POETQ_HOME": str(tmp_path / "home"), "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "poetq", "init"], env=env, check=True,
                   capture_output=True)
    port = _free_port()
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "poetq", "serve", "--port", str(port),
                             "--workers", "1", "--threads", "2"], env=env, stdout=log, stderr=log)
    try:
        assert _wait(lambda: _answers(port), 30), (tmp_path / "serve.log").read_text()
        yield proc, port, tmp_path / "serve.log"
    finally:
        for pid in _children(proc.pid):
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        log.close()


def test_a_crash_looping_worker_is_started_again(server):
    proc, port, log = server
    for _ in range(3):  # granian alone gives up after two deaths within 5.5 s
        assert _wait(lambda: _children(proc.pid), 20), log.read_text()
        for pid in _children(proc.pid):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
    assert _wait(lambda: _answers(port), 30), log.read_text()
    assert proc.poll() is None, log.read_text()
    assert "starting the server again" in log.read_text()


def test_killing_the_server_leaves_no_worker_serving(server):
    proc, port, log = server
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert _wait(lambda: not any(_alive(pid) for pid in workers), 10), "orphaned workers"
    assert not _answers(port)


def test_a_worker_that_does_not_stop_does_not_hold_the_server_up(server):
    """A stop must end: a worker that does not answer the server's stop signal (here one
    stopped by SIGSTOP; in a CI run, a worker started again while a group SIGTERM was being
    handled) is killed after poetq's grace time, so the server exits instead of waiting for
    it forever (systemd would otherwise wait its own TimeoutStopSec, then kill everything)."""
    proc, port, log = server
    workers = _children(proc.pid)
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)  # a SIGTERM stays pending: only SIGKILL ends it
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)  # raises TimeoutExpired when the server waits on its worker for ever
    assert time.monotonic() - started < 25, log.read_text()
    assert _wait(lambda: not any(_alive(pid) for pid in workers), 10), "worker left running"
