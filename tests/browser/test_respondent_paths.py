"""Issue 18 in a real browser: nothing lost, no dead ends, screen-reader and keyboard parity,
the grid seen as a grid, fewer round trips.

Each test follows one respondent in Chromium; the screenshots test takes the pages at a
phone (360 px), a tablet (768 px) and a desktop (1920 px) and runs axe-core on each stage.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select
from test_respondent_browser import AXE, SLUG, N, Respondent, check_stored, pile_for

from poetq import flow
from poetq.qsets import load_qset
from poetq.store.models import Response
from poetq.web.respond_view import candidate_keys

FOCUS_RING = "() => getComputedStyle(document.activeElement).outlineStyle"


def _respondent(browser, base: str, *, js: bool = True, **options):
    """A new browser context (``options`` as Playwright takes them) and its respondent."""
    context = browser.new_context(java_script_enabled=js, **options)
    return context, Respondent(context.new_page(), base, js=js)


def _sort_to_review(r: Respondent) -> None:
    r.open()
    r.consent()
    r.presort()
    r.rank()


def _to_extremes(r: Respondent) -> None:
    _sort_to_review(r)
    r.click(r.button("The grid is right: continue"))
    assert r.stage() == "extremes"


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_back_from_typed_reasons_keeps_the_text(browser, server, js):
    base, factory = server
    context, r = _respondent(browser, base, js=js, viewport={"width": 1024, "height": 800})
    page = r.page
    _to_extremes(r)
    boxes = page.locator("textarea")
    boxes.nth(0).fill("Because it matters most.")
    boxes.nth(1).fill("Half a thought")
    r.click(page.get_by_role("button", name="Back to the grid (what you typed is kept)"))
    assert r.stage() == "review"
    r.click(r.button("The grid is right: continue"))
    assert r.stage() == "extremes"
    assert boxes.nth(0).input_value() == "Because it matters most."
    assert boxes.nth(1).input_value() == "Half a thought"
    for i in range(4):
        boxes.nth(i).fill(f"Reason {i}")
    r.click(r.button("Continue"))
    # answers typed on the questions page survive its own Back button too
    page.get_by_role("radio", name="Other", exact=True).check()
    r.click(page.get_by_role("button", name="Back to your reasons (your answers are kept)"))
    assert r.stage() == "extremes" and boxes.nth(3).input_value() == "Reason 3"
    r.click(r.button("Continue"))
    assert page.get_by_role("radio", name="Other", exact=True).is_checked()
    r.click(r.button("Submit my sort"))
    assert r.stage() == "done"
    (response,) = [x for x in _responses(factory) if x.finished_at]
    assert response.comments and set(response.comments.values()) == {
        f"Reason {i}" for i in range(4)
    }
    context.close()


def test_typed_text_is_saved_when_the_page_is_hidden(browser, server):
    """Typing and closing the tab at once (well within any autosave pause) loses nothing."""
    base, factory = server
    context, r = _respondent(browser, base, viewport={"width": 1024, "height": 800})
    page = r.page
    _to_extremes(r)
    page.locator("textarea").nth(0).type("Typed and gone")
    page.close(run_before_unload=True)
    page = context.new_page()
    page.goto(f"{base}/s/{SLUG}")
    assert page.locator("textarea").nth(0).input_value() == "Typed and gone"
    context.close()


def _responses(factory) -> list[Response]:
    with factory() as session:
        return list(session.scalars(select(Response)))


def test_start_with_cookies_blocked(browser, server):
    """No cookie at all (blocked by the browser): the sort starts and runs on its link."""
    base, factory = server
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.route("**/*", lambda route: route.continue_(
        headers={k: v for k, v in route.request.headers.items() if k.lower() != "cookie"}))
    page = context.new_page()
    r = Respondent(page, base)
    r.open()
    r.consent()
    assert r.stage() == "presort"
    for pile in ("agree", "disagree", "neutral"):
        r.click(r.pile(pile))
    assert page.locator("#left").inner_text().startswith(f"{N - 3} of {N}")
    assert len(_responses(factory)) == 1
    context.close()


def test_back_to_welcome_and_start_again_continues_the_sort(browser, server):
    base, factory = server
    for js in (True, False):
        context, r = _respondent(browser, base, js=js)
        page = r.page
        r.open()
        r.consent()
        r.click(r.pile("agree"))
        before = page.locator("#left").inner_text()
        page.go_back()  # to the welcome page (not kept: no-store), or to the previous step
        if r.stage() == "welcome":
            r.consent()
        page.goto(f"{base}/s/{SLUG}")  # the study's link again
        assert r.stage() == "presort" and page.locator("#left").inner_text() == before
        context.close()
    assert len(_responses(factory)) == 2


def test_a_stale_welcome_page_started_again_leads_to_the_sort(browser, server):
    base, factory = server
    context, r = _respondent(browser, base, js=False)
    page = r.page
    r.open()
    welcome = page.content()
    r.consent()
    r.click(r.pile("agree"))
    # the welcome page as it was (restored from history), "I agree: start" pressed again
    page.set_content(
        welcome.replace('<form method="post"', f'<form method="post" action="{base}/s/{SLUG}"', 1)
    )
    with page.expect_navigation():
        page.get_by_role("button", name="I agree: start").click()
    assert r.stage() == "presort"
    assert page.locator("#left").inner_text().startswith(f"{N - 1} of {N}")
    assert len(_responses(factory)) == 1
    context.close()


def test_resume_from_a_typed_code(browser, server):
    base, factory = server
    context, r = _respondent(browser, base)
    page = r.page
    r.open()
    r.consent()
    code = page.locator("#resume-code").inner_text()
    assert "-" in code  # shown in groups of four
    r.click(r.pile("disagree"))
    context.close()
    # another device: no cookie; the code typed in lower case with its dashes
    context, r = _respondent(browser, base, js=False)
    page = r.page
    r.open()
    assert r.stage() == "welcome"
    page.get_by_text("Already started? Continue with your resume code").click()
    page.get_by_label("Your resume code").fill(code.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Continue my sort").click()
    assert r.stage() == "presort"
    assert page.locator("#left").inner_text().startswith(f"{N - 1} of {N}")
    # an invitation code typed with a dash is accepted as well
    context.close()


def test_error_pages_lead_back_to_the_sort(browser, server):
    base, _ = server
    context, r = _respondent(browser, base, js=False)
    page = r.page
    r.open()
    r.consent()
    own = page.url
    # a form whose token no longer fits (e.g. a page kept from another device)
    page.evaluate("() => { document.querySelector('input[name=csrf_token]').value = 'x'; }")
    with page.expect_navigation():
        r.pile("agree").click()
    assert r.stage() == "error"
    with page.expect_navigation():
        page.get_by_role("link", name="Continue your sort").click()
    assert page.url == own and r.stage() == "presort"
    page.goto(f"{base}/r/NOSUCHCODE00")
    assert page.get_by_label("Your resume code").count() == 1
    context.close()
    # axe on the error pages (JavaScript on, for axe)
    context = browser.new_context()
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    for path in ("/r/NOSUCHCODE00", "/nowhere"):
        page.goto(base + path)
        found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [v["id"] for v in found["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, (path, bad)
    context.close()


def test_screen_reader_names_and_keyboard(browser, server):
    base, _ = server
    context, r = _respondent(browser, base, viewport={"width": 1280, "height": 800})
    page = r.page
    r.open()
    assert page.title().startswith("Welcome")
    r.consent()
    statement = page.locator("#current-statement").inner_text()
    # the accessibility tree: each pile button is described by the statement
    client = page.context.new_cdp_session(page)
    tree = client.send("Accessibility.getFullAXTree")["nodes"]
    buttons = [n for n in tree if n.get("role", {}).get("value") == "button"
               and "Agree" in (n.get("name", {}).get("value") or "")]
    assert buttons, "no Agree button in the accessibility tree"
    description = buttons[0].get("description", {}).get("value", "")
    assert statement.strip() in description, description
    # nothing looks chosen: the focus is on the statement, without a ring
    assert page.evaluate("() => document.activeElement.id") == "current-statement"
    assert page.evaluate(FOCUS_RING) == "none"
    first_title = page.title()
    assert "40 of 40" in first_title
    r.press("3", navigates=True)
    assert page.title() != first_title and "39 of 40" in page.title()
    page.wait_for_function(
        "() => document.getElementById('announce').textContent.includes('Agree')"
    )
    assert page.evaluate("() => document.activeElement.id") == "current-statement"
    # the keys are documented on the page
    assert (
        "press 1 for Disagree, 2 for Neutral / unsure, 3 for Agree"
        in page.locator(".keys-hint").inner_text()
    )
    context.close()


def test_keys_hint_hidden_on_phones(browser, server):
    base, _ = server
    context, r = _respondent(browser, base, viewport={"width": 360, "height": 640},
                             is_mobile=True, has_touch=True)
    page = r.page
    r.open()
    r.consent()
    assert not page.locator(".keys-hint").first.is_visible()
    # all three piles above the fold on the first page
    for pile in ("disagree", "neutral", "agree"):
        box = r.pile(pile).bounding_box()
        assert box and box["y"] + box["height"] <= 640, pile
    context.close()


def test_one_request_per_tap_and_cached_static_files(browser, server):
    base, _ = server
    context, r = _respondent(browser, base, viewport={"width": 1280, "height": 800})
    page = r.page
    r.open()
    r.consent()
    r.click(r.pile("agree"))  # static files now in the cache
    seen: list[tuple[str, int]] = []
    page.on(
        "requestfinished",
        lambda req: seen.append((req.url, (req.sizes() or {}).get("responseBodySize", 0))),
    )
    for i in range(10):
        r.click(r.pile(pile_for(i)))
    page.wait_for_timeout(300)  # the last request's "finished" event may come after the page
    assert len(seen) == 10, seen
    assert all("/r/" in url for url, _ in seen)
    per_tap = sum(size for _, size in seen) / len(seen)
    static = page.evaluate(
        "() => fetch(document.querySelector('link[rel=stylesheet]').href)"
        ".then(r => r.headers.get('cache-control'))"
    )
    assert "max-age=31536000" in static and "immutable" in static, (
        static,
        page.evaluate("() => document.querySelector('link[rel=stylesheet]').href"),
    )
    state = page.evaluate("() => fetch(location.href).then(r => r.headers.get('cache-control'))")
    assert state == "no-store"
    context.close()
    # without JavaScript (the reference path): a post and its redirect, static files cached
    context, r = _respondent(browser, base, js=False)
    page = r.page
    r.open()
    r.consent()
    r.click(r.pile("agree"))
    plain: list[tuple[str, int]] = []
    page.on(
        "requestfinished",
        lambda req: plain.append((req.url, (req.sizes() or {}).get("responseBodySize", 0))),
    )
    for i in range(10):
        r.click(r.pile(pile_for(i)))
    page.wait_for_timeout(300)
    # the stylesheet is taken from the browser's cache (no bytes over the network)
    plain = [(u, size) for u, size in plain if "/static/" not in u or size > 0]
    assert len(plain) == 20 and not [u for u, _ in plain if "/static/" in u], plain
    plain_bytes = sum(size for _, size in plain) / 10
    print(f"\n[poetq requests] per pre-sort tap: with JavaScript 1 request, {per_tap:.0f} bytes; "
          f"without 2 requests (post + redirect), {plain_bytes:.0f} bytes; static files "
          f"fetched once (max-age one year)")
    context.close()


SIZES = {"phone": (360, 740), "tablet": (768, 1024), "desktop": (1920, 1080)}


def test_screenshots_at_three_widths(browser, server, tmp_path):
    """Every stage at 360, 768 and 1920 px: no page-wide horizontal scrolling, axe clean, and
    the review grid fits a desktop screen."""
    base, _ = server
    folder = Path(os.environ.get("POETQ_RESPONDENT_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    r = Respondent(page, base)
    r.open()
    r.consent()
    code = page.url.rsplit("/", 1)[-1]
    shots = context.browser.new_context()
    viewer = shots.new_page()

    def snap(name: str) -> None:
        for size, (w, h) in SIZES.items():
            viewer.set_viewport_size({"width": w, "height": h})
            viewer.goto(f"{base}/r/{code}")
            viewer.screenshot(path=str(folder / f"{name}-{size}.png"))
            width = viewer.evaluate("() => document.documentElement.scrollWidth")
            assert width <= w, (name, size, width)

    snap("presort-first")
    for i in range(N):
        r.click(r.pile(pile_for(i)))
        if i == 20:
            snap("presort-middle")
    r.click(page.locator("ul.candidates button").nth(0))
    snap("ranking")
    r.rank()
    snap("review")
    viewer.set_viewport_size({"width": 1920, "height": 1080})
    viewer.goto(f"{base}/r/{code}")
    bottom = viewer.evaluate("() => document.querySelector('#grid').getBoundingClientRect().bottom")
    assert bottom <= 1080, f"the review grid ends at {bottom:.0f} px at 1920x1080"
    r.axe()
    r.click(r.button("The grid is right: continue"))
    r.axe()
    snap("extremes")
    context.close()
    shots.close()


def test_closing_mid_sort_then_finishing(browser, server):
    """A study closed while a respondent sorts: new respondents are turned away, the sort
    under way is finished and stored (the closed page is never kept by the browser)."""
    from poetq.services.studies import set_state

    base, factory = server
    context, r = _respondent(browser, base, viewport={"width": 1280, "height": 800})
    r.open()
    r.consent()
    r.presort()
    r.rank(limit=4)
    with factory() as session:
        set_state(session, SLUG, "closed")
        session.commit()
    newcomer = browser.new_page()
    newcomer.goto(f"{base}/s/{SLUG}")
    assert "has closed" in newcomer.locator("main").inner_text()
    newcomer.close()
    r.rank()
    r.review()
    r.extremes()
    r.questions()
    check_stored(factory, r.receipt())
    context.close()


def test_skewed_piles_with_the_mouse_and_undo_from_the_review(browser, server, capsys):
    """An acquiescent respondent (18/9/13): at most 1.6 taps per statement, because the
    ranking asks which statements do not belong when most of them go in; undo reaches back
    from the review into the ranking."""
    base, factory = server
    context, r = _respondent(browser, base, viewport={"width": 1280, "height": 800})
    page = r.page
    r.open()
    r.consent()
    for i in range(N):
        r.click(r.pile("agree" if i < 18 else "neutral" if i < 27 else "disagree"))
    made = r.rank()
    taps = r.clicks["presort"] + r.clicks["ranking"]
    with capsys.disabled():
        print(f"\n[poetq burden] mouse, piles 18/9/13: {taps} taps for {N} statements "
              f"({taps / N:.3f} per statement), {made} in the ranking")
    assert taps / N <= 1.6
    assert r.stage() == "review"
    r.click(
        page.get_by_role(
            "button", name="Undo my last choice in the ranking (swaps made here are undone too)"
        )
    )
    assert r.stage() == "ranking"
    r.rank()
    r.review()
    r.extremes()
    r.questions()
    check_stored(factory, r.receipt())
    context.close()


def _keys_for_the_last_candidate_each_time(pile: str) -> int:
    """Key presses for pre-sort + ranking with every statement on ``pile`` and the last
    candidate chosen each time, counted on the flow itself (as bench/respondent_burden.py)."""
    qset = load_qset(Path(__file__).resolve().parents[2] / "statements" / f"{SLUG}.toml")
    state = flow.new_state(qset.statement_ids, seed=1)
    for sid in list(state["order"]):
        state = flow.presort_answer(state, sid, pile, qset.grid)
    keys = N
    while state["stage"] == "ranking":
        step = flow.ranking_step(state, qset.grid)
        keys += len(candidate_keys(len(step["candidates"]))[-1])
        act = flow.rank_hold_back if step["action"] == "hold_back" else flow.rank_choose
        state = act(state, step["candidates"][-1], qset.grid)
    return keys


def test_keyboard_only_with_every_statement_on_one_pile(browser, server, capsys):
    """The keyboard's worst pile split: all 40 statements on one pile, and the last candidate
    chosen each time (the 37th to 40th of a list take two keys). Counted key by key in the
    browser: at most 2.0 presses per statement, exactly as many as the flow predicts."""
    base, factory = server
    context, r = _respondent(browser, base, viewport={"width": 1280, "height": 800})
    page = r.page
    r.open()
    r.consent(keyboard=True)
    for _ in range(N):
        r.press("3", navigates=True)  # the third pile from the left: Agree
    assert r.stage() == "ranking"
    # nothing looks chosen: the prompt has the focus, without a ring
    assert page.evaluate("() => document.activeElement.id") == "prompt"
    assert page.evaluate(FOCUS_RING) == "none"
    keys = page.locator("ul.candidates button .key").all_inner_texts()
    assert len(keys) == N and keys[:3] == ["1", "2", "3"] and keys[10] == "A"
    assert keys[-1] == "Z5"
    assert "press one after the other" in page.locator(".keys-hint").inner_text()
    # (not counted) the first of two keys marks the statements it leads to; Escape cancels it
    page.keyboard.press("z")
    assert page.locator("form.choose").get_attribute("data-prefix") == "z"
    assert page.locator("button.prefixed").count() == 5
    page.keyboard.press("Escape")
    assert page.locator("form.choose").get_attribute("data-prefix") is None
    made = r.rank(keyboard=True, pick=lambda n, count: count - 1)
    assert r.stage() == "review"
    pressed = r.keys["presort"] + r.keys["ranking"]
    with capsys.disabled():
        print(f"\n[poetq burden] keyboard only, all {N} on one pile, last candidate each time: "
              f"{pressed} keys ({pressed / N:.3f} per statement), {made} choices")
    assert pressed == _keys_for_the_last_candidate_each_time("agree")
    assert pressed / N <= 2.0
    r.review(keyboard=True)
    r.extremes(keyboard=True)
    r.questions(keyboard=True)
    check_stored(factory, r.receipt())
    assert not r.clicks, r.clicks
    context.close()
