"""Snorkel's own label-model tests call ``fit``, ``predict``, ``score`` and ``load`` with
Snorkel's arguments (``fit(L, n_epochs=100, seed=123)``, ``predict(L, tie_break_policy=...)``,
``score(L, Y=...)``, ``model.load(path)`` on an unfitted instance). Each either works as in
Snorkel or is refused as a ParameterError naming the argument and what lf takes instead;
before, they were Python's bare TypeError, and ``model.load(path)`` left the model unfitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lf.errors import LFError, ParameterError
from lf.models import LabelModel, MajorityVoter, SnorkelLabelModel

# Snorkel's test_predict matrix, with a fourth row so that each LF votes both classes
L = np.array([[-1, 1, 0], [0, -1, 1], [1, 0, -1], [1, 1, 1]])


@pytest.mark.parametrize("option", ["n_epochs", "lr", "optimizer", "lr_scheduler", "prec_init", "mu_eps", "progress_bar"])
def test_snorkels_training_options_to_fit_are_refused_saying_the_fit_has_none(option: str) -> None:
    with pytest.raises(ParameterError, match=rf"LabelModel.fit takes no `{option}` \(a Snorkel training option\).*L-BFGS"):
        LabelModel().fit(L, **{option: 1})


def test_an_option_that_is_a_model_parameter_is_shown_where_it_goes() -> None:
    with pytest.raises(ParameterError, match=r"`l2` is a parameter of LabelModel: LabelModel\(l2=...\).fit\(L\)"):
        LabelModel().fit(L, l2=0.0)
    with pytest.raises(ParameterError, match=r"`n_epochs` is a parameter of SnorkelLabelModel: SnorkelLabelModel\(n_epochs=...\)"):
        SnorkelLabelModel().fit(L, n_epochs=10)
    with pytest.raises(ParameterError, match=r"`seed` is `random_state` here: MajorityVoter\(random_state=...\)"):
        MajorityVoter().fit(L, seed=123)
    with pytest.raises(ParameterError, match=r"LabelModel.fit takes no `seed`.*no epochs, learning rate or seed"):
        LabelModel().fit(L, seed=123)


def test_y_dev_is_refused_pointing_to_the_class_balance() -> None:
    with pytest.raises(ParameterError, match=r"LabelModel.fit takes no `Y_dev`.*class_balance=.*np.bincount\(y_dev"):
        LabelModel().fit(L, Y_dev=np.array([0, 1, 1, 0]))


def test_predict_and_score_name_abstain_for_snorkels_tie_break_policy() -> None:
    model = MajorityVoter().fit(L)
    for call in (
        lambda: model.predict(L, tie_break_policy="abstain"),
        lambda: model.score(L, np.array([0, 1, 1, 1]), tie_break_policy="abstain"),
    ):
        with pytest.raises(ParameterError, match=r"takes no `tie_break_policy`.*abstain='ties'"):
            call()
    with pytest.raises(ParameterError, match=r"MajorityVoter.predict takes no `return_probs`.*predict_proba\(L\)"):
        model.predict(L, return_probs=True)
    with pytest.raises(ParameterError, match=r"MajorityVoter.score takes no `Y`.*score\(L, y, metrics\)"):
        model.score(L, Y=np.array([0, 1, 1, 1]))


def test_a_typo_is_refused_with_the_arguments_there_are_not_swallowed() -> None:
    model = MajorityVoter().fit(L)
    with pytest.raises(ParameterError, match=r"MajorityVoter.predict has no argument 'abstian'. Its arguments: L, abstain\."):
        model.predict(L, abstian="ties")
    with pytest.raises(ParameterError, match=r"LabelModel.fit has no argument 'balance'. Its arguments: L, class_balance, cardinality\."):
        LabelModel().fit(L, balance=[0.5, 0.5])


@pytest.mark.parametrize("kwargs", [{"n_epochs": 5}, {"tie_break_policy": "abstain"}, {"abstian": None}])
def test_refusals_are_lf_errors_a_cli_prints_in_one_line(kwargs: dict[str, Any]) -> None:
    with pytest.raises(LFError) as info:
        MajorityVoter().fit(L).predict(L, **kwargs)
    assert "\n" not in str(info.value)


def test_score_without_gold_labels_says_so() -> None:
    with pytest.raises(ParameterError, match=r"`y` \(the gold labels\) is missing: score\(L, y, metrics\)"):
        MajorityVoter().fit(L).score(L)


@pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")  # four rows: it says so
def test_load_on_an_instance_loads_into_it_as_snorkels_load_does(tmp_path: Any) -> None:
    """Snorkel's test_save_and_load: ``new = LabelModel(); new.load(path); new.predict(L)``.
    Before, ``load`` was only a class method: called on ``new`` it returned another model
    and left ``new`` unfitted (NotFittedError on predict, after a load)."""
    fitted = LabelModel(l2=0.001).fit(L)
    path = fitted.save(tmp_path / "label_model.json")
    new = LabelModel()
    assert new.load(path) is new
    np.testing.assert_array_equal(new.predict(L), fitted.predict(L))
    np.testing.assert_array_equal(new.predict_proba(L), fitted.predict_proba(L))
    assert new.get_params() == fitted.get_params()  # the file's parameters, as Snorkel's load
    back = LabelModel.load(path)  # the class form is unchanged: a new model
    assert isinstance(back, LabelModel) and back is not new
    np.testing.assert_array_equal(back.predict_proba(L), fitted.predict_proba(L))


@pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")  # four rows: it says so
def test_load_into_an_instance_of_another_model_is_refused_and_leaves_it_alone(tmp_path: Any) -> None:
    from lf.errors import DataError, NotFittedError

    path = LabelModel().fit(L).save(tmp_path / "m.json")
    voter = MajorityVoter(tie_break="random", random_state=3)
    with pytest.raises(DataError, match=r"m.json' holds a 'LabelModel', not a MajorityVoter"):
        voter.load(path)
    assert voter.get_params() == {"tie_break": "random", "random_state": 3}
    with pytest.raises(NotFittedError):
        voter.predict(L)


def test_snorkels_positional_arguments_are_refused_by_their_names() -> None:
    """Snorkel's ``predict(L, return_probs)``, ``fit(L, Y_dev, class_balance)`` and
    ``score(L, Y, metrics, tie_break_policy)`` take these positionally; here each was
    Python's bare TypeError ("takes 2 positional arguments but 3 were given")."""
    model = LabelModel().fit(L, class_balance=[0.5, 0.5])
    with pytest.raises(ParameterError, match=r"LabelModel.predict takes no `return_probs` \(Snorkel's argument\): call predict_proba"):
        model.predict(L, True)
    with pytest.raises(ParameterError, match=r"LabelModel.predict takes no `return_probs`"):
        model.predict(L, False, "random")
    with pytest.raises(ParameterError, match=r"LabelModel.fit takes no `Y_dev` \(Snorkel's argument\): give the class balance"):
        LabelModel().fit(L, np.array([0, 1, 1, 0]))
    with pytest.raises(ParameterError, match=r"LabelModel.score takes no `tie_break_policy`.*abstain='ties'"):
        model.score(L, np.array([0, 1, 1, 0]), ["accuracy"], "abstain")
    with pytest.raises(ParameterError, match=r"MajorityVoter.predict takes 1 positional argument \(L\); got 4\. Pass the others by keyword: L, abstain\.$"):
        MajorityVoter().fit(L).predict(L, True, "random", 3)


