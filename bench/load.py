"""Load benchmark: concurrent respondents doing the whole staged sort over HTTP.

Each simulated respondent is a browser without JavaScript: it opens the study link, consents,
piles every statement, chooses the ranking columns, confirms the review grid, leaves the
comment boxes, submits the questions and reads its receipt — every stage a real form post
with cookies and CSRF tokens, on 127.0.0.1 only. The run is bounded by a number of completed
sorts and by seconds. At the end the database must hold every completed sort exactly once,
with the values the respondent saw on its review page.

    python bench/load.py --respondents 200 --sorts 2000 --seconds 120            # SQLite
    python bench/load.py --postgres --respondents 200 --sorts 2000 --seconds 120 # PostgreSQL
    python bench/load.py --kill-worker-after 10 ...                              # SIGKILL a worker
    python bench/load.py --server gunicorn --workers 2 --threads 4 ...           # another server
    python bench/load.py --url http://127.0.0.1:5000 --database-url sqlite:///... # a running server

Respondents pause ``--think`` seconds (on average) before each post, as people do; latency
is measured from the post to the next page (the post, its redirect and the page). They
arrive spread over ``--ramp-up`` seconds, not all in the same instant.

Prints completed sorts/s, completed stage requests/s, p50/p95/p99 latency per stage and
errors: for the steady state (every respondent arrived, none stopped yet) and for the whole
run (with the ramp-up and the wind-down, when the last sorts finish with fewer respondents).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import io
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.done_at: list[tuple[float, str, float]] = []  # (finished at, stage, seconds)
        self.errors = collections.Counter()
        self.completed: dict[str, dict[str, int]] = {}
        self.requests = 0
        self.http = 0
        self.resumed = 0

    def count_http(self):
        with self.lock:
            self.http += 1

    def record(self, stage: str, seconds: float):
        with self.lock:
            self.done_at.append((time.perf_counter(), stage, seconds))
            self.requests += 1

    def error(self, what: str):
        with self.lock:
            self.errors[what] += 1


class Respondent:
    """One browser without JavaScript: a kept-alive connection, its cookies, redirects followed."""

    def __init__(self, base: str, stats: Stats, rng: random.Random, think: float = 0.0):
        self.base, self.stats, self.rng, self.think = base, stats, rng, think
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.sock: socket.socket | None = None
        self.buf = b""
        self.cookies: dict[str, str] = {}
        self.page = ""
        self.url = ""

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.buf = b""

    def _request(self, method: str, path: str, body: bytes | None) -> tuple[int, dict, bytes]:
        """One HTTP/1.1 request on the kept-alive socket: (status, headers, body).

        A small client of its own (not http.client, whose header parsing costs more CPU than
        some of the server's pages): the generator shares the machine with the server.
        """
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buf = b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            head += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        while b"\r\n\r\n" not in self.buf:
            self._recv()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in ",".join(headers.get("transfer-encoding", ())).lower():
            data = b""
            while True:
                while b"\r\n" not in self.buf:
                    self._recv()
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(self.buf) < size + 2:
                    self._recv()
                data, self.buf = data + self.buf[:size], self.buf[size + 2:]
                if size == 0:
                    break
        else:
            length = int(headers.get("content-length", ["0"])[0])
            while len(self.buf) < length:
                self._recv()
            data, self.buf = self.buf[:length], self.buf[length:]
        if "close" in ",".join(headers.get("connection", ())).lower():
            self.close()
        return status, headers, data

    def _recv(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        self.buf += chunk

    def _fetch(self, url: str, body: bytes | None):
        while True:
            self.stats.count_http()
            path = url[url.index("/", url.index("//") + 2):] if "//" in url else url
            try:
                status, headers, data = self._request(
                    "POST" if body is not None else "GET", path, body
                )
            except (OSError, ValueError, IndexError) as exc:
                self.close()  # a worker killed or restarted: the next request reconnects
                raise ConnectionResetError(str(exc)) from exc
            for value in headers.get("set-cookie", ()):
                name, _, rest = value.partition("=")
                cookie, _, attributes = rest.partition(";")
                attributes = attributes.lower().replace(" ", "")
                if not cookie or "max-age=0" in attributes or "expires=thu,01jan1970" in attributes:
                    self.cookies.pop(name.strip(), None)  # a deleted cookie, as a browser drops it
                else:
                    self.cookies[name.strip()] = cookie
            if status in (301, 302, 303) and headers.get("location"):
                url = urllib.parse.urljoin(url, headers["location"][0]).split("#")[0]
                body = None
                self.url = url  # the browser is at the new address: a failure now reloads it
                continue
            if status >= 400:
                raise urllib.error.HTTPError(url, status, "error", None, io.BytesIO(data))
            self.page = data.decode()
            self.url = url
            return

    def _open(self, url: str, data: dict | list | None, stage: str, retries: int = 20):
        """GET, or POST a form and follow the redirect, as a browser does; on a failure (a
        worker killed, a 5xx) reload the resume page and post again only if the first post
        did not take effect."""
        if data is not None and self.think:
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        posted_version = dict(data).get("version") if isinstance(data, dict) else (
            dict(data).get("version") if data else None)
        for attempt in range(retries):
            t0 = time.perf_counter()
            try:
                self._fetch(url, body)
                self.stats.record(stage, time.perf_counter() - t0)
                return
            except urllib.error.HTTPError as exc:
                self.stats.error(f"{stage}: HTTP {exc.code}")
                exc.read()
                exc.close()
                if exc.code < 500 and exc.code != 429:
                    raise
            except OSError as exc:  # connection refused/reset while a worker restarts
                self.stats.error(f"{stage}: {type(exc).__name__}")
            time.sleep(0.05 * (attempt + 1))
            if data is not None and self.url and "/r/" in self.url:
                # resume from the resume link: did the post take effect before the failure?
                try:
                    self._fetch(self.url.split("?")[0].split("#")[0], None)
                except OSError:
                    continue
                with self.stats.lock:
                    self.stats.resumed += 1
                if self.hidden().get("version") != posted_version or self.stage() == "done":
                    self.stats.record(stage, time.perf_counter() - t0)
                    return
                data = self._refresh(data)
                body = urllib.parse.urlencode(data, doseq=True).encode()
        raise RuntimeError(f"{stage}: gave up after {retries} tries")

    def _refresh(self, data):
        hidden = self.hidden()
        keep = ("csrf_token", "version", "statement", "token")
        if isinstance(data, dict):
            return {**data, **{k: v for k, v in hidden.items() if k in keep}}
        return [(k, hidden.get(k, v) if k in keep else v) for k, v in data]

    def hidden(self) -> dict[str, str]:
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', self.page))

    def stage(self) -> str:
        m = re.search(r'<body class="stage-([a-z]+)"', self.page)
        return m.group(1) if m else "?"

    def post(self, **fields):
        hidden = self.hidden()
        data = {
            k: hidden[k] for k in ("csrf_token", "version", "statement", "token") if k in hidden
        }
        data.update(fields)
        action = self.url.split("?")[0].split("#")[0]
        self._open(action, data, self.stage())

    def run(self) -> tuple[str, dict[str, int]]:
        self._open(f"{self.base}/s/{SLUG}", None, "welcome-get")
        self.post(consent="1")
        while self.stage() == "presort":
            self.post(pile=self.rng.choice(["agree", "neutral", "disagree"]))
        while self.stage() == "ranking":
            # "choose" the statements for a column, or "hold_back" those that do not belong
            choices = re.findall(r'name="(choose|hold_back)" value="([^"]+)"', self.page)
            action, statement = self.rng.choice(choices)
            self.post(**{action: statement})
        places = re.findall(r'name="place" value="([^"]+)"', self.page)
        sort = {p.split(":")[0]: int(p.split(":")[1]) for p in places}
        hidden = self.hidden()
        data = [(k, hidden[k]) for k in ("csrf_token", "version") if k in hidden]
        data += [("confirm", "1")] + [("place", p) for p in places]
        self._open(self.url.split("?")[0], data, "review")
        if self.stage() == "extremes":
            self.post(comments="1")
        if self.stage() == "questions":
            self.post(finish="1")
        receipt = re.search(r"receipt code is ([A-Z0-9]+)", self.page)
        if not receipt:
            raise RuntimeError(f"no receipt; ended on stage {self.stage()}")
        return receipt.group(1), sort


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used by a process, its reaped children and its live children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
        kids = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
    except (OSError, IndexError, ValueError):
        return float("nan")
    return total + sum(cpu_seconds(int(k)) for k in kids)


def postmaster_pid(pgdir: Path | None) -> int | None:
    """The throwaway PostgreSQL's postmaster (its backends are its children), if any."""
    try:
        return int((pgdir / "data" / "postmaster.pid").read_text().split()[0]) if pgdir else None
    except (OSError, IndexError, ValueError):
        return None


def latency_row(label: str, values: list[float]) -> str:
    """``label  count  p50  p95  p99`` (milliseconds), one line of the latency table."""
    return (f"{label:<12} {len(values):>9} " + " ".join(
        f"{1000 * percentile(values, q):>8.1f}" for q in (50, 95, 99)))


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))
    return values[k]


