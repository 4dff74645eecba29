"""Post-sort questions: their kinds, their checks, and the canonical form of an answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from poetq.domain.limits import ID_RE, MAX_ANSWER, MAX_OPTIONS, MAX_TEXT, too_long
from poetq.errors import AnswerError, ValidationError

#: The kinds of post-sort question a study can ask.
QUESTION_KINDS: tuple[str, ...] = ("text", "single", "multiple", "number", "likert")


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
        if not isinstance(self.id, str) or not ID_RE.fullmatch(self.id):
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
            problems += too_long(f"question {self.id!r}", text, MAX_TEXT)
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
