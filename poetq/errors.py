"""Exceptions and warnings raised by poetq.

Every error a person can cause is a :class:`PoetqError`; its message is one line that says
what is wrong and, where possible, how to fix it. The CLI and the web app turn these into
one-line messages; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class PoetqError(Exception):
    """Base class for errors a user can act on.

    ``key`` (with ``params``), when set, names the message in a table of messages a web page
    may translate (:data:`MESSAGES`, :data:`poetq.flow.MESSAGES`); ``poetq.web.errors`` maps
    keys and classes to HTTP statuses.
    """

    key: str | None = None
    params: Mapping[str, Any] = {}


class ValidationError(PoetqError, ValueError):
    """Input that does not make sense; ``problems`` lists every problem found."""

    def __init__(self, problems: str | Iterable[str]):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = list(problems)
        if not self.problems:
            raise ValueError("ValidationError needs at least one problem")
        super().__init__("; ".join(self.problems))


class NotFoundError(PoetqError, LookupError):
    """Something named by the user does not exist."""


class ConflictError(PoetqError, ValueError):
    """The request clashes with what is stored (e.g. a slug already taken)."""


class StateError(PoetqError, ValueError):
    """The request does not fit the current state (e.g. opening a closed study)."""


#: Respondent-facing messages of refused requests, by key (the respondents' pages may
#: translate them; see ``poetq.web.i18n``).
MESSAGES: Mapping[str, str] = {
    "study_missing": "There is no study at this address. Please check the link you were given.",
    "study_draft": "This study has not started yet. Please come back when the researchers "
    "have opened it.",
    "study_closed": "This study has closed and no longer takes part in new sorts. Thank you "
    "for your interest.",
    "study_closed_sorts": "This study has closed, and the time to finish sorts already started "
    "has passed. Thank you for your interest.",
    "invitation_missing": "This invitation code is not known. Please check the link you were "
    "given.",
    "invitation_used": "This invitation code has already been used. Each code can be used once; "
    "if you started the study, use the link with your resume code to continue.",
    "resume_missing": "No sort was found for this resume code. Please check the link.",
    "identifier_required": "Please enter the identifier you were given.",
    "identifier_too_long": "Please keep the identifier under {limit} characters.",
    "stale": "This page is out of date: it was changed in another window or sent twice. "
    "Here is where you are now.",
    "already_submitted": "This sort has already been submitted.",
    # an answer to a post-sort question (:meth:`poetq.domain.Question.clean`)
    "answer_required": "Please answer: {prompt}",
    "answer_text": "{prompt}: the answer must be text.",
    "answer_too_long": "{prompt}: please keep the answer under {limit} characters.",
    "answer_choose": "{prompt}: choose from the options given.",
    "answer_not_option": "{prompt}: “{option}” is not one of the options.",
    "answer_number": "{prompt}: enter a number, such as 42.",
    "answer_min": "{prompt}: enter a number of at least {minimum}.",
    "answer_max": "{prompt}: enter a number of at most {maximum}.",
}


class RespondError(ValidationError):
    """A refused respondent request; ``key``/``params`` name a message in :data:`MESSAGES`."""

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(MESSAGES[key].format(**params))


class AnswerError(RespondError):
    """An answer that does not fit its post-sort question; ``key``/``params`` say why (the
    pages show the message for the key in the study's language, under the question)."""


class UnavailableError(StateError):
    """The study, invitation or response cannot be used (draft, closed, used, unknown, or the
    page is stale); ``study`` is the study's row when one is known."""

    def __init__(self, key: str, *, study: Any = None, **params: Any):
        self.key = key
        self.params = params
        self.study = study
        self.problems = [MESSAGES[key].format(**params)]
        super().__init__(self.problems[0])


class RateLimited(StateError):
    """A respondent posted faster than the rate limit allows; ``retry_after`` in seconds."""

    key = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__("too many steps in a short time: wait a few seconds and try again")


class ConvergenceWarning(UserWarning):
    """An iterative algorithm stopped at its iteration cap without converging."""


class FigureWarning(UserWarning):
    """A figure had to cut text to fit, or no installed font covers its statements' script."""
