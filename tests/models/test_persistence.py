"""Fitted models save to JSON (+ .npz for big arrays) and load back; never pickle."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from lf.errors import DataError
from lf.models import BaseLabelModel, DawidSkene, LabelModel, MajorityVoter, TripletModel

MODELS = [LabelModel(abstain="model", l2=1e-3), DawidSkene(smoothing=0.5), TripletModel(), MajorityVoter()]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_round_trip_small(model, easy, tmp_path):
    L, _, _ = easy
    fitted = type(model)(**model.get_params()).fit(L, class_balance=[0.4, 0.6])
    path = fitted.save(tmp_path / "model.json")
    doc = json.loads(path.read_text())
    assert doc["model"] == type(model).__name__ and doc["params"] == model.get_params()
    assert not (tmp_path / "model.npz").exists()
    for loader in (BaseLabelModel.load, type(model).load):
        back = loader(path)
        assert type(back) is type(model) and back.get_params() == model.get_params()
        assert np.array_equal(back.predict_proba(L), fitted.predict_proba(L))
        for name in fitted._state:
            value = getattr(fitted, name)
            if isinstance(value, str):
                assert getattr(back, name) == value
                continue
            assert np.array_equal(np.asarray(getattr(back, name)), np.asarray(value), equal_nan=True)


def test_round_trip_large_uses_a_sidecar_npz(generate, tmp_path):
    acc = np.full(50, 0.8)
    L, _ = generate(3000, 50, 10, accuracies=acc, propensities=np.full(50, 0.3), seed=4)
    model = LabelModel().fit(L, cardinality=10)
    path = model.save(tmp_path / "big.json")
    sidecars = [p.name for p in tmp_path.glob("big.model.*.npz")]
    assert sidecars == [json.loads(path.read_text())["npz"]] and len(sidecars[0]) == len("big.model..npz") + 16
    back = LabelModel.load(path)
    assert np.array_equal(back.mu_, model.mu_)
    assert np.array_equal(back.predict_proba(L[:100]), model.predict_proba(L[:100]))


def test_a_sidecar_of_another_save_is_refused(generate, tmp_path):
    """A save killed between its two renames leaves the new model file beside the old
    arrays file (or the other way round): the two models' arrays must not mix."""
    acc = np.full(50, 0.8)
    L, _ = generate(3000, 50, 10, accuracies=acc, propensities=np.full(50, 0.3), seed=5)
    (tmp_path / "first").mkdir()
    first = LabelModel().fit(L, cardinality=10).save(tmp_path / "first" / "m.json")
    second = LabelModel(l2=1e-2).fit(L, cardinality=10).save(tmp_path / "m.json")
    assert LabelModel.load(second).mu_.shape == LabelModel.load(first).mu_.shape  # the same shapes
    # the first model's arrays under the name the second one gives its own
    theirs, ours = (json.loads(p.read_text())["npz"] for p in (first, second))
    (tmp_path / ours).write_bytes((tmp_path / "first" / theirs).read_bytes())
    with pytest.raises(DataError, match=f"does not match its arrays file '{ours}'.*Save the model again"):
        LabelModel.load(second)
    # A file saved before the digest was kept loads as it did.
    doc = json.loads(first.read_text())
    del doc["npz_sha256"]
    first.write_text(json.dumps(doc))
    assert np.array_equal(LabelModel.load(first).predict_proba(L), LabelModel.load(first).predict_proba(L))


