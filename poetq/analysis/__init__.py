"""By-person factor analysis of Q-sorts (pure numpy; imports only poetq.errors, threadpoolctl).

>>> from poetq.analysis import analyse
>>> result = analyse(sorts, 3)            # sorts: (n_statements, n_sorts) grid values
>>> result.loadings, result.flags, result.zscores, result.factor_arrays
"""

from poetq.analysis.bootstrap import BootstrapResult, bootstrap
from poetq.analysis.engine import centroid, correlate, pca, rotate_pair, varimax
from poetq.analysis.guidance import FactorGuidance, factor_guidance
from poetq.analysis.option_text import parse_rotation
from poetq.analysis.options import CORRELATIONS, EXTRACTIONS, ROTATIONS, AnalysisOptions
from poetq.analysis.pipeline import (
    analyse,
    invert_factor,
    rotate_factors,
    split_factor,
    with_flags,
)
from poetq.analysis.result import AnalysisResult
from poetq.analysis.scores import (
    auto_flags,
    characteristics,
    distinguishing,
    factor_arrays,
    zscores,
)

__all__ = [
    "CORRELATIONS",
    "EXTRACTIONS",
    "ROTATIONS",
    "AnalysisOptions",
    "AnalysisResult",
    "BootstrapResult",
    "FactorGuidance",
    "analyse",
    "auto_flags",
    "bootstrap",
    "centroid",
    "characteristics",
    "correlate",
    "distinguishing",
    "factor_arrays",
    "factor_guidance",
    "invert_factor",
    "parse_rotation",
    "pca",
    "rotate_factors",
    "rotate_pair",
    "split_factor",
    "varimax",
    "with_flags",
    "zscores",
]
