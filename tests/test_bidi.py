"""poetq.bidi: direction controls closed where a text ends, isolation of people's text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poetq.bidi import balanced, has_controls, isolate, isolate_if_needed, needs_isolation

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"


def levels(text: str) -> list[int]:
    """The depth of open embeddings and isolates after each character (UAX #9 X5-X7), with
    -1 once a closer finds nothing of the text's own to close (it would close the page's)."""
    stack: list[str] = []
    out = []
    for ch in text:
        if ch in (LRE, RLE, LRO, RLO):
            stack.append("e")
        elif ch in (LRI, RLI, FSI):
            stack.append("i")
        elif ch == PDF and stack and stack[-1] == "e":
            stack.pop()
        elif ch == PDI:
            if "i" not in stack:
                return [*out, -1]
            while stack.pop() != "i":
                pass
        out.append(len(stack))
    return out


@pytest.mark.parametrize("text,expected", [
    ("plain", "plain"),
    ("a" + RLO + "b", "a" + RLO + "b" + PDF),
    (PDI + "x", FSI + PDI + "x"),
    (RLO + PDI, FSI + RLO + PDI),  # the stray PDI closes the override too
    (LRI + "a", LRI + "a" + PDI),
    (LRI + RLO + "a" + PDI + "b", LRI + RLO + "a" + PDI + "b"),  # already balanced
    (PDF + "x", PDF + "x"),  # a stray PDF never closes anything outside an isolate
    (RLE + LRI + "x", RLE + LRI + "x" + PDI + PDF),
])
def test_balanced_closes_what_a_text_opens(text, expected):
    assert balanced(text) == expected


CONTROLS = st.text(alphabet=[LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, "a", "\u05d0", " "],
                   max_size=30)


@given(CONTROLS)
def test_a_balanced_text_never_reaches_past_its_end(text):
    out = balanced(text)
    assert text in out and balanced(out) == out
    depth = levels(out)
    assert -1 not in depth and (not depth or depth[-1] == 0)


@given(CONTROLS)
def test_an_isolated_text_stays_inside_its_isolate(text):
    depth = levels(isolate(text))
    assert min(depth[:-1]) >= 1 and depth[-1] == 0


def test_which_texts_need_isolation():
    assert not needs_isolation("Most agree") and not needs_isolation("Ünïcödé, 日本語")
    assert needs_isolation("a" + RLO) and needs_isolation("\u200f") and needs_isolation("ب")
    assert has_controls("x" + PDI) and not has_controls("\u200f")
    assert isolate_if_needed("Lipset") == "Lipset"
    assert isolate_if_needed("שלום") == FSI + "שלום" + PDI


def test_every_right_to_left_letter_needs_isolation():
    missed = [hex(cp) for cp in range(0x80, 0x110000)
              if unicodedata.bidirectional(chr(cp)) in ("R", "AL") and not needs_isolation(chr(cp))]
    assert missed == []


def test_the_filters_escape_once():
    from jinja2 import Environment
    from markupsafe import Markup

    from poetq.web.bidi import bdi, isolate

    env = Environment(autoescape=True)
    env.filters.update(bdi=bdi, isolate=isolate)
    page = env.from_string("{{ a|bdi }}|{{ m|bdi }}|{{ a|isolate }}|{{ m|isolate }}|{{ n|bdi }}")
    out = page.render(a="<x>" + RLO, m=Markup("<b>ok</b>"), n=3)
    assert out == (f"<bdi>&lt;x&gt;{RLO}{PDF}</bdi>|<b>ok</b>|{FSI}&lt;x&gt;{RLO}{PDF}{PDI}|"
                   "<b>ok</b>|3")
