"""Screenshots of the respondent flow and the researchers' pages, for docs/guide.md.

Each screenshot is checked (a PNG of the viewport's size that is not blank). They go to
pytest's tmp_path, or to the folder in $POETQ_SCREENSHOTS to refresh the guide::

    POETQ_SCREENSHOTS=docs/images .venv/bin/pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib import image as mpimg
from test_respondent_browser import Respondent

from poetq.services.demo import simulate_into_study
from poetq.services.users import create_user, grant
from poetq.qsets import shipped_viewpoints
from poetq.services.studies import get_study

SLUG = "joint-commissioning"
PASSWORD = "correct horse battery"


def _folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("POETQ_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(page, folder: Path, name: str, *, full: bool = False, element=None) -> Path:
    path = folder / f"{name}.png"
    if element is not None:
        element.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full)
    pixels = mpimg.imread(str(path))
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 200, (name, pixels.shape)
    assert float(np.std(pixels[..., :3])) > 0.02, f"{name} looks blank"
    if element is None and not full:
        size = page.viewport_size
        assert pixels.shape[:2] == (size["height"], size["width"]), name
    return path


def test_screenshots_of_the_respondent_flow_on_a_phone(browser, server, tmp_path):
    base, _ = server
    folder = _folder(tmp_path)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, device_scale_factor=1)
    page = context.new_page()
    r = Respondent(page, base)
    r.open()
    _shoot(page, folder, "respondent-1-welcome")
    r.consent()
    _shoot(page, folder, "respondent-2-presort")
    r.presort()
    r.rank(limit=6, pick=lambda n, count: n % count)
    _shoot(page, folder, "respondent-3-ranking")
    r.rank()
    _shoot(page, folder, "respondent-4-review", full=True)
    r.review()
    _shoot(page, folder, "respondent-5-extremes")
    r.extremes()
    _shoot(page, folder, "respondent-6-questions")
    r.questions()
    _shoot(page, folder, "respondent-7-thanks")
    context.close()


def test_screenshots_of_the_researchers_pages(browser, server, tmp_path):
    base, factory = server
    folder = _folder(tmp_path)
    with factory() as session:
        user = create_user(session, "ada@example.org", PASSWORD, name="Ada")
        grant(session, get_study(session, SLUG).id, user)
        simulate_into_study(session, SLUG, shipped_viewpoints(SLUG), 40, seed=5)
        session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    page.goto(base + "/research/sign-in")
    _shoot(page, folder, "research-1-sign-in")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/research/")
    _shoot(page, folder, "research-2-studies")
    page.goto(base + "/research/studies/new")
    _shoot(page, folder, "research-3-new-study")
    page.goto(base + f"/research/studies/{SLUG}")
    _shoot(page, folder, "research-4-study")
    page.goto(base + f"/research/studies/{SLUG}/responses")
    _shoot(page, folder, "research-5-responses")
    page.goto(base + f"/research/studies/{SLUG}/analysis")
    _shoot(page, folder, "research-6-guidance")
    page.goto(base + f"/research/studies/{SLUG}/analysis?factors=5")
    _shoot(page, folder, "research-7-analysis")
    _shoot(page, folder, "research-8-loadings", element=page.locator("section[aria-labelledby=loadings-h]"))
    _shoot(page, folder, "research-9-array", element=page.locator("section[aria-labelledby=arrays-h]"))
    crib = page.locator("section[aria-labelledby=cribs-h]")
    crib.scroll_into_view_if_needed()
    _shoot(page, folder, "research-10-crib-sheets")
    figure = page.request.get(base + f"/research/studies/{SLUG}/analysis/figures/composite.png"
                                     "?factors=5&factor=1&text=1")
    assert figure.ok and figure.headers["content-type"] == "image/png"
    (folder / "research-9-composite.png").write_bytes(figure.body())
    assert mpimg.imread(str(folder / "research-9-composite.png")).shape[1] > 400
    page.goto(base + f"/research/studies/{SLUG}/downloads")
    _shoot(page, folder, "research-11-downloads")
    context.close()
