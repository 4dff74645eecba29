"""The whole respondent flow in a real browser (Playwright + Debian's headless Chromium).

The 40-statement joint-commissioning study is completed with a mouse at desktop size,
keyboard-only on a 360×640 phone, with a reload in the middle of the ranking, with the final
button pressed twice, and with JavaScript disabled. axe-core checks every stage, and the
clicks and keys a respondent needs are printed against the drag-and-drop baseline.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from poetq.domain import Grid, validate_sort
from poetq.store.models import Response

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SLUG = "joint-commissioning"
N = 40
BASELINE = N + N  # one action per pre-sort + one drag per statement
JC_GRID = Grid.symmetric([2, 3, 4, 6, 10, 6, 4, 3, 2])


def pile_for(i: int) -> str:
    """The first 15 statements shown are agreed with, the next 10 neutral, the rest not."""
    return "agree" if i < 15 else "neutral" if i < 25 else "disagree"


PILE_KEY = {"disagree": "1", "neutral": "2", "agree": "3"}  # left to right, as the grid runs


class Respondent:
    """One respondent in a browser page, counting the clicks and keys used per stage."""

    def __init__(self, page, base: str, *, js: bool = True):
        self.js = js  # axe-core needs JavaScript; the other tests check every stage with it
        self.page = page
        self.base = base
        self.clicks: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        self.typed = 0
        self.checked: set[str] = set()
        if js and not getattr(page.context, "_poetq_axe", False):
            # injected by the browser itself at each page start: the pages' CSP forbids inline
            # scripts, and a test tool must not need the app to relax it
            page.context.add_init_script(path=str(AXE))
            page.context._poetq_axe = True

    # -- observing
    def stage(self) -> str:
        return self.page.locator("body").get_attribute("class").removeprefix("stage-")

    def axe(self) -> None:
        stage = self.stage()
        if stage in self.checked or not self.js:
            return
        self.checked.add(stage)
        result = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"axe on the {stage} page: {bad}"

    def no_horizontal_scroll(self) -> None:
        width = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], f"horizontal scrolling on the {self.stage()} page: {width}"

    # -- acting
    def _next_page(self, act) -> None:
        """Do ``act`` and wait for the next page: a navigation without JavaScript, the page's
        content replaced in place with it (one request per tap)."""
        if not self.js:
            with self.page.expect_navigation():
                act()
            return
        self.page.evaluate("() => { document.querySelector('main').dataset.old = '1'; }")
        act()
        self.page.wait_for_function("() => !document.querySelector('main[data-old]')")

    def click(self, locator, *, navigates: bool = True) -> None:
        self.clicks[self.stage()] = self.clicks.get(self.stage(), 0) + 1
        if navigates:
            self._next_page(locator.click)
        else:
            locator.click()

    def press(self, key: str, *, navigates: bool = False) -> None:
        self.keys[self.stage()] = self.keys.get(self.stage(), 0) + 1
        if navigates:
            self._next_page(lambda: self.page.keyboard.press(key))
        else:
            self.page.keyboard.press(key)

    def pile(self, pile: str):
        return self.page.locator(f'button[name="pile"][value="{pile}"]')

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)

    def focused(self, locator) -> bool:
        return locator.evaluate("el => el === document.activeElement")

    def tab_to(self, locator, *, limit: int = 200) -> None:
        for _ in range(limit):
            if self.focused(locator):
                return
            self.press("Tab")
        raise AssertionError(f"Tab never reached {locator}")

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    # -- stages with the mouse
    def open(self, path: str = f"/s/{SLUG}") -> None:
        self.page.goto(self.base + path)

    def consent(self, *, keyboard: bool = False) -> None:
        assert self.stage() == "welcome"
        self.axe()
        if keyboard:
            self.tab_to(self.button("I agree: start"))
            self.press("Enter", navigates=True)
        else:
            self.click(self.button("I agree: start"))

    def presort(self, *, keyboard: bool = False, check_width: bool = False) -> None:
        for i in range(N):
            assert self.stage() == "presort"
            left = self.page.locator("#left").inner_text()
            assert left.startswith(f"{N - i} of {N}"), left
            if i == 0:
                self.axe()
            if check_width:
                self.no_horizontal_scroll()
            pile = pile_for(i)
            if keyboard:
                self.press(PILE_KEY[pile], navigates=True)
            else:
                self.click(self.pile(pile))
        assert self.stage() == "ranking"

    def candidates(self):
        return self.page.locator("ul.candidates button")

    def rank(self, *, keyboard: bool = False, check_width: bool = False, limit: int = 10_000,
             pick=lambda n, count: 0) -> int:
        """Choose until the grid is full (or ``limit`` choices); returns the choices made."""
        made = 0
        while self.stage() == "ranking" and made < limit:
            self.axe()
            if check_width:
                self.no_horizontal_scroll()
            count = self.candidates().count()
            k = pick(made, count)
            if keyboard:
                # the prompt has the focus (nothing pre-selected); each candidate's key chooses it
                assert self.focused(self.page.locator("#prompt")), "the prompt has the focus"
                key = self.candidates().nth(k).get_attribute("data-key")  # as shown beside it
                for d in key[:-1]:
                    self.press(d)
                self.press(key[-1], navigates=True)
            else:
                self.click(self.candidates().nth(k))
            made += 1
        return made

    def review(self, *, keyboard: bool = False, js: bool = True) -> None:
        assert self.stage() == "review"
        self.axe()
        cells = self.page.locator("button.cell")
        first_value = cells.nth(0).get_attribute("value")
        last_value = cells.nth(N - 1).get_attribute("value")
        if keyboard:
            self.tab_to(cells.nth(0))
            self.press("Enter")  # select
            assert cells.nth(0).get_attribute("aria-pressed") == "true"
            self.press("ArrowRight")  # to the next column
            self.press("Enter", navigates=True)  # swap
            self.tab_to(self.button("The grid is right: continue"))
            self.press("Enter", navigates=True)
        else:
            self.click(cells.nth(0), navigates=not js)
            self.page.locator(f'button.cell[value="{first_value}"][aria-pressed="true"]').wait_for()
            self.click(self.page.locator(f'button.cell[value="{last_value}"]'))
            self.click(self.button("The grid is right: continue"))
        assert self.stage() == "extremes"

    def extremes(self, *, keyboard: bool = False) -> None:
        self.axe()
        boxes = self.page.locator("textarea")
        assert boxes.count() == 4
        for i in range(boxes.count()):
            if keyboard:
                self.tab_to(boxes.nth(i))
            else:
                self.clicks["extremes"] = self.clicks.get("extremes", 0) + 1
                boxes.nth(i).click()
            self.type(f"Reason {i + 1}.")
        if keyboard:
            self.tab_to(self.button("Continue"))
            self.press("Enter", navigates=True)
        else:
            self.click(self.button("Continue"))
        assert self.stage() == "questions"

    def questions(self, *, keyboard: bool = False, double: bool = False) -> None:
        self.axe()
        other = self.page.get_by_role("radio", name="Other", exact=True)
        submit = self.button("Submit my sort")
        if keyboard:
            first = self.page.locator('input[name="q-sector"]').nth(0)
            self.tab_to(first)
            self.press("ArrowUp")  # radio groups wrap: the last option, "Other"
            assert other.is_checked()
            self.tab_to(submit)
            self.press("Enter", navigates=True)
        else:
            self.clicks["questions"] = self.clicks.get("questions", 0) + 1
            other.check()
            if double:
                self.clicks["questions"] += 2
                submit.dblclick()
                self.page.locator("body.stage-done").wait_for()
            else:
                self.click(submit)
        assert self.stage() == "done"
        self.axe()

    def receipt(self) -> str:
        return re.search(
            r"receipt code is ([A-Z0-9]+)", self.page.locator(".receipt").inner_text()
        ).group(1)

    def report(self, label: str, capsys) -> dict[str, int]:
        sorting = sum(self.clicks.get(s, 0) + self.keys.get(s, 0) for s in ("presort", "ranking"))
        total = sum(self.clicks.values()) + sum(self.keys.values())
        with capsys.disabled():
            print(
                f"\n[poetq burden] {label}: pre-sort + ranking {sorting} actions "
                f"for {N} statements "
                f"({sorting / N:.2f} per statement) vs drag-and-drop baseline {BASELINE} "
                f"({BASELINE / N:.2f}); whole flow {total} clicks/keys "
                f"(clicks {self.clicks}, keys {self.keys}, {self.typed} characters typed)"
            )
        return {"sorting": sorting, "total": total}


def finished(factory) -> list[Response]:
    with factory() as session:
        return list(session.scalars(select(Response).where(Response.finished_at.is_not(None))))


def check_stored(factory, receipt: str) -> Response:
    (response,) = finished(factory)
    assert response.receipt == receipt
    validate_sort(JC_GRID, sorted(response.sort), response.sort)
    assert len(response.sort) == N and len(response.comments) == 4
    assert response.answers["sector"] == "Other"
    return response


def test_mouse_at_desktop_size(browser, server, capsys):
    base, factory = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    r = Respondent(page, base)
    r.open()
    r.consent()
    r.presort()
    assert r.rank() == 18
    r.review()
    r.extremes()
    r.questions()
    response = check_stored(factory, r.receipt())
    assert [e["action"] for e in response.trace].count("swap") == 1
    counts = r.report("mouse, desktop", capsys)
    assert counts["sorting"] == N + 18 < BASELINE
    page.close()


def test_keyboard_only_on_a_phone(browser, server, capsys):
    base, factory = server
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    r = Respondent(page, base)
    r.open()
    r.no_horizontal_scroll()
    r.consent(keyboard=True)
    r.presort(keyboard=True, check_width=True)
    # choose candidates all down the lists, not only the first one
    made = r.rank(keyboard=True, check_width=True, pick=lambda n, count: (n * 7) % count)
    assert made == 18
    r.review(keyboard=True)
    r.extremes(keyboard=True)
    r.questions(keyboard=True)
    check_stored(factory, r.receipt())
    assert not r.clicks, f"the keyboard test clicked: {r.clicks}"
    counts = r.report("keyboard only, 360x640", capsys)
    assert counts["sorting"] < BASELINE * 2
    context.close()


def test_reload_in_the_middle_of_ranking_resumes_at_the_same_point(browser, server):
    base, factory = server
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    r = Respondent(page, base)
    r.open()
    r.consent()
    r.presort()
    r.rank(limit=5, pick=lambda n, count: n % count)

    def where():
        return (page.locator("h1").inner_text(), page.locator("#prompt").inner_text(),
                r.candidates().all_inner_texts(), page.url)

    before = where()
    page.reload()
    assert where() == before
    # a closed tab reopened with the study's link comes back to the same place
    page.close()
    page = context.new_page()
    r.page = page
    r.open()
    assert where() == before
    assert r.rank() == 13
    r.review()
    r.extremes()
    r.questions()
    check_stored(factory, r.receipt())
    context.close()


def test_final_button_pressed_twice_stores_one_response(browser, server):
    base, factory = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    r = Respondent(page, base)
    r.open()
    r.consent()
    r.presort()
    r.rank()
    r.review()
    r.extremes()
    r.questions(double=True)
    receipt = r.receipt()
    check_stored(factory, receipt)
    # going back to the old page and submitting again shows the same receipt
    page.go_back()
    if not page.url.startswith(base):  # the pages were replaced in place: no old page
        r.open()
    if r.stage() == "questions":
        page.get_by_role("radio", name="Other", exact=True).check()
        with page.expect_navigation():
            r.button("Submit my sort").click()
    assert r.stage() == "done" and r.receipt() == receipt
    check_stored(factory, receipt)
    with factory() as session:
        assert session.scalar(select(func.count(Response.id))) == 1
    page.close()


def test_without_javascript(browser, server, capsys):
    base, factory = server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 900})
    page = context.new_page()
    r = Respondent(page, base, js=False)
    r.open()
    r.consent()
    # the keys need the script: neither shown nor promised without it
    assert not page.locator(".keys-hint").first.is_visible()
    assert not page.locator("button .key").first.is_visible()
    r.presort()
    assert not page.locator("ul.candidates .key").first.is_visible()
    assert r.rank(pick=lambda n, count: count - 1) == 18
    r.review(js=False)
    r.extremes()
    r.questions()
    check_stored(factory, r.receipt())
    r.report("without JavaScript", capsys)
    context.close()


def test_text_resized_to_200_percent_still_fits(browser, server):
    """WCAG 1.4.4: with text at 200% a phone-width page still needs no horizontal scrolling
    and keeps its controls on screen (sizes are in rem, so they follow the text size)."""
    base, _ = server
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    who = Respondent(page, base)
    who.open()
    grow = "() => { document.documentElement.style.fontSize = '200%'; }"
    page.evaluate(grow)
    who.no_horizontal_scroll()
    who.consent()
    for _ in range(3):
        page.evaluate(grow)
        who.no_horizontal_scroll()
        agree = who.pile("agree")
        box = agree.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
        size = page.evaluate("() => getComputedStyle(document.querySelector('#left')).fontSize")
        assert float(size.removesuffix("px")) >= 28  # 200% of the 16px default, or more
        who.click(agree)
    context.close()