def test_load_errors(easy, tmp_path):
    L, _, _ = easy
    path = DawidSkene().fit(L).save(tmp_path / "ds.json")
    with pytest.raises(DataError, match="not a LabelModel"):
        LabelModel.load(path)
    with pytest.raises(DataError, match="not found"):
        LabelModel.load(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(DataError, match="not a model file"):
        BaseLabelModel.load(tmp_path / "junk.json")


def test_a_file_of_another_version_or_an_unknown_model_says_so_and_deep_nesting_is_not_a_crash(easy, tmp_path):
    L, _, _ = easy
    path = DawidSkene().fit(L).save(tmp_path / "ds.json")
    doc = json.loads(path.read_text())
    path.write_text(json.dumps({**doc, "format": "lf.model/2"}))
    # Before: "is not a model file written by lf", of a file lf wrote.
    with pytest.raises(DataError, match=r"is a model file of another version of lf \(format 'lf.model/2'; this lf reads 'lf.model/1'\)"):
        BaseLabelModel.load(path)
    path.write_text(json.dumps({**doc, "model": "FancyModel"}))
    # Before: "holds a 'FancyModel', not a BaseLabelModel", as if it were of another kind.
    with pytest.raises(DataError, match=r"holds a 'FancyModel', a model this lf does not know: install the package"):
        BaseLabelModel.load(path)
    path.write_text("[" * 100_000 + "]" * 100_000)
    # Before: Python's RecursionError.
    with pytest.raises(DataError, match=r"not a model file written by lf \(truncated or not JSON: nested too deep\)"):
        BaseLabelModel.load(path)


def test_numpy_scalar_params_save_as_plain_numbers(easy, tmp_path):
    L, _, _ = easy
    model = DawidSkene(smoothing=np.float64(0.5), max_iter=np.int64(300)).fit(L)
    path = model.save(tmp_path / "ds.json")
    doc = json.loads(path.read_text())
    assert doc["params"]["smoothing"] == 0.5 and doc["params"]["max_iter"] == 300
    back = DawidSkene.load(path)
    assert type(back.max_iter) is int
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))


@pytest.mark.parametrize("cls", [LabelModel, DawidSkene, TripletModel])
def test_deterministic_models_take_no_random_state_and_still_load_files_that_had_one(easy, tmp_path, cls):
    L, _, _ = easy
    assert "random_state" not in cls._param_names()
    with pytest.raises(TypeError, match="random_state"):
        cls(random_state=0)
    model = cls().fit(L)
    path = model.save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["params"]["random_state"] = 7  # as older versions wrote it (it had no effect)
    path.write_text(json.dumps(doc))
    np.testing.assert_array_equal(cls.load(path).predict_proba(L), model.predict_proba(L))


@pytest.mark.parametrize("state", [np.random.default_rng(0), np.random.RandomState(0)], ids=["Generator", "RandomState"])
def test_generator_random_state_is_refused_at_save_with_the_fix(easy, tmp_path, state):
    L, _, _ = easy
    model = MajorityVoter(tie_break="random", random_state=state).fit(L)
    with pytest.raises(DataError, match=r"parameter `random_state` is a (Generator|RandomState).*Pass an int seed"):
        model.save(tmp_path / "mv.json")
    assert list(tmp_path.iterdir()) == []


def test_a_param_with_no_json_form_is_named(easy, tmp_path):
    from fractions import Fraction

    L, _, _ = easy
    model = DawidSkene(smoothing=Fraction(1, 2)).fit(L)
    with pytest.raises(DataError, match=r"parameter `smoothing` is a Fraction"):
        model.save(tmp_path / "ds.json")
    assert list(tmp_path.iterdir()) == []


def test_a_model_saved_next_to_its_npz_matrix_leaves_the_matrix_intact(generate, tmp_path):
    # `lf apply -o run.npz; lf fit run.npz -o run.json`: the model's array sidecar must not
    # take the matrix's name.
    import lf

    L, _ = generate(3000, 50, 10, accuracies=np.full(50, 0.8), propensities=np.full(50, 0.3), seed=4)
    matrix = lf.LabelMatrix(L, cardinality=10)
    matrix.save(tmp_path / "run.npz")
    DawidSkene().fit(matrix).save(tmp_path / "run.json")
    assert lf.LabelMatrix.load(tmp_path / "run.npz") == matrix
    assert DawidSkene.load(tmp_path / "run.json").predict_proba(matrix).shape == (3000, 10)


def test_a_saved_model_refuses_a_matrix_of_other_lfs(easy, tmp_path):
    import lf

    L, _, _ = easy
    matrix = lf.LabelMatrix(L, names=[f"lf{j}" for j in range(L.shape[1])], cardinality=2)
    back = LabelModel.load(LabelModel().fit(matrix).save(tmp_path / "m.json"))
    assert back.lf_names_ == list(matrix.names)
    np.testing.assert_allclose(back.predict_proba(matrix), LabelModel().fit(matrix).predict_proba(matrix))
    order = list(reversed(range(L.shape[1])))
    swapped = lf.LabelMatrix(L[:, order], names=[matrix.names[j] for j in order], cardinality=2)
    with pytest.raises(DataError, match=r"fitted on other LFs than the matrix's \(same LFs in another order\)"):
        back.predict_proba(swapped)
    renamed = lf.LabelMatrix(L, names=["x", *matrix.names[1:]], cardinality=2)
    with pytest.raises(DataError, match=r"missing \['lf0'\], new \['x'\]"):
        back.predict(renamed)
    back.predict_proba(L)  # a plain array carries no names: only its shape is checked


