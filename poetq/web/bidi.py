"""People's text on the pages, isolated from the page around it (:mod:`poetq.bidi`).

Two template filters, for every text a researcher, a respondent or an imported file supplied:

- ``{{ text|bdi }}`` in element content: ``<bdi>text</bdi>``;
- ``{{ text|isolate }}`` where only plain text may stand (``<title>``, ``<option>``, a
  placeholder of a sentence): the text between U+2068 and U+2069.

Both act on text that holds a direction control or a right-to-left letter: other text reads
the same in any sentence of these left-to-right pages, so it is printed as it is (and a page
of ordinary text is byte for byte what it was).

By default every string a template prints is :func:`poetq.bidi.balanced` (the Jinja
``finalize`` hook): whatever a text opens is closed at its end, in element content and in
attribute values alike, so a text that a template forgets to isolate still cannot reverse
what follows it. Messages that quote people's text use :func:`poetq.bidi.isolate_if_needed`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup

from poetq.bidi import balanced, has_controls, isolate_if_needed, needs_isolation


def bdi(value: Any) -> Markup | str:
    """``value`` as text in a ``<bdi>`` element (escaped, its controls balanced) when it
    :func:`~poetq.bidi.needs_isolation`; other text as it is."""
    text = _text(value)
    if not needs_isolation(text):
        return text
    return Markup("<bdi>%s</bdi>") % balanced(text)


def isolate(value: Any) -> str:
    """``value`` as plain text, isolated when it needs it (see the module's notes)."""
    return isolate_if_needed(_text(value))


def _text(value: Any) -> str:
    # a string stays itself (Markup stays Markup: escaped once, not twice)
    return "" if value is None else value if isinstance(value, str) else str(value)


def _finalize(value: Any) -> Any:
    # only plain strings: Markup was made by the templates or the filters above. Every
    # ``{{ }}`` of every page comes here: ASCII text (most of it) is let through at once.
    if type(value) is str and not value.isascii() and has_controls(value):
        return balanced(value)
    return value


def init_app(app: Flask) -> None:
    """Install the filters and the default; before anything touches ``app.jinja_env``."""
    app.jinja_options = {**app.jinja_options, "finalize": _finalize}
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(isolate, "isolate")
