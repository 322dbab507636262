"""`lf.summarize(L, model=...)`: learned accuracies are shown only next to the LFs they were
learned for; a model fitted on other LFs, or on these in another order, is an error."""

from __future__ import annotations

import numpy as np
import pytest

import lf
from lf.errors import DataError, NotFittedError, ParameterError
from lf.models import LabelModel


@pytest.fixture
def L() -> lf.LabelMatrix:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=600)
    acc = np.array([0.95, 0.6, 0.8, 0.7])
    votes = np.where(rng.random((600, 4)) < acc, y[:, None], 1 - y[:, None])
    return lf.LabelMatrix(np.where(rng.random((600, 4)) < 0.7, votes, -1), names=["a", "b", "c", "d"])


def test_learned_accuracies_sit_next_to_their_own_lfs(L: lf.LabelMatrix) -> None:
    model = LabelModel().fit(L)
    assert lf.summarize(L, model=model)["learned_acc"].tolist() == pytest.approx(list(model.accuracies_))
    assert lf.summarize(L.array, model=model)["learned_acc"].tolist() == pytest.approx(list(model.accuracies_))


def test_a_model_of_the_same_lfs_in_another_order_is_refused(L: lf.LabelMatrix) -> None:
    model = LabelModel().fit(L)
    swapped = lf.LabelMatrix(L.array[:, [1, 0, 2, 3]], names=["b", "a", "c", "d"])
    with pytest.raises(DataError, match="same LFs in another order"):
        lf.summarize(swapped, model=model)  # would show a's accuracy as b's


def test_a_model_of_other_lfs_is_a_named_error_not_a_pandas_one(L: lf.LabelMatrix) -> None:
    model = LabelModel().fit(L)
    with pytest.raises(DataError, match=r"missing \['d'\], new \[\]"):
        lf.summarize(lf.LabelMatrix(L.array[:, :3], names=["a", "b", "c"]), model=model)
    with pytest.raises(ParameterError, match="4 learned accuracies for a matrix of 3 LFs"):
        lf.summarize(L.array[:, :3], model=model)


def test_plain_array_gold_with_a_class_no_lf_emits_is_counted() -> None:
    """Snorkel's LFAnalysis takes gold classes the LFs never emit (its own test: labels 3..5,
    gold 4..6); a plain array has no cardinality, so the gold labels extend it."""
    L = np.array([[3, 3, 3, 5, 4, 3], [3, 4, 5, 5, 4, 3], [5, 3, 4, 4, 5, 3],
                  [4, 4, 5, 4, 3, 3], [3, 4, 3, 5, 4, 3], [5, 3, 3, 4, 4, 3]])
    y = np.array([4, 5, 6, 4, 5, 6])
    s = lf.summarize(L, y=y)
    assert s["correct"].tolist() == [1, 1, 1, 3, 1, 0] and s["incorrect"].tolist() == [5, 5, 5, 3, 5, 6]
    assert s["emp_acc"].tolist() == pytest.approx([1 / 6, 1 / 6, 1 / 6, 1 / 2, 1 / 6, 0])
    two = np.array([[0, -1], [-1, 1], [1, 1]])  # a binary task's LFs, gold of a third class
    assert lf.summarize(two, y=[0.0, 2.0, 2.0])["correct"].tolist() == [1, 0]
    with pytest.raises(ParameterError, match=r"`y` holds -1 \(no gold label\) at row 2"):  # as lf.analysis says it
        lf.summarize(two, y=[0, 1, -1])


def test_an_unfitted_model_is_refused_not_shown_as_no_learned_accuracies(L: lf.LabelMatrix) -> None:
    """Before: an unfitted LabelModel gave a learned_acc column of NaN without a word, as if
    the model learned none."""
    with pytest.raises(NotFittedError, match="This LabelModel is not fitted yet"):
        lf.summarize(L, model=LabelModel())


@pytest.mark.parametrize("model", [np.array([0.9, 0.8, 0.7, 0.6]), [0.9, 0.8, 0.7, 0.6], "LabelModel"])
def test_what_is_not_a_model_is_refused_naming_it(L: lf.LabelMatrix, model: object) -> None:
    """Snorkel's lf_summary takes est_weights, one weight per LF; passed as ``model=`` they
    were silently ignored (learned_acc all NaN), as was a model's name."""
    with pytest.raises(ParameterError, match=rf"`model` must be a fitted label model .*Got {type(model).__name__}"):
        lf.summarize(L, model=model)