def test_a_model_file_with_unknown_parameters_is_a_data_error(easy, tmp_path):
    import json

    L, _, _ = easy
    path = LabelModel().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["params"]["nonsense"] = 1
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"not a complete LabelModel file .*nonsense"):
        LabelModel.load(path)


def _set_state(name, value):
    return lambda doc: doc["state"].__setitem__(name, value)


HAND_EDITS = {
    # Before: loaded, and predict_proba silently used a prior that sums to 1.1.
    "class balance not summing to 1": (_set_state("class_balance_", {"array": [0.5, 0.6], "dtype": "float64"}), "class_balance_"),
    # Before: a numpy reshape error at predict time.
    "class balance of another length": (_set_state("class_balance_", {"array": [1.0], "dtype": "float64"}), "class_balance_"),
    # Before: "The label matrix has cardinality 2; the model was fitted with 2."
    "cardinality as text": (_set_state("cardinality_", "2"), r"cardinality_ must be an integer >= 2, not '2'"),
    # Before: set as an attribute of the loaded model, shadowing its method.
    "an attribute the model does not learn": (_set_state("predict_proba", 1), r"unknown learned attributes \['predict_proba'\]"),
    "LF names of another length": (_set_state("lf_names_", ["a"]), "lf_names_ must be"),
}


@pytest.mark.parametrize("edit", HAND_EDITS, ids=str)
@pytest.mark.parametrize("cls", [LabelModel, DawidSkene, TripletModel, MajorityVoter])
def test_a_model_file_edited_by_hand_is_refused_at_load(cls, edit, easy, tmp_path):
    import lf

    L, _, _ = easy
    matrix = lf.LabelMatrix(L, names=[f"lf{j}" for j in range(L.shape[1])], cardinality=2)
    path = cls().fit(matrix).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    change, match = HAND_EDITS[edit]
    change(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=rf"not a complete {cls.__name__} file .*{match}"):
        BaseLabelModel.load(path)


@pytest.mark.parametrize(
    ("cls", "param", "value"),
    [(MajorityVoter, "tie_break", "zzz"), (DawidSkene, "max_iter", -5), (LabelModel, "abstain", "sometimes")],
)
def test_a_model_file_with_a_bad_parameter_value_is_refused_at_load(cls, param, value, easy, tmp_path):
    """Before: a MajorityVoter with tie_break 'zzz' loaded and broke ties at random."""
    L, _, _ = easy
    path = cls().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["params"][param] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=rf"not a complete {cls.__name__} file .*`{param}` must be"):
        BaseLabelModel.load(path)


def test_a_model_whose_arrays_were_cut_is_refused_at_load(easy, tmp_path):
    """Before: loaded, then a numpy reshape error on the first predict."""
    L, _, _ = easy
    path = DawidSkene().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["state"]["confusion_"]["array"] = doc["state"]["confusion_"]["array"][:2]
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"not a complete DawidSkene file"):
        BaseLabelModel.load(path)


@pytest.mark.parametrize("cls", [LabelModel, DawidSkene, TripletModel, MajorityVoter])
def test_a_model_refuses_a_matrix_whose_labels_are_in_another_order(cls, easy, tmp_path):
    """Before: after LABELS = ["HAM", "SPAM"] became ["SPAM", "HAM"], a saved model gave the
    SPAM column the probability of HAM, without a word."""
    import lf

    L, _, _ = easy
    names = [f"lf{j}" for j in range(L.shape[1])]
    fitted = cls().fit(lf.LabelMatrix(L, names=names, cardinality=2, labels=["HAM", "SPAM"]))
    back = BaseLabelModel.load(fitted.save(tmp_path / "m.json"))
    assert back.label_names_ == ["HAM", "SPAM"]
    swapped = lf.LabelMatrix(1 - L - 2 * (L == -1), names=names, cardinality=2, labels=["SPAM", "HAM"])
    for model in (fitted, back):
        with pytest.raises(DataError, match=r"fitted on the labels HAM, SPAM \(in that order\); the matrix has SPAM, HAM"):
            model.predict_proba(swapped)
    same = lf.LabelMatrix(L, names=names, cardinality=2, labels=["HAM", "SPAM"])
    np.testing.assert_array_equal(back.predict_proba(same), fitted.predict_proba(L))


