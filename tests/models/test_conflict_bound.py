"""A model says when its learned accuracies are ruled out by the LFs' own conflicts.

On a row where two LFs vote different classes one of them is wrong, gold or no gold. On
binary rows with 7% positives, 82% of them uncovered, LabelModel (with the balance its
vote shares suggest, 84/16, which it once learned itself) and TripletModel learned every
LF as 99-100% right (70-84% in truth) and gave the covered rows a mean probability of
0.97-0.99 for an accuracy of 0.80 (ECE 0.19), without a word. DawidSkene, whose
accuracies fit the conflicts, says nothing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lf
import lf.models._conflict_bound as conflict_bound
from lf.models import MODELS, DawidSkene, LabelModel, OverconfidenceWarning
from lf.models._conflict_bound import conflict_excess, pair_counts
from lf.models._metrics import ece


def rare_positives(n: int = 50_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.07).astype(np.int64)
    specs = [(1, .5, .01), (1, .4, .01), (1, .3, .005), (1, .35, .008),
             (0, .02, .12), (0, .03, .12), (0, .02, .10), (0, .03, .15)]
    L = np.full((n, len(specs)), -1, np.int8)
    for j, (c, on, off) in enumerate(specs):
        L[rng.random(n) < np.where(y == c, on, off), j] = c
    return L, y


SHARES = [0.84, 0.16]  # the balance the vote shares of rare_positives() suggest


@pytest.mark.parametrize("name, balance", [("LabelModel", SHARES), ("TripletModel", None)])
def test_accuracies_the_conflicts_rule_out_are_named(name, balance):
    L, y = rare_positives()
    M = lf.LabelMatrix(L, names=[f"lf{j}" for j in range(8)], cardinality=2)
    with pytest.warns(OverconfidenceWarning) as caught:
        model = MODELS[name]().fit(M, class_balance=balance)
    text = str(caught[0].message)
    assert text.startswith(f"{name}: LFs 'lf")
    assert "so one of them is wrong on each, but their learned accuracies (" in text
    assert "the model is surer of its LFs, and of its labels, than the votes allow" in text
    covered = (L != -1).any(axis=1)
    P = model.predict_proba(M)
    assert P[covered].max(axis=1).mean() > (P.argmax(axis=1) == y)[covered].mean() + 0.1  # what it warns about
    assert ece(y[covered], P[covered]) > 0.15


def test_the_numbers_in_the_warning_are_the_bound():
    L, _ = rare_positives()
    with pytest.warns(OverconfidenceWarning):
        model = LabelModel().fit(L, class_balance=SHARES)
    found = conflict_excess(L, 2, model.accuracies_)
    assert found is not None
    a, b = L[:, found.first], L[:, found.second]
    assert found.conflicts == int(((a != -1) & (b != -1) & (a != b)).sum())
    votes = (L[:, [found.first, found.second]] != -1).sum(axis=0)
    allowed = float(votes @ (1 - model.accuracies_[[found.first, found.second]]))
    assert found.allowed == pytest.approx(allowed) and found.conflicts > allowed + 4 * np.sqrt(allowed) + 4


def test_accuracies_that_fit_the_conflicts_pass():
    L, y = rare_positives()
    covered = (L != -1).any(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = DawidSkene().fit(L)
    P = model.predict_proba(L)
    assert ece(y[covered], P[covered]) < 0.05


def test_pairs_modelled_as_dependent_are_not_held_to_it():
    """Inside a clique the model's joint factor explains the conflicts."""
    L, _ = rare_positives()
    apart = np.ones((8, 8), bool)
    apart[np.ix_(range(8), range(8))] = False
    assert conflict_excess(L, 2, np.ones(8), apart) is None
    assert conflict_excess(L, 2, np.ones(8)) is not None
    assert conflict_excess(L, 2, np.full(8, np.nan)) is None  # no accuracy, no claim


def _row_pair_counts(A, k):
    V = (A != -1).astype(np.float64)
    same = sum((A == c).astype(np.float64).T @ (A == c).astype(np.float64) for c in range(k))
    return V.T @ V, V.T @ V - same


