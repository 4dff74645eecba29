"""Q-set files: read, check and write the TOML files kept in ``statements/``.

A Q-set file is a human-edited TOML document (schema in ``statements/README.md``) that becomes
a :class:`poetq.domain.QSet`. Checking never stops at the first mistake: every problem is
collected as a :class:`Problem` with the line it is on (found, best effort, by locating the key
or statement id in the source text), so a researcher can fix a file in one pass.

The files ship with poetq: from a checkout they are read from the top-level ``statements/``
directory; an installed poetq reads the copy packaged as ``poetq/_statements/``.

Modules: :mod:`~poetq.qsets.problems` (a problem and its line), :mod:`~poetq.qsets.check`
(the checks), :mod:`~poetq.qsets.files` (files on disk, the shipped Q-sets) and
:mod:`~poetq.qsets.write` (a Q-set as file text). Import the names from here.
"""

from poetq.qsets.check import (
    COMMON_PLACEHOLDERS,
    GRID_KEYS,
    MAX_QSET_CHARS,
    QUESTION_KEYS,
    STAGE_PLACEHOLDERS,
    STATEMENT_KEYS,
    TOP_KEYS,
)
from poetq.qsets.files import (
    VIEWPOINTS_SUFFIX,
    check_qset_file,
    list_shipped_qsets,
    load_qset,
    parse_qset,
    shipped_qsets_dir,
    shipped_viewpoints,
    slug_from_name,
)
from poetq.qsets.problems import Problem
from poetq.qsets.write import dump_qset, toml_string

__all__ = [
    "COMMON_PLACEHOLDERS",
    "GRID_KEYS",
    "MAX_QSET_CHARS",
    "QUESTION_KEYS",
    "STAGE_PLACEHOLDERS",
    "STATEMENT_KEYS",
    "TOP_KEYS",
    "VIEWPOINTS_SUFFIX",
    "Problem",
    "check_qset_file",
    "dump_qset",
    "list_shipped_qsets",
    "load_qset",
    "parse_qset",
    "shipped_qsets_dir",
    "shipped_viewpoints",
    "slug_from_name",
    "toml_string",
]