RATE_TABLES = {LabelModel: "mu_", TripletModel: "mu_", DawidSkene: "confusion_"}


def _cast_to(dtype):
    return lambda entry: entry.__setitem__("dtype", dtype)


def _map_values(change):
    return lambda entry: entry.__setitem__("array", change(np.asarray(entry["array"], float)).tolist())


ARRAY_EDITS = {
    # Before: each of these loaded and predicted other probabilities, without a word: the
    # int8 cast made every rate 0, the text cast cut each rate to 5 characters.
    "dtype int8": (_cast_to("int8"), "int8"),
    "dtype text": (_cast_to("<U5"), "<U5"),
    "negative rates": (_map_values(lambda a: -a), "probabilities"),
    "rates above 1": (_map_values(lambda a: a + 1.0), "probabilities"),
}


@pytest.mark.parametrize("edit", ARRAY_EDITS, ids=str)
@pytest.mark.parametrize("cls", list(RATE_TABLES), ids=lambda c: c.__name__)
def test_a_rate_table_edited_to_other_numbers_is_refused_at_load(cls, edit, easy, tmp_path):
    L, _, _ = easy
    path = cls().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    change, match = ARRAY_EDITS[edit]
    change(doc["state"][RATE_TABLES[cls]])
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=rf"not a complete {cls.__name__} file .*{RATE_TABLES[cls]}.*{match}"):
        BaseLabelModel.load(path)


@pytest.mark.parametrize("cls", list(RATE_TABLES), ids=lambda c: c.__name__)
def test_learned_accuracies_outside_0_1_are_refused_at_load(cls, easy, tmp_path):
    """Before: loaded, and `lf report --model m.json` showed a learned accuracy of 5."""
    L, _, _ = easy
    path = cls().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["state"]["accuracies_"]["array"][0] = 5.0
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"accuracies_ .*between 0 and 1"):
        BaseLabelModel.load(path)


def test_a_class_balance_of_complex_numbers_is_a_data_error(easy, tmp_path):
    """Before: numpy's ComplexWarning (an error under -W error), not lf's message."""
    L, _, _ = easy
    path = MajorityVoter().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["state"]["class_balance_"]["dtype"] = "complex128"
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"class_balance_ .*complex128"):
        BaseLabelModel.load(path)


# Five rows, six LFs, nine classes: the moment fits learn rates of one LF under a class
# that sum past 1 (P(the LF votes | class) > 1); predict clips them.
FEW_ROWS = [[-1, -1, 0, 0, -1, 0], [-1, 8, 6, 8, 8, 8], [0, 0, 5, 0, 0, 0], [7, -1, 7, -1, -1, 7], [0, 0, 0, -1, 1, 0]]


@pytest.mark.parametrize("cls", [LabelModel, TripletModel], ids=lambda c: c.__name__)
def test_a_fitted_model_whose_rates_sum_past_1_loads_back(cls, tmp_path):
    """Before: saved, then refused at load as 'not a complete file ... save the model again',
    which gave the same file again."""
    A = np.array(FEW_ROWS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # underdetermined: beside the point here
        fitted = cls().fit(A, cardinality=9)
    assert fitted.mu_.sum(axis=1).max() > 1.0 + 1e-6  # the case at hand
    back = BaseLabelModel.load(fitted.save(tmp_path / "m.json"))
    assert np.array_equal(back.predict_proba(A), fitted.predict_proba(A))


@pytest.mark.parametrize("cls", list(RATE_TABLES), ids=lambda c: c.__name__)
def test_learned_accuracies_cut_short_are_refused_at_load(cls, easy, tmp_path):
    """Before: loaded, and summarize(L, model=...) blamed the matrix ('fit the model on
    this matrix') for the file's missing accuracy."""
    L, _, _ = easy
    path = cls().fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["state"]["accuracies_"]["array"] = doc["state"]["accuracies_"]["array"][:-1]
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=rf"accuracies_ must be {L.shape[1]} numbers, one per LF"):
        BaseLabelModel.load(path)
