"""``AnalysisOptions``: every choice of a Q analysis in one serialisable record.

The CLI's shared analysis options, the browser's analysis form and saved analyses are all
built from this one record, so an option added here as a field (with its metadata) reaches
the three of them: the CLI makes a ``--name`` option from the field's metadata, the browser
reads the same name from the address, and a saved analysis stores ``to_json()``.

A field's metadata (see :func:`~poetq.analysis.option_text.option`) says how it is spelt on
the command line and in an address, its help text, and how one value is read from and
written to text. Fields whose
value cannot be typed as one word (manual flags come from a file on the command line and
from ticks in the browser) set ``cli=None`` and are handled by each front end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

from poetq.analysis.option_text import (
    MAX_DISTRIBUTION,
    option,
    parse_distribution,
    parse_factor,
    parse_rotation,
    show_distribution,
    show_rotation,
)
from poetq.errors import ValidationError

EXTRACTIONS = ("pca", "centroid")
ROTATIONS = ("varimax", "none", "quartimax", "equamax", "promax", "oblimin")
CORRELATIONS = ("pearson", "spearman", "kendall")

#: Bounds an entry point checks before any work: factors, by-hand rotations.
MAX_FACTORS = 99
MAX_ROTATIONS = 200

#: Version of the JSON layout; a saved analysis from a newer layout is refused, not misread.
FORMAT = 1


FLAG_LEVELS = ("0.05", "0.01", "0.001")


@dataclass(frozen=True)
class AnalysisOptions:
    """Every option of one analysis: ``poetq analyse``'s options as values.

    Attributes
    ----------
    factors : int
        Number of factors to extract.
    extraction : {"pca", "centroid"}
        Extraction method.
    rotation : str
        One of :data:`ROTATIONS`.
    cor : {"pearson", "spearman", "kendall"}
        Correlation between sorts.
    rotations : tuple of (int, int, float)
        By-hand (judgmental) rotations ``(a, b, degrees)``, applied in order after
        ``rotation``.
    flags : tuple of (str, int) or None
        Manual flags as ``(sort id, factor)`` pairs (factor 1-based; a sort not named defines
        no factor); None for the automatic flags.
    distribution : tuple of float or None
        The nominal grid of free sorts, one value per statement.
    flag_p : {"0.05", "0.01", "0.001"}
        Significance of the automatic flags.
    no_majority : bool
        Drop the rule :math:`a^2 > h^2 - a^2` from the automatic flags.
    invert : tuple of int
        Factors to mirror (1-based).
    split : tuple of int
        Bipolar factors to split (1-based).
    """

    factors: int = field(
        metadata=option(
            cli="--factors",
            metavar="K",
            help="Number of factors to extract.",
            label="Number of factors",
        )
    )
    extraction: str = field(default="pca", metadata=option(
        choices=EXTRACTIONS, label="Extraction",
        help="PCA (as psych::principal) or Brown's centroid method."))
    rotation: str = field(default="varimax", metadata=option(
        choices=ROTATIONS, label="Rotation",
        help="Varimax (standard in Q); quartimax, equamax, promax, oblimin exactly as "
             "qmethod/psych::principal (oblique ones show factor correlations)."))
    cor: str = field(default="pearson", metadata=option(
        choices=CORRELATIONS, label="Correlation", help="Correlation between sorts."))
    rotations: tuple[tuple[int, int, float], ...] = field(default=(), metadata=option(
        cli="--rotate", query="rot", repeat=True, parse=parse_rotation, show=show_rotation,
        metavar="A,B,DEGREES", label="By-hand rotations",
        help="By-hand (judgmental) rotation of factors A and B by DEGREES counter-clockwise "
             "(points in the plane of A on x and B on y turn); repeatable, applied in order "
             "after --rotation, as the browser's judgmental rotation."))
    flags: tuple[tuple[str, int], ...] | None = field(default=None, metadata=option(
        cli=None, label="Manual flags",
        help="Manual flags: (sort, factor) pairs; None for the automatic flags."))
    distribution: tuple[float, ...] | None = field(default=None, metadata=option(
        parse=parse_distribution, show=show_distribution, metavar="V1,V2,...",
        label="Free distribution",
        help="Free (unforced) sorts: the nominal grid, one value per statement (e.g. "
             "-2,-1,-1,0,0,0,1,1,2), as qmethod's forced = FALSE, distribution = ...; the "
             "factor arrays follow it. A study's Q-set grid is used when not given."))
    flag_p: str = field(default="0.05", metadata=option(
        choices=FLAG_LEVELS, label="Flag at p <",
        help="Automatic flags need |loading| > z/sqrt(statements) with z = 1.96 (p < .05, "
             "qmethod), 2.58 (p < .01) or 3.29 (p < .001)."))
    no_majority: bool = field(default=False, metadata=option(
        flag=True, label="No majority rule",
        help="Flag automatically on significance alone: drop qmethod's a² > h² − a² rule (a "
             "sort significant on several factors is flagged on its largest loading)."))
    invert: tuple[int, ...] = field(default=(), metadata=option(
        repeat=True, parse=parse_factor, metavar="F", label="Inverted factors",
        help="Mirror factor F: loadings, z-scores and array change sign (repeatable)."))
    split: tuple[int, ...] = field(default=(), metadata=option(
        repeat=True, parse=parse_factor, metavar="F", label="Split bipolar factors",
        help="Split bipolar factor F into two viewpoints: its positively flagged sorts keep F, "
             "its negatively flagged ones define a new last factor, each pole with its own "
             "array (repeatable)."))

    # -- reading and writing -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the options, with its layout's ``format``.

        Returns
        -------
        dict
            Flags as ``{sort: factor}``, rotations as ``[a, b, degrees]``.
        """
        d = asdict(self)
        d["rotations"] = [[a, b, float(deg)] for a, b, deg in self.rotations]
        d["flags"] = None if self.flags is None else {s: f for s, f in self.flags}
        return {"format": FORMAT, **d}

    def to_json(self) -> str:
        """The options as compact JSON with sorted keys (equal options give equal text).

        Returns
        -------
        str
            :meth:`to_dict` as JSON.
        """
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnalysisOptions:
        """The options of :meth:`to_dict`, checked; fields missing take their defaults.

        Parameters
        ----------
        data : mapping
            As :meth:`to_dict` wrote it (rotations may also be ``"A,B,DEGREES"`` strings).

        Returns
        -------
        AnalysisOptions
            Checked (:meth:`checked`).

        Raises
        ------
        ValidationError
            If the data are no object, from a newer layout, name an unknown option, lack the
            number of factors, hold unreadable values, or fail :meth:`checked`.
        """
        if not isinstance(data, Mapping):
            raise ValidationError("analysis options must be a JSON object")
        data = dict(data)
        fmt = data.pop("format", FORMAT)
        if fmt != FORMAT:
            raise ValidationError(
                f"these analysis options were written by a newer poetq (format {fmt})"
            )
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValidationError(
                f"unknown analysis option {unknown[0]!r}: upgrade poetq to read it"
            )
        if "factors" not in data:
            raise ValidationError("give the number of factors")
        try:
            if "rotations" in data:
                data["rotations"] = tuple(
                    parse_rotation(r) if isinstance(r, str) else (int(r[0]), int(r[1]), float(r[2]))
                    for r in data["rotations"])
            for name in ("invert", "split"):
                if name in data:
                    data[name] = tuple(int(v) for v in data[name])
            if data.get("distribution") is not None:
                data["distribution"] = tuple(float(v) for v in data["distribution"])
            if data.get("flags") is not None:
                flags = data["flags"]
                items = flags.items() if isinstance(flags, Mapping) else flags
                data["flags"] = tuple((str(s), int(f)) for s, f in items)
        except ValidationError:
            raise
        except (TypeError, ValueError, IndexError, AttributeError):
            raise ValidationError("analysis options: rotations, flags, inverted or split factors "
                                  "or the distribution are not readable") from None
        return cls(**data).checked()

    @classmethod
    def from_json(cls, text: str) -> AnalysisOptions:
        """The options of :meth:`to_json`, checked.

        Parameters
        ----------
        text : str
            JSON text.

        Returns
        -------
        AnalysisOptions
            As :meth:`from_dict` reads it.

        Raises
        ------
        ValidationError
            If the text is not JSON, or as :meth:`from_dict`.
        """
        try:
            data = json.loads(text)
        except ValueError:
            raise ValidationError("analysis options are not JSON") from None
        return cls.from_dict(data)

    # -- checking --------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """What is wrong with these options, one readable line each.

        Returns
        -------
        list of str
            Empty when the options are fine.
        """
        p: list[str] = []
        k: int | None = self.factors
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_FACTORS:
            p.append(f"number of factors: give a whole number from 1 to {MAX_FACTORS}")
            k = None
        for f in fields(self):
            choices = f.metadata.get("choices")
            if choices and getattr(self, f.name) not in choices:
                p.append(f"{f.name}: choose one of {', '.join(choices)}")
        if len(self.rotations) > MAX_ROTATIONS:
            p.append(f"at most {MAX_ROTATIONS} by-hand rotations")
        for a, b, degrees in self.rotations:
            if not (math.isfinite(degrees) and -360 <= degrees <= 360):
                p.append("a by-hand rotation's angle must be between -360 and 360 degrees")
            elif a == b or (k is not None and not (1 <= a <= k and 1 <= b <= k)):
                p.append(f"by-hand rotation {show_rotation((a, b, degrees))}: choose two different "
                         f"factors between 1 and {k or 'the number of factors'}")
        for name in ("invert", "split"):
            chosen = getattr(self, name)
            if len(set(chosen)) != len(chosen):
                p.append(f"{name}: name each factor once")
            for factor in chosen:
                if k is not None and not 1 <= factor <= k:
                    p.append(f"{name}: there is no factor {factor}, choose 1 to {k}")
        if self.distribution is not None and (
                len(self.distribution) > MAX_DISTRIBUTION
                or not all(math.isfinite(v) for v in self.distribution)):
            p.append(f"a distribution needs at most {MAX_DISTRIBUTION} finite numbers")
        if self.flags is not None:
            seen: set[str] = set()
            for sort_id, factor in self.flags:
                if sort_id in seen:
                    p.append(f"sort {sort_id!r} is flagged on more than one factor: keep one")
                seen.add(sort_id)
                if k is not None and not 1 <= factor <= k:
                    p.append(f"there is no factor {factor} to flag sort {sort_id!r} on")
        return p

    def checked(self) -> AnalysisOptions:
        """These options, or an error listing every problem.

        Returns
        -------
        AnalysisOptions
            ``self``.

        Raises
        ------
        ValidationError
            With every line of :meth:`problems`.
        """
        p = self.problems()
        if p:
            raise ValidationError(p if len(p) > 1 else p[0])
        return self

    # -- use ---------------------------------------------------------------------------------

    def analyse_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`poetq.analysis.analyse` (after the sorts and ``factors``).

        Returns
        -------
        dict
            ``extraction``, ``rotation``, ``cor``, ``flag_p`` (float) and ``majority``.
        """
        return {"extraction": self.extraction, "rotation": self.rotation, "cor": self.cor,
                "flag_p": float(self.flag_p), "majority": not self.no_majority}

    def flag_map(self) -> dict[str, int] | None:
        """The manual flags as ``{sort id: factor}``.

        Returns
        -------
        dict of str to int or None
            None for the automatic flags.
        """
        return None if self.flags is None else dict(self.flags)

    def replace(self, **changes: Any) -> AnalysisOptions:
        """These options with some fields changed (not checked).

        Parameters
        ----------
        **changes
            Field names and their new values.

        Returns
        -------
        AnalysisOptions
            A new record.
        """
        return replace(self, **changes)

    def describe(self) -> str:
        """The method line of a report or page.

        Returns
        -------
        str
            E.g. ``"4 factors, PCA, varimax, pearson correlation; then by hand: f1/f2 +15°;
            automatic flags: p < .05 and a² > h² − a²"``.
        """
        parts = [f"{self.factors} factor{'s' if self.factors != 1 else ''}",
                 "PCA" if self.extraction == "pca" else "centroid", self.rotation,
                 f"{self.cor} correlation"]
        line = ", ".join(parts)
        if self.rotations:
            line += "; then by hand: " + ", ".join(
                f"f{a}/f{b} {deg:+g}°" for a, b, deg in self.rotations)
        if self.flags is not None:
            line += f"; manual flags ({len(self.flags)} sorts)"
        else:
            rules = [f"p < {self.flag_p.lstrip('0')}"] + (
                [] if self.no_majority else ["a² > h² − a²"]
            )
            line += "; automatic flags: " + " and ".join(rules)
        if self.invert:
            line += "; inverted " + ", ".join(f"f{f}" for f in self.invert)
        if self.split:
            line += "; bipolar split of " + ", ".join(f"f{f}" for f in self.split)
        if self.distribution is not None:
            line += "; free distribution"
        return line


def option_fields() -> list[Any]:
    """The :class:`AnalysisOptions` fields in order.

    Returns
    -------
    list of dataclasses.Field
        With their metadata (see :func:`option`).
    """
    return list(fields(AnalysisOptions))


def default_of(f: Any) -> Any:
    """The default value of an :class:`AnalysisOptions` field.

    Parameters
    ----------
    f : dataclasses.Field
        A field of :func:`option_fields`.

    Returns
    -------
    object
        Its default, None for a required field.
    """
    return None if f.default is MISSING else f.default


__all__ = ["CORRELATIONS", "EXTRACTIONS", "FLAG_LEVELS", "MAX_FACTORS", "MAX_ROTATIONS",
           "ROTATIONS", "AnalysisOptions", "default_of", "option_fields"]
