"""A Q-set: its statements, forced grid, stage texts and questions, and its stored form."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from poetq.domain.limits import (
    ID_RE,
    MAX_GRID_VALUE,
    MAX_QUESTIONS,
    MAX_STATEMENT_TEXT,
    MAX_STATEMENTS,
    MAX_TEXT,
    format_value,
    plural,
    too_long,
)
from poetq.domain.questions import Question
from poetq.errors import ValidationError

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

_PLACEHOLDER_RE = re.compile(r"\[([a-z_]+)\]")


@dataclass(frozen=True)
class Statement:
    """One statement of a Q-set: a stable id (kept when texts are edited) and its text."""

    id: str
    text: str

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.id, str) or not ID_RE.fullmatch(self.id):
            problems.append(
                f"statement id {self.id!r} is not valid: use 1-64 letters, digits, '_', '-' or '.'"
            )
        if not isinstance(self.text, str) or not self.text.strip():
            problems.append(f"statement {self.id!r} has no text")
        problems += too_long(f"statement {self.id!r}", self.text, MAX_STATEMENT_TEXT)
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
                f"the grid has {plural(len(self.values), 'column value')} "
                f"but {plural(len(self.counts), 'count')}: give one count per column"
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
            problems += too_long(what, text, MAX_TEXT)
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
