"""lf: weak supervision with labeling functions, fast at any scale.

Write labeling functions (LFs), apply them to a corpus to get a :class:`LabelMatrix`, read
the per-LF report, and fit a label model to turn the votes into probabilistic labels.
``import lf`` loads numpy only; pandas, pyarrow and the extras load when used.
"""

from __future__ import annotations

from lf.apply import apply
from lf.core import ABSTAIN, LabelingFunction, Preprocessor, Row, labeling_function, preprocessor
from lf.errors import LFError
from lf.matrix import LabelMatrix
from lf.modules import LFSet, load_lfs
from lf.summary import summarize
from lf.templates import keyword_lf, regex_lf

__version__ = "0.1.0"

__all__ = [
    "ABSTAIN",
    "LFError",
    "LFSet",
    "LabelMatrix",
    "LabelingFunction",
    "Preprocessor",
    "Row",
    "__version__",
    "apply",
    "keyword_lf",
    "labeling_function",
    "load_lfs",
    "preprocessor",
    "regex_lf",
    "summarize",
]
