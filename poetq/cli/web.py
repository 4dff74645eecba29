"""``poetq serve``: the respondents' web app on this machine."""

from __future__ import annotations

import click

from poetq.cli import cli
from poetq.cli._db import database_option


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True,
              help="Port to listen on.")
@click.option("--debug", is_flag=True,
              help="Flask's development server with reloading and the debugger (never in public).")
@database_option
def serve_command(host: str, port: int, debug: bool, database_url: str | None) -> None:
    """Serve the respondents' pages (/s/SLUG, /i/CODE, /r/RESUME-CODE).

    Uses $DATABASE_URL when set, else the embedded SQLite file; set $POETQ_SECRET_KEY so
    respondents' forms keep working across restarts. Open a study first with
    `poetq study open SLUG`.

    \b
    Example:
      poetq serve --port 8080
    """
    from poetq.store import check_schema
    from poetq.web import create_app

    config = {"DATABASE_URL": database_url} if database_url else {}
    app = create_app(config)
    check_schema(app.extensions["poetq"]["engine"])
    click.echo(f"Serving poetq on http://{host}:{port}/ (Ctrl+C stops)")
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    import waitress

    waitress.serve(app, host=host, port=port, threads=8, ident="poetq")
