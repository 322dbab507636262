"""One contract, checked on every registered label model (scikit-learn's check suite, in small)."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lf
from lf.errors import DataError
from lf.models import MODELS, BaseLabelModel, get_model
from lf.models._registry import ALIASES

NAMES = sorted(n for n in MODELS if n != "SnorkelLabelModel" or importlib.util.find_spec("snorkel"))


@pytest.fixture(scope="module")
def matrix() -> lf.LabelMatrix:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 1500)
    acc = np.array([0.85, 0.75, 0.7, 0.65, 0.8])
    fires = rng.random((1500, 5)) < 0.5
    right = rng.random((1500, 5)) < acc
    wrong = (y[:, None] + rng.integers(1, 3, (1500, 5))) % 3
    A = np.where(fires, np.where(right, y[:, None], wrong), -1)
    return lf.LabelMatrix(A, names=[f"lf{j}" for j in range(5)], cardinality=3)


def fresh(name: str) -> Any:
    cls = get_model(name)
    return cls(random_state=0) if "random_state" in cls._param_names() else cls()


@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_probabilities_sum_to_one(name: str, matrix: lf.LabelMatrix) -> None:
    model = fresh(name)
    assert model.fit(matrix) is model
    P = model.predict_proba(matrix)
    assert P.shape == (matrix.n, 3) and (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert set(np.unique(model.predict(matrix))) <= {0, 1, 2}


@pytest.mark.parametrize("name", NAMES)
def test_predict_both_is_predict_proba_and_predict(name: str, matrix: lf.LabelMatrix) -> None:
    """What lf label writes (one posterior per chunk) is what the two methods give."""
    model = fresh(name).fit(matrix)
    proba, labels = model.predict_both(matrix)
    np.testing.assert_array_equal(proba, model.predict_proba(matrix))
    np.testing.assert_array_equal(labels, model.predict(matrix))
    tied = get_model("MajorityVoter")(tie_break="abstain").fit(matrix)
    assert (tied.predict_both(matrix)[1] == tied.predict(matrix)).all() and (tied.predict(matrix) == -1).any()


@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip(name: str, matrix: lf.LabelMatrix, tmp_path: Path) -> None:
    model = fresh(name).fit(matrix)
    back = BaseLabelModel.load(model.save(tmp_path / "m.json"))
    assert type(back) is type(model) and back.get_params() == model.get_params()
    np.testing.assert_array_equal(back.predict_proba(matrix), model.predict_proba(matrix))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "SnorkelLabelModel"])  # SGD: order-dependent
def test_permuting_the_lfs_permutes_nothing_else(name: str, matrix: lf.LabelMatrix) -> None:
    A = np.asarray(matrix.array)
    order = [3, 0, 4, 2, 1]
    P = fresh(name).fit(A).predict_proba(A)
    Q = fresh(name).fit(A[:, order]).predict_proba(A[:, order])
    np.testing.assert_allclose(Q, P, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_duplicated_rows_get_the_same_probabilities(name: str, matrix: lf.LabelMatrix) -> None:
    A = np.asarray(matrix.array)
    model = fresh(name).fit(A)
    P = model.predict_proba(np.vstack([A, A[::-1]]))
    np.testing.assert_array_equal(P[: len(A)], P[len(A) :][::-1])


@pytest.mark.parametrize("name", NAMES)
def test_a_matrix_of_other_lfs_is_refused(name: str, matrix: lf.LabelMatrix) -> None:
    model = fresh(name).fit(matrix)
    other = lf.LabelMatrix(np.asarray(matrix.array), names=["a", "b", "c", "d", "e"], cardinality=3)
    with pytest.raises(DataError, match="fitted on other LFs"):
        model.predict_proba(other)


@pytest.mark.parametrize("name", NAMES)
def test_fit_checks_the_matrix_and_the_class_balance_the_same_way(name: str, matrix: lf.LabelMatrix) -> None:
    with pytest.raises(lf.errors.ParameterError, match=r"`class_balance` must be 3 non-negative numbers summing to 1"):
        fresh(name).fit(matrix, class_balance=[0.5, 0.6, -0.1])
    with pytest.raises(lf.errors.ParameterError, match=rf"{name} cannot be fitted on an empty label matrix"):
        fresh(name).fit(np.full((0, 5), -1), cardinality=3)
    with pytest.raises(lf.errors.ParameterError, match=r"`cardinality` is 4 but the LabelMatrix has cardinality 3"):
        fresh(name).fit(matrix, cardinality=4)
    if get_model(name)._min_lfs > 1:
        with pytest.raises(lf.errors.ParameterError, match=rf"{name} needs at least 3 LFs"):
            fresh(name).fit(np.asarray(matrix.array)[:, :2], cardinality=3)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("cardinality", [1, True, 2.5, "3", 0])
def test_a_cardinality_that_is_not_a_class_count_is_refused(name: str, cardinality: Any) -> None:
    """Before: 1 and True fitted a one-class model (every row 100% class 0), 2.5 became 2,
    "3" and 0 were a TypeError or a message about labels out of range."""
    zeros = np.zeros((6, 3), np.int64)
    with pytest.raises(lf.errors.ParameterError, match=r"`cardinality` must be an integer >= 2 \(the number of classes\)"):
        fresh(name).fit(zeros, cardinality=cardinality)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("balance", ["ab", ["x", "y", "z"], [[0.5], [0.5, 0.0]]])
def test_a_class_balance_that_is_not_numbers_is_a_parameter_error(name: str, balance: Any, matrix: lf.LabelMatrix) -> None:
    with pytest.raises(lf.errors.ParameterError, match=r"`class_balance` must be 3 non-negative numbers summing to 1"):
        fresh(name).fit(matrix, class_balance=balance)


@pytest.mark.parametrize("name", NAMES)
def test_a_dev_class_balance_in_fit_says_where_it_is_taken(name: str, matrix: lf.LabelMatrix) -> None:
    # Before: "... Got 'dev'." and no more, though lf.label and --class-balance take 'dev'.
    with pytest.raises(lf.errors.ParameterError, match=r"Got 'dev'\. 'dev' .* is taken by lf.label and select.*value_counts"):
        fresh(name).fit(matrix, class_balance="dev")


BAD_PARAMS = [
    # Before: smoothing=inf fitted and every posterior was NaN; text or None was a bare
    # ValueError / TypeError from float(); lr=nan was Snorkel's bare "Loss is NaN"
    # Exception; a random_state of "x" fitted and failed inside numpy on predict.
    ("DawidSkene", "smoothing", float("inf")),
    ("DawidSkene", "smoothing", "x"),
    ("DawidSkene", "tol", None),
    ("TripletModel", "eps", "x"),
    ("SnorkelLabelModel", "lr", float("nan")),
    ("SnorkelLabelModel", "mu_eps", "x"),
    ("MajorityVoter", "random_state", "x"),
]


@pytest.mark.parametrize(("name", "param", "value"), [b for b in BAD_PARAMS if b[0] in NAMES])
def test_a_bad_parameter_is_a_parameter_error_naming_it(name: str, param: str, value: Any, matrix: lf.LabelMatrix) -> None:
    with pytest.raises(lf.errors.ParameterError, match=rf"`{param}` must be .* Got {value!r}"):
        get_model(name)(**{param: value}).fit(matrix)


def test_a_new_model_implements_only_fit_and_predict_proba_and_gets_the_checks(matrix: lf.LabelMatrix) -> None:
    class FirstVote(BaseLabelModel):
        """The first LF's vote, else the class balance."""

        _state = ("cardinality_", "class_balance_")

        def __init__(self, *, smooth: float = 0.1) -> None:
            self.smooth = smooth

        def _check_params(self) -> None:
            if not self.smooth >= 0:
                raise lf.errors.ParameterError(f"`smooth` must be >= 0. Got {self.smooth!r}.")

        def _fit(self, L: Any, A: Any, k: int, class_balance: Any) -> None:
            self.cardinality_ = k
            self.class_balance_ = np.full(k, 1.0 / k) if class_balance is None else class_balance

        def predict_proba(self, L: Any) -> Any:
            A = self._check_L(L)
            P = np.tile(self.class_balance_, (A.shape[0], 1))
            voted = A[:, 0] >= 0
            P[voted] = self.smooth / self.cardinality_
            P[voted, A[voted, 0]] += 1.0 - self.smooth
            return P

    model = FirstVote().fit(matrix, class_balance=[0.2, 0.3, 0.5])
    assert model.lf_names_ == list(matrix.names) and model.class_balance_.tolist() == [0.2, 0.3, 0.5]
    with pytest.raises(DataError, match="fitted on other LFs"):
        model.predict(lf.LabelMatrix(np.asarray(matrix.array), names=list("abcde"), cardinality=3))
    with pytest.raises(lf.errors.ParameterError, match="`smooth` must be >= 0"):
        FirstVote(smooth=-1.0).fit(matrix)
    with pytest.raises(lf.errors.ParameterError, match="`class_balance` must be 3"):
        FirstVote().fit(matrix, class_balance=[1.0])


