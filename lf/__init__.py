"""lf: weak supervision with labeling functions, fast at any scale.

Write labeling functions (LFs), apply them to a corpus to get a :class:`LabelMatrix`, read
the per-LF report, and fit a label model to turn the votes into probabilistic labels.
``import lf`` loads numpy only; pandas, pyarrow and the extras load when used.
"""

from __future__ import annotations

import importlib
from typing import Any

from lf.apply import apply
from lf.core import ABSTAIN, LabelingFunction, Preprocessor, Row, labeling_function, preprocessor
from lf.errors import LFError
from lf.label import label
from lf.matrix import LabelMatrix
from lf.modules import LFSet, load_lfs
from lf.rows import buckets, rows
from lf.suggest import suggest
from lf.summary import summarize
from lf.templates import keyword_lf, regex_lf
from lf.train import predict, train

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
    "buckets",
    "keyword_lf",
    "label",
    "labeling_function",
    "load_lfs",
    "predict",
    "preprocessor",
    "regex_lf",
    "rows",
    "suggest",
    "summarize",
    "train",
]

# Submodules load on first use (`lf.models.LabelModel` after a plain `import lf`), so that
# `import lf` stays light: pandas, scipy and pyarrow come in only with what needs them.
_SUBMODULES = frozenset({
    "analysis", "corpus", "datasets", "errors", "gold", "interop", "intervals", "io", "labelstudio",
    "models", "output", "report", "sample",
})


# Names a user may look for on `lf` itself (`lf.LabelModel`), and the module that has them.
_ELSEWHERE = {
    **dict.fromkeys(("LabelModel", "MajorityVoter", "DawidSkene", "TripletModel", "SnorkelLabelModel", "select"), "lf.models"),
    **dict.fromkeys(("nlp_labeling_function", "SpacyPreprocessor"), "lf.nlp"),
    "DaskEngine": "lf.apply.dask",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"lf.{name}")
    home = _ELSEWHERE.get(name)
    where = f": it is {home}.{name} (from {home} import {name})" if home else ""
    raise AttributeError(f"module 'lf' has no attribute {name!r}{where}")
