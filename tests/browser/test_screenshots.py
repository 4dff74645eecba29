"""Screenshots of the respondent flow and the researchers' pages, for docs/guide.md.

A respondent is moved through the joint-commissioning study over HTTP (Flask's test client,
fast), and at each stage a phone-sized (360×740) and a desktop browser open the respondent's
resume link and take a picture. A researcher then signs in to a study with 40 simulated
responses from the five planted viewpoints and pictures every page of the guide. Each
screenshot must be a PNG of the viewport's size that is not blank and under 300 kB, and
each page must pass axe-core (serious and critical rules; once per page, the respondents'
pages at desktop size).

The pictures go to pytest's tmp_path, or to the folder in $POETQ_SCREENSHOTS to refresh the
guide::

    POETQ_SCREENSHOTS=docs/images .venv/bin/pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from poetq.qsets import shipped_viewpoints
from poetq.services.sorts import store_finished_sorts
from poetq.services.studies import get_study, study_qset
from poetq.services.users import create_user, grant
from poetq.simulate import simulate_sorts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from web_helpers import Sorter

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SLUG = "joint-commissioning"
PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
MAX_BYTES = 300_000
FACTORS = 5


# -- pictures


@pytest.fixture
def folder(tmp_path) -> Path:
    where = Path(os.environ.get("POETQ_SCREENSHOTS") or tmp_path / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    return where


#: axe rules a page may break, per page: none (keep it that way).
KNOWN: dict[str, set[str]] = {}


def axe(page, where: str) -> None:
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")
           and v["id"] not in KNOWN.get(where, ())]
    assert not bad, f"axe on {where}: {bad}"


def check_png(path: Path, size: dict[str, int]) -> None:
    """A PNG of ``size`` (CSS pixels at scale 1), not blank, small enough for the docs."""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path.name
    with Image.open(path) as image:
        assert image.size == (size["width"], size["height"]), (path.name, image.size)
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 8, f"{path.name} looks blank"
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes"


def shoot(
    page, folder: Path, name: str, *, scroll_to: str | None = None, check: bool = True
) -> Path:
    """The viewport as ``folder/name.png``, after axe checked the page (``check``)."""
    if check:
        axe(page, name)
    if scroll_to:
        page.locator(scroll_to).evaluate(
            "el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    check_png(path, page.viewport_size)
    return path


def new_page(browser, viewport: dict[str, int], *, phone: bool = False):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone,
                                  has_touch=phone)
    context.add_init_script(path=str(AXE))  # the pages' CSP forbids inline scripts
    return context.new_page()


@pytest.fixture
def app(server):
    """A second app on the server's database: its test clients are fast respondents."""
    from poetq.web import create_app

    _, factory = server
    url = factory.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-tests"})
    try:
        yield app
    finally:
        app.extensions["poetq"]["engine"].dispose()


# -- respondents


def presort(sorter: Sorter, count: int) -> None:
    """The first 15 statements agreed with, the next 10 neutral, the rest not."""
    for i in range(count):
        sorter.post(pile="agree" if i < 15 else "neutral" if i < 25 else "disagree")


def finish(sorter: Sorter) -> None:
    """From the review to the thanks page, with comments and answers."""
    sorter.post(confirm="1", place=sorter.places())
    assert sorter.stage == "extremes"
    reasons = ["It is what matters most to the people we serve.", "We tried it and it worked.",
               "Budgets are too tight for this.", "Nobody has shown that it helps."]
    sorter.post(comments="1", **{f"comment-{s}": reasons[k % 4]
                                 for k, s in enumerate(sorter.comment_ids())})
    assert sorter.stage == "questions"
    sorter.post(finish="1", **{"q-sector": "Local authority adult social care", "q-years": "7",
                               "q-success": "Well"})
    assert sorter.stage == "done", sorter.page[:500]


def test_screenshots_of_the_respondent_flow(browser, server, app, folder):
    base, _ = server
    pages = {"phone": new_page(browser, PHONE, phone=True), "desktop": new_page(browser, DESKTOP)}
    sorter = Sorter(app.test_client())

    def shoot_both(number: int, stage: str, path: str, **kw) -> None:
        for device, page in pages.items():
            page.goto(base + path)
            assert page.locator("body").get_attribute("class") == f"stage-{stage}", (device, stage)
            shoot(
                page,
                folder,
                f"respondent-{device}-{number}-{stage}",
                check=device == "desktop",
                **kw,
            )

    try:
        shoot_both(1, "welcome", f"/s/{SLUG}")
        sorter.start(f"/s/{SLUG}")
        resume = f"/r/{sorter.code}"
        presort(sorter, 3)
        shoot_both(2, "presort", resume)
        presort(sorter, 37)
        for _ in range(6):
            sorter.post(choose=sorter.candidates()[0])
        shoot_both(3, "ranking", resume)
        sorter.rank()
        assert sorter.stage == "review"
        first = sorter.places()[0].partition(":")[0]
        shoot_both(4, "review", f"{resume}?first={first}")  # a statement picked for a swap
        sorter.post(confirm="1", place=sorter.places())
        shoot_both(5, "extremes", resume)
        sorter.post(comments="1", **{f"comment-{s}": "Reason." for s in sorter.comment_ids()})
        shoot_both(6, "questions", resume)
        sorter.post(finish="1", **{"q-sector": "Other"})
        shoot_both(7, "done", resume)
        assert "receipt code" in pages["phone"].content()
    finally:
        for page in pages.values():
            page.context.close()


