"""The Q-method domain: statements, Q-sets, forced grids, Q-sorts and post-sort questions.

Pure values and validation, no I/O. Every check collects *all* the problems it finds and
raises one :class:`~poetq.errors.ValidationError` whose messages a researcher or a respondent
can act on ("column +3 holds 4 statements, the grid allows 3").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from poetq.errors import AnswerError, ValidationError

if TYPE_CHECKING:  # numpy is needed only by SortsTable's annotations
    import numpy as np

#: The stages of a respondent's sort, in order; each has a researcher-editable text.
STAGES: tuple[str, ...] = (
    "welcome",
    "presort",
    "ranking",
    "review",
    "extremes",
    "questions",
    "thanks",
)

#: The kinds of post-sort question a study can ask.
QUESTION_KINDS: tuple[str, ...] = ("text", "single", "multiple", "number", "likert")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_PLACEHOLDER_RE = re.compile(r"\[([a-z_]+)\]")


#: Bounds far beyond any real Q study, so a Q-set file, form or import cannot make pages,
#: previews, analyses or backups unboundedly large or slow.
MAX_STATEMENTS = 500
MAX_STATEMENT_TEXT = 2_000
MAX_TEXT = 20_000
MAX_GRID_VALUE = 50
MAX_QUESTIONS = 100
MAX_OPTIONS = 100
#: Longest answer to a text question (characters).
MAX_ANSWER = 10_000


def _too_long(what: str, text: Any, limit: int) -> list[str]:
    if isinstance(text, str) and len(text) > limit:
        return [f"{what} has {len(text):,} characters (at most {limit:,})"]
    return []


def is_statement_id(text: Any) -> bool:
    """Whether ``text`` is a valid statement (or question) id: 1-64 letters, digits, ``_-.``."""
    return isinstance(text, str) and _ID_RE.fullmatch(text) is not None


def format_value(value: int) -> str:
    """A grid column value as people write it: ``+3``, ``0``, ``-4``."""
    return f"+{value}" if value > 0 else str(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True)
class Statement:
    """One statement of a Q-set: a stable id (kept when texts are edited) and its text."""

    id: str
    text: str

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.id, str) or not _ID_RE.fullmatch(self.id):
            problems.append(
                f"statement id {self.id!r} is not valid: use 1-64 letters, digits, '_', '-' or '.'"
            )
        if not isinstance(self.text, str) or not self.text.strip():
            problems.append(f"statement {self.id!r} has no text")
        problems += _too_long(f"statement {self.id!r}", self.text, MAX_STATEMENT_TEXT)
        if problems:
            raise ValidationError(problems)


@dataclass(frozen=True)
class Grid:
    """A forced quasi-normal distribution.

    Parameters
    ----------
    values : tuple of int
        Column values, strictly increasing (e.g. ``-4 .. +4``).
    counts : tuple of int
        How many statements each column holds, same length as ``values``.
    labels : tuple of str
        Optional pole labels ``(left, right)``, e.g. ``("Most disagree", "Most agree")``.
    forced : bool
        True (the default): every sort fills each column with exactly ``counts`` statements.
        False: a sort may put any number of statements in a column (a free distribution);
        the grid is then the nominal distribution of the factor arrays (qmethod's
        ``forced = FALSE, distribution = ...``).
    """

    values: tuple[int, ...]
    counts: tuple[int, ...]
    labels: tuple[str, str] = ("Most disagree", "Most agree")
    forced: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        object.__setattr__(self, "counts", tuple(self.counts))
        object.__setattr__(self, "labels", tuple(self.labels))
        problems = []
        if len(self.values) < 2:
            problems.append("the grid needs at least 2 columns")
        if len(self.values) != len(self.counts):
            problems.append(
                f"the grid has {_plural(len(self.values), 'column value')} "
                f"but {_plural(len(self.counts), 'count')}: give one count per column"
            )
        for v in self.values:
            if isinstance(v, bool) or not isinstance(v, int):
                problems.append(f"grid column value {v!r} is not a whole number")
            elif abs(v) > MAX_GRID_VALUE:
                problems.append(f"grid column value {v} is out of range: use values from "
                                f"-{MAX_GRID_VALUE} to +{MAX_GRID_VALUE}")
        for c in self.counts:
            if isinstance(c, bool) or not isinstance(c, int) or c < 1 or c > MAX_STATEMENTS:
                problems.append(
                    f"grid count {c!r} is not a whole number from 1 to {MAX_STATEMENTS}"
                )
        if not problems and any(b <= a for a, b in zip(self.values, self.values[1:])):
            problems.append("grid column values must increase from left to right without repeats")
        if len(self.labels) != 2 or not all(isinstance(x, str) for x in self.labels):
            problems.append("grid labels must be two texts: the left and the right pole")
        if not isinstance(self.forced, bool):
            problems.append("grid forced must be true or false")
        if problems:
            raise ValidationError(problems)

    @classmethod
    def symmetric(cls, counts: Sequence[int], **kwargs: Any) -> Grid:
        """A grid centred on 0: ``counts`` of odd length ``2h+1`` give values ``-h .. +h``."""
        if len(counts) % 2 != 1:
            raise ValidationError("a symmetric grid needs an odd number of columns")
        h = len(counts) // 2
        return cls(tuple(range(-h, h + 1)), tuple(counts), **kwargs)

    @property
    def size(self) -> int:
        """Number of statements the grid holds."""
        return sum(self.counts)

    def capacity(self, value: int) -> int:
        """How many statements column ``value`` holds (0 if it is not a column)."""
        return dict(zip(self.values, self.counts)).get(value, 0)

    def distribution(self) -> tuple[int, ...]:
        """All grid values with repetition, ascending (qmethod's ``distribution``)."""
        return tuple(v for v, c in zip(self.values, self.counts) for _ in range(c))

    def check_fits(self, n_statements: int) -> None:
        """Raise unless the grid holds exactly ``n_statements``."""
        if self.size != n_statements:
            counts = "+".join(str(c) for c in self.counts)
            raise ValidationError(
                f"the grid counts add up to {self.size} ({counts}) but there are "
                f"{n_statements} statements: change the counts so they add up to {n_statements}"
            )


@dataclass(frozen=True)
class Question:
    """A post-sort question.

    ``kind`` is one of ``text``, ``single`` (one choice), ``multiple`` (several choices),
    ``number`` (optionally within ``minimum``/``maximum``) or ``likert`` (one point of
    ``scale``, a tuple of labels from one pole to the other).
    """

    id: str
    kind: str
    prompt: str
    required: bool = False
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    scale: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "scale", tuple(self.scale))
        problems = []
        if not isinstance(self.id, str) or not _ID_RE.fullmatch(self.id):
            problems.append(
                f"question id {self.id!r} is not valid: use letters, digits, '_' or '-'"
            )
        if self.kind not in QUESTION_KINDS:
            problems.append(
                f"question {self.id!r} has kind {self.kind!r}: "
                f"use one of {', '.join(QUESTION_KINDS)}"
            )
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            problems.append(f"question {self.id!r} has no prompt")
        if self.kind in ("single", "multiple"):
            if len(self.options) < 2:
                problems.append(
                    f"question {self.id!r} ({self.kind} choice) needs at least 2 options"
                )
            elif len(set(self.options)) != len(self.options):
                problems.append(f"question {self.id!r} lists the same option twice")
        if len(self.options) > MAX_OPTIONS or len(self.scale) > MAX_OPTIONS:
            problems.append(f"question {self.id!r} has more than {MAX_OPTIONS} options")
        for text in (self.prompt, *self.options, *self.scale):
            problems += _too_long(f"question {self.id!r}", text, MAX_TEXT)
        if self.kind == "likert" and len(self.scale) < 2:
            problems.append(f"question {self.id!r} (likert) needs a scale of at least 2 labels")
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            # nan/inf would pass every comparison check and then break JSON storage and backups.
            if bound is not None and not (isinstance(bound, (int, float)) and math.isfinite(bound)):
                problems.append(f"question {self.id!r} has {name} {bound!r}: give a finite number")
        if (
            self.minimum is not None
            and self.maximum is not None
            and self.minimum > self.maximum
        ):
            problems.append(f"question {self.id!r} has a minimum above its maximum")
        if problems:
            raise ValidationError(problems)

    def clean(self, raw: Any) -> Any:
        """Validate one answer and return it in canonical form (``None`` if unanswered).

        ``raw`` is what a form or API gives: a string, a list of strings (multiple choice)
        or a number. A refused answer raises :class:`~poetq.errors.AnswerError`, whose
        ``key`` says why (``answer_required``, ``answer_number``, ``answer_min``, …).
        """
        prompt = self.prompt
        empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []
        if empty:
            if self.required:
                raise AnswerError("answer_required", prompt=prompt)
            return None
        if self.kind == "text":
            if not isinstance(raw, str):
                raise AnswerError("answer_text", prompt=prompt)
            if len(raw) > MAX_ANSWER:
                raise AnswerError("answer_too_long", prompt=prompt, limit=f"{MAX_ANSWER:,}")
            return raw.strip()
        if self.kind in ("single", "likert"):
            choices = self.options if self.kind == "single" else self.scale
            if not isinstance(raw, str) or raw not in choices:
                raise AnswerError("answer_choose", prompt=prompt)
            return raw
        if self.kind == "multiple":
            items = [raw] if isinstance(raw, str) else raw
            if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) for x in items):
                raise AnswerError("answer_choose", prompt=prompt)
            unknown = [x for x in items if x not in self.options]
            if unknown:
                raise AnswerError("answer_not_option", prompt=prompt, option=unknown[0])
            return [o for o in self.options if o in set(items)]
        # number
        if isinstance(raw, bool):
            raise AnswerError("answer_number", prompt=prompt)
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise AnswerError("answer_number", prompt=prompt) from None
        if not math.isfinite(number):
            raise AnswerError("answer_number", prompt=prompt)
        if self.minimum is not None and number < self.minimum:
            raise AnswerError("answer_min", prompt=prompt, minimum=f"{self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise AnswerError("answer_max", prompt=prompt, maximum=f"{self.maximum:g}")
        return int(number) if number.is_integer() else number


@dataclass(frozen=True)
class QSet:
    """A Q-set with its grid, the texts a study shows and its post-sort questions.

    ``texts`` maps a stage name (see :data:`STAGES`) to the researcher's text for it;
    ``strings`` overrides respondent-facing interface strings (button labels and the like)
    so a study can run in any language; ``language`` is a BCP 47 tag such as ``en`` or ``ja``.
    """

    slug: str
    title: str
    statements: tuple[Statement, ...]
    grid: Grid
    topic: str = ""
    condition: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    language: str = "en"
    strings: Mapping[str, str] = field(default_factory=dict)
    require_comments: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "statements", tuple(self.statements))
        object.__setattr__(self, "questions", tuple(self.questions))
        object.__setattr__(self, "texts", dict(self.texts))
        object.__setattr__(self, "strings", dict(self.strings))
        problems = []
        if not isinstance(self.slug, str) or not re.fullmatch(
            r"[a-z0-9][a-z0-9\-]{0,63}", self.slug
        ):
            problems.append(
                f"slug {self.slug!r} is not valid: use lower-case letters, digits and '-' (max 64)"
            )
        if not isinstance(self.title, str) or not self.title.strip():
            problems.append("the Q-set has no title")
        if len(self.statements) < 2:
            problems.append("a Q-set needs at least 2 statements")
        if len(self.statements) > MAX_STATEMENTS:
            problems.append(
                f"a Q-set has at most {MAX_STATEMENTS} statements, not {len(self.statements)}"
            )
        if len(self.questions) > MAX_QUESTIONS:
            problems.append(
                f"a Q-set has at most {MAX_QUESTIONS} questions, not {len(self.questions)}"
            )
        for what, text in (("the title", self.title), ("the topic", self.topic),
                           ("the condition", self.condition),
                           *((f"the {k} text", v) for k, v in self.texts.items()),
                           *((f"string {k!r}", v) for k, v in self.strings.items())):
            problems += _too_long(what, text, MAX_TEXT)
        if len(self.strings) > 1_000:
            problems.append(f"[strings] has {len(self.strings)} entries (at most 1,000)")
        dupes = sorted(i for i, n in Counter(s.id for s in self.statements).items() if n > 1)
        for d in dupes:
            problems.append(f"statement id {d!r} is used more than once")
        try:
            self.grid.check_fits(len(self.statements))
        except ValidationError as exc:
            problems.extend(exc.problems)
        unknown_stages = sorted(set(self.texts) - set(STAGES))
        for s in unknown_stages:
            problems.append(f"text for unknown stage {s!r}: use one of {', '.join(STAGES)}")
        qdupes = sorted(i for i, n in Counter(q.id for q in self.questions).items() if n > 1)
        for d in qdupes:
            problems.append(f"question id {d!r} is used more than once")
        if problems:
            raise ValidationError(problems)

    @property
    def statement_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.statements)

    def statement(self, statement_id: str) -> Statement:
        for s in self.statements:
            if s.id == statement_id:
                return s
        raise ValidationError(f"unknown statement id {statement_id!r}")

    def number(self, statement_id: str) -> int:
        """The 1-based number of a statement, as printed on cards and in PQMethod."""
        return self.statement_ids.index(statement_id) + 1

    def placeholder_values(self, stage: str) -> dict[str, Any]:
        """Values of the placeholders a stage's text may use.

        ``[study]``, ``[topic]``, ``[number]`` (statements), ``[left]``/``[right]`` (pole
        labels), ``[min]``/``[max]`` (end columns such as ``-4``/``+4``) everywhere; ``[count]``
        in ``extremes`` (statements in the two outermost columns) and ``questions``.
        """
        if stage not in STAGES:
            raise ValidationError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
        grid = self.grid
        values: dict[str, Any] = {
            "study": self.title,
            "topic": self.topic,
            "number": len(self.statements),
            "left": grid.labels[0],
            "right": grid.labels[1],
            "min": format_value(grid.values[0]),
            "max": format_value(grid.values[-1]),
        }
        if stage == "extremes":
            values["count"] = grid.counts[0] + grid.counts[-1]
        elif stage == "questions":
            values["count"] = len(self.questions)
        return values

    def text_for(self, stage: str, **extra: Any) -> str:
        """The researcher's text for ``stage`` with placeholders filled in."""
        values = self.placeholder_values(stage)
        values.update(extra)
        return fill_placeholders(self.texts.get(stage, ""), values)

    def condition_text(self) -> str:
        """The condition of instruction with its placeholders filled in."""
        return fill_placeholders(self.condition, self.placeholder_values("ranking"))


