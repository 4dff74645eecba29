"""Checking a Q-set file's TOML: every problem collected, each with its line, then a QSet."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from poetq.domain import QUESTION_KINDS, STAGES, Grid, QSet, Question, Statement
from poetq.errors import ValidationError
from poetq.qsets.problems import Problem, describe, did_you_mean, index_lines

#: Keys a Q-set file may use, in the order :func:`dump_qset` writes them.
TOP_KEYS: tuple[str, ...] = (
    "title",
    "slug",
    "topic",
    "language",
    "condition",
    "require_comments",
    "grid",
    "texts",
    "strings",
    "questions",
    "statements",
)
GRID_KEYS: tuple[str, ...] = ("values", "counts", "labels", "forced")
STATEMENT_KEYS: tuple[str, ...] = ("id", "text")
QUESTION_KEYS: tuple[str, ...] = (
    "id", "kind", "prompt", "required", "options", "minimum", "maximum", "scale"
)

#: Placeholders every stage text (and the condition of instruction) may use.
COMMON_PLACEHOLDERS: tuple[str, ...] = ("study", "topic", "number", "left", "right", "min", "max")
#: Extra placeholders a single stage may use: ``[count]`` is how many things that page asks for
#: (statements to comment on at the extremes, questions on the questions page).
STAGE_PLACEHOLDERS: Mapping[str, tuple[str, ...]] = {
    "welcome": (),
    "presort": (),
    "ranking": (),
    "review": (),
    "extremes": ("count",),
    "questions": ("count",),
    "thanks": (),
}

_PLACEHOLDER_RE = re.compile(r"\[([a-z_]+)\]")
#: A Q-set file of 500 long statements and every text is far smaller than this.
MAX_QSET_CHARS = 2 * 1024 * 1024
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,63}$")
_TOML_ERROR_RE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Checker:
    """Collects every problem of one Q-set file while building its domain objects."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.lines = index_lines(text)
        self.problems: list[Problem] = []

    def line(self, *path: Any) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def add(self, path: tuple[Any, ...], where: str, message: str) -> None:
        self.problems.append(Problem(self.line(*path), where, message, self.source))

    def unknown_keys(self, table: Mapping[str, Any], known: tuple[str, ...],
                     path: tuple[Any, ...], where: str) -> None:
        for key in table:
            if key not in known:
                self.add(path + (key,), where,
                         f"unknown key {key!r}{did_you_mean(key, known)}")

    def text(self, table: Mapping[str, Any], key: str, path: tuple[Any, ...], where: str,
             *, required: bool = False, default: str = "") -> str | None:
        """A text value; ``None`` if it is missing-but-required or of the wrong type."""
        if key not in table:
            if required:
                self.add(path, where, f"no {key}: add {key} = \"…\"")
                return None
            return default
        value = table[key]
        if not isinstance(value, str):
            self.add(path + (key,), where, f"{key} must be text in quotes, not {describe(value)}")
            return None
        return value

    def text_list(self, table: Mapping[str, Any], key: str, path: tuple[Any, ...],
                  where: str) -> tuple[str, ...] | None:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.add(path + (key,), where, f"{key} must be a list of texts, not {describe(value)}")
            return None
        bad = [(i, v) for i, v in enumerate(value, start=1) if not isinstance(v, str)]
        if bad:
            i, v = bad[0]
            self.add(path + (key,), where,
                     f"{key} must be a list of texts, but item {i} is {describe(v)}")
            return None
        return tuple(value)

    def domain(self, path: tuple[Any, ...], exc: ValidationError) -> None:
        for message in exc.problems:
            self.add(path, "", message)

    def placeholders(self, text: str, allowed: tuple[str, ...], path: tuple[Any, ...],
                     where: str) -> None:
        known = COMMON_PLACEHOLDERS + tuple(n for ns in STAGE_PLACEHOLDERS.values() for n in ns)
        for name in dict.fromkeys(_PLACEHOLDER_RE.findall(text)):
            if name in allowed:
                continue
            if name in known:
                stages = [s for s, ns in STAGE_PLACEHOLDERS.items() if name in ns]
                self.add(path, where, f"[{name}] is not available here, only in the "
                                      f"{' and '.join(stages)} texts")
            else:
                # Other words in brackets ("[sic]") are left alone; only near misses are typos.
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                if close:
                    self.add(path, where,
                             f"unknown placeholder [{name}] (did you mean [{close[0]}]?)")


