"""The analysis options in a real browser: an oblique rotation's Phi, the matrices (collapsed
until opened), inverting a factor, and the bootstrap with its progress bar and download."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from poetq.qsets import load_qset
from poetq.services.studies import create_study
from poetq.services.users import create_user

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "research"))
from research_helpers import add_finished  # noqa: E402
from test_research_browser import AXE, PASSWORD, axe  # noqa: E402
from web_helpers import JC  # noqa: E402

SHOTS = os.environ.get("POETQ_OPTION_SHOTS")


def test_phi_matrices_invert_and_bootstrap(browser, server, tmp_path):
    base, factory = server
    with factory() as session:
        ada = create_user(session, "ada@example.org", PASSWORD)
        study = create_study(session, load_qset(JC), slug="options", owner=ada)
        add_finished(session, study, 12, seed=5)
        session.commit()
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        page.goto(f"{base}/research/sign-in")
        page.get_by_label("Email address").fill("ada@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/research/studies/options/analysis?factors=3&rotation=oblimin")
        assert page.locator("#phi").is_visible()
        assert not page.locator("#corr").is_visible()  # collapsed until opened
        page.locator("#matrix-corr summary").click()
        page.locator("#matrix-unrotated summary").click()
        assert page.locator("#corr").is_visible() and page.locator("#unrotated").is_visible()
        axe(page, "analysis with matrices open")
        if SHOTS:
            page.locator("#matrices-h").scroll_into_view_if_needed()
            page.screenshot(path=f"{SHOTS}/matrices.png")
        before = float(
            page.locator('#loadings td[data-sort][data-factor="2"]').first.get_attribute(
                "data-value"
            )
        )
        page.get_by_label("Invert (mirror) a factor").select_option("2")
        with page.expect_navigation():
            page.locator("#pole-form button").click()
        after = float(
            page.locator('#loadings td[data-sort][data-factor="2"]').first.get_attribute(
                "data-value"
            )
        )
        assert after == -before and "invert=2" in page.url
        page.get_by_label("Samples").fill("30")
        with page.expect_download() as download, \
                page.expect_response(lambda r: "progress=1" in r.url) as streamed:
            page.get_by_role("button", name="Run the bootstrap and download (.zip)").click()
            page.locator("#bootstrap-status progress").wait_for()
        assert streamed.value.ok
        status = page.locator("#bootstrap-status")
        status.get_by_role("link").wait_for()
        assert status.inner_text().startswith("Done in")
        path = tmp_path / "boot.zip"
        download.value.save_as(path)
        assert "qmb.summary_statements.csv" in zipfile.ZipFile(path).namelist()
        axe(page, "analysis after the bootstrap")
        if SHOTS:
            page.locator("#bootstrap-h").scroll_into_view_if_needed()
            page.screenshot(path=f"{SHOTS}/bootstrap.png")
            page.get_by_label("Samples").fill("1500")
            page.get_by_role("button", name="Run the bootstrap and download (.zip)").click()
            page.wait_for_function(
                "() => { const b = document.querySelector('#bootstrap-status progress');"
                " return b && b.value > 100; }"
            )
            page.screenshot(path=f"{SHOTS}/bootstrap-running.png")
    finally:
        context.close()
