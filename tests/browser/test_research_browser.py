"""The researchers' side in a real browser (Playwright + Debian's headless Chromium).

A researcher signs in, creates a study by uploading a Q-set file, opens it, watches four
respondents finish (through the respondents' own pages, over HTTP), excludes one, runs the
analysis, flags by hand, rotates, downloads the workbook and a figure, and every number on
the page is checked against the CLI's analysis service. axe-core checks every page.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from pathlib import Path

from poetq.services import factor_analysis as analysis_service
from poetq.services.users import create_user

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from browser_helpers import AXE, PASSWORD, TINY, axe
from web_helpers import Sorter


def respond(client, link: str, n: int) -> None:
    """One respondent through the respondents' pages: piles vary with ``n``."""
    sorter = Sorter(client).start(link)
    piles = ["agree", "neutral", "disagree"]
    for i in range(9):
        sorter.post(pile=piles[(i + n) % 3] if n % 2 else piles[(i * (n + 1)) % 3])
    sorter.rank()
    sorter.post(confirm="1", place=sorter.places())
    sorter.post(comments="1", **{f"comment-{s}": f"because {n}" for s in sorter.comment_ids()})
    sorter.post(finish="1")
    assert sorter.stage == "done", sorter.page[:500]


def loadings(page) -> dict[tuple[str, int], float]:
    cells = page.locator("#loadings td[data-sort]")
    return {(c.get_attribute("data-sort"), int(c.get_attribute("data-factor"))):
            float(c.get_attribute("data-value")) for c in cells.all()}


def characteristics(page) -> list[float]:
    values = [c.get_attribute("data-value") for c in page.locator("#characteristics td").all()]
    return [float(v) if v else None for v in values]


def expected(result) -> tuple[dict, list[float]]:
    d = analysis_service.result_to_dict(result)
    ld = {
        (s, f + 1): d["loadings"][j][f]
        for j, s in enumerate(d["sort_ids"])
        for f in range(len(d["factors"]))
    }
    ch = d["characteristics"]
    chars = [x for f in range(len(d["factors"])) for x in (ch["nload"][f], ch["eigenvals"][f],
                                                          ch["expl_var"][f], ch["reliability"][f],
                                                          ch["se_fscores"][f])]
    return ld, chars