def setup(workdir: Path, database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from poetq.domain import Question
    from poetq.qsets import load_qset
    from poetq.services.database import init_database
    from poetq.services.studies import create_study, set_state
    from poetq.store import make_engine, make_session_factory, session_scope

    init_database(database_url)
    qset = load_qset(ROOT / "statements" / "lipset.toml")
    qset = dataclasses.replace(qset, slug=SLUG, require_comments=False,
                               questions=(Question("note", "text", "Anything to add?"),))
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        create_study(session, qset)
        set_state(session, SLUG, "open")
    engine.dispose()


def verify(database_url: str, completed: dict[str, dict[str, int]]) -> tuple[int, int, int]:
    """(stored sorts, lost, wrong or duplicated) for the completed receipts."""
    from sqlalchemy import select

    from poetq.store import make_engine
    from poetq.store.models import Response

    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Response.receipt, Response.sort).where(Response.receipt.is_not(None))
        ).all()
    engine.dispose()
    by_receipt = collections.Counter(r.receipt for r in rows)
    stored = {r.receipt: r.sort for r in rows}
    lost = sum(1 for rc in completed if rc not in stored)
    wrong = sum(1 for rc, s in completed.items() if rc in stored and stored[rc] != s)
    dup = sum(n - 1 for n in by_receipt.values() if n > 1)
    return len(rows), lost, wrong + dup


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--respondents", type=int, default=200, help="concurrent respondents")
    ap.add_argument("--sorts", type=int, default=2000, help="stop after this many completed sorts")
    ap.add_argument("--seconds", type=float, default=120, help="stop after this many seconds")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--threads", type=int, default=2, help="app threads per worker")
    ap.add_argument("--server", choices=("granian", "gunicorn", "waitress"), default="granian",
                    help="the WSGI server `poetq serve` runs")
    ap.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL server")
    ap.add_argument("--postgres-cpus", default=None, metavar="LIST",
                    help="run the throwaway PostgreSQL under taskset -c LIST (e.g. 1: one core, "
                         "as a database machine of its own would leave the web workers theirs)")
    ap.add_argument("--kill-worker-after", type=float, default=None, metavar="SECONDS",
                    help="SIGKILL one server worker after this many seconds")
    ap.add_argument(
        "--think",
        type=float,
        default=0.5,
        metavar="SECONDS",
        help="mean pause of a respondent before each post (uniform 0.5x-1.5x); 0 hammers",
    )
    ap.add_argument("--ramp-up", type=float, default=10.0, metavar="SECONDS",
                    help="respondents arrive evenly over this many seconds (0: all at once)")
    ap.add_argument("--server-log", type=Path, default=None, metavar="FILE",
                    help="keep the server's JSON request log here")
    ap.add_argument("--url", default=None,
                    help="test a running server (127.0.0.1 only) instead of starting one; needs a "
                    "study with slug 'load' (see setup()); add --database-url to check the sorts")
    ap.add_argument("--database-url", default=None,
                    help="with --url: the server's database; without: an empty database for "
                         "the server started here")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.url and urllib.parse.urlsplit(args.url).hostname not in (
        "127.0.0.1",
        "localhost",
        "::1",
    ):
        ap.error("--url must be on this machine (127.0.0.1)")
    if args.url and args.kill_worker_after is not None:
        ap.error("--kill-worker-after needs the server this script starts (no --url)")

    workdir = Path(tempfile.mkdtemp(prefix="poetq-load-"))
    os.chmod(workdir, 0o755)
    pgdir = None
    if args.url or args.database_url:
        database_url = args.database_url  # an empty database for the server started here
    elif args.postgres:
        pgdir = workdir / "pg"
        start = [str(ROOT / "scripts" / "throwaway-postgres.sh"), "start", str(pgdir)]
        if args.postgres_cpus:
            start = ["taskset", "-c", args.postgres_cpus, *start]
        url = subprocess.run(start, check=True, capture_output=True, text=True).stdout.strip()
        database_url = url
    else:
        database_url = f"sqlite:///{workdir / 'load.sqlite3'}"
    server = None
    log = open(args.server_log, "wb") if args.server_log else subprocess.DEVNULL
    try:
        if args.url:
            base = args.url.rstrip("/")
        else:
            setup(workdir, database_url)
            port = free_port()
            # Every simulated respondent comes from 127.0.0.1, where real ones come from many
            # addresses: the per-address limits on starting responses and opening invitations
            # would turn them away after the first 60, so they are off for the benchmark.
            env = {**os.environ, "DATABASE_URL": database_url, "POETQ_HOME": str(workdir / "home"),
                   "POETQ_RATE_LIMIT_START": "null", "POETQ_RATE_LIMIT_INVITATION": "null"}
            exe = Path(sys.executable).with_name("poetq")
            server = subprocess.Popen(
                [str(exe), "serve", "--port", str(port), "--workers", str(args.workers),
                 "--threads", str(args.threads), "--server", args.server],
                env=env, stdout=log, stderr=log, start_new_session=True)
            base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + f"/s/{SLUG}", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        stats = Stats()
        stop = threading.Event()
        started = time.perf_counter()
        deadline = started + args.seconds

        stopped_at: list[float] = []
        ramp_up = min(args.ramp_up, args.seconds / 4)  # a short run still gets its respondents

        def respondent(i: int):
            rng = random.Random(args.seed * 100_003 + i)
            time.sleep(ramp_up * i / max(1, args.respondents))
            while not stop.is_set() and time.perf_counter() < deadline:
                who = Respondent(base, stats, rng, args.think)
                try:
                    receipt, sort = who.run()
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    stats.error(f"gave up: {type(exc).__name__}: {str(exc)[:60]}")
                    continue
                finally:
                    who.close()
                with stats.lock:
                    stats.completed[receipt] = sort
                    if len(stats.completed) >= args.sorts and not stop.is_set():
                        stopped_at.append(time.perf_counter())
                        stop.set()

        killer = None
        if args.kill_worker_after is not None:
            def kill():
                time.sleep(args.kill_worker_after)
                kids = subprocess.run(
                    ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
                ).stdout.split()
                if kids:
                    os.kill(int(kids[0]), signal.SIGKILL)
                    print(f"killed worker {kids[0]} at {args.kill_worker_after:.0f} s", flush=True)
            killer = threading.Thread(target=kill, daemon=True)
            killer.start()
        load_cpu0 = time.process_time()
        server_cpu0 = cpu_seconds(server.pid) if server is not None else None
        postmaster = postmaster_pid(pgdir)
        db_cpu0 = cpu_seconds(postmaster) if postmaster else None
        threads = [
            threading.Thread(target=respondent, args=(i,), daemon=True)
            for i in range(args.respondents)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        load_cpu = time.process_time() - load_cpu0
        server_cpu = cpu_seconds(server.pid) - server_cpu0 if server is not None else None
        db_cpu = cpu_seconds(postmaster) - db_cpu0 if postmaster else None
        n = len(stats.completed)
        backend = (
            "PostgreSQL" if args.postgres or "postgresql" in (database_url or "") else "SQLite"
        )
        if args.url:
            backend = f"server at {base}"
        print(
            f"backend: {backend}; {args.respondents} concurrent respondents (think "
            f"{args.think:g} s, arriving over {ramp_up:g} s); "
            f"{args.server} {args.workers} workers x {args.threads} threads"
        )
        print(f"completed sorts: {n} in {elapsed:.1f} s = {n / elapsed:.1f} sorts/s")
        print(
            f"completed stage requests (a post and its redirect, or a page): {stats.requests} = "
            f"{stats.requests / elapsed:.0f} requests/s; HTTP requests {stats.http / elapsed:.0f}/s"
        )
        steady_from = started + ramp_up
        steady_to = min([deadline, *stopped_at])
        steady = collections.defaultdict(list)
        for done, stage, seconds in stats.done_at:
            if steady_from <= done < steady_to:
                steady[stage].append(seconds)
        window = steady_to - steady_from
        if window > 0 and steady:
            n_steady = sum(len(v) for v in steady.values())
            print(f"steady state ({window:.0f} s from the end of the ramp-up to the first "
                  f"respondent stopping): {n_steady / window:.0f} stage requests/s")
            print(f"{'stage':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
            for stage, values in sorted(steady.items()):
                print(latency_row(stage, values))
            print(latency_row("all", [x for values in steady.values() for x in values]))
        else:
            print("steady state: none (the run ended before the ramp-up did)")
        print(latency_row("whole run", [seconds for _, _, seconds in stats.done_at]))
        per = 1000 / max(1, stats.requests)
        print(f"CPU: load generator {load_cpu:.1f} s ({load_cpu * per:.2f} ms per stage request)"
              + (f"; server {server_cpu:.1f} s ({server_cpu * per:.2f} ms per stage request)"
                 if server_cpu is not None else "")
              + (f"; PostgreSQL {db_cpu:.1f} s ({db_cpu * per:.2f} ms per stage request"
                 + (f", taskset -c {args.postgres_cpus})" if args.postgres_cpus else ")")
                 if db_cpu is not None else ""))
        print(
            f"errors (retried or counted): {sum(stats.errors.values())} "
            f"{dict(stats.errors.most_common(8))}"
        )
        gave_up = sum(n for what, n in stats.errors.items() if what.startswith("gave up"))
        print(f"sorts abandoned after an error (the respondent started again): {gave_up}")
        print(
            "respondents who resumed from their resume link after a failed request: "
            f"{stats.resumed}"
        )
        if server is not None:
            kids = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                  text=True).stdout.split()
            print(f"server workers running at the end: {len(kids)} of {args.workers}")
        if not database_url:
            print("database: not checked (no --database-url)")
            return
        stored, lost, bad = verify(database_url, stats.completed)
        print(
            f"database: {stored} finished sorts stored; completed {n}; lost {lost}; "
            f"wrong or duplicated {bad}"
        )
        if lost or bad or not n:
            sys.exit(1)
    finally:
        if log is not subprocess.DEVNULL:
            log.close()
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if pgdir is not None:
            subprocess.run(
                [str(ROOT / "scripts" / "throwaway-postgres.sh"), "stop", str(pgdir)], check=False
            )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
