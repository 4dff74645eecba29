"""A study's preview in Chromium, end to end (issue 17 item 6).

A signed-in researcher opens the preview from the study page's own link, for a draft and
for an open study, and goes through every stage with the mouse as a respondent does:
consent, every statement pre-sorted, the ranking chosen to the end (a hold-back question
among it), one swap on the review (two taps, then confirm), a reason typed for each extreme,
the questions answered, the end page. Every request the preview makes answers below 400,
every page is the expected stage with the preview bar, none says the form has expired, and
the database holds no response, respondent or invitation afterwards. Once more without
JavaScript (the forms' own posts, the reference path) through the welcome page and two
pre-sort steps. axe-core checks one page of each stage.
"""

from __future__ import annotations

from browser_helpers import PASSWORD, TINY, axe, signed_in
from sqlalchemy import func, select

from poetq.qsets import load_qset
from poetq.services.sharing import share
from poetq.services.studies import create_study, set_state
from poetq.services.users import create_user
from poetq.store.models import Invitation, Respondent, Response, Study

EXPIRED = "This form has expired"
N = 9
#: Piles by the order the statements are shown: 4 agree, 1 neutral, 4 disagree (with the
#: grid below, the ranking then asks twice which candidates do not belong: hold-back pages).
PILES = ["agree"] * 4 + ["neutral"] + ["disagree"] * 4
#: The 9-statement Q-set with one question (its slug set per study).
SMALL = TINY + """
[[questions]]
id = "role"
kind = "single"
prompt = "What is your role?"
required = true
options = ["Researcher", "Other"]
"""


def _studies(factory, tmp_path) -> None:
    """Two studies of the small Q-set owned by ada: ``small-draft`` and ``small-open``."""
    with factory() as session:
        user = create_user(session, "ada@example.org", PASSWORD)
        for slug, state in (("small-draft", "draft"), ("small-open", "open")):
            path = tmp_path / f"{slug}.toml"
            path.write_text(SMALL.replace('slug = "tiny"', f'slug = "{slug}"'), encoding="utf-8")
            create_study(session, load_qset(path), owner=user)
            if state == "open":
                set_state(session, slug, "open")
        # (the server fixture's study too: the preview of one study must not touch another)
        share(session, session.scalar(select(Study).where(Study.slug == "joint-commissioning")),
              user.email, role="owner")
        session.commit()


def _stored(factory) -> dict[str, int]:
    """What the database holds for any study: the preview must leave every count at 0."""
    with factory() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Response, Respondent, Invitation)}