@pytest.mark.parametrize("cells", [0, conflict_bound.AGREEMENT_CELLS])
def test_pair_counts_are_the_row_counts_on_either_path(cells, monkeypatch):
    """Read off the agreement counts (or, past AGREEMENT_CELLS, one sparse product): the
    same numbers as counting rows, for 1 to 6 LFs and 2 to 40 classes."""
    monkeypatch.setattr(conflict_bound, "AGREEMENT_CELLS", cells)
    rng = np.random.default_rng(7)
    for _ in range(40):
        n, m, k = int(rng.integers(1, 80)), int(rng.integers(1, 7)), int(rng.integers(2, 41))
        A = rng.integers(-1, k, size=(n, m)).astype(np.int8)
        both, conflicts = pair_counts(A, k)
        want_both, want_conflicts = _row_pair_counts(A, k)
        assert np.array_equal(both, want_both) and np.array_equal(conflicts, want_conflicts)


def test_distinct_rows_take_a_numpy_integer_class_count():
    """With k a numpy integer, the code arithmetic of the distinct rows overflowed without
    a word and never stopped (5 LFs, 22 classes: the word-size loop ran forever)."""
    from lf.matrix import row_patterns

    A = np.random.default_rng(0).integers(-1, 22, size=(51, 5)).astype(np.int8)
    got, want = row_patterns(A, np.int64(22)), row_patterns(A, 22)
    assert np.array_equal(got.rows, want.rows) and np.array_equal(got.counts, want.counts)


def with_copies(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Five independent binary LFs (70-80% right, each on half the rows), the first of
    them then copied three times (columns 5, 6, 7)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    L = np.full((n, 5), -1, np.int64)
    for j, acc in enumerate((0.7, 0.75, 0.8, 0.75, 0.7)):
        on = rng.random(n) < 0.5
        L[on, j] = np.where(rng.random(on.sum()) < acc, y[on], 1 - y[on])
    return np.hstack([L, L[:, [0, 0, 0]]]), y


def test_copies_of_an_lf_are_named_at_fit():
    """Before: no word, while DawidSkene took the copied LF's vote for a sure label."""
    L, y = with_copies()
    names = [f"lf{j}" for j in range(5)] + ["copy1", "copy2", "copy3"]
    M = lf.LabelMatrix(L, names=names, cardinality=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DawidSkene().fit(L[:, :5], cardinality=2)  # the LFs without their copies: nothing to say
    with pytest.warns(OverconfidenceWarning) as caught:
        model = DawidSkene().fit(M)
    text = str(caught[0].message)
    assert text.startswith("DawidSkene: LFs 'lf0', 'copy1', 'copy2', 'copy3' give the same vote on every row")
    assert "their vote weighs 4 times" in text and "--dependencies lf0:copy1,lf0:copy2,lf0:copy3" in text
    P = model.predict_proba(M)
    covered = (L != -1).any(axis=1)
    assert P[covered].max(axis=1).mean() > (P.argmax(axis=1) == y)[covered].mean() + 0.1  # what it warns about
    with pytest.warns(OverconfidenceWarning, match=r"^MajorityVoter: the LFs in columns 0, 5, 6, 7 give the same"):
        MODELS["MajorityVoter"]().fit(L, cardinality=2)


def test_copies_modelled_as_dependent_or_on_few_rows_are_not_named():
    L, _ = with_copies()
    names = [f"lf{j}" for j in range(5)] + ["copy1", "copy2", "copy3"]
    M = lf.LabelMatrix(L, names=names, cardinality=2)
    deps = [("lf0", "copy1"), ("lf0", "copy2"), ("lf0", "copy3")]
    for model, matrix in ((LabelModel(dependencies=deps), M), (DawidSkene(), L[:99])):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(matrix, cardinality=2)
        assert not [w for w in caught if "same vote on every row" in str(w.message)]


def test_copies_are_lfs_of_equal_columns_not_only_equal_tallies() -> None:
    from lf.models._conflict_bound import copied_lfs

    rng = np.random.default_rng(0)
    a = rng.choice([-1, 0, 1], 400)
    b = np.roll(a, 1)  # the same votes per class, on other rows: not a copy
    A = np.stack([a, b, a, rng.choice([-1, 0, 1], 400), a], axis=1).astype(np.int8)
    votes = np.stack([(A == c).sum(axis=0) for c in (0, 1)], axis=1).astype(np.float64)
    assert copied_lfs(A, 400, votes, np.ones((5, 5), bool)) == [[0, 2, 4]]
    apart = np.ones((5, 5), bool)
    apart[np.ix_([0, 2, 4], [0, 2, 4])] = False  # modelled as one clique: nothing to say
    assert copied_lfs(A, 400, votes, apart) == []
