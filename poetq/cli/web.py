"""``poetq serve``: the web app on this machine, with a production WSGI server."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import time

import click

from poetq.cli._db import database_option


def cpu_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _default_workers() -> int:
    # one worker per core: each worker already runs several threads, and more workers than
    # cores only make them compete (granian warns about it); the measured capacity in
    # docs/deployment.md used 2 workers on 2 cores
    return min(cpu_cores(), 16)


SERVERS = ("granian", "gunicorn", "waitress")


def _default_server() -> str:
    """granian (Rust HTTP, Python only for the app) where it is installed, else gunicorn on
    POSIX, else waitress."""
    if importlib.util.find_spec("granian") is not None:
        return "granian"
    return "gunicorn" if sys.platform != "win32" else "waitress"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True,
              help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=_default_workers,
    show_default="one per CPU core, at most 16",
    help="Worker processes (granian or gunicorn; waitress runs one process).",
)
@click.option("--threads", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Threads per worker that run the app.")
@click.option("--server", type=click.Choice(SERVERS), default=_default_server,
              show_default="granian if installed, else gunicorn (POSIX) or waitress",
              help="The WSGI server. granian parses HTTP in Rust and is the fastest here "
                   "(bench/load.py); gunicorn and waitress are pure Python.")
@click.option("--debug", is_flag=True,
              help="Flask's development server with reloading and the debugger (never in public).")
@database_option
def serve_command(host: str, port: int, workers: int, threads: int, server: str, debug: bool,
                  database_url: str | None) -> None:
    """Serve the respondents' pages (/s/SLUG, /i/CODE, /r/RESUME-CODE).

    Uses $DATABASE_URL when set, else the embedded SQLite file. The app keeps no state
    outside the database, so several workers (or machines sharing one PostgreSQL) can serve
    one study; machines must share $POETQ_SECRET_KEY. Open a study first with
    `poetq study open SLUG`.

    \b
    Example:
      poetq serve --host 0.0.0.0 --port 8080 --workers 4 --threads 8
    """
    run_server(database_url, host=host, port=port, workers=workers, threads=threads,
               server=server, debug=debug)


def run_server(database_url: str | None, *, host: str = "127.0.0.1", port: int = 5000,
               workers: int | None = None, threads: int = 4, server: str | None = None,
               debug: bool = False) -> None:
    """Serve the app until Ctrl+C with ``server`` (see :func:`_default_server`).

    Workers that die are started again by every server here (a crashed or killed worker
    loses at most the requests it was running; respondents resume from their link).
    """
    # Flask and the app only when serving (poetq serve --help loads none of it).
    from poetq.web import create_app, create_worker_app
    from poetq.web.db import check_schema

    workers = workers or _default_workers()
    config = {"DATABASE_URL": database_url} if database_url else {}
    app = create_app(config)
    check_schema(app)
    click.echo(f"Serving poetq on http://{host}:{port}/ (Ctrl+C stops)")
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    server = server or _default_server()
    if server == "granian":
        _run_granian(app, database_url, host=host, port=port, workers=workers, threads=threads)
        return
    if server == "gunicorn" and sys.platform != "win32":
        try:
            from gunicorn.app.base import BaseApplication  # the chosen server only
        except ImportError:  # pragma: no cover - gunicorn is a dependency on Linux
            BaseApplication = None
        if BaseApplication is not None:
            app.extensions["poetq"]["engine"].dispose()  # each worker opens its own connections

            class Server(BaseApplication):
                def load_config(self):
                    self.cfg.set("bind", f"{host}:{port}")
                    self.cfg.set("workers", workers)
                    self.cfg.set("threads", threads)
                    self.cfg.set("worker_class", "gthread")
                    self.cfg.set("timeout", 60)
                    self.cfg.set("graceful_timeout", 20)
                    self.cfg.set("keepalive", 5)  # browsers reuse the connection between steps
                    if os.path.isdir("/dev/shm"):
                        self.cfg.set("worker_tmp_dir", "/dev/shm")  # heartbeat off the disk
                    # the app writes one JSON line per request (poetq.web.logs)
                    self.cfg.set("accesslog", None)
                    self.cfg.set("proc_name", "poetq")

                def load(self):
                    return create_worker_app(config)

            Server().run()
            return
    import waitress  # each server only when it is the one chosen

    waitress.serve(app, host=host, port=port, threads=threads * workers, ident="poetq")


#: Seconds a granian worker has to finish its requests when the server stops, before it is
#: killed (systemd's own TimeoutStopSec defaults to 90 s).
WORKER_STOP_SECONDS = 10


def _run_granian(app, database_url: str | None, *, host: str, port: int, workers: int,
                 threads: int) -> None:
    """granian: HTTP in Rust, the app in ``threads`` Python threads in each of ``workers``
    processes (forked: each imports nothing again), failed workers started again at once.

    granian itself exits when a worker dies twice within 5.5 s (its crash-loop rule); a
    server for respondents should rather keep trying, so the server is started again after
    a pause that doubles up to 30 s. Each worker dies with the server process
    (:func:`poetq.web.create_worker_app`), so a killed server leaves no orphan serving.
    """
    from granian import Granian  # the chosen server only
    from granian.constants import Interfaces

    app.extensions["poetq"]["engine"].dispose()  # each worker opens its own connections
    if database_url:
        os.environ["DATABASE_URL"] = database_url  # read by create_worker_app in every worker
    pause = 1.0
    while True:
        started = time.monotonic()
        server = Granian(
            "poetq.web:create_worker_app", address=host, port=port, interface=Interfaces.WSGI,
            factory=True, workers=workers, blocking_threads=threads,
            respawn_failed_workers=True, respawn_interval=0.2,
            # a stop must end: a worker that does not stop within this many seconds is killed
            # (granian's default waits for ever; one started again while a SIGTERM to the
            # whole group was being handled never saw the signal and held a stop for good)
            workers_kill_timeout=WORKER_STOP_SECONDS,
            log_access=False, websockets=False,  # the app logs each request itself (JSON)
        )
        try:
            server.serve()
            return  # stopped by Ctrl+C or SIGTERM
        except SystemExit as exc:
            # a stop signal (also when it reached the workers first) is not a crash loop
            if not exc.code or getattr(server, "interrupt_signal", False):
                raise
        # granian's own signal handlers outlive it: Ctrl+C and SIGTERM must work in the pause
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if time.monotonic() - started > 60:
            pause = 1.0
        click.echo(f"poetq: workers kept failing; starting the server again in {pause:g} s",
                   err=True)
        time.sleep(pause)
        pause = min(pause * 2, 30.0)
