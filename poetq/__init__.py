"""poetq: Q methodology from the respondent's sort to the researcher's viewpoints."""

__version__ = "0.1.0"
