"""Writing a Q-set as the text of a Q-set file (``parse_qset(dump_qset(q)) == q``)."""

from __future__ import annotations

import math
import re
from typing import Any

from poetq.domain import QSet

_BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


def _escape(ch: str) -> str:
    simple = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
              "\r": "\\r"}
    if ch in simple:
        return simple[ch]
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"\\u{ord(ch):04X}"
    return ch


def _basic(text: str) -> str:
    return '"' + "".join(_escape(ch) for ch in text) + '"'


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string; a multi-line one (``\"\"\"``) if it has line breaks."""
    if "\n" not in text:
        return _basic(text)
    out = []
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append(ch)
        elif ch == '"':
            # Only a quote that starts a run, or ends the text, could close the string.
            end = i + 1 == len(text) or text[i + 1] == '"'
            out.append('\\"' if end else '"')
        else:
            out.append(_escape(ch))
    body = "".join(out)
    # The newline after the opening quotes is dropped by TOML; a line-ending backslash drops the
    # newline before the closing quotes, so the text keeps exactly the line breaks it had.
    return '"""\n' + body + ('"""' if text.endswith("\n") else '\\\n"""')


def _key(key: str) -> str:
    return key if _BARE_KEY_RE.fullmatch(key) else _basic(key)


def _number(value: float) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(float(value))


def _list(items: tuple[Any, ...], render) -> str:
    one_line = "[" + ", ".join(render(x) for x in items) + "]"
    if len(one_line) <= 88 and "\n" not in one_line:
        return one_line
    return "[\n" + "".join(f"    {render(x)},\n" for x in items) + "]"


def dump_qset(qset: QSet) -> str:
    """A Q-set as the text of a Q-set file, in the layout ``statements/README.md`` documents.

    ``parse_qset(dump_qset(q)) == q`` for every valid Q-set.
    """
    lines = [f"title = {toml_string(qset.title)}", f"slug = {toml_string(qset.slug)}"]
    if qset.topic:
        lines.append(f"topic = {toml_string(qset.topic)}")
    lines.append(f"language = {toml_string(qset.language)}")
    if qset.condition:
        lines.append(f"condition = {toml_string(qset.condition)}")
    lines.append(f"require_comments = {str(qset.require_comments).lower()}")

    grid = qset.grid
    lines += [
        "",
        "[grid]",
        f"values = {_list(grid.values, str)}",
        f"counts = {_list(grid.counts, str)}",
        f"labels = {_list(grid.labels, toml_string)}",
    ]
    if not grid.forced:
        lines.append("forced = false")
    if qset.texts:
        lines += ["", "[texts]"]
        lines += [f"{_key(stage)} = {toml_string(text)}" for stage, text in qset.texts.items()]
    if qset.strings:
        lines += ["", "[strings]"]
        lines += [f"{_key(key)} = {toml_string(text)}" for key, text in qset.strings.items()]
    for q in qset.questions:
        lines += ["", "[[questions]]", f"id = {toml_string(q.id)}", f"kind = {toml_string(q.kind)}",
                  f"prompt = {toml_string(q.prompt)}"]
        if q.required:
            lines.append("required = true")
        if q.options:
            lines.append(f"options = {_list(q.options, toml_string)}")
        if q.minimum is not None:
            lines.append(f"minimum = {_number(q.minimum)}")
        if q.maximum is not None:
            lines.append(f"maximum = {_number(q.maximum)}")
        if q.scale:
            lines.append(f"scale = {_list(q.scale, toml_string)}")
    for s in qset.statements:
        lines += ["", "[[statements]]", f"id = {toml_string(s.id)}",
                  f"text = {toml_string(s.text)}"]
    return "\n".join(lines) + "\n"
