"""Exceptions and warnings raised by poetq.

Every error a person can cause is a :class:`PoetqError`; its message is one line that says
what is wrong and, where possible, how to fix it. The CLI and the web app turn these into
one-line messages; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable


class PoetqError(Exception):
    """Base class for errors a user can act on."""


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


class ConvergenceWarning(UserWarning):
    """An iterative algorithm stopped at its iteration cap without converging."""


class FigureWarning(UserWarning):
    """A figure had to cut text to fit, or no installed font covers its statements' script."""