def _install_plugin(folder: Path, monkeypatch: pytest.MonkeyPatch, dist: str, entry_point: str) -> None:
    """Make ``folder`` an installed distribution ``dist`` whose ``lf.models`` entry point is
    ``entry_point`` (``name = module:Class``), on the path for this test only."""
    info = folder / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[lf.models]\n{entry_point}\n")
    monkeypatch.syspath_prepend(str(folder))


def test_a_model_from_another_package_registers_through_an_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, matrix: lf.LabelMatrix
) -> None:
    (tmp_path / "my_models.py").write_text(
        textwrap.dedent(
            """
            from lf.models import MajorityVoter

            class CautiousVoter(MajorityVoter):
                '''Majority vote that abstains on ties.'''

                def __init__(self, *, tie_break: str = "abstain", random_state=None) -> None:
                    super().__init__(tie_break=tie_break, random_state=random_state)
            """
        )
    )
    _install_plugin(tmp_path, monkeypatch, "my-models", "cautious = my_models:CautiousVoter")
    cls = get_model("cautious")
    assert cls.__name__ == "CautiousVoter" and get_model("CautiousVoter") is cls
    model = cls().fit(matrix)
    assert type(BaseLabelModel.load(model.save(tmp_path / "c.json"))) is cls
    matrix.save(tmp_path / "L.parquet")
    from lf.cli import main

    assert main(["fit", str(tmp_path / "L.parquet"), "--model", "cautious", "-o", str(tmp_path / "f.json")]) == 0
    assert type(BaseLabelModel.load(tmp_path / "f.json")) is cls
    monkeypatch.delitem(MODELS, "CautiousVoter")
    monkeypatch.delitem(ALIASES, "cautious")


