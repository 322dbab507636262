"""Snorkel's applier arguments given to lf.apply: refused by name, saying what lf takes."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import lf
from lf.errors import LFError, ParameterError


@lf.labeling_function()
def _odd(x: Any) -> int:
    if x.num == 7:
        raise KeyError("seven")
    return x.num % 2


_DATA = pd.DataFrame({"num": [1, 4, 7, 9]})


@pytest.mark.parametrize(
    ("kwargs", "instead"),
    [
        ({"fault_tolerant": True}, "on_error='abstain'"),
        ({"return_meta": True}, "L.errors"),
        ({"progress_bar": False}, "progress=True or False"),
        ({"n_parallel": 2}, "n_jobs="),
        ({"scheduler": "processes"}, "engine="),
    ],
)
def test_snorkels_applier_keywords_are_refused_with_what_lf_takes(kwargs: dict[str, Any], instead: str) -> None:
    (name,) = kwargs
    with pytest.raises(ParameterError, match=f"lf.apply takes no `{name}` \\(Snorkel's applier argument\\)") as caught:
        lf.apply([_odd], _DATA, **kwargs)
    assert instead in str(caught.value)


def test_snorkels_positional_progress_bar_and_a_typo_are_lf_errors_naming_them() -> None:
    # PandasLFApplier.apply(df, progress_bar, fault_tolerant, return_meta)
    with pytest.raises(ParameterError, match="no `progress_bar`"):
        lf.apply([_odd], _DATA, False, True)
    with pytest.raises(ParameterError, match="takes 2 positional arguments"):
        lf.apply([_odd], _DATA, False, True, True, True)
    with pytest.raises(LFError, match=r"no argument 'onerror'\. Its arguments: lfs, data, engine, .*on_error"):
        lf.apply([_odd], _DATA, onerror="abstain")


def test_what_lf_takes_instead_gives_snorkels_fault_tolerant_matrix_and_its_faults() -> None:
    L = lf.apply([_odd], _DATA, on_error="abstain", progress=False)
    assert L.array[:, 0].tolist() == [1, 0, -1, 1]
    assert L.errors.tolist() == [1]