def fill_placeholders(text: str, values: Mapping[str, Any]) -> str:
    """Replace ``[name]`` by ``values[name]``; unknown placeholders are left as written."""

    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        return str(values[key]) if key in values else m.group(0)

    return _PLACEHOLDER_RE.sub(repl, text)


@dataclass(frozen=True)
class QSort:
    """A complete, valid Q-sort: the grid value of every statement, in Q-set order."""

    statement_ids: tuple[str, ...]
    values: tuple[int, ...]

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.statement_ids, self.values))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            return int(s)
    return None


def validate_sort(
    grid: Grid,
    statement_ids: Sequence[str],
    placements: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> QSort:
    """Check a sort against a grid and a Q-set's statements and return it as a :class:`QSort`.

    Parameters
    ----------
    grid : Grid
        The study's forced distribution.
    statement_ids : sequence of str
        The Q-set's statement ids, in order.
    placements : mapping or iterable of (statement id, value) pairs
        Where each statement was put. Values may be ints or strings such as ``"+3"``.
        Pairs let a repeated statement be reported instead of silently overwritten.

    Raises
    ------
    ValidationError
        Listing every problem: unknown or repeated statements, missing statements,
        values that are not whole numbers or not grid columns, and (for a forced grid)
        columns that hold more or fewer statements than the grid allows.
    """
    pairs = list(placements.items()) if isinstance(placements, Mapping) else list(placements)
    known = set(statement_ids)
    problems: list[str] = []
    seen: dict[str, int] = {}
    counts = Counter(sid for sid, _ in pairs)
    for sid, n in counts.items():
        if n > 1:
            problems.append(f"statement {sid!r} is placed {n} times; place it once")
    for sid, raw in pairs:
        if sid not in known:
            problems.append(f"statement {sid!r} is not in this Q-set")
            continue
        value = _as_int(raw)
        if value is None:
            problems.append(f"statement {sid!r} has value {raw!r}, which is not a whole number")
            continue
        if grid.capacity(value) == 0:
            problems.append(
                f"statement {sid!r} is in column {format_value(value)}, which is not in the grid "
                f"({format_value(grid.values[0])} to {format_value(grid.values[-1])})"
            )
            continue
        seen.setdefault(sid, value)
    missing = [sid for sid in statement_ids if sid not in counts]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
        problems.append(f"{_plural(len(missing), 'statement')} not placed: {shown}")
    filled = Counter(seen.values())
    for value, cap in zip(grid.values, grid.counts if grid.forced else ()):
        have = filled.get(value, 0)
        if have > cap:
            problems.append(
                f"column {format_value(value)} holds {have} statements, the grid allows {cap}"
            )
    if not problems and grid.forced:
        for value, cap in zip(grid.values, grid.counts):
            have = filled.get(value, 0)
            if have < cap:
                problems.append(
                    f"column {format_value(value)} holds {have} statements, the grid needs {cap}"
                )
    if problems:
        raise ValidationError(problems)
    return QSort(tuple(statement_ids), tuple(seen[sid] for sid in statement_ids))


def qset_to_dict(qset: QSet) -> dict[str, Any]:
    """A plain, JSON-ready dict of a Q-set (the snapshot a study stores)."""
    return {
        "slug": qset.slug,
        "title": qset.title,
        "topic": qset.topic,
        "condition": qset.condition,
        "language": qset.language,
        "require_comments": qset.require_comments,
        "grid": {
            "values": list(qset.grid.values),
            "counts": list(qset.grid.counts),
            "labels": list(qset.grid.labels),
            "forced": qset.grid.forced,
        },
        "texts": dict(qset.texts),
        "strings": dict(qset.strings),
        "statements": [{"id": s.id, "text": s.text} for s in qset.statements],
        "questions": [
            {
                "id": q.id,
                "kind": q.kind,
                "prompt": q.prompt,
                "required": q.required,
                "options": list(q.options),
                "minimum": q.minimum,
                "maximum": q.maximum,
                "scale": list(q.scale),
            }
            for q in qset.questions
        ],
    }


def qset_from_dict(data: Mapping[str, Any]) -> QSet:
    """The inverse of :func:`qset_to_dict`."""
    grid = data["grid"]
    return QSet(
        slug=data["slug"],
        title=data["title"],
        topic=data.get("topic", ""),
        condition=data.get("condition", ""),
        language=data.get("language", "en"),
        require_comments=bool(data.get("require_comments", False)),
        grid=Grid(
            tuple(grid["values"]),
            tuple(grid["counts"]),
            tuple(grid.get("labels") or Grid.labels),
            forced=bool(grid.get("forced", True)),
        ),
        texts=data.get("texts", {}),
        strings=data.get("strings", {}),
        statements=tuple(Statement(s["id"], s["text"]) for s in data["statements"]),
        questions=tuple(
            Question(
                id=q["id"],
                kind=q["kind"],
                prompt=q["prompt"],
                required=bool(q.get("required", False)),
                options=tuple(q.get("options", ())),
                minimum=q.get("minimum"),
                maximum=q.get("maximum"),
                scale=tuple(q.get("scale", ())),
            )
            for q in data.get("questions", ())
        ),
    )


@dataclass(frozen=True)
class SortsTable:
    """Q-sorts by statement: ``values`` has shape ``(n_statements, n_sorts)``.

    ``locations`` says where each sort sits in the file it was read from (``"line 4"``,
    ``"column C"``), so that a later check (e.g. against a study's grid) can point at it.
    """

    statement_ids: tuple[str, ...]
    sort_ids: tuple[str, ...]
    values: np.ndarray
    locations: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # A grid value such as 99999999999999999999 is a typo or an attack, never a sort.
        import numpy as np  # not at import time: `poetq --help` loads this module

        values = np.asarray(self.values, dtype=float)
        out = np.abs(np.nan_to_num(values)) > MAX_GRID_VALUE
        if values.ndim == 2 and out.any():
            i, j = (int(k[0]) for k in np.nonzero(out))
            raise ValidationError(
                f"{self.where(j)}, statement {self.statement_ids[i]!r}: the value "
                f"{values[i, j]:g} is out of range (grid values go from -{MAX_GRID_VALUE} to "
                f"+{MAX_GRID_VALUE})"
            )

    def where(self, j: int) -> str:
        """Where sort ``j`` is in its file (``"line 4 (sort 'US1')"``), or just its name."""
        name = f"sort {self.sort_ids[j]!r}"
        if self.locations and j < len(self.locations) and self.locations[j]:
            return f"{self.locations[j]} ({name})"
        return name

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape
