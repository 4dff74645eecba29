"""Q-set files on disk: reading and checking one, and the Q-sets that ship with poetq."""

from __future__ import annotations

import re
from pathlib import Path

from poetq.domain import QSet
from poetq.errors import NotFoundError, ValidationError
from poetq.qsets.check import MAX_QSET_CHARS, check_text
from poetq.qsets.problems import Problem


def parse_qset(text: str, *, source: str = "<string>", default_slug: str | None = None) -> QSet:
    """Build a :class:`~poetq.domain.QSet` from the text of a Q-set file.

    Parameters
    ----------
    text : str
        The TOML source.
    source : str, default "<string>"
        Name used in messages (``"statements/x.toml:12: ..."``).
    default_slug : str or None, default None
        Slug used when the file has no ``slug`` key.

    Raises
    ------
    ValidationError
        Listing every problem, each as ``"source:line: where: message"``.
    """
    qset, problems = check_text(text, source, default_slug)
    if qset is None:
        raise ValidationError([str(p) for p in problems])
    return qset


def slug_from_name(name: str) -> str:
    """A slug from a file stem: ``"Joint Commissioning v2"`` -> ``"joint-commissioning-v2"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")


def _read(path: Path) -> tuple[str | None, list[Problem]]:
    """The text of a file, or the problem that stops it being read as UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_QSET_CHARS * 4:  # never read a huge file whole: UTF-8 is <= 4 bytes/char
            return None, [Problem(None, "", f"the file is {size:,} bytes: is it a Q-set file?",
                                  str(path))]
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"no such Q-set file: {path}") from None
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(line, "", "the file is not UTF-8 text: save it as UTF-8", str(path))]


def check_qset_file(path: str | Path) -> list[Problem]:
    """Every problem in a Q-set file (an empty list when it is fine).

    Raises :class:`~poetq.errors.NotFoundError` if the file does not exist.
    """
    path = Path(path)
    text, problems = _read(path)
    if text is None:
        return problems
    return check_text(text, str(path), slug_from_name(path.stem))[1]


def load_qset(path: str | Path) -> QSet:
    """Read a Q-set file; its slug defaults to the file name without ``.toml``.

    Raises
    ------
    NotFoundError
        If the file does not exist.
    ValidationError
        Listing every problem in the file, each as ``"path:line: where: message"``.
    """
    path = Path(path)
    text, problems = _read(path)
    if text is None:
        raise ValidationError([str(p) for p in problems])
    return parse_qset(text, source=str(path), default_slug=slug_from_name(path.stem))


def shipped_qsets_dir() -> Path:
    """The directory of the Q-sets that ship with poetq.

    ``statements/`` of the checkout when poetq runs from one (or from an editable install),
    else the copy installed with the package (``poetq/_statements``).
    """
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "statements"
    if checkout.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout
    return package / "_statements"


#: Files beside the Q-sets that are not Q-sets (planted viewpoints for ``poetq simulate``).
VIEWPOINTS_SUFFIX = ".viewpoints.toml"


def list_shipped_qsets() -> list[Path]:
    """The shipped Q-set files, sorted by name (not their ``*.viewpoints.toml`` files)."""
    return sorted(
        p for p in shipped_qsets_dir().glob("*.toml") if not p.name.endswith(VIEWPOINTS_SUFFIX)
    )


def shipped_viewpoints(slug: str) -> Path | None:
    """The shipped planted-viewpoints file of a Q-set, if there is one."""
    path = shipped_qsets_dir() / f"{slug}{VIEWPOINTS_SUFFIX}"
    return path if path.is_file() else None
