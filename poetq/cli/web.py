"""``poetq serve``: the web app on this machine, with a production WSGI server."""

from __future__ import annotations

import os
import sys

import click

from poetq.cli import cli
from poetq.cli._db import database_option


def _default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 4)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True,
              help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=_default_workers, show_default="min(2×cores+1, 4)",
              help="Worker processes (gunicorn on Linux; waitress elsewhere runs one process).")
@click.option("--threads", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Threads per worker.")
@click.option("--debug", is_flag=True,
              help="Flask's development server with reloading and the debugger (never in public).")
@database_option
def serve_command(host: str, port: int, workers: int, threads: int, debug: bool,
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
    run_server(database_url, host=host, port=port, workers=workers, threads=threads, debug=debug)


def run_server(database_url: str | None, *, host: str = "127.0.0.1", port: int = 5000,
               workers: int | None = None, threads: int = 4, debug: bool = False) -> None:
    """Serve the app until Ctrl+C: gunicorn (gthread) on POSIX, else waitress."""
    from poetq.store import check_schema
    from poetq.web import create_app

    workers = workers or _default_workers()
    config = {"DATABASE_URL": database_url} if database_url else {}
    app = create_app(config)
    check_schema(app.extensions["poetq"]["engine"])
    click.echo(f"Serving poetq on http://{host}:{port}/ (Ctrl+C stops)")
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    if sys.platform != "win32":
        try:
            from gunicorn.app.base import BaseApplication
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
                    return create_app(config)

            Server().run()
            return
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads * workers, ident="poetq")