def test_a_broken_plugin_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, monkeypatch, "broken", "broken = no_such_module_here:Model")
    with pytest.raises(lf.errors.LFImportError, match="The label model 'broken' .* failed to import: ModuleNotFoundError"):
        get_model("broken")
    with pytest.raises(lf.errors.ParameterError, match="Unknown model 'nothing'. Available: .*broken"):
        get_model("nothing")


def test_a_plugin_class_named_as_a_registered_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: loading it replaced lf's LabelModel in the registry, so `--model LabelModel`
    # (and the load of a saved LabelModel) got the plugin's majority vote from then on.
    (tmp_path / "clash_models.py").write_text(
        "from lf.models import MajorityVoter\n\n\nclass LabelModel(MajorityVoter):\n    pass\n"
    )
    _install_plugin(tmp_path, monkeypatch, "clash", "clash = clash_models:LabelModel")
    builtin = get_model("LabelModel")
    match = r"'clash' .* gives clash_models.LabelModel, named as lf.models.matrix_completion.LabelModel is"
    with pytest.raises(lf.errors.ParameterError, match=match):
        get_model("clash")
    assert get_model("LabelModel") is builtin and "clash" not in ALIASES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("counts", "match"),
    [
        ([-3, 5], r"`counts` must be one whole number >= 0 per pattern row \(2\)\. Got int64 of shape \(2,\), smallest -3"),
        ([1.5, 2.0], r"`counts` must be one whole number >= 0 per pattern row \(2\)\. Got float64"),
        ([1, 2, 3], r"`counts` must be one whole number >= 0 per pattern row \(2\)\. Got int64 of shape \(3,\)"),
        ([0, 0], r"cannot be fitted on an empty pattern table \(its counts sum to 0\)"),
    ],
)
def test_fit_patterns_refuses_counts_that_are_not_row_counts(name: str, counts: list[float], match: str) -> None:
    """Before: negative counts fitted a model from nonsense, and counts summing to 0 gave
    NaN probabilities (LabelModel, TripletModel)."""
    from lf.matrix import PatternTable

    table = PatternTable(np.array([[0, 1, 0], [1, 1, -1]], np.int8), np.array(counts), ("a", "b", "c"), 2)
    with pytest.raises(lf.errors.ParameterError, match=match):
        fresh(name).fit_patterns(table)