def test_an_argument_lf_takes_by_keyword_only_says_so_when_given_in_snorkels_position() -> None:
    """``fit(L, None, [0.5, 0.5])`` is Snorkel's ``class_balance``: lf takes it by keyword."""
    with pytest.raises(ParameterError, match=r"LabelModel.fit takes `class_balance` by keyword only: fit\(\.\.\., class_balance=\.\.\.\)\.$"):
        LabelModel().fit(L, None, [0.5, 0.5])


def test_summarize_refuses_snorkels_lf_summary_arguments_by_name() -> None:
    """Snorkel's ``LFAnalysis(L).lf_summary(Y=..., est_weights=...)``: here a bare TypeError."""
    import lf

    with pytest.raises(ParameterError, match=r"summarize takes no `est_weights` \(Snorkel's lf_summary argument\): pass the fitted model"):
        lf.summarize(L, est_weights=np.ones(3))
    with pytest.raises(ParameterError, match=r"summarize takes no `Y`.*summarize\(L, y\)"):
        lf.summarize(L, Y=np.array([0, 1, 1, 0]))
    with pytest.raises(ParameterError, match=r"summarize has no argument 'gold'\. Its arguments: L, y, model\.$"):
        lf.summarize(L, gold=np.array([0, 1, 1, 0]))


def test_snorkels_get_weights_and_get_conditional_probs_name_the_learned_attributes() -> None:
    from lf.models import DawidSkene

    model = LabelModel().fit(L, cardinality=2, class_balance=[0.5, 0.5])
    assert not hasattr(model, "get_weights")  # still an AttributeError, for code that asks
    with pytest.raises(LFError, match=r"LabelModel has no get_weights\(\) .*`accuracies_`"):
        model.get_weights()
    assert model.accuracies_.shape == (3,)
    with pytest.raises(AttributeError, match=r"get_conditional_probs\(\) .*`mu_` \(m x k x k"):
        model.get_conditional_probs()
    with pytest.raises(LFError, match=r"`confusion_` \(m x \(k\+1\) x k"):
        DawidSkene().get_conditional_probs()
    with pytest.raises(LFError, match="MajorityVoter has no get_weights.*every LF's vote counts the same"):
        MajorityVoter().get_weights()
    with pytest.raises(AttributeError, match="'LabelModel' object has no attribute 'accuracy_'") as other:
        model.accuracy_  # noqa: B018 - a misspelt attribute stays Python's plain error
    assert not isinstance(other.value, LFError)


def test_snorkels_l_train_keyword_is_refused_by_name_not_a_missing_argument() -> None:
    # Snorkel's tests call fit(L_train=L, n_epochs=1000, seed=123)
    for model in (LabelModel(), MajorityVoter()):
        with pytest.raises(ParameterError, match=r"takes no `L_train` \(Snorkel's argument\): .*first argument: fit\(L\)"):
            model.fit(L_train=L, n_epochs=1000, seed=123)
    with pytest.raises(ParameterError, match=r"`L` \(the label matrix\) is missing"):
        LabelModel().fit(class_balance=[0.5, 0.5])
