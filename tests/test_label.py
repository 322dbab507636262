"""lf.label: one pass over the data, outputs written chunk by chunk, identical to in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import lf
import lf.io
from lf.cli import main
from lf.corpus import Corpus
from lf.counts import PatternCounter
from lf.errors import LFRuntimeError
from lf.gold import gold_ids
from lf.label import label
from lf.models import DawidSkene, LabelModel, MajorityVoter, SnorkelLabelModel, TripletModel
from lf.output import labels_frame

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


@pytest.fixture(scope="module")
def demo() -> tuple[lf.LFSet, lf.LabelMatrix]:
    lfs = lf.load_lfs(DEMO_LFS)
    return lfs, lf.apply(lfs, DEMO, id_column="id", progress=False)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every pass over data files (each pass starts one lf.io.iter_chunks)."""
    calls: list[object] = []
    real = lf.io.iter_chunks

    def counted(data, *args, **kwargs):
        calls.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(lf.io, "iter_chunks", counted)
    return calls


def test_label_reads_the_corpus_once_with_gold_and_ids(tmp_path: Path, demo, monkeypatch: pytest.MonkeyPatch) -> None:
    lfs, L = demo
    calls = _counting(monkeypatch)
    corpus = Corpus(DEMO)
    res = label(lfs, corpus, output=tmp_path / "out.parquet", gold="label", chunk_size=300, progress=False)
    assert corpus.reads == 1 and len(calls) == 1
    y = gold_ids(pd.read_csv(DEMO)["label"], lfs.labels, 2)
    expected = LabelModel().fit(L)
    # Uncovered rows get no label by default, so they count as wrong over all rows.
    assert res.accuracy == pytest.approx(float((expected.predict(L, abstain="uncovered") == y).mean()), abs=1e-12)
    covered = (L.array != -1).any(axis=1)
    assert res.coverage == pytest.approx(covered.mean())
    assert res.accuracy_covered == pytest.approx(float((expected.predict(L)[covered] == y[covered]).mean()), abs=1e-12)
    prior = label(lfs, corpus, output=tmp_path / "all.parquet", gold="label", uncovered="prior", progress=False)
    assert prior.accuracy == pytest.approx(float((expected.predict(L) == y).mean()), abs=1e-12)
    assert prior.unlabeled == 0 and res.unlabeled == int((~covered).sum()) > 0
    got = lf.summarize(res.table, model=res.model).drop(columns="seconds")
    pd.testing.assert_frame_equal(got, lf.summarize(L, y=y, model=expected).drop(columns="seconds"))


def test_the_cli_label_command_reads_data_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    calls = _counting(monkeypatch)
    code = main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "o.csv"), "--gold", "label", "--no-progress"])
    assert code == 0, capsys.readouterr().err
    assert len(calls) == 1  # ids, gold and the matrix come out of one pass


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
@pytest.mark.parametrize("filter_abstain", [False, True])
def test_streamed_labels_equal_the_in_memory_table(tmp_path: Path, demo, suffix: str, filter_abstain: bool) -> None:
    lfs, L = demo
    out = tmp_path / f"labels{suffix}"
    res = label(lfs, DEMO, output=out, model="mv", matrix=tmp_path / "L.parquet", chunk_size=300,
                filter_abstain=filter_abstain, progress=False)
    model = MajorityVoter().fit(L)
    want = labels_frame(L, model.predict_proba(L), filter_abstain=filter_abstain)
    ref = tmp_path / f"ref{suffix}"
    lf.io.write_frame(want, ref)
    if suffix == ".parquet":
        got = pd.read_parquet(out)
        pd.testing.assert_frame_equal(got, pd.read_parquet(ref))
        assert pq.ParquetFile(out).num_row_groups > 1  # written chunk by chunk
    else:
        assert out.read_bytes() == ref.read_bytes()
    assert res.rows_written == len(want)
    stored = lf.LabelMatrix.load(tmp_path / "L.parquet")
    assert stored == L and (stored.row_ids.astype(str) == L.row_ids.astype(str)).all()
    assert pq.ParquetFile(tmp_path / "L.parquet").num_row_groups > 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["L.parquet", out.name, ref.name])


