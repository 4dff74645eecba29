"""Is every text that people typed shown isolated? An HTML-parser check for the bidi tests.

Each text under test is written ``¤…¦`` (a start and an end mark around it) and holds
direction controls and a right-to-left letter. In a page, such a text is *isolated* when an
isolate opened before its start mark stays open through its end mark and is closed after it:
a ``<bdi>`` element or an element with ``dir`` around the text node (``unicode-bidi:
isolate``), or U+2068/U+2066/U+2067 … U+2069 in the text itself. The text's own controls are
followed as UAX #9 does (X5-X7): a U+2069 closes the innermost isolate and everything inside
it, even the element's, so a stray one must have an isolate of its own to close.
"""

from __future__ import annotations

from html.parser import HTMLParser

START, END = "\u00a4", "\u00a6"  # ¤ ¦
#: Direction controls, a right-to-left mark and an Arabic letter: every text under test.
PAYLOAD = "\u2069\u202e\u2066\u200f\u0628"
#: Characters that must never be seen outside an isolated text.
SUSPECT = set("\u202e\u2066\u200f\u0628")

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_RAW = {"script", "style", "textarea"}  # a textarea's text is a form value, not shown text
_SHOWN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}
_OPEN_E = set("\u202a\u202b\u202d\u202e")
_OPEN_I = set("\u2066\u2067\u2068")


def evil(tag: str) -> str:
    """A text under test, named ``tag``."""
    return f"{START}{tag}{PAYLOAD}{END}"


def problems_in_text(text: str, *, in_element: bool) -> list[str]:
    """What is not isolated in one text node (``in_element``: its element isolates it)."""
    stack: list[tuple[str, int]] = [("v", 0)] if in_element else []
    before_of: dict[int, list[tuple[str, int]]] = {}
    closed: set[int] = set()
    spans = []  # (start, end, isolates kept open through the text, entries at its start)
    start: int | None = None
    before: list[tuple[str, int]] = []
    leaks: list[int] = []
    pending: int | None = None  # the end of a text whose closers may follow
    for i, ch in enumerate(text):
        if pending is not None and ch not in "\u202c\u2069":
            if any(entry not in before_of[pending] for entry in stack):
                leaks.append(pending)
            pending = None
        if ch == START:
            start, before = i, list(stack)
        elif ch == END and start is not None:
            kept = {ident for kind, ident in stack if kind in "vi"} & {
                ident for kind, ident in before if kind in "vi"}
            spans.append((start, i, kept))
            before_of[i] = before
            pending, start = i, None
        elif ch in _OPEN_E:
            stack.append(("e", i + 1))
        elif ch in _OPEN_I:
            stack.append(("i", i + 1))
        elif ch == "\u202c":
            if stack and stack[-1][0] == "e":
                stack.pop()
        elif ch == "\u2069":
            if any(kind in "vi" for kind, _ in stack):
                while True:
                    kind, ident = stack.pop()
                    if kind in "vi":
                        closed.add(ident)
                        break
    if pending is not None and any(entry not in before_of[pending] for entry in stack):
        leaks.append(pending)
    out = []
    covered: set[int] = set()
    for s, e, kept in spans:
        covered.update(range(s, e + 1))
        tag = text[s + 1:e].split(PAYLOAD[0])[0]
        context = text[max(0, s - 30):e + 30]
        if not any(ident == 0 or ident in closed for ident in kept):
            out.append(f"{tag} not isolated | {context!r}")
        elif e in leaks:
            out.append(f"{tag} leaves a control open after it | {context!r}")
    for i, ch in enumerate(text):
        if ch in SUSPECT and i not in covered:
            out.append(f"a control or letter outside any text under test | {text!r}")
            break
    return out


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:  # texts that are shown or read out: tooltips, names
            if name in _SHOWN_ATTRIBUTES and value and set(value) & (SUSPECT | {START}):
                self.problems += [f"<{tag} {name}> {p}"
                                  for p in problems_in_text(value, in_element=False)]
        if tag not in _VOID:
            isolates = tag == "bdi" or any(name == "dir" for name, _ in attrs)
            self.stack.append((tag, isolates))

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data):
        if not (set(data) & (SUSPECT | {START})):
            return
        if any(tag in _RAW for tag, _ in self.stack):
            return
        where = "/".join(tag for tag, _ in self.stack[-3:])
        in_element = bool(self.stack) and self.stack[-1][1]
        self.problems += [f"<{where}> {p}" for p in problems_in_text(data,
                                                                      in_element=in_element)]


def problems_in_page(html: str) -> list[str]:
    """Every text under test that ``html`` shows without isolating it."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems
