"""How figures look in print: size, type sizes, fonts for the Q-set's script, cut-text warnings.

A :class:`Style` travels with every figure function. Text never goes under :data:`MIN_PT`
points: a narrow figure grows taller, wraps or switches layout instead of shrinking its type.
Fonts come from the installed ones (fontconfig): when the statements use a script DejaVu Sans
lacks (Japanese, Chinese, Korean, Arabic, ...), :func:`fonts_for` finds a font that covers
it and matplotlib falls back to it glyph by glyph.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import shutil
import subprocess
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from matplotlib import font_manager, rc_context

from poetq.errors import FigureWarning, ValidationError

#: The smallest type any figure uses, in points (journals ask for 6-8 pt at print size).
MIN_PT = 7.0
BASE_FONT = "DejaVu Sans"
_UNITS = {"cm": 1 / 2.54, "mm": 1 / 25.4, "in": 1.0, "pt": 1 / 72}


def parse_width(text: str) -> float:
    """``"8.5cm"``, ``"85 mm"``, ``"3.5in"`` -> inches (2 cm to 60 cm).

    Raises
    ------
    ValidationError
        For a number without a unit, another unit or a width outside 2-60 cm.
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(cm|mm|in|pt)\s*", str(text).lower())
    if not m:
        raise ValidationError(
            f"--width wants a number and a unit, e.g. 8.5cm, 85mm or 3.5in (got {text!r})"
        )
    inches = float(m.group(1)) * _UNITS[m.group(2)]
    if not 2 / 2.54 <= inches <= 60 / 2.54:
        raise ValidationError(f"--width {text} is outside 2 cm to 60 cm")
    return inches


def parse_factor_names(text: str | None) -> tuple[str, ...]:
    """``"Ideal world, Efficient"`` -> ``("Ideal world", "Efficient")``; empty names refused."""
    if not text:
        return ()
    names = tuple(n.strip() for n in text.split(","))
    if any(not n for n in names):
        raise ValidationError("--factor-names wants names separated by commas, none empty")
    return names