def test_a_failing_run_leaves_no_output_and_no_scratch_file(tmp_path: Path) -> None:
    df = pd.DataFrame({"text": [f"row {i}" for i in range(50)]})

    @lf.labeling_function()
    def late_failure(x):
        if x.text == "row 40":
            raise ValueError("boom")
        return 1 if "1" in x.text else 0

    with pytest.raises(LFRuntimeError, match="late_failure"):
        label([late_failure], df, output=tmp_path / "out.parquet", matrix=tmp_path / "L.parquet", model="mv", chunk_size=10, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_pattern_counts_from_any_split_equal_the_whole_matrix(demo) -> None:
    _, L = demo
    whole = L.patterns(inverse=False)
    for cuts in ([], [1], [3, 4, 20], list(range(1, L.n, 37))):
        counter = PatternCounter(L.m)
        for part in np.split(L.array, cuts):
            counter.add(part)
        t = counter.table(L.names, L.cardinality)
        assert np.array_equal(t.rows, whole.rows) and np.array_equal(t.counts, whole.counts)


@pytest.mark.parametrize("with_gold", [False, True])
@pytest.mark.parametrize("make", [MajorityVoter, LabelModel, DawidSkene, TripletModel, SnorkelLabelModel])
def test_fitting_from_patterns_equals_fitting_on_the_matrix(demo, make, with_gold: bool) -> None:
    _, L = demo
    counter = PatternCounter(L.m, gold=with_gold)  # with gold, one row may appear twice
    gold = (np.arange(L.n) % 2).astype(np.int64) if with_gold else None
    for part in np.array_split(np.arange(L.n), 5):
        counter.add(L.array[part], None if gold is None else gold[part])
    table = counter.table(L.names, L.cardinality, labels=L.labels)
    a = make(random_state=0) if "random_state" in make().get_params() else make()
    b = make(random_state=0) if "random_state" in make().get_params() else make()
    a.fit(L)
    b.fit_patterns(table)
    np.testing.assert_allclose(a.predict_proba(L), b.predict_proba(L), atol=1e-9)


def test_the_apply_command_streams_the_matrix_to_parquet(tmp_path: Path, demo, capsys) -> None:
    _, L = demo
    out = tmp_path / "L.parquet"
    code = main(["apply", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(out), "--chunk-size", "300", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0, err
    stored = lf.LabelMatrix.load(out)
    assert stored == L and (stored.row_ids.astype(str) == L.row_ids.astype(str)).all()
    assert pq.ParquetFile(out).num_row_groups == 7  # one row group per chunk
    assert f"wrote {out}: 2,000 rows x {L.m} LFs, coverage {lf.summary.totals(L)['coverage']:.3f}" in err


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"class_balance": [0.5, 0.6]}, r"must be 2 non-negative numbers summing to 1"),
        ({"class_balance": [0.5, float("nan")]}, r"must be 2 non-negative numbers summing to 1"),
        ({"class_balance": {"HAM": 0.5, "EGGS": 0.5}}, r"names 'EGGS', not a label of the matrix \(HAM, SPAM\)"),
        ({"class_balance": "DEV"}, r"Got 'DEV'\. 'dev' .* is taken by lf.label"),
        ({"model": LabelModel(dependencies=[("promo_words", "nope")])}, r"names an unknown LF 'nope'"),
        ({"model": LabelModel(dependencies=[("promo_words", "promo_words")])}, r"pairs an LF with itself"),
        ({"model": LabelModel(dependencies="AUTO")}, r"`dependencies` must be None, 'auto' or a list of LF pairs"),
        ({"model": "LabelModel(l2=-1)"}, r"`l2` must be a number >= 0"),
        ({"model": DawidSkene(max_iter=0)}, r"`max_iter` must be a positive integer"),
    ],
)
def test_a_bad_class_balance_or_model_parameter_is_refused_before_any_lf_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: dict[str, object], message: str
) -> None:
    # Before: refused by the model's fit, once every LF had labeled the whole corpus.
    calls = _counting(monkeypatch)
    with pytest.raises(lf.errors.ParameterError, match=message):
        label(lf.load_lfs(DEMO_LFS), DEMO, output=tmp_path / "out.parquet", progress=False, **given)
    assert calls == [] and not list(tmp_path.iterdir())


def test_leaving_out_uncovered_rows_and_labeling_them_by_the_prior_are_refused_together(tmp_path: Path) -> None:
    with pytest.raises(lf.errors.ParameterError, match=r"`filter_abstain` leaves out the rows no LF labeled, and `uncovered='prior'`"):
        label(lf.load_lfs(DEMO_LFS), DEMO, output=tmp_path / "labels.parquet", filter_abstain=True, uncovered="prior")
    assert list(tmp_path.iterdir()) == []
