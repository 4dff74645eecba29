"""Helpers for the browser tests (not fixtures): axe-core on a page, a signed-in researcher."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PASSWORD = "correct horse battery"
#: A 9-statement Q-set (slug ``tiny``; markup in its texts, shown as text).
TINY = """title = "Tiny <b>study</b>"
slug = "tiny"
condition = "Sort these statements by how much you agree."

[grid]
counts = [1, 2, 3, 2, 1]
labels = ["Disagree most", "Agree most"]

[texts]
welcome = "Welcome to [study]."
""" + "".join(f'\n[[statements]]\nid = "t{i}"\ntext = "Statement number {i} <i>text</i>."\n'
              for i in range(1, 10))


def axe(page, where: str) -> None:
    """axe-core on ``page`` (its context made with :func:`signed_in` or the init script):
    no serious or critical violation."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {where}: {bad}"


def signed_in(browser, base: str, email: str = "ada@example.org", *, width: int = 1280,
              height: int = 900, js: bool = True):
    """A new browser context signed in as ``email``: ``(context, page)``. axe-core is
    injected by the browser at each page start (the pages' CSP forbids inline scripts)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=js)
    if js:
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{base}/research/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.rstrip("/").endswith("/research"), page.url
    return context, page