@pytest.mark.parametrize("name", NAMES)
def test_a_snorkel_style_cardinality_argument_is_a_parameter_error_with_the_fix(name: str, matrix: lf.LabelMatrix) -> None:
    """``LabelModel(cardinality=2)``, as a Snorkel user writes it: before, Python's bare
    "unexpected keyword argument" TypeError, not an lf error saying where the count goes."""
    cls = get_model(name)
    with pytest.raises(lf.errors.ParameterError, match=rf"{name} has no parameter 'cardinality'.*fit\(L, cardinality="):
        cls(cardinality=2)
    with pytest.raises(lf.errors.ParameterError, match=rf"{name} has no parameter 'verbose'.*Its parameters: "):
        cls(verbose=False)
    with pytest.raises(lf.errors.ParameterError, match=rf"{name} takes keyword arguments only"):
        cls(2)
    assert isinstance(cls(), cls)  # and a plugin's own __init__ check still runs: see below


def test_a_plugin_init_with_positional_parameters_keeps_them() -> None:
    class Positional(BaseLabelModel):
        def __init__(self, smooth: float = 0.1, **extra: Any) -> None:
            self.smooth, self.extra = smooth, extra

    assert Positional(0.5).smooth == 0.5 and Positional(anything=1).extra == {"anything": 1}


def test_a_plugin_init_missing_a_required_parameter_keeps_pythons_error() -> None:
    class Needs(BaseLabelModel):
        def __init__(self, *, smooth: float) -> None:
            self.smooth = smooth

    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'smooth'"):
        Needs()


@pytest.mark.parametrize("name", NAMES)
def test_a_class_balance_by_label_name_is_the_same_as_by_class_id(name: str, matrix: lf.LabelMatrix) -> None:
    """As the CLI's --class-balance HAM=0.7,SPAM=0.3 takes it. Before: a dict was refused as
    not numbers, though the matrix names its classes."""
    named = lf.LabelMatrix(np.asarray(matrix.array), names=list(matrix.names), cardinality=3, labels=["A", "B", "C"])
    by_id = fresh(name).fit(named, class_balance=[0.2, 0.3, 0.5])
    by_name = fresh(name).fit(named, class_balance={"c": 0.5, "A": 0.2, "B": 0.3})
    assert by_name.class_balance_.tolist() == by_id.class_balance_.tolist()
    np.testing.assert_array_equal(by_name.predict_proba(named), by_id.predict_proba(named))
    with pytest.raises(lf.errors.ParameterError, match=r"`class_balance` names 'D', not a label of the matrix \(A, B, C\)"):
        fresh(name).fit(named, class_balance={"A": 0.5, "B": 0.3, "D": 0.2})
    with pytest.raises(lf.errors.ParameterError, match=r"`class_balance` gives no value for C"):
        fresh(name).fit(named, class_balance={"A": 0.5, "B": 0.5})
    with pytest.raises(lf.errors.ParameterError, match=r"by label name needs a LabelMatrix with label names"):
        fresh(name).fit(np.asarray(matrix.array), class_balance={"A": 0.2, "B": 0.3, "C": 0.5})


def test_a_model_fitted_on_hundreds_of_other_labels_names_where_they_part() -> None:
    # both lists of 300 names made a one-line error of some 4,000 characters
    from lf.errors import DataError

    rng = np.random.default_rng(0)
    names = [f"topic_{c}" for c in range(300)]
    A = np.column_stack([np.arange(400) % 300, rng.integers(-1, 300, size=(400, 2))])  # every class voted
    model = lf.models.MajorityVoter().fit(lf.LabelMatrix(A, labels=names))
    other = [*names[:37], "sports", *names[38:]]
    with pytest.raises(DataError) as err:
        model.predict(lf.LabelMatrix(A, labels=other))
    said = str(err.value)
    assert "fitted on 300 labels; the matrix has 300: class 37 is 'topic_37' there and 'sports' here" in said
    assert len(said) < 300
    with pytest.raises(DataError, match=r"the first 300 the same, then 'extra' in one list only"):
        model.predict(lf.LabelMatrix(A, labels=[*names, "extra"]))
    B = np.abs(A) % 2
    few = lf.models.MajorityVoter().fit(lf.LabelMatrix(B, labels=["HAM", "SPAM"]))
    with pytest.raises(DataError, match=r"fitted on the labels HAM, SPAM \(in that order\); the matrix has SPAM, HAM"):
        few.predict(lf.LabelMatrix(B, labels=["SPAM", "HAM"]))
