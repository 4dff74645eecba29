"""How an analysis option is spelt: a field's metadata, and values read from and written to text.

:class:`~poetq.analysis.options.AnalysisOptions` declares each field with :func:`option`; the
command line and the browser's addresses read a value with the ``parse_*`` functions and
write it back with the ``show_*`` ones, so the two spell every value the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from poetq.errors import ValidationError

#: Most values a free distribution may list (one per statement).
MAX_DISTRIBUTION = 10_000


def option(*, help: str, cli: str | None = "", choices: tuple[str, ...] | None = None,
           parse: Callable[[str], Any] | None = None, show: Callable[[Any], str] | None = None,
           repeat: bool = False, flag: bool = False, query: str | None = None,
           metavar: str | None = None, label: str | None = None) -> dict[str, Any]:
    """Metadata of an :class:`AnalysisOptions` field.

    Parameters
    ----------
    help : str
        Help text (command line and browser).
    cli : str or None, default ""
        The command-line option: ``""`` makes ``--field-name``, None none.
    choices : tuple of str, optional
        The allowed values.
    parse, show : callable, optional
        One value from and to text (defaults: ``int``/``float``/``str`` by the field's default).
    repeat : bool, default False
        The option may be given several times; the field holds the tuple in order.
    flag : bool, default False
        An on/off switch.
    query : str, optional
        The address parameter (default the field's name).
    metavar : str, optional
        The value's name in help.
    label : str, optional
        The browser's label.

    Returns
    -------
    dict
        For ``dataclasses.field(metadata=...)``.
    """
    return {"help": help, "cli": cli, "choices": choices, "parse": parse, "show": show,
            "repeat": repeat, "flag": flag, "query": query, "metavar": metavar, "label": label}


def parse_rotation(text: str) -> tuple[int, int, float]:
    """Read a by-hand rotation ``"A,B,DEGREES"``.

    Parameters
    ----------
    text : str
        E.g. ``"1,2,15"``.

    Returns
    -------
    tuple of (int, int, float)
        Factors ``a`` and ``b`` (1-based) turned by ``degrees`` counter-clockwise in the plane
        of factor a (x) and factor b (y).

    Raises
    ------
    ValidationError
        If the text is not two whole numbers and a number.
    """
    parts = [p.strip() for p in str(text).split(",")]
    try:
        if len(parts) != 3:
            raise ValueError
        a, b, degrees = int(parts[0]), int(parts[1]), float(parts[2])
    except ValueError:
        raise ValidationError(
            f"rotation {text!r} is not FACTOR,FACTOR,DEGREES (e.g. 1,2,15)"
        ) from None
    return a, b, degrees


def show_rotation(rotation: tuple[int, int, float]) -> str:
    """Write a by-hand rotation as :func:`parse_rotation` reads it.

    Parameters
    ----------
    rotation : tuple of (int, int, float)
        ``(a, b, degrees)``.

    Returns
    -------
    str
        ``"A,B,DEGREES"``.
    """
    a, b, degrees = rotation
    return f"{a},{b},{degrees:g}"




def parse_distribution(text: str) -> tuple[float, ...]:
    """Read the nominal grid of free sorts, one value per statement.

    Parameters
    ----------
    text : str
        Numbers separated by commas (or semicolons), e.g. ``"-2,-1,-1,0,0,0,1,1,2"``.

    Returns
    -------
    tuple of float
        The values in the order given.

    Raises
    ------
    ValidationError
        If a value is not a number, or there are not 2 to :data:`MAX_DISTRIBUTION` finite ones.
    """
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    try:
        values = tuple(float(p) for p in parts[:MAX_DISTRIBUTION + 1])
    except ValueError:
        raise ValidationError(f"distribution {text[:40]!r}: give numbers separated by commas, "
                              "one per statement (e.g. -2,-1,-1,0,0,0,1,1,2)") from None
    if len(values) < 2 or len(values) > MAX_DISTRIBUTION or not all(map(math.isfinite, values)):
        raise ValidationError(
            f"a distribution needs 2 to {MAX_DISTRIBUTION} finite numbers, one per statement"
        )
    return values


def show_distribution(values: tuple[float, ...]) -> str:
    """Write a distribution as :func:`parse_distribution` reads it.

    Parameters
    ----------
    values : tuple of float
        The grid values.

    Returns
    -------
    str
        Comma-separated.
    """
    return ",".join(f"{v:g}" for v in values)


def parse_factor(text: str) -> int:
    """Read a factor number (1-based) of --invert or --split.

    Parameters
    ----------
    text : str
        ``"2"`` or ``"f2"``.

    Returns
    -------
    int
        The number (checked against the number of factors later).

    Raises
    ------
    ValidationError
        If it is not a whole number.
    """
    try:
        value = int(str(text).strip().lstrip("fF"))
    except ValueError:
        raise ValidationError(f"factor {text!r} is not a factor number (e.g. 2)") from None
    return value
