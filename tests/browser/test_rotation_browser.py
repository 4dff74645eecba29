"""Judgmental rotation in Chromium: the rotate form, undo and redo give the numbers of
``poetq analyse --rotate`` exactly; a saved analysis keeps the history."""

from __future__ import annotations

from pathlib import Path

from poetq.analysis import AnalysisOptions
from poetq.services import factor_analysis, saved_analyses
from poetq.services.demo import simulate_into_study
from poetq.services.sorts import study_sorts
from poetq.services.studies import get_study, study_qset
from poetq.services.users import create_user, grant

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PASSWORD = "correct horse battery"


def loadings(page) -> dict[tuple[str, int], float]:
    cells = page.locator("#loadings td[data-sort]")
    return {(c.get_attribute("data-sort"), int(c.get_attribute("data-factor"))):
            float(c.get_attribute("data-value")) for c in cells.all()}


def rotated(source, *steps) -> dict[tuple[str, int], float]:
    r = factor_analysis.run_analysis(source, AnalysisOptions(3, rotations=steps))
    return {(s, f + 1): float(r.loadings[j, f]) for j, s in enumerate(r.sort_ids) for f in range(3)}


def test_rotate_undo_redo_and_save_in_the_browser(browser, server):
    base, factory = server
    with factory() as session:
        user = create_user(session, "ada@example.org", PASSWORD)
        grant(session, get_study(session, "joint-commissioning").id, user)
        simulate_into_study(session, "joint-commissioning", None, 30, seed=2)
        session.commit()
        source = factor_analysis.Source(
            study_sorts(session, "joint-commissioning"),
            "joint-commissioning",
            study_qset(get_study(session, "joint-commissioning")),
        )
    page = browser.new_context().new_page()
    page.add_init_script(path=str(AXE))
    page.goto(f"{base}/research/sign-in")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/research/studies/joint-commissioning/analysis?factors=3")
    start = loadings(page)
    assert start == rotated(source)

    def rotate(a: str, b: str, angle: str) -> None:
        page.locator("#rot-a").select_option(a)
        page.locator("#rot-b").select_option(b)
        page.get_by_label("Angle (degrees)").fill(angle)
        with page.expect_navigation():
            page.get_by_role("button", name="Rotate and re-run").click()

    rotate("1", "3", "20")
    assert loadings(page) == rotated(source, (1, 3, 20.0))
    rotate("2", "3", "-7.5")
    two = rotated(source, (1, 3, 20.0), (2, 3, -7.5))
    assert loadings(page) == two
    assert (
        page.locator("#rot-a").input_value() == "2" and page.locator("#rot-b").input_value() == "3"
    )
    assert page.locator("#rotation-history li").all_inner_texts() == ["f1 and f3 by +20°",
                                                                      "f2 and f3 by -7.5°"]
    with page.expect_navigation():
        page.locator("#rotation-undo").click()
    assert loadings(page) == rotated(source, (1, 3, 20.0))
    with page.expect_navigation():
        page.locator("#rotation-redo").click()
    assert loadings(page) == two
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert not [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]

    page.get_by_label("Name", exact=True).fill("retraced")
    with page.expect_navigation():
        page.locator("#save-new").click()
    assert "then by hand: f1/f3 +20°, f2/f3 -7.5°" in page.locator("#saved-method").inner_text()
    with factory() as session:
        info, _src, result = saved_analyses.open_saved(session, "joint-commissioning", "retraced")
    assert info.options.rotations == ((1, 3, 20.0), (2, 3, -7.5))
    assert {(s, f + 1): float(result.loadings[j, f]) for j, s in enumerate(result.sort_ids)
            for f in range(3)} == two
