"""LabelModel(dependencies=...): copied LFs count once, declared or found automatically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf.errors import DataError, ParameterError
from lf.matrix import PatternTable
from lf.models import BaseLabelModel, LabelModel, MajorityVoter

ROOT = Path(__file__).resolve().parents[2]
ACC = np.array([0.62, 0.8, 0.75, 0.7, 0.85])
PROP = np.full(5, 0.5)


def true_posterior(A: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """P(Y = 1 | votes) of the generator (balanced binary, class-independent propensities)."""
    log = np.zeros((A.shape[0], 2))
    for j, a in enumerate(acc):
        for y in (0, 1):
            log[:, y] += np.where(A[:, j] == -1, 0.0, np.where(A[:, j] == y, np.log(a), np.log(1 - a)))
    P = np.exp(log - log.max(axis=1, keepdims=True))
    return P[:, 1] / P.sum(axis=1)


@pytest.fixture(scope="module")
def planted() -> tuple[lf.LabelMatrix, np.ndarray, np.ndarray]:
    """Five independent LFs plus two exact copies of the weakest one ("a")."""
    rng = np.random.default_rng(5)
    n = 6000
    y = rng.integers(0, 2, n)
    A = np.full((n, 5), -1, np.int8)
    for j in range(5):
        fires, right = rng.random(n) < PROP[j], rng.random(n) < ACC[j]
        A[:, j] = np.where(fires, np.where(right, y, 1 - y), -1)
    L = lf.LabelMatrix(np.column_stack([A, A[:, 0], A[:, 0]]), names=[*"abcde", "a_copy", "a_copy2"], cardinality=2)
    return L, y, true_posterior(A, ACC)


def errors(model: LabelModel, L: lf.LabelMatrix, truth: np.ndarray) -> tuple[float, float]:
    """Mean absolute error of P(Y = 1) on the covered rows, and of the learned accuracy of "a"."""
    covered = (np.asarray(L.array) != -1).any(axis=1)
    post = float(np.abs(model.predict_proba(L)[covered, 1] - truth[covered]).mean())
    return post, abs(float(model.accuracies_[0]) - ACC[0])


def test_declared_copies_count_once(planted: Any) -> None:
    L, _, truth = planted
    independent = LabelModel().fit(L)
    declared = LabelModel(dependencies=[("a", "a_copy"), ("a_copy", "a_copy2")]).fit(L)
    post_ind, acc_ind = errors(independent, L, truth)
    post_dep, acc_dep = errors(declared, L, truth)
    # Three votes of the same weak LF look like strong agreement to the independent model.
    assert acc_ind > 0.2 and post_ind > 0.08
    assert acc_dep < 0.03 and post_dep < 0.03 and post_dep < post_ind / 3
    assert declared.dependencies_ == [("a", "a_copy"), ("a_copy", "a_copy2")]
    assert declared.clique_members_ == [[0, 5, 6]]
    model_mode = LabelModel(dependencies=[("a", "a_copy"), ("a", "a_copy2")], abstain="model").fit(L)
    np.testing.assert_allclose(model_mode.predict_proba(L).sum(axis=1), 1.0)
    assert errors(model_mode, L, truth)[0] < post_ind / 3


def test_auto_finds_the_copies_and_matches_the_declared_model(planted: Any) -> None:
    L, _, truth = planted
    auto = LabelModel(dependencies="auto").fit(L)
    assert auto.clique_members_ == [[0, 5, 6]] and len(auto.dependencies_) == 2
    assert all(set(pair) <= {"a", "a_copy", "a_copy2"} for pair in auto.dependencies_)
    declared = LabelModel(dependencies=auto.dependencies_).fit(L)
    np.testing.assert_allclose(auto.predict_proba(L), declared.predict_proba(L))
    assert errors(auto, L, truth)[0] < errors(LabelModel().fit(L), L, truth)[0] / 3


def test_auto_leaves_independent_lfs_alone(generate: Any) -> None:
    A, _ = generate(6000, 6, 3, accuracies=np.array([0.8, 0.7, 0.65, 0.75, 0.6, 0.85]), propensities=np.full(6, 0.4), seed=2)
    auto = LabelModel(dependencies="auto").fit(A)
    assert auto.dependencies_ == [] and auto.clique_members_ == []
    np.testing.assert_array_equal(auto.predict_proba(A), LabelModel().fit(A).predict_proba(A))


def test_indices_on_a_bare_array_and_patterns_give_the_same_model(planted: Any) -> None:
    L, _, _ = planted
    by_name = LabelModel(dependencies=[("a", "a_copy")]).fit(L)
    by_index = LabelModel(dependencies=[(5, 0)]).fit(np.asarray(L.array))
    assert by_index.dependencies_ == [(0, 5)]
    np.testing.assert_allclose(by_index.predict_proba(np.asarray(L.array)), by_name.predict_proba(L))
    pat = L.patterns(inverse=False)
    table = PatternTable(pat.rows, pat.counts, tuple(L.names), 2)
    from_patterns = LabelModel(dependencies=[("a", "a_copy")]).fit_patterns(table)
    np.testing.assert_allclose(from_patterns.predict_proba(L), by_name.predict_proba(L), atol=1e-9)


@pytest.mark.parametrize(
    ("dependencies", "message"),
    [
        ([("a", "nope")], "The dependency names an unknown LF 'nope'. The matrix's LFs: a, b, c"),
        ([("b", "b")], r"The dependency \('b', 'b'\) pairs an LF with itself; name two different LFs."),
        ([(0, 9)], "The dependency names LF index 9; the matrix has LFs 0 to 6."),
        ([("a",)], r"Each dependency must be a pair of two LFs, e.g. \('lf_a', 'lf_b'\). Got \('a',\)."),
        ("Auto", "`dependencies` must be None, 'auto' or a list of LF pairs .* Got 'Auto'."),
        ({"a": "b"}, "`dependencies` must be None, 'auto' or a list of LF pairs"),
    ],
)
def test_bad_dependencies_are_named(planted: Any, dependencies: Any, message: str) -> None:
    L, _, _ = planted
    with pytest.raises(ParameterError, match=message) as info:
        LabelModel(dependencies=dependencies).fit(L)
    assert "\n" not in str(info.value)


def test_names_on_a_bare_array_are_refused(planted: Any) -> None:
    L, _, _ = planted
    with pytest.raises(ParameterError, match="names the LF 'a', but the matrix is a bare array .* give column indices"):
        LabelModel(dependencies=[("a", "a_copy")]).fit(np.asarray(L.array))


def test_too_large_a_clique_is_refused(generate: Any) -> None:
    A, _ = generate(500, 12, 100, accuracies=np.full(12, 0.8), propensities=np.full(12, 0.5), seed=1)
    chain = [(j, j + 1) for j in range(11)]
    with pytest.raises(ParameterError, match="join 10 LFs into one group; with 100 classes a group holds at most 9"):
        LabelModel(dependencies=chain).fit(A, cardinality=100)


def test_save_load_round_trips_the_dependencies(planted: Any, tmp_path: Path) -> None:
    L, _, _ = planted
    model = LabelModel(dependencies=[("a", "a_copy"), ("c", "d")]).fit(L)
    back = BaseLabelModel.load(model.save(tmp_path / "m.json"))
    assert isinstance(back, LabelModel) and back.dependencies_ == [("a", "a_copy"), ("c", "d")]
    # Before: the declared pairs came back as JSON's lists, so the parameters (and the repr) differed.
    assert back.get_params() == model.get_params() and repr(back) == repr(model)
    assert back.clique_members_ == [[0, 5], [2, 3]]
    np.testing.assert_array_equal(back.clique_tables_, model.clique_tables_)
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))
    auto = LabelModel(dependencies="auto").fit(L)
    again = BaseLabelModel.load(auto.save(tmp_path / "auto.json"))
    assert again.dependencies_ == auto.dependencies_ and again.dependencies == "auto"
    np.testing.assert_array_equal(again.predict_proba(L), auto.predict_proba(L))


def _edit(doc: dict[str, Any], name: str, value: Any) -> None:
    doc["state"][name] = value


def _edit_array(doc: dict[str, Any], name: str, i: int, value: Any) -> None:
    doc["state"][name]["array"][i] = value


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        # Before each of these loaded, and the model scored its clique factors on other LFs'
        # votes (or left a declared dependency out) without a sign.
        (lambda d: _edit(d, "clique_members_", [[1, 5], [2, 3]]), r"clique_members_ \[\[1, 5\], \[2, 3\]\] are not the cliques"),
        (lambda d: _edit(d, "clique_members_", []), r"are not the cliques \[\[0, 5\], \[2, 3\]\] of dependencies_"),
        (lambda d: _edit(d, "dependencies_", [["a", "b"], ["c", "d"]]), "are not the cliques"),
        (lambda d: _edit_array(d, "clique_codes_", 0, -1), r"clique_codes_ of the clique \[0, 5\] must be ascending, from 0 to 8"),
        (lambda d: _edit_array(d, "clique_sizes_", 0, 1), "must hold one pattern per row"),
        (lambda d: _edit(d, "dependencies_", [["a", "zzz"]]), "dependencies_ .*'zzz'"),
    ],
    ids=["other members", "no cliques", "other pairs", "negative code", "sizes", "unknown LF"],
)
def test_cliques_edited_by_hand_are_refused_at_load(planted: Any, tmp_path: Path, edit: Any, match: str) -> None:
    import json

    L, _, _ = planted
    path = LabelModel(dependencies=[("a", "a_copy"), ("c", "d")]).fit(L).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=rf"not a complete LabelModel file .*{match}"):
        BaseLabelModel.load(path)


def test_demo_corpus_auto_is_not_below_majority_vote() -> None:
    df = pd.read_csv(ROOT / "datasets" / "demo" / "comments.csv")
    L = lf.apply(lf.load_lfs(str(ROOT / "labeling_functions" / "demo_spam.py")), df)
    y = np.array([L.labels.index(v) for v in df["label"]])
    covered = (np.asarray(L.array) != -1).any(axis=1)

    def accuracy(model: Any) -> float:
        return float((model.fit(L).predict(L)[covered] == y[covered]).mean())

    mv, auto = accuracy(MajorityVoter()), accuracy(LabelModel(dependencies="auto"))
    assert auto >= mv + 0.01, (auto, mv)


DEMO, DEMO_LFS = str(ROOT / "datasets" / "demo" / "comments.csv"), str(ROOT / "labeling_functions" / "demo_spam.py")


def covered_accuracy(out: str) -> float:
    line = next(x for x in out.splitlines() if "accuracy on covered rows" in x)
    return float(line.split()[4])


def test_cli_label_with_auto_dependencies_beats_majority_vote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lf.cli import main

    base = ["label", DEMO, "--lfs", DEMO_LFS, "--gold", "label"]
    assert main([*base, "-o", str(tmp_path / "mv.parquet"), "--model", "MajorityVoter"]) == 0
    mv = covered_accuracy(capsys.readouterr().out)
    assert main([*base, "-o", str(tmp_path / "auto.parquet"), "--dependencies", "auto"]) == 0
    captured = capsys.readouterr()
    assert covered_accuracy(captured.out) >= mv + 0.01
    assert "dependent LFs (found): short_comment:shouting, promo_words:giveaway," in captured.err
    assert all(len(line) <= 80 for line in captured.err.splitlines() if "dependent" in line or line.startswith("  "))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dependencies", "promo_words:nope"], "The dependency names an unknown LF 'nope'."),
        (["--dependencies", "promo_words"], "'promo_words' is not a pair of LF names: write 'auto' or lf_a:lf_b"),
        (["--dependencies", "auto", "--model", "MajorityVoter"], "MajorityVoter takes no dependencies; use --model LabelModel."),
    ],
)
def test_cli_bad_dependencies_exit_2_before_any_lf_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    from lf.cli import main

    out = tmp_path / "x.parquet"
    assert main(["label", DEMO, "--lfs", DEMO_LFS, "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_cli_fit_saves_the_declared_dependencies(planted: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lf.cli import main

    L, _, _ = planted
    L.save(tmp_path / "L.parquet")
    model_path = tmp_path / "m.json"
    assert main(["fit", str(tmp_path / "L.parquet"), "-o", str(model_path), "--dependencies", "a:a_copy,a_copy:a_copy2"]) == 0
    assert "dependent LFs (declared): a:a_copy, a_copy:a_copy2" in capsys.readouterr().err
    model = BaseLabelModel.load(model_path)
    assert model.dependencies_ == [("a", "a_copy"), ("a_copy", "a_copy2")]  # type: ignore[attr-defined]
    expected = LabelModel(dependencies=[("a", "a_copy"), ("a_copy", "a_copy2")]).fit(L)
    np.testing.assert_allclose(model.predict_proba(L), expected.predict_proba(L))


def _member_marginals(model: LabelModel, k: int) -> list[np.ndarray]:
    """Each clique member's ``P(vote | Y)`` (votes 0..k-1 as rows) from the fitted factors,
    decoded here from the pattern codes (base ``k + 1``, first member lowest)."""
    out, start = [], 0
    for g, size in zip(model.clique_members_, model.clique_sizes_.tolist()):
        codes, table = model.clique_codes_[start : start + size], model.clique_tables_[start : start + size]
        start += size
        for s in range(len(g)):
            vote = (codes // (k + 1) ** s) % (k + 1) - 1
            out.append(np.array([table[vote == v].sum(axis=0) for v in range(k)]))
    return out


def test_better_than_random_repairs_only_a_flipped_member() -> None:
    from lf.models._cliques import _votes_of, better_than_random, marginals

    k = 2
    votes = _votes_of(np.arange((k + 1) ** 2), 2, k)  # every pattern of two binary LFs
    rng = np.random.default_rng(0)
    fine = rng.dirichlet(np.ones(9), size=2).T
    # member 0 votes 1 on class 0 rows far more often than on class 1 rows: worse than random
    flipped = fine.copy()
    flipped[votes[:, 0] == 1, 0] *= 20
    flipped /= flipped.sum(axis=0)
    own = np.array([[[0.5, 0.6], [0.4, 0.1], [0.1, 0.3]], [[0.7, 0.7], [0.2, 0.1], [0.1, 0.2]]])
    before = marginals(flipped, votes, k)
    assert before[0, 2, 0] > before[0, 2, 1]  # the flip
    out = better_than_random(flipped, votes, own)
    np.testing.assert_allclose(out.sum(axis=0), 1.0)
    np.testing.assert_allclose(marginals(out, votes, k)[0], own[0], atol=1e-6)
    fixed_fine = better_than_random(fine, votes, own)
    m = marginals(fine, votes, k)[:, 1:, :]
    if all((np.einsum("tll->tl", m) >= m.max(axis=1)).all(axis=1)):  # already fine: returned as is
        assert fixed_fine is fine


def test_auto_keeps_clique_members_better_than_random_on_youtube(wrench: Any) -> None:
    """WRENCH YouTube (train): auto groups a 0.94-accurate spam LF with a weak ham LF it
    co-fires with; EM on their joint factor once made the spam LF vote spam more often on ham
    rows, and the model lost 3 points of accuracy to the independent one."""
    from lf.datasets import load_wrench

    train = load_wrench(wrench("youtube"), "train")
    auto = LabelModel(dependencies="auto").fit(train.L)
    assert auto.clique_members_  # the set has dependent LFs
    for marg in _member_marginals(auto, 2):
        emitted = marg.sum(axis=1) > 0
        assert (np.diag(marg)[emitted] >= marg.max(axis=1)[emitted] * (1 - 1e-6)).all()
    balance = np.array([0.533, 0.467])  # the valid split's gold shares
    acc = {
        name: float((model.fit(train.L, class_balance=balance).predict(train.L) == train.y).mean())
        for name, model in (("independent", LabelModel()), ("auto", LabelModel(dependencies="auto")))
    }
    assert acc["auto"] >= acc["independent"]


@pytest.mark.filterwarnings("ignore::lf.models.UnvotedClassWarning")  # class 2 on purpose: said, tested elsewhere
@pytest.mark.parametrize("dependencies", ["auto", [("promo_words", "giveaway"), ("promo_words", "has_url")]])
def test_a_declared_class_no_lf_votes_changes_nothing(dependencies: Any) -> None:
    """LABELS may name a class no LF votes yet: with dependencies the clique factors once
    used it as a spare cluster of patterns (and auto tested pairs with its empty cells as
    degrees of freedom), which changed 39 of the demo corpus's labels."""
    df = pd.read_csv(ROOT / "datasets" / "demo" / "comments.csv")
    L = lf.apply(lf.load_lfs(str(ROOT / "labeling_functions" / "demo_spam.py")), df, progress=False)
    A = np.asarray(L.array)
    if isinstance(dependencies, list):
        dependencies = [tuple(L.names.index(n) for n in pair) for pair in dependencies]
    two = LabelModel(dependencies=dependencies).fit(A, cardinality=2)
    three = LabelModel(dependencies=dependencies).fit(A, cardinality=3)
    assert two.dependencies_ == three.dependencies_
    P2, P3 = two.predict_proba(A), three.predict_proba(A)
    assert np.abs(P2 - P3[:, :2]).max() < 0.01 and P3[:, 2].max() < 0.01
    assert (P2.argmax(axis=1) == P3.argmax(axis=1)).all()
