"""The researchers' new pages in Chromium: a 40-statement paper sort typed in with the
keyboard alone (running counts, an overfilled column caught before saving, undo), importing
sorts with a preview, and sharing a study. axe-core checks each page; screenshots at desktop
and phone width go to $POETQ_SCREENSHOTS (or pytest's tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

from browser_helpers import AXE, PASSWORD, axe, signed_in
from sqlalchemy import select
from tests_helpers import SHARED_INTEROP

from poetq.domain import format_value
from poetq.services.sharing import share
from poetq.services.studies import get_study, study_qset
from poetq.services.users import create_user
from poetq.store.models import Response

SLUG = "joint-commissioning"


def _shots(tmp_path) -> Path:
    where = Path(os.environ.get("POETQ_SCREENSHOTS") or tmp_path / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    return where


def _setup(factory):
    with factory() as session:
        user = create_user(session, "ada@example.org", PASSWORD)
        create_user(session, "grace@example.org", PASSWORD)
        study = get_study(session, SLUG)
        share(session, study, user.email, role="owner")
        columns = [
            int(v)
            for v, c in zip(study_qset(study).grid.values, study_qset(study).grid.counts)
            for _ in range(c)
        ]
        session.commit()
    return columns


def test_a_paper_sort_typed_in_with_the_keyboard_alone(browser, server, tmp_path):
    base, factory = server
    columns = _setup(factory)
    shots = _shots(tmp_path)
    context, page = signed_in(browser, base)
    try:
        page.goto(f"{base}/research/studies/{SLUG}/responses/enter")
        axe(page, "enter a paper sort")
        page.locator("#name").focus()
        page.keyboard.type("P01")
        page.keyboard.press("Enter")  # on to statement 1
        # statement 1 goes to +4 first: with the keyboard only, Enter moves on
        page.keyboard.type("4")
        page.keyboard.press("Enter")
        typed = ["+4"] + [format_value(v) for v in columns[1:]]
        typed[39] = format_value(columns[0])  # the displaced -4 goes last
        for value in typed[1:39]:
            page.keyboard.type(value)
            page.keyboard.press("Enter")
        # the 40th: +4 again, making column +4 hold three: named before anything is saved
        page.keyboard.type("+4")
        assert page.locator('#entry-counts td[data-label="+4"]').inner_text() == "3/2"
        assert "Too many statements in column +4" in page.locator("#entry-status").inner_text()
        page.screenshot(path=str(shots / "research-paper-overfilled.png"), full_page=False)
        page.keyboard.press("Enter")  # to the save button
        page.keyboard.press("Enter")  # refused in the page: the focus goes back to a +4
        assert page.evaluate("document.activeElement.value") in ("4", "+4")
        with factory() as session:
            assert session.scalars(select(Response)).first() is None
        # undo puts the last entry back as it was, then the right column is typed
        page.get_by_role("button", name="Undo the last entry").focus()
        page.keyboard.press("Enter")
        page.locator('input[data-entry="40"]').focus()
        page.keyboard.press("Control+a")
        page.keyboard.type(typed[39])
        assert "All 40 statements placed" in page.locator("#entry-status").inner_text()
        counts = [c.inner_text() for c in page.locator("#entry-counts td").all()]
        assert counts == ["2/2", "3/3", "4/4", "6/6", "10/10", "6/6", "4/4", "3/3", "2/2"]
        page.screenshot(path=str(shots / "research-paper-entry.png"), full_page=True)
        page.keyboard.press("Enter")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "entered by hand" in page.locator(".flash").inner_text()
        with factory() as session:
            (response,) = session.scalars(select(Response)).all()
            assert response.trace[-1]["action"] == "entered by hand"
            assert response.sort[study_first(session)] == 4
    finally:
        context.close()


def study_first(session) -> str:
    return study_qset(get_study(session, SLUG)).statement_ids[0]


def test_import_and_sharing_pages_on_a_phone_and_a_desktop(browser, server, tmp_path):
    base, factory = server
    _setup(factory)
    shots = _shots(tmp_path)
    for width, height, name in ((1280, 900, "desktop"), (360, 740, "phone")):
        context, page = signed_in(browser, base, width=width, height=height)
        try:
            page.goto(f"{base}/research/studies/{SLUG}/import")
            axe(page, f"import ({name})")
            page.set_input_files("#files", str(SHARED_INTEROP / "kade" / "LIPSET.DAT"))
            with page.expect_navigation():
                page.get_by_role("button", name="Preview the import").click()
            assert (
                "33 statements per sort, the study has 40" in page.locator("#errors").inner_text()
            )
            page.screenshot(path=str(shots / f"research-import-refused-{name}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            page.goto(f"{base}/research/studies/{SLUG}#researchers")
            axe(page, f"study with researchers ({name})")
            if name == "desktop":
                page.get_by_label("E-mail address of a researcher account").fill(
                    "grace@example.org"
                )
                with page.expect_navigation():
                    page.get_by_role("button", name="Add a co-researcher").click()
                assert "grace@example.org can now see" in page.locator(".flash").inner_text()
            page.locator("#researchers").screenshot(
                path=str(shots / f"research-sharing-{name}.png")
            )
            wide = page.evaluate("""() => Array.from(document.querySelectorAll('#researchers *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .map(e => e.tagName + '.' + e.className)""")
            assert not wide, wide
        finally:
            context.close()


def test_home_responses_and_study_management_pages(browser, server, tmp_path):
    """The front door, the responses list with its bulk actions, the answers by factor, and
    the edit, duplicate and delete pages: axe, and no sideways scrolling on a phone."""
    from poetq.services.sorts import store_finished_sorts
    from poetq.services.studies import set_listed
    from poetq.simulate import simulate_sorts

    base, factory = server
    _setup(factory)
    with factory() as session:
        study = get_study(session, SLUG)
        set_listed(session, study, True)
        qset = study_qset(study)
        sim = simulate_sorts(qset.grid, 8, n_viewpoints=2, seed=2).values
        store_finished_sorts(
            session,
            study,
            [
                (f"p{j}", {sid: int(v) for sid, v in zip(qset.statement_ids, sim[:, j])})
                for j in range(8)
            ],
            origin="entered by hand",
            answers=[{"sector": "Other", "years": 3 + j} for j in range(8)],
        )
        session.commit()
    shots = _shots(tmp_path)
    for width, height, name in ((1280, 900, "desktop"), (360, 740, "phone")):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        try:
            page.goto(f"{base}/")
            axe(page, f"home ({name})")
            assert (
                page.get_by_role(
                    "link", name="Joint commissioning in health and social care"
                ).count()
                == 1
            )
            page.screenshot(path=str(shots / f"home-{name}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            page.get_by_role("link", name="Sign in to your studies").click()
            page.get_by_label("Email address").fill("ada@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            for path, label in ((f"/research/studies/{SLUG}/responses", "responses"),
                                (f"/research/studies/{SLUG}/analysis?factors=2", "analysis"),
                                (f"/research/studies/{SLUG}/edit", "edit"),
                                (f"/research/studies/{SLUG}/delete", "delete")):
                page.goto(base + path)
                axe(page, f"{label} ({name})")
                page.screenshot(
                    path=str(shots / f"research-{label}-{name}.png"), full_page=label != "analysis"
                )
                # on the analysis page, only the answers-by-factor block is this page's own
                scope = "#answers-by-factor > *" if label == "analysis" else "main > *"
                wide = page.evaluate(f"""() => Array.from(document.querySelectorAll('{scope}'))
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .map(e => e.tagName + '#' + e.id + '.' + e.className)""")
                assert not wide, (label, wide)
            page.goto(f"{base}/research/studies/{SLUG}/analysis?factors=2#answers-by-factor")
            assert page.locator("#answers-by-factor").is_visible()
            page.locator("#answers-by-factor").screenshot(
                path=str(shots / f"research-answers-{name}.png")
            )
            if name == "desktop":
                page.goto(f"{base}/research/studies/{SLUG}/responses")
                assert "entered by hand" in page.locator("table.data").last.inner_text()
                page.locator('input[name="response"]').nth(0).check()
                page.locator('input[name="response"]').nth(1).check()
                with page.expect_navigation():
                    page.get_by_role("button", name="Exclude from the analysis").click()
                assert "2 responses excluded" in page.locator(".flash").inner_text()
        finally:
            context.close()
