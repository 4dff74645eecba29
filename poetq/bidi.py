"""Text that people typed, shown without letting its direction controls reach past it.

A study's texts, a respondent's comments and names, a file's sort names may hold Unicode
bidirectional controls (U+202A..U+202E embeddings and overrides, U+2066..U+2069 isolates). An
unclosed U+202E RIGHT-TO-LEFT OVERRIDE reverses whatever follows it on the line, so a name
could rewrite the label or the numbers next to it; a stray U+2069 closes an isolate that the
page opened. Every such text is shown *isolated* (Unicode's UAX #9: it neither affects nor is
affected by the text around it):

- :func:`balanced` closes what the text opens and gives each stray closer something of its
  own to close, so no control acts outside the text (nothing is removed: the text is kept);
- :func:`isolate` wraps balanced text in U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL
  ISOLATE, for places that hold plain text only (a page's ``<title>``, an ``<option>``, a
  message, a report cell); an HTML element holds it in a ``<bdi>`` (:mod:`poetq.web.bidi`).
"""

from __future__ import annotations

import re

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"

#: The characters that open or close a directional embedding, override or isolate.
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: The blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan,
#: Mandaic; their presentation forms; the historic scripts of U+10800-U+10FFF and
#: U+1E800-U+1EFFF) and U+200F RIGHT-TO-LEFT MARK: a block, not each letter's bidi class, so
#: one regular expression decides (a digit or a combining mark of these blocks is taken too).
_RIGHT_TO_LEFT = (
    "\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff"
)
_NEEDS_ISOLATION = re.compile(f"[\u202a-\u202e\u2066-\u2069{_RIGHT_TO_LEFT}]")
_OPEN_EMBEDDING = {LRE, RLE, LRO, RLO}
_OPEN_ISOLATE = {LRI, RLI, FSI}


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a directional embedding, override or isolate control."""
    return not text.isascii() and _CONTROLS.search(text) is not None


def needs_isolation(text: str) -> bool:
    """Whether ``text`` holds a direction control or a right-to-left letter or mark; other
    text (left-to-right letters, digits, punctuation) reads the same inside any sentence of a
    left-to-right page."""
    return not text.isascii() and _NEEDS_ISOLATION.search(text) is not None


def balanced(text: str) -> str:
    """``text`` with every directional control it opens closed at its end, and an isolate
    opened at its start for each U+2069 that would close something outside it.

    Follows UAX #9's rules X5-X7: a PDF closes the innermost embedding or override but never
    one outside the innermost isolate; a PDI closes the innermost isolate and everything
    opened inside it. Text without controls is returned as it is.
    """
    if not has_controls(text):
        return text
    stack: list[str] = []  # "e" embedding/override, "i" isolate
    strays = 0
    for ch in _CONTROLS.findall(text):
        if ch in _OPEN_EMBEDDING:
            stack.append("e")
        elif ch in _OPEN_ISOLATE:
            stack.append("i")
        elif ch == PDF:
            if stack and stack[-1] == "e":
                stack.pop()
        elif "i" in stack:  # PDI
            while stack.pop() != "i":
                pass
        else:  # a PDI with nothing of the text's own to close: it gets one of ours
            strays += 1
            stack.clear()  # it closes every embedding the text opened before it
    closers = "".join(PDF if kind == "e" else PDI for kind in reversed(stack))
    return FSI * strays + text + closers


def isolate(text: str) -> str:
    """``text`` between U+2068 FSI and U+2069 PDI (balanced): isolated as plain text."""
    return FSI + balanced(text) + PDI


def isolate_if_needed(text: str) -> str:
    """:func:`isolate` for text that :func:`needs_isolation`; other text as it is (so text
    copied from a page or a message stays as it was typed)."""
    return isolate(text) if needs_isolation(text) else text