@dataclass(frozen=True)
class Style:
    """Print settings shared by every figure.

    Parameters
    ----------
    width : float, optional
        Figure width in inches (see :func:`parse_width`); None: each figure's natural width.
    font_size : float, default 8
        Body type size in points; titles are 2 pt larger, nothing is under :data:`MIN_PT`.
    title : bool, default True
        Draw the figure's title (journals usually set titles in the caption instead).
    factor_names : tuple of str, default ()
        Names for factors 1, 2, ... (default "f1", "f2", ...).
    fonts : tuple of str, default ("DejaVu Sans",)
        Font families, first choice first; later ones supply glyphs the first lacks.
    max_height : float, default 9.0
        Tallest figure in inches (a journal page less its caption); taller content is split
        into pages by the caller.
    """

    width: float | None = None
    font_size: float = 8.0
    title: bool = True
    factor_names: tuple[str, ...] = ()
    fonts: tuple[str, ...] = (BASE_FONT,)
    max_height: float = 9.0
    cut: list[str] = field(default_factory=list, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if not MIN_PT <= self.font_size <= 30:
            raise ValidationError(
                f"--font-size must be {MIN_PT:g} to 30 points (got {self.font_size:g})"
            )

    @property
    def small(self) -> float:
        """Type size of labels, legends and cell text: one point under the body, never under 7."""
        return max(MIN_PT, self.font_size - 1)

    @property
    def big(self) -> float:
        return self.font_size + 2

    def factor_name(self, f: int) -> str:
        """Name of 0-based factor ``f``."""
        return self.factor_names[f] if f < len(self.factor_names) else f"f{f + 1}"

    def width_or(self, natural: float) -> float:
        return self.width if self.width is not None else natural

    def note_cut(self, what: str) -> None:
        """Remember that text was cut; :func:`drawing` warns once, in one line."""
        self.cut.append(what)


@contextlib.contextmanager
def fonts(style: Style) -> Iterator[None]:
    """Draw and save inside this: the style's fonts, embeddable TrueType fonts in PDF/EPS
    (Type 42, never Type 3), live SVG text, no per-glyph font messages."""
    with rc_context({"font.family": list(style.fonts), "pdf.fonttype": 42, "ps.fonttype": 42,
                     "svg.fonttype": "none", "font.size": style.font_size}), quiet_fonts():
        yield


@contextlib.contextmanager
def warn_cuts(style: Style) -> Iterator[None]:
    """One :class:`FigureWarning`, in one line, if text was cut while inside."""
    before = len(style.cut)
    yield
    cut = style.cut[before:]
    if cut:
        warnings.warn(FigureWarning(
            f"text was cut to fit in {len(cut)} place{'s' if len(cut) > 1 else ''} "
            f"({cut[0]}{', …' if len(cut) > 1 else ''}): use --text-layout key for whole texts, "
            "or a larger --width"), stacklevel=3)


@contextlib.contextmanager
def drawing(style: Style) -> Iterator[None]:
    """:func:`fonts` and :func:`warn_cuts` together."""
    with warn_cuts(style), fonts(style):
        yield


class _NoFontNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not ("Failed to find font weight" in msg or msg.startswith("findfont:"))


@contextlib.contextmanager
def quiet_fonts() -> Iterator[None]:
    """Silence matplotlib's per-glyph and per-weight font messages (poetq warns once itself)."""
    log = logging.getLogger("matplotlib.font_manager")
    noise = _NoFontNoise()
    log.addFilter(noise)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from (current )?font")
            warnings.filterwarnings(
                "ignore", message=r"Matplotlib currently does not support .* natively"
            )
            yield
    finally:
        log.removeFilter(noise)


# --------------------------------------------------------------------------------------
# fonts for the Q-set's script


@functools.lru_cache(maxsize=1)
def _base_charmap() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(
        font_manager.FontProperties(family=BASE_FONT), fallback_to_default=True
    )
    return frozenset(FT2Font(path).get_charmap())


def _package_for(ch: str) -> str:
    """The Debian package that has a font for ``ch``'s script."""
    cp = ord(ch)
    if (
        0x1100 <= cp <= 0x11FF
        or 0x2E80 <= cp <= 0x9FFF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    ):
        return "fonts-noto-cjk"
    return "fonts-noto-core"


@functools.lru_cache(maxsize=64)
def _fc_candidates(charset: str) -> tuple[tuple[str, str, str, str], ...]:
    """(file, family, style, fontformat) of installed fonts covering every code point given."""
    if shutil.which("fc-list") is None:
        return ()
    try:
        out = subprocess.run(
            ["fc-list", f":charset={charset}", "file", "family", "style", "fontformat"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    rows = []
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        props = dict(re.findall(r"(family|style|fontformat)=((?:[^:\\]|\\.)*)", rest))
        family = props.get("family", rest.split(":")[0]).split(",")[0].strip()
        if path:
            rows.append((path, family, props.get("style", ""), props.get("fontformat", "")))
    return tuple(rows)


@dataclass(frozen=True)
class FontChoice:
    """Font families for the texts, and a one-line warning when none covers them."""

    families: tuple[str, ...]
    warning: str = ""


def fonts_for(texts: Iterable[str]) -> FontChoice:
    """Fonts that draw every character of ``texts``: DejaVu Sans, plus an installed font
    (found with fontconfig) for characters it lacks.

    TrueType-outline fonts come first (they embed in PDF and EPS as Type 42), then sans before
    serif, regular before other styles.
    """
    have = _base_charmap()
    missing: dict[str, int] = {}
    for text in texts:
        for ch in text:
            if ord(ch) not in have and not ch.isspace() and unicodedata.category(ch)[0] != "C":
                missing[ch] = missing.get(ch, 0) + 1
    if not missing:
        return FontChoice((BASE_FONT,))
    common = sorted(missing, key=lambda c: (-missing[c], c))
    # every missing character if few, else the most frequent and a spread of the rest
    sample = (
        common if len(common) <= 48 else common[:32] + common[32 :: max(1, len(common) // 16)][:16]
    )
    charset = " ".join(f"{ord(c):x}" for c in sample)
    candidates = _fc_candidates(charset)

    def rank(row):
        path, family, style, fmt = row
        return (
            fmt != "TrueType",
            "serif" in family.lower() and "sans" not in family.lower(),
            "mono" in family.lower(),
            "regular" not in style.lower() and style != "",
            family,
            path,
        )

    for path, _family, _style, _fmt in sorted(candidates, key=rank):
        try:
            font_manager.fontManager.addfont(path)
            from matplotlib.ft2font import FT2Font

            name = FT2Font(path).family_name
        except (OSError, RuntimeError, ValueError):
            continue
        _add_bold(path)
        return FontChoice((BASE_FONT, name))
    package = _package_for(common[0])
    return FontChoice((BASE_FONT,), f"no installed font has the statements' characters such as "
                                    f"{common[0]!r}: install one (Debian: apt install {package})")


def _add_bold(regular: str) -> None:
    """Register the bold face next to ``regular`` (…-Regular.ttc -> …-Bold.ttc) when present."""
    bold = regular.replace("Regular", "Bold")
    if bold != regular:
        with contextlib.suppress(OSError, RuntimeError, ValueError):
            font_manager.fontManager.addfont(bold)


# --------------------------------------------------------------------------------------
# wrapping by the width characters take in print

#: Average advance of a Latin character in DejaVu Sans, in ems, with room for wide letters.
_LATIN_EM = 0.6
_NO_LINE_START = set("、。，．・：；？！）」』】〕》〉")
_TOKEN = re.compile(
    r"\s+|[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s]"
)


def char_em(ch: str) -> float:
    """Width of ``ch`` in ems: 1 for East Asian wide and full-width characters."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else _LATIN_EM


def text_em(text: str) -> float:
    return sum(char_em(c) for c in text)


def wrap(
    text: str, width_in: float, size: float, max_lines: int | None = None
) -> tuple[list[str], bool]:
    """Wrap ``text`` to ``width_in`` inches at ``size`` points; CJK text breaks between any two
    characters, other text between words (a word longer than a line is broken).

    Returns the lines and whether text was cut to ``max_lines`` (the last line then ends in "…").
    """
    cap = max(3 * _LATIN_EM, width_in * 72 / size)
    words: list[str] = []
    for tok in _TOKEN.findall(" ".join(text.split())):
        if tok.isspace() or char_em(tok[0]) == 1.0 or not words or words[-1].isspace() \
                or char_em(words[-1][-1]) == 1.0:
            words.append(tok)
        else:
            words[-1] += tok
    lines: list[str] = []
    line = ""
    for word in words:
        if word.isspace():
            if line:
                line += " "
            continue
        if text_em(line + word) <= cap or (word in _NO_LINE_START and line):
            line += word  # CJK closing punctuation hangs at the end of a line (kinsoku)
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = ""
        while text_em(word) > cap:  # break a word too long for a line
            n = 1
            while text_em(word[: n + 1]) <= cap:
                n += 1
            lines.append(word[:n])
            word = word[n:]
        line = word
    if line.strip():
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_em(last + "…") > cap:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
        return lines, True
    return lines, False
