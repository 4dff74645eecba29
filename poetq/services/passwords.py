"""The password rule for researcher accounts: long enough, not a common password.

ASVS 2.1: at least 12 characters, no upper limit that matters (1,024 keeps hashing bounded),
no composition rules, and a check against a list of breached or common passwords. The list
(``data/common-passwords.txt``, 10,000 entries from the zxcvbn project) is compared in lower
case, also with trailing digits and punctuation dropped, so ``password12`` and
``Dragon2024!`` are refused as well as ``password``.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from poetq.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
#: A password of fewer different characters than this is a pattern, not a secret.
MIN_DISTINCT = 5

_TAIL_RE = re.compile(r"[\d\W_]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    text = (
        resources.files("poetq.services").joinpath("data/common-passwords.txt").read_text("utf-8")
    )
    return frozenset(w for w in text.splitlines() if w and not w.startswith("#"))


def check_password(password: str, *, email: str = "") -> None:
    """Raise :class:`ValidationError` (one line saying what to do) unless ``password`` is good."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"the password must have at least {MIN_LENGTH} characters "
                              "(a few unrelated words make a good one)")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"the password must have at most {MAX_LENGTH} characters")
    lowered = password.lower()
    bare = _TAIL_RE.sub("", lowered)
    common = common_passwords()
    if lowered in common or bare in common or len(set(lowered)) < MIN_DISTINCT:
        raise ValidationError("that password is too common or too easy to guess: choose another")
    if lowered == email.lower():
        raise ValidationError("the password must not be the e-mail address: choose another")