class Previewer:
    """A researcher's page going through the preview, checking each page and each request."""

    def __init__(self, page, base: str, *, js: bool):
        self.page, self.base, self.js = page, base, js
        self.statuses: list[tuple[int, str, str]] = []
        self.checked: set[str] = set()
        self.seen: list[str] = []
        page.on("response", lambda r: self.statuses.append((r.status, r.request.method, r.url)))

    def stage(self) -> str:
        return self.page.locator("body").get_attribute("class").removeprefix("stage-")

    def check(self, stage: str) -> None:
        """The page is ``stage``'s, with the preview bar, no refusal; every request so far
        answered below 400; axe on the first page of each stage."""
        bad = [s for s in self.statuses if s[0] >= 400]
        assert not bad, f"on the way to the {stage} page: {bad}"
        assert self.stage() == stage, (stage, self.page.url, self.page.content()[:1500])
        bar = self.page.get_by_role("navigation", name="Preview")
        assert bar.is_visible() and "nothing you do here is stored" in bar.inner_text()
        assert bar.locator('a[aria-current="page"]').inner_text() == stage
        assert EXPIRED not in self.page.content()
        assert "/preview/" in self.page.url
        self.seen.append(stage)
        if self.js and stage not in self.checked:
            self.checked.add(stage)
            axe(self.page, f"the preview's {stage} page")

    def click(self, locator) -> None:
        """Click and wait for the next page: a navigation without JavaScript, the page's
        content replaced in place with it (poetq.js: one request per tap)."""
        if not self.js:
            with self.page.expect_navigation() as nav:
                locator.click()
            assert nav.value is not None and nav.value.status < 400, nav.value.status
            return
        self.page.evaluate("() => { document.querySelector('main').dataset.old = '1'; }")
        locator.click()
        self.page.wait_for_function("() => !document.querySelector('main[data-old]')")

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def open_from_study_page(self, slug: str) -> None:
        self.page.goto(f"{self.base}/research/studies/{slug}")
        link = self.page.get_by_role("link", name="Preview the study as a respondent sees it")
        with self.page.expect_navigation() as nav:
            link.click()
        assert nav.value.status < 400
        assert self.page.url.endswith(f"/research/studies/{slug}/preview/welcome")

    def presort(self, start: int = 0, stop: int = N) -> None:
        for i in range(start, stop):
            self.check("presort")
            left = self.page.locator("#left").inner_text()
            assert left.startswith(f"{N - i} of {N}"), left
            self.click(self.page.locator(f'button[name="pile"][value="{PILES[i]}"]'))

    def rank(self) -> list[str]:
        """Choose the first candidate until the grid is full: the kinds of question asked."""
        asked = []
        while self.stage() == "ranking":
            self.check("ranking")
            first = self.page.locator("ul.candidates button").first
            asked.append(first.get_attribute("name"))
            self.click(first)
            assert len(asked) <= N, "the ranking never ends"
        return asked

    def places(self) -> dict[str, str]:
        values = self.page.locator('input[name="place"]').evaluate_all(
            "xs => xs.map(x => x.value)")
        return dict(v.split(":", 1) for v in values)

    def review_swap(self) -> None:
        self.check("review")
        cells = self.page.locator("button.cell")
        first, last = cells.nth(0).get_attribute("value"), cells.nth(N - 1).get_attribute("value")
        before = self.places()
        assert before[first] != before[last]
        if self.js:  # the first tap marks the cell in the page itself
            cells.nth(0).click()
            self.page.locator(f'button.cell[value="{first}"][aria-pressed="true"]').wait_for()
        else:  # the first tap is a post: the page comes back with the cell marked
            self.click(cells.nth(0))
            self.check("review")
            assert cells.nth(0).get_attribute("aria-pressed") == "true"
            # its Cancel leads back to the same grid with nothing selected, then tap again
            self.click(self.page.get_by_role("link", name="Cancel the selection"))
            self.check("review")
            assert self.page.locator('button.cell[aria-pressed="true"]').count() == 0
            assert self.places() == before
            self.click(cells.nth(0))
        self.click(self.page.locator(f'button.cell[value="{last}"]'))
        self.check("review")
        after = self.places()
        assert (after[first], after[last]) == (before[last], before[first]), (before, after)
        self.click(self.button("The grid is right: continue"))

    def extremes(self) -> None:
        self.check("extremes")
        boxes = self.page.locator("textarea")
        assert boxes.count() == 2  # one statement at each end of the grid
        for i in range(boxes.count()):
            boxes.nth(i).click()
            self.page.keyboard.type(f"Reason {i + 1}.")
        self.click(self.button("Continue"))

    def questions(self) -> None:
        self.check("questions")
        self.page.get_by_role("radio", name="Other", exact=True).check()
        self.click(self.button("Submit my sort"))
        self.check("done")


def test_a_researcher_goes_through_the_preview_as_a_respondent(browser, server, tmp_path):
    base, factory = server
    _studies(factory, tmp_path)
    context, page = signed_in(browser, base)
    try:
        for slug in ("small-draft", "small-open"):
            who = Previewer(page, base, js=True)
            who.open_from_study_page(slug)
            who.check("welcome")
            who.click(who.button("I agree: start"))
            who.presort()
            asked = who.rank()
            assert asked.count("hold_back") == 2 and asked.count("choose") == 2, asked
            who.review_swap()
            who.extremes()
            who.questions()
            assert who.seen[0] == "welcome" and who.seen[-1] == "done"
            assert set(who.seen) == {"welcome", "presort", "ranking", "review", "extremes",
                                     "questions", "done"}
            posts = [s for s in who.statuses if s[1] == "POST"]
            assert len(posts) >= 1 + N + len(asked) + 4, posts  # every step went to the server
            assert _stored(factory) == {"Response": 0, "Respondent": 0, "Invitation": 0}
    finally:
        context.close()


def test_the_preview_without_javascript(browser, server, tmp_path):
    base, factory = server
    _studies(factory, tmp_path)
    context, page = signed_in(browser, base, js=False)
    try:
        who = Previewer(page, base, js=False)
        who.open_from_study_page("small-open")
        who.check("welcome")
        who.click(who.button("I agree: start"))
        who.presort(stop=2)
        who.check("presort")
        assert page.locator("#left").inner_text().startswith(f"{N - 2} of {N}")
        # and on to the end, the forms' own posts all the way
        who.presort(start=2)
        assert who.rank().count("hold_back") == 2
        who.review_swap()
        who.extremes()
        who.questions()
        assert _stored(factory) == {"Response": 0, "Respondent": 0, "Invitation": 0}
    finally:
        context.close()