# -- researchers


def planted_viewpoints(qset) -> np.ndarray:
    """The shipped viewpoints of the joint-commissioning Q-set, (n_statements, 5)."""
    data = tomllib.loads(shipped_viewpoints(SLUG).read_text(encoding="utf-8"))
    return np.array([[v["scores"][sid] for v in data["viewpoint"]] for sid in qset.statement_ids],
                    dtype=float)


def add_responses(factory, app) -> None:
    """40 simulated finished sorts, one respondent who wrote comments, two still sorting."""
    with factory() as session:
        study = get_study(session, SLUG)
        qset = study_qset(study)
        sim = simulate_sorts(qset.grid, 40, viewpoints=planted_viewpoints(qset), noise=0.5, seed=5)
        sorts = [(f"sim-{j + 1:03d}", {sid: int(sim.values[i, j])
                                       for i, sid in enumerate(qset.statement_ids)})
                 for j in range(sim.values.shape[1])]
        store_finished_sorts(session, study, sorts, origin="simulated")
        session.commit()
    real = Sorter(app.test_client())
    real.start(f"/s/{SLUG}")
    presort(real, 40)
    real.rank()
    finish(real)
    for steps in (12, 40):  # in progress: one in the pre-sort, one ranking
        other = Sorter(app.test_client())
        other.start(f"/s/{SLUG}")
        presort(other, steps)


def test_screenshots_of_the_researchers_pages(browser, server, app, folder):
    base, factory = server
    with factory() as session:
        user = create_user(session, "ada@example.org", PASSWORD, name="Ada")
        grant(session, get_study(session, SLUG).id, user)
        session.commit()
    add_responses(factory, app)
    page = new_page(browser, DESKTOP)
    study = f"{base}/research/studies/{SLUG}"
    try:
        page.goto(f"{base}/research/sign-in")
        shoot(page, folder, "research-01-sign-in")
        page.get_by_label("Email address").fill("ada@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        shoot(page, folder, "research-02-studies")
        page.get_by_role("link", name="New study").click()
        page.get_by_label("Statements, one per line").fill(
            "Commissioners should listen to carers.\nPooled budgets save money.\n"
            "Joint teams work better.")
        page.get_by_label("Grid counts, left to right").fill("1 1 1")
        assert "it fits the 3 statements" in page.locator("#count-check").inner_text()
        shoot(page, folder, "research-03-new-study")

        page.goto(study)
        page.get_by_label("Number of codes").fill("3")
        page.get_by_label("Label (optional)").fill("Pilot group")
        with page.expect_navigation():
            page.get_by_role("button", name="Create invitation codes").click()
        assert page.locator("#invitations table tbody tr").count() == 3
        shoot(page, folder, "research-04-study", scroll_to="h1")
        shoot(page, folder, "research-05-invitations", scroll_to="#counts-h", check=False)

        page.goto(f"{study}/responses")
        assert page.locator('[data-count="finished"]').inner_text() == "41"
        shoot(page, folder, "research-06-responses")
        with page.expect_navigation():
            page.locator("table.data tbody a").filter(has_not_text="sim-").first.click()
        assert "It is what matters most" in page.content()
        shoot(page, folder, "research-07-response")
        shoot(page, folder, "research-08-response-comments", scroll_to="h2:text('Comments')",
              check=False)

        page.goto(f"{study}/analysis")
        assert page.locator("#guidance").is_visible()
        shoot(page, folder, "research-09-guidance")
        page.get_by_label("Number of factors").fill(str(FACTORS))
        with page.expect_navigation():
            page.get_by_role("button", name="Run the analysis").click()
        defining = [int(c.get_attribute("data-value"))
                    for c in page.locator("#characteristics tbody tr td:nth-of-type(1)").all()]
        assert len(defining) == FACTORS and sum(n > 0 for n in defining) >= 4, defining
        shoot(page, folder, "research-10-analysis")
        shoot(page, folder, "research-11-loadings", scroll_to="#loadings-h", check=False)
        page.wait_for_function("() => document.getElementById('loadings-plot').complete"
                               " && document.getElementById('loadings-plot').naturalWidth > 0")
        shoot(page, folder, "research-12-rotation", scroll_to="#rotate-h", check=False)
        shoot(page, folder, "research-13-arrays", scroll_to="#arrays-h", check=False)
        shoot(page, folder, "research-15-crib-sheet", scroll_to="#crib-f1", check=False)
        shoot(page, folder, "research-16-distinguishing", scroll_to="#qdc-h", check=False)
        composite = page.locator("#arrays-h ~ p a", has_text="Composite Q-sort diagram").first
        href = composite.get_attribute("href")

        # the composite Q-sort diagram with statement text, fitted to the window; as an
        # image, since the SVG opened as a page is drawn without its (inline) styles
        page.evaluate("""url => new Promise((done, fail) => {
            const img = new Image();
            img.alt = "Composite Q-sort of factor 1";
            Object.assign(img.style, {display: "block", width: "100vw", height: "100vh",
                                      objectFit: "contain"});
            Object.assign(document.body.style, {margin: "0", padding: "0", background: "#fff"});
            img.onload = done; img.onerror = () => fail(new Error("no figure at " + url));
            img.src = url;
            document.body.replaceChildren(img);
        })""", f"{href}&text=1")
        shoot(page, folder, "research-14-composite", check=False)

        page.goto(f"{study}/downloads")
        shoot(page, folder, "research-17-downloads")
    finally:
        page.context.close()
