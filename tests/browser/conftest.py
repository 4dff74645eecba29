"""Browser fixtures: poetq served on 127.0.0.1 and Debian's headless Chromium via Playwright.

Playwright never downloads a browser here: it drives ``/usr/bin/chromium`` (Debian's
``chromium`` package, installed by run-tests.sh). Without it the tests are skipped on a
developer's machine, but fail under CI (``CI`` set), so a missing install step cannot pass.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("POETQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
JC = Path(__file__).resolve().parents[2] / "statements" / "joint-commissioning.toml"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path):
    """poetq on a fresh SQLite database with the joint-commissioning study open.

    Yields ``(base_url, session_factory)``.
    """
    from werkzeug.serving import make_server

    from poetq.qsets import load_qset
    from poetq.services.studies import create_study, set_state
    from poetq.store import make_engine, make_session_factory, upgrade
    from poetq.web import create_app

    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    engine = make_engine(url, create_dir=True)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        study = create_study(session, load_qset(JC))
        set_state(session, study.slug, "open")
        session.commit()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-tests"})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", factory
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        app.extensions["poetq"]["engine"].dispose()
        engine.dispose()
