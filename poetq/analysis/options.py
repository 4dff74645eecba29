"""``AnalysisOptions``: every choice of a Q analysis in one serialisable record.

The CLI's shared analysis options, the browser's analysis form and saved analyses are all
built from this one record, so an option added here as a field (with its metadata) reaches
the three of them: the CLI makes a ``--name`` option from the field's metadata, the browser
reads the same name from the address, and a saved analysis stores ``to_json()``.

A field's metadata (see :func:`option`) says how it is spelt on the command line and in an
address, its help text, and how one value is read from and written to text. Fields whose
value cannot be typed as one word (manual flags come from a file on the command line and
from ticks in the browser) set ``cli=None`` and are handled by each front end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

from poetq.errors import ValidationError

EXTRACTIONS = ("pca", "centroid")
ROTATIONS = ("varimax", "none", "quartimax", "equamax", "promax", "oblimin")
CORRELATIONS = ("pearson", "spearman", "kendall")

#: Bounds an entry point checks before any work: factors, by-hand rotations.
MAX_FACTORS = 99
MAX_ROTATIONS = 200

#: Version of the JSON layout; a saved analysis from a newer layout is refused, not misread.
FORMAT = 1


def option(*, help: str, cli: str | None = "", choices: tuple[str, ...] | None = None,
           parse: Callable[[str], Any] | None = None, show: Callable[[Any], str] | None = None,
           repeat: bool = False, flag: bool = False, query: str | None = None,
           metavar: str | None = None, label: str | None = None) -> dict[str, Any]:
    """Metadata of an :class:`AnalysisOptions` field.

    ``cli``: the command-line option (``""`` makes ``--field-name``, ``None`` none);
    ``parse``/``show``: one value from/to text (defaults: ``int``/``float``/``str`` by the
    field's default); ``repeat``: the option may be given several times and the field holds
    the tuple in order; ``flag``: an on/off switch; ``query``: the address parameter
    (default the field's name); ``label``: the browser's label.
    """
    return {"help": help, "cli": cli, "choices": choices, "parse": parse, "show": show,
            "repeat": repeat, "flag": flag, "query": query, "metavar": metavar, "label": label}


def parse_rotation(text: str) -> tuple[int, int, float]:
    """``"A,B,DEGREES"`` -> ``(a, b, degrees)``: factors ``a`` and ``b`` (1-based) turned by
    ``degrees`` counter-clockwise in the plane of factor a (x) and factor b (y)."""
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
    a, b, degrees = rotation
    return f"{a},{b},{degrees:g}"


#: Most values a free distribution may list (one per statement).
MAX_DISTRIBUTION = 10_000
FLAG_LEVELS = ("0.05", "0.01", "0.001")


def parse_distribution(text: str) -> tuple[float, ...]:
    """``"-2,-1,-1,0,0,0,1,1,2"`` -> the nominal grid of free sorts, one value per statement."""
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
    return ",".join(f"{v:g}" for v in values)


def parse_factor(text: str) -> int:
    """A factor number (1-based) of --invert or --split."""
    try:
        value = int(str(text).strip().lstrip("fF"))
    except ValueError:
        raise ValidationError(f"factor {text!r} is not a factor number (e.g. 2)") from None
    return value


@dataclass(frozen=True)
class AnalysisOptions:
    """Every option of one analysis: ``poetq analyse``'s options as values.

    ``flags`` are manual flags as ``(sort id, factor)`` pairs (factor 1-based; a sort not
    named defines no factor), ``None`` for the automatic flags. ``rotations`` are by-hand
    (judgmental) rotations ``(a, b, degrees)`` applied in order after ``rotation``.
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
        """A JSON-ready dict (flags as ``{sort: factor}``, rotations as ``[a, b, degrees]``)."""
        d = asdict(self)
        d["rotations"] = [[a, b, float(deg)] for a, b, deg in self.rotations]
        d["flags"] = None if self.flags is None else {s: f for s, f in self.flags}
        return {"format": FORMAT, **d}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnalysisOptions:
        """The options of :meth:`to_dict`, checked; fields missing take their defaults."""
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
        try:
            data = json.loads(text)
        except ValueError:
            raise ValidationError("analysis options are not JSON") from None
        return cls.from_dict(data)

    # -- checking --------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """What is wrong with these options, one readable line each (empty when fine)."""
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
        """These options, or a :class:`ValidationError` listing every problem."""
        p = self.problems()
        if p:
            raise ValidationError(p if len(p) > 1 else p[0])
        return self

    # -- use ---------------------------------------------------------------------------------

    def analyse_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`poetq.analysis.analyse` (after the sorts and ``factors``)."""
        return {"extraction": self.extraction, "rotation": self.rotation, "cor": self.cor,
                "flag_p": float(self.flag_p), "majority": not self.no_majority}

    def flag_map(self) -> dict[str, int] | None:
        return None if self.flags is None else dict(self.flags)

    def replace(self, **changes: Any) -> AnalysisOptions:
        return replace(self, **changes)

    def describe(self) -> str:
        """The method line.

        For example ``"4 factors, PCA, varimax, pearson; by hand 1,2,+15°; manual flags"``.
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
    """The :class:`AnalysisOptions` fields in order (``dataclasses.Field``)."""
    return list(fields(AnalysisOptions))


def default_of(f: Any) -> Any:
    return None if f.default is MISSING else f.default


__all__ = [
    "CORRELATIONS",
    "EXTRACTIONS",
    "FLAG_LEVELS",
    "parse_distribution",
    "parse_factor",
    "MAX_FACTORS",
    "ROTATIONS",
    "AnalysisOptions",
    "default_of",
    "option",
    "option_fields",
    "parse_rotation",
    "show_rotation",
]