def check_text(text: str, source: str,
               default_slug: str | None) -> tuple[QSet | None, list[Problem]]:
    """``(qset, [])`` for a good Q-set file's text, ``(None, problems)`` for a bad one."""
    check = _Checker(text, source)
    if len(text) > MAX_QSET_CHARS:
        return None, [Problem(None, "", f"the file has {len(text):,} characters (at most "
                                        f"{MAX_QSET_CHARS:,}): is it a Q-set file?", source)]
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib descends once per level of nested arrays or tables
        return None, [Problem(None, "", "arrays or tables are nested too deeply for a Q-set",
                              source)]
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_ERROR_RE.search(message)
        line = int(m.group(1)) if m and m.group(1) else None
        detail = message[: m.start()] if m else message
        if detail == "Cannot overwrite a value":
            detail = "a key is given twice in the same table"
        if m and m.group(2):
            detail += f" (column {m.group(2)})"
        elif m:
            detail += " (at the end of the file)"
        return None, [Problem(line, "", f"not valid TOML: {detail}", source)]

    check.unknown_keys(data, TOP_KEYS, (), "")

    title = check.text(data, "title", (), "", required=True)
    if title is not None and not title.strip():
        check.add(("title",), "title", "is empty")
    slug = check.text(data, "slug", (), "", default=default_slug or "")
    if slug is not None:
        if "slug" not in data and not slug:
            check.add((), "", "no slug: add slug = \"…\" (lower-case letters, digits and '-')")
        elif not _SLUG_RE.fullmatch(slug):
            check.add(("slug",), "slug", f"{slug!r} is not valid: use lower-case letters, "
                                         "digits and '-' (at most 64)")
    topic = check.text(data, "topic", (), "")
    language = check.text(data, "language", (), "", default="en")
    if language is not None and not _LANGUAGE_RE.fullmatch(language):
        check.add(("language",), "language",
                  f"{language!r} is not a language tag such as 'en', 'cy' or 'pt-BR'")
    condition = check.text(data, "condition", (), "")
    if condition:
        check.placeholders(condition, COMMON_PLACEHOLDERS, ("condition",), "condition")
    require_comments = data.get("require_comments", False)
    if not isinstance(require_comments, bool):
        check.add(("require_comments",), "require_comments",
                  f"must be true or false, not {describe(require_comments)}")

    statements, n_statements = _check_statements(check, data)
    grid = _check_grid(check, data, n_statements)
    texts = _check_texts(check, data)
    strings = _check_strings(check, data)
    questions = _check_questions(check, data)

    if check.problems:
        return None, _in_order(check.problems)
    try:
        qset = QSet(
            slug=slug,
            title=title,
            statements=statements,
            grid=grid,
            topic=topic,
            condition=condition,
            texts=texts,
            questions=questions,
            language=language,
            strings=strings,
            require_comments=require_comments,
        )
    except ValidationError as exc:
        check.domain((), exc)
        return None, _in_order(check.problems)
    return qset, []


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Problems of the whole file first, then by line."""
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0))


def _array_of_tables(check: _Checker, data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        check.add((key,), key, f"must be a list of [[{key}]] tables, not {describe(value)}")
        return []
    return value


def _check_statements(check: _Checker, data: Mapping[str, Any]) -> tuple[list[Statement], int]:
    if "statements" not in data:
        check.add((), "", "no statements: add one [[statements]] table (id and text) per statement")
        return [], 0
    raw = _array_of_tables(check, data, "statements")
    statements: list[Statement] = []
    first_seen: dict[str, int | None] = {}
    for i, entry in enumerate(raw):
        path = ("statements", i)
        if not isinstance(entry, dict):
            check.add(path, f"statement {i + 1}", f"must be a table with id and text, "
                                                  f"not {describe(entry)}")
            continue
        sid = entry.get("id")
        where = f"statement {sid!r}" if isinstance(sid, str) else f"statement {i + 1}"
        check.unknown_keys(entry, STATEMENT_KEYS, path, where)
        sid = check.text(entry, "id", path, where, required=True)
        text = check.text(entry, "text", path, where, required=True)
        if sid is not None:
            if sid in first_seen:
                seen = first_seen[sid]
                at = f" (first at line {seen})" if seen else ""
                check.add(path + ("id",), where, f"id used more than once{at}")
                sid = None
            else:
                first_seen[sid] = check.line(*path, "id")
        if text is not None and not text.strip():
            check.add(path + ("text",), where, "no text")
            text = None
        if sid is None or text is None:
            continue
        try:
            statements.append(Statement(sid, text))
        except ValidationError as exc:
            check.domain(path + ("id",), exc)
    return statements, len(raw)


def _check_grid(check: _Checker, data: Mapping[str, Any], n_statements: int) -> Grid | None:
    if "grid" not in data:
        check.add((), "", "no grid: add a [grid] table with counts = [...]")
        return None
    table = data["grid"]
    if not isinstance(table, dict):
        check.add(("grid",), "grid", f"must be a [grid] table, not {describe(table)}")
        return None
    check.unknown_keys(table, GRID_KEYS, ("grid",), "grid")
    ok = True
    numbers: dict[str, list[int]] = {}
    for key in ("counts", "values"):
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, list):
            check.add(("grid", key), f"grid.{key}",
                      f"must be a list of whole numbers, not {describe(value)}")
            ok = False
            continue
        bad = [(i, v) for i, v in enumerate(value, start=1) if not is_int(v)]
        if bad:
            i, v = bad[0]
            check.add(("grid", key), f"grid.{key}",
                      f"must be a list of whole numbers, but item {i} is {describe(v)}")
            ok = False
            continue
        numbers[key] = value
    if "counts" not in table:
        check.add(("grid",), "grid", "no counts: add counts = [...], how many statements "
                                     "each column holds")
        ok = False
    labels = check.text_list(table, "labels", ("grid",), "grid")
    if labels is None:
        ok = False
    elif "labels" in table and len(labels) != 2:
        check.add(("grid", "labels"), "grid.labels",
                  f"give two labels, the left and the right pole, not {len(labels)}")
        ok = False
    forced = table.get("forced", True)
    if not isinstance(forced, bool):
        check.add(("grid", "forced"), "grid.forced",
                  f"must be true or false, not {describe(forced)}")
        ok = False
    if not ok:
        return None
    counts = numbers["counts"]
    if "values" in numbers:
        values = numbers["values"]
    elif len(counts) % 2 == 1:
        half = len(counts) // 2
        values = list(range(-half, half + 1))
    else:
        check.add(("grid", "counts"), "grid",
                  f"{len(counts)} counts have no middle column: add values = [...] for them")
        return None
    try:
        grid = Grid(tuple(values), tuple(counts), labels or Grid.labels, forced=forced)
    except ValidationError as exc:
        check.domain(("grid", "counts"), exc)
        return None
    if n_statements:
        try:
            grid.check_fits(n_statements)
        except ValidationError as exc:
            for message in exc.problems:
                check.add(("grid", "counts"), "grid.counts", message)
    return grid


def _check_texts(check: _Checker, data: Mapping[str, Any]) -> dict[str, str]:
    table = data.get("texts", {})
    if not isinstance(table, dict):
        check.add(("texts",), "texts", f"must be a [texts] table, not {describe(table)}")
        return {}
    texts: dict[str, str] = {}
    for stage, value in table.items():
        path = ("texts", stage)
        if stage not in STAGES:
            check.add(path, "texts", f"unknown stage {stage!r}{did_you_mean(stage, STAGES)}: "
                                     f"use {', '.join(STAGES)}")
            continue
        if not isinstance(value, str):
            check.add(path, f"texts.{stage}", f"must be text in quotes, not {describe(value)}")
            continue
        check.placeholders(value, COMMON_PLACEHOLDERS + STAGE_PLACEHOLDERS[stage], path,
                           f"texts.{stage}")
        texts[stage] = value
    return texts


def _check_strings(check: _Checker, data: Mapping[str, Any]) -> dict[str, str]:
    table = data.get("strings", {})
    if not isinstance(table, dict):
        check.add(("strings",), "strings", f"must be a [strings] table, not {describe(table)}")
        return {}
    strings: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, str):
            strings[key] = value
        else:
            check.add(("strings", key), f"strings.{key}",
                      f"must be text in quotes, not {describe(value)}")
    return strings


def _check_questions(check: _Checker, data: Mapping[str, Any]) -> list[Question]:
    questions: list[Question] = []
    seen: dict[str, int | None] = {}
    for i, entry in enumerate(_array_of_tables(check, data, "questions")):
        path = ("questions", i)
        if not isinstance(entry, dict):
            check.add(path, f"question {i + 1}", f"must be a table, not {describe(entry)}")
            continue
        qid = entry.get("id")
        where = f"question {qid!r}" if isinstance(qid, str) else f"question {i + 1}"
        check.unknown_keys(entry, QUESTION_KEYS, path, where)
        before = len(check.problems)
        qid = check.text(entry, "id", path, where, required=True)
        prompt = check.text(entry, "prompt", path, where, required=True)
        kind = check.text(entry, "kind", path, where, required=True)
        if kind is not None and kind not in QUESTION_KINDS:
            check.add(path + ("kind",), where,
                      f"unknown kind {kind!r}{did_you_mean(kind, QUESTION_KINDS)}: "
                      f"use one of {', '.join(QUESTION_KINDS)}")
        required = entry.get("required", False)
        if not isinstance(required, bool):
            check.add(path + ("required",), where,
                      f"required must be true or false, not {describe(required)}")
        options = check.text_list(entry, "options", path, where)
        scale = check.text_list(entry, "scale", path, where)
        bounds: dict[str, float | None] = {}
        for key in ("minimum", "maximum"):
            value = entry.get(key)
            if value is not None and not is_number(value):
                check.add(path + (key,), where, f"{key} must be a number, not {describe(value)}")
            bounds[key] = value
        if kind not in QUESTION_KINDS:
            continue  # the kind-specific checks below would only add noise
        if kind in ("single", "multiple") and options == ():
            check.add(path + ("kind",), where,
                      f"a {kind} choice question needs options = [...] (at least 2)")
        if kind not in ("single", "multiple") and options:
            check.add(path + ("options",), where,
                      f"options are for single and multiple choice questions, not {kind}"
                      + ("; a likert question takes scale = [...]" if kind == "likert" else ""))
        if kind != "likert" and scale:
            check.add(path + ("scale",), where, f"scale is for likert questions, not {kind}")
        if kind != "number" and any(v is not None for v in bounds.values()):
            check.add(path + ("minimum",), where,
                      f"minimum and maximum are for number questions, not {kind}")
        if qid is not None and qid in seen:
            check.add(path + ("id",), where, f"id used more than once (first at line {seen[qid]})"
                      if seen[qid] else "id used more than once")
        elif qid is not None:
            seen[qid] = check.line(*path, "id")
        if len(check.problems) > before:
            continue
        try:
            questions.append(Question(
                id=qid, kind=kind, prompt=prompt, required=required, options=options,
                minimum=bounds["minimum"], maximum=bounds["maximum"], scale=scale,
            ))
        except ValidationError as exc:
            check.domain(path, exc)
    return questions