def test_a_researcher_runs_a_study_in_the_browser(browser, server, tmp_path):
    base, factory = server
    url = factory.kw["bind"].url.render_as_string(hide_password=False)
    with factory() as session:
        create_user(session, "ada@example.org", PASSWORD)
        session.commit()
    context = browser.new_context(accept_downloads=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        # signed out: sent to sign in
        page.goto(f"{base}/research/")
        assert "/research/sign-in" in page.url
        axe(page, "sign-in")
        page.get_by_label("Email address").fill("ada@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.url.rstrip("/").endswith("/research")
        axe(page, "studies")

        # a new study from a Q-set file; the form's live count check speaks as you type
        page.get_by_role("link", name="New study").click()
        axe(page, "new study")
        page.get_by_label("Statements, one per line").fill("One\nTwo\nThree")
        page.get_by_label("Grid counts, left to right").fill("1 1 2")
        assert "but there are 3" in page.locator("#count-check").inner_text()
        page.get_by_label("Grid counts, left to right").fill("1 1 1")
        assert "it fits the 3 statements" in page.locator("#count-check").inner_text()
        qset = tmp_path / "tiny.toml"
        qset.write_text(TINY, encoding="utf-8")
        page.get_by_label("Q-set file (.toml)").set_input_files(str(qset))
        with page.expect_navigation():
            page.get_by_role("button", name="Create the study from the file").click()
        assert page.url.endswith("/research/studies/tiny")
        assert page.get_by_role("heading", level=1).inner_text() == "Tiny <b>study</b>"
        axe(page, "study (draft)")
        with page.expect_navigation():
            page.get_by_role("button", name="Open the study to respondents").click()
        axe(page, "study (open)")
        link = page.get_by_role("textbox", name="Link").input_value()
        assert link == f"{base}/s/tiny"

        # a preview page is a respondent's page
        page.goto(f"{base}/research/studies/tiny/preview/ranking")
        assert page.locator("body").get_attribute("class") == "stage-ranking"
        axe(page, "preview")

        # four respondents finish through the respondents' own pages
        from poetq.web import create_app

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-tests"})
        try:
            for n in range(4):
                respond(app.test_client(), "/s/tiny", n)
        finally:
            app.extensions["poetq"]["engine"].dispose()

        page.goto(f"{base}/research/studies/tiny/responses")
        assert page.locator('[data-count="finished"]').inner_text() == "4"
        axe(page, "responses")
        first = page.locator("table.data tbody tr td a").first
        label = first.inner_text()
        with page.expect_navigation():
            first.click()
        axe(page, "a response")
        assert "because" in page.content()
        with page.expect_navigation():
            page.get_by_role("button", name="Exclude from the analysis").click()
        assert page.locator("#in-analysis").inner_text() == "no: excluded"
        page.get_by_role("link", name="Delete this response…").click()
        axe(page, "delete confirmation")

        # the analysis: guidance, then 2 factors
        page.goto(f"{base}/research/studies/tiny/analysis")
        axe(page, "analysis guidance")
        page.get_by_label("Number of factors").fill("2")
        with page.expect_navigation():
            page.get_by_role("button", name="Run the analysis").click()
        axe(page, "analysis results")
        source = analysis_service.load_source("tiny", database_url=url)
        assert label not in source.table.sort_ids and len(source.table.sort_ids) == 3
        want_loadings, want_chars = expected(analysis_service.run_analysis(source, 2))
        assert loadings(page) == want_loadings
        assert characteristics(page) == want_chars

        # untick a flag and re-run: equal to the CLI's --flags file
        box = page.locator('#loadings input[name="flag"]:checked').first
        unflagged = box.get_attribute("value").split(":", 1)[1]
        box.uncheck()
        with page.expect_navigation():
            page.get_by_role("button", name="Re-run with these flags").click()
        assert "manual flags" in page.locator(".summary").inner_text()
        flags = {c.get_attribute("value").split(":", 1)[1]: int(c.get_attribute("value")[0])
                 for c in page.locator('#loadings input[name="flag"]:checked').all()}
        assert unflagged not in flags
        csv = tmp_path / "flags.csv"
        csv.write_text(
            "sort,flag_f1,flag_f2\n"
            + "".join(
                f"{s},{flags.get(s) == 1},{flags.get(s) == 2}\n".replace("True", "TRUE").replace(
                    "False", "FALSE"
                )
                for s in source.table.sort_ids
            )
        )
        want_loadings, want_chars = expected(
            analysis_service.run_analysis(source, 2, flags=analysis_service.read_flags(csv, 2))
        )
        assert loadings(page) == want_loadings
        assert characteristics(page) == want_chars
        axe(page, "analysis with manual flags")

        # the loadings plot follows the rotation angle as it is typed
        before = page.locator("#loadings-plot").get_attribute("src")
        page.get_by_label("Angle (degrees)").fill("20")
        page.wait_for_function(
            "(s) => document.getElementById('loadings-plot').src.indexOf('rot=') > 0"
            " && !document.getElementById('loadings-plot').src.endsWith(s)",
            arg=before,
        )
        page.wait_for_function("() => document.getElementById('loadings-plot').complete")
        assert page.evaluate("() => document.getElementById('loadings-plot').naturalWidth") > 0

        # downloads: the workbook and a figure
        with page.expect_download() as info:
            page.locator("#download-workbook").click()
        workbook = Path(info.value.path()).read_bytes()
        assert (
            zipfile.is_zipfile(io.BytesIO(workbook))
            and info.value.suggested_filename == "tiny-results.xlsx"
        )
        with page.expect_download() as info:
            page.locator("#figure-loadings-png").click()
        assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")
        # and the JSON download is poetq analyse --json itself
        href = page.locator("#download-json").get_attribute("href")
        body = page.request.get(f"{base}{href}").text()
        assert (
            json.loads(body)["flags"]
            == analysis_service.result_to_dict(
                analysis_service.run_analysis(source, 2, flags=analysis_service.read_flags(csv, 2))
            )["flags"]
        )

        page.goto(f"{base}/research/studies/tiny/downloads")
        axe(page, "downloads")
        assert re.search(r"pqmethod", page.content())
    finally:
        context.close()
