"""The Q-method domain: statements, Q-sets, forced grids, Q-sorts and post-sort questions.

Pure values and validation, no I/O. Every check collects *all* the problems it finds and
raises one :class:`~poetq.errors.ValidationError` whose messages a researcher or a respondent
can act on ("column +3 holds 4 statements, the grid allows 3").

Modules: :mod:`~poetq.domain.limits` (bounds and id spellings), :mod:`~poetq.domain.qset`
(statements, grid, Q-set), :mod:`~poetq.domain.questions` (post-sort questions) and
:mod:`~poetq.domain.sorts` (a sort, a table of sorts). Import the names from here.
"""

from poetq.domain.limits import (
    MAX_ANSWER,
    MAX_GRID_VALUE,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MAX_STATEMENT_TEXT,
    MAX_STATEMENTS,
    MAX_TEXT,
    format_value,
    is_statement_id,
)
from poetq.domain.qset import (
    STAGES,
    Grid,
    QSet,
    Statement,
    fill_placeholders,
    qset_from_dict,
    qset_to_dict,
)
from poetq.domain.questions import QUESTION_KINDS, Question
from poetq.domain.sorts import QSort, SortsTable, validate_sort

__all__ = [
    "MAX_ANSWER",
    "MAX_GRID_VALUE",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "MAX_STATEMENTS",
    "MAX_STATEMENT_TEXT",
    "MAX_TEXT",
    "QUESTION_KINDS",
    "STAGES",
    "Grid",
    "QSet",
    "QSort",
    "Question",
    "SortsTable",
    "Statement",
    "fill_placeholders",
    "format_value",
    "is_statement_id",
    "qset_from_dict",
    "qset_to_dict",
    "validate_sort",
]
